//! Record, amend, read and list plan reviews.

use actix_web::{HttpResponse, get, post, web};
use serde::Deserialize;
use utoipa::IntoParams;
use validator::Validate;

use super::model::{AmendmentBody, Review, ReviewBody, ReviewPage, ReviewRole};
use super::policy::effective_policy;
use crate::AppState;
use crate::api::extract::{Json, Query};
use crate::api::idempotency::{self, Created, IdempotencyKey};
use crate::api::paging;
use crate::api::responses;
use crate::auth::{Principal, Scope};
use crate::domain::review::{ReviewKind, ReviewPolicy};
use crate::domain::school_year::school_year_of;
use crate::error::{ApiError, FieldError};
use crate::store::plans::PlanRow;
use crate::store::reviews::{ReviewFilter, ReviewRow};

/// Checks a review against its plan and the effective policy. `prefix` is the pointer of the
/// review inside the request body (empty, or `/review` for an amendment).
fn check_review(
    body: &ReviewBody,
    plan: &PlanRow,
    policy: &ReviewPolicy,
    prefix: &str,
) -> Result<(), ApiError> {
    let mut errors = Vec::new();

    // The UTC date is never behind the Kansas date, so a review dated today in Kansas
    // always passes.
    let today = chrono::Utc::now().date_naive();
    if body.date > today {
        errors.push(FieldError::body(
            format!("{prefix}/date"),
            "future",
            format!(
                "date {} is in the future; record a review after it is held",
                body.date
            ),
        ));
    }

    let plan_created = plan.created_at.date();
    if body.date < plan_created {
        errors.push(FieldError::body(
            format!("{prefix}/date"),
            "before_plan",
            format!(
                "date {} is before the plan was created on {plan_created}",
                body.date
            ),
        ));
    }

    if !body.kind_allowed(policy) {
        let allowed: Vec<&str> = policy.allowed_kinds.iter().map(|k| k.as_str()).collect();
        errors.push(FieldError::body(
            format!("{prefix}/kind"),
            "not_allowed",
            format!(
                "the district review policy does not allow kind {}; use one of: {}",
                body.kind.as_str(),
                allowed.join(", ")
            ),
        ));
    }

    if !body
        .participants
        .iter()
        .any(|p| p.role == ReviewRole::Student)
    {
        errors.push(FieldError::body(
            format!("{prefix}/participants"),
            "student_required",
            "participants must include the student (role student)",
        ));
    }

    for (index, step) in body.next_steps.iter().enumerate() {
        if step.due_date.is_some_and(|due| due < body.date) {
            errors.push(FieldError::body(
                format!("{prefix}/nextSteps/{index}/dueDate"),
                "range",
                "dueDate must be on or after the review date",
            ));
        }
    }

    if let Some(ack) = &body.family_acknowledgement
        && ack.acknowledged
    {
        if ack.method.is_none() {
            errors.push(FieldError::body(
                format!("{prefix}/familyAcknowledgement/method"),
                "required",
                "method is required when acknowledged is true",
            ));
        }
        if ack.at.is_none() {
            errors.push(FieldError::body(
                format!("{prefix}/familyAcknowledgement/at"),
                "required",
                "at is required when acknowledged is true",
            ));
        }
    }

    if body
        .plan_revision
        .is_some_and(|revision| revision > plan.revision)
    {
        errors.push(FieldError::body(
            format!("{prefix}/planRevision"),
            "unknown",
            format!(
                "planRevision must name an existing revision of the plan, 1 to {}",
                plan.revision
            ),
        ));
    }

    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::validation(errors))
    }
}

impl ReviewBody {
    fn kind_allowed(&self, policy: &ReviewPolicy) -> bool {
        policy.allowed_kinds.contains(&self.kind)
    }

    fn family_attended(&self) -> bool {
        self.participants
            .iter()
            .any(|p| p.role == ReviewRole::ParentGuardian && p.attended)
    }
}

/// Builds the row of a new review of `plan`, storing the plan's current revision when the
/// body names none.
fn new_row(
    plan: &PlanRow,
    body: &ReviewBody,
    amends: Option<(&str, &str)>,
    created_by: &str,
) -> Result<ReviewRow, ApiError> {
    let body = ReviewBody {
        plan_revision: Some(body.plan_revision.unwrap_or(plan.revision)),
        ..body.clone()
    };
    Ok(ReviewRow {
        district_id: plan.district_id.clone(),
        id: crate::store::new_id(),
        plan_id: plan.id.clone(),
        plan_revision: body.plan_revision.unwrap_or(plan.revision),
        held_on: body.date,
        school_year: school_year_of(body.date),
        kind: body.kind.as_str().to_owned(),
        family_attended: body.family_attended(),
        amends: amends.map(|(id, _)| id.to_owned()),
        reason: amends.map(|(_, reason)| reason.to_owned()),
        document: serde_json::to_string(&body).map_err(ApiError::internal)?,
        created_by: created_by.to_owned(),
        created_at: crate::store::now(),
    })
}

