//! ETags and `If-Match`: every single-resource response carries its revision as a strong
//! ETag, and every PUT and DELETE must name the revision it was based on.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, HttpResponse};

use crate::error::{ApiError, ErrorCode};

/// Formats the ETag of a revision: the revision number as a strong entity tag.
pub fn etag(revision: i32) -> String {
    format!("\"{revision}\"")
}

/// Builds a 200 response with a single resource and its ETag.
pub fn with_etag(revision: i32, body: &impl serde::Serialize) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::ETAG, etag(revision)))
        .json(body)
}

/// Builds the error for a compare-and-set that lost to a concurrent writer: 412 with the
/// revision that writer left, or 404 when it deleted the resource.
pub fn lost_race(latest_revision: Option<i32>, what: &str) -> ApiError {
    match latest_revision {
        Some(revision) => stale(revision),
        None => ApiError::not_found(what),
    }
}

/// The values [`IfMatch`] accepts, for the OpenAPI document: `*` or a comma-separated list of
/// strong or weak entity tags.
pub const IF_MATCH_PATTERN: &str =
    r#"^(\*|(W/)?"[\x21\x23-\x2B\x2D-\x7E]*"([ \t]*,[ \t]*(W/)?"[\x21\x23-\x2B\x2D-\x7E]*")*)$"#;

/// The parsed `If-Match` header. Required on PUT, PATCH and DELETE.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IfMatch {
    /// `If-Match: *`: any current revision; an explicit, deliberate overwrite.
    Any,
    /// The revisions the client based its change on.
    Revisions(Vec<i32>),
}

impl IfMatch {
    /// Fails with 412, carrying the current ETag, unless `current` matches.
    pub fn check(&self, current: i32) -> Result<(), ApiError> {
        let matches = match self {
            IfMatch::Any => true,
            IfMatch::Revisions(revisions) => revisions.contains(&current),
        };
        if matches { Ok(()) } else { Err(stale(current)) }
    }

    fn parse(value: &str) -> Option<IfMatch> {
        let value = value.trim();
        if value == "*" {
            return Some(IfMatch::Any);
        }
        let mut revisions = Vec::new();
        for tag in value.split(',').map(|tag| tag.trim_matches([' ', '\t'])) {
            let (weak, tag) = match tag.strip_prefix("W/") {
                Some(rest) => (true, rest),
                None => (false, tag),
            };
            let opaque = tag.strip_prefix('"')?.strip_suffix('"')?;
            if !opaque.bytes().all(is_etag_char) {
                return None;
            }
            // Weak tags never match under If-Match (RFC 9110 section 13.1.1).
            revisions.push(if weak {
                -1
            } else {
                opaque.parse().unwrap_or(-1)
            });
        }
        Some(IfMatch::Revisions(revisions))
    }
}

/// Reports whether `byte` may appear between the quotes of an entity tag: visible ASCII
/// other than `"` (RFC 9110 `etagc`), and other than `,`, which separates the tags of a list.
fn is_etag_char(byte: u8) -> bool {
    byte.is_ascii_graphic() && byte != b'"' && byte != b','
}

/// 412 telling the client to refetch, with the current ETag.
pub fn stale(current: i32) -> ApiError {
    ApiError::new(
        ErrorCode::PreconditionFailed,
        format!(
            "the resource has changed; its current ETag is {}. Fetch it, reapply your change and retry with that ETag in If-Match",
            etag(current)
        ),
    )
    .with_header(header::ETAG, &etag(current))
}

/// Parses the `If-Match` header of `req`, or returns `None` when it has none.
fn if_match_header(req: &HttpRequest) -> Option<Result<IfMatch, ApiError>> {
    let value = req.headers().get(header::IF_MATCH)?;
    Some(value.to_str().ok().and_then(IfMatch::parse).ok_or_else(|| {
        ApiError::invalid_header(
            "If-Match",
            "format",
            "If-Match must be * or a list of quoted ETags such as \"3\"",
        )
    }))
}

impl FromRequest for IfMatch {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let result = if_match_header(req).unwrap_or_else(|| {
            Err(ApiError::new(
                ErrorCode::PreconditionRequired,
                "send If-Match with the ETag of the revision you read (or * to overwrite any revision)",
            ))
        });
        std::future::ready(result)
    }
}

/// An `If-Match` header that the operation does not require. Unlike `Option<IfMatch>`, which
/// would ignore it, a malformed header is rejected with 400.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptionalIfMatch(pub Option<IfMatch>);

impl FromRequest for OptionalIfMatch {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        std::future::ready(if_match_header(req).transpose().map(OptionalIfMatch))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_star_and_tags() {
        assert_eq!(IfMatch::parse("*"), Some(IfMatch::Any));
        assert_eq!(IfMatch::parse("\"3\""), Some(IfMatch::Revisions(vec![3])));
        assert_eq!(
            IfMatch::parse("\"3\", \"4\""),
            Some(IfMatch::Revisions(vec![3, 4]))
        );
        assert_eq!(IfMatch::parse("3"), None);
        assert_eq!(IfMatch::parse(""), None);
        assert_eq!(IfMatch::parse("W/3"), None);
        assert_eq!(IfMatch::parse("\"3\u{7f}\""), None);
        assert_eq!(IfMatch::parse("\"3\",,\"4\""), None);
    }

    #[test]
    fn weak_tag_never_matches() {
        let if_match = IfMatch::parse("W/\"3\"").expect("parse");
        assert!(if_match.check(3).is_err());
    }

    #[test]
    fn stale_revision_is_412_with_current_etag() {
        let error = IfMatch::Revisions(vec![2]).check(3).expect_err("stale");
        assert_eq!(error.code(), ErrorCode::PreconditionFailed);
        assert!(error.detail().contains("\"3\""));
    }
}
