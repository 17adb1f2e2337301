//! `/v1/review-policy`: the review policy of a district or school, versioned.

use actix_web::http::header;
use actix_web::{HttpResponse, get, put, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::AppState;
use crate::api::extract::{Json, Query};
use crate::api::preconditions::{IfMatch, etag};
use crate::api::responses;
use crate::auth::{Principal, Scope};
use crate::domain::review::{ReviewKind, ReviewPolicy, ReviewWindow};
use crate::error::{ApiError, FieldError};
use crate::store::reviews::PolicyRow;

/// Origin of an effective policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PolicySource {
    /// A version stored for the school.
    School,
    /// A version stored for the district.
    District,
    /// The built-in policy, version 0.
    Default,
}

/// The policy that applies to a school or district, with its origin.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "districtId": "D0259",
    "schoolId": "1234",
    "source": "district",
    "version": 2,
    "createdAt": "2026-08-01T12:00:00Z",
    "minimumReviewsPerYear": 2,
    "windows": [
        {"name": "fall", "opens": {"month": 8, "day": 1}, "closes": {"month": 12, "day": 15}},
        {"name": "spring", "opens": {"month": 1, "day": 15}, "closes": {"month": 5, "day": 15}}
    ],
    "familyAttendanceRequired": true,
    "dueSoonDays": 14,
    "allowedKinds": ["fall", "spring", "annual", "student_led_conference", "transition", "ad_hoc"]
}))]
pub struct EffectivePolicy {
    pub district_id: String,
    /// The school that was asked for, if any.
    pub school_id: Option<String>,
    pub source: PolicySource,
    /// Version of the stored policy at its source; 0 for the built-in policy.
    pub version: i32,
    /// When the version was stored; `null` for the built-in policy.
    pub created_at: Option<chrono::DateTime<chrono::Utc>>,
    #[serde(flatten)]
    pub policy: ReviewPolicy,
}

/// Picks the policy of `school_id` from `rows` (newest version first): the school's newest
/// version, else the district's, else the built-in policy.
pub(crate) fn effective_policy(
    rows: &[PolicyRow],
    district_id: &str,
    school_id: Option<&str>,
) -> Result<EffectivePolicy, ApiError> {
    let in_district = || rows.iter().filter(|r| r.district_id == district_id);
    let school_row =
        school_id.and_then(|school| in_district().find(|r| r.school_id.as_deref() == Some(school)));
    let (row, source) = match school_row {
        Some(row) => (Some(row), PolicySource::School),
        None => match in_district().find(|r| r.school_id.is_none()) {
            Some(row) => (Some(row), PolicySource::District),
            None => (None, PolicySource::Default),
        },
    };
    let policy = match row {
        Some(row) => serde_json::from_str(&row.document).map_err(ApiError::internal)?,
        None => ReviewPolicy::default(),
    };
    Ok(EffectivePolicy {
        district_id: district_id.to_owned(),
        school_id: school_id.map(str::to_owned),
        source,
        version: row.map_or(0, |r| r.version),
        created_at: row.map(|r| r.created_at.and_utc()),
        policy,
    })
}

/// A new policy version. Omitted fields take the built-in default.
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(example = json!({
    "schoolId": "1234",
    "minimumReviewsPerYear": 2,
    "windows": [
        {"name": "fall", "opens": {"month": 8, "day": 1}, "closes": {"month": 12, "day": 15}},
        {"name": "spring", "opens": {"month": 1, "day": 15}, "closes": {"month": 5, "day": 15}}
    ],
    "familyAttendanceRequired": true,
    "dueSoonDays": 21,
    "allowedKinds": ["fall", "spring", "student_led_conference", "ad_hoc"]
}))]
pub struct PolicyInput {
    /// District of the policy; may be omitted when the client acts for one district.
    #[schema(pattern = "^D[0-9]{4}$")]
    pub district_id: Option<String>,
    /// School of the policy; omit it for the district-wide policy.
    #[schema(pattern = "^[0-9]{4}$")]
    pub school_id: Option<String>,
    /// Default 2.
    #[validate(range(max = 12, message = "minimumReviewsPerYear must be between 0 and 12"))]
    #[schema(minimum = 0, maximum = 12)]
    pub minimum_reviews_per_year: Option<u32>,
    /// Default fall (August 1 to December 15) and spring (January 15 to May 15).
    #[validate(length(max = 6, message = "windows may list at most 6 windows"))]
    #[schema(max_items = 6)]
    pub windows: Option<Vec<ReviewWindow>>,
    /// Default false.
    pub family_attendance_required: Option<bool>,
    /// Default 14.
    #[validate(range(max = 120, message = "dueSoonDays must be between 0 and 120"))]
    #[schema(minimum = 0, maximum = 120)]
    pub due_soon_days: Option<u32>,
    /// Default every kind.
    #[validate(length(min = 1, message = "allowedKinds must list at least one kind"))]
    #[schema(min_items = 1)]
    pub allowed_kinds: Option<Vec<ReviewKind>>,
}

