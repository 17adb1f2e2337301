use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use base64::Engine;
use ips_api::auth::jwt::Claims;

use crate::support::{AUDIENCE, Backend, DISTRICT, ISSUER, SECRET, TestApp, sign_claims};

fn claims_for(client_id: &str) -> Claims {
    let now = chrono::Utc::now().timestamp();
    Claims {
        iss: ISSUER.to_owned(),
        aud: AUDIENCE.to_owned(),
        sub: client_id.to_owned(),
        iat: now,
        nbf: now,
        exp: now + 600,
        jti: "test".to_owned(),
        scope: "students:read students:write changes:read".to_owned(),
        districts: vec![DISTRICT.to_owned()],
    }
}

async fn assert_rejected(app: &TestApp, token: &str, case: &str) {
    let reply = app.get("/v1/students", token).await;
    assert_eq!(
        reply.status,
        StatusCode::UNAUTHORIZED,
        "{case}: {}",
        reply.text
    );
    assert_eq!(reply.code(), "unauthorized", "{case}");
    let challenge = reply.header("www-authenticate").unwrap_or_default();
    assert!(challenge.starts_with("Bearer"), "{case}: {challenge}");
    assert!(challenge.contains("invalid_token"), "{case}: {challenge}");
}

async fn forged_and_stale_tokens_are_401(backend: Backend) {
    let app = TestApp::new(backend).await;
    let client = app.admin_client();
    let valid = sign_claims(&claims_for(&client.id), SECRET);
    assert_eq!(app.get("/v1/students", &valid).await.status, StatusCode::OK);

    let mut expired = claims_for(&client.id);
    expired.exp = expired.iat - 3600;
    assert_rejected(&app, &sign_claims(&expired, SECRET), "expired").await;

    let mut early = claims_for(&client.id);
    early.nbf = early.iat + 3600;
    assert_rejected(&app, &sign_claims(&early, SECRET), "not yet valid").await;

    let mut audience = claims_for(&client.id);
    audience.aud = "another-service".to_owned();
    assert_rejected(&app, &sign_claims(&audience, SECRET), "wrong audience").await;

    let mut issuer = claims_for(&client.id);
    issuer.iss = "someone-else".to_owned();
    assert_rejected(&app, &sign_claims(&issuer, SECRET), "wrong issuer").await;

    assert_rejected(
        &app,
        &sign_claims(&claims_for(&client.id), "another-secret-another-secret-00"),
        "wrong key",
    )
    .await;

    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let payload = engine.encode(serde_json::to_vec(&claims_for(&client.id)).expect("claims"));
    let none = format!(
        "{}.{payload}.",
        engine.encode(br#"{"alg":"none","typ":"JWT"}"#)
    );
    assert_rejected(&app, &none, "alg none").await;

    let hs512 = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS512),
        &claims_for(&client.id),
        &jsonwebtoken::EncodingKey::from_secret(SECRET.as_bytes()),
    )
    .expect("sign");
    assert_rejected(&app, &hs512, "other algorithm").await;

    let mut parts: Vec<String> = valid.split('.').map(str::to_owned).collect();
    let mut tampered_claims = claims_for(&client.id);
    tampered_claims.districts.push("D0300".to_owned());
    parts[1] = engine.encode(serde_json::to_vec(&tampered_claims).expect("claims"));
    assert_rejected(&app, &parts.join("."), "tampered payload").await;
}

async fn missing_token_gets_challenge(backend: Backend) {
    let app = TestApp::new(backend).await;
    let reply = app.send(TestRequest::get().uri("/v1/students")).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        reply.header("www-authenticate").as_deref(),
        Some("Bearer realm=\"ips-api\"")
    );
}

async fn revoked_client_token_is_401(backend: Backend) {
    let app = TestApp::new(backend).await;
    let client = app.admin_client();
    assert_eq!(
        app.get("/v1/students", &client.token).await.status,
        StatusCode::OK
    );
    ips_api::admin::revoke_client(&app.state.store, &client.id).expect("revoke");
    assert_rejected(&app, &client.token, "revoked client").await;
}

