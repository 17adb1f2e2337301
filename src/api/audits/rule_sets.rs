//! `/v1/rule-sets`: the built-in Kansas rule sets and district overlays.

use actix_web::{HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::{builtin, decode, resolve_rule_set, rule_errors};
use crate::AppState;
use crate::api::extract::{Json, Query};
use crate::api::responses;
use crate::auth::{Principal, Scope};
use crate::domain::audit::{
    ClassRange, Jurisdiction, RuleSet, RuleSetRef, builtin_rule_sets, validate,
};
use crate::error::ApiError;
use crate::store::rule_sets::RuleSetRow;

/// A rule set in a list.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RuleSetSummary {
    pub id: String,
    pub version: u32,
    pub title: String,
    pub jurisdiction: Jurisdiction,
    pub graduating_classes: ClassRange,
    /// The set this one changes, for district overlays.
    pub extends: Option<RuleSetRef>,
    /// Whether the set ships with the service.
    pub builtin: bool,
}

/// The rule sets a client can audit against.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"items": [{"id": "ks-state-2028", "version": 1, "title": "Kansas state minimum, class of 2028 and later", "jurisdiction": "state", "graduatingClasses": {"from": 2028}, "extends": null, "builtin": true}]}))]
pub struct RuleSetList {
    pub items: Vec<RuleSetSummary>,
}

fn summary(set: &RuleSet, builtin: bool) -> RuleSetSummary {
    RuleSetSummary {
        id: set.id.clone(),
        version: set.version,
        title: set.title.clone(),
        jurisdiction: set.jurisdiction,
        graduating_classes: set.graduating_classes,
        extends: set.extends.clone(),
        builtin,
    }
}

/// Version selection for `GET /v1/rule-sets/{ruleSetId}`.
#[derive(Debug, Clone, Deserialize, Validate, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RuleSetQuery {
    /// A specific version; default the newest.
    #[validate(range(min = 1, message = "version must be 1 or more"))]
    #[param(minimum = 1)]
    pub version: Option<i32>,
    /// With `true`, a district overlay is returned with its base applied.
    pub resolved: Option<bool>,
}

/// List rule sets
///
/// The built-in Kansas state minimums (classes through 2027, class of 2028 and later), the
/// Regents precollege curriculum, and the client's district rule sets (newest versions).
#[utoipa::path(
    tag = "audits",
    responses(
        (status = 200, description = "Rule sets", body = RuleSetList),
        (status = 401, response = responses::Unauthorized),
        (status = 403, response = responses::Forbidden),
        (status = 503, response = responses::ServiceUnavailable),
    ),
    security(("bearerAuth" = ["rules:read"]), ("oauth2" = ["rules:read"])),
)]
#[get("/v1/rule-sets")]
pub async fn list_rule_sets(
    state: web::Data<AppState>,
    principal: Principal,
) -> Result<HttpResponse, ApiError> {
    principal.require(Scope::RulesRead)?;
    let districts = principal.districts().to_vec();
    let rows = crate::store::read!(state.store, |conn, q| q::rule_sets::list(conn, &districts))?;

    let mut items: Vec<RuleSetSummary> = builtin_rule_sets()
        .iter()
        .map(|set| summary(set, true))
        .collect();
    let mut seen = std::collections::HashSet::new();
    for row in &rows {
        if seen.insert((row.district_id.clone(), row.id.clone())) {
            items.push(summary(&decode(row)?, false));
        }
    }
    Ok(HttpResponse::Ok().json(RuleSetList { items }))
}

/// Get a rule set
#[utoipa::path(
    tag = "audits",
    params(("ruleSetId" = String, Path, description = "Rule set id, such as ks-state-2028"), RuleSetQuery),
    responses(
        (status = 200, description = "The rule set", body = RuleSet,
            example = json!({"id": "ks-state-2028", "version": 1, "title": "Kansas state minimum, class of 2028 and later", "jurisdiction": "state", "graduatingClasses": {"from": 2028}, "totalCredits": 21, "requirements": [], "pacing": []})),
        (status = 400, response = responses::BadRequest),
        (status = 401, response = responses::Unauthorized),
        (status = 403, response = responses::Forbidden),
        (status = 404, response = responses::NotFound),
        (status = 503, response = responses::ServiceUnavailable),
    ),
    security(("bearerAuth" = ["rules:read"]), ("oauth2" = ["rules:read"])),
)]
#[get("/v1/rule-sets/{ruleSetId}")]
pub async fn get_rule_set(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    Query(query): Query<RuleSetQuery>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Scope::RulesRead)?;
    let id = path.into_inner();
    if let Some(set) = builtin(&id, query.version) {
        return Ok(HttpResponse::Ok().json(set));
    }
    let districts = principal.districts().to_vec();
    let resolved = query.resolved.unwrap_or(false);
    let set = crate::store::read!(state.store, |conn, q| {
        let row = q::rule_sets::find(conn, &districts, &id, query.version)?
            .ok_or_else(|| ApiError::not_found("rule set"))?;
        if resolved {
            let version = Some(row.version);
            resolve_rule_set(
                |id, version| q::rule_sets::find(conn, &districts, id, version),
                &row.id,
                version,
            )
        } else {
            decode(&row)
        }
    })?;
    Ok(HttpResponse::Ok().json(set))
}

