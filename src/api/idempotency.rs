//! `Idempotency-Key` on creating POSTs. A retry with the same key and body replays the first
//! response, the same key with another body gets 422, and a retry while the first request is
//! still running gets 409. Keys are scoped to the API client and kept for 24 hours.
//!
//! A request first claims its key in a row of its own, whose primary key (client, key) lets
//! only one concurrent request win. The create then stores its response under the claim in
//! the same transaction as the record, so a record never exists without its stored response.

use actix_web::dev::Payload;
use actix_web::http::{StatusCode, header};
use actix_web::{FromRequest, HttpRequest, HttpResponse};
use sha2::{Digest, Sha256};

use crate::AppState;
use crate::auth::Principal;
use crate::error::{ApiError, ErrorCode};
use crate::store::idempotency::{Claim, ClaimedKey, StoredResponse};

/// Longest accepted key.
const MAX_KEY_LENGTH: usize = 255;

/// The keys [`IdempotencyKey`] accepts, for the OpenAPI document.
pub const KEY_PATTERN: &str = r"^[\x21-\x7E]{1,255}$";

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
                .filter(|key| {
                    (1..=MAX_KEY_LENGTH).contains(&key.len())
                        && key.bytes().all(|b| b.is_ascii_graphic())
                })
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

    /// Copies the response into the form the idempotency store keeps.
    pub fn to_stored(&self) -> StoredResponse {
        StoredResponse {
            status: self.status.as_u16(),
            body: self.body.clone(),
            etag: self.etag.clone(),
            location: self.location.clone(),
        }
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

/// Runs a create once per client and `Idempotency-Key` and replays its response on retries.
///
/// `create_once!(state, principal, key, fingerprint, |conn, q| body)` claims the key, then
/// runs `body` (which returns `Result<Created, ApiError>`) in one write transaction, as
/// [`crate::store::write!`] does. The same transaction stores the response under the key, so
/// a create never commits without its stored response. After a crash, either neither exists
/// and a retry runs the create once the claim expires, or both exist and a retry gets the
/// replay. Without a key, `body` simply runs.
macro_rules! create_once {
    ($state:expr, $principal:expr, $key:expr, $fingerprint:expr, |$conn:ident, $q:ident| $body:expr) => {{
        let state: &$crate::AppState = &$state;
        match $crate::api::idempotency::begin(state, $principal, $key, $fingerprint).await? {
            $crate::api::idempotency::Begin::Replay(response) => Ok(response),
            $crate::api::idempotency::Begin::Run(claimed) => {
                let claimed_in_transaction = claimed.clone();
                let created = $crate::store::write!(state.store, |$conn, $q| {
                    let created: $crate::api::idempotency::Created = $body?;
                    if let Some(claimed) = &claimed_in_transaction {
                        $q::idempotency::complete($conn, claimed, &created.to_stored())?;
                    }
                    Ok(created)
                });
                $crate::api::idempotency::finish(state, claimed, created).await
            }
        }
    }};
}
pub(crate) use create_once;

/// The next step of a request after looking up its `Idempotency-Key`.
pub enum Begin {
    /// The same request already completed: send its response again.
    Replay(HttpResponse),
    /// Run the create, holding the claimed key if the request sent one.
    Run(Option<ClaimedKey>),
}

/// Claims the request's key, or returns the response to replay, or the error for a key that
/// is busy or was used with another request. Called by [`create_once!`].
pub async fn begin(
    state: &AppState,
    principal: &Principal,
    key: IdempotencyKey,
    fingerprint: String,
) -> Result<Begin, ApiError> {
    let Some(key) = key.0 else {
        return Ok(Begin::Run(None));
    };

    let client_id = principal.client_id.clone();
    let claim = crate::store::write!(state.store, |conn, q| q::idempotency::claim(
        conn,
        &client_id,
        &key,
        &fingerprint
    ))?;
    match claim {
        Claim::Acquired(claimed) => Ok(Begin::Run(Some(claimed))),
        Claim::Replay(stored) => {
            let status = StatusCode::from_u16(stored.status).map_err(ApiError::internal)?;
            let created = Created {
                status,
                body: stored.body,
                etag: stored.etag,
                location: stored.location,
            };
            Ok(Begin::Replay(created.into_response(true)))
        }
        Claim::InProgress => Err(ApiError::idempotency_key_in_use()),
        Claim::Mismatch => Err(ApiError::new(
            ErrorCode::IdempotencyKeyReused,
            "this Idempotency-Key was used with a different request; use a new key for a new request",
        )),
    }
}

/// Sends the result of a create. A failed create rolled back, so its claimed key is released
/// and a retry may run it again. Called by [`create_once!`].
pub async fn finish(
    state: &AppState,
    claimed: Option<ClaimedKey>,
    created: Result<Created, ApiError>,
) -> Result<HttpResponse, ApiError> {
    let error = match created {
        Ok(created) => return Ok(created.into_response(false)),
        Err(error) => error,
    };

    if let Some(claimed) = claimed {
        let released = crate::store::write!(state.store, |conn, q| q::idempotency::release(
            conn, &claimed
        ));
        if let Err(release_error) = released {
            tracing::warn!(error = %release_error, "failed to release idempotency key");
        }
    }
    Err(error)
}
