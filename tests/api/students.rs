use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use serde_json::json;

use crate::support::{Backend, DISTRICT, OTHER_DISTRICT, TestApp, student};

async fn create_then_get_returns_same_student(backend: Backend) {
    let app = TestApp::new(backend).await;
    let client = app.admin_client();

    let reply = app
        .post_json("/v1/students", &client.token, &student("1000000001"))
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    let id = reply.body["id"].as_str().expect("id").to_owned();
    assert_eq!(reply.header("etag").as_deref(), Some("\"1\""));
    assert_eq!(reply.header("location"), Some(format!("/v1/students/{id}")));
    assert_eq!(reply.body["districtId"], DISTRICT);
    assert_eq!(reply.body["status"], "active");

    let fetched = app.get(&format!("/v1/students/{id}"), &client.token).await;
    assert_eq!(fetched.status, StatusCode::OK);
    assert_eq!(fetched.body, reply.body);
    assert_eq!(fetched.header("etag").as_deref(), Some("\"1\""));
}

async fn replace_bumps_revision_and_etag(backend: Backend) {
    let app = TestApp::new(backend).await;
    let client = app.admin_client();
    let created = app
        .create_student(&client.token, student("1000000002"))
        .await;
    let path = format!("/v1/students/{}", created["id"].as_str().expect("id"));

    let mut body = student("1000000002");
    body["gradeLevel"] = json!(10);
    let reply = app.put_json(&path, &client.token, "\"1\"", &body).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(reply.body["gradeLevel"], 10);
    assert_eq!(reply.body["revision"], 2);
    assert_eq!(reply.header("etag").as_deref(), Some("\"2\""));
    assert_eq!(reply.body["createdAt"], created["createdAt"]);

    let unchanged = app.put_json(&path, &client.token, "\"2\"", &body).await;
    assert_eq!(unchanged.status, StatusCode::OK);
    assert_eq!(
        unchanged.body["revision"], 2,
        "an identical PUT makes no new revision"
    );
}

async fn update_with_stale_etag_is_rejected(backend: Backend) {
    let app = TestApp::new(backend).await;
    let client = app.admin_client();
    let created = app
        .create_student(&client.token, student("1000000003"))
        .await;
    let path = format!("/v1/students/{}", created["id"].as_str().expect("id"));
    let mut body = student("1000000003");
    body["gradeLevel"] = json!(10);
    assert_eq!(
        app.put_json(&path, &client.token, "\"1\"", &body)
            .await
            .status,
        StatusCode::OK
    );

    body["gradeLevel"] = json!(11);
    let stale = app.put_json(&path, &client.token, "\"1\"", &body).await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);
    assert_eq!(stale.code(), "precondition_failed");
    assert_eq!(stale.header("etag").as_deref(), Some("\"2\""));

    let current = app.get(&path, &client.token).await;
    assert_eq!(
        current.body["gradeLevel"], 10,
        "the stale write changed nothing"
    );
}

async fn update_without_if_match_is_428(backend: Backend) {
    let app = TestApp::new(backend).await;
    let client = app.admin_client();
    let created = app
        .create_student(&client.token, student("1000000004"))
        .await;
    let reply = app
        .send(
            TestRequest::put()
                .uri(&format!(
                    "/v1/students/{}",
                    created["id"].as_str().expect("id")
                ))
                .insert_header(("Authorization", format!("Bearer {}", client.token)))
                .set_json(student("1000000004")),
        )
        .await;
    assert_eq!(reply.status, StatusCode::PRECONDITION_REQUIRED);
    assert_eq!(reply.code(), "precondition_required");
}

async fn concurrent_writers_never_lose_an_update(backend: Backend) {
    let app = TestApp::new(backend).await;
    let client = app.admin_client();
    let created = app
        .create_student(&client.token, student("1000000005"))
        .await;
    let path = format!("/v1/students/{}", created["id"].as_str().expect("id"));

    let writes = (0..6).map(|i| {
        let mut body = student("1000000005");
        body["sisId"] = json!(format!("S-{i}"));
        let path = path.clone();
        let token = client.token.clone();
        let app = &app;
        async move { app.put_json(&path, &token, "\"1\"", &body).await }
    });
    let replies = futures_util::future::join_all(writes).await;

    let accepted: Vec<_> = replies
        .iter()
        .filter(|r| r.status == StatusCode::OK)
        .collect();
    let rejected = replies
        .iter()
        .filter(|r| r.status == StatusCode::PRECONDITION_FAILED)
        .count();
    assert_eq!(
        accepted.len(),
        1,
        "exactly one write based on revision 1 may win"
    );
    assert_eq!(rejected, 5);
    let current = app.get(&path, &client.token).await;
    assert_eq!(current.body["sisId"], accepted[0].body["sisId"]);
    assert_eq!(current.body["revision"], 2);
}

async fn delete_removes_student(backend: Backend) {
    let app = TestApp::new(backend).await;
    let client = app.admin_client();
    let created = app
        .create_student(&client.token, student("1000000006"))
        .await;
    let path = format!("/v1/students/{}", created["id"].as_str().expect("id"));

    let stale = app.delete(&path, &client.token, "\"7\"").await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);

    let reply = app.delete(&path, &client.token, "\"1\"").await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.get(&path, &client.token).await.status,
        StatusCode::NOT_FOUND
    );
}