/// Builds the API representation of a review row.
fn review_of(row: &ReviewRow, amended_by: Option<String>) -> Result<Review, ApiError> {
    Ok(Review {
        id: row.id.clone(),
        district_id: row.district_id.clone(),
        plan_id: row.plan_id.clone(),
        school_year: row.school_year,
        body: serde_json::from_str(&row.document).map_err(ApiError::internal)?,
        amends: row.amends.clone(),
        reason: row.reason.clone(),
        amended_by,
        created_by: row.created_by.clone(),
        created_at: row.created_at.and_utc(),
    })
}

fn created(row: &ReviewRow) -> Result<Created, ApiError> {
    Ok(Created {
        status: actix_web::http::StatusCode::CREATED,
        body: serde_json::to_string(&review_of(row, None)?).map_err(ApiError::internal)?,
        etag: None,
        location: Some(format!("/v1/reviews/{}", row.id)),
    })
}

/// Loads the plan and the policy of its school, checks `body`, and stores the review;
/// expands inside a store transaction.
macro_rules! store_review {
    ($conn:ident, $q:ident, $plan:expr, $body:expr, $prefix:expr, $amends:expr, $client_id:expr) => {{
        let plan: &PlanRow = $plan;
        let policies = $q::reviews::policies($conn, std::slice::from_ref(&plan.district_id))?;
        let policy = effective_policy(&policies, &plan.district_id, plan.school_id.as_deref())?;
        check_review($body, plan, &policy.policy, $prefix)?;
        let row = new_row(plan, $body, $amends, $client_id)?;
        $q::reviews::create($conn, &row)?;
        row
    }};
}

/// Record a plan review
///
/// Reviews are append-only; correct one with `POST /v1/plans/{planId}/reviews/{reviewId}/amendments`. The
/// date sets the school year; it may not be in the future or before the plan was created.
/// The participants must include the student, and the kind must be one the effective review
/// policy allows.
#[utoipa::path(
    tag = "reviews",
    params(
        ("planId" = String, Path, description = "Plan id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Client-chosen key that makes a retry replay the first response; kept 24 hours"),
    ),
    request_body = ReviewBody,
    responses(
        (status = 201, description = "Recorded", body = Review,
            headers(("Location" = String, description = "URL of the new review"))),
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
    security(("bearerAuth" = ["reviews:write"]), ("oauth2" = ["reviews:write"])),
)]
#[post("/v1/plans/{planId}/reviews")]
pub async fn create_review(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    key: IdempotencyKey,
    Json(body): Json<ReviewBody>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Scope::ReviewsWrite)?;
    let plan_id = path.into_inner();
    let districts = principal.districts().to_vec();
    let client_id = principal.client_id.clone();
    let fingerprint =
        idempotency::fingerprint(&format!("POST /v1/plans/{plan_id}/reviews"), &body)?;

    idempotency::create_once!(state, &principal, key, fingerprint, |conn, q| {
        let plan = q::plans::find(conn, &districts, &plan_id)?
            .ok_or_else(|| ApiError::not_found("plan"))?;
        let row = store_review!(conn, q, &plan, &body, "", None, &client_id);
        created(&row)
    })
}

/// Amend a plan review
///
/// Stores a corrected copy of the review as a new review that names the original in
/// `amends`, with the `reason`. The original stays readable and unchanged; compliance counts
/// only the newest correction. A review has at most one amendment, so amend the newest one
/// (409 otherwise).
#[utoipa::path(
    tag = "reviews",
    params(
        ("planId" = String, Path, description = "Plan id"),
        ("reviewId" = String, Path, description = "Id of the review to correct"),
        ("Idempotency-Key" = Option<String>, Header, description = "Client-chosen key that makes a retry replay the first response; kept 24 hours"),
    ),
    request_body = AmendmentBody,
    responses(
        (status = 201, description = "The amendment", body = Review,
            headers(("Location" = String, description = "URL of the amendment"))),
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
    security(("bearerAuth" = ["reviews:write"]), ("oauth2" = ["reviews:write"])),
)]
#[post("/v1/plans/{planId}/reviews/{reviewId}/amendments")]
pub async fn amend_review(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(String, String)>,
    key: IdempotencyKey,
    Json(amendment): Json<AmendmentBody>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Scope::ReviewsWrite)?;
    let (plan_id, review_id) = path.into_inner();
    let districts = principal.districts().to_vec();
    let client_id = principal.client_id.clone();
    let fingerprint = idempotency::fingerprint(
        &format!("POST /v1/plans/{plan_id}/reviews/{review_id}/amendments"),
        &amendment,
    )?;

    idempotency::create_once!(state, &principal, key, fingerprint, |conn, q| {
        let plan = q::plans::find(conn, &districts, &plan_id)?
            .ok_or_else(|| ApiError::not_found("plan"))?;
        let original = q::reviews::find(conn, std::slice::from_ref(&plan.district_id), &review_id)?
            .filter(|review| review.plan_id == plan.id)
            .ok_or_else(|| ApiError::not_found("review"))?;
        if let Some((_, newer)) =
            q::reviews::amendments_of(conn, &plan.district_id, std::slice::from_ref(&original.id))?
                .into_iter()
                .next()
        {
            return Err(ApiError::new(
                crate::error::ErrorCode::Conflict,
                format!(
                    "review {} was already amended by review {newer}; amend that one",
                    original.id
                ),
            ));
        }
        let mut body = amendment.review.clone();
        body.plan_revision = body.plan_revision.or(Some(original.plan_revision));
        let row = store_review!(
            conn,
            q,
            &plan,
            &body,
            "/review",
            Some((original.id.as_str(), amendment.reason.as_str())),
            &client_id
        );
        created(&row)
    })
}

