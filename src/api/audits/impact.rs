//! `POST /v1/rule-sets/{ruleSetId}/impact`: what a proposed rule set does to a graduating
//! class, before a board adopts it.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

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
use crate::domain::audit::{self, RuleSet, Status};
use crate::error::ApiError;
use crate::store::courses::CourseRow;
use crate::store::plans::{PlanFilter, PlanRow, STATUS_ACTIVE};

/// Plans read and audited per step while measuring a cohort.
const PAGE: i64 = 1000;

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
    #[schema(minimum = 2000, maximum = 2100)]
    pub graduation_year: i32,
    /// District of the cohort; may be omitted when the client acts for one district.
    pub district_id: Option<String>,
    /// Version of the proposed rule set; default the newest.
    #[validate(range(min = 1, message = "ruleSetVersion must be 1 or more"))]
    #[schema(minimum = 1)]
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
    #[schema(minimum = 2000, maximum = 2100)]
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

/// The outcome of one plan under both rule sets, reduced to what the report needs.
struct PlanOutcome {
    plan_id: String,
    student_id: String,
    current: Status,
    proposed: Status,
    /// Keys of the proposed set's requirements the plan falls short of.
    short_of: Vec<String>,
}

/// Audits one page of plans under both rule sets, on all cores.
fn audit_page(
    current: &RuleSet,
    proposed: &RuleSet,
    catalog: &HashMap<String, CourseRow>,
    plans: &[PlanRow],
    as_of: i32,
) -> Result<Vec<PlanOutcome>, ApiError> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = plans.len().div_ceil(threads).max(1);
    let parts = std::thread::scope(|scope| {
        let workers: Vec<_> = plans
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .map(|plan| audit_plan(current, proposed, catalog, plan, as_of))
                        .collect::<Result<Vec<_>, ApiError>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|worker| {
                worker
                    .join()
                    .map_err(|_| ApiError::internal(anyhow::anyhow!("an audit worker panicked")))?
            })
            .collect::<Result<Vec<_>, ApiError>>()
    })?;
    Ok(parts.into_iter().flatten().collect())
}

fn audit_plan(
    current: &RuleSet,
    proposed: &RuleSet,
    catalog: &HashMap<String, CourseRow>,
    plan: &PlanRow,
    as_of: i32,
) -> Result<PlanOutcome, ApiError> {
    let body: PlanBody = serde_json::from_str(&plan.document).map_err(ApiError::internal)?;
    let input = plan_input(&body, catalog, as_of);
    let before =
        audit::audit(current, &input).map_err(|errors| super::rule_errors(errors, "/compareTo"))?;
    let after = audit::audit(proposed, &input).map_err(|errors| super::rule_errors(errors, ""))?;
    Ok(PlanOutcome {
        plan_id: plan.id.clone(),
        student_id: plan.student_id.clone(),
        current: before.status,
        proposed: after.status,
        short_of: after
            .requirements
            .iter()
            .filter(|r| is_short(r.status))
            .map(|r| r.key.clone())
            .collect(),
    })
}

/// Counts gathered page by page.
#[derive(Default)]
struct Tally {
    plans: usize,
    current: BTreeMap<String, usize>,
    proposed: BTreeMap<String, usize>,
    shortfalls: BTreeMap<String, usize>,
    newly_at_risk: Vec<StatusChange>,
}

impl Tally {
    fn add(&mut self, page: Vec<PlanOutcome>) {
        for outcome in page {
            self.plans += 1;
            *self
                .current
                .entry(status_name(outcome.current))
                .or_insert(0) += 1;
            *self
                .proposed
                .entry(status_name(outcome.proposed))
                .or_insert(0) += 1;
            for key in outcome.short_of {
                *self.shortfalls.entry(key).or_insert(0) += 1;
            }
            if !is_short(outcome.current) && is_short(outcome.proposed) {
                self.newly_at_risk.push(StatusChange {
                    plan_id: outcome.plan_id,
                    student_id: outcome.student_id,
                    current: outcome.current,
                    proposed: outcome.proposed,
                });
            }
        }
    }

    fn report(self, year: i32, current: &RuleSet, proposed: &RuleSet) -> ImpactReport {
        let mut shortfalls: Vec<RequirementShortfall> = self
            .shortfalls
            .into_iter()
            .map(|(key, plans_short)| RequirementShortfall { key, plans_short })
            .collect();
        shortfalls.sort_by(|a, b| {
            b.plans_short
                .cmp(&a.plans_short)
                .then_with(|| a.key.cmp(&b.key))
        });
        ImpactReport {
            graduation_year: year,
            plans: self.plans,
            current: CohortOutcome {
                rule_set_id: current.id.clone(),
                rule_set_version: current.version,
                status_counts: self.current,
            },
            proposed: CohortOutcome {
                rule_set_id: proposed.id.clone(),
                rule_set_version: proposed.version,
                status_counts: self.proposed,
            },
            shortfalls,
            newly_at_risk: self.newly_at_risk,
        }
    }
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
    ),
    security(("bearerAuth" = ["rules:read", "plans:read"]), ("oauth2" = ["rules:read", "plans:read"])),
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

    let cohort_district = district_id.clone();
    let (proposed, current, catalog) = crate::store::read!(state.store, |conn, q| {
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
        let catalog: HashMap<String, CourseRow> = q::courses::all_of_district(conn, &district_id)?
            .into_iter()
            .map(|c| (c.id.clone(), c))
            .collect();
        Ok((proposed, current, catalog))
    })?;
    audit::validate(&current).map_err(|errors| super::rule_errors(errors, "/compareTo"))?;
    audit::validate(&proposed).map_err(|errors| super::rule_errors(errors, ""))?;

    // The cohort is read and audited a page at a time, so memory stays bounded by the page
    // size whatever the size of the class.
    let (current, proposed, catalog) = (Arc::new(current), Arc::new(proposed), Arc::new(catalog));
    let filter = PlanFilter {
        district_ids: vec![cohort_district],
        graduation_year: Some(year),
        status: Some(STATUS_ACTIVE.to_owned()),
        ..PlanFilter::default()
    };
    let mut tally = Tally::default();
    let mut after: Option<String> = None;
    loop {
        let (page_filter, page_after) = (filter.clone(), after.clone());
        let plans = crate::store::read!(state.store, |conn, q| q::plans::list(
            conn,
            &page_filter,
            page_after.as_deref(),
            PAGE
        ))?;
        let Some(last) = plans.last() else {
            break;
        };
        after = Some(last.id.clone());
        let full_page = plans.len() == PAGE as usize;
        let (current, proposed, catalog) = (current.clone(), proposed.clone(), catalog.clone());
        let page = crate::store::blocking(move || {
            audit_page(&current, &proposed, &catalog, &plans, as_of)
        })
        .await?;
        tally.add(page);
        if !full_page {
            break;
        }
    }

    let report = tally.report(year, &current, &proposed);
    Ok(HttpResponse::Ok().json(report))
}
