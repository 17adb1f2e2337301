//! Plans of study: one row per plan with the columns lists filter on, the plan itself as a
//! JSON document, and every revision kept.

use diesel::prelude::*;

use crate::error::{ApiError, ErrorCode};
use crate::store::changes::NewChange;
use crate::store::schema::{plan_courses, plan_revisions, plans};

pub const RESOURCE_TYPE: &str = "plan";

pub const STATUS_ACTIVE: &str = "active";

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = plans, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct PlanRow {
    pub district_id: String,
    pub id: String,
    pub student_id: String,
    pub school_id: Option<String>,
    pub graduation_year: i32,
    pub status: String,
    /// Staff id of the plan's counselor, copied from the participants for filtering.
    pub counselor: Option<String>,
    pub has_career_focus: bool,
    /// The plan body as JSON.
    pub document: String,
    pub revision: i32,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
}

impl PlanRow {
    /// Builds the change-feed event for this row.
    pub fn change(&self) -> NewChange {
        NewChange {
            district_id: self.district_id.clone(),
            resource_type: RESOURCE_TYPE,
            resource_id: self.id.clone(),
            natural_key: serde_json::json!({
                "districtId": self.district_id,
                "studentId": self.student_id,
                "planId": self.id,
            }),
            operation: "upsert",
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = plan_revisions, treat_none_as_default_value = false)]
pub struct RevisionRow {
    pub district_id: String,
    pub plan_id: String,
    pub revision: i32,
    pub document: String,
    /// Client id of the API client that made the revision.
    pub changed_by: String,
    /// JSON array of the top-level plan sections that changed.
    pub changed: String,
    pub changed_at: chrono::NaiveDateTime,
}

/// A revision being written: who made it, what changed, and the catalog courses it uses.
pub struct Revision<'a> {
    pub changed_by: &'a str,
    pub changed: &'a [String],
    pub course_ids: &'a [String],
}

/// Filters for listing plans; `None` means no filter.
#[derive(Debug, Clone, Default)]
pub struct PlanFilter {
    pub district_ids: Vec<String>,
    pub student_id: Option<String>,
    pub school_id: Option<String>,
    pub graduation_year: Option<i32>,
    pub status: Option<String>,
    pub counselor: Option<String>,
    pub updated_since: Option<chrono::NaiveDateTime>,
}

fn active_plan_conflict(error: diesel::result::Error) -> ApiError {
    use diesel::result::{DatabaseErrorKind, Error};
    match &error {
        Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => ApiError::new(
            ErrorCode::Conflict,
            "the student already has an active plan; revise it, or archive it before creating another",
        )
        .with_errors(vec![crate::error::FieldError::body(
            "/studentId",
            "duplicate",
            "a student has at most one active plan",
        )]),
        _ => ApiError::from(error),
    }
}

/// A new plan with what its first revision records.
pub struct NewPlan<'a> {
    pub row: PlanRow,
    pub revision: Revision<'a>,
}

fn revision_row(row: &PlanRow, revision: &Revision<'_>) -> Result<RevisionRow, ApiError> {
    Ok(RevisionRow {
        district_id: row.district_id.clone(),
        plan_id: row.id.clone(),
        revision: row.revision,
        document: row.document.clone(),
        changed_by: revision.changed_by.to_owned(),
        changed: serde_json::to_string(revision.changed).map_err(ApiError::internal)?,
        changed_at: row.updated_at,
    })
}

/// `(district_id, plan_id, course_id)` of each distinct catalog course a revision uses.
fn course_links(row: &PlanRow, revision: &Revision<'_>) -> Vec<(String, String, String)> {
    let mut course_ids = revision.course_ids.to_vec();
    course_ids.sort_unstable();
    course_ids.dedup();
    course_ids
        .into_iter()
        .map(|course_id| (row.district_id.clone(), row.id.clone(), course_id))
        .collect()
}

/// Course links written per statement, well under either backend's bound-parameter limit.
const LINKS_PER_STATEMENT: usize = 5_000;

