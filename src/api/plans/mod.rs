//! `/v1/plans`: Individual Plans of Study, with every revision kept.

mod bulk;
pub(crate) mod check;
mod handlers;
mod model;
mod portfolio;
mod revisions;
mod sync;

pub use bulk::*;
pub use handlers::*;
pub use model::*;
pub use portfolio::*;
pub use revisions::*;
pub use sync::*;

use crate::error::ApiError;
use crate::store::plans::PlanRow;

/// Decodes the stored body of a plan row.
fn stored_body(row: &PlanRow) -> Result<PlanBody, ApiError> {
    serde_json::from_str(&row.document).map_err(ApiError::internal)
}

/// Builds the API representation of a plan row.
fn plan_of(row: &PlanRow) -> Result<Plan, ApiError> {
    Ok(Plan {
        id: row.id.clone(),
        district_id: row.district_id.clone(),
        body: stored_body(row)?,
        revision: row.revision,
        created_at: row.created_at.and_utc(),
        updated_at: row.updated_at.and_utc(),
    })
}

/// Builds a 200 response with a plan and its ETag. The stored document is the serialized
/// plan body, so it is spliced into the response as it is rather than decoded and encoded
/// again; the result is the same JSON that [`plan_of`] would produce.
fn respond(row: &PlanRow) -> Result<actix_web::HttpResponse, ApiError> {
    let body_members = row
        .document
        .trim()
        .strip_prefix('{')
        .and_then(|d| d.strip_suffix('}'))
        .ok_or_else(|| {
            ApiError::internal(anyhow::anyhow!("plan {} has a malformed document", row.id))
        })?;
    let head = serde_json::json!({"id": row.id, "districtId": row.district_id}).to_string();
    let tail = serde_json::json!({
        "revision": row.revision,
        "createdAt": row.created_at.and_utc(),
        "updatedAt": row.updated_at.and_utc(),
    })
    .to_string();
    let separator = if body_members.trim().is_empty() {
        ""
    } else {
        ","
    };
    let json = format!(
        "{}{separator}{body_members},{}",
        &head[..head.len() - 1],
        &tail[1..]
    );
    Ok(actix_web::HttpResponse::Ok()
        .insert_header((
            actix_web::http::header::ETAG,
            crate::api::preconditions::etag(row.revision),
        ))
        .content_type("application/json")
        .body(json))
}

/// Loads the catalog courses and school a plan body refers to and checks the body; expands
/// inside a store transaction, where `$conn` and `$q` are bound.
macro_rules! check_body {
    ($conn:ident, $q:ident, $district:expr, $body:expr) => {{
        let body: $crate::api::plans::PlanBody = $body;
        let ids = $crate::api::plans::check::referenced_courses(&body);
        let catalog: std::collections::HashMap<String, $crate::store::courses::CourseRow> =
            $q::courses::find_by_ids($conn, $district, &ids)?
                .into_iter()
                .map(|course| (course.id.clone(), course))
                .collect();
        let school_exists = match &body.school_id {
            Some(school_id) => $q::districts::find_school($conn, $district, school_id)?.is_some(),
            None => true,
        };
        $crate::api::plans::check::check(body, &catalog, school_exists)?
    }};
}
pub(crate) use check_body;

/// Creates a plan for a student of `$districts` from `$body`, at revision 1 with the creation
/// time `$now`, and returns its row. Expands inside a store transaction. A student who already
/// has an active plan gets 409.
macro_rules! insert_plan {
    ($conn:ident, $q:ident, $districts:expr, $student_id:expr, $client_id:expr, $body:expr, $now:expr) => {{
        let student = $q::students::find($conn, $districts, $student_id)?.ok_or_else(|| {
            $crate::error::ApiError::invalid_field(
                "/studentId",
                "unknown",
                "studentId does not name a student of this client's districts",
            )
        })?;
        let active = $crate::store::plans::PlanFilter {
            district_ids: vec![student.district_id.clone()],
            student_id: Some(student.id.clone()),
            status: Some($crate::store::plans::STATUS_ACTIVE.to_owned()),
            ..$crate::store::plans::PlanFilter::default()
        };
        if let Some(existing) = $q::plans::list($conn, &active, None, 1)?.first() {
            return Err($crate::error::ApiError::new(
                $crate::error::ErrorCode::Conflict,
                format!(
                    "the student already has the active plan {}; revise it, or archive it before creating another",
                    existing.id
                ),
            )
            .with_errors(vec![$crate::error::FieldError::body(
                "/studentId",
                "duplicate",
                "a student has at most one active plan",
            )])
            .with_header(actix_web::http::header::LOCATION, &format!("/v1/plans/{}", existing.id)));
        }
        let checked = $crate::api::plans::check_body!($conn, $q, &student.district_id, $body);
        let row = $crate::api::plans::new_row(&student.district_id, &student.id, &checked, $now)?;
        let changed = $crate::api::plans::check::changed_sections(None, &checked.body);
        let revision = $crate::store::plans::Revision {
            changed_by: $client_id,
            changed: &changed,
            course_ids: &checked.course_ids,
        };
        $q::plans::create($conn, &row, &revision)?;
        row
    }};
}
pub(crate) use insert_plan;

/// Applies `$edit` (a function from the current row and body to the new body) to a plan
/// and stores the result as a new revision; expands inside a store transaction.
macro_rules! revise_plan {
    ($conn:ident, $q:ident, $districts:expr, $id:expr, $if_match:expr, $client_id:expr, $edit:expr) => {{
        let current = $q::plans::find($conn, $districts, $id)?
            .ok_or_else(|| $crate::error::ApiError::not_found("plan"))?;
        if let Some(if_match) = $if_match {
            $crate::api::preconditions::IfMatch::check(if_match, current.revision)?;
        }
        let before = $crate::api::plans::stored_body(&current)?;
        let edited: $crate::api::plans::PlanBody = ($edit)(&current, before.clone())?;
        if edited
            .student_id
            .as_deref()
            .is_some_and(|s| s != current.student_id)
        {
            return Err($crate::error::ApiError::invalid_field(
                "/studentId",
                "immutable",
                "a plan cannot move to another student; create a plan for that student",
            ));
        }
        let mut checked = $crate::api::plans::check_body!($conn, $q, &current.district_id, edited);
        checked.body.student_id = Some(current.student_id.clone());
        if checked.body == before {
            current
        } else {
            let changed = $crate::api::plans::check::changed_sections(Some(&before), &checked.body);
            let next = $crate::api::plans::handlers::next_row(&current, &checked)?;
            let revision = $crate::store::plans::Revision {
                changed_by: $client_id,
                changed: &changed,
                course_ids: &checked.course_ids,
            };
            if !$q::plans::replace($conn, &next, &revision)? {
                let latest = $q::plans::find($conn, $districts, $id)?;
                return Err($crate::api::preconditions::lost_race(
                    latest.map(|row| row.revision),
                    "plan",
                ));
            }
            next
        }
    }};
}
use revise_plan;
