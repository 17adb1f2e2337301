//! Logging, request ids, metrics, and the final rendering of problem responses.
//!
//! [`request_context`] wraps every request. It accepts or generates the request id and renders
//! every error as a problem document carrying that id and the path. It also writes one
//! access-log line, logs the cause of each server fault once, and counts the request for
//! `/metrics`.

use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::error::InternalError;
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpResponse, web};
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, Opts, Registry, TextEncoder,
};
use tracing::{Instrument, Subscriber};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::util::SubscriberInitExt;

use crate::auth::principal::ClientId;
use crate::error::{ApiError, ErrorCode, PROBLEM_JSON};

/// The request id header, accepted from the client or generated, and always returned.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Maximum length of a client-supplied request id; longer or unusual ones are replaced.
const MAX_REQUEST_ID_LENGTH: usize = 128;

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Pretty,
    /// One JSON object per line, for log pipelines.
    Json,
}

/// Installs the global tracing subscriber, writing to standard error. `filter` uses
/// `RUST_LOG` syntax.
pub fn init(format: LogFormat, filter: &str) {
    // A second initialisation (as in tests) keeps the first subscriber.
    let _ = subscriber(format, filter, std::io::stderr).try_init();
}

/// Builds the subscriber that [`init`] installs, writing formatted lines to `writer`.
pub fn subscriber<W>(
    format: LogFormat,
    filter: &str,
    writer: W,
) -> Box<dyn Subscriber + Send + Sync>
where
    W: for<'writer> MakeWriter<'writer> + Send + Sync + 'static,
{
    let filter = tracing_subscriber::EnvFilter::try_new(filter)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer);
    match format {
        LogFormat::Pretty => Box::new(builder.finish()),
        LogFormat::Json => Box::new(builder.json().flatten_event(true).finish()),
    }
}

/// HTTP request counters and latency histograms.
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
}

impl Metrics {
    pub fn new() -> anyhow::Result<Metrics> {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new(
                "http_requests_total",
                "HTTP requests by method, route and status",
            ),
            &["method", "route", "status"],
        )?;
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "http_request_duration_seconds",
                "HTTP request latency in seconds by method and route",
            )
            .buckets(vec![
                0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
            ]),
            &["method", "route"],
        )?;
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(latency.clone()))?;
        Ok(Metrics {
            registry,
            requests,
            latency,
        })
    }

    fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        self.requests
            .with_label_values(&[method, route, status.to_string().as_str()])
            .inc();
        self.latency
            .with_label_values(&[method, route])
            .observe(seconds);
    }

    /// Renders all metrics in the Prometheus text format.
    pub fn render(&self) -> anyhow::Result<String> {
        let mut buffer = Vec::new();
        TextEncoder::new().encode(&self.registry.gather(), &mut buffer)?;
        Ok(String::from_utf8(buffer)?)
    }
}

fn accepted_request_id(req: &ServiceRequest) -> Option<String> {
    let value = req.headers().get(&REQUEST_ID)?.to_str().ok()?;
    let valid = !value.is_empty()
        && value.len() <= MAX_REQUEST_ID_LENGTH
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'));
    valid.then(|| value.to_owned())
}

/// Maps a framework response that is not yet a problem document (a 404 from the router, a
/// 413 from a body limit) to the matching error code.
fn code_for_status(status: u16) -> ErrorCode {
    match status {
        400 => ErrorCode::InvalidParameter,
        401 => ErrorCode::Unauthorized,
        403 => ErrorCode::InsufficientScope,
        404 => ErrorCode::RouteNotFound,
        405 => ErrorCode::MethodNotAllowed,
        406 => ErrorCode::NotAcceptable,
        409 => ErrorCode::Conflict,
        412 => ErrorCode::PreconditionFailed,
        413 => ErrorCode::PayloadTooLarge,
        415 => ErrorCode::UnsupportedMediaType,
        422 => ErrorCode::ValidationFailed,
        428 => ErrorCode::PreconditionRequired,
        429 => ErrorCode::RateLimited,
        503 => ErrorCode::ServiceUnavailable,
        _ => ErrorCode::InternalError,
    }
}

/// Wraps one request; see the module documentation.
pub async fn request_context(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let started = Instant::now();
    let request_id = accepted_request_id(&req).unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
    let method = req.method().to_string();
    let path = req.path().to_owned();
    let metrics = req.app_data::<web::Data<crate::AppState>>().cloned();

    // The route is read before the call: a clone of the request taken now would keep the
    // router from recording the path parameters.
    let route = req
        .match_pattern()
        .unwrap_or_else(|| "unmatched".to_owned());

    let span = tracing::info_span!("request", request_id = %request_id);
    let result = next.call(req).instrument(span.clone()).await;

    // Handlers' errors arrive as responses. An `Err` comes from the request time limit, which
    // has no request left to answer with, or from the framework itself. It is rendered here
    // so that it carries the request id too, and handed on for actix to send.
    let (request, response) = match result {
        Ok(response) => {
            let (request, response) = response.into_parts();
            (Some(request), response.map_into_boxed_body())
        }
        Err(error) => (None, HttpResponse::from_error(error)),
    };
    let mut response = render_problem(response, &path, &request_id);

    let status = response.status().as_u16();
    let client_id = request
        .as_ref()
        .and_then(|request| request.extensions().get::<ClientId>().map(|c| c.0.clone()));
    let elapsed = started.elapsed();

    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    if let Some(state) = metrics {
        state
            .metrics
            .observe(&method, &route, status, elapsed.as_secs_f64());
    }
    span.in_scope(|| {
        tracing::info!(
            http.method = %method,
            http.route = %route,
            http.status = status,
            client.id = client_id.as_deref().unwrap_or("-"),
            duration_ms = elapsed.as_secs_f64() * 1000.0,
            "request finished"
        );
    });
    match request {
        Some(request) => Ok(ServiceResponse::new(request, response)),
        None => Err(InternalError::from_response("request failed", response).into()),
    }
}

/// Re-renders error responses as problem documents with the request id and path.
fn render_problem(response: HttpResponse, path: &str, request_id: &str) -> HttpResponse {
    let status = response.status();
    if !status.is_client_error() && !status.is_server_error() {
        return response;
    }

    if let Some(error) = response.error().and_then(|e| e.as_error::<ApiError>()) {
        if let Some(source) = error.source_error() {
            tracing::error!(request_id, error = format!("{source:#}"), "request failed");
        }
        error.render(Some(path.to_owned()), Some(request_id.to_owned()))
    } else {
        let is_problem = response
            .headers()
            .get(header::CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(PROBLEM_JSON.as_bytes()));
        if is_problem {
            return response;
        }
        if let Some(error) = response.error()
            && status.is_server_error()
        {
            tracing::error!(request_id, error = %error, "request failed");
        }
        let code = code_for_status(status.as_u16());
        let detail = match code {
            ErrorCode::RouteNotFound => format!("no route matches {path}"),
            ErrorCode::InternalError => {
                "The server failed to process the request; report the request id to the operator"
                    .to_owned()
            }
            _ => code.title().to_owned(),
        };
        let mut rendered =
            ApiError::new(code, detail).render(Some(path.to_owned()), Some(request_id.to_owned()));
        for name in [header::ALLOW, header::WWW_AUTHENTICATE, header::RETRY_AFTER] {
            if let Some(value) = response.headers().get(&name) {
                rendered.headers_mut().insert(name, value.clone());
            }
        }
        rendered
    }
}