async fn missing_scope_is_403_naming_it(backend: Backend) {
    let app = TestApp::new(backend).await;
    let reader = app.client(&[DISTRICT], &["students:read"]);
    let reply = app
        .post_json(
            "/v1/students",
            &reader.token,
            &crate::support::student("1000000001"),
        )
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(reply.code(), "insufficient_scope");
    assert!(
        reply.body["detail"]
            .as_str()
            .expect("detail")
            .contains("students:write")
    );
    assert!(
        reply
            .header("www-authenticate")
            .expect("challenge")
            .contains("scope=\"students:write\"")
    );

    let changes = app.get("/v1/changes", &reader.token).await;
    assert_eq!(changes.status, StatusCode::FORBIDDEN);
}

fn token_request(body: &str) -> TestRequest {
    TestRequest::post()
        .uri("/oauth/token")
        .insert_header(("Content-Type", "application/x-www-form-urlencoded"))
        .set_payload(body.to_owned())
}

async fn token_endpoint_issues_usable_tokens(backend: Backend) {
    let app = TestApp::new(backend).await;
    let client = app.client(&[DISTRICT], &["students:read", "students:write"]);

    let form = format!(
        "grant_type=client_credentials&client_id={}&client_secret={}&scope=students:read",
        client.id, client.secret
    );
    let reply = app.send(token_request(&form)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(reply.body["token_type"], "Bearer");
    assert_eq!(reply.body["scope"], "students:read");
    assert_eq!(reply.header("cache-control").as_deref(), Some("no-store"));
    let token = reply.body["access_token"].as_str().expect("token");
    assert_eq!(app.get("/v1/students", token).await.status, StatusCode::OK);
    let write = app
        .post_json(
            "/v1/students",
            token,
            &crate::support::student("1000000001"),
        )
        .await;
    assert_eq!(
        write.status,
        StatusCode::FORBIDDEN,
        "the token holds only the requested scope"
    );

    let basic = base64::engine::general_purpose::STANDARD
        .encode(format!("{}:{}", client.id, client.secret));
    let reply = app
        .send(
            token_request("grant_type=client_credentials")
                .insert_header(("Authorization", format!("Basic {basic}"))),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(reply.body["scope"], "students:read students:write");
}

async fn token_endpoint_rejects_bad_requests(backend: Backend) {
    let app = TestApp::new(backend).await;
    let client = app.client(&[DISTRICT], &["students:read"]);

    let wrong_secret = app
        .send(token_request(&format!(
            "grant_type=client_credentials&client_id={}&client_secret=ips_wrong",
            client.id
        )))
        .await;
    assert_eq!(wrong_secret.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong_secret.code(), "invalid_client");

    let unknown = app
        .send(token_request(
            "grant_type=client_credentials&client_id=nobody&client_secret=x",
        ))
        .await;
    assert_eq!(unknown.code(), "invalid_client");

    let long_id = app
        .send(token_request(&format!(
            "grant_type=client_credentials&client_id={}&client_secret=x",
            "a".repeat(65)
        )))
        .await;
    assert_eq!(long_id.status, StatusCode::UNAUTHORIZED);
    assert_eq!(long_id.code(), "invalid_client");

    let grant = app
        .send(token_request(&format!(
            "grant_type=password&client_id={}&client_secret={}",
            client.id, client.secret
        )))
        .await;
    assert_eq!(grant.status, StatusCode::BAD_REQUEST);
    assert_eq!(grant.code(), "unsupported_grant_type");

    let scope = app
        .send(token_request(&format!(
            "grant_type=client_credentials&client_id={}&client_secret={}&scope=students:write",
            client.id, client.secret
        )))
        .await;
    assert_eq!(scope.status, StatusCode::BAD_REQUEST);
    assert_eq!(scope.code(), "invalid_scope");

    let json = app
        .send(
            TestRequest::post()
                .uri("/oauth/token")
                .set_json(serde_json::json!({"grant_type": "client_credentials"})),
        )
        .await;
    assert_eq!(json.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);

    ips_api::admin::revoke_client(&app.state.store, &client.id).expect("revoke");
    let revoked = app
        .send(token_request(&format!(
            "grant_type=client_credentials&client_id={}&client_secret={}",
            client.id, client.secret
        )))
        .await;
    assert_eq!(revoked.code(), "invalid_client");
}

crate::backend_tests!(
    forged_and_stale_tokens_are_401,
    missing_token_gets_challenge,
    revoked_client_token_is_401,
    missing_scope_is_403_naming_it,
    token_endpoint_issues_usable_tokens,
    token_endpoint_rejects_bad_requests,
);
