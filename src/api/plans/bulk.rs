//! `POST /v1/plans:bulk`: create or revise each student's active plan from NDJSON or a JSON
//! array, for loading plans kept in another system.

use std::collections::HashMap;

use actix_web::{HttpRequest, HttpResponse, post, web};

use super::PlanBody;
use crate::AppState;
use crate::api::bulk::{self, BulkResponse, ItemResult, NaturalKey};
use crate::api::responses;
use crate::auth::{Principal, Scope};
use crate::error::{ApiError, FieldError};
use crate::store::UpsertOutcome;

/// Plans written per transaction: enough to amortise the commit, few enough to keep each
/// multi-row statement within the backends' bound-parameter limits and each lock short.
const CHUNK_SIZE: usize = 250;

/// A valid item waiting for the store: its position, line and body.
type PendingPlan = (usize, Option<usize>, PlanBody);

fn natural_key(student_id: &str) -> NaturalKey {
    NaturalKey::new([("studentId", student_id)])
}

fn failed_outcome(error: ApiError) -> Result<UpsertOutcome, ApiError> {
    if error.errors().is_empty() {
        Err(error)
    } else {
        Ok(UpsertOutcome::Failed(error.errors().to_vec()))
    }
}

/// Upserts one chunk of plans in the current transaction; expands inside a store
/// transaction, where `$conn` and `$q` are bound. Returns the outcome of each item by index.
macro_rules! upsert_chunk {
    ($conn:ident, $q:ident, $districts:expr, $client_id:expr, $chunk:expr) => {{
        use std::collections::{HashMap, HashSet};
        use $crate::api::plans::check::{carry_ids, changed_sections, check};
        use $crate::store::plans::{NewPlan, Revision};

        let districts: &[String] = $districts;
        let chunk: Vec<(usize, PlanBody)> = $chunk;
        let student_ids: Vec<String> = chunk
            .iter()
            .filter_map(|(_, body)| body.student_id.clone())
            .collect();
        let students: HashMap<String, $crate::store::students::StudentRow> =
            $q::students::find_by_ids($conn, districts, &student_ids)?
                .into_iter()
                .map(|student| (student.id.clone(), student))
                .collect();
        let active: HashMap<String, $crate::store::plans::PlanRow> =
            $q::plans::active_for_students($conn, districts, &student_ids)?
                .into_iter()
                .map(|plan| (plan.student_id.clone(), plan))
                .collect();

        // The catalog courses and schools the chunk refers to, per district.
        let mut catalogs: HashMap<String, HashMap<String, $crate::store::courses::CourseRow>> =
            HashMap::new();
        let mut schools: HashMap<String, HashSet<String>> = HashMap::new();
        let mut by_district: HashMap<&str, (Vec<String>, Vec<String>)> = HashMap::new();
        for (_, body) in &chunk {
            if let Some(student) = body.student_id.as_ref().and_then(|id| students.get(id)) {
                let (courses, school_ids) = by_district.entry(&student.district_id).or_default();
                courses.extend($crate::api::plans::check::referenced_courses(body));
                school_ids.extend(body.school_id.clone());
            }
        }
        for (district_id, (mut course_ids, mut school_ids)) in by_district {
            course_ids.sort_unstable();
            course_ids.dedup();
            school_ids.sort_unstable();
            school_ids.dedup();
            let catalog = $q::courses::find_by_ids($conn, district_id, &course_ids)?
                .into_iter()
                .map(|course| (course.id.clone(), course))
                .collect();
            catalogs.insert(district_id.to_owned(), catalog);
            let known = $q::districts::existing_schools($conn, district_id, &school_ids)?;
            schools.insert(district_id.to_owned(), known.into_iter().collect());
        }

        let mut outcomes: Vec<(usize, UpsertOutcome)> = Vec::with_capacity(chunk.len());
        // New plans with the sections and courses their first revision records.
        let mut created: Vec<(
            usize,
            $crate::store::plans::PlanRow,
            Vec<String>,
            Vec<String>,
        )> = Vec::new();
        for (index, mut body) in chunk {
            let Some(student) = body.student_id.as_ref().and_then(|id| students.get(id)) else {
                outcomes.push((
                    index,
                    UpsertOutcome::Failed(vec![FieldError::body(
                        "/studentId",
                        "unknown",
                        "studentId does not name a student of this client's districts",
                    )]),
                ));
                continue;
            };
            let district_id = student.district_id.clone();
            let student_id = student.id.clone();
            let empty_catalog = HashMap::new();
            let catalog = catalogs.get(&district_id).unwrap_or(&empty_catalog);
            let school_exists = body.school_id.as_ref().is_none_or(|school| {
                schools
                    .get(&district_id)
                    .is_some_and(|known| known.contains(school))
            });
            let current = active.get(&student_id);
            let before = current.map($crate::api::plans::stored_body).transpose()?;
            if let Some(before) = &before {
                carry_ids(&mut body, before);
            }
            let mut checked = match check(body, catalog, school_exists) {
                Ok(checked) => checked,
                Err(error) => {
                    outcomes.push((index, failed_outcome(error)?));
                    continue;
                }
            };
            checked.body.student_id = Some(student_id.clone());
            match (current, before) {
                (Some(current), Some(before)) if checked.body == before => {
                    outcomes.push((index, UpsertOutcome::Unchanged(current.id.clone())));
                }
                (Some(current), before) => {
                    let changed = changed_sections(before.as_ref(), &checked.body);
                    let next = $crate::api::plans::handlers::next_row(current, &checked)?;
                    let revision = Revision {
                        changed_by: $client_id,
                        changed: &changed,
                        course_ids: &checked.course_ids,
                    };
                    let outcome = match ::diesel::Connection::transaction($conn, |conn| {
                        $q::plans::replace(conn, &next, &revision)
                    }) {
                        Ok(true) => UpsertOutcome::Updated(next.id.clone()),
                        Ok(false) => UpsertOutcome::Failed(concurrent_change()),
                        Err(error) => failed_outcome(error)?,
                    };
                    outcomes.push((index, outcome));
                }
                (None, _) => {
                    let changed = changed_sections(None, &checked.body);
                    let row = $crate::api::plans::handlers::new_row(
                        &district_id,
                        &student_id,
                        &checked,
                        $crate::store::now(),
                    )?;
                    created.push((index, row, changed, checked.course_ids));
                }
            }
        }

        let new_plans: Vec<NewPlan<'_>> = created
            .iter()
            .map(|(_, row, changed, course_ids)| NewPlan {
                row: row.clone(),
                revision: Revision {
                    changed_by: $client_id,
                    changed,
                    course_ids,
                },
            })
            .collect();
        match ::diesel::Connection::transaction($conn, |conn| {
            $q::plans::insert_many(conn, &new_plans)
        }) {
            Ok(()) => outcomes.extend(
                created
                    .iter()
                    .map(|(index, row, _, _)| (*index, UpsertOutcome::Created(row.id.clone()))),
            ),
            // A concurrent request gave one of these students an active plan: insert one by
            // one so that only that student's item fails.
            Err(error) if !error.errors().is_empty() => {
                for ((index, row, _, _), plan) in created.iter().zip(&new_plans) {
                    let outcome = match ::diesel::Connection::transaction($conn, |conn| {
                        $q::plans::create(conn, &plan.row, &plan.revision)
                    }) {
                        Ok(()) => UpsertOutcome::Created(row.id.clone()),
                        Err(error) => failed_outcome(error)?,
                    };
                    outcomes.push((*index, outcome));
                }
            }
            Err(error) => return Err(error),
        }
        Ok(outcomes)
    }};
}

