//! Create, read, replace, patch and list plans.

use actix_web::{HttpRequest, HttpResponse, get, patch, post, put, web};
use serde::Deserialize;
use utoipa::IntoParams;
use validator::Validate;

use super::check::CheckedPlan;
use super::{Plan, PlanBody, PlanStatus, insert_plan, plan_of, respond, revise_plan};
use crate::AppState;
use crate::api::extract::{Json, Query, check_depth, is_json, parse_json};
use crate::api::idempotency::{self, Created, IdempotencyKey};
use crate::api::paging;
use crate::api::preconditions::{IfMatch, etag};
use crate::api::responses;
use crate::auth::{Principal, Scope};
use crate::error::{ApiError, ErrorCode};
use crate::store::plans::{PlanFilter, PlanRow};

/// Builds the next revision of `current` holding `checked`.
pub(super) fn next_row(current: &PlanRow, checked: &CheckedPlan) -> Result<PlanRow, ApiError> {
    let mut next = new_row(
        &current.district_id,
        &current.student_id,
        checked,
        crate::store::now(),
    )?;
    next.id = current.id.clone();
    next.created_at = current.created_at;
    next.revision = current.revision + 1;
    Ok(next)
}

/// Builds revision 1 of a new plan holding `checked`, created at `now`.
pub(crate) fn new_row(
    district_id: &str,
    student_id: &str,
    checked: &CheckedPlan,
    now: chrono::NaiveDateTime,
) -> Result<PlanRow, ApiError> {
    Ok(PlanRow {
        district_id: district_id.to_owned(),
        id: crate::store::new_id(),
        student_id: student_id.to_owned(),
        school_id: checked.body.school_id.clone(),
        graduation_year: checked.body.graduation_year,
        status: checked.body.status.as_str().to_owned(),
        counselor: checked.counselor.clone(),
        has_career_focus: !checked.body.career_focus.is_empty(),
        document: serde_json::to_string(&checked.body).map_err(ApiError::internal)?,
        revision: 1,
        created_at: now,
        updated_at: now,
    })
}

/// Create a plan of study
///
/// A student has at most one active plan; a second one gets 409. Course entries are checked
/// against the district catalog and the graduating class.
#[utoipa::path(
    tag = "plans",
    params(("Idempotency-Key" = Option<String>, Header, description = "Client-chosen key that makes a retry replay the first response; kept 24 hours")),
    request_body = PlanBody,
    responses(
        (status = 201, description = "Created", body = Plan,
            headers(("ETag" = String, description = "Revision of the new plan"), ("Location" = String, description = "URL of the new plan"))),
        (status = 400, response = responses::BadRequest),
        (status = 401, response = responses::Unauthorized),
        (status = 403, response = responses::Forbidden),
        (status = 409, response = responses::Conflict),
        (status = 413, response = responses::PayloadTooLarge),
        (status = 415, response = responses::UnsupportedMediaType),
        (status = 422, response = responses::ValidationFailed),
        (status = 503, response = responses::ServiceUnavailable),
    ),
    security(("bearerAuth" = ["plans:write"]), ("oauth2" = ["plans:write"])),
)]
#[post("/v1/plans")]
pub async fn create_plan(
    state: web::Data<AppState>,
    principal: Principal,
    key: IdempotencyKey,
    Json(body): Json<PlanBody>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Scope::PlansWrite)?;
    let Some(student_id) = body.student_id.clone() else {
        return Err(ApiError::invalid_field(
            "/studentId",
            "required",
            "studentId is required to create a plan",
        ));
    };
    let districts = principal.districts().to_vec();
    let client_id = principal.client_id.clone();
    let fingerprint = idempotency::fingerprint("POST /v1/plans", &body)?;

    idempotency::create_once!(state, &principal, key, fingerprint, |conn, q| {
        let row = insert_plan!(
            conn,
            q,
            &districts,
            &student_id,
            &client_id,
            body,
            crate::store::now()
        );
        Created::new(
            &plan_of(&row)?,
            etag(row.revision),
            format!("/v1/plans/{}", row.id),
        )
    })
}

/// Get a plan of study
#[utoipa::path(
    tag = "plans",
    params(("planId" = String, Path, description = "Plan id")),
    responses(
        (status = 200, description = "The plan", body = Plan, headers(("ETag" = String, description = "Current revision"))),
        (status = 401, response = responses::Unauthorized),
        (status = 403, response = responses::Forbidden),
        (status = 404, response = responses::NotFound),
        (status = 503, response = responses::ServiceUnavailable),
    ),
    security(("bearerAuth" = ["plans:read"]), ("oauth2" = ["plans:read"])),
)]
#[get("/v1/plans/{planId}")]
pub async fn get_plan(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Scope::PlansRead)?;
    let id = path.into_inner();
    let districts = principal.districts().to_vec();
    let row = crate::store::lookup!(state.store, |conn, q| q::plans::find(conn, &districts, &id))?
        .ok_or_else(|| ApiError::not_found("plan"))?;
    respond(&row)
}

