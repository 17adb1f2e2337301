//! The district course catalog, keyed by `(district_id, id)` with the local course code as
//! natural key.

use diesel::prelude::*;

use crate::error::{ApiError, ErrorCode, FieldError};
use crate::store::UpsertOutcome;
use crate::store::changes::NewChange;
use crate::store::schema::{courses, plan_courses};

pub const RESOURCE_TYPE: &str = "course";

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = courses, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct CourseRow {
    pub district_id: String,
    pub id: String,
    pub course_code: String,
    pub sced_code: String,
    pub sced_level: Option<String>,
    pub sced_credit: Option<String>,
    pub sced_sequence: Option<String>,
    pub state_code: Option<String>,
    pub title: String,
    /// Hundredths of a unit.
    pub credits: i32,
    /// JSON array of grade levels.
    pub grade_levels: String,
    pub regents_flag: Option<String>,
    /// JSON array of attribute names.
    pub attributes: String,
    pub career_cluster: Option<String>,
    pub career_pathway: Option<String>,
    /// JSON array of course codes.
    pub prerequisites: String,
    pub repeatable: bool,
    pub active: bool,
    pub revision: i32,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
}

/// The writable part of a course, already validated and encoded for storage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CourseFields {
    pub course_code: String,
    pub sced_code: String,
    pub sced_level: Option<String>,
    pub sced_credit: Option<String>,
    pub sced_sequence: Option<String>,
    pub state_code: Option<String>,
    pub title: String,
    pub credits: i32,
    pub grade_levels: String,
    pub regents_flag: Option<String>,
    pub attributes: String,
    pub career_cluster: Option<String>,
    pub career_pathway: Option<String>,
    pub prerequisites: String,
    pub repeatable: bool,
    pub active: bool,
}

impl CourseRow {
    /// Creates a new row at revision 1.
    pub fn new(district_id: String, fields: CourseFields) -> CourseRow {
        let now = crate::store::now();
        CourseRow {
            district_id,
            id: crate::store::new_id(),
            course_code: fields.course_code,
            sced_code: fields.sced_code,
            sced_level: fields.sced_level,
            sced_credit: fields.sced_credit,
            sced_sequence: fields.sced_sequence,
            state_code: fields.state_code,
            title: fields.title,
            credits: fields.credits,
            grade_levels: fields.grade_levels,
            regents_flag: fields.regents_flag,
            attributes: fields.attributes,
            career_cluster: fields.career_cluster,
            career_pathway: fields.career_pathway,
            prerequisites: fields.prerequisites,
            repeatable: fields.repeatable,
            active: fields.active,
            revision: 1,
            created_at: now,
            updated_at: now,
        }
    }

    /// Returns the writable fields of this row.
    pub fn fields(&self) -> CourseFields {
        CourseFields {
            course_code: self.course_code.clone(),
            sced_code: self.sced_code.clone(),
            sced_level: self.sced_level.clone(),
            sced_credit: self.sced_credit.clone(),
            sced_sequence: self.sced_sequence.clone(),
            state_code: self.state_code.clone(),
            title: self.title.clone(),
            credits: self.credits,
            grade_levels: self.grade_levels.clone(),
            regents_flag: self.regents_flag.clone(),
            attributes: self.attributes.clone(),
            career_cluster: self.career_cluster.clone(),
            career_pathway: self.career_pathway.clone(),
            prerequisites: self.prerequisites.clone(),
            repeatable: self.repeatable,
            active: self.active,
        }
    }

    /// Returns this row with `fields` applied, the next revision and a new `updated_at`.
    pub fn revised(&self, fields: CourseFields) -> CourseRow {
        let mut next = CourseRow::new(self.district_id.clone(), fields);
        next.id = self.id.clone();
        next.created_at = self.created_at;
        next.revision = self.revision + 1;
        next
    }

    /// Builds the change-feed event for this row.
    pub fn change(&self, operation: &'static str) -> NewChange {
        NewChange {
            district_id: self.district_id.clone(),
            resource_type: RESOURCE_TYPE,
            resource_id: self.id.clone(),
            natural_key: serde_json::json!({
                "districtId": self.district_id,
                "courseCode": self.course_code,
            }),
            operation,
        }
    }
}

