//! One error type for the whole service, rendered as RFC 9457 `application/problem+json`.
//!
//! Handlers, extractors and the store return [`ApiError`]. The request-context middleware in
//! [`crate::telemetry`] adds the request id and the request path before the body is sent, so
//! every problem response names the request that caused it.

use std::fmt;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

/// The media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// Stable, documented error codes. Clients branch on these, never on the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The request body is not well-formed JSON (or NDJSON).
    MalformedJson,
    /// The JSON body nests arrays and objects deeper than the service accepts.
    JsonTooDeep,
    /// The body is well-formed but one or more fields are invalid.
    ValidationFailed,
    /// A query or path parameter is invalid.
    InvalidParameter,
    /// A request header is invalid.
    InvalidHeader,
    /// The `Content-Type` is not one the operation accepts.
    UnsupportedMediaType,
    /// The `Accept` header requests a representation the operation cannot produce.
    NotAcceptable,
    /// The body exceeds the configured size limit.
    PayloadTooLarge,
    /// No bearer token, or the token is invalid, expired or revoked.
    Unauthorized,
    /// The client credentials given to the token endpoint are wrong.
    InvalidClient,
    /// The token endpoint request is malformed (OAuth2 `invalid_request`).
    InvalidRequest,
    /// The token endpoint does not support the requested grant type.
    UnsupportedGrantType,
    /// The token endpoint was asked for a scope the client does not hold.
    InvalidScope,
    /// The token is valid but lacks the scope the operation needs.
    InsufficientScope,
    /// The resource does not exist or belongs to a district the client may not act for.
    NotFound,
    /// The path matches no route.
    RouteNotFound,
    /// The route exists but not for this HTTP method.
    MethodNotAllowed,
    /// The write conflicts with the current state (for example a duplicate natural key).
    Conflict,
    /// A request with the same `Idempotency-Key` is still being processed.
    IdempotencyKeyInUse,
    /// The `Idempotency-Key` was already used with a different request body.
    IdempotencyKeyReused,
    /// The client sent more requests than its rate limit allows; retry after `Retry-After`.
    RateLimited,
    /// `If-Match` does not match the current revision.
    PreconditionFailed,
    /// The operation requires an `If-Match` header.
    PreconditionRequired,
    /// The database is unreachable or overloaded; retry later.
    ServiceUnavailable,
    /// The request took longer than the server's time limit and was stopped.
    RequestTimedOut,
    /// An unexpected server fault; the cause is logged with the request id.
    InternalError,
}

impl ErrorCode {
    /// Every code, for the documentation and its consistency test.
    pub const ALL: [ErrorCode; 26] = [
        ErrorCode::MalformedJson,
        ErrorCode::JsonTooDeep,
        ErrorCode::ValidationFailed,
        ErrorCode::InvalidParameter,
        ErrorCode::InvalidHeader,
        ErrorCode::UnsupportedMediaType,
        ErrorCode::NotAcceptable,
        ErrorCode::PayloadTooLarge,
        ErrorCode::Unauthorized,
        ErrorCode::InvalidClient,
        ErrorCode::InvalidRequest,
        ErrorCode::UnsupportedGrantType,
        ErrorCode::InvalidScope,
        ErrorCode::InsufficientScope,
        ErrorCode::NotFound,
        ErrorCode::RouteNotFound,
        ErrorCode::MethodNotAllowed,
        ErrorCode::Conflict,
        ErrorCode::IdempotencyKeyInUse,
        ErrorCode::IdempotencyKeyReused,
        ErrorCode::RateLimited,
        ErrorCode::PreconditionFailed,
        ErrorCode::PreconditionRequired,
        ErrorCode::ServiceUnavailable,
        ErrorCode::RequestTimedOut,
        ErrorCode::InternalError,
    ];

