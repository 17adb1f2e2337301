//! Create, read, replace, delete and list catalog courses.

use actix_web::{HttpResponse, delete, get, post, put, web};

use super::{Course, CourseInput, CourseListQuery, CoursePage};
use crate::AppState;
use crate::api::extract::{Json, Query};
use crate::api::idempotency::{self, Created, IdempotencyKey};
use crate::api::paging;
use crate::api::preconditions::{IfMatch, etag, lost_race, with_etag};
use crate::api::responses;
use crate::auth::{Principal, Scope};
use crate::error::{ApiError, ErrorCode};
use crate::store::courses::{CourseFilter, CourseRow};

/// Create a catalog course
///
/// The course code is the natural key within the district. Send `Idempotency-Key` to make
/// retries safe.
#[utoipa::path(
    tag = "courses",
    params(("Idempotency-Key" = Option<String>, Header, description = "Client-chosen key that makes a retry replay the first response; kept 24 hours")),
    request_body = CourseInput,
    responses(
        (status = 201, description = "Created", body = Course,
            headers(("ETag" = String, description = "Revision of the new course"), ("Location" = String, description = "URL of the new course"))),
        (status = 400, response = responses::BadRequest),
        (status = 401, response = responses::Unauthorized),
        (status = 403, response = responses::Forbidden),
        (status = 409, response = responses::Conflict),
        (status = 413, response = responses::PayloadTooLarge),
        (status = 415, response = responses::UnsupportedMediaType),
        (status = 422, response = responses::ValidationFailed),
        (status = 503, response = responses::ServiceUnavailable),
    ),
    security(("bearerAuth" = ["courses:write"]), ("oauth2" = ["courses:write"])),
)]
#[post("/v1/courses")]
pub async fn create_course(
    state: web::Data<AppState>,
    principal: Principal,
    key: IdempotencyKey,
    Json(input): Json<CourseInput>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Scope::CoursesWrite)?;
    let district_id = principal.district_for_write(input.district_id.as_deref(), "/districtId")?;
    let fingerprint = idempotency::fingerprint("POST /v1/courses", &input)?;

    let row = CourseRow::new(district_id, input.fields());
    idempotency::create_once!(state, &principal, key, fingerprint, |conn, q| {
        q::courses::create(conn, &row)?;
        let location = format!("/v1/courses/{}", row.id);
        Created::new(&Course::from(row.clone()), etag(row.revision), location)
    })
}

/// Get a catalog course
#[utoipa::path(
    tag = "courses",
    params(("courseId" = String, Path, description = "Course id")),
    responses(
        (status = 200, description = "The course", body = Course, headers(("ETag" = String, description = "Current revision"))),
        (status = 401, response = responses::Unauthorized),
        (status = 403, response = responses::Forbidden),
        (status = 404, response = responses::NotFound),
        (status = 503, response = responses::ServiceUnavailable),
    ),
    security(("bearerAuth" = ["courses:read"]), ("oauth2" = ["courses:read"])),
)]
#[get("/v1/courses/{courseId}")]
pub async fn get_course(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Scope::CoursesRead)?;
    let id = path.into_inner();
    let districts = principal.districts().to_vec();
    let row = crate::store::lookup!(state.store, |conn, q| q::courses::find(
        conn, &districts, &id
    ))?
    .ok_or_else(|| ApiError::not_found("course"))?;
    Ok(with_etag(row.revision, &Course::from(row)))
}

/// Replace a catalog course
///
/// `If-Match` must carry the ETag that was read. Set `active` to false to retire a course
/// that plans use.
#[utoipa::path(
    tag = "courses",
    params(
        ("courseId" = String, Path, description = "Course id"),
        ("If-Match" = String, Header, description = "ETag of the revision the change is based on, or `*`"),
    ),
    request_body = CourseInput,
    responses(
        (status = 200, description = "The updated course", body = Course, headers(("ETag" = String, description = "New revision"))),
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
    security(("bearerAuth" = ["courses:write"]), ("oauth2" = ["courses:write"])),
)]
#[put("/v1/courses/{courseId}")]
pub async fn replace_course(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    if_match: IfMatch,
    Json(input): Json<CourseInput>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Scope::CoursesWrite)?;
    let id = path.into_inner();
    let districts = principal.districts().to_vec();

    let row = crate::store::write!(state.store, |conn, q| {
        let current = q::courses::find(conn, &districts, &id)?
            .ok_or_else(|| ApiError::not_found("course"))?;
        if_match.check(current.revision)?;
        if input
            .district_id
            .as_deref()
            .is_some_and(|d| d != current.district_id)
        {
            return Err(ApiError::invalid_field(
                "/districtId",
                "immutable",
                "a course cannot move to another district; create it in the new district",
            ));
        }

        let fields = input.fields();
        if fields == current.fields() {
            return Ok(current);
        }
        let next = current.revised(fields);
        if !q::courses::replace(conn, &next)? {
            let latest = q::courses::find(conn, &districts, &id)?;
            return Err(lost_race(latest.map(|row| row.revision), "course"));
        }
        Ok(next)
    })?;
    Ok(with_etag(row.revision, &Course::from(row)))
}

