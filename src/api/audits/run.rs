//! `POST /v1/audits` (coursework in the body) and `POST /v1/plans/{planId}/audits` (a stored
//! plan, against its own rule set or a what-if one).

use std::collections::HashMap;

use actix_web::{HttpResponse, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use super::{resolve_rule_set, rule_errors};
use crate::AppState;
use crate::api::extract::Json;
use crate::api::plans::{CourseEntry as PlanEntry, EntryStatus as PlanStatus, PlanBody};
use crate::api::responses;
use crate::auth::{Principal, Scope};
use crate::domain::audit::{
    self, AssetRecord, AuditInput, AuditResult, CourseEntry, EntryStatus, RuleSet,
};
use crate::domain::plan::grade_points;
use crate::domain::school_year::school_year_of;
use crate::error::ApiError;
use crate::store::courses::CourseRow;

/// A stateless audit: coursework in the body, nothing stored.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(example = json!({
    "ruleSetId": "ks-state-2028",
    "input": {
        "graduationYear": 2028,
        "asOfSchoolYear": 2027,
        "entries": [
            {"id": "e1", "courseCode": "ENG9", "scedCode": "01001", "title": "English 9", "credits": 1, "status": "completed", "gradeLevel": 9, "schoolYear": 2025},
            {"id": "e2", "courseCode": "SPEECH", "scedCode": "01151", "title": "Public Speaking", "credits": 0.5, "status": "planned", "gradeLevel": 11, "schoolYear": 2027, "attributes": ["communication"]}
        ],
        "assets": [{"type": "act_composite_21", "date": "2027-04-10"}]
    }
}))]
pub struct AuditRequest {
    /// Rule set to audit against; give this or `ruleSet`.
    pub rule_set_id: Option<String>,
    pub rule_set_version: Option<i32>,
    /// An unsaved rule set, such as a proposed overlay, to audit against.
    pub rule_set: Option<RuleSet>,
    pub input: AuditInput,
}

impl Validate for AuditRequest {
    fn validate(&self) -> Result<(), validator::ValidationErrors> {
        Ok(())
    }
}

/// Options of a stored plan's audit.
#[derive(Debug, Clone, Default, Serialize, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(example = json!({"ruleSetId": "ks-regents-precollege"}))]
pub struct PlanAuditRequest {
    /// Audit against this rule set instead of the plan's own (a what-if audit).
    #[validate(length(min = 1, max = 100, message = "ruleSetId must be 1 to 100 characters"))]
    #[schema(min_length = 1, max_length = 100)]
    pub rule_set_id: Option<String>,
    #[validate(range(min = 1, message = "ruleSetVersion must be 1 or more"))]
    #[schema(minimum = 1)]
    pub rule_set_version: Option<i32>,
    /// School year the audit is as of; default the current school year.
    #[validate(range(
        min = 2000,
        max = 2100,
        message = "asOfSchoolYear must be between 2000 and 2100"
    ))]
    #[schema(minimum = 2000, maximum = 2100)]
    pub as_of_school_year: Option<i32>,
}

fn audit_with(set: &RuleSet, input: &AuditInput) -> Result<AuditResult, ApiError> {
    audit::audit(set, input).map_err(|errors| rule_errors(errors, "/ruleSet"))
}

/// Audit coursework without storing anything
///
/// For front ends previewing a change: the coursework, assets, assessments, waivers and
/// substitutions are in the body, audited against a stored rule set or one in the body.
#[utoipa::path(
    tag = "audits",
    request_body = AuditRequest,
    responses(
        (status = 200, description = "The audit", body = AuditResult,
            example = json!({"engineVersion": "1.0.0", "ruleSetId": "ks-state-2028", "ruleSetVersion": 1, "status": "at_risk", "requirements": [], "unusedEntries": [], "issues": [], "pacing": []})),
        (status = 400, response = responses::BadRequest),
        (status = 401, response = responses::Unauthorized),
        (status = 403, response = responses::Forbidden),
        (status = 413, response = responses::PayloadTooLarge),
        (status = 415, response = responses::UnsupportedMediaType),
        (status = 422, response = responses::ValidationFailed),
        (status = 503, response = responses::ServiceUnavailable),
    ),
    security(("bearerAuth" = ["rules:read"]), ("oauth2" = ["rules:read"])),
)]
#[post("/v1/audits")]
pub async fn create_audit(
    state: web::Data<AppState>,
    principal: Principal,
    Json(request): Json<AuditRequest>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Scope::RulesRead)?;
    let set = match (request.rule_set, request.rule_set_id) {
        (Some(set), None) => match &set.extends {
            None => set,
            Some(base) => {
                let districts = principal.districts().to_vec();
                let (base_id, base_version) = (base.id.clone(), i32::try_from(base.version).ok());
                let base = crate::store::read!(state.store, |conn, q| resolve_rule_set(
                    |id, version| q::rule_sets::find(conn, &districts, id, version),
                    &base_id,
                    base_version
                ))?;
                audit::resolve(&base, &set).map_err(|errors| rule_errors(errors, "/ruleSet"))?
            }
        },
        (None, Some(id)) => {
            let districts = principal.districts().to_vec();
            let version = request.rule_set_version;
            crate::store::read!(state.store, |conn, q| resolve_rule_set(
                |id, version| q::rule_sets::find(conn, &districts, id, version),
                &id,
                version
            ))?
        }
        _ => {
            return Err(ApiError::invalid_field(
                "/ruleSetId",
                "one_of",
                "give exactly one of ruleSetId (a stored rule set) and ruleSet (a rule set in the body)",
            ));
        }
    };
    Ok(HttpResponse::Ok().json(audit_with(&set, &request.input)?))
}