    /// Returns the snake_case code string, as it appears in the `code` member.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::MalformedJson => "malformed_json",
            ErrorCode::JsonTooDeep => "json_too_deep",
            ErrorCode::ValidationFailed => "validation_failed",
            ErrorCode::InvalidParameter => "invalid_parameter",
            ErrorCode::InvalidHeader => "invalid_header",
            ErrorCode::UnsupportedMediaType => "unsupported_media_type",
            ErrorCode::NotAcceptable => "not_acceptable",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::InvalidClient => "invalid_client",
            ErrorCode::InvalidRequest => "invalid_request",
            ErrorCode::UnsupportedGrantType => "unsupported_grant_type",
            ErrorCode::InvalidScope => "invalid_scope",
            ErrorCode::InsufficientScope => "insufficient_scope",
            ErrorCode::NotFound => "not_found",
            ErrorCode::RouteNotFound => "route_not_found",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::Conflict => "conflict",
            ErrorCode::IdempotencyKeyInUse => "idempotency_key_in_use",
            ErrorCode::IdempotencyKeyReused => "idempotency_key_reused",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::PreconditionFailed => "precondition_failed",
            ErrorCode::PreconditionRequired => "precondition_required",
            ErrorCode::ServiceUnavailable => "service_unavailable",
            ErrorCode::RequestTimedOut => "request_timed_out",
            ErrorCode::InternalError => "internal_error",
        }
    }

    /// Returns the HTTP status that always goes with the code.
    pub fn status(self) -> StatusCode {
        match self {
            ErrorCode::MalformedJson
            | ErrorCode::JsonTooDeep
            | ErrorCode::InvalidParameter
            | ErrorCode::InvalidHeader
            | ErrorCode::InvalidRequest
            | ErrorCode::UnsupportedGrantType
            | ErrorCode::InvalidScope => StatusCode::BAD_REQUEST,
            ErrorCode::ValidationFailed | ErrorCode::IdempotencyKeyReused => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            ErrorCode::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::NotAcceptable => StatusCode::NOT_ACCEPTABLE,
            ErrorCode::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::Unauthorized | ErrorCode::InvalidClient => StatusCode::UNAUTHORIZED,
            ErrorCode::InsufficientScope => StatusCode::FORBIDDEN,
            ErrorCode::NotFound | ErrorCode::RouteNotFound => StatusCode::NOT_FOUND,
            ErrorCode::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ErrorCode::Conflict | ErrorCode::IdempotencyKeyInUse => StatusCode::CONFLICT,
            ErrorCode::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            ErrorCode::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            ErrorCode::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::ServiceUnavailable | ErrorCode::RequestTimedOut => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            ErrorCode::InternalError => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Returns the short, fixed summary that goes in `title`.
    pub fn title(self) -> &'static str {
        match self {
            ErrorCode::MalformedJson => "Request body is not valid JSON",
            ErrorCode::JsonTooDeep => "Request body nested too deeply",
            ErrorCode::ValidationFailed => "Request body failed validation",
            ErrorCode::InvalidParameter => "Invalid parameter",
            ErrorCode::InvalidHeader => "Invalid header",
            ErrorCode::UnsupportedMediaType => "Unsupported media type",
            ErrorCode::NotAcceptable => "Not acceptable",
            ErrorCode::PayloadTooLarge => "Request body too large",
            ErrorCode::Unauthorized => "Authentication required",
            ErrorCode::InvalidClient => "Client authentication failed",
            ErrorCode::InvalidRequest => "Invalid token request",
            ErrorCode::UnsupportedGrantType => "Unsupported grant type",
            ErrorCode::InvalidScope => "Invalid scope",
            ErrorCode::InsufficientScope => "Insufficient scope",
            ErrorCode::NotFound => "Resource not found",
            ErrorCode::RouteNotFound => "Route not found",
            ErrorCode::MethodNotAllowed => "Method not allowed",
            ErrorCode::Conflict => "Conflict with the current state",
            ErrorCode::IdempotencyKeyInUse => "Idempotency key in use",
            ErrorCode::IdempotencyKeyReused => "Idempotency key reused with another request",
            ErrorCode::RateLimited => "Too many requests",
            ErrorCode::PreconditionFailed => "Precondition failed",
            ErrorCode::PreconditionRequired => "Precondition required",
            ErrorCode::ServiceUnavailable => "Service unavailable",
            ErrorCode::RequestTimedOut => "Request timed out",
            ErrorCode::InternalError => "Internal server error",
        }
    }

    /// Returns the `type` URI of the problem.
    pub fn type_uri(self) -> String {
        format!("urn:ips-api:problem:{}", self.as_str().replace('_', "-"))
    }
}

/// Location and reason of one invalid field, parameter or header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FieldError {
    /// JSON Pointer (RFC 6901) into the request body, for body fields.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, example = "/studentUniqueId")]
    pub pointer: Option<String>,
    /// Name of the query or path parameter, for parameter errors.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub parameter: Option<String>,
    /// Name of the header, for header errors.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub header: Option<String>,
    /// Stable machine-readable reason, such as `required`, `range`, `pattern` or `unknown`.
    #[schema(example = "pattern")]
    pub code: String,
    /// Explanation of the fault and of how to fix it.
    #[schema(example = "studentUniqueId must be the 10-digit Kansas KIDS identifier")]
    pub message: String,
}

impl FieldError {
    /// Creates an error at a JSON Pointer into the body.
    pub fn body(pointer: impl Into<String>, code: &str, message: impl Into<String>) -> Self {
        FieldError {
            pointer: Some(pointer.into()),
            parameter: None,
            header: None,
            code: code.to_owned(),
            message: message.into(),
        }
    }