/// Replace a plan of study
///
/// Sends the full plan content. `If-Match` must carry the ETag that was read. Every change
/// makes a new revision; an identical body makes none. Archive a plan by setting `status` to
/// `archived`.
#[utoipa::path(
    tag = "plans",
    params(
        ("planId" = String, Path, description = "Plan id"),
        ("If-Match" = String, Header, description = "ETag of the revision the change is based on, or `*`"),
    ),
    request_body = PlanBody,
    responses(
        (status = 200, description = "The revised plan", body = Plan, headers(("ETag" = String, description = "New revision"))),
        (status = 400, response = responses::BadRequest),
        (status = 401, response = responses::Unauthorized),
        (status = 403, response = responses::Forbidden),
        (status = 404, response = responses::NotFound),
        (status = 409, response = responses::Conflict),
        (status = 412, response = responses::PreconditionFailed),
        (status = 413, response = responses::PayloadTooLarge),
        (status = 415, response = responses::UnsupportedMediaType),
        (status = 422, response = responses::ValidationFailed),
        (status = 428, response = responses::PreconditionRequired),
        (status = 503, response = responses::ServiceUnavailable),
    ),
    security(("bearerAuth" = ["plans:write"]), ("oauth2" = ["plans:write"])),
)]
#[put("/v1/plans/{planId}")]
pub async fn replace_plan(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    if_match: IfMatch,
    Json(body): Json<PlanBody>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Scope::PlansWrite)?;
    let id = path.into_inner();
    let districts = principal.districts().to_vec();
    let client_id = principal.client_id.clone();

    let row = crate::store::write!(state.store, |conn, q| {
        let edit = |_: &PlanRow, _: PlanBody| Ok::<_, ApiError>(body);
        Ok(revise_plan!(
            conn,
            q,
            &districts,
            &id,
            Some(&if_match),
            &client_id,
            edit
        ))
    })?;
    respond(&row)
}

/// Applies an RFC 7396 JSON Merge Patch to `target`.
fn merge_patch(target: &mut serde_json::Value, patch: &serde_json::Value) {
    let serde_json::Value::Object(changes) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = serde_json::Value::Object(serde_json::Map::new());
    }
    if let serde_json::Value::Object(fields) = target {
        for (name, value) in changes {
            if value.is_null() {
                fields.remove(name);
            } else {
                merge_patch(
                    fields
                        .entry(name.clone())
                        .or_insert(serde_json::Value::Null),
                    value,
                );
            }
        }
    }
}

/// Update part of a plan of study (JSON Merge Patch)
///
/// The body is an RFC 7396 merge patch of the plan content: members replace, `null` removes,
/// arrays are replaced whole. The patched plan is checked like a full replacement.
#[utoipa::path(
    tag = "plans",
    params(
        ("planId" = String, Path, description = "Plan id"),
        ("If-Match" = String, Header, description = "ETag of the revision the change is based on, or `*`"),
    ),
    request_body(content = std::collections::HashMap<String, serde_json::Value>, content_type = "application/merge-patch+json",
        description = "A merge patch of PlanBody",
        example = json!({"postsecondaryPlan": {"pathway": "two_year_college"}, "goals": [{"category": "career", "text": "Job shadow a respiratory therapist", "status": "not_started"}]})),
    responses(
        (status = 200, description = "The revised plan", body = Plan, headers(("ETag" = String, description = "New revision"))),
        (status = 400, response = responses::BadRequest),
        (status = 401, response = responses::Unauthorized),
        (status = 403, response = responses::Forbidden),
        (status = 404, response = responses::NotFound),
        (status = 409, response = responses::Conflict),
        (status = 412, response = responses::PreconditionFailed),
        (status = 413, response = responses::PayloadTooLarge),
        (status = 415, response = responses::UnsupportedMediaType),
        (status = 422, response = responses::ValidationFailed),
        (status = 428, response = responses::PreconditionRequired),
        (status = 503, response = responses::ServiceUnavailable),
    ),
    security(("bearerAuth" = ["plans:write"]), ("oauth2" = ["plans:write"])),
)]
#[patch("/v1/plans/{planId}")]
pub async fn patch_plan(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    if_match: IfMatch,
    req: HttpRequest,
    payload: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    principal.require(Scope::PlansWrite)?;
    if !is_json(&req) {
        return Err(ApiError::new(
            ErrorCode::UnsupportedMediaType,
            "send the patch as application/merge-patch+json",
        ));
    }
    check_depth(&payload, 0)?;
    let patch: serde_json::Value = serde_json::from_slice(&payload).map_err(|e| {
        ApiError::new(
            ErrorCode::MalformedJson,
            format!("the body is not valid JSON: {e}"),
        )
    })?;
    if !patch.is_object() {
        return Err(ApiError::invalid_field(
            "",
            "type",
            "a merge patch of a plan must be a JSON object",
        ));
    }
    let id = path.into_inner();
    let districts = principal.districts().to_vec();
    let client_id = principal.client_id.clone();

    let row = crate::store::write!(state.store, |conn, q| {
        let edit = |_: &PlanRow, before: PlanBody| {
            let mut document = serde_json::to_value(&before).map_err(ApiError::internal)?;
            merge_patch(&mut document, &patch);
            let bytes = serde_json::to_vec(&document).map_err(ApiError::internal)?;
            parse_json::<PlanBody>(&bytes)
        };
        Ok(revise_plan!(
            conn,
            q,
            &districts,
            &id,
            Some(&if_match),
            &client_id,
            edit
        ))
    })?;
    respond(&row)
}

