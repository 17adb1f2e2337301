//! `GET /v1/reviews/compliance`: the compliance of each active plan with its review policy.

use std::collections::{HashMap, HashSet};

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::policy::{PolicySource, effective_policy};
use crate::AppState;
use crate::api::extract::Query;
use crate::api::paging;
use crate::api::responses;
use crate::auth::{Principal, Scope};
use crate::domain::review::{ComplianceStatus, HeldReview, WindowOutcome, WindowState, evaluate};
use crate::domain::school_year::school_year_of;
use crate::error::{ApiError, ErrorCode};
use crate::store::reports::PlanFacts;
use crate::store::reviews::{PolicyRow, ReviewFacts};

/// Compliance of one active plan with its review policy in one school year.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "planId": "0193a1f3-0b1e-7c39-9d55-2f0b8f3f1a77",
    "districtId": "D0259",
    "studentId": "0193a1f2-6c1e-7c39-9d55-2f0b8f3f1a77",
    "schoolId": "1234",
    "schoolYear": 2027,
    "reviewsHeld": 1,
    "reviewsRequired": 2,
    "windowsMet": ["fall"],
    "windowsMissed": [],
    "windows": [
        {"name": "fall", "opens": "2026-08-01", "closes": "2026-12-15", "state": "met", "reviewDate": "2026-10-06"},
        {"name": "spring", "opens": "2027-01-15", "closes": "2027-05-15", "state": "upcoming", "reviewDate": null}
    ],
    "familyAttended": true,
    "lastReviewDate": "2026-10-06",
    "nextDueDate": "2027-05-15",
    "status": "compliant",
    "policySource": "district",
    "policyVersion": 2
}))]
pub struct ComplianceItem {
    pub plan_id: String,
    pub district_id: String,
    pub student_id: String,
    pub school_id: Option<String>,
    pub school_year: i32,
    /// Reviews of the school year dated on or before `asOf`, counting each corrected review
    /// once.
    pub reviews_held: u32,
    /// The policy minimum, less one for each window that closed before the plan was created.
    pub reviews_required: u32,
    pub windows_met: Vec<String>,
    pub windows_missed: Vec<String>,
    pub windows: Vec<WindowOutcome>,
    /// Whether a parent or guardian attended a counted review.
    pub family_attended: bool,
    pub last_review_date: Option<NaiveDate>,
    /// Earliest deadline, on or after `asOf`, of an unmet obligation.
    pub next_due_date: Option<NaiveDate>,
    pub status: ComplianceStatus,
    pub policy_source: PolicySource,
    /// Version of the policy used, the newest stored on or before `asOf`; 0 for the built-in
    /// policy.
    pub policy_version: i32,
}

/// Judges a page of plans with the reviews loaded for them in one query. Of `policies`, only
/// versions stored on or before `as_of` (UTC) apply, so later versions leave the report unchanged.
pub(crate) fn judge_plans(
    policies: &[PolicyRow],
    plans: &[PlanFacts],
    reviews: Vec<ReviewFacts>,
    school_year: i32,
    as_of: NaiveDate,
) -> Result<Vec<ComplianceItem>, ApiError> {
    let policies: Vec<PolicyRow> = policies
        .iter()
        .filter(|p| p.created_at.date() <= as_of)
        .cloned()
        .collect();
    let superseded: HashSet<String> = reviews.iter().filter_map(|r| r.amends.clone()).collect();
    let mut by_plan: HashMap<String, Vec<HeldReview>> = HashMap::new();
    for review in reviews {
        if superseded.contains(&review.id) {
            continue;
        }
        by_plan.entry(review.plan_id).or_default().push(HeldReview {
            date: review.held_on,
            family_attended: review.family_attended,
        });
    }

    let mut items = Vec::with_capacity(plans.len());
    for plan in plans {
        let policy = effective_policy(&policies, &plan.district_id, plan.school_id.as_deref())?;
        let held = by_plan.get(&plan.id).map(Vec::as_slice).unwrap_or_default();
        let result = evaluate(
            &policy.policy,
            school_year,
            plan.created_at.date(),
            held,
            as_of,
        );
        let names_in = |state: WindowState| -> Vec<String> {
            result
                .windows
                .iter()
                .filter(|w| w.state == state)
                .map(|w| w.name.clone())
                .collect()
        };
        items.push(ComplianceItem {
            plan_id: plan.id.clone(),
            district_id: plan.district_id.clone(),
            student_id: plan.student_id.clone(),
            school_id: plan.school_id.clone(),
            school_year,
            reviews_held: result.reviews_held,
            reviews_required: result.reviews_required,
            windows_met: names_in(WindowState::Met),
            windows_missed: names_in(WindowState::Missed),
            windows: result.windows.clone(),
            family_attended: result.family_attended,
            last_review_date: result.last_review_date,
            next_due_date: result.next_due_date,
            status: result.status,
            policy_source: policy.source,
            policy_version: policy.version,
        });
    }
    Ok(items)
}

