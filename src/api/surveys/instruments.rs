//! `/v1/instruments`: the built-in Interest Profiler Short Form and district instruments.

use actix_web::{HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::{decode_instrument, field_errors};
use crate::AppState;
use crate::api::extract::{Json, Query};
use crate::api::responses;
use crate::auth::{Principal, Scope};
use crate::domain::survey::{
    Instrument, InstrumentKind, interest_profiler_short_form, validate_district_instrument,
};
use crate::error::ApiError;
use crate::store::surveys::InstrumentRow;

/// The instruments a client can use.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"items": [{
    "id": "usd259-interests", "version": "2026", "title": "Career Interest Check", "kind": "district",
    "scale": {"min": 1, "max": 3},
    "items": [{"number": 1, "area": "R", "text": "Build a bookshelf", "language": "en", "reverseKeyed": false}],
    "unansweredPolicy": {"policy": "reject"},
    "license": "District-owned", "credit": null, "source": null
}]}))]
pub struct InstrumentList {
    /// The newest version of each instrument, built-in first.
    pub items: Vec<Instrument>,
}

/// A district instrument to store, wrapped so that its fields keep the instrument's names.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(transparent)]
pub struct InstrumentInput(pub Instrument);

impl Validate for InstrumentInput {
    fn validate(&self) -> Result<(), validator::ValidationErrors> {
        Ok(())
    }
}

/// Version selection for `GET /v1/instruments/{instrumentId}`.
#[derive(Debug, Clone, Deserialize, Validate, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct InstrumentQuery {
    /// A specific version; default the newest.
    pub version: Option<String>,
}

fn short_form_matches(id: &str, version: Option<&str>) -> Option<Instrument> {
    let short_form = interest_profiler_short_form();
    (short_form.id == id && version.is_none_or(|v| v == short_form.version)).then_some(short_form)
}

/// List instruments
///
/// The built-in O*NET Interest Profiler Short Form (its scoring key; the official item texts
/// come from the O*NET Resource Center and are shown unchanged by the front end) and the
/// newest version of each instrument of the client's districts.
#[utoipa::path(
    tag = "surveys",
    responses(
        (status = 200, description = "Instruments", body = InstrumentList),
        (status = 401, response = responses::Unauthorized),
        (status = 403, response = responses::Forbidden),
        (status = 503, response = responses::ServiceUnavailable),
    ),
    security(("bearerAuth" = ["surveys:read"]), ("oauth2" = ["surveys:read"])),
)]
#[get("/v1/instruments")]
pub async fn list_instruments(
    state: web::Data<AppState>,
    principal: Principal,
) -> Result<HttpResponse, ApiError> {
    principal.require(Scope::SurveysRead)?;
    let districts = principal.districts().to_vec();
    let rows = crate::store::read!(state.store, |conn, q| q::surveys::list_instruments(
        conn, &districts
    ))?;

    let mut items = vec![interest_profiler_short_form()];
    let mut seen = std::collections::HashSet::new();
    for row in &rows {
        if seen.insert((row.district_id.clone(), row.id.clone())) {
            items.push(decode_instrument(row)?);
        }
    }
    Ok(HttpResponse::Ok().json(InstrumentList { items }))
}

/// Get an instrument
#[utoipa::path(
    tag = "surveys",
    params(("instrumentId" = String, Path, description = "Instrument id, such as onet-ip-sf"), InstrumentQuery),
    responses(
        (status = 200, description = "The instrument", body = Instrument, example = json!({"id": "onet-ip-sf", "version": "1", "title": "O*NET Interest Profiler Short Form", "kind": "builtin", "scale": {"min": 1, "max": 5}, "items": [{"number": 1, "area": "R", "reverseKeyed": false}], "unansweredPolicy": {"policy": "reject"}, "license": null, "credit": null, "source": "O*NET Resource Center"})),
        (status = 400, response = responses::BadRequest),
        (status = 401, response = responses::Unauthorized),
        (status = 403, response = responses::Forbidden),
        (status = 404, response = responses::NotFound),
        (status = 503, response = responses::ServiceUnavailable),
    ),
    security(("bearerAuth" = ["surveys:read"]), ("oauth2" = ["surveys:read"])),
)]
#[get("/v1/instruments/{instrumentId}")]
pub async fn get_instrument(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    Query(query): Query<InstrumentQuery>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Scope::SurveysRead)?;
    let id = path.into_inner();
    if let Some(short_form) = short_form_matches(&id, query.version.as_deref()) {
        return Ok(HttpResponse::Ok().json(short_form));
    }
    let districts = principal.districts().to_vec();
    let row = crate::store::read!(state.store, |conn, q| q::surveys::find_instrument(
        conn,
        &districts,
        &id,
        query.version.as_deref()
    ))?
    .ok_or_else(|| ApiError::not_found("instrument"))?;
    Ok(HttpResponse::Ok().json(decode_instrument(&row)?))
}

