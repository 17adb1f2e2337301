//! Districts and schools: reference records that the operator creates.

use diesel::prelude::*;

use crate::error::ApiError;
use crate::store::schema::{districts, schools};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = districts, treat_none_as_default_value = false)]
pub struct DistrictRow {
    pub id: String,
    pub name: String,
    pub created_at: chrono::NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = schools, treat_none_as_default_value = false)]
pub struct SchoolRow {
    pub district_id: String,
    pub id: String,
    pub name: String,
    pub created_at: chrono::NaiveDateTime,
}

crate::store::for_each_backend! {
    /// Inserts a district, or renames it when it exists.
    pub fn upsert_district(conn: &mut Conn, row: &DistrictRow) -> Result<(), ApiError> {
        diesel::insert_into(districts::table)
            .values(row)
            .on_conflict(districts::id)
            .do_update()
            .set(districts::name.eq(&row.name))
            .execute(conn)?;
        Ok(())
    }

    /// Inserts a school, or renames it when it exists.
    pub fn upsert_school(conn: &mut Conn, row: &SchoolRow) -> Result<(), ApiError> {
        diesel::insert_into(schools::table)
            .values(row)
            .on_conflict((schools::district_id, schools::id))
            .do_update()
            .set(schools::name.eq(&row.name))
            .execute(conn)?;
        Ok(())
    }

    pub fn list_districts(conn: &mut Conn, ids: &[String]) -> Result<Vec<DistrictRow>, ApiError> {
        Ok(districts::table
            .filter(districts::id.eq_any(ids))
            .order(districts::id.asc())
            .select(DistrictRow::as_select())
            .load(conn)?)
    }

    pub fn district_exists(conn: &mut Conn, id: &str) -> Result<bool, ApiError> {
        Ok(diesel::select(diesel::dsl::exists(districts::table.find(id))).get_result(conn)?)
    }

    pub fn list_schools(
        conn: &mut Conn,
        district_ids: &[String],
    ) -> Result<Vec<SchoolRow>, ApiError> {
        Ok(schools::table
            .filter(schools::district_id.eq_any(district_ids))
            .order((schools::district_id.asc(), schools::id.asc()))
            .select(SchoolRow::as_select())
            .load(conn)?)
    }

    pub fn find_school(
        conn: &mut Conn,
        district_id: &str,
        school_id: &str,
    ) -> Result<Option<SchoolRow>, ApiError> {
        Ok(schools::table
            .find((district_id, school_id))
            .select(SchoolRow::as_select())
            .first(conn)
            .optional()?)
    }

    /// Returns which of `school_ids` exist in the district.
    pub fn existing_schools(
        conn: &mut Conn,
        district_id: &str,
        school_ids: &[String],
    ) -> Result<Vec<String>, ApiError> {
        Ok(schools::table
            .filter(schools::district_id.eq(district_id))
            .filter(schools::id.eq_any(school_ids))
            .select(schools::id)
            .load(conn)?)
    }
}
