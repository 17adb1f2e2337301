//! Request extractors that reject every failure with a problem response naming the field:
//! [`Json`] for bodies and [`Query`] for query strings.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::{StatusCode, header};
use actix_web::{FromRequest, HttpRequest, web};
use serde::de::DeserializeOwned;
use validator::Validate;

use crate::error::{ApiError, ErrorCode, FieldError, validation_errors};

/// Deepest nesting of arrays and objects accepted in a JSON body. The deepest built-in rule
/// set (`rules/ks-regents-precollege.json`) nests 14 levels.
pub const MAX_JSON_DEPTH: usize = 64;

/// A JSON request body, deserialized and validated.
#[derive(Debug)]
pub struct Json<T>(pub T);

/// A query string, deserialized and validated.
#[derive(Debug)]
pub struct Query<T>(pub T);

/// Reports whether the request's `Content-Type` is JSON (`application/json` or `…+json`).
pub fn is_json(req: &HttpRequest) -> bool {
    media_type(req).is_some_and(|m| m == "application/json" || m.ends_with("+json"))
}

/// Returns the request's media type, lowercased, without parameters.
pub fn media_type(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
}

/// Maps a body-read failure, such as an oversized body, to a problem.
pub fn payload_error(error: actix_web::Error) -> ApiError {
    if error.as_response_error().status_code() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::new(
            ErrorCode::PayloadTooLarge,
            "the request body exceeds the size limit of this operation",
        )
    } else {
        ApiError::new(
            ErrorCode::MalformedJson,
            format!("the request body could not be read: {error}"),
        )
    }
}

