use actix_web::http::StatusCode;
use serde_json::json;

use crate::support::{Backend, DISTRICT, OTHER_DISTRICT, TestApp, student};

async fn feed_records_upserts_and_deletes_in_order(backend: Backend) {
    let app = TestApp::new(backend).await;
    let client = app.admin_client();
    let outsider = app.client(&[OTHER_DISTRICT], &["all"]);

    let created = app
        .create_student(&client.token, student("6000000001"))
        .await;
    let id = created["id"].as_str().expect("id").to_owned();
    let mut body = student("6000000001");
    body["gradeLevel"] = json!(10);
    app.put_json(&format!("/v1/students/{id}"), &client.token, "\"1\"", &body)
        .await;
    let mut other = student("6000000002");
    other["schoolId"] = json!("4321");
    app.create_student(&outsider.token, other).await;
    let deleted = app
        .delete(&format!("/v1/students/{id}"), &client.token, "\"2\"")
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);

    let feed = app.get("/v1/changes?after=0", &client.token).await;
    assert_eq!(feed.status, StatusCode::OK, "{}", feed.text);
    let items = feed.body["items"].as_array().expect("items");
    let operations: Vec<_> = items
        .iter()
        .map(|c| c["operation"].as_str().expect("op"))
        .collect();
    assert_eq!(
        operations,
        vec!["upsert", "upsert", "delete"],
        "the other district's change is not visible"
    );
    let versions: Vec<i64> = items
        .iter()
        .map(|c| c["changeVersion"].as_i64().expect("version"))
        .collect();
    assert!(
        versions.windows(2).all(|w| w[0] < w[1]),
        "versions increase: {versions:?}"
    );
    let delete = &items[2];
    assert_eq!(delete["id"], id.as_str());
    assert_eq!(delete["resourceType"], "student");
    assert_eq!(
        delete["naturalKey"],
        json!({"districtId": DISTRICT, "studentUniqueId": "6000000001"})
    );

    let after = app
        .get(&format!("/v1/changes?after={}", versions[1]), &client.token)
        .await;
    assert_eq!(after.body["items"].as_array().expect("items").len(), 1);
    assert_eq!(after.body["nextAfter"], versions[2]);
    assert_eq!(after.body["hasMore"], false);

    let page = app.get("/v1/changes?after=0&limit=2", &client.token).await;
    assert_eq!(page.body["hasMore"], true);
    assert_eq!(page.body["nextAfter"], versions[1]);
}

crate::backend_tests!(feed_records_upserts_and_deletes_in_order);