fn entry_status(status: PlanStatus) -> EntryStatus {
    match status {
        PlanStatus::Planned => EntryStatus::Planned,
        PlanStatus::InProgress => EntryStatus::InProgress,
        PlanStatus::Completed => EntryStatus::Completed,
        PlanStatus::Failed => EntryStatus::Failed,
        PlanStatus::Withdrawn => EntryStatus::Withdrawn,
    }
}

/// Reads a stored JSON value (such as a SCED level letter) as the audit engine's type.
fn from_stored<T: serde::de::DeserializeOwned>(value: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(value.to_owned())).ok()
}

fn hundredths(units: f64) -> u32 {
    crate::domain::credits::to_hundredths(units, 4.0).map_or(0, |h| u32::try_from(h).unwrap_or(0))
}

/// Builds the audit engine's view of one plan entry; `None` for a catalog course that no
/// longer exists.
fn audit_entry(entry: &PlanEntry, catalog: &HashMap<String, CourseRow>) -> Option<CourseEntry> {
    let mut audited = CourseEntry {
        id: entry.id.clone().unwrap_or_default(),
        course_code: String::new(),
        sced_code: String::new(),
        title: String::new(),
        credits: 0,
        credits_earned: entry.credits_earned.map(hundredths),
        status: entry_status(entry.status),
        grade_level: u8::try_from(entry.grade_level).unwrap_or(0),
        school_year: entry.school_year,
        term: serde_json::to_value(entry.term)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned)),
        mark: entry.mark.as_deref().and_then(grade_points),
        attributes: Default::default(),
        level: None,
        regents_flag: None,
        repeatable: false,
    };
    match (&entry.course_id, &entry.transfer) {
        (Some(course_id), _) => {
            let course = catalog.get(course_id)?;
            audited.course_code = course.course_code.clone();
            audited.sced_code = course.sced_code.clone();
            audited.title = course.title.clone();
            audited.credits = u32::try_from(course.credits).unwrap_or(0);
            audited.attributes = serde_json::from_str(&course.attributes).unwrap_or_default();
            audited.level = course.sced_level.as_deref().and_then(from_stored);
            audited.regents_flag = course.regents_flag.as_deref().and_then(from_stored);
            audited.repeatable = course.repeatable;
        }
        (None, Some(transfer)) => {
            audited.course_code = format!("TRANSFER-{}", transfer.sced_code);
            audited.sced_code = transfer.sced_code.clone();
            audited.title = transfer.title.clone();
            audited.credits = hundredths(transfer.credits);
        }
        (None, None) => return None,
    }
    Some(audited)
}

/// Builds the audit input of a stored plan.
pub(crate) fn plan_input(
    body: &PlanBody,
    catalog: &HashMap<String, CourseRow>,
    as_of_school_year: i32,
) -> AuditInput {
    AuditInput {
        graduation_year: body.graduation_year,
        as_of_school_year,
        entries: body
            .courses
            .iter()
            .filter_map(|e| audit_entry(e, catalog))
            .collect(),
        assets: body
            .postsecondary_assets
            .iter()
            .map(|a| AssetRecord {
                asset_type: a.kind.clone(),
                date: Some(a.date.to_string()),
            })
            .collect(),
        assessments: body.assessments.clone(),
        waivers: body.waivers.clone(),
        substitutions: body.substitutions.clone(),
    }
}

/// Finds what a stored plan shows that the engine cannot see: entries whose catalog course is
/// gone, and courses whose catalog prerequisites are not taken (or planned) in an earlier
/// school year.
pub(crate) fn plan_issues(
    body: &PlanBody,
    catalog: &HashMap<String, CourseRow>,
) -> Vec<audit::Issue> {
    let mut issues = Vec::new();
    let mut taken: HashMap<&str, i32> = HashMap::new();
    for entry in &body.courses {
        let counting = !matches!(entry.status, PlanStatus::Failed | PlanStatus::Withdrawn);
        if let (true, Some(course)) = (
            counting,
            entry.course_id.as_ref().and_then(|id| catalog.get(id)),
        ) {
            let earliest = taken
                .entry(course.course_code.as_str())
                .or_insert(entry.school_year);
            *earliest = (*earliest).min(entry.school_year);
        }
    }
    for entry in &body.courses {
        let Some(course_id) = &entry.course_id else {
            continue;
        };
        let Some(course) = catalog.get(course_id) else {
            issues.push(audit::Issue {
                code: audit::IssueCode::UnknownCourse,
                entry_id: entry.id.clone(),
                requirement_key: None,
                message: format!("course {course_id} is no longer in the district catalog, so this entry is not audited"),
            });
            continue;
        };
        let prerequisites: Vec<String> =
            serde_json::from_str(&course.prerequisites).unwrap_or_default();
        for prerequisite in prerequisites {
            let before = taken
                .get(prerequisite.as_str())
                .is_some_and(|year| *year < entry.school_year);
            if !before {
                issues.push(audit::Issue {
                    code: audit::IssueCode::MissingPrerequisite,
                    entry_id: entry.id.clone(),
                    requirement_key: None,
                    message: format!(
                        "{} requires {prerequisite} first, and the plan has no passing or planned {prerequisite} in an earlier school year",
                        course.course_code
                    ),
                });
            }
        }
    }
    issues
}

