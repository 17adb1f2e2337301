//! `POST /v1/rule-sets/{ruleSetId}/impact`: what a proposed rule set does to a graduating
//! class, before a board adopts it.

use std::collections::{BTreeMap, HashMap};

use actix_web::{HttpResponse, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use super::resolve_rule_set;
use super::run::{STATE_RULE_SETS, plan_input};
use crate::AppState;
use crate::api::extract::Json;
use crate::api::plans::PlanBody;
use crate::api::responses;
use crate::auth::{Principal, Scope};
use crate::domain::audit::{self, AuditInput, AuditResult, RuleSet, Status};
use crate::error::ApiError;
use crate::store::courses::CourseRow;
use crate::store::plans::{PlanFilter, PlanRow, STATUS_ACTIVE};

/// Plans read per query while loading a cohort.
const PAGE: i64 = 2000;

/// The cohort and the rule set to compare with.
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(example = json!({"graduationYear": 2029, "asOfSchoolYear": 2027}))]
pub struct ImpactRequest {
    /// The graduating class to audit.
    #[validate(range(
        min = 2000,
        max = 2100,
        message = "graduationYear must be between 2000 and 2100"
    ))]
    pub graduation_year: i32,
    /// District of the cohort; may be omitted when the client acts for one district.
    pub district_id: Option<String>,
    /// Version of the proposed rule set; default the newest.
    #[validate(range(min = 1, message = "ruleSetVersion must be 1 or more"))]
    pub rule_set_version: Option<i32>,
    /// Rule set to compare with; default the district's current set for the class, else the
    /// Kansas state minimum for the class.
    pub compare_to: Option<String>,
    /// School year of both audits; default the current school year.
    #[validate(range(
        min = 2000,
        max = 2100,
        message = "asOfSchoolYear must be between 2000 and 2100"
    ))]
    pub as_of_school_year: Option<i32>,
}

/// A student whose status changes under the proposed rule set.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StatusChange {
    pub plan_id: String,
    pub student_id: String,
    pub current: Status,
    pub proposed: Status,
}

/// How many plans fall short of one requirement of the proposed rule set.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RequirementShortfall {
    pub key: String,
    /// Plans whose status for this requirement is `at_risk` or `unmet`.
    pub plans_short: usize,
}

/// The effect of a proposed rule set on a graduating class.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "graduationYear": 2029, "plans": 412,
    "current": {"ruleSetId": "ks-state-2028", "ruleSetVersion": 1, "statusCounts": {"on_track": 380, "at_risk": 32}},
    "proposed": {"ruleSetId": "usd259-2028", "ruleSetVersion": 2, "statusCounts": {"on_track": 351, "at_risk": 61}},
    "shortfalls": [{"key": "world_language", "plansShort": 29}],
    "newlyAtRisk": [{"planId": "0193a1f3-0b1e-7c39-9d55-2f0b8f3f1a77", "studentId": "0193a1f2-6c1e-7c39-9d55-2f0b8f3f1a77", "current": "on_track", "proposed": "at_risk"}]
}))]
pub struct ImpactReport {
    pub graduation_year: i32,
    /// Active plans audited.
    pub plans: usize,
    pub current: CohortOutcome,
    pub proposed: CohortOutcome,
    /// Requirements of the proposed set that plans fall short of, most often first.
    pub shortfalls: Vec<RequirementShortfall>,
    /// Plans met or on track today that would be at risk or unmet under the proposed set.
    pub newly_at_risk: Vec<StatusChange>,
}

/// Overall statuses of a cohort under one rule set.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CohortOutcome {
    pub rule_set_id: String,
    pub rule_set_version: u32,
    /// Plans per overall status.
    pub status_counts: BTreeMap<String, usize>,
}

fn status_name(status: Status) -> String {
    serde_json::to_value(status)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn is_short(status: Status) -> bool {
    matches!(status, Status::AtRisk | Status::Unmet)
}

/// Audits every input under both rule sets, on all cores.
fn audit_cohort(
    current: &RuleSet,
    proposed: &RuleSet,
    inputs: &[AuditInput],
) -> Result<Vec<(AuditResult, AuditResult)>, ApiError> {
    audit::validate(current).map_err(|errors| super::rule_errors(errors, "/compareTo"))?;
    audit::validate(proposed).map_err(|errors| super::rule_errors(errors, ""))?;
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = inputs.len().div_ceil(threads).max(1);
    let results = std::thread::scope(|scope| {
        let workers: Vec<_> = inputs
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .map(|input| {
                            Ok((
                                audit::audit(current, input)?,
                                audit::audit(proposed, input)?,
                            ))
                        })
                        .collect::<Result<Vec<_>, Vec<audit::RuleError>>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|worker| {
                worker
                    .join()
                    .map_err(|_| ApiError::internal(anyhow::anyhow!("an audit worker panicked")))
            })
            .collect::<Result<Vec<_>, ApiError>>()
    })?;
    let mut pairs = Vec::with_capacity(inputs.len());
    for part in results {
        pairs.extend(part.map_err(|errors| super::rule_errors(errors, ""))?);
    }
    Ok(pairs)
}

