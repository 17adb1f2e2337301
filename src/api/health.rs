//! Liveness, readiness and Prometheus metrics.

use actix_web::{HttpResponse, get, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::api::responses;
use crate::error::{ApiError, ErrorCode};

/// Health status.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"status": "ok", "database": "sqlite"}))]
pub struct Health {
    /// Always `ok` in a 200 response.
    pub status: String,
    /// The database backend, on readiness responses.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub database: Option<String>,
}

/// Liveness probe
///
/// 200 while the process serves HTTP; it does not touch the database.
#[utoipa::path(
    tag = "operations",
    responses(
        (status = 200, description = "The process is alive", body = Health),
        (status = 500, response = responses::InternalError),
    ),
    security(())
)]
#[get("/health/live")]
pub async fn get_liveness() -> HttpResponse {
    HttpResponse::Ok().json(Health {
        status: "ok".to_owned(),
        database: None,
    })
}

/// Readiness probe
///
/// 200 when the database responds and every migration is applied; 503 otherwise.
#[utoipa::path(
    tag = "operations",
    responses(
        (status = 200, description = "Ready to serve", body = Health),
        (status = 503, response = responses::ServiceUnavailable),
    ),
    security(())
)]
#[get("/health/ready")]
pub async fn get_readiness(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let store = state.store.clone();
    let current = crate::store::blocking(move || {
        store.ping()?;
        store.migrations_current()
    })
    .await?;
    if !current {
        return Err(ApiError::new(
            ErrorCode::ServiceUnavailable,
            "database migrations are pending; run `ips-api migrate` or restart the service",
        ));
    }
    Ok(HttpResponse::Ok().json(Health {
        status: "ok".to_owned(),
        database: Some(state.store.backend().name().to_owned()),
    }))
}

/// Prometheus metrics
///
/// Request counts and latency histograms by route, in the Prometheus text format.
#[utoipa::path(
    tag = "operations",
    responses((status = 200, description = "Metrics in Prometheus text format 0.0.4", body = String, content_type = "text/plain; version=0.0.4",
        example = "# TYPE http_requests_total counter\nhttp_requests_total{method=\"GET\",route=\"/v1/students\",status=\"200\"} 12\n"),
        (status = 500, response = responses::InternalError)),
    security(())
)]
#[get("/metrics")]
pub async fn get_metrics(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let text = state.metrics.render().map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(text))
}