/// Prefix of the built-in Kansas state minimum rule sets.
pub(crate) const STATE_RULE_SETS: &str = "ks-state-";

/// Resolves the rule set a plan is audited against: `$requested`, else the one the plan
/// names, else the district's newest set for the graduating class, else the Kansas state
/// minimum for that class. Expands inside a store transaction.
macro_rules! plan_rule_set {
    ($conn:ident, $q:ident, $plan:expr, $body:expr, $requested:expr, $version:expr) => {{
        let scope = [$plan.district_id.clone()];
        match $requested.or_else(|| $body.rule_set_id.clone()) {
            Some(rule_set_id) => $crate::api::audits::resolve_rule_set(
                |id, version| $q::rule_sets::find($conn, &scope, id, version),
                &rule_set_id,
                $version,
            )?,
            None => {
                match $q::rule_sets::for_class($conn, &$plan.district_id, $plan.graduation_year)? {
                    Some(row) => {
                        let version = Some(row.version);
                        $crate::api::audits::resolve_rule_set(
                            |id, version| $q::rule_sets::find($conn, &scope, id, version),
                            &row.id,
                            version,
                        )?
                    }
                    None => $crate::domain::audit::rule_set_for_class(
                        &$crate::domain::audit::builtin_rule_sets(),
                        $crate::api::audits::run::STATE_RULE_SETS,
                        $plan.graduation_year,
                    )
                    .cloned()
                    .ok_or_else(|| {
                        $crate::error::ApiError::invalid_field(
                            "/ruleSetId",
                            "required",
                            format!(
                                "no rule set covers the class of {}; name one in ruleSetId",
                                $plan.graduation_year
                            ),
                        )
                    })?,
                }
            }
        }
    }};
}
pub(crate) use plan_rule_set;

/// Audit a stored plan
///
/// Audits the plan against its rule set: the one the plan names, else the district's newest
/// rule set for the graduating class, else the Kansas state minimum for that class. Name
/// another rule set in the body for a what-if audit. Nothing is stored.
#[utoipa::path(
    tag = "audits",
    params(("planId" = String, Path, description = "Plan id")),
    request_body = PlanAuditRequest,
    responses(
        (status = 200, description = "The audit", body = AuditResult,
            example = json!({"engineVersion": "1.0.0", "ruleSetId": "ks-state-2028", "ruleSetVersion": 1, "status": "on_track", "requirements": [], "unusedEntries": [], "issues": [], "pacing": []})),
        (status = 400, response = responses::BadRequest),
        (status = 401, response = responses::Unauthorized),
        (status = 403, response = responses::Forbidden),
        (status = 404, response = responses::NotFound),
        (status = 415, response = responses::UnsupportedMediaType),
        (status = 422, response = responses::ValidationFailed),
        (status = 503, response = responses::ServiceUnavailable),
    ),
    security(("bearerAuth" = ["plans:read"]), ("oauth2" = ["plans:read"])),
)]
#[post("/v1/plans/{planId}/audits")]
pub async fn create_plan_audit(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    Json(request): Json<PlanAuditRequest>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Scope::PlansRead)?;
    let id = path.into_inner();
    let districts = principal.districts().to_vec();
    let as_of = request
        .as_of_school_year
        .unwrap_or_else(|| school_year_of(chrono::Utc::now().date_naive()));

    let (set, input, issues) = crate::store::read!(state.store, |conn, q| {
        let plan =
            q::plans::find(conn, &districts, &id)?.ok_or_else(|| ApiError::not_found("plan"))?;
        let body: PlanBody = serde_json::from_str(&plan.document).map_err(ApiError::internal)?;
        let set = plan_rule_set!(
            conn,
            q,
            plan,
            body,
            request.rule_set_id.clone(),
            request.rule_set_version
        );

        let course_ids: Vec<String> = body
            .courses
            .iter()
            .filter_map(|e| e.course_id.clone())
            .collect();
        let catalog: HashMap<String, CourseRow> =
            q::courses::find_by_ids(conn, &plan.district_id, &course_ids)?
                .into_iter()
                .map(|course| (course.id.clone(), course))
                .collect();
        Ok((
            set,
            plan_input(&body, &catalog, as_of),
            plan_issues(&body, &catalog),
        ))
    })?;
    let mut result = audit_with(&set, &input)?;
    result.issues.extend(issues);
    Ok(HttpResponse::Ok().json(result))
}
