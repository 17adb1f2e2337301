//! `/v1/districts`: the districts the client acts for, and their schools. Read-only: the
//! operator creates them with `ips-api district create` and `ips-api school create`.

use actix_web::{HttpResponse, get, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::api::responses;
use crate::auth::Principal;
use crate::error::ApiError;
use crate::store::districts::{DistrictRow, SchoolRow};

/// A school district.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"id": "D0259", "name": "Wichita USD 259"}))]
pub struct District {
    /// KSDE district id, such as `D0259` for USD 259.
    pub id: String,
    pub name: String,
}

/// A school (building) of a district.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"districtId": "D0259", "id": "1234", "name": "North High School"}))]
pub struct School {
    pub district_id: String,
    /// KSDE building number, 4 digits.
    pub id: String,
    pub name: String,
}

/// The districts of the client.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"items": [{"id": "D0259", "name": "Wichita USD 259"}]}))]
pub struct DistrictList {
    pub items: Vec<District>,
}

/// The schools of a district.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"items": [{"districtId": "D0259", "id": "1234", "name": "North High School"}]}))]
pub struct SchoolList {
    pub items: Vec<School>,
}

impl From<DistrictRow> for District {
    fn from(row: DistrictRow) -> District {
        District {
            id: row.id,
            name: row.name,
        }
    }
}

impl From<SchoolRow> for School {
    fn from(row: SchoolRow) -> School {
        School {
            district_id: row.district_id,
            id: row.id,
            name: row.name,
        }
    }
}

/// Narrows the client's districts to `district_id`, or fails with 404 when it is not one of them.
fn own_district(principal: &Principal, district_id: &str) -> Result<Vec<String>, ApiError> {
    let districts = principal.districts_matching(Some(district_id));
    if districts.is_empty() {
        return Err(ApiError::not_found("district"));
    }
    Ok(districts)
}

/// List the client's districts
#[utoipa::path(
    tag = "districts",
    responses(
        (status = 200, description = "The districts this client may act for", body = DistrictList),
        (status = 401, response = responses::Unauthorized),
        (status = 503, response = responses::ServiceUnavailable),
    )
)]
#[get("/v1/districts")]
pub async fn list_districts(
    state: web::Data<AppState>,
    principal: Principal,
) -> Result<HttpResponse, ApiError> {
    let ids = principal.districts().to_vec();
    let rows = crate::store::read!(state.store, |conn, q| q::districts::list_districts(
        conn, &ids
    ))?;
    Ok(HttpResponse::Ok().json(DistrictList {
        items: rows.into_iter().map(District::from).collect(),
    }))
}

/// Get a district
#[utoipa::path(
    tag = "districts",
    params(("districtId" = String, Path, description = "KSDE district id, such as D0259")),
    responses(
        (status = 200, description = "The district", body = District),
        (status = 401, response = responses::Unauthorized),
        (status = 404, response = responses::NotFound),
        (status = 503, response = responses::ServiceUnavailable),
    )
)]
#[get("/v1/districts/{districtId}")]
pub async fn get_district(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let ids = own_district(&principal, &path)?;
    let row = crate::store::read!(state.store, |conn, q| q::districts::list_districts(
        conn, &ids
    ))?
    .into_iter()
    .next()
    .ok_or_else(|| ApiError::not_found("district"))?;
    Ok(HttpResponse::Ok().json(District::from(row)))
}

/// List a district's schools
#[utoipa::path(
    tag = "districts",
    params(("districtId" = String, Path, description = "KSDE district id, such as D0259")),
    responses(
        (status = 200, description = "The district's schools in building-number order", body = SchoolList),
        (status = 401, response = responses::Unauthorized),
        (status = 404, response = responses::NotFound),
        (status = 503, response = responses::ServiceUnavailable),
    )
)]
#[get("/v1/districts/{districtId}/schools")]
pub async fn list_schools(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let ids = own_district(&principal, &path)?;
    let rows = crate::store::read!(state.store, |conn, q| q::districts::list_schools(
        conn, &ids
    ))?;
    Ok(HttpResponse::Ok().json(SchoolList {
        items: rows.into_iter().map(School::from).collect(),
    }))
}

/// Get a school
#[utoipa::path(
    tag = "districts",
    params(
        ("districtId" = String, Path, description = "KSDE district id, such as D0259"),
        ("schoolId" = String, Path, description = "KSDE building number, 4 digits"),
    ),
    responses(
        (status = 200, description = "The school", body = School),
        (status = 401, response = responses::Unauthorized),
        (status = 404, response = responses::NotFound),
        (status = 503, response = responses::ServiceUnavailable),
    )
)]
#[get("/v1/districts/{districtId}/schools/{schoolId}")]
pub async fn get_school(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (district_id, school_id) = path.into_inner();
    own_district(&principal, &district_id)?;
    let row = crate::store::read!(state.store, |conn, q| q::districts::find_school(
        conn,
        &district_id,
        &school_id
    ))?
    .ok_or_else(|| ApiError::not_found("school"))?;
    Ok(HttpResponse::Ok().json(School::from(row)))
}
