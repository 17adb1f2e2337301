use actix_web::http::StatusCode;
use actix_web::test::TestRequest;

use crate::support::{Backend, TestApp};

fn bulk(token: &str, content_type: &str, body: String) -> TestRequest {
    TestRequest::post()
        .uri("/v1/students:bulk")
        .insert_header(("Authorization", format!("Bearer {token}")))
        .insert_header(("Content-Type", content_type))
        .set_payload(body)
}

fn line(kids: &str, grade: u8, sis: &str) -> String {
    format!(
        r#"{{"studentUniqueId":"{kids}","schoolId":"1234","gradeLevel":{grade},"graduationYear":2030,"sisId":"{sis}"}}"#
    )
}

async fn bad_lines_never_discard_good_ones(backend: Backend) {
    let app = TestApp::new(backend).await;
    let client = app.admin_client();
    let body = [
        line("3000000001", 9, "A1"),
        "{not json".to_owned(),
        line("30000", 9, "A2"),
        String::new(),
        line("3000000002", 10, "A3"),
        line("3000000001", 11, "A4"),
        r#"{"studentUniqueId":"3000000003","schoolId":"9999","graduationYear":2030}"#.to_owned(),
        line("3000000004", 9, "A1"),
    ]
    .join("\n");
    let reply = app
        .send(bulk(&client.token, "application/x-ndjson", body))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);

    let summary = &reply.body["summary"];
    assert_eq!(summary["received"], 7);
    assert_eq!(summary["created"], 2);
    assert_eq!(summary["failed"], 5);

    let results = reply.body["results"].as_array().expect("results");
    let status = |i: usize| results[i]["status"].as_str().expect("status").to_owned();
    assert_eq!(status(0), "created");
    assert_eq!(status(1), "failed");
    assert_eq!(results[1]["errors"][0]["code"], "malformed_json");
    assert_eq!(results[2]["errors"][0]["pointer"], "/studentUniqueId");
    assert_eq!(results[3]["line"], 5, "line numbers count the blank line");
    assert_eq!(status(3), "created");
    assert_eq!(
        results[4]["errors"][0]["code"], "duplicate",
        "a student twice in one batch"
    );
    assert_eq!(results[5]["errors"][0]["pointer"], "/schoolId");
    assert_eq!(
        results[6]["errors"][0]["pointer"], "/sisId",
        "sisId A1 already belongs to 3000000001"
    );

    let list = app.get("/v1/students", &client.token).await;
    assert_eq!(list.body["items"].as_array().expect("items").len(), 2);
}

async fn repeated_batch_changes_nothing(backend: Backend) {
    let app = TestApp::new(backend).await;
    let client = app.admin_client();
    let body: Vec<String> = (0..30)
        .map(|i| line(&format!("40000000{i:02}"), 9, &format!("B{i}")))
        .collect();
    let first = app
        .send(bulk(&client.token, "application/x-ndjson", body.join("\n")))
        .await;
    assert_eq!(first.body["summary"]["created"], 30, "{}", first.text);

    let again = app
        .send(bulk(&client.token, "application/x-ndjson", body.join("\n")))
        .await;
    assert_eq!(again.body["summary"]["unchanged"], 30);
    assert_eq!(
        again.body["results"][0]["id"],
        first.body["results"][0]["id"]
    );

    let changes = app.get("/v1/changes?limit=1000", &client.token).await;
    assert_eq!(
        changes.body["items"].as_array().expect("items").len(),
        30,
        "an unchanged item makes no change event"
    );
}

async fn json_array_updates_existing_students(backend: Backend) {
    let app = TestApp::new(backend).await;
    let client = app.admin_client();
    let created = app
        .send(bulk(
            &client.token,
            "application/x-ndjson",
            line("5000000001", 9, "C1"),
        ))
        .await;
    let id = created.body["results"][0]["id"].clone();

    let body = format!(
        "[{}, {}]",
        line("5000000001", 10, "C1"),
        line("5000000002", 9, "C2")
    );
    let reply = app
        .send(bulk(&client.token, "application/json", body))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(reply.body["results"][0]["status"], "updated");
    assert_eq!(reply.body["results"][0]["id"], id);
    assert_eq!(reply.body["results"][1]["status"], "created");
    assert!(reply.body["results"][0].get("line").is_none());

    let student = app
        .get(
            &format!("/v1/students/{}", id.as_str().expect("id")),
            &client.token,
        )
        .await;
    assert_eq!(student.body["gradeLevel"], 10);
    assert_eq!(student.body["revision"], 2);
}

async fn bulk_rejects_unknown_media_type(backend: Backend) {
    let app = TestApp::new(backend).await;
    let client = app.admin_client();
    let reply = app
        .send(bulk(&client.token, "text/csv", "a,b".to_owned()))
        .await;
    assert_eq!(reply.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let empty = app
        .send(bulk(&client.token, "application/x-ndjson", "\n".to_owned()))
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(empty.body["errors"][0]["code"], "empty");
    let not_array = app
        .send(bulk(&client.token, "application/json", "{}".to_owned()))
        .await;
    assert_eq!(not_array.status, StatusCode::BAD_REQUEST);
    assert_eq!(not_array.code(), "malformed_json");
}

crate::backend_tests!(
    bad_lines_never_discard_good_ones,
    repeated_batch_changes_nothing,
    json_array_updates_existing_students,
    bulk_rejects_unknown_media_type,
);