/// A page of the compliance report.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"schoolYear": 2027, "asOf": "2027-02-01", "items": [], "nextCursor": null}))]
pub struct CompliancePage {
    pub school_year: i32,
    /// Only reviews dated on or before this day counted.
    pub as_of: NaiveDate,
    pub items: Vec<ComplianceItem>,
    /// Pass as `cursor` to get the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// Filters and paging for the compliance report.
#[derive(Debug, Clone, Deserialize, Validate, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ComplianceQuery {
    /// School year to judge, named by the calendar year in which it ends; default the school
    /// year of `asOf`.
    #[validate(range(
        min = 2000,
        max = 2100,
        message = "schoolYear must be between 2000 and 2100"
    ))]
    #[param(minimum = 2000, maximum = 2100)]
    pub school_year: Option<i32>,
    /// Only this district (one of the client's).
    #[param(pattern = "^D[0-9]{4}$")]
    pub district_id: Option<String>,
    #[validate(custom(function = "crate::api::students::validate_school_id"))]
    #[param(pattern = "^[0-9]{4}$")]
    pub school_id: Option<String>,
    /// Only plans with this status.
    pub status: Option<ComplianceStatus>,
    /// Judge as of this day: only reviews dated on or before it count, and the policy is the
    /// newest version stored on or before it. Default today (UTC).
    pub as_of: Option<NaiveDate>,
    /// Page size, 1 to 1000; default 100.
    #[validate(range(min = 1, max = 1000, message = "limit must be between 1 and 1000"))]
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
    /// `nextCursor` of the previous page.
    pub cursor: Option<String>,
}

/// Representation of the compliance report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    Csv,
}

/// Picks JSON or CSV from the `Accept` header: the supported type with the highest quality,
/// the first listed on a tie. No header means JSON.
fn negotiate(req: &HttpRequest) -> Result<Format, ApiError> {
    let Some(accept) = req.headers().get(header::ACCEPT) else {
        return Ok(Format::Json);
    };
    let accept = accept.to_str().unwrap_or_default();
    let mut best: Option<(f32, Format)> = None;
    for range in accept.split(',') {
        let mut parts = range.split(';').map(str::trim);
        let media = parts.next().unwrap_or_default().to_ascii_lowercase();
        let quality = parts
            .filter_map(|p| p.strip_prefix("q="))
            .find_map(|q| q.parse::<f32>().ok())
            .unwrap_or(1.0);
        let format = match media.as_str() {
            "application/json" | "application/*" | "*/*" => Format::Json,
            "text/csv" | "text/*" => Format::Csv,
            _ => continue,
        };
        if quality > 0.0 && best.is_none_or(|(q, _)| quality > q) {
            best = Some((quality, format));
        }
    }
    best.map(|(_, format)| format).ok_or_else(|| {
        ApiError::new(
            ErrorCode::NotAcceptable,
            "this operation returns application/json or text/csv; send an Accept header that includes one of them",
        )
    })
}

const CSV_HEADER: [&str; 14] = [
    "planId",
    "districtId",
    "studentId",
    "schoolId",
    "schoolYear",
    "status",
    "reviewsHeld",
    "reviewsRequired",
    "windowsMet",
    "windowsMissed",
    "familyAttended",
    "lastReviewDate",
    "nextDueDate",
    "policyVersion",
];

/// Renders the items as CSV with a header row; list cells separate values with `;`.
fn to_csv(items: &[ComplianceItem]) -> Result<String, ApiError> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer
        .write_record(CSV_HEADER)
        .map_err(ApiError::internal)?;
    let date = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    for item in items {
        writer
            .write_record([
                item.plan_id.clone(),
                item.district_id.clone(),
                item.student_id.clone(),
                item.school_id.clone().unwrap_or_default(),
                item.school_year.to_string(),
                item.status.as_str().to_owned(),
                item.reviews_held.to_string(),
                item.reviews_required.to_string(),
                item.windows_met.join(";"),
                item.windows_missed.join(";"),
                item.family_attended.to_string(),
                date(item.last_review_date),
                date(item.next_due_date),
                item.policy_version.to_string(),
            ])
            .map_err(ApiError::internal)?;
    }
    let bytes = writer.into_inner().map_err(ApiError::internal)?;
    String::from_utf8(bytes).map_err(ApiError::internal)
}