/// Create a district rule set version
///
/// Usually an overlay: `extends` names a built-in or district set and `changes` raise the
/// total, add a requirement, or replace or drop one by key. The set is checked on upload and
/// errors point at the faulty node. Versions are immutable; post a change with a higher
/// `version`.
#[utoipa::path(
    tag = "audits",
    request_body(content = RuleSet, example = json!({
        "id": "usd259-2028", "version": 1, "title": "USD 259 graduation requirements, class of 2028 and later",
        "jurisdiction": "district", "graduatingClasses": {"from": 2028},
        "extends": {"id": "ks-state-2028", "version": 1},
        "changes": [
            {"op": "set_total_credits", "credits": 23},
            {"op": "add", "requirement": {"key": "world_language", "title": "World language", "kind": "courses", "credits": 1, "selector": {"subject_area": ["24"]}}}
        ]
    })),
    responses(
        (status = 201, description = "Stored", body = RuleSet,
            example = json!({"id": "usd259-2028", "version": 1, "title": "USD 259 graduation requirements, class of 2028 and later", "jurisdiction": "district", "graduatingClasses": {"from": 2028}, "extends": {"id": "ks-state-2028", "version": 1}, "requirements": [], "pacing": [], "changes": [{"op": "set_total_credits", "credits": 23}]})),
        (status = 400, response = responses::BadRequest),
        (status = 401, response = responses::Unauthorized),
        (status = 403, response = responses::Forbidden),
        (status = 409, response = responses::Conflict),
        (status = 415, response = responses::UnsupportedMediaType),
        (status = 422, response = responses::ValidationFailed),
        (status = 503, response = responses::ServiceUnavailable),
    ),
    security(("bearerAuth" = ["rules:write"]), ("oauth2" = ["rules:write"])),
)]
#[post("/v1/rule-sets")]
pub async fn create_rule_set(
    state: web::Data<AppState>,
    principal: Principal,
    Json(RuleSetInput(set)): Json<RuleSetInput>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Scope::RulesWrite)?;
    if builtin(&set.id, None).is_some() {
        return Err(ApiError::invalid_field(
            "/id",
            "reserved",
            "this id belongs to a built-in rule set; choose another",
        ));
    }
    if set.jurisdiction == Jurisdiction::State {
        return Err(ApiError::invalid_field(
            "/jurisdiction",
            "enum",
            "district rule sets have jurisdiction district or school",
        ));
    }
    let district_id = principal
        .districts()
        .first()
        .cloned()
        .ok_or_else(|| ApiError::not_found("district"))?;
    let districts = vec![district_id.clone()];
    let location = format!("/v1/rule-sets/{}?version={}", set.id, set.version);
    let stored = set.clone();
    let row = RuleSetRow {
        district_id,
        id: set.id.clone(),
        version: i32::try_from(set.version)
            .map_err(|_| ApiError::invalid_field("/version", "range", "version is too large"))?,
        class_from: set.graduating_classes.from,
        class_to: set.graduating_classes.to,
        document: serde_json::to_string(&set).map_err(ApiError::internal)?,
        created_at: crate::store::now(),
    };

    crate::store::write!(state.store, |conn, q| {
        match &set.extends {
            Some(base) => {
                let version = i32::try_from(base.version).ok();
                let base = resolve_rule_set(
                    |id, version| q::rule_sets::find(conn, &districts, id, version),
                    &base.id,
                    version,
                )
                .map_err(|_| {
                    ApiError::invalid_field(
                        "/extends",
                        "unknown",
                        format!(
                            "rule set {} version {} does not exist",
                            base.id, base.version
                        ),
                    )
                })?;
                crate::domain::audit::resolve(&base, &set)
                    .map_err(|errors| rule_errors(errors, ""))?;
            }
            None => validate(&set).map_err(|errors| rule_errors(errors, ""))?,
        }
        q::rule_sets::create(conn, &row)
    })?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", location))
        .json(stored))
}

/// A rule set to store; validated against its base rather than field by field.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(transparent)]
pub struct RuleSetInput(pub RuleSet);

impl Validate for RuleSetInput {
    fn validate(&self) -> Result<(), validator::ValidationErrors> {
        Ok(())
    }
}
