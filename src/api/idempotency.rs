//! `Idempotency-Key` on creating POSTs. A retry with the same key and body replays the first
//! response, the same key with another body gets 422, and a retry while the first request is
//! still running gets 409. Keys are scoped to the API client and kept for 24 hours.

use std::future::Future;

use actix_web::dev::Payload;
use actix_web::http::{StatusCode, header};
use actix_web::{FromRequest, HttpRequest, HttpResponse};
use sha2::{Digest, Sha256};

use crate::AppState;
use crate::auth::Principal;
use crate::error::{ApiError, ErrorCode};
use crate::store::idempotency::{Claim, StoredResponse};

/// Longest accepted key.
const MAX_KEY_LENGTH: usize = 255;

/// The optional `Idempotency-Key` header.
#[derive(Debug, Clone)]
pub struct IdempotencyKey(pub Option<String>);

impl FromRequest for IdempotencyKey {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let result = match req.headers().get("Idempotency-Key") {
            None => Ok(IdempotencyKey(None)),
            Some(value) => value
                .to_str()
                .ok()
                .map(str::trim)
                .filter(|key| !key.is_empty() && key.len() <= MAX_KEY_LENGTH)
                .map(|key| IdempotencyKey(Some(key.to_owned())))
                .ok_or_else(|| {
                    ApiError::invalid_header(
                        "Idempotency-Key",
                        "format",
                        "Idempotency-Key must be 1 to 255 visible ASCII characters, such as a UUID",
                    )
                }),
        };
        std::future::ready(result)
    }
}

/// The response of a create, in a form that can be stored and replayed.
#[derive(Debug, Clone)]
pub struct Created {
    pub status: StatusCode,
    pub body: String,
    pub etag: Option<String>,
    pub location: Option<String>,
}

impl Created {
    /// Builds a 201 response with the resource, its ETag and its location.
    pub fn new(
        body: &impl serde::Serialize,
        etag: String,
        location: String,
    ) -> Result<Created, ApiError> {
        Ok(Created {
            status: StatusCode::CREATED,
            body: serde_json::to_string(body).map_err(ApiError::internal)?,
            etag: Some(etag),
            location: Some(location),
        })
    }

    fn into_response(self, replayed: bool) -> HttpResponse {
        let mut builder = HttpResponse::build(self.status);
        builder.content_type("application/json");
        if let Some(etag) = self.etag {
            builder.insert_header((header::ETAG, etag));
        }
        if let Some(location) = self.location {
            builder.insert_header((header::LOCATION, location));
        }
        if replayed {
            builder.insert_header(("Idempotent-Replayed", "true"));
        }
        builder.body(self.body)
    }
}

/// Hashes what identifies a request: the operation and its canonical body.
pub fn fingerprint(operation: &str, body: &impl serde::Serialize) -> Result<String, ApiError> {
    let json = serde_json::to_vec(body).map_err(ApiError::internal)?;
    let mut hasher = Sha256::new();
    hasher.update(operation.as_bytes());
    hasher.update([0]);
    hasher.update(&json);
    Ok(format!("{:x}", hasher.finalize()))
}

/// Runs `create` once per client and key and replays its response on retries (see the TODO
/// below for the crash window).
pub async fn run<F, Fut>(
    state: &AppState,
    principal: &Principal,
    key: IdempotencyKey,
    fingerprint: String,
    create: F,
) -> Result<HttpResponse, ApiError>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<Created, ApiError>>,
{
    let Some(key) = key.0 else {
        return create().await.map(|created| created.into_response(false));
    };

    let client_id = principal.client_id.clone();
    let claim = {
        let (client_id, key) = (client_id.clone(), key.clone());
        crate::store::write!(state.store, |conn, q| q::idempotency::claim(
            conn,
            &client_id,
            &key,
            &fingerprint
        ))?
    };
    match claim {
        Claim::Acquired => {}
        Claim::Replay(stored) => {
            let status = StatusCode::from_u16(stored.status).map_err(ApiError::internal)?;
            return Ok(Created {
                status,
                body: stored.body,
                etag: stored.etag,
                location: stored.location,
            }
            .into_response(true));
        }
        Claim::InProgress => {
            return Err(ApiError::new(
                ErrorCode::IdempotencyKeyInUse,
                "a request with this Idempotency-Key is still being processed; retry after it completes",
            )
            .with_header(header::RETRY_AFTER, "1"));
        }
        Claim::Mismatch => {
            return Err(ApiError::new(
                ErrorCode::IdempotencyKeyReused,
                "this Idempotency-Key was used with a different request; use a new key for a new request",
            ));
        }
    }

    // TODO: store the response in the create's own transaction. A crash between the two
    // commits, or a request timeout that drops this future while the create's transaction
    // runs on, leaves the key in progress until LOCK_TIMEOUT, after which a retry runs again.
    match create().await {
        Ok(created) => {
            let stored = StoredResponse {
                status: created.status.as_u16(),
                body: created.body.clone(),
                etag: created.etag.clone(),
                location: created.location.clone(),
            };
            crate::store::write!(state.store, |conn, q| q::idempotency::complete(
                conn, &client_id, &key, &stored
            ))?;
            Ok(created.into_response(false))
        }
        Err(error) => {
            // A failed request leaves nothing behind, so a retry may run it again.
            let released = crate::store::write!(state.store, |conn, q| q::idempotency::release(
                conn, &client_id, &key
            ));
            if let Err(release_error) = released {
                tracing::warn!(error = %release_error, "failed to release idempotency key");
            }
            Err(error)
        }
    }
}
