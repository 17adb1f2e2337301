//! Survey responses: submission, a student's history, and one result.

use actix_web::{HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use super::{decode_instrument, response_row, score, stored_profile};
use crate::AppState;
use crate::api::extract::Json;
use crate::api::responses;
use crate::auth::{Principal, Scope};
use crate::domain::school_year::school_year_of;
use crate::domain::survey::{
    Instrument, InterestProfile, ProfileComparison, compare_profiles, interest_profiler_short_form,
};
use crate::error::ApiError;
use crate::store::surveys::{InstrumentRow, ResponseRow};

/// A survey response to submit.
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(example = json!({
    "instrumentId": "onet-ip-sf",
    "administeredOn": "2026-10-05",
    "gradeLevel": 9,
    "answers": "534215432154321543215432154321543215432154321543215432154321"
}))]
pub struct SurveyResponseInput {
    /// `onet-ip-sf` for the Interest Profiler Short Form, or a district instrument id.
    #[validate(length(min = 1, max = 64, message = "instrumentId must be 1 to 64 characters"))]
    #[schema(min_length = 1, max_length = 64)]
    pub instrument_id: String,
    /// Instrument version; default the newest.
    pub instrument_version: Option<String>,
    /// Date the survey was taken; not in the future.
    pub administered_on: chrono::NaiveDate,
    #[validate(range(min = 6, max = 12, message = "gradeLevel must be between 6 and 12"))]
    #[schema(minimum = 6, maximum = 12)]
    pub grade_level: i32,
    /// One answer code per item in item order (null for unanswered), or O*NET's compact form:
    /// one digit per item, `?` for unanswered.
    #[schema(value_type = crate::domain::survey::AnswerInput, example = json!([5, 3, 4, null, 2]))]
    pub answers: serde_json::Value,
}