    /// Creates an error in a query or path parameter.
    pub fn parameter(name: impl Into<String>, code: &str, message: impl Into<String>) -> Self {
        FieldError {
            pointer: None,
            parameter: Some(name.into()),
            header: None,
            code: code.to_owned(),
            message: message.into(),
        }
    }

    /// Creates an error in a request header.
    pub fn header(name: impl Into<String>, code: &str, message: impl Into<String>) -> Self {
        FieldError {
            pointer: None,
            parameter: None,
            header: Some(name.into()),
            code: code.to_owned(),
            message: message.into(),
        }
    }
}

/// An RFC 9457 problem document, as sent to clients.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "type": "urn:ips-api:problem:validation-failed",
    "title": "Request body failed validation",
    "status": 422,
    "detail": "1 field is invalid",
    "instance": "/v1/students",
    "code": "validation_failed",
    "requestId": "0193a1f2-6c1e-7c39-9d55-2f0b8f3f1a77",
    "errors": [{
        "pointer": "/studentUniqueId",
        "code": "pattern",
        "message": "studentUniqueId must be the 10-digit Kansas KIDS identifier"
    }]
}))]
pub struct Problem {
    /// URI that identifies the problem type.
    #[serde(rename = "type")]
    pub type_uri: String,
    /// Short summary of the problem type.
    pub title: String,
    /// HTTP status code.
    pub status: u16,
    /// Explanation specific to this occurrence.
    pub detail: String,
    /// The request path.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub instance: Option<String>,
    /// Stable machine-readable error code.
    pub code: ErrorCode,
    /// The request id, also sent as the `X-Request-Id` header.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub request_id: Option<String>,
    /// Field, parameter or header errors.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

/// The error every fallible part of the service returns.
#[derive(Debug)]
pub struct ApiError {
    code: ErrorCode,
    detail: String,
    errors: Vec<FieldError>,
    headers: Vec<(HeaderName, HeaderValue)>,
    /// The underlying cause of a server fault; logged, never sent.
    source: Option<anyhow::Error>,
}

impl ApiError {
    /// Creates an error with the given code and detail.
    pub fn new(code: ErrorCode, detail: impl Into<String>) -> Self {
        ApiError {
            code,
            detail: detail.into(),
            errors: Vec::new(),
            headers: Vec::new(),
            source: None,
        }
    }

    /// 422 with field errors; the detail counts them.
    pub fn validation(errors: Vec<FieldError>) -> Self {
        let detail = match errors.len() {
            1 => "1 field is invalid".to_owned(),
            n => format!("{n} fields are invalid"),
        };
        ApiError::new(ErrorCode::ValidationFailed, detail).with_errors(errors)
    }

    /// 422 with a single body field error.
    pub fn invalid_field(pointer: &str, code: &str, message: impl Into<String>) -> Self {
        ApiError::validation(vec![FieldError::body(pointer, code, message)])
    }

    /// 400 for one bad query or path parameter.
    pub fn invalid_parameter(name: &str, code: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        ApiError::new(ErrorCode::InvalidParameter, message.clone())
            .with_errors(vec![FieldError::parameter(name, code, message)])
    }

    /// 400 for one bad header.
    pub fn invalid_header(name: &str, code: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        ApiError::new(ErrorCode::InvalidHeader, message.clone())
            .with_errors(vec![FieldError::header(name, code, message)])
    }

    /// 404 that does not reveal whether the record exists in another district.
    pub fn not_found(what: &str) -> Self {
        ApiError::new(ErrorCode::NotFound, format!("{what} not found"))
    }

    /// 409 for a request whose `Idempotency-Key` another request with the same body holds.
    pub fn idempotency_key_in_use() -> Self {
        ApiError::new(
            ErrorCode::IdempotencyKeyInUse,
            "a request with this Idempotency-Key is still being processed; retry after it completes",
        )
        .with_header(header::RETRY_AFTER, "1")
    }

    /// 500 whose cause is logged once and never sent to the client.
    pub fn internal(source: impl Into<anyhow::Error>) -> Self {
        let mut error = ApiError::new(
            ErrorCode::InternalError,
            "The server failed to process the request; report the request id to the operator",
        );
        error.source = Some(source.into());
        error
    }

    /// 503 for an unreachable or saturated database; the cause is logged.
    pub fn unavailable(source: impl Into<anyhow::Error>) -> Self {
        let mut error = ApiError::new(
            ErrorCode::ServiceUnavailable,
            "The database is unavailable; retry later",
        )
        .with_header(header::RETRY_AFTER, "1");
        error.source = Some(source.into());
        error
    }

    /// Adds field errors.
    pub fn with_errors(mut self, errors: Vec<FieldError>) -> Self {
        self.errors.extend(errors);
        self
    }

