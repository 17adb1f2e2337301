//! District rule sets: immutable versions of overlays on the built-in Kansas rule sets.

use diesel::prelude::*;

use crate::error::{ApiError, ErrorCode, FieldError};
use crate::store::schema::rule_sets;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = rule_sets, treat_none_as_default_value = false)]
pub struct RuleSetRow {
    pub district_id: String,
    pub id: String,
    pub version: i32,
    /// First graduating class the set applies to, if bounded.
    pub class_from: Option<i32>,
    /// Last graduating class the set applies to, if bounded.
    pub class_to: Option<i32>,
    /// The rule set as JSON.
    pub document: String,
    pub created_at: chrono::NaiveDateTime,
}

crate::store::for_each_backend! {
    /// Stores a new rule-set version; 409 when that version exists.
    pub fn create(conn: &mut Conn, row: &RuleSetRow) -> Result<(), ApiError> {
        diesel::insert_into(rule_sets::table)
            .values(row)
            .execute(conn)
            .map_err(|error| match error {
                diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _) => {
                    ApiError::new(
                        ErrorCode::Conflict,
                        format!("rule set {} version {} exists; versions are immutable, so post the change with a higher version", row.id, row.version),
                    )
                    .with_errors(vec![FieldError::body("/version", "duplicate", "this version already exists")])
                }
                other => ApiError::from(other),
            })?;
        Ok(())
    }

    /// Lists the districts' rule sets, newest version first within each id.
    pub fn list(conn: &mut Conn, district_ids: &[String]) -> Result<Vec<RuleSetRow>, ApiError> {
        Ok(rule_sets::table
            .filter(rule_sets::district_id.eq_any(district_ids))
            .order((rule_sets::id.asc(), rule_sets::version.desc()))
            .select(RuleSetRow::as_select())
            .load(conn)?)
    }

    /// Finds a rule-set version, or the newest version when `version` is `None`.
    pub fn find(
        conn: &mut Conn,
        district_ids: &[String],
        id: &str,
        version: Option<i32>,
    ) -> Result<Option<RuleSetRow>, ApiError> {
        let mut query = rule_sets::table
            .filter(rule_sets::district_id.eq_any(district_ids))
            .filter(rule_sets::id.eq(id))
            .order(rule_sets::version.desc())
            .select(RuleSetRow::as_select())
            .into_boxed();
        if let Some(version) = version {
            query = query.filter(rule_sets::version.eq(version));
        }
        Ok(query.first(conn).optional()?)
    }

    /// Finds the district's newest rule set whose graduating classes include `graduation_year`.
    pub fn for_class(conn: &mut Conn, district_id: &str, graduation_year: i32) -> Result<Option<RuleSetRow>, ApiError> {
        Ok(rule_sets::table
            .filter(rule_sets::district_id.eq(district_id))
            .filter(rule_sets::class_from.is_null().or(rule_sets::class_from.le(graduation_year)))
            .filter(rule_sets::class_to.is_null().or(rule_sets::class_to.ge(graduation_year)))
            .order((rule_sets::created_at.desc(), rule_sets::version.desc()))
            .select(RuleSetRow::as_select())
            .first(conn)
            .optional()?)
    }
}
