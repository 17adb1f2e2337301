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
        for tag in value.split(',').map(str::trim) {
            // Weak tags never match under If-Match (RFC 9110 section 13.1.1).
            if tag.starts_with("W/") {
                revisions.push(-1);
                continue;
            }
            let inner = tag.strip_prefix('"')?.strip_suffix('"')?;
            revisions.push(inner.parse().unwrap_or(-1));
        }
        Some(IfMatch::Revisions(revisions))
    }
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

impl FromRequest for IfMatch {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let result = match req.headers().get(header::IF_MATCH) {
            None => Err(ApiError::new(
                ErrorCode::PreconditionRequired,
                "send If-Match with the ETag of the revision you read (or * to overwrite any revision)",
            )),
            Some(value) => value.to_str().ok().and_then(IfMatch::parse).ok_or_else(|| {
                ApiError::invalid_header(
                    "If-Match",
                    "format",
                    "If-Match must be * or a list of quoted ETags such as \"3\"",
                )
            }),
        };
        std::future::ready(result)
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
