//! `POST /v1/survey-responses:bulk`: survey responses administered elsewhere, keyed by
//! student KIDS id, instrument and date.

use std::collections::HashMap;

use actix_web::{HttpRequest, HttpResponse, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use super::responses::resolve_instrument;
use super::{response_row, score};
use crate::AppState;
use crate::api::bulk::{self, BulkResponse, ItemKeys, NaturalKey};
use crate::api::responses;
use crate::auth::{Principal, Scope};
use crate::domain::identifiers::is_kids_id;
use crate::domain::survey::Instrument;
use crate::error::{ApiError, FieldError};
use crate::store::UpsertOutcome;
use crate::store::surveys::ResponseRow;

/// Responses written per transaction.
const CHUNK_SIZE: usize = 500;

/// One survey response of a bulk request.
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(example = json!({
    "districtId": "D0259",
    "studentUniqueId": "1234567890",
    "instrumentId": "onet-ip-sf",
    "administeredOn": "2026-10-05",
    "gradeLevel": 9,
    "answers": "534215432154321543215432154321543215432154321543215432154321"
}))]
pub struct BulkSurveyResponse {
    #[schema(pattern = "^D[0-9]{4}$")]
    pub district_id: Option<String>,
    /// The student's KIDS id.
    #[validate(length(
        equal = 10,
        message = "studentUniqueId must be the 10-digit Kansas KIDS identifier"
    ))]
    #[schema(pattern = "^[0-9]{10}$")]
    pub student_unique_id: String,
    #[validate(length(min = 1, max = 64, message = "instrumentId must be 1 to 64 characters"))]
    #[schema(min_length = 1, max_length = 64)]
    pub instrument_id: String,
    pub instrument_version: Option<String>,
    pub administered_on: chrono::NaiveDate,
    #[validate(range(min = 6, max = 12, message = "gradeLevel must be between 6 and 12"))]
    #[schema(minimum = 6, maximum = 12)]
    pub grade_level: i32,
    #[schema(value_type = crate::domain::survey::AnswerInput)]
    pub answers: serde_json::Value,
}

fn key_of(item: &BulkSurveyResponse) -> String {
    format!(
        "{}|{}|{}",
        item.student_unique_id, item.instrument_id, item.administered_on
    )
}