fn concurrent_change() -> Vec<FieldError> {
    vec![FieldError::body(
        "/studentId",
        "concurrent_change",
        "another request changed this student's plan at the same time; send the item again",
    )]
}

/// Upsert plans in bulk
///
/// Each item is a plan body naming its student with `studentId`. A student without an active
/// plan gets a new one. A student's active plan is revised when the item differs from it and
/// left unchanged when it is the same. Items may omit the ids of course entries and other
/// plan items, because an item equal to a stored one keeps the stored id. Sending the same
/// batch again therefore changes nothing. Items are independent: a bad item is reported and the others are
/// written. The response lists a result per item in request order.
#[utoipa::path(
    tag = "plans",
    request_body(
        description = "One PlanBody per line (application/x-ndjson) or an array of them (application/json)",
        content(
            (Vec<PlanBody> = "application/json"),
            (PlanBody = "application/x-ndjson"),
        ),
    ),
    responses(
        (status = 200, description = "A result per item", body = BulkResponse),
        (status = 400, response = responses::BadRequest),
        (status = 401, response = responses::Unauthorized),
        (status = 403, response = responses::Forbidden),
        (status = 413, response = responses::PayloadTooLarge),
        (status = 415, response = responses::UnsupportedMediaType),
        (status = 422, response = responses::ValidationFailed),
        (status = 503, response = responses::ServiceUnavailable),
    ),
    security(("bearerAuth" = ["plans:write"]), ("oauth2" = ["plans:write"])),
)]
#[post("/v1/plans:bulk")]
pub async fn bulk_upsert_plans(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    principal.require(Scope::PlansWrite)?;
    let items =
        bulk::read_items::<PlanBody>(&req, payload, state.limits.max_bulk_bytes, None).await?;

    let mut results = Vec::new();
    let mut first_seen: HashMap<String, usize> = HashMap::new();
    let mut pending: Vec<PendingPlan> = Vec::new();
    for item in items {
        let body = match item.value {
            Ok(body) => body,
            Err(errors) => {
                results.push(ItemResult::failed(item.index, item.line, None, errors));
                continue;
            }
        };
        let Some(student_id) = body.student_id.clone() else {
            results.push(ItemResult::failed(
                item.index,
                item.line,
                None,
                vec![FieldError::body(
                    "/studentId",
                    "required",
                    "studentId is required: it names the student whose active plan the item is",
                )],
            ));
            continue;
        };
        if let Some(first) = first_seen.get(&student_id) {
            results.push(ItemResult::failed(
                item.index,
                item.line,
                Some(natural_key(&student_id)),
                vec![FieldError::body(
                    "/studentId",
                    "duplicate",
                    format!("this student's plan already appears at index {first} of the batch; send each plan once"),
                )],
            ));
            continue;
        }
        first_seen.insert(student_id, item.index);
        pending.push((item.index, item.line, body));
    }

    let districts = principal.districts().to_vec();
    while !pending.is_empty() {
        let chunk: Vec<PendingPlan> = pending.drain(..pending.len().min(CHUNK_SIZE)).collect();
        let mut lines: HashMap<usize, (Option<usize>, String)> = HashMap::new();
        let mut bodies: Vec<(usize, PlanBody)> = Vec::with_capacity(chunk.len());
        for (index, line, body) in chunk {
            lines.insert(index, (line, body.student_id.clone().unwrap_or_default()));
            bodies.push((index, body));
        }
        let (districts, client_id) = (districts.clone(), principal.client_id.clone());
        let outcomes = crate::store::write!(state.store, |conn, q| upsert_chunk!(
            conn, q, &districts, &client_id, bodies
        ))?;
        results.extend(outcomes.into_iter().map(|(index, outcome)| {
            let (line, student_id) = &lines[&index];
            ItemResult::from_outcome(index, *line, Some(natural_key(student_id)), outcome)
        }));
    }
    Ok(HttpResponse::Ok().json(BulkResponse::new(results)))
}
