//! Reusable OpenAPI error responses, each with an example problem body.

use utoipa::ToResponse;

use crate::error::Problem;

#[derive(ToResponse)]
#[response(
    description = "A query parameter or header is invalid (`invalid_parameter`, `invalid_header`), or the body is not valid JSON (`malformed_json`) or nests arrays and objects more than 64 levels deep (`json_too_deep`)",
    content_type = "application/problem+json",
    example = json!({
        "type": "urn:ips-api:problem:invalid-parameter",
        "title": "Invalid parameter",
        "status": 400,
        "detail": "limit must be between 1 and 1000",
        "instance": "/v1/students",
        "code": "invalid_parameter",
        "requestId": "0193a1f2-6c1e-7c39-9d55-2f0b8f3f1a77",
        "errors": [{"parameter": "limit", "code": "range", "message": "limit must be between 1 and 1000"}]
    })
)]
pub struct BadRequest(#[allow(dead_code)] Problem);

#[derive(ToResponse)]
#[response(
    description = "Missing, invalid, expired or revoked bearer token (`unauthorized`)",
    content_type = "application/problem+json",
    headers(("WWW-Authenticate" = String, description = "Bearer challenge with the token error")),
    example = json!({
        "type": "urn:ips-api:problem:unauthorized",
        "title": "Authentication required",
        "status": 401,
        "detail": "the token has expired",
        "instance": "/v1/students",
        "code": "unauthorized",
        "requestId": "0193a1f2-6c1e-7c39-9d55-2f0b8f3f1a77"
    })
)]
pub struct Unauthorized(#[allow(dead_code)] Problem);

#[derive(ToResponse)]
#[response(
    description = "The token lacks the scope this operation needs (`insufficient_scope`)",
    content_type = "application/problem+json",
    example = json!({
        "type": "urn:ips-api:problem:insufficient-scope",
        "title": "Insufficient scope",
        "status": 403,
        "detail": "this operation requires the scope students:write; request a token that includes it",
        "instance": "/v1/students",
        "code": "insufficient_scope",
        "requestId": "0193a1f2-6c1e-7c39-9d55-2f0b8f3f1a77"
    })
)]
pub struct Forbidden(#[allow(dead_code)] Problem);

#[derive(ToResponse)]
#[response(
    description = "No such resource among the districts this client may act for (`not_found`)",
    content_type = "application/problem+json",
    example = json!({
        "type": "urn:ips-api:problem:not-found",
        "title": "Resource not found",
        "status": 404,
        "detail": "student not found",
        "instance": "/v1/students/0193a1f2-6c1e-7c39-9d55-2f0b8f3f1a77",
        "code": "not_found",
        "requestId": "0193a1f2-6c1e-7c39-9d55-2f0b8f3f1a77"
    })
)]
pub struct NotFound(#[allow(dead_code)] Problem);

#[derive(ToResponse)]
#[response(
    description = "The write conflicts with existing data (`conflict`), or a request with the same Idempotency-Key is still running (`idempotency_key_in_use`)",
    content_type = "application/problem+json",
    example = json!({
        "type": "urn:ips-api:problem:conflict",
        "title": "Conflict with the current state",
        "status": 409,
        "detail": "another student in this district already has this studentUniqueId",
        "instance": "/v1/students",
        "code": "conflict",
        "requestId": "0193a1f2-6c1e-7c39-9d55-2f0b8f3f1a77",
        "errors": [{"pointer": "/studentUniqueId", "code": "duplicate", "message": "studentUniqueId must be unique within the district"}]
    })
)]
pub struct Conflict(#[allow(dead_code)] Problem);

#[derive(ToResponse)]
#[response(
    description = "If-Match does not match the current revision (`precondition_failed`); the ETag header carries the current one",
    content_type = "application/problem+json",
    headers(("ETag" = String, description = "The current ETag")),
    example = json!({
        "type": "urn:ips-api:problem:precondition-failed",
        "title": "Precondition failed",
        "status": 412,
        "detail": "the resource has changed; its current ETag is \"4\". Fetch it, reapply your change and retry with that ETag in If-Match",
        "instance": "/v1/students/0193a1f2-6c1e-7c39-9d55-2f0b8f3f1a77",
        "code": "precondition_failed",
        "requestId": "0193a1f2-6c1e-7c39-9d55-2f0b8f3f1a77"
    })
)]
pub struct PreconditionFailed(#[allow(dead_code)] Problem);

#[derive(ToResponse)]
#[response(
    description = "The Accept header requests no representation the operation offers (`not_acceptable`)",
    content_type = "application/problem+json",
    example = json!({
        "type": "urn:ips-api:problem:not-acceptable",
        "title": "Not acceptable",
        "status": 406,
        "detail": "this operation returns application/json or text/csv; send an Accept header that includes one of them",
        "instance": "/v1/reviews/compliance",
        "code": "not_acceptable",
        "requestId": "0193a1f2-6c1e-7c39-9d55-2f0b8f3f1a77"
    })
)]
pub struct NotAcceptable(#[allow(dead_code)] Problem);

#[derive(ToResponse)]
#[response(
    description = "The body exceeds the size limit (`payload_too_large`)",
    content_type = "application/problem+json",
    example = json!({
        "type": "urn:ips-api:problem:payload-too-large",
        "title": "Request body too large",
        "status": 413,
        "detail": "the request body exceeds the size limit of this operation",
        "instance": "/v1/students",
        "code": "payload_too_large",
        "requestId": "0193a1f2-6c1e-7c39-9d55-2f0b8f3f1a77"
    })
)]
pub struct PayloadTooLarge(#[allow(dead_code)] Problem);

#[derive(ToResponse)]
#[response(
    description = "The Content-Type is not accepted (`unsupported_media_type`)",
    content_type = "application/problem+json",
    example = json!({
        "type": "urn:ips-api:problem:unsupported-media-type",
        "title": "Unsupported media type",
        "status": 415,
        "detail": "send the request body as application/json",
        "instance": "/v1/students",
        "code": "unsupported_media_type",
        "requestId": "0193a1f2-6c1e-7c39-9d55-2f0b8f3f1a77"
    })
)]
pub struct UnsupportedMediaType(#[allow(dead_code)] Problem);

#[derive(ToResponse)]
#[response(
    description = "The body failed validation (`validation_failed`), or the Idempotency-Key was used with another body (`idempotency_key_reused`)",
    content_type = "application/problem+json",
    example = json!({
        "type": "urn:ips-api:problem:validation-failed",
        "title": "Request body failed validation",
        "status": 422,
        "detail": "1 field is invalid",
        "instance": "/v1/students",
        "code": "validation_failed",
        "requestId": "0193a1f2-6c1e-7c39-9d55-2f0b8f3f1a77",
        "errors": [{"pointer": "/studentUniqueId", "code": "pattern", "message": "studentUniqueId must be the 10-digit Kansas KIDS identifier"}]
    })
)]
pub struct ValidationFailed(#[allow(dead_code)] Problem);

#[derive(ToResponse)]
#[response(
    description = "The operation requires If-Match (`precondition_required`)",
    content_type = "application/problem+json",
    example = json!({
        "type": "urn:ips-api:problem:precondition-required",
        "title": "Precondition required",
        "status": 428,
        "detail": "send If-Match with the ETag of the revision you read (or * to overwrite any revision)",
        "instance": "/v1/students/0193a1f2-6c1e-7c39-9d55-2f0b8f3f1a77",
        "code": "precondition_required",
        "requestId": "0193a1f2-6c1e-7c39-9d55-2f0b8f3f1a77"
    })
)]
pub struct PreconditionRequired(#[allow(dead_code)] Problem);

#[derive(ToResponse)]
#[response(
    description = "The client exceeded its request rate limit (`rate_limited`); retry after the Retry-After delay",
    content_type = "application/problem+json",
    headers(("Retry-After" = String, description = "Whole seconds to wait before retrying")),
    example = json!({
        "type": "urn:ips-api:problem:rate-limited",
        "title": "Too many requests",
        "status": 429,
        "detail": "this client exceeded its rate limit of 100 requests per second (bursts of 200); retry after 1 seconds",
        "instance": "/v1/students",
        "code": "rate_limited",
        "requestId": "0193a1f2-6c1e-7c39-9d55-2f0b8f3f1a77"
    })
)]
pub struct TooManyRequests(#[allow(dead_code)] Problem);

#[derive(ToResponse)]
#[response(
    description = "The database is unreachable or saturated (`service_unavailable`), retry after the Retry-After delay; or the request did not complete within the time limit and was stopped (`request_timed_out`), so read the resource before repeating a write",
    content_type = "application/problem+json",
    headers(("Retry-After" = String, description = "Seconds to wait before retrying")),
    example = json!({
        "type": "urn:ips-api:problem:service-unavailable",
        "title": "Service unavailable",
        "status": 503,
        "detail": "The database is unavailable; retry later",
        "instance": "/v1/students",
        "code": "service_unavailable",
        "requestId": "0193a1f2-6c1e-7c39-9d55-2f0b8f3f1a77"
    })
)]
pub struct ServiceUnavailable(#[allow(dead_code)] Problem);

#[derive(ToResponse)]
#[response(
    description = "An unexpected server fault (`internal_error`); the cause is logged under the request id",
    content_type = "application/problem+json",
    example = json!({
        "type": "urn:ips-api:problem:internal-error",
        "title": "Internal server error",
        "status": 500,
        "detail": "The server failed to process the request; report the request id to the operator",
        "instance": "/v1/students",
        "code": "internal_error",
        "requestId": "0193a1f2-6c1e-7c39-9d55-2f0b8f3f1a77"
    })
)]
pub struct InternalError(#[allow(dead_code)] Problem);
