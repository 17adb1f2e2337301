//! Students: district-scoped, keyed by `(district_id, id)` with the KIDS id as natural key.

use diesel::prelude::*;

use crate::error::{ApiError, ErrorCode};
use crate::store::UpsertOutcome;
use crate::store::changes::NewChange;
use crate::store::schema::students;

pub const RESOURCE_TYPE: &str = "student";

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = students, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct StudentRow {
    pub district_id: String,
    pub id: String,
    pub student_unique_id: String,
    pub sis_id: Option<String>,
    pub sourced_id: Option<String>,
    pub school_id: Option<String>,
    pub grade_level: Option<i32>,
    pub graduation_year: i32,
    pub status: String,
    pub first_name: Option<String>,
    pub middle_name: Option<String>,
    pub last_name: Option<String>,
    pub revision: i32,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
}

/// The writable part of a student, already validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StudentFields {
    pub student_unique_id: String,
    pub sis_id: Option<String>,
    pub sourced_id: Option<String>,
    pub school_id: Option<String>,
    pub grade_level: Option<i32>,
    pub graduation_year: i32,
    pub status: String,
    pub first_name: Option<String>,
    pub middle_name: Option<String>,
    pub last_name: Option<String>,
}

impl StudentRow {
    /// Creates a new row at revision 1.
    pub fn new(district_id: String, fields: StudentFields) -> StudentRow {
        let now = crate::store::now();
        StudentRow {
            district_id,
            id: crate::store::new_id(),
            student_unique_id: fields.student_unique_id,
            sis_id: fields.sis_id,
            sourced_id: fields.sourced_id,
            school_id: fields.school_id,
            grade_level: fields.grade_level,
            graduation_year: fields.graduation_year,
            status: fields.status,
            first_name: fields.first_name,
            middle_name: fields.middle_name,
            last_name: fields.last_name,
            revision: 1,
            created_at: now,
            updated_at: now,
        }
    }

    /// Returns the writable fields of this row.
    pub fn fields(&self) -> StudentFields {
        StudentFields {
            student_unique_id: self.student_unique_id.clone(),
            sis_id: self.sis_id.clone(),
            sourced_id: self.sourced_id.clone(),
            school_id: self.school_id.clone(),
            grade_level: self.grade_level,
            graduation_year: self.graduation_year,
            status: self.status.clone(),
            first_name: self.first_name.clone(),
            middle_name: self.middle_name.clone(),
            last_name: self.last_name.clone(),
        }
    }

    /// This row with `fields` applied, the next revision and a new `updated_at`.
    pub fn revised(&self, fields: StudentFields) -> StudentRow {
        let mut next = StudentRow::new(self.district_id.clone(), fields);
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
                "studentUniqueId": self.student_unique_id,
            }),
            operation,
        }
    }
}

/// Filters for listing students; `None` means no filter.
#[derive(Debug, Clone, Default)]
pub struct StudentFilter {
    pub district_ids: Vec<String>,
    pub school_id: Option<String>,
    pub grade_level: Option<i32>,
    pub graduation_year: Option<i32>,
    pub status: Option<String>,
    pub student_unique_id: Option<String>,
    pub sis_id: Option<String>,
    pub sourced_id: Option<String>,
    pub updated_since: Option<chrono::NaiveDateTime>,
}

/// Maps a unique-constraint violation on `students` to 409 naming the field that collides.
pub fn unique_violation(error: diesel::result::Error) -> ApiError {
    use diesel::result::{DatabaseErrorKind, Error};
    let Error::DatabaseError(kind, info) = &error else {
        return ApiError::from(error);
    };
    let text = format!(
        "{} {}",
        info.message(),
        info.constraint_name().unwrap_or_default()
    );
    let (field, what) = if text.contains("sis_id") {
        ("/sisId", "sisId")
    } else if text.contains("sourced_id") {
        ("/sourcedId", "sourcedId")
    } else {
        ("/studentUniqueId", "studentUniqueId")
    };
    match kind {
        DatabaseErrorKind::UniqueViolation => ApiError::new(
            ErrorCode::Conflict,
            format!("another student in this district already has this {what}"),
        )
        .with_errors(vec![crate::error::FieldError::body(
            field,
            "duplicate",
            format!("{what} must be unique within the district"),
        )]),
        DatabaseErrorKind::ForeignKeyViolation => ApiError::invalid_field(
            "/schoolId",
            "unknown",
            "schoolId does not name a school of this district",
        ),
        _ => ApiError::from(error),
    }
}

