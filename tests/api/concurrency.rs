//! Concurrent writers: optimistic concurrency on plans and `Idempotency-Key` on creates.
//!
//! The in-process app runs each handler's database work on the blocking thread pool, so the
//! requests joined here overlap in the database.

use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use futures_util::future::join_all;
use serde_json::{Value, json};

use crate::plans::{four_year_plan, patch, setup};
use crate::support::{Backend, Reply, TestApp, student};

/// Concurrent plan writers, each reading the ETag before every write.
const WRITERS: usize = 16;
/// Writes each writer attempts.
const ATTEMPTS: usize = 3;

fn goals(text: &str) -> Value {
    json!([{"category": "career", "text": text, "status": "not_started"}])
}

/// Reads the plan, then replaces its goals with `text`: by PUT for odd writers and by PATCH
/// for even ones. Returns the reply of the write.
async fn read_then_write(
    app: &TestApp,
    path: &str,
    token: &str,
    writer: usize,
    text: &str,
) -> Reply {
    let current = app.get(path, token).await;
    assert_eq!(current.status, StatusCode::OK, "{}", current.text);
    let etag = current.header("etag").expect("ETag on GET");

    if writer % 2 == 1 {
        let mut body = current.body.clone();
        for field in ["id", "districtId", "revision", "createdAt", "updatedAt"] {
            body.as_object_mut().expect("object").remove(field);
        }
        body["goals"] = goals(text);
        app.put_json(path, token, &etag, &body).await
    } else {
        app.send(patch(path, token, &etag, &json!({"goals": goals(text)})))
            .await
    }
}

async fn concurrent_plan_writes_lose_nothing(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (token, student_id, ids) = setup(&app).await;
    let created = app
        .post_json("/v1/plans", &token, &four_year_plan(&student_id, &ids))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let path = format!("/v1/plans/{}", created.body["id"].as_str().expect("id"));

    let writers = (0..WRITERS).map(|writer| {
        let (app, path, token) = (&app, &path, &token);
        async move {
            let mut outcomes = Vec::new();
            for attempt in 0..ATTEMPTS {
                let text = format!("writer {writer} attempt {attempt}");
                let reply = read_then_write(app, path, token, writer, &text).await;
                outcomes.push((text, reply));
            }
            outcomes
        }
    });
    let outcomes: Vec<(String, Reply)> = join_all(writers).await.into_iter().flatten().collect();

    let mut accepted: Vec<(i64, String)> = Vec::new();
    let mut rejected = 0;
    for (text, reply) in &outcomes {
        match reply.status {
            StatusCode::OK => {
                let revision = reply.body["revision"].as_i64().expect("revision");
                assert_eq!(reply.body["goals"][0]["text"], text.as_str());
                accepted.push((revision, text.clone()));
            }
            StatusCode::PRECONDITION_FAILED => {
                assert_eq!(reply.code(), "precondition_failed");
                assert!(
                    reply.header("etag").is_some(),
                    "412 carries the current ETag"
                );
                rejected += 1;
            }
            other => panic!("write '{text}' got {other}: {}", reply.text),
        }
    }
    assert!(
        accepted.len() > 1,
        "only {} write was accepted; the writers did not interleave",
        accepted.len()
    );
    assert!(
        rejected > 0,
        "no write was rejected; the writers never overlapped"
    );
    assert_eq!(accepted.len() + rejected, WRITERS * ATTEMPTS);

    accepted.sort();
    let numbers: Vec<i64> = accepted.iter().map(|(revision, _)| *revision).collect();
    let expected: Vec<i64> = (2..2 + accepted.len() as i64).collect();
    assert_eq!(
        numbers, expected,
        "accepted writes got consecutive revisions after 1"
    );

    let history = app.get(&format!("{path}/revisions"), &token).await;
    let items = history.body["items"].as_array().expect("items");
    assert_eq!(
        items.len(),
        accepted.len() + 1,
        "one revision per accepted write"
    );
    for (revision, text) in &accepted {
        let stored = app
            .get(&format!("{path}/revisions/{revision}"), &token)
            .await;
        assert_eq!(stored.status, StatusCode::OK, "{}", stored.text);
        assert_eq!(stored.body["plan"]["goals"][0]["text"], text.as_str());
    }

    let (last_revision, last_text) = accepted.last().expect("an accepted write");
    let current = app.get(&path, &token).await;
    assert_eq!(current.body["revision"], *last_revision);
    assert_eq!(current.body["goals"][0]["text"], last_text.as_str());
    let last = app
        .get(&format!("{path}/revisions/{last_revision}"), &token)
        .await;
    let mut final_plan = current.body.clone();
    let mut last_plan = last.body["plan"].clone();
    for field in ["id", "districtId", "revision", "createdAt", "updatedAt"] {
        final_plan.as_object_mut().expect("object").remove(field);
        last_plan.as_object_mut().expect("object").remove(field);
    }
    assert_eq!(final_plan, last_plan, "the plan equals its last revision");
}