/// Submit survey responses in bulk
///
/// For vendors that administer the survey elsewhere. Each item is scored and stored; an item
/// whose student, instrument and date are already stored is reported `unchanged`, so a batch
/// can be sent again safely.
#[utoipa::path(
    tag = "surveys",
    request_body(
        description = "One BulkSurveyResponse per line (application/x-ndjson) or an array of them (application/json)",
        content(
            (Vec<BulkSurveyResponse> = "application/json"),
            (BulkSurveyResponse = "application/x-ndjson"),
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
    security(("bearerAuth" = ["surveys:write"]), ("oauth2" = ["surveys:write"])),
)]
#[post("/v1/survey-responses:bulk")]
pub async fn bulk_create_survey_responses(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    principal.require(Scope::SurveysWrite)?;
    let items =
        bulk::read_items::<BulkSurveyResponse>(&req, payload, state.limits.max_bulk_bytes, None)
            .await?;
    let prepared = bulk::prepare(
        items,
        &principal,
        &ItemKeys {
            district: &|item: &BulkSurveyResponse| item.district_id.as_deref(),
            key: &key_of,
            natural_key: &|district, key| {
                let mut parts = key.splitn(3, '|');
                let mut part = || parts.next().unwrap_or_default();
                NaturalKey::new([
                    ("districtId", district),
                    ("studentUniqueId", part()),
                    ("instrumentId", part()),
                    ("administeredOn", part()),
                ])
            },
            key_pointer: "/administeredOn",
            fields: &|item: &BulkSurveyResponse| item.clone(),
        },
    );

    let today = chrono::Utc::now().date_naive();
    let response = prepared
        .write(CHUNK_SIZE, |district, chunk| {
            let store = state.store.clone();
            async move {
                crate::store::write!(store, |conn, q| {
                    let kids: Vec<String> = chunk
                        .iter()
                        .map(|(_, i)| i.student_unique_id.clone())
                        .collect();
                    let students: HashMap<String, String> =
                        q::students::find_by_unique_ids(conn, &district, &kids)?
                            .into_iter()
                            .map(|s| (s.student_unique_id, s.id))
                            .collect();
                    let student_ids: Vec<String> = students.values().cloned().collect();
                    let existing: HashMap<(String, String, chrono::NaiveDate), String> =
                        q::surveys::responses_of_students(conn, &district, &student_ids)?
                            .into_iter()
                            .map(|r| ((r.student_id, r.instrument_id, r.administered_on), r.id))
                            .collect();
                    let scope = [district.clone()];
                    let mut instruments: HashMap<
                        (String, Option<String>),
                        Result<Instrument, ApiError>,
                    > = HashMap::new();

                    let mut outcomes = Vec::with_capacity(chunk.len());
                    let mut rows = Vec::new();
                    for (index, item) in chunk {
                        let Some(student_id) = students
                            .get(&item.student_unique_id)
                            .filter(|_| is_kids_id(&item.student_unique_id))
                        else {
                            outcomes.push((
                                index,
                                UpsertOutcome::Failed(vec![FieldError::body(
                                    "/studentUniqueId",
                                    "unknown",
                                    format!(
                                        "no student of district {district} has KIDS id {}",
                                        item.student_unique_id
                                    ),
                                )]),
                            ));
                            continue;
                        };
                        if item.administered_on > today {
                            outcomes.push((
                                index,
                                UpsertOutcome::Failed(vec![FieldError::body(
                                    "/administeredOn",
                                    "range",
                                    "administeredOn must not be in the future",
                                )]),
                            ));
                            continue;
                        }
                        let instrument = instruments
                            .entry((item.instrument_id.clone(), item.instrument_version.clone()))
                            .or_insert_with(|| {
                                resolve_instrument(
                                    |id, version| {
                                        q::surveys::find_instrument(conn, &scope, id, version)
                                    },
                                    &item.instrument_id,
                                    item.instrument_version.as_deref(),
                                )
                            });
                        let instrument = match instrument {
                            Ok(instrument) => instrument.clone(),
                            Err(error) => {
                                outcomes.push((index, UpsertOutcome::Failed(error.errors().to_vec())));
                                continue;
                            }
                        };
                        if let Some(id) = existing.get(&(
                            student_id.clone(),
                            instrument.id.clone(),
                            item.administered_on,
                        )) {
                            outcomes.push((index, UpsertOutcome::Unchanged(id.clone())));
                            continue;
                        }
                        let profile = match score(&instrument, &item.answers) {
                            Ok(profile) => profile,
                            Err(error) => {
                                outcomes.push((index, UpsertOutcome::Failed(error.errors().to_vec())));
                                continue;
                            }
                        };
                        rows.push((
                            index,
                            response_row(
                                district.clone(),
                                student_id.clone(),
                                &instrument,
                                item.administered_on,
                                item.grade_level,
                                &item.answers,
                                &profile,
                            ),
                        ));
                    }

                    let stored: Vec<ResponseRow> = rows.iter().map(|(_, row)| row.clone()).collect();
                    let inserted: std::collections::HashSet<String> =
                        q::surveys::insert_responses(conn, &stored)?
                            .into_iter()
                            .collect();
                    for (index, row) in rows {
                        let outcome = if inserted.contains(&row.id) {
                            UpsertOutcome::Created(row.id)
                        } else {
                            UpsertOutcome::Failed(vec![FieldError::body(
                                "/administeredOn",
                                "concurrent_change",
                                "another request stored this response at the same time; send the item again",
                            )])
                        };
                        outcomes.push((index, outcome));
                    }
                    Ok(outcomes)
                })
            }
        })
        .await?;
    Ok(HttpResponse::Ok().json(response))
}