/// A scored survey response.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "id": "0193a1f4-1c1e-7c39-9d55-2f0b8f3f1a77",
    "districtId": "D0259",
    "studentId": "0193a1f2-6c1e-7c39-9d55-2f0b8f3f1a77",
    "instrumentId": "onet-ip-sf",
    "instrumentVersion": "1",
    "administeredOn": "2026-10-05",
    "schoolYear": 2027,
    "gradeLevel": 9,
    "profile": {"instrumentId": "onet-ip-sf", "instrumentVersion": "1", "areas": [], "rankGroups": [["I"], ["R"], ["A"], ["S"], ["E"], ["C"]], "hollandCode": {"groups": [["I"], ["R"], ["A"]], "codes": ["IRA"], "tied": false}, "flags": []},
    "previousResponseId": null,
    "comparison": null,
    "createdAt": "2026-10-05T15:00:00Z"
}))]
pub struct SurveyResult {
    pub id: String,
    pub district_id: String,
    pub student_id: String,
    pub instrument_id: String,
    pub instrument_version: String,
    pub administered_on: chrono::NaiveDate,
    /// School year of `administeredOn`, named by the year in which it ends.
    pub school_year: i32,
    pub grade_level: i32,
    pub profile: InterestProfile,
    /// The student's response before this one, if any.
    pub previous_response_id: Option<String>,
    /// How this profile differs from the previous one.
    pub comparison: Option<ProfileComparison>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// A student's survey results in the order taken.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"items": []}))]
pub struct SurveyHistory {
    pub items: Vec<SurveyResult>,
}

/// Finds the instrument a response names: the built-in Short Form or a district version.
pub(crate) fn resolve_instrument(
    district_rows: impl FnOnce(&str, Option<&str>) -> Result<Option<InstrumentRow>, ApiError>,
    id: &str,
    version: Option<&str>,
) -> Result<Instrument, ApiError> {
    let short_form = interest_profiler_short_form();
    if id == short_form.id && version.is_none_or(|v| v == short_form.version) {
        return Ok(short_form);
    }
    let row = district_rows(id, version)?.ok_or_else(|| {
        ApiError::invalid_field(
            "/instrumentId",
            "unknown",
            format!(
                "instrument {id} (version {}) does not exist",
                version.unwrap_or("newest")
            ),
        )
    })?;
    decode_instrument(&row)
}

/// Builds the results of a student's responses in order, each compared with the one before.
pub(crate) fn history(
    rows: &[ResponseRow],
    instrument_of: impl Fn(&ResponseRow) -> Result<Instrument, ApiError>,
) -> Result<Vec<SurveyResult>, ApiError> {
    let mut results: Vec<SurveyResult> = Vec::with_capacity(rows.len());
    for row in rows {
        let profile = stored_profile(&instrument_of(row)?, row)?;
        let previous = results.last();
        results.push(SurveyResult {
            id: row.id.clone(),
            district_id: row.district_id.clone(),
            student_id: row.student_id.clone(),
            instrument_id: row.instrument_id.clone(),
            instrument_version: row.instrument_version.clone(),
            administered_on: row.administered_on,
            school_year: school_year_of(row.administered_on),
            grade_level: row.grade_level,
            previous_response_id: previous.map(|p| p.id.clone()),
            comparison: previous.map(|p| compare_profiles(&profile, &p.profile)),
            profile,
            created_at: row.created_at.and_utc(),
        });
    }
    Ok(results)
}

/// Loads every instrument version the rows use, then builds their history.
macro_rules! load_history {
    ($conn:ident, $q:ident, $districts:expr, $rows:expr) => {{
        let mut instruments: std::collections::HashMap<
            (String, String),
            $crate::domain::survey::Instrument,
        > = std::collections::HashMap::new();
        for row in $rows.iter() {
            let key = (row.instrument_id.clone(), row.instrument_version.clone());
            if !instruments.contains_key(&key) {
                let instrument = $crate::api::surveys::responses::resolve_instrument(
                    |id, version| $q::surveys::find_instrument($conn, $districts, id, version),
                    &key.0,
                    Some(&key.1),
                )?;
                instruments.insert(key, instrument);
            }
        }
        $crate::api::surveys::responses::history(&$rows, |row| {
            instruments
                .get(&(row.instrument_id.clone(), row.instrument_version.clone()))
                .cloned()
                .ok_or_else(|| {
                    $crate::error::ApiError::internal(anyhow::anyhow!(
                        "instrument of response {} missing",
                        row.id
                    ))
                })
        })?
    }};
}
pub(super) use load_history;

/// Submit a survey response
///
/// Scores the answers (raw and percent score per RIASEC area, rank order, Holland code with
/// ties shown, flat and low-spread flags) and stores the response in the student's history.
#[utoipa::path(
    tag = "surveys",
    params(("studentId" = String, Path, description = "Student id")),
    request_body = SurveyResponseInput,
    responses(
        (status = 201, description = "Scored and stored", body = SurveyResult, headers(("Location" = String, description = "URL of the response"))),
        (status = 400, response = responses::BadRequest),
        (status = 401, response = responses::Unauthorized),
        (status = 403, response = responses::Forbidden),
        (status = 404, response = responses::NotFound),
        (status = 409, response = responses::Conflict),
        (status = 413, response = responses::PayloadTooLarge),
        (status = 415, response = responses::UnsupportedMediaType),
        (status = 422, response = responses::ValidationFailed),
        (status = 503, response = responses::ServiceUnavailable),
    ),
    security(("bearerAuth" = ["surveys:write"]), ("oauth2" = ["surveys:write"])),
)]
#[post("/v1/students/{studentId}/survey-responses")]
pub async fn create_survey_response(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    Json(input): Json<SurveyResponseInput>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Scope::SurveysWrite)?;
    if input.administered_on > chrono::Utc::now().date_naive() {
        return Err(ApiError::invalid_field(
            "/administeredOn",
            "range",
            "administeredOn must not be in the future",
        ));
    }
    let student_id = path.into_inner();
    let districts = principal.districts().to_vec();

    let result = crate::store::write!(state.store, |conn, q| {
        let student = q::students::find(conn, &districts, &student_id)?
            .ok_or_else(|| ApiError::not_found("student"))?;
        let student_district = [student.district_id.clone()];
        let instrument = resolve_instrument(
            |id, version| q::surveys::find_instrument(conn, &student_district, id, version),
            &input.instrument_id,
            input.instrument_version.as_deref(),
        )?;
        let profile = score(&instrument, &input.answers)?;
        let row = response_row(
            student.district_id.clone(),
            student.id.clone(),
            &instrument,
            input.administered_on,
            input.grade_level,
            &input.answers,
            &profile,
        );
        q::surveys::create_response(conn, &row)?;

        let rows = q::surveys::student_responses(conn, &student.district_id, &student.id)?;
        let results = load_history!(conn, q, &student_district, rows);
        results
            .into_iter()
            .find(|r| r.id == row.id)
            .ok_or_else(|| ApiError::internal(anyhow::anyhow!("stored response not found")))
    })?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/v1/survey-responses/{}", result.id)))
        .json(result))
}

