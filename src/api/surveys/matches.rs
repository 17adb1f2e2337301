//! `GET /v1/survey-responses/{responseId}/matches`: occupations, clusters and pathways that
//! fit a result, from the imported O*NET release.

use std::sync::Arc;

use actix_web::{HttpResponse, get, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::responses::load_history;
use super::{OnetCache, field_errors};
use crate::AppState;
use crate::api::extract::Query;
use crate::api::responses;
use crate::auth::{Principal, Scope};
use crate::domain::survey::{
    BandThresholds, ClusterSuggestions, HollandCode, MatchError, MatchOptions, MatchReport,
    OnetRelease, match_occupations, onet_database_credit, suggest_clusters_without_onet,
};
use crate::error::ApiError;
use crate::store::Store;

/// Filters and thresholds for matching.
#[derive(Debug, Clone, Deserialize, Validate, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MatchQuery {
    /// Job zones to include, comma-separated, such as `3,4` (1 = little preparation, 5 =
    /// extensive); default all.
    #[param(pattern = "^ *[1-5] *(, *[1-5] *)*$")]
    pub job_zones: Option<String>,
    /// Only occupations of this legacy career cluster key.
    pub cluster: Option<String>,
    /// Number of occupations, 1 to 200; default 20.
    #[validate(range(min = 1, max = 200, message = "limit must be between 1 and 200"))]
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<usize>,
    /// Lowest correlation of a best fit; default 0.7.
    pub best: Option<f64>,
    /// Lowest correlation of a great fit; default 0.5.
    pub great: Option<f64>,
    /// Lowest correlation of a good fit; default 0.3.
    pub good: Option<f64>,
}

/// The O*NET release behind a match, with the credit its licence requires.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OnetSource {
    pub release: String,
    /// Attribution to show wherever the data is displayed (CC BY 4.0).
    pub credit: String,
}

/// Matches for one survey result.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "responseId": "0193a1f4-1c1e-7c39-9d55-2f0b8f3f1a77",
    "hollandCode": {"groups": [["I"], ["R"], ["A"]], "codes": ["IRA"], "tied": false},
    "onet": {"release": "29.3", "credit": "This product includes information from the O*NET 29.3 Database by the U.S. Department of Labor, Employment and Training Administration (USDOL/ETA). Used under the CC BY 4.0 license. O*NET® is a trademark of USDOL/ETA."},
    "note": null,
    "matches": {"occupations": [], "clusters": [], "pathways": []},
    "suggestions": null
}))]
pub struct SurveyMatches {
    pub response_id: String,
    pub holland_code: HollandCode,
    /// The O*NET release used, or `null` when none is imported.
    pub onet: Option<OnetSource>,
    /// Why there are no occupation matches, when there are none.
    pub note: Option<String>,
    /// Occupations ranked by profile correlation, banded, and the clusters and pathways they
    /// suggest; absent without O*NET data or for a flat profile.
    pub matches: Option<MatchReport>,
    /// Clusters suggested from the Holland code alone, when no O*NET release is imported.
    pub suggestions: Option<ClusterSuggestions>,
}

/// Loads the imported O*NET release, decoding it once per process and release.
async fn current_release(
    store: &Store,
    cache: &OnetCache,
) -> Result<Option<(String, Arc<OnetRelease>)>, ApiError> {
    let current = crate::store::read!(store, |conn, q| q::surveys::current_release(conn))?;
    let Some((id, release)) = current else {
        return Ok(None);
    };
    if let Some(cached) = cache.get(&id) {
        return Ok(Some((release, cached)));
    }
    let row = crate::store::read!(store, |conn, q| q::surveys::load_release(conn))?;
    let Some(row) = row else {
        return Ok(None);
    };
    let decoded = Arc::new(crate::store::surveys::decode_occupations(&row.occupations)?);
    cache.put(row.id, decoded.clone());
    Ok(Some((row.release, decoded)))
}

