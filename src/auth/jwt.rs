//! Issuing and verifying the service's HS256 bearer tokens.

use std::time::Duration;

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

/// The only algorithm accepted. Pinning it rejects `alg: none` and algorithm-confusion tokens.
const ALGORITHM: Algorithm = Algorithm::HS256;

/// Clock skew tolerated when checking `exp` and `nbf`, in seconds.
const LEEWAY_SECONDS: u64 = 30;

/// The claims of an access token.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    /// The client id.
    pub sub: String,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
    pub jti: String,
    /// Space-separated scopes, as in RFC 8693 and RFC 9068.
    pub scope: String,
    /// The districts the client may act for.
    pub districts: Vec<String>,
}

/// Signing and verification keys with the issuer, audience and lifetime of tokens.
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    issuer: String,
    audience: String,
    lifetime: Duration,
}

/// Settings for [`TokenKeys`].
#[derive(Clone)]
pub struct TokenSettings {
    pub secret: SecretString,
    pub issuer: String,
    pub audience: String,
    pub lifetime: Duration,
}

impl TokenKeys {
    pub fn new(settings: &TokenSettings) -> TokenKeys {
        let secret = settings.secret.expose_secret().as_bytes();
        let mut validation = Validation::new(ALGORITHM);
        validation.set_issuer(&[&settings.issuer]);
        validation.set_audience(&[&settings.audience]);
        validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);
        validation.validate_nbf = true;
        validation.leeway = LEEWAY_SECONDS;
        TokenKeys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            issuer: settings.issuer.clone(),
            audience: settings.audience.clone(),
            lifetime: settings.lifetime,
        }
    }

    /// Token lifetime in seconds, as returned in `expires_in`.
    pub fn lifetime_seconds(&self) -> u64 {
        self.lifetime.as_secs()
    }

    /// Builds the claims of a new token for `client_id`.
    pub fn claims_for(&self, client_id: &str, scope: String, districts: Vec<String>) -> Claims {
        let now = chrono::Utc::now().timestamp();
        let lifetime = i64::try_from(self.lifetime.as_secs()).unwrap_or(i64::MAX / 2);
        Claims {
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            sub: client_id.to_owned(),
            iat: now,
            nbf: now,
            exp: now + lifetime,
            jti: uuid::Uuid::now_v7().to_string(),
            scope,
            districts,
        }
    }

    /// Signs claims into a compact JWT.
    pub fn sign(&self, claims: &Claims) -> anyhow::Result<String> {
        Ok(jsonwebtoken::encode(
            &Header::new(ALGORITHM),
            claims,
            &self.encoding,
        )?)
    }

    /// Verifies signature, algorithm, `exp`, `nbf`, `iss` and `aud`, and returns the claims.
    pub fn verify(&self, token: &str) -> Result<Claims, jsonwebtoken::errors::Error> {
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map(|data| data.claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;

    fn keys() -> TokenKeys {
        TokenKeys::new(&TokenSettings {
            secret: SecretString::from("0123456789abcdef0123456789abcdef"),
            issuer: "ips-api".into(),
            audience: "ips-api".into(),
            lifetime: Duration::from_secs(600),
        })
    }

    #[test]
    fn signed_token_verifies() {
        let keys = keys();
        let claims = keys.claims_for("client-1", "students:read".into(), vec!["D0259".into()]);
        let token = keys.sign(&claims).expect("sign");
        assert_eq!(keys.verify(&token).expect("verify"), claims);
    }

    #[test]
    fn unsigned_alg_none_token_is_rejected() {
        let keys = keys();
        let claims = keys.claims_for("client-1", "students:read".into(), vec![]);
        let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let header = engine.encode(br#"{"alg":"none","typ":"JWT"}"#);
        let payload = engine.encode(serde_json::to_vec(&claims).expect("claims json"));
        assert!(keys.verify(&format!("{header}.{payload}.")).is_err());
    }

    #[test]
    fn expired_token_is_rejected() {
        let keys = keys();
        let mut claims = keys.claims_for("client-1", String::new(), vec![]);
        claims.exp = claims.iat - 3600;
        let token = keys.sign(&claims).expect("sign");
        assert!(keys.verify(&token).is_err());
    }
}