/// Create a district instrument version
///
/// Stores a RIASEC-keyed instrument of the client's district (the first one when the client
/// has several). Versions are immutable: to change an instrument, post it again with a new
/// `version`. Responses name the version they were scored with.
#[utoipa::path(
    tag = "surveys",
    request_body(content = Instrument, example = json!({
        "id": "usd259-interests", "version": "2026", "title": "Career Interest Check", "kind": "district",
        "scale": {"min": 1, "max": 3}, "unansweredPolicy": {"policy": "reject"},
        "items": [
            {"number": 1, "area": "R", "reverseKeyed": false, "text": "Build a bookshelf", "language": "en"},
            {"number": 2, "area": "I", "reverseKeyed": false, "text": "Run a science experiment", "language": "en"},
            {"number": 3, "area": "A", "reverseKeyed": false, "text": "Paint a mural", "language": "en"},
            {"number": 4, "area": "S", "reverseKeyed": false, "text": "Tutor a classmate", "language": "en"},
            {"number": 5, "area": "E", "reverseKeyed": false, "text": "Lead a fundraiser", "language": "en"},
            {"number": 6, "area": "C", "reverseKeyed": true, "text": "Avoid keeping records", "language": "en"}
        ],
        "license": "District-owned", "credit": null, "source": null
    })),
    responses(
        (status = 201, description = "Stored", body = Instrument, example = json!({"id": "usd259-interests", "version": "1", "title": "O*NET Interest Profiler Short Form", "kind": "district", "scale": {"min": 1, "max": 5}, "items": [{"number": 1, "area": "R", "reverseKeyed": false}], "unansweredPolicy": {"policy": "reject"}, "license": null, "credit": null, "source": "O*NET Resource Center"})),
        (status = 400, response = responses::BadRequest),
        (status = 401, response = responses::Unauthorized),
        (status = 403, response = responses::Forbidden),
        (status = 409, response = responses::Conflict),
        (status = 415, response = responses::UnsupportedMediaType),
        (status = 422, response = responses::ValidationFailed),
        (status = 503, response = responses::ServiceUnavailable),
    ),
    security(("bearerAuth" = ["surveys:admin"]), ("oauth2" = ["surveys:admin"])),
)]
#[post("/v1/instruments")]
pub async fn create_instrument(
    state: web::Data<AppState>,
    principal: Principal,
    Json(InstrumentInput(instrument)): Json<InstrumentInput>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Scope::SurveysAdmin)?;
    if instrument.kind != InstrumentKind::District {
        return Err(ApiError::invalid_field(
            "/kind",
            "enum",
            "kind must be district; built-in instruments come with the service",
        ));
    }
    validate_district_instrument(&instrument)
        .map_err(|errors| ApiError::validation(field_errors(errors)))?;
    if short_form_matches(&instrument.id, None).is_some() {
        return Err(ApiError::invalid_field(
            "/id",
            "reserved",
            "this id belongs to the built-in Short Form; choose another",
        ));
    }
    let district_id = principal
        .districts()
        .first()
        .cloned()
        .ok_or_else(|| ApiError::not_found("district"))?;

    let row = InstrumentRow {
        district_id,
        id: instrument.id.clone(),
        version: instrument.version.clone(),
        document: serde_json::to_string(&instrument).map_err(ApiError::internal)?,
        created_at: crate::store::now(),
    };
    crate::store::write!(state.store, |conn, q| q::surveys::create_instrument(
        conn, &row
    ))?;
    Ok(HttpResponse::Created()
        .insert_header((
            "Location",
            format!(
                "/v1/instruments/{}?version={}",
                instrument.id, instrument.version
            ),
        ))
        .json(instrument))
}