/// Fails with 400 `json_too_deep` when arrays and objects in `bytes` nest more than
/// [`MAX_JSON_DEPTH`] levels deep, not counting `wrapper_levels` outer levels (1 for the array
/// around bulk items). It scans the text without parsing it, so a deep body is rejected
/// before any value is built.
pub fn check_depth(bytes: &[u8], wrapper_levels: usize) -> Result<(), ApiError> {
    let limit = MAX_JSON_DEPTH + wrapper_levels;
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for &byte in bytes {
        if in_string {
            if escaped {
                escaped = false;
            } else if byte == b'\\' {
                escaped = true;
            } else if byte == b'"' {
                in_string = false;
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > limit {
                    return Err(ApiError::new(
                        ErrorCode::JsonTooDeep,
                        format!(
                            "arrays and objects in the body are nested more than {MAX_JSON_DEPTH} levels deep, the limit; send a flatter document"
                        ),
                    ));
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// Converts a serde_path_to_error path into a JSON Pointer.
fn pointer_of(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut pointer = String::new();
    for segment in path.iter() {
        pointer.push('/');
        match segment {
            Segment::Seq { index } => pointer.push_str(&index.to_string()),
            Segment::Map { key } => pointer.push_str(&key.replace('~', "~0").replace('/', "~1")),
            Segment::Enum { variant } => pointer.push_str(variant),
            Segment::Unknown => pointer.push('?'),
        }
    }
    pointer
}

/// Extracts the field named in a serde message such as "missing field `x`" or "unknown field `x`".
fn named_field(message: &str) -> Option<&str> {
    let start = message.find('`')? + 1;
    let end = start + message[start..].find('`')?;
    Some(&message[start..end])
}

/// Classifies a serde data error into a stable code and the pointer it applies to.
fn data_error(base: String, message: &str) -> FieldError {
    let clean = message
        .split(" at line ")
        .next()
        .unwrap_or(message)
        .to_owned();
    if message.starts_with("missing field") {
        let field = named_field(message).unwrap_or_default();
        FieldError::body(
            format!("{base}/{field}"),
            "required",
            format!("{field} is required"),
        )
    } else if message.starts_with("unknown field") {
        // The path already ends at the unknown key; serde lists the accepted fields.
        let field = named_field(message).unwrap_or_default();
        let accepted = clean
            .split_once("expected ")
            .map(|(_, list)| format!("; expected {list}"))
            .unwrap_or_default();
        FieldError::body(
            base,
            "unknown_field",
            format!("{field} is not a field of this resource{accepted}"),
        )
    } else if message.starts_with("unknown variant") {
        FieldError::body(base, "enum", clean)
    } else {
        FieldError::body(base, "type", clean)
    }
}

/// Deserializes one JSON value from `bytes` and validates it; errors carry JSON Pointers.
pub fn parse_json<T>(bytes: &[u8]) -> Result<T, ApiError>
where
    T: DeserializeOwned + Validate,
{
    check_depth(bytes, 0)?;
    // Most bodies deserialize directly; only one that does not goes through the slower path.
    let value: T = match serde_json::from_slice(bytes) {
        Ok(value) => value,
        Err(_) => parse_leniently(bytes)?,
    };
    value
        .validate()
        .map_err(|e| ApiError::validation(validation_errors(&e)))?;
    Ok(value)
}

/// Deserializes `bytes` through a JSON tree, accepting whole floats for integers, and
/// reports what fails with a pointer.
fn parse_leniently<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut document: serde_json::Value = serde_json::from_slice(bytes).map_err(|error| {
        ApiError::new(
            ErrorCode::MalformedJson,
            format!("the body is not valid JSON: {error}"),
        )
    })?;
    whole_floats_to_integers(&mut document);
    serde_path_to_error::deserialize(document).map_err(|error| {
        let pointer = pointer_of(error.path());
        ApiError::validation(vec![data_error(pointer, &error.into_inner().to_string())])
    })
}

/// Rewrites every number with a zero fraction, such as `2030.0`, as an integer. JSON Schema
/// counts such a number as an `integer`, and some JSON encoders write every number as a
/// float, but serde accepts only integer literals for integer fields.
fn whole_floats_to_integers(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Number(number) => {
            if let Some(float) = number.as_f64()
                && !number.is_i64()
                && !number.is_u64()
                && float.fract() == 0.0
                && float.abs() < 9.0e15
            {
                // The bound keeps the conversion exact: every whole f64 below 2^53 is an i64.
                *value = Value::from(float as i64);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(whole_floats_to_integers),
        Value::Object(members) => members.values_mut().for_each(whole_floats_to_integers),
        _ => {}
    }
}

impl<T> FromRequest for Json<T>
where
    T: DeserializeOwned + Validate + 'static,
{
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let json = is_json(req);
        let bytes = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            if !json {
                return Err(ApiError::new(
                    ErrorCode::UnsupportedMediaType,
                    "send the request body as application/json",
                ));
            }
            let bytes = bytes.await.map_err(payload_error)?;
            parse_json(&bytes).map(Json)
        })
    }
}

impl<T> FromRequest for Query<T>
where
    T: DeserializeOwned + Validate + 'static,
{
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        std::future::ready(parse_query(req.query_string()).map(Query))
    }
}

fn parse_query<T>(query: &str) -> Result<T, ApiError>
where
    T: DeserializeOwned + Validate,
{
    let deserializer = serde_urlencoded::Deserializer::new(url_pairs(query));
    let value: T = serde_path_to_error::deserialize(deserializer).map_err(|error| {
        let path = error.path().to_string();
        let message = error.into_inner().to_string();
        let name = match named_field(&message) {
            Some(field)
                if message.starts_with("unknown field") || message.starts_with("missing field") =>
            {
                field.to_owned()
            }
            _ => path,
        };
        let code = if message.starts_with("unknown field") {
            "unknown_parameter"
        } else {
            "type"
        };
        ApiError::invalid_parameter(&name, code, format!("query parameter {name}: {message}"))
    })?;
    value.validate().map_err(|errors| {
        let mut details: Vec<FieldError> = validation_errors(&errors)
            .into_iter()
            .map(|e| {
                let name = e
                    .pointer
                    .unwrap_or_default()
                    .trim_start_matches('/')
                    .to_owned();
                FieldError::parameter(name, &e.code, e.message)
            })
            .collect();
        details.sort_by(|a, b| a.parameter.cmp(&b.parameter));
        let detail = details
            .iter()
            .map(|e| e.message.clone())
            .collect::<Vec<_>>()
            .join("; ");
        ApiError::new(ErrorCode::InvalidParameter, detail).with_errors(details)
    })?;
    Ok(value)
}

fn url_pairs(query: &str) -> form_urlencoded::Parse<'_> {
    form_urlencoded::parse(query.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, Validate)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    struct Body {
        #[validate(range(min = 6, max = 12, message = "gradeLevel must be between 6 and 12"))]
        grade_level: i32,
        #[allow(dead_code)]
        items: Option<Vec<Item>>,
    }

    #[derive(Debug, Deserialize, Validate)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    struct Item {
        #[allow(dead_code)]
        credits: f64,
    }

    fn pointer(error: &ApiError) -> Option<String> {
        error.errors().first().and_then(|e| e.pointer.clone())
    }

    #[test]
    fn missing_field_points_at_the_field() {
        let error = parse_json::<Body>(b"{}").expect_err("missing field");
        assert_eq!(error.code(), ErrorCode::ValidationFailed);
        assert_eq!(pointer(&error).as_deref(), Some("/gradeLevel"));
    }

    #[test]
    fn wrong_type_in_array_points_at_the_item() {
        let error =
            parse_json::<Body>(br#"{"gradeLevel":9,"items":[{"credits":1},{"credits":"x"}]}"#)
                .expect_err("wrong type");
        assert_eq!(pointer(&error).as_deref(), Some("/items/1/credits"));
    }

    #[test]
    fn unknown_field_is_named() {
        let error = parse_json::<Body>(br#"{"gradeLevel":9,"gradLevel":9}"#).expect_err("unknown");
        assert_eq!(pointer(&error).as_deref(), Some("/gradLevel"));
        assert_eq!(error.errors()[0].code, "unknown_field");
    }

    #[test]
    fn whole_float_is_accepted_as_integer() {
        let body: Body = parse_json(br#"{"gradeLevel": 9.0}"#).expect("whole float");
        assert_eq!(body.grade_level, 9);
        let error = parse_json::<Body>(br#"{"gradeLevel": 9.5}"#).expect_err("fraction");
        assert_eq!(pointer(&error).as_deref(), Some("/gradeLevel"));
    }

    #[test]
    fn syntax_error_is_malformed_json() {
        let error = parse_json::<Body>(b"{\"gradeLevel\":").expect_err("syntax");
        assert_eq!(error.code(), ErrorCode::MalformedJson);
    }

    #[test]
    fn range_violation_uses_validator_message() {
        let error = parse_json::<Body>(br#"{"gradeLevel":13}"#).expect_err("range");
        assert_eq!(pointer(&error).as_deref(), Some("/gradeLevel"));
        assert_eq!(error.errors()[0].code, "range");
    }

    #[test]
    fn body_at_the_depth_limit_is_parsed() {
        let nested = "[".repeat(MAX_JSON_DEPTH - 1) + &"]".repeat(MAX_JSON_DEPTH - 1);
        let body = format!(r#"{{"gradeLevel":9,"deep":{nested}}}"#);
        assert!(check_depth(body.as_bytes(), 0).is_ok());
    }

    #[test]
    fn body_past_the_depth_limit_is_rejected() {
        let nested = "[".repeat(MAX_JSON_DEPTH) + &"]".repeat(MAX_JSON_DEPTH);
        let body = format!(r#"{{"gradeLevel":9,"deep":{nested}}}"#);
        let error = parse_json::<Body>(body.as_bytes()).expect_err("too deep");
        assert_eq!(error.code(), ErrorCode::JsonTooDeep);
        assert!(error.detail().contains("64 levels"), "{}", error.detail());
    }

    #[test]
    fn brackets_inside_strings_do_not_count() {
        let text = "[{".repeat(MAX_JSON_DEPTH);
        let body = format!(r#"{{"gradeLevel":9,"note":"{text}\"{text}"}}"#);
        assert!(check_depth(body.as_bytes(), 0).is_ok());
    }

    #[test]
    fn query_type_error_names_the_parameter() {
        let error = parse_query::<Body>("gradeLevel=nine").expect_err("type");
        assert_eq!(error.code(), ErrorCode::InvalidParameter);
        assert_eq!(error.errors()[0].parameter.as_deref(), Some("gradeLevel"));
    }
}