/// Applies the defaults to `input` and checks what the field validators cannot.
/// Checks `input` and builds its policy row for `district_id`, created by `client_id` at `at`.
/// The version stays 0 until the store assigns the next one.
pub(crate) fn policy_row(
    district_id: &str,
    input: &PolicyInput,
    client_id: &str,
    at: chrono::NaiveDateTime,
) -> Result<(ReviewPolicy, PolicyRow), ApiError> {
    let policy = checked_policy(input)?;
    let row = PolicyRow {
        district_id: district_id.to_owned(),
        id: crate::store::new_id(),
        school_id: input.school_id.clone(),
        version: 0,
        document: serde_json::to_string(&policy).map_err(ApiError::internal)?,
        created_by: client_id.to_owned(),
        created_at: at,
    };
    Ok((policy, row))
}

fn checked_policy(input: &PolicyInput) -> Result<ReviewPolicy, ApiError> {
    let defaults = ReviewPolicy::default();
    let policy = ReviewPolicy {
        minimum_reviews_per_year: input
            .minimum_reviews_per_year
            .unwrap_or(defaults.minimum_reviews_per_year),
        windows: input.windows.clone().unwrap_or(defaults.windows),
        family_attendance_required: input
            .family_attendance_required
            .unwrap_or(defaults.family_attendance_required),
        due_soon_days: input.due_soon_days.unwrap_or(defaults.due_soon_days),
        allowed_kinds: input
            .allowed_kinds
            .clone()
            .unwrap_or(defaults.allowed_kinds),
    };

    let mut errors = Vec::new();
    for (index, window) in policy.windows.iter().enumerate() {
        let name_length = window.name.chars().count();
        if !(1..=50).contains(&name_length) {
            errors.push(FieldError::body(
                format!("/windows/{index}/name"),
                "length",
                "name must be 1 to 50 characters",
            ));
        }
        if policy.windows[..index]
            .iter()
            .any(|w| w.name == window.name)
        {
            errors.push(FieldError::body(
                format!("/windows/{index}/name"),
                "duplicate",
                format!(
                    "window name {:?} is used twice; give each window its own name",
                    window.name
                ),
            ));
        }
        for (field, day) in [("opens", window.opens), ("closes", window.closes)] {
            if let Err(message) = day.check() {
                errors.push(FieldError::body(
                    format!("/windows/{index}/{field}"),
                    "date",
                    message,
                ));
            }
        }
        if !window.is_ordered() {
            errors.push(FieldError::body(
                format!("/windows/{index}/closes"),
                "order",
                "a window must close after it opens within one school year (July 1 to June 30)",
            ));
        }
    }
    for (index, kind) in policy.allowed_kinds.iter().enumerate() {
        if policy.allowed_kinds[..index].contains(kind) {
            errors.push(FieldError::body(
                format!("/allowedKinds/{index}"),
                "duplicate",
                format!("{} is listed twice", kind.as_str()),
            ));
        }
    }
    if errors.is_empty() {
        Ok(policy)
    } else {
        Err(ApiError::validation(errors))
    }
}

/// Scope of the policy to read.
#[derive(Debug, Clone, Deserialize, Validate, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PolicyQuery {
    /// District; may be omitted when the client acts for one district.
    #[param(pattern = "^D[0-9]{4}$")]
    pub district_id: Option<String>,
    /// The school whose effective policy to return; omit it for the district's.
    #[validate(custom(function = "crate::api::students::validate_school_id"))]
    #[param(pattern = "^[0-9]{4}$")]
    pub school_id: Option<String>,
}

