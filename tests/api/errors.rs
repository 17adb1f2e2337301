use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use serde_json::json;

use crate::support::{Backend, MAX_BODY_BYTES, TestApp, student};

fn post(token: &str) -> TestRequest {
    TestRequest::post()
        .uri("/v1/students")
        .insert_header(("Authorization", format!("Bearer {token}")))
}

async fn malformed_json_is_400_problem(backend: Backend) {
    let app = TestApp::new(backend).await;
    let client = app.admin_client();
    let reply = app
        .send(
            post(&client.token)
                .insert_header(("Content-Type", "application/json"))
                .set_payload("{\"studentUniqueId\":"),
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        reply.header("content-type").as_deref(),
        Some("application/problem+json")
    );
    assert_eq!(reply.code(), "malformed_json");
    assert_eq!(reply.body["status"], 400);
    assert_eq!(reply.body["instance"], "/v1/students");
    assert_eq!(
        reply.body["requestId"].as_str(),
        reply.header("x-request-id").as_deref()
    );
}

async fn validation_errors_carry_pointers(backend: Backend) {
    let app = TestApp::new(backend).await;
    let client = app.admin_client();
    let mut body = student("12345");
    body["gradeLevel"] = json!(13);
    body["schoolId"] = json!("12");
    let reply = app.post_json("/v1/students", &client.token, &body).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.code(), "validation_failed");
    assert_eq!(
        reply.pointers(),
        vec!["/gradeLevel", "/schoolId", "/studentUniqueId"]
    );
    assert_eq!(reply.body["detail"], "3 fields are invalid");
    let kids = reply.body["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .find(|e| e["pointer"] == "/studentUniqueId")
        .expect("kids error");
    assert_eq!(kids["code"], "pattern");
    assert!(
        kids["message"]
            .as_str()
            .expect("message")
            .contains("10-digit")
    );
}

