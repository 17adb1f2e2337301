//! `POST /v1/students:bulk`: upsert students by natural key from NDJSON or a JSON array.

use std::collections::HashMap;

use actix_web::{HttpRequest, HttpResponse, post, web};

use super::StudentInput;
use crate::AppState;
use crate::api::bulk::{self, BulkResponse, ItemResult, ItemStatus};
use crate::api::responses;
use crate::auth::{Principal, Scope};
use crate::error::{ApiError, FieldError};
use crate::store::students::{StudentFields, UpsertOutcome};

/// Items written per transaction. Small enough to keep each statement under SQLite's
/// bound-parameter limit and each lock short, large enough to amortise the commit.
const CHUNK_SIZE: usize = 500;

fn natural_key(district_id: &str, student_unique_id: &str) -> serde_json::Value {
    serde_json::json!({"districtId": district_id, "studentUniqueId": student_unique_id})
}

fn failed(
    index: usize,
    line: Option<usize>,
    key: Option<serde_json::Value>,
    errors: Vec<FieldError>,
) -> ItemResult {
    ItemResult {
        index,
        line,
        status: ItemStatus::Failed,
        id: None,
        natural_key: key,
        errors,
    }
}

/// Upsert students in bulk
///
/// Each item is a student keyed by `districtId` and `studentUniqueId`: a new key creates a
/// student, a known key replaces its fields, an identical item leaves it unchanged. Items are
/// independent: a bad item is reported and the others are written, and sending the same batch
/// again changes nothing. The response lists a result per item in request order.
#[utoipa::path(
    tag = "students",
    request_body(
        description = "One StudentInput per line (application/x-ndjson) or an array of them (application/json)",
        content(
            (Vec<StudentInput> = "application/json"),
            (StudentInput = "application/x-ndjson"),
        ),
    ),
    responses(
        (status = 200, description = "A result per item", body = BulkResponse),
        (status = 400, response = responses::BadRequest),
        (status = 401, response = responses::Unauthorized),
        (status = 403, response = responses::Forbidden),
        (status = 413, response = responses::PayloadTooLarge),
        (status = 415, response = responses::UnsupportedMediaType),
        (status = 503, response = responses::ServiceUnavailable),
    )
)]
#[post("/v1/students:bulk")]
pub async fn bulk_upsert_students(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    principal.require(Scope::StudentsWrite)?;
    let items =
        bulk::read_items::<StudentInput>(&req, payload, state.limits.max_bulk_bytes).await?;

    let mut results = Vec::with_capacity(items.len());
    let mut by_district: HashMap<String, Vec<(usize, StudentFields)>> = HashMap::new();
    let mut lines = HashMap::new();
    let mut first_seen: HashMap<(String, String), usize> = HashMap::new();
    for item in items {
        lines.insert(item.index, item.line);
        let input = match item.value {
            Ok(input) => input,
            Err(errors) => {
                results.push(failed(item.index, item.line, None, errors));
                continue;
            }
        };
        let district_id =
            match principal.district_for_write(input.district_id.as_deref(), "/districtId") {
                Ok(id) => id,
                Err(error) => {
                    results.push(failed(item.index, item.line, None, error.errors().to_vec()));
                    continue;
                }
            };
        let key = (district_id.clone(), input.student_unique_id.clone());
        if let Some(first) = first_seen.get(&key) {
            results.push(failed(
                item.index,
                item.line,
                Some(natural_key(&key.0, &key.1)),
                vec![FieldError::body(
                    "/studentUniqueId",
                    "duplicate",
                    format!("this student already appears at index {first} of the batch; send each student once"),
                )],
            ));
            continue;
        }
        first_seen.insert(key, item.index);
        by_district
            .entry(district_id)
            .or_default()
            .push((item.index, input.fields()));
    }

    for (district_id, items) in by_district {
        let keys: HashMap<usize, String> = items
            .iter()
            .map(|(index, fields)| (*index, fields.student_unique_id.clone()))
            .collect();
        let mut items = items.into_iter().peekable();
        while items.peek().is_some() {
            let chunk: Vec<_> = items.by_ref().take(CHUNK_SIZE).collect();
            let district = district_id.clone();
            let outcomes = crate::store::write!(state.store, |conn, q| q::students::upsert_batch(
                conn, &district, chunk
            ))?;
            for (index, outcome) in outcomes {
                let key = Some(natural_key(&district_id, &keys[&index]));
                let line = lines.get(&index).copied().flatten();
                let (status, id, errors) = match outcome {
                    UpsertOutcome::Created(id) => (ItemStatus::Created, Some(id), Vec::new()),
                    UpsertOutcome::Updated(id) => (ItemStatus::Updated, Some(id), Vec::new()),
                    UpsertOutcome::Unchanged(id) => (ItemStatus::Unchanged, Some(id), Vec::new()),
                    UpsertOutcome::Failed(errors) => (ItemStatus::Failed, None, errors),
                };
                results.push(ItemResult {
                    index,
                    line,
                    status,
                    id,
                    natural_key: key,
                    errors,
                });
            }
        }
    }

    Ok(HttpResponse::Ok().json(BulkResponse::new(results)))
}