/// Get the effective review policy
///
/// Returns the school's newest policy version, else the district's, else the built-in
/// policy. The ETag is the version stored for exactly the requested scope (`"0"` when none),
/// which is what `PUT` compares `If-Match` with.
#[utoipa::path(
    tag = "reviews",
    params(PolicyQuery),
    responses(
        (status = 200, description = "The effective policy", body = EffectivePolicy,
            headers(("ETag" = String, description = "Version stored for the requested school or district"))),
        (status = 400, response = responses::BadRequest),
        (status = 401, response = responses::Unauthorized),
        (status = 403, response = responses::Forbidden),
        (status = 404, response = responses::NotFound),
        (status = 503, response = responses::ServiceUnavailable),
    ),
    security(("bearerAuth" = ["reviews:read"]), ("oauth2" = ["reviews:read"])),
)]
#[get("/v1/review-policy")]
pub async fn get_review_policy(
    state: web::Data<AppState>,
    principal: Principal,
    Query(query): Query<PolicyQuery>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Scope::ReviewsRead)?;
    let district_id = principal.district_for_read(query.district_id.as_deref())?;
    let school_id = query.school_id;
    let (policy, scoped_version) = crate::store::read!(state.store, |conn, q| {
        if let Some(school_id) = &school_id
            && q::districts::find_school(conn, &district_id, school_id)?.is_none()
        {
            return Err(ApiError::not_found("school"));
        }
        let rows = q::reviews::policies(conn, std::slice::from_ref(&district_id))?;
        let policy = effective_policy(&rows, &district_id, school_id.as_deref())?;
        let scoped_version =
            q::reviews::current_policy_version(conn, &district_id, school_id.as_deref())?;
        Ok((policy, scoped_version))
    })?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(scoped_version)))
        .json(policy))
}

/// Store a new review policy version
///
/// Stores the body as the next version of the district's policy, or of one school's when
/// `schoolId` is given. Earlier versions stay stored. `If-Match` carries the ETag from
/// `GET /v1/review-policy` for the same school or district (`"0"` before the first version),
/// or `*`.
#[utoipa::path(
    tag = "reviews",
    params(("If-Match" = String, Header, description = "ETag of the version the change is based on, `\"0\"` when none is stored, or `*`")),
    request_body = PolicyInput,
    responses(
        (status = 200, description = "The stored version", body = EffectivePolicy,
            headers(("ETag" = String, description = "The new version"))),
        (status = 400, response = responses::BadRequest),
        (status = 401, response = responses::Unauthorized),
        (status = 403, response = responses::Forbidden),
        (status = 409, response = responses::Conflict),
        (status = 412, response = responses::PreconditionFailed),
        (status = 413, response = responses::PayloadTooLarge),
        (status = 415, response = responses::UnsupportedMediaType),
        (status = 422, response = responses::ValidationFailed),
        (status = 428, response = responses::PreconditionRequired),
        (status = 503, response = responses::ServiceUnavailable),
    ),
    security(("bearerAuth" = ["reviews:admin"]), ("oauth2" = ["reviews:admin"])),
)]
#[put("/v1/review-policy")]
pub async fn put_review_policy(
    state: web::Data<AppState>,
    principal: Principal,
    if_match: IfMatch,
    Json(input): Json<PolicyInput>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Scope::ReviewsAdmin)?;
    let district_id = principal.district_for_write(input.district_id.as_deref(), "/districtId")?;
    let now = crate::store::now();
    let (policy, row) = policy_row(&district_id, &input, &principal.client_id, now)?;

    let version = crate::store::write!(state.store, |conn, q| {
        if let Some(school_id) = &row.school_id
            && q::districts::find_school(conn, &row.district_id, school_id)?.is_none()
        {
            return Err(ApiError::invalid_field(
                "/schoolId",
                "unknown",
                "schoolId does not name a school of the district",
            ));
        }
        let current =
            q::reviews::current_policy_version(conn, &row.district_id, row.school_id.as_deref())?;
        if_match.check(current)?;
        q::reviews::create_policy(conn, &row)
    })?;

    let stored = EffectivePolicy {
        district_id,
        source: if input.school_id.is_some() {
            PolicySource::School
        } else {
            PolicySource::District
        },
        school_id: input.school_id,
        version,
        created_at: Some(now.and_utc()),
        policy,
    };
    Ok(crate::api::preconditions::with_etag(version, &stored))
}
