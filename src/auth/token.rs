//! `POST /oauth/token`: the OAuth2 client-credentials grant (RFC 6749 section 4.4).

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, post, web};
use base64::Engine;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::Scope;
use crate::auth::secret::verify_secret;
use crate::error::{ApiError, ErrorCode, Problem};

/// A token request, form-encoded. The client may authenticate with HTTP Basic instead of
/// `client_id` and `client_secret`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TokenRequest {
    /// Must be `client_credentials`.
    #[schema(example = "client_credentials")]
    pub grant_type: Option<String>,
    /// The client id printed by `ips-api client create`.
    pub client_id: Option<String>,
    /// The client secret printed once by `ips-api client create`.
    pub client_secret: Option<String>,
    /// Space-separated scopes to request; omitted means all of the client's scopes.
    #[schema(example = "students:read students:write")]
    pub scope: Option<String>,
}

/// An issued access token.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "access_token": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIuLi4ifQ.c2lnbmF0dXJl",
    "token_type": "Bearer",
    "expires_in": 1800,
    "scope": "students:read students:write"
}))]
pub struct TokenResponse {
    /// A JWT to send as `Authorization: Bearer <token>`.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Lifetime in seconds.
    pub expires_in: u64,
    /// The granted scopes, space-separated.
    pub scope: String,
}

/// A PHC string that never verifies, checked for unknown clients so that the response time
/// does not reveal whether a client id exists.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$2Zz0mWz2G7bVQZsTOjeaDMfzC1CA7HtcWQ7Yqk9l0Eo";

/// Maximum length of a client id accepted at the token endpoint.
const MAX_CLIENT_ID_LENGTH: usize = 64;

fn token_error(code: ErrorCode, detail: &str) -> ApiError {
    let error = ApiError::new(code, detail);
    if code == ErrorCode::InvalidClient {
        error.with_header(header::WWW_AUTHENTICATE, r#"Basic realm="ips-api""#)
    } else {
        error
    }
}

/// Builds the 401 for credentials that match no active client, without naming the wrong part.
fn wrong_credentials() -> ApiError {
    token_error(
        ErrorCode::InvalidClient,
        "the client id or secret is wrong, or the client has been revoked",
    )
}

/// Reads `client_id:client_secret` from an HTTP Basic `Authorization` header.
fn basic_credentials(req: &HttpRequest) -> Result<Option<(String, String)>, ApiError> {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let invalid = || {
        token_error(
            ErrorCode::InvalidClient,
            "the Authorization header must be HTTP Basic with base64(client_id:client_secret)",
        )
    };
    let encoded = value
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Basic "))
        .ok_or_else(invalid)?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .map_err(|_| invalid())?;
    let text = String::from_utf8(decoded).map_err(|_| invalid())?;
    let (id, secret) = text.split_once(':').ok_or_else(invalid)?;
    // RFC 6749 section 2.3.1 form-encodes both parts before joining them.
    let decode = |part: &str| {
        serde_urlencoded::from_str::<Vec<(String, String)>>(&format!("v={part}"))
            .ok()
            .and_then(|mut pairs| pairs.pop())
            .map(|(_, value)| value)
    };
    match (decode(id), decode(secret)) {
        (Some(id), Some(secret)) => Ok(Some((id, secret))),
        _ => Err(invalid()),
    }
}

/// Secret checks that may run at once: one per CPU core, which the hashing keeps busy anyway.
fn secret_check_permits() -> &'static tokio::sync::Semaphore {
    static PERMITS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    PERMITS.get_or_init(|| {
        tokio::sync::Semaphore::new(std::thread::available_parallelism().map_or(2, usize::from))
    })
}