/// Filters for listing courses; `None` means no filter.
#[derive(Debug, Clone, Default)]
pub struct CourseFilter {
    pub district_ids: Vec<String>,
    pub course_code: Option<String>,
    pub sced_code: Option<String>,
    /// 2-digit SCED subject area.
    pub subject_area: Option<String>,
    pub active: Option<bool>,
    pub updated_since: Option<chrono::NaiveDateTime>,
}

/// Maps a duplicate course code to 409 naming the field.
pub fn unique_violation(error: diesel::result::Error) -> ApiError {
    use diesel::result::{DatabaseErrorKind, Error};
    match &error {
        Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => ApiError::new(
            ErrorCode::Conflict,
            "another course in this district already has this courseCode",
        )
        .with_errors(vec![FieldError::body(
            "/courseCode",
            "duplicate",
            "courseCode must be unique within the district",
        )]),
        _ => ApiError::from(error),
    }
}

crate::store::for_each_backend! {
    /// Inserts a course and records the change.
    pub fn create(conn: &mut Conn, row: &CourseRow) -> Result<(), ApiError> {
        diesel::insert_into(courses::table)
            .values(row)
            .execute(conn)
            .map_err(unique_violation)?;
        q::changes::record(conn, vec![row.change("upsert")])
    }

    /// Finds a course by id within the given districts.
    pub fn find(
        conn: &mut Conn,
        district_ids: &[String],
        id: &str,
    ) -> Result<Option<CourseRow>, ApiError> {
        Ok(crate::store::in_districts!(courses::district_id, district_ids, |in_district| courses::table
            .filter(in_district)
            .filter(courses::id.eq(id))
            .select(CourseRow::as_select())
            .first(conn)
            .optional())?)
    }

    /// Loads the district's courses with the given course codes.
    pub fn find_by_codes(
        conn: &mut Conn,
        district_id: &str,
        codes: &[String],
    ) -> Result<Vec<CourseRow>, ApiError> {
        Ok(courses::table
            .filter(courses::district_id.eq(district_id))
            .filter(courses::course_code.eq_any(codes))
            .select(CourseRow::as_select())
            .load(conn)?)
    }

    /// Loads every course of a district's catalog.
    pub fn all_of_district(conn: &mut Conn, district_id: &str) -> Result<Vec<CourseRow>, ApiError> {
        Ok(courses::table
            .filter(courses::district_id.eq(district_id))
            .select(CourseRow::as_select())
            .load(conn)?)
    }

    /// Loads the district's courses with the given ids.
    pub fn find_by_ids(
        conn: &mut Conn,
        district_id: &str,
        ids: &[String],
    ) -> Result<Vec<CourseRow>, ApiError> {
        Ok(courses::table
            .filter(courses::district_id.eq(district_id))
            .filter(courses::id.eq_any(ids))
            .select(CourseRow::as_select())
            .load(conn)?)
    }

    /// Loads the district's active courses with the given SCED codes.
    pub fn find_by_sced_codes(
        conn: &mut Conn,
        district_id: &str,
        sced_codes: &[String],
    ) -> Result<Vec<CourseRow>, ApiError> {
        Ok(courses::table
            .filter(courses::district_id.eq(district_id))
            .filter(courses::sced_code.eq_any(sced_codes))
            .filter(courses::active.eq(true))
            .order(courses::course_code.asc())
            .select(CourseRow::as_select())
            .load(conn)?)
    }

    /// Writes `next` if the stored revision is still `next.revision - 1`; returns whether it did.
    pub fn replace(conn: &mut Conn, next: &CourseRow) -> Result<bool, ApiError> {
        let updated = diesel::update(
            courses::table
                .filter(courses::district_id.eq(&next.district_id))
                .filter(courses::id.eq(&next.id))
                .filter(courses::revision.eq(next.revision - 1)),
        )
        .set(next)
        .execute(conn)
        .map_err(unique_violation)?;
        if updated == 1 {
            q::changes::record(conn, vec![next.change("upsert")])?;
        }
        Ok(updated == 1)
    }

    /// Reports whether any plan uses the course.
    pub fn is_used(conn: &mut Conn, district_id: &str, course_id: &str) -> Result<bool, ApiError> {
        Ok(diesel::select(diesel::dsl::exists(
            plan_courses::table
                .filter(plan_courses::district_id.eq(district_id))
                .filter(plan_courses::course_id.eq(course_id)),
        ))
        .get_result(conn)?)
    }

    /// Deletes `row` if its revision is unchanged; returns whether it did.
    pub fn delete(conn: &mut Conn, row: &CourseRow) -> Result<bool, ApiError> {
        let deleted = diesel::delete(
            courses::table
                .filter(courses::district_id.eq(&row.district_id))
                .filter(courses::id.eq(&row.id))
                .filter(courses::revision.eq(row.revision)),
        )
        .execute(conn)?;
        if deleted == 1 {
            q::changes::record(conn, vec![row.change("delete")])?;
        }
        Ok(deleted == 1)
    }

    /// Lists courses in id order after `after_id`.
    pub fn list(
        conn: &mut Conn,
        filter: &CourseFilter,
        after_id: Option<&str>,
        limit: i64,
    ) -> Result<Vec<CourseRow>, ApiError> {
        let mut query = courses::table
            .select(CourseRow::as_select())
            .order(courses::id.asc())
            .limit(limit)
            .into_boxed();
        // With one district, PostgreSQL walks the primary key in id order; with `= ANY` it
        // sorts every row of the districts first.
        query = crate::store::in_districts!(courses::district_id, &filter.district_ids, |in_district| {
            query.filter(in_district)
        });
        if let Some(after_id) = after_id {
            query = query.filter(courses::id.gt(after_id));
        }
        if let Some(value) = &filter.course_code {
            query = query.filter(courses::course_code.eq(value));
        }
        if let Some(value) = &filter.sced_code {
            query = query.filter(courses::sced_code.eq(value));
        }
        if let Some(area) = &filter.subject_area {
            query = query.filter(courses::sced_code.like(format!("{area}%")));
        }
        if let Some(value) = filter.active {
            query = query.filter(courses::active.eq(value));
        }
        if let Some(value) = filter.updated_since {
            query = query.filter(courses::updated_at.ge(value));
        }
        Ok(query.load(conn)?)
    }

    /// Upserts one district's courses by course code in the current transaction. Items must
    /// have distinct course codes; each succeeds or fails on its own.
    pub fn upsert_batch(
        conn: &mut Conn,
        district_id: &str,
        items: Vec<(usize, CourseFields)>,
    ) -> Result<Vec<(usize, UpsertOutcome)>, ApiError> {
        use std::collections::HashMap;

        let codes: Vec<String> = items.iter().map(|(_, f)| f.course_code.clone()).collect();
        let existing: HashMap<String, CourseRow> = q::courses::find_by_codes(conn, district_id, &codes)?
            .into_iter()
            .map(|row| (row.course_code.clone(), row))
            .collect();

        let mut outcomes = Vec::with_capacity(items.len());
        let mut new_rows = Vec::new();
        for (index, fields) in items {
            match existing.get(&fields.course_code) {
                None => new_rows.push((index, CourseRow::new(district_id.to_owned(), fields))),
                Some(current) if current.fields() == fields => {
                    outcomes.push((index, UpsertOutcome::Unchanged(current.id.clone())));
                }
                Some(current) => {
                    let next = current.revised(fields);
                    let outcome = if q::courses::replace(conn, &next)? {
                        UpsertOutcome::Updated(next.id.clone())
                    } else {
                        UpsertOutcome::Failed(vec![FieldError::body(
                            "/courseCode",
                            "concurrent_change",
                            "another request changed this course at the same time; send the item again",
                        )])
                    };
                    outcomes.push((index, outcome));
                }
            }
        }

        for chunk in new_rows.chunks(500) {
            let rows: Vec<CourseRow> = chunk.iter().map(|(_, row)| row.clone()).collect();
            diesel::insert_into(courses::table)
                .values(&rows)
                .execute(conn)
                .map_err(unique_violation)?;
            q::changes::record(conn, rows.iter().map(|row| row.change("upsert")).collect())?;
            outcomes.extend(chunk.iter().map(|(index, row)| (*index, UpsertOutcome::Created(row.id.clone()))));
        }

        outcomes.sort_by_key(|(index, _)| *index);
        Ok(outcomes)
    }
}