/// Builds the URL of the next CSV page: the request's query with `cursor` replaced.
fn next_page_url(req: &HttpRequest, cursor: &str) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (name, value) in form_urlencoded::parse(req.query_string().as_bytes()) {
        if name != "cursor" {
            query.append_pair(&name, &value);
        }
    }
    query.append_pair("cursor", cursor);
    format!("{}?{}", req.path(), query.finish())
}

/// Get the review compliance report
///
/// One row per active plan: reviews held, windows met and missed, the last review, the next
/// deadline and a status, judged against the effective review policy (school, else district,
/// else built-in). `asOf` makes the report reproducible: only reviews dated on or before it
/// count, and the policy is the newest version stored on or before it (UTC). A plan created during the year is judged only on windows that close after its
/// creation. With `Accept: text/csv` the page is CSV and the next page is linked in a `Link`
/// header (`rel="next"`).
#[utoipa::path(
    tag = "reviews",
    params(ComplianceQuery),
    responses(
        (status = 200, description = "A page of the report",
            headers(("Link" = String, description = "CSV only: URL of the next page, `rel=\"next\"`")),
            content(
                (CompliancePage = "application/json"),
                (String = "text/csv", example = "planId,districtId,studentId,schoolId,schoolYear,status,reviewsHeld,reviewsRequired,windowsMet,windowsMissed,familyAttended,lastReviewDate,nextDueDate,policyVersion\n0193a1f3-0b1e-7c39-9d55-2f0b8f3f1a77,D0259,0193a1f2-6c1e-7c39-9d55-2f0b8f3f1a77,1234,2027,compliant,1,2,fall,,true,2026-10-06,2027-05-15,0\n"),
            )),
        (status = 400, response = responses::BadRequest),
        (status = 401, response = responses::Unauthorized),
        (status = 403, response = responses::Forbidden),
        (status = 406, response = responses::NotAcceptable),
        (status = 503, response = responses::ServiceUnavailable),
    ),
    security(("bearerAuth" = ["reviews:read"]), ("oauth2" = ["reviews:read"])),
)]
#[get("/v1/reviews/compliance")]
pub async fn get_review_compliance(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    Query(query): Query<ComplianceQuery>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Scope::ReviewsRead)?;
    let format = negotiate(&req)?;
    let after = query
        .cursor
        .as_deref()
        .map(paging::decode_cursor)
        .transpose()?;
    let as_of = query
        .as_of
        .unwrap_or_else(|| chrono::Utc::now().date_naive());
    let school_year = query.school_year.unwrap_or_else(|| school_year_of(as_of));
    let scope = crate::store::reports::PlanScope {
        district_ids: principal.districts_for_filter(query.district_id.as_deref())?,
        school_id: query.school_id.clone(),
        graduation_year: None,
    };
    let fetch = paging::fetch_size(query.limit);
    let status = query.status;

    let items = crate::store::read!(state.store, |conn, q| {
        let policies = q::reviews::policies(conn, &scope.district_ids)?;
        let mut items = Vec::new();
        let mut after = after.clone();
        // With a status filter a batch of plans may yield few items, so batches continue
        // until the page plus one item is full or the plans run out.
        loop {
            let plans = q::reports::active_plans(conn, &scope, after.as_deref(), fetch)?;
            let ids: Vec<String> = plans.iter().map(|p| p.id.clone()).collect();
            let reviews = q::reviews::facts_for_plans(conn, &scope.district_ids, &ids)?;
            let judged = judge_plans(&policies, &plans, reviews, school_year, as_of)?;
            items.extend(
                judged
                    .into_iter()
                    .filter(|item| status.is_none_or(|s| s == item.status)),
            );
            let exhausted = (plans.len() as i64) < fetch;
            if exhausted || items.len() as i64 >= fetch {
                break;
            }
            after = plans.last().map(|p| p.id.clone());
        }
        items.truncate(usize::try_from(fetch).unwrap_or(usize::MAX));
        Ok(items)
    })?;
    let (items, next_cursor) = paging::finish(items, query.limit, |item| item.plan_id.as_str());

    match format {
        Format::Json => Ok(HttpResponse::Ok().json(CompliancePage {
            school_year,
            as_of,
            items,
            next_cursor,
        })),
        Format::Csv => {
            let mut response = HttpResponse::Ok();
            response.content_type("text/csv; charset=utf-8");
            if let Some(cursor) = &next_cursor {
                response.insert_header((
                    header::LINK,
                    format!("<{}>; rel=\"next\"", next_page_url(&req, cursor)),
                ));
            }
            Ok(response.body(to_csv(&items)?))
        }
    }
}