/// List a student's survey results
///
/// The graduated series of results in the order taken; each is compared with the one before
/// (profile correlation and whether the Holland code changed).
#[utoipa::path(
    tag = "surveys",
    params(("studentId" = String, Path, description = "Student id")),
    responses(
        (status = 200, description = "The student's results", body = SurveyHistory),
        (status = 401, response = responses::Unauthorized),
        (status = 403, response = responses::Forbidden),
        (status = 404, response = responses::NotFound),
        (status = 503, response = responses::ServiceUnavailable),
    ),
    security(("bearerAuth" = ["surveys:read"]), ("oauth2" = ["surveys:read"])),
)]
#[get("/v1/students/{studentId}/survey-responses")]
pub async fn list_survey_responses(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Scope::SurveysRead)?;
    let student_id = path.into_inner();
    let districts = principal.districts().to_vec();
    let items = crate::store::read!(state.store, |conn, q| {
        let student = q::students::find(conn, &districts, &student_id)?
            .ok_or_else(|| ApiError::not_found("student"))?;
        let rows = q::surveys::student_responses(conn, &student.district_id, &student.id)?;
        let student_district = [student.district_id.clone()];
        Ok(load_history!(conn, q, &student_district, rows))
    })?;
    Ok(HttpResponse::Ok().json(SurveyHistory { items }))
}

/// Get a survey result
#[utoipa::path(
    tag = "surveys",
    params(("responseId" = String, Path, description = "Survey response id")),
    responses(
        (status = 200, description = "The result", body = SurveyResult),
        (status = 401, response = responses::Unauthorized),
        (status = 403, response = responses::Forbidden),
        (status = 404, response = responses::NotFound),
        (status = 503, response = responses::ServiceUnavailable),
    ),
    security(("bearerAuth" = ["surveys:read"]), ("oauth2" = ["surveys:read"])),
)]
#[get("/v1/survey-responses/{responseId}")]
pub async fn get_survey_response(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Scope::SurveysRead)?;
    let id = path.into_inner();
    let districts = principal.districts().to_vec();
    let result = crate::store::read!(state.store, |conn, q| {
        let row = q::surveys::find_response(conn, &districts, &id)?
            .ok_or_else(|| ApiError::not_found("survey response"))?;
        let rows = q::surveys::student_responses(conn, &row.district_id, &row.student_id)?;
        let student_district = [row.district_id.clone()];
        let results = load_history!(conn, q, &student_district, rows);
        results
            .into_iter()
            .find(|r| r.id == id)
            .ok_or_else(|| ApiError::not_found("survey response"))
    })?;
    Ok(HttpResponse::Ok().json(result))
}
