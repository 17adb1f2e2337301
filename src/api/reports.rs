//! `GET /v1/reports/district-summary`: IPS counts per school and for the district.

use std::collections::{BTreeMap, HashMap};

use actix_web::{HttpResponse, get, web};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::AppState;
use crate::api::extract::Query;
use crate::api::responses;
use crate::api::reviews::judge_plans;
use crate::auth::{Principal, Scope};
use crate::domain::review::{ComplianceStatus, school_year_bounds};
use crate::domain::school_year::school_year_of;
use crate::error::ApiError;
use crate::store::reports::{AssetCount, PlanScope, SchoolCount};

/// Plans by review compliance status.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ComplianceCounts {
    pub compliant: i64,
    pub due_soon: i64,
    pub overdue: i64,
    pub not_yet_due: i64,
}

impl ComplianceCounts {
    fn add(&mut self, status: ComplianceStatus) {
        match status {
            ComplianceStatus::Compliant => self.compliant += 1,
            ComplianceStatus::DueSoon => self.due_soon += 1,
            ComplianceStatus::Overdue => self.overdue += 1,
            ComplianceStatus::NotYetDue => self.not_yet_due += 1,
        }
    }
}

/// Postsecondary assets listed in the plans.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AssetCounts {
    pub total: i64,
    /// Assets by type key, such as `industry_credential`.
    pub by_type: BTreeMap<String, i64>,
}

/// The counts of one school or of the district. Every count is of active plans.
// TODO: add graduation-audit status counts once audit results are stored; audits are
// computed on request today, so there is nothing to count.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SummaryCounts {
    pub plans: i64,
    /// Plans whose student has a survey response administered in the school year.
    pub plans_with_survey_result: i64,
    pub plans_with_career_focus: i64,
    pub review_compliance: ComplianceCounts,
    pub postsecondary_assets: AssetCounts,
}

/// The counts of one school.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SchoolSummary {
    /// `null` for plans without a school.
    pub school_id: Option<String>,
    #[serde(flatten)]
    pub counts: SummaryCounts,
}

/// IPS counts of a district and of each of its schools.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "districtId": "D0259",
    "graduationYear": 2030,
    "schoolYear": 2027,
    "asOf": "2027-02-01",
    "district": {
        "plans": 412, "plansWithSurveyResult": 390, "plansWithCareerFocus": 377,
        "reviewCompliance": {"compliant": 350, "dueSoon": 0, "overdue": 40, "notYetDue": 22},
        "postsecondaryAssets": {"total": 95, "byType": {"community_service_40_hours": 60, "industry_credential": 35}}
    },
    "schools": [{
        "schoolId": "1234",
        "plans": 412, "plansWithSurveyResult": 390, "plansWithCareerFocus": 377,
        "reviewCompliance": {"compliant": 350, "dueSoon": 0, "overdue": 40, "notYetDue": 22},
        "postsecondaryAssets": {"total": 95, "byType": {"community_service_40_hours": 60, "industry_credential": 35}}
    }]
}))]
pub struct DistrictSummary {
    pub district_id: String,
    pub graduation_year: Option<i32>,
    /// School year of the survey and review counts.
    pub school_year: i32,
    /// Review compliance is judged as of this day.
    pub as_of: NaiveDate,
    pub district: SummaryCounts,
    pub schools: Vec<SchoolSummary>,
}

/// Filters of the district summary.
#[derive(Debug, Clone, Deserialize, Validate, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SummaryQuery {
    /// District; may be omitted when the client acts for one district.
    #[param(pattern = "^D[0-9]{4}$")]
    pub district_id: Option<String>,
    /// Only plans of this graduating class.
    #[validate(range(
        min = 2000,
        max = 2100,
        message = "graduationYear must be between 2000 and 2100"
    ))]
    #[param(minimum = 2000, maximum = 2100)]
    pub graduation_year: Option<i32>,
    /// Judge review compliance as of this day, with the review policy stored on or before it;
    /// default today (UTC). Its school year is the one counted.
    pub as_of: Option<NaiveDate>,
}

/// Plans judged per compliance batch.
const COMPLIANCE_BATCH: i64 = 1000;

fn school_entry<'a>(
    schools: &'a mut BTreeMap<Option<String>, SummaryCounts>,
    school_id: &Option<String>,
) -> &'a mut SummaryCounts {
    schools.entry(school_id.clone()).or_default()
}

