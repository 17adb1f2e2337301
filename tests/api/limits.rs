//! Protective limits: request rates per client, JSON nesting depth, body sizes on every
//! operation that takes a body, and the request time limit.

use std::time::{Duration, Instant};

use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use actix_web::web::Bytes;
use futures_util::StreamExt;
use ips_api::auth::Quota;
use serde_json::{Value, json};

use crate::support::{Backend, Reply, TestApp, TestLimits, fill_path, student};

const STRICT: Quota = Quota {
    per_second: 0.5,
    burst: 3,
};

fn assert_rate_limited(reply: &Reply, case: &str) {
    assert_eq!(
        reply.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{case}: {}",
        reply.text
    );
    assert_eq!(reply.code(), "rate_limited", "{case}");
    assert_eq!(
        reply.header("content-type").as_deref(),
        Some("application/problem+json"),
        "{case}"
    );
    let retry_after: u64 = reply
        .header("retry-after")
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("{case}: Retry-After is not whole seconds"));
    // One token comes back every 2 seconds at 0.5 per second.
    assert!((1..=2).contains(&retry_after), "{case}: {retry_after}");
}

async fn rate_limit_applies_per_client(backend: Backend) {
    let app = TestApp::with_limits(
        backend,
        TestLimits {
            api_rate: STRICT,
            ..TestLimits::default()
        },
    )
    .await;
    let busy = app.admin_client();
    let other = app.admin_client();

    for n in 0..3 {
        let reply = app.get("/v1/students", &busy.token).await;
        assert_eq!(reply.status, StatusCode::OK, "request {n} of the burst");
    }
    let limited = app.get("/v1/students", &busy.token).await;
    assert_rate_limited(&limited, "request past the burst");

    let unaffected = app.get("/v1/students", &other.token).await;
    assert_eq!(unaffected.status, StatusCode::OK, "another client");
}

fn token_request(client_id: &str, secret: &str) -> TestRequest {
    TestRequest::post()
        .uri("/oauth/token")
        .insert_header(("Content-Type", "application/x-www-form-urlencoded"))
        .set_payload(format!(
            "grant_type=client_credentials&client_id={client_id}&client_secret={secret}"
        ))
}

async fn token_endpoint_limits_each_client_id(backend: Backend) {
    let app = TestApp::with_limits(
        backend,
        TestLimits {
            token_rate: STRICT,
            ..TestLimits::default()
        },
    )
    .await;
    let busy = app.admin_client();
    let other = app.admin_client();

    for n in 0..3 {
        let reply = app.send(token_request(&busy.id, "ips_wrong")).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "attempt {n}");
    }
    let limited = app.send(token_request(&busy.id, &busy.secret)).await;
    assert_rate_limited(&limited, "token request past the burst");

    let unaffected = app.send(token_request(&other.id, &other.secret)).await;
    assert_eq!(unaffected.status, StatusCode::OK, "{}", unaffected.text);
}

/// Builds a JSON value of arrays nested `levels` deep.
fn nested(levels: usize) -> String {
    "[".repeat(levels) + &"]".repeat(levels)
}

fn json_request(path: &str, token: &str, content_type: &str, body: String) -> TestRequest {
    TestRequest::post()
        .uri(path)
        .insert_header(("Authorization", format!("Bearer {token}")))
        .insert_header(("Content-Type", content_type))
        .set_payload(body)
}

async fn deep_json_is_rejected(backend: Backend) {
    let app = TestApp::new(backend).await;
    let token = app.admin_client().token;

    // The student object is level 1, so 63 more levels reach the limit of 64.
    let at_limit = format!(
        r#"{{"studentUniqueId":"1000000001","extra":{}}}"#,
        nested(63)
    );
    let reply = app
        .send(json_request(
            "/v1/students",
            &token,
            "application/json",
            at_limit,
        ))
        .await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.text
    );

    let too_deep = format!(
        r#"{{"studentUniqueId":"1000000001","extra":{}}}"#,
        nested(64)
    );
    let reply = app
        .send(json_request(
            "/v1/students",
            &token,
            "application/json",
            too_deep.clone(),
        ))
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.text);
    assert_eq!(reply.code(), "json_too_deep");
    let detail = reply.body["detail"].as_str().unwrap_or_default();
    assert!(detail.contains("64 levels"), "{detail}");

    let patch = TestRequest::patch()
        .uri("/v1/plans/0193a1f2-6c1e-7c39-9d55-2f0b8f3f1a77")
        .insert_header(("Authorization", format!("Bearer {token}")))
        .insert_header(("Content-Type", "application/merge-patch+json"))
        .insert_header(("If-Match", "*"))
        .set_payload(format!(r#"{{"goals":{}}}"#, nested(64)));
    let reply = app.send(patch).await;
    assert_eq!(reply.code(), "json_too_deep", "merge patch: {}", reply.text);

    let array = format!("[{too_deep}]");
    let reply = app
        .send(json_request(
            "/v1/students:bulk",
            &token,
            "application/json",
            array,
        ))
        .await;
    assert_eq!(reply.code(), "json_too_deep", "bulk array: {}", reply.text);

    let good = student("1000000002").to_string();
    let lines = format!("{good}\n{too_deep}\n");
    let reply = app
        .send(json_request(
            "/v1/students:bulk",
            &token,
            "application/x-ndjson",
            lines,
        ))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(reply.body["results"][0]["status"], "created");
    assert_eq!(reply.body["results"][1]["status"], "failed");
    assert_eq!(
        reply.body["results"][1]["errors"][0]["code"], "json_too_deep",
        "{}",
        reply.text
    );
}

const SMALL_BODY: usize = 1024;
const SMALL_BULK: usize = 4096;

/// Every operation with a request body, with the content types it accepts, from the OpenAPI
/// document.
fn operations_with_bodies() -> Vec<(String, String, Vec<String>)> {
    let document: Value =
        serde_json::to_value(ips_api::openapi_document()).expect("OpenAPI as JSON");
    let mut operations = Vec::new();
    for (path, item) in document["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("path item") {
            let Some(content) = operation["requestBody"]["content"].as_object() else {
                continue;
            };
            let types = content.keys().cloned().collect();
            operations.push((method.to_uppercase(), path.clone(), types));
        }
    }
    operations
}

