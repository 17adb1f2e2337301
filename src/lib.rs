//! ips-api: a headless REST/JSON engine for Kansas Individual Plans of Study.
//!
//! [`app`] builds the actix-web application from an [`AppState`]; `main.rs` wires it to the
//! command line. Layers: [`api`] (HTTP) calls [`domain`] (pure logic) and [`store`] (diesel).

pub mod admin;
pub mod api;
pub mod auth;
pub mod config;
pub mod demo;
pub mod domain;
pub mod error;
pub mod store;
pub mod telemetry;

use std::time::Duration;

use actix_web::body::BoxBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::from_fn;
use actix_web::{App, web};
use utoipa::OpenApi;
use utoipa_actix_web::{AppExt, UtoipaApp};
use utoipa_swagger_ui::SwaggerUi;

/// Request size and time limits.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest JSON body, in bytes.
    pub max_body_bytes: usize,
    /// Largest bulk body, in bytes.
    pub max_bulk_bytes: usize,
    /// Maximum time a request may take after its headers arrive, body reading included.
    pub request_timeout: Duration,
    /// Maximum time a bulk request may take.
    pub bulk_request_timeout: Duration,
}

/// Everything a request handler needs, shared by all workers.
pub struct AppState {
    pub store: store::Store,
    pub tokens: auth::TokenKeys,
    pub limits: Limits,
    pub metrics: telemetry::Metrics,
    /// The imported O*NET release, decoded once per process and release.
    pub onet: api::surveys::OnetCache,
    /// Clients recently confirmed not revoked.
    pub active_clients: auth::ActiveClients,
    pub rate_limits: auth::RateLimits,
}

/// Registers every route on `app` and returns it with the finished OpenAPI document.
fn with_routes<T>(app: UtoipaApp<T>) -> (App<T>, utoipa::openapi::OpenApi)
where
    T: ServiceFactory<ServiceRequest, Config = (), Error = actix_web::Error, InitError = ()>,
{
    let (app, mut document) = app
        .openapi(api::ApiDoc::openapi())
        .configure(api::configure)
        .split_for_parts();
    api::add_shared_responses(&mut document);
    api::document::finish(&mut document);
    (app, document)
}

/// Builds the OpenAPI document of every public route, as served at `/openapi.json`.
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    let (_, document) = with_routes(App::new().into_utoipa_app());
    document
}

/// Builds the application: routes, OpenAPI document and Swagger UI, limits and middleware.
pub fn app(
    state: web::Data<AppState>,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<BoxBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let body_limit = state.limits.max_body_bytes;
    let (app, document) = with_routes(
        App::new()
            .into_utoipa_app()
            .app_data(state)
            .app_data(web::PayloadConfig::new(body_limit)),
    );

    app.service(web::redirect("/docs", "/docs/"))
        .service(SwaggerUi::new("/docs/{_:.*}").url("/openapi.json", document))
        .default_service(web::to(api::route_not_found))
        .wrap(from_fn(api::timeout::limit_request_time))
        .wrap(from_fn(telemetry::request_context))
}
