//! The change feed: one row per create, update or delete, numbered by a global counter.

use diesel::prelude::*;

use crate::error::ApiError;
use crate::store::schema::{change_counter, changes};

/// A change about to be recorded.
#[derive(Debug, Clone)]
pub struct NewChange {
    pub district_id: String,
    pub resource_type: &'static str,
    pub resource_id: String,
    /// The natural key as a JSON object, so that a subscriber can replicate a delete.
    pub natural_key: serde_json::Value,
    pub operation: &'static str,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = changes, treat_none_as_default_value = false)]
pub struct ChangeRow {
    pub change_version: i64,
    pub district_id: String,
    pub resource_type: String,
    pub resource_id: String,
    pub natural_key: String,
    pub operation: String,
    pub changed_at: chrono::NaiveDateTime,
}

crate::store::for_each_backend! {
    /// Records `events` with consecutive change versions.
    ///
    /// Call it as the last statement of a write transaction. The counter row stays locked
    /// until commit, so change versions become visible in the order they were taken. A
    /// subscriber reading with `after=N` therefore never skips a version that commits later.
    pub fn record(conn: &mut Conn, events: Vec<NewChange>) -> Result<(), ApiError> {
        if events.is_empty() {
            return Ok(());
        }

        let count = i64::try_from(events.len()).map_err(ApiError::internal)?;
        let last: i64 = diesel::update(change_counter::table.find(1))
            .set(change_counter::value.eq(change_counter::value + count))
            .returning(change_counter::value)
            .get_result(conn)?;

        let changed_at = crate::store::now();
        let rows: Vec<ChangeRow> = events
            .into_iter()
            .zip(last - count + 1..)
            .map(|(event, change_version)| ChangeRow {
                change_version,
                district_id: event.district_id,
                resource_type: event.resource_type.to_owned(),
                resource_id: event.resource_id,
                natural_key: event.natural_key.to_string(),
                operation: event.operation.to_owned(),
                changed_at,
            })
            .collect();
        for chunk in rows.chunks(1000) {
            diesel::insert_into(changes::table).values(chunk).execute(conn)?;
        }
        Ok(())
    }

    /// Lists changes after `after` in `districts`, oldest first.
    pub fn list(
        conn: &mut Conn,
        districts: &[String],
        after: i64,
        resource_type: Option<&str>,
        limit: i64,
    ) -> Result<Vec<ChangeRow>, ApiError> {
        let mut query = changes::table
            .filter(changes::district_id.eq_any(districts))
            .filter(changes::change_version.gt(after))
            .order(changes::change_version.asc())
            .limit(limit)
            .select(ChangeRow::as_select())
            .into_boxed();
        if let Some(resource_type) = resource_type {
            query = query.filter(changes::resource_type.eq(resource_type));
        }
        Ok(query.load(conn)?)
    }

}
