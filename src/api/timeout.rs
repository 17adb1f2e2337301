//! The request time limit. A request still running when its limit passes is stopped and gets
//! 503 `request_timed_out`, so that a slow client or a slow operation cannot hold a worker.
//!
//! Stopping a request drops its handler, but not a database transaction already running on
//! a blocking thread: that transaction still commits or rolls back on its own, and its
//! response is lost. The problem detail tells the client to read the resource before it
//! repeats the request.

use std::time::Duration;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::web;

use crate::AppState;
use crate::error::{ApiError, ErrorCode};

/// Runs the request under the time limit of its route: the bulk limit for `…:bulk` routes,
/// the request limit for all others.
pub async fn limit_request_time(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    };
    let bulk = req
        .match_pattern()
        .is_some_and(|pattern| pattern.ends_with(":bulk"));
    let limit = if bulk {
        state.limits.bulk_request_timeout
    } else {
        state.limits.request_timeout
    };

    match actix_web::rt::time::timeout(limit, next.call(req)).await {
        Ok(result) => result.map(ServiceResponse::map_into_boxed_body),
        Err(_) => {
            tracing::warn!(
                timeout_ms = limit.as_millis(),
                "request timed out and was stopped"
            );
            // The request went down with the handler, so the error goes up as an `Err` and
            // the request-context middleware renders it.
            Err(timed_out(limit).into())
        }
    }
}

fn timed_out(limit: Duration) -> ApiError {
    ApiError::new(
        ErrorCode::RequestTimedOut,
        format!(
            "the request did not complete within {} seconds and was stopped; a write it started may still have been saved, so read the resource before repeating the request",
            limit.as_secs_f64()
        ),
    )
}
