//! Create, read, replace, delete and list students.

use actix_web::{HttpResponse, delete, get, post, put, web};

use super::{Student, StudentInput, StudentListQuery, StudentPage};
use crate::AppState;
use crate::api::extract::{Json, Query};
use crate::api::idempotency::{self, Created, IdempotencyKey};
use crate::api::paging;
use crate::api::preconditions::{IfMatch, etag, lost_race, with_etag};
use crate::api::responses;
use crate::auth::{Principal, Scope};
use crate::error::ApiError;
use crate::store::students::{StudentFilter, StudentRow};

fn location(id: &str) -> String {
    format!("/v1/students/{id}")
}

fn single(row: StudentRow) -> HttpResponse {
    with_etag(row.revision, &Student::from(row))
}

/// Create a student
///
/// The KIDS id (`studentUniqueId`) is the natural key; a second student with the same KIDS
/// id in the district gets 409. Send `Idempotency-Key` to make retries safe.
#[utoipa::path(
    tag = "students",
    params(("Idempotency-Key" = Option<String>, Header, description = "Client-chosen key that makes a retry replay the first response; kept 24 hours")),
    request_body = StudentInput,
    responses(
        (status = 201, description = "Created", body = Student,
            headers(("ETag" = String, description = "Revision of the new student"), ("Location" = String, description = "URL of the new student"))),
        (status = 400, response = responses::BadRequest),
        (status = 401, response = responses::Unauthorized),
        (status = 403, response = responses::Forbidden),
        (status = 409, response = responses::Conflict),
        (status = 413, response = responses::PayloadTooLarge),
        (status = 415, response = responses::UnsupportedMediaType),
        (status = 422, response = responses::ValidationFailed),
        (status = 503, response = responses::ServiceUnavailable),
    ),
    security(("bearerAuth" = ["students:write"]), ("oauth2" = ["students:write"])),
)]
#[post("/v1/students")]
pub async fn create_student(
    state: web::Data<AppState>,
    principal: Principal,
    key: IdempotencyKey,
    Json(input): Json<StudentInput>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Scope::StudentsWrite)?;
    let district_id = principal.district_for_write(input.district_id.as_deref(), "/districtId")?;
    let fingerprint = idempotency::fingerprint("POST /v1/students", &input)?;

    let row = StudentRow::new(district_id, input.fields());
    idempotency::create_once!(state, &principal, key, fingerprint, |conn, q| {
        q::students::create(conn, &row)?;
        Created::new(
            &Student::from(row.clone()),
            etag(row.revision),
            location(&row.id),
        )
    })
}

/// Get a student
#[utoipa::path(
    tag = "students",
    params(("studentId" = String, Path, description = "Student id")),
    responses(
        (status = 200, description = "The student", body = Student,
            headers(("ETag" = String, description = "Current revision"))),
        (status = 401, response = responses::Unauthorized),
        (status = 403, response = responses::Forbidden),
        (status = 404, response = responses::NotFound),
        (status = 503, response = responses::ServiceUnavailable),
    ),
    security(("bearerAuth" = ["students:read"]), ("oauth2" = ["students:read"])),
)]
#[get("/v1/students/{studentId}")]
pub async fn get_student(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Scope::StudentsRead)?;
    let id = path.into_inner();
    let districts = principal.districts().to_vec();
    let row = crate::store::lookup!(state.store, |conn, q| q::students::find(
        conn, &districts, &id
    ))?
    .ok_or_else(|| ApiError::not_found("student"))?;
    Ok(single(row))
}

