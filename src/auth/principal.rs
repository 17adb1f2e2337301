//! The authenticated caller of a request.

use std::collections::BTreeSet;
use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};

use crate::AppState;
use crate::auth::Scope;
use crate::error::{ApiError, ErrorCode};

/// The `realm` sent in every `WWW-Authenticate` challenge.
const REALM: &str = "ips-api";

/// The client id of an authenticated request, kept in the request extensions for the access log.
#[derive(Debug, Clone)]
pub struct ClientId(pub String);

/// The API client behind a valid bearer token: its id, scopes and districts.
#[derive(Debug, Clone)]
pub struct Principal {
    pub client_id: String,
    scopes: BTreeSet<Scope>,
    districts: Vec<String>,
}

impl Principal {
    pub fn new(client_id: String, scopes: BTreeSet<Scope>, districts: Vec<String>) -> Principal {
        Principal {
            client_id,
            scopes,
            districts,
        }
    }

    /// Fails with 403 naming `scope` unless the token carries it.
    pub fn require(&self, scope: Scope) -> Result<(), ApiError> {
        if self.scopes.contains(&scope) {
            return Ok(());
        }
        Err(ApiError::new(
            ErrorCode::InsufficientScope,
            format!("this operation requires the scope {scope}; request a token that includes it"),
        )
        .with_header(
            header::WWW_AUTHENTICATE,
            &format!(r#"Bearer realm="{REALM}", error="insufficient_scope", scope="{scope}""#),
        ))
    }

    /// Returns the districts this client may act for.
    pub fn districts(&self) -> &[String] {
        &self.districts
    }

    /// Narrows the client's districts to `requested`, or all of them when it is `None`.
    /// A district the client may not act for yields an empty list, so that queries find
    /// nothing rather than revealing that the district exists.
    pub fn districts_matching(&self, requested: Option<&str>) -> Vec<String> {
        match requested {
            Some(id) => self
                .districts
                .iter()
                .filter(|d| d.as_str() == id)
                .cloned()
                .collect(),
            None => self.districts.clone(),
        }
    }

    /// Narrows the client's districts to the `districtId` filter of a list, as
    /// [`Principal::districts_matching`] does, after rejecting a malformed id with 400.
    pub fn districts_for_filter(&self, requested: Option<&str>) -> Result<Vec<String>, ApiError> {
        if let Some(id) = requested
            && !crate::domain::identifiers::is_district_id(id)
        {
            return Err(ApiError::invalid_parameter(
                "districtId",
                "pattern",
                format!("districtId {id:?} must be a KSDE district id such as D0259"),
            ));
        }
        Ok(self.districts_matching(requested))
    }

    /// Picks the district a read is about, from the `districtId` query parameter. It may be
    /// omitted when the client acts for exactly one district.
    pub fn district_for_read(&self, requested: Option<&str>) -> Result<String, ApiError> {
        match (requested, self.districts.as_slice()) {
            (Some(id), districts) if districts.iter().any(|d| d == id) => Ok(id.to_owned()),
            (Some(_), _) => Err(ApiError::invalid_parameter(
                "districtId",
                "unknown",
                "districtId does not name a district this client may act for",
            )),
            (None, [only]) => Ok(only.clone()),
            (None, _) => Err(ApiError::invalid_parameter(
                "districtId",
                "required",
                "districtId is required because this client acts for several districts",
            )),
        }
    }

    /// Picks the district a new record belongs to. `requested` may be omitted when the client
    /// acts for exactly one district. `pointer` names the body field in errors.
    pub fn district_for_write(
        &self,
        requested: Option<&str>,
        pointer: &str,
    ) -> Result<String, ApiError> {
        match (requested, self.districts.as_slice()) {
            (Some(id), districts) if districts.iter().any(|d| d == id) => Ok(id.to_owned()),
            (Some(_), _) => Err(ApiError::invalid_field(
                pointer,
                "unknown",
                "districtId does not name a district this client may act for",
            )),
            (None, [only]) => Ok(only.clone()),
            (None, _) => Err(ApiError::invalid_field(
                pointer,
                "required",
                "districtId is required because this client acts for several districts",
            )),
        }
    }
}

fn unauthorized(detail: &str, token_error: Option<&str>) -> ApiError {
    let challenge = match token_error {
        Some(description) => format!(
            r#"Bearer realm="{REALM}", error="invalid_token", error_description="{description}""#
        ),
        None => format!(r#"Bearer realm="{REALM}""#),
    };
    ApiError::new(ErrorCode::Unauthorized, detail).with_header(header::WWW_AUTHENTICATE, &challenge)
}

/// Describes a token verification failure without echoing the token.
fn describe(error: &jsonwebtoken::errors::Error) -> &'static str {
    use jsonwebtoken::errors::ErrorKind;
    match error.kind() {
        ErrorKind::ExpiredSignature => "the token has expired",
        ErrorKind::ImmatureSignature => "the token is not valid yet",
        ErrorKind::InvalidIssuer => "the token was issued by another issuer",
        ErrorKind::InvalidAudience => "the token is for another audience",
        ErrorKind::InvalidAlgorithm => "the token uses an algorithm this service does not accept",
        ErrorKind::InvalidSignature => "the token signature is invalid",
        ErrorKind::MissingRequiredClaim(_) => "the token lacks a required claim",
        _ => "the token is malformed",
    }
}

impl FromRequest for Principal {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let state = req
                .app_data::<web::Data<AppState>>()
                .ok_or_else(|| ApiError::internal(anyhow::anyhow!("application state missing")))?;

            let Some(value) = req.headers().get(header::AUTHORIZATION) else {
                return Err(unauthorized(
                    "send an access token from POST /oauth/token as 'Authorization: Bearer <token>'",
                    None,
                ));
            };
            let token = value
                .to_str()
                .ok()
                .and_then(|v| {
                    v.strip_prefix("Bearer ")
                        .or_else(|| v.strip_prefix("bearer "))
                })
                .map(str::trim)
                .ok_or_else(|| {
                    unauthorized(
                        "the Authorization header must use the Bearer scheme",
                        Some("the Authorization header must use the Bearer scheme"),
                    )
                })?;

            let claims = state.tokens.verify(token).map_err(|error| {
                let description = describe(&error);
                unauthorized(description, Some(description))
            })?;

            req.extensions_mut().insert(ClientId(claims.sub.clone()));
            let client_id = claims.sub.clone();
            state.rate_limits.api.admit(&client_id)?;

            let active = if state.active_clients.recently_confirmed(&client_id) {
                true
            } else {
                let lookup = client_id.clone();
                let active = crate::store::lookup!(state.store, |conn, q| q::clients::is_active(
                    conn, &lookup
                ))?;
                if active {
                    state.active_clients.confirm(&client_id);
                }
                active
            };
            if !active {
                let description = "the client has been revoked";
                return Err(unauthorized(description, Some(description)));
            }

            let scopes = claims
                .scope
                .split_whitespace()
                .filter_map(|s| s.parse::<Scope>().ok())
                .collect();
            Ok(Principal::new(claims.sub, scopes, claims.districts))
        })
    }
}