/// Delete a catalog course
///
/// Only a course that no plan uses can be deleted; retire a used course by replacing it
/// with `active` set to false.
#[utoipa::path(
    tag = "courses",
    params(
        ("courseId" = String, Path, description = "Course id"),
        ("If-Match" = String, Header, description = "ETag of the revision being deleted, or `*`"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, response = responses::BadRequest),
        (status = 401, response = responses::Unauthorized),
        (status = 403, response = responses::Forbidden),
        (status = 404, response = responses::NotFound),
        (status = 409, response = responses::Conflict),
        (status = 412, response = responses::PreconditionFailed),
        (status = 428, response = responses::PreconditionRequired),
        (status = 503, response = responses::ServiceUnavailable),
    ),
    security(("bearerAuth" = ["courses:write"]), ("oauth2" = ["courses:write"])),
)]
#[delete("/v1/courses/{courseId}")]
pub async fn delete_course(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    principal.require(Scope::CoursesWrite)?;
    let id = path.into_inner();
    let districts = principal.districts().to_vec();

    crate::store::write!(state.store, |conn, q| {
        let current = q::courses::find(conn, &districts, &id)?
            .ok_or_else(|| ApiError::not_found("course"))?;
        if_match.check(current.revision)?;
        if q::courses::is_used(conn, &current.district_id, &current.id)? {
            return Err(ApiError::new(
                ErrorCode::Conflict,
                format!(
                    "course {} is used by plans and cannot be deleted; replace it with active set to false to retire it",
                    current.course_code
                ),
            ));
        }
        if !q::courses::delete(conn, &current)? {
            let latest = q::courses::find(conn, &districts, &id)?;
            return Err(lost_race(latest.map(|row| row.revision), "course"));
        }
        Ok(())
    })?;
    Ok(HttpResponse::NoContent().finish())
}

/// List catalog courses
///
/// Keyset-paged in id order. Filter by SCED code or subject area, activity or change time,
/// or look up by course code.
#[utoipa::path(
    tag = "courses",
    params(CourseListQuery),
    responses(
        (status = 200, description = "A page of courses", body = CoursePage),
        (status = 400, response = responses::BadRequest),
        (status = 401, response = responses::Unauthorized),
        (status = 403, response = responses::Forbidden),
        (status = 503, response = responses::ServiceUnavailable),
    ),
    security(("bearerAuth" = ["courses:read"]), ("oauth2" = ["courses:read"])),
)]
#[get("/v1/courses")]
pub async fn list_courses(
    state: web::Data<AppState>,
    principal: Principal,
    Query(query): Query<CourseListQuery>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Scope::CoursesRead)?;
    let after = query
        .cursor
        .as_deref()
        .map(paging::decode_cursor)
        .transpose()?;
    let filter = CourseFilter {
        district_ids: principal.districts_for_filter(query.district_id.as_deref())?,
        course_code: query.course_code,
        sced_code: query.sced_code,
        subject_area: query.subject_area,
        active: query.active,
        updated_since: query.updated_since.map(|t| t.naive_utc()),
    };
    let fetch = paging::fetch_size(query.limit);

    let rows = crate::store::read!(state.store, |conn, q| q::courses::list(
        conn,
        &filter,
        after.as_deref(),
        fetch
    ))?;
    let (rows, next_cursor) = paging::finish(rows, query.limit, |row| row.id.as_str());
    Ok(HttpResponse::Ok().json(CoursePage {
        items: rows.into_iter().map(Course::from).collect(),
        next_cursor,
    }))
}