async fn wrong_type_and_missing_field_are_named(backend: Backend) {
    let app = TestApp::new(backend).await;
    let client = app.admin_client();
    let reply = app
        .post_json(
            "/v1/students",
            &client.token,
            &json!({"studentUniqueId": "1000000001", "graduationYear": "soon"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.pointers(), vec!["/graduationYear"]);
    assert_eq!(reply.body["errors"][0]["code"], "type");

    let missing = app
        .post_json(
            "/v1/students",
            &client.token,
            &json!({"studentUniqueId": "1000000001"}),
        )
        .await;
    assert_eq!(missing.pointers(), vec!["/graduationYear"]);
    assert_eq!(missing.body["errors"][0]["code"], "required");
}

async fn wrong_content_type_is_415(backend: Backend) {
    let app = TestApp::new(backend).await;
    let client = app.admin_client();
    let reply = app
        .send(
            post(&client.token)
                .insert_header(("Content-Type", "text/plain"))
                .set_payload("{}"),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(reply.code(), "unsupported_media_type");
}

async fn oversized_body_is_413(backend: Backend) {
    let app = TestApp::new(backend).await;
    let client = app.admin_client();
    let mut body = student("1000000001");
    body["firstName"] = json!("x".repeat(MAX_BODY_BYTES + 1));
    let reply = app.post_json("/v1/students", &client.token, &body).await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(reply.code(), "payload_too_large");
}

async fn unknown_route_and_wrong_method_are_problems(backend: Backend) {
    let app = TestApp::new(backend).await;
    let client = app.admin_client();
    let missing = app.get("/v1/nothing-here", &client.token).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.code(), "route_not_found");

    let wrong = app
        .send(
            TestRequest::patch()
                .uri("/v1/students")
                .insert_header(("Authorization", format!("Bearer {}", client.token))),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(wrong.code(), "method_not_allowed");
    assert_eq!(wrong.header("allow").as_deref(), Some("GET, POST"));
}

async fn unknown_student_is_404(backend: Backend) {
    let app = TestApp::new(backend).await;
    let client = app.admin_client();
    let reply = app
        .get(
            "/v1/students/0193a1f2-6c1e-7c39-9d55-2f0b8f3f1a77",
            &client.token,
        )
        .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(reply.code(), "not_found");
}

async fn bad_query_parameters_are_named(backend: Backend) {
    let app = TestApp::new(backend).await;
    let client = app.admin_client();
    let limit = app.get("/v1/students?limit=5000", &client.token).await;
    assert_eq!(limit.status, StatusCode::BAD_REQUEST);
    assert_eq!(limit.code(), "invalid_parameter");
    assert_eq!(limit.body["errors"][0]["parameter"], "limit");

    let typo = app.get("/v1/students?gradelevel=9", &client.token).await;
    assert_eq!(typo.status, StatusCode::BAD_REQUEST);
    assert_eq!(typo.body["errors"][0]["parameter"], "gradelevel");

    let cursor = app.get("/v1/students?cursor=bogus", &client.token).await;
    assert_eq!(cursor.status, StatusCode::BAD_REQUEST);
    assert_eq!(cursor.body["errors"][0]["parameter"], "cursor");
}

async fn idempotency_key_replays_first_response(backend: Backend) {
    let app = TestApp::new(backend).await;
    let client = app.admin_client();
    let request = || {
        post(&client.token)
            .insert_header(("Idempotency-Key", "create-42"))
            .set_json(student("1000000011"))
    };

    let first = app.send(request()).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text);
    let retry = app.send(request()).await;
    assert_eq!(retry.status, StatusCode::CREATED);
    assert_eq!(retry.body, first.body);
    assert_eq!(retry.header("etag"), first.header("etag"));
    assert_eq!(retry.header("idempotent-replayed").as_deref(), Some("true"));

    let list = app
        .get("/v1/students?studentUniqueId=1000000011", &client.token)
        .await;
    assert_eq!(list.body["items"].as_array().expect("items").len(), 1);
}

async fn idempotency_key_with_other_body_is_422(backend: Backend) {
    let app = TestApp::new(backend).await;
    let client = app.admin_client();
    let first = app
        .send(
            post(&client.token)
                .insert_header(("Idempotency-Key", "k-1"))
                .set_json(student("1000000012")),
        )
        .await;
    assert_eq!(first.status, StatusCode::CREATED);
    let other = app
        .send(
            post(&client.token)
                .insert_header(("Idempotency-Key", "k-1"))
                .set_json(student("1000000013")),
        )
        .await;
    assert_eq!(other.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(other.code(), "idempotency_key_reused");
}

async fn idempotency_key_in_flight_is_409(backend: Backend) {
    let app = TestApp::new(backend).await;
    let client = app.admin_client();
    let body = student("1000000014");
    // Claim the key as a request that is still running would.
    app.claim_student_key(
        &client.id,
        "in-flight",
        &body,
        chrono::Utc::now().naive_utc(),
    );

    let reply = app
        .send(
            post(&client.token)
                .insert_header(("Idempotency-Key", "in-flight"))
                .set_json(body),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CONFLICT);
    assert_eq!(reply.code(), "idempotency_key_in_use");
    assert!(reply.header("retry-after").is_some());
}

async fn failed_create_releases_idempotency_key(backend: Backend) {
    let app = TestApp::new(backend).await;
    let client = app.admin_client();
    let mut body = student("1000000015");
    body["schoolId"] = json!("9999");
    let first = app
        .send(
            post(&client.token)
                .insert_header(("Idempotency-Key", "retry-me"))
                .set_json(&body),
        )
        .await;
    assert_eq!(first.status, StatusCode::UNPROCESSABLE_ENTITY);
    let second = app
        .send(
            post(&client.token)
                .insert_header(("Idempotency-Key", "retry-me"))
                .set_json(&body),
        )
        .await;
    assert_eq!(
        second.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "the failed request was not stored as completed"
    );
}

crate::backend_tests!(
    malformed_json_is_400_problem,
    validation_errors_carry_pointers,
    wrong_type_and_missing_field_are_named,
    wrong_content_type_is_415,
    oversized_body_is_413,
    unknown_route_and_wrong_method_are_problems,
    unknown_student_is_404,
    bad_query_parameters_are_named,
    idempotency_key_replays_first_response,
    idempotency_key_with_other_body_is_422,
    idempotency_key_in_flight_is_409,
    failed_create_releases_idempotency_key,
);