async fn oversized_bodies_are_rejected_everywhere(backend: Backend) {
    let mut limits = TestLimits::default();
    limits.limits.max_body_bytes = SMALL_BODY;
    limits.limits.max_bulk_bytes = SMALL_BULK;
    let app = TestApp::with_limits(backend, limits).await;
    let token = app.admin_client().token;

    let operations = operations_with_bodies();
    assert!(
        operations.len() >= 20,
        "only {} operations take a body",
        operations.len()
    );
    for (method, path, content_types) in &operations {
        let limit = if path.ends_with(":bulk") {
            SMALL_BULK
        } else {
            SMALL_BODY
        };
        let url = fill_path(path, |_| "0193a1f2-6c1e-7c39-9d55-2f0b8f3f1a77".to_owned());
        for content_type in content_types {
            let request = TestRequest::default()
                .method(method.parse().expect("method"))
                .uri(&url)
                .insert_header(("Authorization", format!("Bearer {token}")))
                .insert_header(("Content-Type", content_type.as_str()))
                .insert_header(("If-Match", "*"))
                .set_payload(" ".repeat(limit + 1));
            let reply = app.send(request).await;
            let case = format!("{method} {path} as {content_type} with {} bytes", limit + 1);
            assert_eq!(
                reply.status,
                StatusCode::PAYLOAD_TOO_LARGE,
                "{case}: {}",
                reply.text
            );
            assert_eq!(reply.code(), "payload_too_large", "{case}");
        }
    }

    // A bulk body over the JSON limit but within the bulk limit is accepted.
    let mut lines = String::new();
    for n in 0..12 {
        lines.push_str(&student(&format!("20000000{n:02}")).to_string());
        lines.push('\n');
    }
    assert!((SMALL_BODY..SMALL_BULK).contains(&lines.len()));
    let reply = app
        .send(json_request(
            "/v1/students:bulk",
            &token,
            "application/x-ndjson",
            lines,
        ))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(reply.body["summary"]["created"], json!(12));
}

/// A request whose body starts and then never arrives, like a client that stalls.
fn stalled_request(path: &str, token: &str, content_type: &str) -> actix_http::Request {
    let first = Bytes::from_static(b"{\"studentUniqueId\":");
    let stream =
        futures_util::stream::once(async move { Ok(first) }).chain(futures_util::stream::pending());
    let (request, _) = TestRequest::post()
        .uri(path)
        .insert_header(("Authorization", format!("Bearer {token}")))
        .insert_header(("Content-Type", content_type))
        .to_request()
        .replace_payload(actix_http::Payload::Stream {
            payload: Box::pin(stream) as actix_http::BoxedPayloadStream,
        });
    request
}

async fn stalled_requests_time_out(backend: Backend) {
    let mut limits = TestLimits::default();
    limits.limits.request_timeout = Duration::from_millis(200);
    limits.limits.bulk_request_timeout = Duration::from_millis(800);
    let app = TestApp::with_limits(backend, limits).await;
    let token = app.admin_client().token;

    let started = Instant::now();
    let reply = app
        .send_request(stalled_request("/v1/students", &token, "application/json"))
        .await;
    assert_eq!(
        reply.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        reply.text
    );
    assert_eq!(reply.code(), "request_timed_out");
    assert!(reply.body["requestId"].is_string(), "{}", reply.text);
    assert!(started.elapsed() >= Duration::from_millis(200));

    let started = Instant::now();
    let reply = app
        .send_request(stalled_request(
            "/v1/students:bulk",
            &token,
            "application/x-ndjson",
        ))
        .await;
    assert_eq!(reply.code(), "request_timed_out", "{}", reply.text);
    assert!(
        started.elapsed() >= Duration::from_millis(800),
        "bulk routes wait for the bulk limit"
    );

    let students = app.get("/v1/students", &token).await;
    assert_eq!(
        students.status,
        StatusCode::OK,
        "the app still serves requests"
    );
    assert_eq!(students.body["items"], json!([]), "nothing was written");
}

crate::backend_tests!(
    rate_limit_applies_per_client,
    token_endpoint_limits_each_client_id,
    deep_json_is_rejected,
    oversized_bodies_are_rejected_everywhere,
    stalled_requests_time_out,
);