    /// Adds a response header, such as `WWW-Authenticate`, `ETag` or `Allow`.
    pub fn with_header(mut self, name: HeaderName, value: &str) -> Self {
        if let Ok(value) = HeaderValue::from_str(value) {
            self.headers.push((name, value));
        }
        self
    }

    pub fn code(&self) -> ErrorCode {
        self.code
    }

    pub fn detail(&self) -> &str {
        &self.detail
    }

    pub fn errors(&self) -> &[FieldError] {
        &self.errors
    }

    pub fn source_error(&self) -> Option<&anyhow::Error> {
        self.source.as_ref()
    }

    /// Builds the problem document for this error.
    pub fn problem(&self, instance: Option<String>, request_id: Option<String>) -> Problem {
        Problem {
            type_uri: self.code.type_uri(),
            title: self.code.title().to_owned(),
            status: self.code.status().as_u16(),
            detail: self.detail.clone(),
            instance,
            code: self.code,
            request_id,
            errors: self.errors.clone(),
        }
    }

    /// Renders the response with the request context filled in.
    pub fn render(&self, instance: Option<String>, request_id: Option<String>) -> HttpResponse {
        let mut builder = HttpResponse::build(self.code.status());
        builder.insert_header((header::CONTENT_TYPE, PROBLEM_JSON));
        for (name, value) in &self.headers {
            builder.append_header((name.clone(), value.clone()));
        }
        let body = serde_json::to_vec(&self.problem(instance, request_id))
            .unwrap_or_else(|_| b"{}".to_vec());
        builder.body(body)
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.detail)
    }
}

impl std::error::Error for ApiError {}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.code.status()
    }

    fn error_response(&self) -> HttpResponse {
        self.render(None, None)
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(error: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match &error {
            Error::NotFound => ApiError::new(ErrorCode::NotFound, "resource not found"),
            Error::DatabaseError(DatabaseErrorKind::ClosedConnection, _) => {
                ApiError::unavailable(error)
            }
            Error::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => ApiError::new(
                ErrorCode::Conflict,
                "The write conflicted with a concurrent write; retry the request",
            ),
            _ => ApiError::internal(error),
        }
    }
}

impl From<r2d2::Error> for ApiError {
    fn from(error: r2d2::Error) -> Self {
        ApiError::unavailable(error)
    }
}

impl From<diesel::ConnectionError> for ApiError {
    fn from(error: diesel::ConnectionError) -> Self {
        ApiError::unavailable(error)
    }
}

/// Converts `validator` errors into field errors with camelCase JSON Pointers.
pub fn validation_errors(errors: &validator::ValidationErrors) -> Vec<FieldError> {
    let mut out = Vec::new();
    collect_validation_errors(errors, String::new(), &mut out);
    out.sort_by(|a, b| a.pointer.cmp(&b.pointer));
    out
}

fn collect_validation_errors(
    errors: &validator::ValidationErrors,
    prefix: String,
    out: &mut Vec<FieldError>,
) {
    use validator::ValidationErrorsKind;

    for (field, kind) in errors.errors() {
        let pointer = format!("{prefix}/{}", camel_case(field));
        match kind {
            ValidationErrorsKind::Field(field_errors) => {
                for error in field_errors {
                    let message = error
                        .message
                        .as_ref()
                        .map(|m| m.to_string())
                        .unwrap_or_else(|| format!("{} is invalid", camel_case(field)));
                    out.push(FieldError::body(pointer.clone(), &error.code, message));
                }
            }
            ValidationErrorsKind::Struct(inner) => {
                collect_validation_errors(inner, pointer, out);
            }
            ValidationErrorsKind::List(items) => {
                for (index, inner) in items {
                    collect_validation_errors(inner, format!("{pointer}/{index}"), out);
                }
            }
        }
    }
}

/// Converts a Rust field name (`student_unique_id`) into its JSON name (`studentUniqueId`).
pub fn camel_case(snake: &str) -> String {
    let mut out = String::with_capacity(snake.len());
    let mut upper = false;
    for ch in snake.chars() {
        if ch == '_' {
            upper = true;
        } else if upper {
            out.extend(ch.to_uppercase());
            upper = false;
        } else {
            out.push(ch);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn camel_case_converts_field_names() {
        assert_eq!(camel_case("student_unique_id"), "studentUniqueId");
        assert_eq!(camel_case("id"), "id");
    }

    #[test]
    fn every_code_has_a_distinct_string() {
        let mut names: Vec<_> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ErrorCode::ALL.len());
    }

    #[test]
    fn code_string_matches_serde_name() {
        for code in ErrorCode::ALL {
            let json = serde_json::to_value(code).expect("serialize code");
            assert_eq!(json, serde_json::Value::String(code.as_str().to_owned()));
        }
    }
}