/// Maps the foreign-key violation of deleting a student who has plans to 409.
fn plan_reference(error: diesel::result::Error) -> ApiError {
    use diesel::result::{DatabaseErrorKind, Error};
    match &error {
        Error::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, _) => ApiError::new(
            ErrorCode::Conflict,
            "the student has plans and cannot be deleted; set the student's status to inactive instead",
        ),
        _ => ApiError::from(error),
    }
}

/// `(student_unique_id, sis_id, sourced_id)` of a student that has one of the looked-up external ids.
pub type ExternalIdHolder = (String, Option<String>, Option<String>);

fn concurrent_change() -> Vec<crate::error::FieldError> {
    vec![crate::error::FieldError::body(
        "/studentUniqueId",
        "concurrent_change",
        "another request changed this student at the same time; send the item again",
    )]
}

crate::store::for_each_backend! {
    /// Inserts a student and records the change.
    pub fn create(conn: &mut Conn, row: &StudentRow) -> Result<(), ApiError> {
        diesel::insert_into(students::table)
            .values(row)
            .execute(conn)
            .map_err(unique_violation)?;
        q::changes::record(conn, vec![row.change("upsert")])
    }

    /// Finds a student by id within the given districts.
    pub fn find(
        conn: &mut Conn,
        district_ids: &[String],
        id: &str,
    ) -> Result<Option<StudentRow>, ApiError> {
        Ok(crate::store::in_districts!(students::district_id, district_ids, |in_district| students::table
            .filter(in_district)
            .filter(students::id.eq(id))
            .select(StudentRow::as_select())
            .first(conn)
            .optional())?)
    }

    /// Finds students by id within the given districts.
    pub fn find_by_ids(
        conn: &mut Conn,
        district_ids: &[String],
        ids: &[String],
    ) -> Result<Vec<StudentRow>, ApiError> {
        Ok(students::table
            .filter(students::district_id.eq_any(district_ids))
            .filter(students::id.eq_any(ids))
            .select(StudentRow::as_select())
            .load(conn)?)
    }

    /// Writes `next` if the stored revision is still `next.revision - 1`; returns whether it
    /// did. The compare-and-set makes a concurrent writer lose cleanly instead of silently.
    pub fn replace(conn: &mut Conn, next: &StudentRow) -> Result<bool, ApiError> {
        let updated = diesel::update(
            students::table
                .filter(students::district_id.eq(&next.district_id))
                .filter(students::id.eq(&next.id))
                .filter(students::revision.eq(next.revision - 1)),
        )
        .set(next)
        .execute(conn)
        .map_err(unique_violation)?;
        if updated == 1 {
            q::changes::record(conn, vec![next.change("upsert")])?;
        }
        Ok(updated == 1)
    }

    /// Deletes `row` if its revision is unchanged; returns whether it did.
    pub fn delete(conn: &mut Conn, row: &StudentRow) -> Result<bool, ApiError> {
        let deleted = diesel::delete(
            students::table
                .filter(students::district_id.eq(&row.district_id))
                .filter(students::id.eq(&row.id))
                .filter(students::revision.eq(row.revision)),
        )
        .execute(conn)
        .map_err(plan_reference)?;
        if deleted == 1 {
            q::changes::record(conn, vec![row.change("delete")])?;
        }
        Ok(deleted == 1)
    }

    /// Lists students in id order after `after_id`.
    pub fn list(
        conn: &mut Conn,
        filter: &StudentFilter,
        after_id: Option<&str>,
        limit: i64,
    ) -> Result<Vec<StudentRow>, ApiError> {
        let mut query = students::table
            .select(StudentRow::as_select())
            .order(students::id.asc())
            .limit(limit)
            .into_boxed();
        // With one district, PostgreSQL walks the primary key in id order; with `= ANY` it
        // sorts every row of the districts first.
        query = crate::store::in_districts!(students::district_id, &filter.district_ids, |in_district| {
            query.filter(in_district)
        });
        if let Some(after_id) = after_id {
            query = query.filter(students::id.gt(after_id));
        }
        if let Some(value) = &filter.school_id {
            query = query.filter(students::school_id.eq(value));
        }
        if let Some(value) = filter.grade_level {
            query = query.filter(students::grade_level.eq(value));
        }
        if let Some(value) = filter.graduation_year {
            query = query.filter(students::graduation_year.eq(value));
        }
        if let Some(value) = &filter.status {
            query = query.filter(students::status.eq(value));
        }
        if let Some(value) = &filter.student_unique_id {
            query = query.filter(students::student_unique_id.eq(value));
        }
        if let Some(value) = &filter.sis_id {
            query = query.filter(students::sis_id.eq(value));
        }
        if let Some(value) = &filter.sourced_id {
            query = query.filter(students::sourced_id.eq(value));
        }
        if let Some(value) = filter.updated_since {
            query = query.filter(students::updated_at.ge(value));
        }
        Ok(query.load(conn)?)
    }

    /// Loads the students of one district whose KIDS ids are in `unique_ids`.
    pub fn find_by_unique_ids(
        conn: &mut Conn,
        district_id: &str,
        unique_ids: &[String],
    ) -> Result<Vec<StudentRow>, ApiError> {
        Ok(students::table
            .filter(students::district_id.eq(district_id))
            .filter(students::student_unique_id.eq_any(unique_ids))
            .select(StudentRow::as_select())
            .load(conn)?)
    }

    /// Returns `(student_unique_id, sis_id, sourced_id)` of the district's students that hold
    /// any of the given external ids. One query per kind of id, so that each uses its index.
    pub fn holders_of_external_ids(
        conn: &mut Conn,
        district_id: &str,
        sis_ids: &[String],
        sourced_ids: &[String],
    ) -> Result<Vec<ExternalIdHolder>, ApiError> {
        let mut holders = Vec::new();
        if !sis_ids.is_empty() {
            holders.extend(
                students::table
                    .filter(students::district_id.eq(district_id))
                    .filter(students::sis_id.is_not_null())
                    .filter(students::sis_id.eq_any(sis_ids))
                    .select((students::student_unique_id, students::sis_id, students::sourced_id))
                    .load::<ExternalIdHolder>(conn)?,
            );
        }
        if !sourced_ids.is_empty() {
            holders.extend(
                students::table
                    .filter(students::district_id.eq(district_id))
                    .filter(students::sourced_id.is_not_null())
                    .filter(students::sourced_id.eq_any(sourced_ids))
                    .select((students::student_unique_id, students::sis_id, students::sourced_id))
                    .load::<ExternalIdHolder>(conn)?,
            );
        }
        Ok(holders)
    }

    /// Inserts many new students in one statement and records their changes. Rows whose
    /// natural key was taken by a concurrent writer are skipped. Returns the KIDS ids that were
    /// inserted.
    pub fn insert_many(conn: &mut Conn, rows: &[StudentRow]) -> Result<Vec<String>, ApiError> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let inserted: Vec<String> = diesel::insert_into(students::table)
            .values(rows)
            .on_conflict((students::district_id, students::student_unique_id))
            .do_nothing()
            .returning(students::student_unique_id)
            .get_results(conn)
            .map_err(unique_violation)?;
        let inserted_set: std::collections::HashSet<&str> =
            inserted.iter().map(String::as_str).collect();
        let changes = rows
            .iter()
            .filter(|row| inserted_set.contains(row.student_unique_id.as_str()))
            .map(|row| row.change("upsert"))
            .collect();
        q::changes::record(conn, changes)?;
        Ok(inserted)
    }

    /// Upserts one district's students by natural key in the current transaction.
    ///
    /// Items must have distinct KIDS ids. Each item succeeds or fails on its own: a failing
    /// item (unknown school, an external id held by another student, a concurrent change)
    /// is reported and the others are still written.
    pub fn upsert_batch(
        conn: &mut Conn,
        district_id: &str,
        items: Vec<(usize, StudentFields)>,
    ) -> Result<Vec<(usize, UpsertOutcome)>, ApiError> {
        use std::collections::{HashMap, HashSet};
        use crate::error::FieldError;

        let unique_ids: Vec<String> = items.iter().map(|(_, f)| f.student_unique_id.clone()).collect();
        let existing: HashMap<String, StudentRow> = q::students::find_by_unique_ids(conn, district_id, &unique_ids)?
            .into_iter()
            .map(|row| (row.student_unique_id.clone(), row))
            .collect();

        let sis_ids: Vec<String> = items.iter().filter_map(|(_, f)| f.sis_id.clone()).collect();
        let sourced_ids: Vec<String> = items.iter().filter_map(|(_, f)| f.sourced_id.clone()).collect();
        let mut sis_owner = HashMap::new();
        let mut sourced_owner = HashMap::new();
        for (owner, sis_id, sourced_id) in q::students::holders_of_external_ids(conn, district_id, &sis_ids, &sourced_ids)? {
            if let Some(sis_id) = sis_id {
                sis_owner.insert(sis_id, owner.clone());
            }
            if let Some(sourced_id) = sourced_id {
                sourced_owner.insert(sourced_id, owner);
            }
        }

        let mut school_ids: Vec<String> = items.iter().filter_map(|(_, f)| f.school_id.clone()).collect();
        school_ids.sort_unstable();
        school_ids.dedup();
        let known_schools: HashSet<String> = q::districts::existing_schools(conn, district_id, &school_ids)?
            .into_iter()
            .collect();

        let mut outcomes = Vec::with_capacity(items.len());
        let mut new_rows = Vec::new();
        for (index, fields) in items {
            let mut errors = Vec::new();
            if let Some(school_id) = fields.school_id.as_ref().filter(|s| !known_schools.contains(*s)) {
                errors.push(FieldError::body("/schoolId", "unknown", format!("school {school_id} does not exist in district {district_id}")));
            }
            let held_by_other = |owners: &HashMap<String, String>, id: &Option<String>| {
                id.as_ref().and_then(|id| owners.get(id)).is_some_and(|owner| *owner != fields.student_unique_id)
            };
            if held_by_other(&sis_owner, &fields.sis_id) {
                errors.push(FieldError::body("/sisId", "duplicate", "sisId already belongs to another student of this district"));
            }
            if held_by_other(&sourced_owner, &fields.sourced_id) {
                errors.push(FieldError::body("/sourcedId", "duplicate", "sourcedId already belongs to another student of this district"));
            }
            if !errors.is_empty() {
                outcomes.push((index, UpsertOutcome::Failed(errors)));
                continue;
            }

            match existing.get(&fields.student_unique_id) {
                None => new_rows.push((index, StudentRow::new(district_id.to_owned(), fields))),
                Some(current) if current.fields() == fields => {
                    outcomes.push((index, UpsertOutcome::Unchanged(current.id.clone())));
                }
                Some(current) => {
                    let next = current.revised(fields);
                    let outcome = match ::diesel::Connection::transaction(conn, |conn| q::students::replace(conn, &next)) {
                        Ok(true) => UpsertOutcome::Updated(next.id.clone()),
                        Ok(false) => UpsertOutcome::Failed(concurrent_change()),
                        Err(error) if !error.errors().is_empty() => UpsertOutcome::Failed(error.errors().to_vec()),
                        Err(error) => return Err(error),
                    };
                    outcomes.push((index, outcome));
                }
            }
        }

        let rows: Vec<StudentRow> = new_rows.iter().map(|(_, row)| row.clone()).collect();
        let inserted: HashSet<String> = match ::diesel::Connection::transaction(conn, |conn| q::students::insert_many(conn, &rows)) {
            Ok(inserted) => inserted.into_iter().collect(),
            Err(error) if !error.errors().is_empty() => {
                // A concurrent writer took an external id after the checks above: insert one
                // by one so that only the colliding items fail.
                let mut inserted = HashSet::new();
                for (index, row) in &new_rows {
                    match ::diesel::Connection::transaction(conn, |conn| q::students::create(conn, row)) {
                        Ok(()) => {
                            inserted.insert(row.student_unique_id.clone());
                        }
                        Err(error) if !error.errors().is_empty() => {
                            outcomes.push((*index, UpsertOutcome::Failed(error.errors().to_vec())));
                        }
                        Err(error) => return Err(error),
                    }
                }
                inserted
            }
            Err(error) => return Err(error),
        };
        for (index, row) in new_rows {
            if inserted.contains(&row.student_unique_id) {
                outcomes.push((index, UpsertOutcome::Created(row.id)));
            } else if !outcomes.iter().any(|(i, _)| *i == index) {
                outcomes.push((index, UpsertOutcome::Failed(concurrent_change())));
            }
        }

        outcomes.sort_by_key(|(index, _)| *index);
        Ok(outcomes)
    }
}
