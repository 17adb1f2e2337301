//! `POST /v1/plans/{planId}/coursework:sync`: replace a plan's SIS-transcript entries.

use actix_web::{HttpResponse, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use super::{CourseEntry, Plan, PlanBody, respond, revise_plan};
use crate::AppState;
use crate::api::extract::Json;
use crate::api::preconditions::OptionalIfMatch;
use crate::api::responses;
use crate::auth::{Principal, Scope};
use crate::error::ApiError;
use crate::store::plans::PlanRow;

/// The student's transcript as the SIS holds it now.
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(example = json!({
    "entries": [
        {"courseId": "0193a1f2-7d2e-7c39-9d55-2f0b8f3f1a77", "schoolYear": 2027, "term": "full_year", "status": "completed", "gradeLevel": 9, "mark": "B+", "creditsEarned": 1, "source": "sis_transcript"}
    ]
}))]
pub struct CourseworkSync {
    /// Every transcript entry of the student; their `source` is set to `sis_transcript`.
    #[validate(
        length(max = 150, message = "entries may list at most 150 courses"),
        nested
    )]
    pub entries: Vec<CourseEntry>,
}

/// Replace a plan's transcript coursework
///
/// Replaces every course entry whose source is `sis_transcript` with the entries sent, in one
/// revision, and keeps the counselor's and student's entries, so that a nightly SIS job never
/// erases the plan. A planned entry for a course that the transcript now shows in the same
/// school year is dropped, since the transcript entry replaces it. `If-Match` is optional.
#[utoipa::path(
    tag = "plans",
    params(
        ("planId" = String, Path, description = "Plan id"),
        ("If-Match" = Option<String>, Header, description = "ETag the sync is based on; omit to sync against the current revision"),
    ),
    request_body = CourseworkSync,
    responses(
        (status = 200, description = "The revised plan", body = Plan, headers(("ETag" = String, description = "New revision"))),
        (status = 400, response = responses::BadRequest),
        (status = 401, response = responses::Unauthorized),
        (status = 403, response = responses::Forbidden),
        (status = 404, response = responses::NotFound),
        (status = 412, response = responses::PreconditionFailed),
        (status = 413, response = responses::PayloadTooLarge),
        (status = 415, response = responses::UnsupportedMediaType),
        (status = 422, response = responses::ValidationFailed),
        (status = 503, response = responses::ServiceUnavailable),
    ),
    security(("bearerAuth" = ["plans:write"]), ("oauth2" = ["plans:write"])),
)]
#[post("/v1/plans/{planId}/coursework:sync")]
pub async fn sync_plan_coursework(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    OptionalIfMatch(if_match): OptionalIfMatch,
    Json(sync): Json<CourseworkSync>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Scope::PlansWrite)?;
    let id = path.into_inner();
    let districts = principal.districts().to_vec();
    let client_id = principal.client_id.clone();

    let row = crate::store::write!(state.store, |conn, q| {
        let edit = |_: &PlanRow, mut body: PlanBody| {
            super::check::sync_transcript(&mut body, sync.entries);
            Ok::<_, ApiError>(body)
        };
        Ok(revise_plan!(
            conn,
            q,
            &districts,
            &id,
            if_match.as_ref(),
            &client_id,
            edit
        ))
    })?;
    respond(&row)
}