/// Replace a student
///
/// Sends the full writable representation. `If-Match` must carry the ETag that was read;
/// a stale one gets 412 with the current ETag. A student cannot move to another district.
#[utoipa::path(
    tag = "students",
    params(
        ("studentId" = String, Path, description = "Student id"),
        ("If-Match" = String, Header, description = "ETag of the revision the change is based on, or `*`"),
    ),
    request_body = StudentInput,
    responses(
        (status = 200, description = "The updated student", body = Student,
            headers(("ETag" = String, description = "New revision"))),
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
    security(("bearerAuth" = ["students:write"]), ("oauth2" = ["students:write"])),
)]
#[put("/v1/students/{studentId}")]
pub async fn replace_student(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    if_match: IfMatch,
    Json(input): Json<StudentInput>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Scope::StudentsWrite)?;
    let id = path.into_inner();
    let districts = principal.districts().to_vec();

    let row = crate::store::write!(state.store, |conn, q| {
        let current = q::students::find(conn, &districts, &id)?
            .ok_or_else(|| ApiError::not_found("student"))?;
        if_match.check(current.revision)?;
        if input
            .district_id
            .as_deref()
            .is_some_and(|d| d != current.district_id)
        {
            return Err(ApiError::invalid_field(
                "/districtId",
                "immutable",
                "a student cannot move to another district; create the student in the new district",
            ));
        }

        let fields = input.fields();
        if fields == current.fields() {
            return Ok(current);
        }
        let next = current.revised(fields);
        if !q::students::replace(conn, &next)? {
            // A concurrent writer committed first; report the revision it left.
            let latest = q::students::find(conn, &districts, &id)?;
            return Err(lost_race(latest.map(|row| row.revision), "student"));
        }
        Ok(next)
    })?;
    Ok(single(row))
}

/// Delete a student
///
/// The change feed records the delete with the student's natural key.
#[utoipa::path(
    tag = "students",
    params(
        ("studentId" = String, Path, description = "Student id"),
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
    security(("bearerAuth" = ["students:write"]), ("oauth2" = ["students:write"])),
)]
#[delete("/v1/students/{studentId}")]
pub async fn delete_student(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    principal.require(Scope::StudentsWrite)?;
    let id = path.into_inner();
    let districts = principal.districts().to_vec();

    crate::store::write!(state.store, |conn, q| {
        let current = q::students::find(conn, &districts, &id)?
            .ok_or_else(|| ApiError::not_found("student"))?;
        if_match.check(current.revision)?;
        if !q::students::delete(conn, &current)? {
            let latest = q::students::find(conn, &districts, &id)?;
            return Err(lost_race(latest.map(|row| row.revision), "student"));
        }
        Ok(())
    })?;
    Ok(HttpResponse::NoContent().finish())
}

/// List students
///
/// Keyset-paged in id order (ids are time-ordered). Filter by school, grade level,
/// graduation year, status or change time, or look up by natural key
/// (`studentUniqueId`, `sisId`, `sourcedId`).
#[utoipa::path(
    tag = "students",
    params(StudentListQuery),
    responses(
        (status = 200, description = "A page of students", body = StudentPage),
        (status = 400, response = responses::BadRequest),
        (status = 401, response = responses::Unauthorized),
        (status = 403, response = responses::Forbidden),
        (status = 503, response = responses::ServiceUnavailable),
    ),
    security(("bearerAuth" = ["students:read"]), ("oauth2" = ["students:read"])),
)]
#[get("/v1/students")]
pub async fn list_students(
    state: web::Data<AppState>,
    principal: Principal,
    Query(query): Query<StudentListQuery>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Scope::StudentsRead)?;
    let after = query
        .cursor
        .as_deref()
        .map(paging::decode_cursor)
        .transpose()?;
    let filter = StudentFilter {
        district_ids: principal.districts_for_filter(query.district_id.as_deref())?,
        school_id: query.school_id,
        grade_level: query.grade_level,
        graduation_year: query.graduation_year,
        status: query.status.map(|s| s.as_str().to_owned()),
        student_unique_id: query.student_unique_id,
        sis_id: query.sis_id,
        sourced_id: query.sourced_id,
        updated_since: query.updated_since.map(|t| t.naive_utc()),
    };
    let fetch = paging::fetch_size(query.limit);

    let rows = crate::store::read!(state.store, |conn, q| q::students::list(
        conn,
        &filter,
        after.as_deref(),
        fetch
    ))?;
    let (rows, next_cursor) = paging::finish(rows, query.limit, |row| row.id.as_str());
    Ok(HttpResponse::Ok().json(StudentPage {
        items: rows.into_iter().map(Student::from).collect(),
        next_cursor,
    }))
}
