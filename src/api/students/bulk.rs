//! `POST /v1/students:bulk`: upsert students by natural key from NDJSON or a JSON array.

use actix_web::{HttpRequest, HttpResponse, post, web};

use super::StudentInput;
use crate::AppState;
use crate::api::bulk::{self, BulkResponse, ItemKeys, NaturalKey};
use crate::api::responses;
use crate::auth::{Principal, Scope};
use crate::error::ApiError;

/// Items written per transaction. Small enough to keep each statement under SQLite's
/// bound-parameter limit and each lock short, large enough to amortise the commit.
const CHUNK_SIZE: usize = 500;

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
        (status = 422, response = responses::ValidationFailed),
        (status = 503, response = responses::ServiceUnavailable),
    ),
    security(("bearerAuth" = ["students:write"]), ("oauth2" = ["students:write"])),
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
        bulk::read_items::<StudentInput>(&req, payload, state.limits.max_bulk_bytes, None).await?;
    let prepared = bulk::prepare(
        items,
        &principal,
        &ItemKeys {
            district: &|input: &StudentInput| input.district_id.as_deref(),
            key: &|input: &StudentInput| input.student_unique_id.clone(),
            natural_key: &|district, key| {
                NaturalKey::new([("districtId", district), ("studentUniqueId", key)])
            },
            key_pointer: "/studentUniqueId",
            fields: &StudentInput::fields,
        },
    );

    let response = prepared
        .write(CHUNK_SIZE, |district, chunk| {
            let store = state.store.clone();
            async move {
                crate::store::write!(store, |conn, q| q::students::upsert_batch(
                    conn, &district, chunk
                ))
            }
        })
        .await?;
    Ok(HttpResponse::Ok().json(response))
}