crate::store::for_each_backend! {
    fn insert_course_links(conn: &mut Conn, links: &[(String, String, String)]) -> Result<(), ApiError> {
        for batch in links.chunks(LINKS_PER_STATEMENT) {
            let values: Vec<_> = batch
                .iter()
                .map(|(district_id, plan_id, course_id)| {
                    (
                        plan_courses::district_id.eq(district_id),
                        plan_courses::plan_id.eq(plan_id),
                        plan_courses::course_id.eq(course_id),
                    )
                })
                .collect();
            diesel::insert_into(plan_courses::table).values(values).execute(conn)?;
        }
        Ok(())
    }

    fn write_revision(conn: &mut Conn, row: &PlanRow, revision: &Revision<'_>) -> Result<(), ApiError> {
        diesel::insert_into(plan_revisions::table)
            .values(revision_row(row, revision)?)
            .execute(conn)?;
        diesel::delete(
            plan_courses::table
                .filter(plan_courses::district_id.eq(&row.district_id))
                .filter(plan_courses::plan_id.eq(&row.id)),
        )
        .execute(conn)?;
        insert_course_links(conn, &course_links(row, revision))?;
        q::changes::record(conn, vec![row.change()])
    }

    /// Inserts many new plans at revision 1 with multi-row statements: the plans, their first
    /// revisions, their course links and one change event each. A student who gained an
    /// active plan meanwhile makes the whole call fail with 409, so callers run it in a
    /// savepoint and fall back to [`create`] per plan.
    pub fn insert_many(conn: &mut Conn, plans: &[NewPlan<'_>]) -> Result<(), ApiError> {
        // Twelve plan columns and seven revision columns a row: callers keep batches to a
        // few hundred plans, far below SQLite's 32,766 bound parameters.
        if plans.is_empty() {
            return Ok(());
        }
        let rows: Vec<&PlanRow> = plans.iter().map(|plan| &plan.row).collect();
        diesel::insert_into(plans::table)
            .values(rows)
            .execute(conn)
            .map_err(active_plan_conflict)?;
        let revisions = plans
            .iter()
            .map(|plan| revision_row(&plan.row, &plan.revision))
            .collect::<Result<Vec<_>, _>>()?;
        diesel::insert_into(plan_revisions::table).values(revisions).execute(conn)?;
        let links: Vec<_> = plans
            .iter()
            .flat_map(|plan| course_links(&plan.row, &plan.revision))
            .collect();
        insert_course_links(conn, &links)?;
        q::changes::record(conn, plans.iter().map(|plan| plan.row.change()).collect())
    }

    /// Loads the active plans of the given students within the given districts.
    pub fn active_for_students(
        conn: &mut Conn,
        district_ids: &[String],
        student_ids: &[String],
    ) -> Result<Vec<PlanRow>, ApiError> {
        Ok(plans::table
            .filter(plans::district_id.eq_any(district_ids))
            .filter(plans::student_id.eq_any(student_ids))
            .filter(plans::status.eq(STATUS_ACTIVE))
            .select(PlanRow::as_select())
            .load(conn)?)
    }

    /// Inserts a plan at revision 1 with its first revision record.
    pub fn create(conn: &mut Conn, row: &PlanRow, revision: &Revision<'_>) -> Result<(), ApiError> {
        diesel::insert_into(plans::table)
            .values(row)
            .execute(conn)
            .map_err(active_plan_conflict)?;
        write_revision(conn, row, revision)
    }

    /// Finds a plan by id within the given districts.
    pub fn find(conn: &mut Conn, district_ids: &[String], id: &str) -> Result<Option<PlanRow>, ApiError> {
        Ok(crate::store::in_districts!(plans::district_id, district_ids, |in_district| plans::table
            .filter(in_district)
            .filter(plans::id.eq(id))
            .select(PlanRow::as_select())
            .first(conn)
            .optional())?)
    }

    /// Writes `next` if the stored revision is still `next.revision - 1`, with its revision
    /// record; returns whether it did.
    pub fn replace(conn: &mut Conn, next: &PlanRow, revision: &Revision<'_>) -> Result<bool, ApiError> {
        let updated = diesel::update(
            plans::table
                .filter(plans::district_id.eq(&next.district_id))
                .filter(plans::id.eq(&next.id))
                .filter(plans::revision.eq(next.revision - 1)),
        )
        .set(next)
        .execute(conn)
        .map_err(active_plan_conflict)?;
        if updated == 1 {
            write_revision(conn, next, revision)?;
        }
        Ok(updated == 1)
    }

    /// Lists plans in id order after `after_id`.
    pub fn list(
        conn: &mut Conn,
        filter: &PlanFilter,
        after_id: Option<&str>,
        limit: i64,
    ) -> Result<Vec<PlanRow>, ApiError> {
        let mut query = plans::table
            .select(PlanRow::as_select())
            .order(plans::id.asc())
            .limit(limit)
            .into_boxed();
        // With one district, PostgreSQL walks the primary key in id order; with `= ANY` it
        // sorts every row of the districts first.
        query = crate::store::in_districts!(plans::district_id, &filter.district_ids, |in_district| {
            query.filter(in_district)
        });
        if let Some(after_id) = after_id {
            query = query.filter(plans::id.gt(after_id));
        }
        if let Some(value) = &filter.student_id {
            query = query.filter(plans::student_id.eq(value));
        }
        if let Some(value) = &filter.school_id {
            query = query.filter(plans::school_id.eq(value));
        }
        if let Some(value) = filter.graduation_year {
            query = query.filter(plans::graduation_year.eq(value));
        }
        if let Some(value) = &filter.status {
            query = query.filter(plans::status.eq(value));
        }
        if let Some(value) = &filter.counselor {
            query = query.filter(plans::counselor.eq(value));
        }
        if let Some(value) = filter.updated_since {
            query = query.filter(plans::updated_at.ge(value));
        }
        Ok(query.load(conn)?)
    }

    /// Lists a plan's revisions, oldest first.
    pub fn revisions(conn: &mut Conn, district_id: &str, plan_id: &str) -> Result<Vec<RevisionRow>, ApiError> {
        Ok(plan_revisions::table
            .filter(plan_revisions::district_id.eq(district_id))
            .filter(plan_revisions::plan_id.eq(plan_id))
            .order(plan_revisions::revision.asc())
            .select(RevisionRow::as_select())
            .load(conn)?)
    }

    /// Finds one revision of a plan.
    pub fn revision(
        conn: &mut Conn,
        district_id: &str,
        plan_id: &str,
        revision: i32,
    ) -> Result<Option<RevisionRow>, ApiError> {
        Ok(plan_revisions::table
            .find((district_id, plan_id, revision))
            .select(RevisionRow::as_select())
            .first(conn)
            .optional()?)
    }
}