fn create_with_key(token: &str, key: &str, body: &Value) -> TestRequest {
    TestRequest::post()
        .uri("/v1/students")
        .insert_header(("Authorization", format!("Bearer {token}")))
        .insert_header(("Idempotency-Key", key))
        .set_json(body)
}

async fn concurrent_retries_create_once(backend: Backend) {
    let app = TestApp::new(backend).await;
    let client = app.admin_client();
    let body = student("1000000021");

    let requests = (0..16).map(|_| app.send(create_with_key(&client.token, "one-key", &body)));
    let replies = join_all(requests).await;

    let created: Vec<&Reply> = replies
        .iter()
        .filter(|reply| reply.status == StatusCode::CREATED)
        .collect();
    let originals: Vec<&&Reply> = created
        .iter()
        .filter(|reply| reply.header("idempotent-replayed").is_none())
        .collect();
    assert_eq!(originals.len(), 1, "exactly one request ran the create");
    let original = originals[0];
    for reply in &replies {
        match reply.status {
            StatusCode::CREATED => {
                assert_eq!(reply.body, original.body);
                assert_eq!(reply.header("location"), original.header("location"));
                assert_eq!(reply.header("etag"), original.header("etag"));
            }
            StatusCode::CONFLICT => {
                assert_eq!(reply.code(), "idempotency_key_in_use");
                assert!(reply.header("retry-after").is_some());
            }
            other => panic!("a retry got {other}: {}", reply.text),
        }
    }

    let retry = app
        .send(create_with_key(&client.token, "one-key", &body))
        .await;
    assert_eq!(retry.status, StatusCode::CREATED);
    assert_eq!(retry.body, original.body);
    assert_eq!(retry.header("idempotent-replayed").as_deref(), Some("true"));

    let list = app
        .get("/v1/students?studentUniqueId=1000000021", &client.token)
        .await;
    assert_eq!(list.body["items"].as_array().expect("items").len(), 1);
    let feed = app
        .get("/v1/changes?resourceType=student", &client.token)
        .await;
    assert_eq!(feed.body["items"].as_array().expect("items").len(), 1);
}

async fn abandoned_key_is_taken_over_once(backend: Backend) {
    let app = TestApp::new(backend).await;
    let client = app.admin_client();
    let body = student("1000000022");
    // A claim left by a request whose process died before its create committed.
    let locked_at = chrono::Utc::now().naive_utc()
        - ips_api::store::idempotency::LOCK_TIMEOUT
        - chrono::TimeDelta::seconds(1);
    app.claim_student_key(&client.id, "abandoned", &body, locked_at);

    let first = app
        .send(create_with_key(&client.token, "abandoned", &body))
        .await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text);
    assert!(first.header("idempotent-replayed").is_none());
    let retry = app
        .send(create_with_key(&client.token, "abandoned", &body))
        .await;
    assert_eq!(retry.status, StatusCode::CREATED);
    assert_eq!(retry.header("idempotent-replayed").as_deref(), Some("true"));
    assert_eq!(retry.body, first.body);

    let list = app
        .get("/v1/students?studentUniqueId=1000000022", &client.token)
        .await;
    assert_eq!(list.body["items"].as_array().expect("items").len(), 1);
}

crate::backend_tests!(
    concurrent_plan_writes_lose_nothing,
    concurrent_retries_create_once,
    abandoned_key_is_taken_over_once,
);