/// Get the district summary
///
/// Counts of active plans per school and for the district: plans, plans with a survey result
/// in the school year of `asOf`, plans with a career focus, review compliance by status and
/// postsecondary assets by type.
#[utoipa::path(
    tag = "reports",
    params(SummaryQuery),
    responses(
        (status = 200, description = "The summary", body = DistrictSummary),
        (status = 400, response = responses::BadRequest),
        (status = 401, response = responses::Unauthorized),
        (status = 403, response = responses::Forbidden),
        (status = 503, response = responses::ServiceUnavailable),
    ),
    security(("bearerAuth" = ["plans:read", "reviews:read"]), ("oauth2" = ["plans:read", "reviews:read"])),
)]
#[get("/v1/reports/district-summary")]
pub async fn get_district_summary(
    state: web::Data<AppState>,
    principal: Principal,
    Query(query): Query<SummaryQuery>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Scope::PlansRead)?;
    principal.require(Scope::ReviewsRead)?;
    let district_id = principal.district_for_read(query.district_id.as_deref())?;
    let as_of = query
        .as_of
        .unwrap_or_else(|| chrono::Utc::now().date_naive());
    let school_year = school_year_of(as_of);
    let (year_start, year_end) = school_year_bounds(school_year).ok_or_else(|| {
        ApiError::invalid_parameter("asOf", "range", "asOf is outside the supported years")
    })?;
    let scope = PlanScope {
        district_ids: vec![district_id.clone()],
        school_id: None,
        graduation_year: query.graduation_year,
    };

    let asset_district = district_id.clone();
    let (plans, career, surveyed, assets, compliance) =
        crate::store::read!(state.store, |conn, q| {
            let plans = q::reports::plan_counts(conn, &scope)?;
            let career = q::reports::career_focus_counts(conn, &scope)?;
            let surveyed = q::reports::survey_counts(conn, &scope, year_start, year_end)?;
            let assets = q::reports::asset_counts(conn, &asset_district, scope.graduation_year)?;

            // NOTE: compliance depends on each school's policy and on window dates, so it is
            // judged in Rust from narrow plan and review columns, one batch of plans at a time.
            let policies = q::reviews::policies(conn, &scope.district_ids)?;
            let mut compliance: Vec<(Option<String>, ComplianceStatus)> = Vec::new();
            let mut after: Option<String> = None;
            loop {
                let batch =
                    q::reports::active_plans(conn, &scope, after.as_deref(), COMPLIANCE_BATCH)?;
                let ids: Vec<String> = batch.iter().map(|p| p.id.clone()).collect();
                let reviews = q::reviews::facts_for_plans(conn, &scope.district_ids, &ids)?;
                for item in judge_plans(&policies, &batch, reviews, school_year, as_of)? {
                    compliance.push((item.school_id, item.status));
                }
                if (batch.len() as i64) < COMPLIANCE_BATCH {
                    break;
                }
                after = batch.last().map(|p| p.id.clone());
            }
            Ok((plans, career, surveyed, assets, compliance))
        })?;

    let mut schools: BTreeMap<Option<String>, SummaryCounts> = BTreeMap::new();
    let mut district = SummaryCounts::default();
    let add_counts = |rows: Vec<SchoolCount>,
                      schools: &mut BTreeMap<Option<String>, SummaryCounts>,
                      field: fn(&mut SummaryCounts) -> &mut i64| {
        for row in rows {
            *field(school_entry(schools, &row.school_id)) += row.count;
        }
    };
    add_counts(plans, &mut schools, |c| &mut c.plans);
    add_counts(career, &mut schools, |c| &mut c.plans_with_career_focus);
    add_counts(surveyed, &mut schools, |c| &mut c.plans_with_survey_result);
    for AssetCount {
        school_id,
        asset_type,
        count,
    } in assets
    {
        let counts = &mut school_entry(&mut schools, &school_id).postsecondary_assets;
        counts.total += count;
        *counts.by_type.entry(asset_type).or_default() += count;
    }
    for (school_id, status) in compliance {
        school_entry(&mut schools, &school_id)
            .review_compliance
            .add(status);
    }

    let mut district_types: HashMap<String, i64> = HashMap::new();
    for counts in schools.values() {
        district.plans += counts.plans;
        district.plans_with_survey_result += counts.plans_with_survey_result;
        district.plans_with_career_focus += counts.plans_with_career_focus;
        let review = &counts.review_compliance;
        district.review_compliance.compliant += review.compliant;
        district.review_compliance.due_soon += review.due_soon;
        district.review_compliance.overdue += review.overdue;
        district.review_compliance.not_yet_due += review.not_yet_due;
        district.postsecondary_assets.total += counts.postsecondary_assets.total;
        for (kind, count) in &counts.postsecondary_assets.by_type {
            *district_types.entry(kind.clone()).or_default() += count;
        }
    }
    district.postsecondary_assets.by_type = district_types.into_iter().collect();

    Ok(HttpResponse::Ok().json(DistrictSummary {
        district_id,
        graduation_year: query.graduation_year,
        school_year,
        as_of,
        district,
        schools: schools
            .into_iter()
            .map(|(school_id, counts)| SchoolSummary { school_id, counts })
            .collect(),
    }))
}
