//! `GET /v1/plans/{planId}/revisions`: the history of a plan.

use actix_web::{HttpResponse, get, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::PlanBody;
use crate::AppState;
use crate::api::responses;
use crate::auth::{Principal, Scope};
use crate::error::ApiError;
use crate::store::plans::RevisionRow;

/// Who changed which parts of a plan, and when.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "revision": 2,
    "changedBy": "0193a1f0-1111-7c39-9d55-2f0b8f3f1a77",
    "changed": ["courses", "goals"],
    "changedAt": "2026-10-02T09:15:00Z"
}))]
pub struct RevisionSummary {
    pub revision: i32,
    /// Client id of the API client that made the revision.
    pub changed_by: String,
    /// Top-level plan sections that changed from the previous revision (all on revision 1).
    pub changed: Vec<String>,
    pub changed_at: chrono::DateTime<chrono::Utc>,
}

/// The revisions of a plan, oldest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"items": [{"revision": 1, "changedBy": "0193a1f0-1111-7c39-9d55-2f0b8f3f1a77", "changed": ["courses", "graduationYear"], "changedAt": "2026-09-01T14:03:11Z"}]}))]
pub struct RevisionList {
    pub items: Vec<RevisionSummary>,
}

/// One revision of a plan with its full content.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "revision": 1,
    "changedBy": "0193a1f0-1111-7c39-9d55-2f0b8f3f1a77",
    "changed": ["graduationYear"],
    "changedAt": "2026-09-01T14:03:11Z",
    "plan": {"studentId": "0193a1f2-6c1e-7c39-9d55-2f0b8f3f1a77", "graduationYear": 2030, "status": "active", "courses": []}
}))]
pub struct PlanRevision {
    #[serde(flatten)]
    pub summary: RevisionSummary,
    /// The plan content as it was at this revision.
    pub plan: PlanBody,
}

impl From<&RevisionRow> for RevisionSummary {
    fn from(row: &RevisionRow) -> RevisionSummary {
        RevisionSummary {
            revision: row.revision,
            changed_by: row.changed_by.clone(),
            changed: serde_json::from_str(&row.changed).unwrap_or_default(),
            changed_at: row.changed_at.and_utc(),
        }
    }
}

/// List a plan's revisions
#[utoipa::path(
    tag = "plans",
    params(("planId" = String, Path, description = "Plan id")),
    responses(
        (status = 200, description = "Revisions, oldest first", body = RevisionList),
        (status = 401, response = responses::Unauthorized),
        (status = 403, response = responses::Forbidden),
        (status = 404, response = responses::NotFound),
        (status = 503, response = responses::ServiceUnavailable),
    ),
    security(("bearerAuth" = ["plans:read"]), ("oauth2" = ["plans:read"])),
)]
#[get("/v1/plans/{planId}/revisions")]
pub async fn list_plan_revisions(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Scope::PlansRead)?;
    let id = path.into_inner();
    let districts = principal.districts().to_vec();
    let rows = crate::store::read!(state.store, |conn, q| {
        let plan =
            q::plans::find(conn, &districts, &id)?.ok_or_else(|| ApiError::not_found("plan"))?;
        q::plans::revisions(conn, &plan.district_id, &plan.id)
    })?;
    Ok(HttpResponse::Ok().json(RevisionList {
        items: rows.iter().map(RevisionSummary::from).collect(),
    }))
}

/// Get one revision of a plan
#[utoipa::path(
    tag = "plans",
    params(
        ("planId" = String, Path, description = "Plan id"),
        ("revision" = i32, Path, minimum = 1, description = "Revision number, from 1"),
    ),
    responses(
        (status = 200, description = "The revision with the plan content as it was", body = PlanRevision),
        (status = 400, response = responses::BadRequest),
        (status = 401, response = responses::Unauthorized),
        (status = 403, response = responses::Forbidden),
        (status = 404, response = responses::NotFound),
        (status = 503, response = responses::ServiceUnavailable),
    ),
    security(("bearerAuth" = ["plans:read"]), ("oauth2" = ["plans:read"])),
)]
#[get("/v1/plans/{planId}/revisions/{revision}")]
pub async fn get_plan_revision(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Scope::PlansRead)?;
    let (id, revision) = path.into_inner();
    let revision: i32 = revision.parse().map_err(|_| {
        ApiError::invalid_parameter(
            "revision",
            "type",
            "revision must be a whole number such as 2",
        )
    })?;
    let districts = principal.districts().to_vec();
    let row = crate::store::read!(state.store, |conn, q| {
        let plan =
            q::plans::find(conn, &districts, &id)?.ok_or_else(|| ApiError::not_found("plan"))?;
        q::plans::revision(conn, &plan.district_id, &plan.id, revision)
    })?
    .ok_or_else(|| ApiError::not_found("plan revision"))?;
    Ok(HttpResponse::Ok().json(PlanRevision {
        summary: RevisionSummary::from(&row),
        plan: serde_json::from_str(&row.document).map_err(ApiError::internal)?,
    }))
}