/// Measure a proposed rule set on a graduating class
///
/// Audits every active plan of the district's graduating class under the proposed rule set
/// and under the current one, and returns status counts for both, the requirements plans fall
/// short of, and the students who would move from met or on track to at risk. Nothing is
/// stored.
#[utoipa::path(
    tag = "audits",
    params(("ruleSetId" = String, Path, description = "The proposed rule set")),
    request_body = ImpactRequest,
    responses(
        (status = 200, description = "The impact", body = ImpactReport),
        (status = 400, response = responses::BadRequest),
        (status = 401, response = responses::Unauthorized),
        (status = 403, response = responses::Forbidden),
        (status = 404, response = responses::NotFound),
        (status = 415, response = responses::UnsupportedMediaType),
        (status = 422, response = responses::ValidationFailed),
        (status = 503, response = responses::ServiceUnavailable),
    )
)]
#[post("/v1/rule-sets/{ruleSetId}/impact")]
pub async fn measure_rule_set_impact(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    Json(request): Json<ImpactRequest>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Scope::RulesRead)?;
    principal.require(Scope::PlansRead)?;
    let district_id =
        principal.district_for_write(request.district_id.as_deref(), "/districtId")?;
    let proposed_id = path.into_inner();
    let year = request.graduation_year;
    let as_of = request.as_of_school_year.unwrap_or_else(|| {
        crate::domain::school_year::school_year_of(chrono::Utc::now().date_naive())
    });
    let compare_to = request.compare_to.clone();
    let proposed_version = request.rule_set_version;

    let (proposed, current, plans, catalog) = crate::store::read!(state.store, |conn, q| {
        let scope = [district_id.clone()];
        let proposed = resolve_rule_set(
            |id, version| q::rule_sets::find(conn, &scope, id, version),
            &proposed_id,
            proposed_version,
        )
        .map_err(|_| ApiError::not_found("rule set"))?;
        let current = match compare_to {
            Some(id) => resolve_rule_set(
                |id, version| q::rule_sets::find(conn, &scope, id, version),
                &id,
                None,
            )?,
            None => match q::rule_sets::for_class(conn, &district_id, year)? {
                Some(row) => {
                    let version = Some(row.version);
                    resolve_rule_set(
                        |id, version| q::rule_sets::find(conn, &scope, id, version),
                        &row.id,
                        version,
                    )?
                }
                None => {
                    audit::rule_set_for_class(&audit::builtin_rule_sets(), STATE_RULE_SETS, year)
                        .cloned()
                        .ok_or_else(|| {
                            ApiError::invalid_field(
                                "/compareTo",
                                "required",
                                format!(
                                    "no rule set covers the class of {year}; name one in compareTo"
                                ),
                            )
                        })?
                }
            },
        };

        let filter = PlanFilter {
            district_ids: scope.to_vec(),
            graduation_year: Some(year),
            status: Some(STATUS_ACTIVE.to_owned()),
            ..PlanFilter::default()
        };
        let mut plans: Vec<PlanRow> = Vec::new();
        loop {
            let after = plans.last().map(|p| p.id.clone());
            let page = q::plans::list(conn, &filter, after.as_deref(), PAGE)?;
            let done = page.len() < PAGE as usize;
            plans.extend(page);
            if done {
                break;
            }
        }
        let catalog: HashMap<String, CourseRow> = q::courses::all_of_district(conn, &district_id)?
            .into_iter()
            .map(|c| (c.id.clone(), c))
            .collect();
        Ok((proposed, current, plans, catalog))
    })?;

    let report = crate::store::blocking(move || {
        let inputs = plans
            .iter()
            .map(|plan| {
                let body: PlanBody =
                    serde_json::from_str(&plan.document).map_err(ApiError::internal)?;
                Ok(plan_input(&body, &catalog, as_of))
            })
            .collect::<Result<Vec<_>, ApiError>>()?;
        let pairs = audit_cohort(&current, &proposed, &inputs)?;

        let mut current_counts = BTreeMap::new();
        let mut proposed_counts = BTreeMap::new();
        let mut shortfalls: BTreeMap<String, usize> = BTreeMap::new();
        let mut newly_at_risk = Vec::new();
        for (plan, (before, after)) in plans.iter().zip(&pairs) {
            *current_counts
                .entry(status_name(before.status))
                .or_insert(0) += 1;
            *proposed_counts
                .entry(status_name(after.status))
                .or_insert(0) += 1;
            for requirement in after.requirements.iter().filter(|r| is_short(r.status)) {
                *shortfalls.entry(requirement.key.clone()).or_insert(0) += 1;
            }
            if !is_short(before.status) && is_short(after.status) {
                newly_at_risk.push(StatusChange {
                    plan_id: plan.id.clone(),
                    student_id: plan.student_id.clone(),
                    current: before.status,
                    proposed: after.status,
                });
            }
        }
        let mut shortfalls: Vec<RequirementShortfall> = shortfalls
            .into_iter()
            .map(|(key, plans_short)| RequirementShortfall { key, plans_short })
            .collect();
        shortfalls.sort_by(|a, b| {
            b.plans_short
                .cmp(&a.plans_short)
                .then_with(|| a.key.cmp(&b.key))
        });
        Ok(ImpactReport {
            graduation_year: year,
            plans: plans.len(),
            current: CohortOutcome {
                rule_set_id: current.id.clone(),
                rule_set_version: current.version,
                status_counts: current_counts,
            },
            proposed: CohortOutcome {
                rule_set_id: proposed.id.clone(),
                rule_set_version: proposed.version,
                status_counts: proposed_counts,
            },
            shortfalls,
            newly_at_risk,
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(report))
}