fn options(query: &MatchQuery) -> Result<MatchOptions, ApiError> {
    let mut options = MatchOptions::default();
    if let Some(zones) = &query.job_zones {
        options.job_zones = zones
            .split(',')
            .map(|zone| match zone.trim_matches(' ').parse::<u8>() {
                Ok(zone @ 1..=5) => Ok(zone),
                _ => Err(()),
            })
            .collect::<Result<_, _>>()
            .map_err(|()| {
                ApiError::invalid_parameter(
                    "jobZones",
                    "type",
                    "jobZones must list job zones 1 to 5 separated by commas, such as 3,4",
                )
            })?;
    }
    options.cluster_key = query.cluster.clone();
    if let Some(limit) = query.limit {
        options.limit = limit;
    }
    let defaults = BandThresholds::default();
    options.thresholds = BandThresholds {
        best: query.best.unwrap_or(defaults.best),
        great: query.great.unwrap_or(defaults.great),
        good: query.good.unwrap_or(defaults.good),
    };
    Ok(options)
}

/// Match a survey result to occupations and career clusters
///
/// Ranks O*NET occupations by the correlation between the student's six area scores and each
/// occupation's interest profile, bands them (best, great, good fit), and ranks clusters and
/// pathways from their best occupations. Without an imported O*NET release the response says
/// so and suggests clusters from the Holland code.
#[utoipa::path(
    tag = "surveys",
    params(("responseId" = String, Path, description = "Survey response id"), MatchQuery),
    responses(
        (status = 200, description = "Matches", body = SurveyMatches),
        (status = 400, response = responses::BadRequest),
        (status = 401, response = responses::Unauthorized),
        (status = 403, response = responses::Forbidden),
        (status = 404, response = responses::NotFound),
        (status = 503, response = responses::ServiceUnavailable),
    ),
    security(("bearerAuth" = ["surveys:read"]), ("oauth2" = ["surveys:read"])),
)]
#[get("/v1/survey-responses/{responseId}/matches")]
pub async fn get_survey_matches(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    Query(query): Query<MatchQuery>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Scope::SurveysRead)?;
    let options = options(&query)?;
    let id = path.into_inner();
    let districts = principal.districts().to_vec();
    let response_id = id.clone();
    let result = crate::store::read!(state.store, |conn, q| {
        let row = q::surveys::find_response(conn, &districts, &response_id)?
            .ok_or_else(|| ApiError::not_found("survey response"))?;
        let student_district = [row.district_id.clone()];
        let rows = vec![row];
        let mut results = load_history!(conn, q, &student_district, rows);
        results
            .pop()
            .ok_or_else(|| ApiError::not_found("survey response"))
    })?;
    let profile = result.profile;
    let scores = profile.percent_scores();

    let release = current_release(&state.store, &state.onet).await?;
    let Some((release_name, release)) = release else {
        let suggestions = suggest_clusters_without_onet(&profile).ok();
        return Ok(HttpResponse::Ok().json(SurveyMatches {
            response_id: id,
            holland_code: profile.holland_code,
            onet: None,
            note: Some("No O*NET release is imported, so occupations cannot be matched; the operator imports one with `ips-api import onet DIR`. Clusters are suggested from the Holland code.".to_owned()),
            matches: None,
            suggestions,
        }));
    };
    let onet = Some(OnetSource {
        credit: onet_database_credit(&release_name),
        release: release_name,
    });
    match match_occupations(&release, &scores, &options) {
        Ok(report) => Ok(HttpResponse::Ok().json(SurveyMatches {
            response_id: id,
            holland_code: profile.holland_code,
            onet,
            note: None,
            matches: Some(report),
            suggestions: None,
        })),
        Err(MatchError::FlatProfile) => Ok(HttpResponse::Ok().json(SurveyMatches {
            response_id: id,
            holland_code: profile.holland_code,
            onet,
            note: Some("All six areas scored the same, so the profile does not point to any occupation; discuss the result with the student and consider retaking the survey.".to_owned()),
            matches: None,
            suggestions: None,
        })),
        Err(MatchError::InvalidOptions(errors)) => Err(ApiError::new(crate::error::ErrorCode::InvalidParameter, "the match options are invalid")
            .with_errors(
                field_errors(errors)
                    .into_iter()
                    .map(|e| crate::error::FieldError::parameter(e.pointer.unwrap_or_default().trim_start_matches('/').to_owned(), &e.code, e.message))
                    .collect(),
            )),
    }
}
