//! `POST /v1/courses:bulk`: upsert catalog courses by course code from NDJSON, a JSON array
//! or CSV, the form district IT usually exports.

use actix_web::{HttpRequest, HttpResponse, post, web};

use super::CourseInput;
use crate::AppState;
use crate::api::bulk::{self, BulkResponse, CsvColumns, ItemKeys, NaturalKey};
use crate::api::responses;
use crate::auth::{Principal, Scope};
use crate::error::ApiError;

/// Items written per transaction.
const CHUNK_SIZE: usize = 500;

/// How CSV cells of a course row are typed; other columns are text.
const COURSE_CSV: CsvColumns = CsvColumns {
    numbers: &["credits"],
    booleans: &["repeatable", "active"],
    string_lists: &["attributes", "prerequisites"],
    integer_lists: &["gradeLevels"],
};

/// Upsert catalog courses in bulk
///
/// Each item is a course keyed by `districtId` and `courseCode`; a new code creates a course,
/// a known one replaces its fields, an identical item leaves it unchanged. CSV bodies have a
/// header row of CourseInput field names; list cells (`gradeLevels`, `attributes`,
/// `prerequisites`) separate values with `;`.
#[utoipa::path(
    tag = "courses",
    request_body(
        description = "One CourseInput per line (application/x-ndjson), an array of them (application/json), or CSV with a header row of field names (text/csv)",
        content(
            (Vec<CourseInput> = "application/json"),
            (CourseInput = "application/x-ndjson"),
            (String = "text/csv", example = "courseCode,scedCode,title,credits,gradeLevels,regentsFlag,attributes\nMATH-ALG1,02052,Algebra I,1,8;9;10,Q,\nSCI-CHEM,03101,Chemistry,1,10;11;12,Q,laboratory_science\n"),
        ),
    ),
    responses(
        (status = 200, description = "A result per item", body = BulkResponse),
        (status = 400, response = responses::BadRequest),
        (status = 401, response = responses::Unauthorized),
        (status = 403, response = responses::Forbidden),
        (status = 409, response = responses::Conflict),
        (status = 413, response = responses::PayloadTooLarge),
        (status = 415, response = responses::UnsupportedMediaType),
        (status = 422, response = responses::ValidationFailed),
        (status = 503, response = responses::ServiceUnavailable),
    ),
    security(("bearerAuth" = ["courses:write"]), ("oauth2" = ["courses:write"])),
)]
#[post("/v1/courses:bulk")]
pub async fn bulk_upsert_courses(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    principal.require(Scope::CoursesWrite)?;
    let items = bulk::read_items::<CourseInput>(
        &req,
        payload,
        state.limits.max_bulk_bytes,
        Some(&COURSE_CSV),
    )
    .await?;
    let prepared = bulk::prepare(
        items,
        &principal,
        &ItemKeys {
            district: &|input: &CourseInput| input.district_id.as_deref(),
            key: &|input: &CourseInput| input.course_code.clone(),
            natural_key: &|district, key| {
                NaturalKey::new([("districtId", district), ("courseCode", key)])
            },
            key_pointer: "/courseCode",
            fields: &CourseInput::fields,
        },
    );

    let response = prepared
        .write(CHUNK_SIZE, |district, chunk| {
            let store = state.store.clone();
            async move {
                crate::store::write!(store, |conn, q| q::courses::upsert_batch(
                    conn, &district, chunk
                ))
            }
        })
        .await?;
    Ok(HttpResponse::Ok().json(response))
}