/// Get a plan review
#[utoipa::path(
    tag = "reviews",
    params(("reviewId" = String, Path, description = "Review id")),
    responses(
        (status = 200, description = "The review", body = Review),
        (status = 401, response = responses::Unauthorized),
        (status = 403, response = responses::Forbidden),
        (status = 404, response = responses::NotFound),
        (status = 503, response = responses::ServiceUnavailable),
    ),
    security(("bearerAuth" = ["reviews:read"]), ("oauth2" = ["reviews:read"])),
)]
#[get("/v1/reviews/{reviewId}")]
pub async fn get_review(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Scope::ReviewsRead)?;
    let id = path.into_inner();
    let districts = principal.districts().to_vec();
    let (row, amended_by) = crate::store::read!(state.store, |conn, q| {
        let row = q::reviews::find(conn, &districts, &id)?
            .ok_or_else(|| ApiError::not_found("review"))?;
        let amended_by =
            q::reviews::amendments_of(conn, &row.district_id, std::slice::from_ref(&row.id))?
                .into_iter()
                .next()
                .map(|(_, newer)| newer);
        Ok((row, amended_by))
    })?;
    Ok(HttpResponse::Ok().json(review_of(&row, amended_by)?))
}

/// Filters and paging for `GET /v1/plans/{planId}/reviews`.
#[derive(Debug, Clone, Deserialize, Validate, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReviewListQuery {
    /// Only reviews of this school year, named by the calendar year in which it ends.
    #[validate(range(
        min = 2000,
        max = 2100,
        message = "schoolYear must be between 2000 and 2100"
    ))]
    #[param(minimum = 2000, maximum = 2100)]
    pub school_year: Option<i32>,
    pub kind: Option<ReviewKind>,
    /// Page size, 1 to 1000; default 100.
    #[validate(range(min = 1, max = 1000, message = "limit must be between 1 and 1000"))]
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
    /// `nextCursor` of the previous page.
    pub cursor: Option<String>,
}

/// List a plan's reviews
///
/// Every review, amended ones included, in the order they were recorded.
#[utoipa::path(
    tag = "reviews",
    params(("planId" = String, Path, description = "Plan id"), ReviewListQuery),
    responses(
        (status = 200, description = "A page of reviews", body = ReviewPage),
        (status = 400, response = responses::BadRequest),
        (status = 401, response = responses::Unauthorized),
        (status = 403, response = responses::Forbidden),
        (status = 404, response = responses::NotFound),
        (status = 503, response = responses::ServiceUnavailable),
    ),
    security(("bearerAuth" = ["reviews:read"]), ("oauth2" = ["reviews:read"])),
)]
#[get("/v1/plans/{planId}/reviews")]
pub async fn list_reviews(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    Query(query): Query<ReviewListQuery>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Scope::ReviewsRead)?;
    let plan_id = path.into_inner();
    let districts = principal.districts().to_vec();
    let after = query
        .cursor
        .as_deref()
        .map(paging::decode_cursor)
        .transpose()?;
    let filter = ReviewFilter {
        school_year: query.school_year,
        kind: query.kind.map(|k| k.as_str().to_owned()),
    };
    let fetch = paging::fetch_size(query.limit);

    let (rows, amendments) = crate::store::read!(state.store, |conn, q| {
        let plan = q::plans::find(conn, &districts, &plan_id)?
            .ok_or_else(|| ApiError::not_found("plan"))?;
        let rows = q::reviews::list_for_plan(
            conn,
            &plan.district_id,
            &plan.id,
            &filter,
            after.as_deref(),
            fetch,
        )?;
        let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
        let amendments = q::reviews::amendments_of(conn, &plan.district_id, &ids)?;
        Ok((rows, amendments))
    })?;
    let amended_by: std::collections::HashMap<String, String> = amendments.into_iter().collect();
    let (rows, next_cursor) = paging::finish(rows, query.limit, |row| row.id.as_str());
    let items = rows
        .iter()
        .map(|row| review_of(row, amended_by.get(&row.id).cloned()))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(HttpResponse::Ok().json(ReviewPage { items, next_cursor }))
}