async fn duplicate_kids_id_is_conflict(backend: Backend) {
    let app = TestApp::new(backend).await;
    let client = app.admin_client();
    app.create_student(&client.token, student("1000000007"))
        .await;
    let reply = app
        .post_json("/v1/students", &client.token, &student("1000000007"))
        .await;
    assert_eq!(reply.status, StatusCode::CONFLICT);
    assert_eq!(reply.code(), "conflict");
    assert_eq!(reply.pointers(), vec!["/studentUniqueId"]);
}

async fn unknown_school_is_rejected_with_pointer(backend: Backend) {
    let app = TestApp::new(backend).await;
    let client = app.admin_client();
    let mut body = student("1000000008");
    body["schoolId"] = json!("9999");
    let reply = app.post_json("/v1/students", &client.token, &body).await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.text
    );
    assert_eq!(reply.pointers(), vec!["/schoolId"]);
}

async fn list_pages_with_cursor_and_filters(backend: Backend) {
    let app = TestApp::new(backend).await;
    let client = app.admin_client();
    for i in 0..5 {
        let mut body = student(&format!("20000000{i:02}"));
        body["gradeLevel"] = json!(if i < 3 { 9 } else { 12 });
        body["sisId"] = json!(format!("SIS-{i}"));
        app.create_student(&client.token, body).await;
    }

    let first = app.get("/v1/students?limit=2", &client.token).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text);
    assert_eq!(first.body["items"].as_array().expect("items").len(), 2);
    let cursor = first.body["nextCursor"]
        .as_str()
        .expect("cursor")
        .to_owned();
    let second = app
        .get(
            &format!("/v1/students?limit=2&cursor={cursor}"),
            &client.token,
        )
        .await;
    let third_cursor = second.body["nextCursor"]
        .as_str()
        .expect("cursor")
        .to_owned();
    let third = app
        .get(
            &format!("/v1/students?limit=2&cursor={third_cursor}"),
            &client.token,
        )
        .await;
    assert_eq!(third.body["items"].as_array().expect("items").len(), 1);
    assert!(third.body["nextCursor"].is_null());

    let mut seen: Vec<String> = [&first, &second, &third]
        .iter()
        .flat_map(|page| page.body["items"].as_array().expect("items").clone())
        .map(|s| s["studentUniqueId"].as_str().expect("kids").to_owned())
        .collect();
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 5, "paging returns every student once");

    let seniors = app.get("/v1/students?gradeLevel=12", &client.token).await;
    assert_eq!(seniors.body["items"].as_array().expect("items").len(), 2);

    let by_key = app
        .get("/v1/students?studentUniqueId=2000000001", &client.token)
        .await;
    assert_eq!(by_key.body["items"][0]["sisId"], "SIS-1");
    let by_sis = app.get("/v1/students?sisId=SIS-3", &client.token).await;
    assert_eq!(by_sis.body["items"][0]["studentUniqueId"], "2000000003");
}

async fn other_district_student_is_not_found(backend: Backend) {
    let app = TestApp::new(backend).await;
    let owner = app.admin_client();
    let outsider = app.client(&[OTHER_DISTRICT], &["all"]);
    let created = app
        .create_student(&owner.token, student("1000000009"))
        .await;
    let path = format!("/v1/students/{}", created["id"].as_str().expect("id"));

    let reply = app.get(&path, &outsider.token).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(reply.code(), "not_found");
    let update = app
        .put_json(&path, &outsider.token, "*", &student("1000000009"))
        .await;
    assert_eq!(update.status, StatusCode::NOT_FOUND);

    let list = app.get("/v1/students", &outsider.token).await;
    assert_eq!(list.body["items"].as_array().expect("items").len(), 0);
    let filtered = app
        .get(
            &format!("/v1/students?districtId={DISTRICT}"),
            &outsider.token,
        )
        .await;
    assert_eq!(filtered.body["items"].as_array().expect("items").len(), 0);

    let mut body = student("1000000010");
    body["districtId"] = json!(DISTRICT);
    let create = app.post_json("/v1/students", &outsider.token, &body).await;
    assert_eq!(create.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(create.pointers(), vec!["/districtId"]);
}

async fn district_and_school_reads(backend: Backend) {
    let app = TestApp::new(backend).await;
    let client = app.admin_client();
    let districts = app.get("/v1/districts", &client.token).await;
    assert_eq!(districts.body["items"].as_array().expect("items").len(), 1);
    assert_eq!(districts.body["items"][0]["id"], DISTRICT);
    let schools = app
        .get(&format!("/v1/districts/{DISTRICT}/schools"), &client.token)
        .await;
    assert_eq!(schools.body["items"].as_array().expect("items").len(), 2);
    let school = app
        .get(
            &format!("/v1/districts/{DISTRICT}/schools/5678"),
            &client.token,
        )
        .await;
    assert_eq!(school.body["name"], "East High");
    let other = app
        .get(&format!("/v1/districts/{OTHER_DISTRICT}"), &client.token)
        .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    let other_school = app
        .get(
            &format!("/v1/districts/{OTHER_DISTRICT}/schools/4321"),
            &client.token,
        )
        .await;
    assert_eq!(other_school.status, StatusCode::NOT_FOUND);
}

crate::backend_tests!(
    create_then_get_returns_same_student,
    replace_bumps_revision_and_etag,
    update_with_stale_etag_is_rejected,
    update_without_if_match_is_428,
    concurrent_writers_never_lose_an_update,
    delete_removes_student,
    duplicate_kids_id_is_conflict,
    unknown_school_is_rejected_with_pointer,
    list_pages_with_cursor_and_filters,
    other_district_student_is_not_found,
    district_and_school_reads,
);