/// Issue an access token (OAuth2 client credentials)
///
/// Authenticate with HTTP Basic (`client_id:client_secret`) or with `client_id` and
/// `client_secret` in the form body. Errors use the OAuth2 error names as `code`.
#[utoipa::path(
    tag = "auth",
    request_body(
        content = TokenRequest,
        content_type = "application/x-www-form-urlencoded",
        example = json!({"grant_type": "client_credentials", "scope": "students:read"})
    ),
    responses(
        (status = 200, description = "Token issued", body = TokenResponse),
        (status = 400, description = "`invalid_request`, `unsupported_grant_type` or `invalid_scope`", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "`invalid_client`: unknown client, wrong secret or revoked client", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than the JSON body limit", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not form-encoded", body = Problem, content_type = "application/problem+json"),
    ),
    security(())
)]
#[post("/oauth/token")]
pub async fn create_token(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let form_encoded = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !form_encoded {
        return Err(ApiError::new(
            ErrorCode::UnsupportedMediaType,
            "send the token request as application/x-www-form-urlencoded",
        ));
    }
    let form: TokenRequest = serde_urlencoded::from_bytes(&body).map_err(|e| {
        token_error(
            ErrorCode::InvalidRequest,
            &format!("the form body is invalid: {e}"),
        )
    })?;

    match form.grant_type.as_deref() {
        Some("client_credentials") => {}
        Some(other) => {
            return Err(token_error(
                ErrorCode::UnsupportedGrantType,
                &format!("grant_type {other:?} is not supported; use client_credentials"),
            ));
        }
        None => {
            return Err(token_error(
                ErrorCode::InvalidRequest,
                "grant_type is required and must be client_credentials",
            ));
        }
    }

    let (client_id, client_secret) = match (
        basic_credentials(&req)?,
        form.client_id,
        form.client_secret,
    ) {
        (Some(_), Some(_), _) | (Some(_), _, Some(_)) => {
            return Err(token_error(
                ErrorCode::InvalidRequest,
                "send client credentials either in the Authorization header or in the body, not both",
            ));
        }
        (Some(credentials), None, None) => credentials,
        (None, Some(id), Some(secret)) => (id, secret),
        _ => {
            return Err(token_error(
                ErrorCode::InvalidClient,
                "client_id and client_secret are required",
            ));
        }
    };

    // Client ids are UUIDs. A longer one cannot exist, and rejecting it here keeps the rate
    // limiter's keys small.
    if client_id.len() > MAX_CLIENT_ID_LENGTH {
        return Err(wrong_credentials());
    }
    // Checked before the slow secret hash, so that repeated attempts cannot occupy the
    // blocking threads.
    state.rate_limits.token.admit(&client_id)?;

    // Each running Argon2id check needs its own 19 MiB buffer, so bounding the checks also
    // bounds the buffers kept for reuse.
    let _permit = secret_check_permits()
        .acquire()
        .await
        .map_err(ApiError::internal)?;
    let store = state.store.clone();
    let lookup_id = client_id.clone();
    let client = crate::store::blocking(move || {
        let client = crate::store::with_conn!(store, |conn, q| q::clients::find(conn, &lookup_id))?;
        let hash = client
            .as_ref()
            .map_or(DUMMY_HASH, |c| c.secret_hash.as_str());
        let verified = verify_secret(&client_secret, hash);
        Ok(client.filter(|c| verified && c.revoked_at.is_none()))
    })
    .await?;
    let Some(client) = client else {
        return Err(wrong_credentials());
    };

    let granted = client.scope_list();
    let scope = match form
        .scope
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => granted.join(" "),
        Some(requested) => {
            for scope in requested.split_whitespace() {
                if scope.parse::<Scope>().is_err() || !granted.iter().any(|g| g == scope) {
                    return Err(token_error(
                        ErrorCode::InvalidScope,
                        &format!("scope {scope:?} is not granted to this client"),
                    ));
                }
            }
            requested.split_whitespace().collect::<Vec<_>>().join(" ")
        }
    };

    let claims = state
        .tokens
        .claims_for(&client.id, scope.clone(), client.district_list());
    let access_token = state.tokens.sign(&claims).map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::PRAGMA, "no-cache"))
        .json(TokenResponse {
            access_token,
            token_type: "Bearer".to_owned(),
            expires_in: state.tokens.lifetime_seconds(),
            scope,
        }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dummy_hash_is_a_valid_phc_string() {
        // An unparsable hash would return at once and let response times reveal unknown ids.
        assert!(argon2::password_hash::PasswordHash::new(DUMMY_HASH).is_ok());
        assert!(!verify_secret("anything", DUMMY_HASH));
    }
}