/// A page of plans.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"items": [], "nextCursor": null}))]
pub struct PlanPage {
    pub items: Vec<Plan>,
    /// Pass as `cursor` to get the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// Filters and paging for `GET /v1/plans`.
#[derive(Debug, Clone, Deserialize, Validate, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PlanListQuery {
    /// Only this district (one of the client's).
    #[param(pattern = "^D[0-9]{4}$")]
    pub district_id: Option<String>,
    /// Only plans of this student.
    pub student_id: Option<String>,
    #[validate(custom(function = "crate::api::students::validate_school_id"))]
    #[param(pattern = "^[0-9]{4}$")]
    pub school_id: Option<String>,
    #[validate(range(
        min = 2000,
        max = 2100,
        message = "graduationYear must be between 2000 and 2100"
    ))]
    #[param(minimum = 2000, maximum = 2100)]
    pub graduation_year: Option<i32>,
    pub status: Option<PlanStatus>,
    /// Only plans whose counselor participant has this staff id.
    pub counselor: Option<String>,
    /// Only plans changed at or after this time (RFC 3339).
    pub updated_since: Option<chrono::DateTime<chrono::Utc>>,
    /// Page size, 1 to 1000; default 100.
    #[validate(range(min = 1, max = 1000, message = "limit must be between 1 and 1000"))]
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
    /// `nextCursor` of the previous page.
    pub cursor: Option<String>,
}

/// List plans of study
#[utoipa::path(
    tag = "plans",
    params(PlanListQuery),
    responses(
        (status = 200, description = "A page of plans", body = PlanPage),
        (status = 400, response = responses::BadRequest),
        (status = 401, response = responses::Unauthorized),
        (status = 403, response = responses::Forbidden),
        (status = 503, response = responses::ServiceUnavailable),
    ),
    security(("bearerAuth" = ["plans:read"]), ("oauth2" = ["plans:read"])),
)]
#[get("/v1/plans")]
pub async fn list_plans(
    state: web::Data<AppState>,
    principal: Principal,
    Query(query): Query<PlanListQuery>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Scope::PlansRead)?;
    let after = query
        .cursor
        .as_deref()
        .map(paging::decode_cursor)
        .transpose()?;
    let filter = PlanFilter {
        district_ids: principal.districts_for_filter(query.district_id.as_deref())?,
        student_id: query.student_id,
        school_id: query.school_id,
        graduation_year: query.graduation_year,
        status: query.status.map(|s| s.as_str().to_owned()),
        counselor: query.counselor,
        updated_since: query.updated_since.map(|t| t.naive_utc()),
    };
    let fetch = paging::fetch_size(query.limit);

    let rows = crate::store::read!(state.store, |conn, q| q::plans::list(
        conn,
        &filter,
        after.as_deref(),
        fetch
    ))?;
    let (rows, next_cursor) = paging::finish(rows, query.limit, |row| row.id.as_str());
    let items = rows.iter().map(plan_of).collect::<Result<Vec<_>, _>>()?;
    Ok(HttpResponse::Ok().json(PlanPage { items, next_cursor }))
}

#[cfg(test)]
mod tests {
    use super::merge_patch;
    use serde_json::json;

    #[test]
    fn merge_patch_follows_rfc_7396() {
        let mut target = json!({"a": "b", "c": {"d": "e", "f": "g"}, "list": [1, 2]});
        merge_patch(
            &mut target,
            &json!({"a": "z", "c": {"f": null}, "list": [3]}),
        );
        assert_eq!(target, json!({"a": "z", "c": {"d": "e"}, "list": [3]}));
    }
}
