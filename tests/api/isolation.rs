//! Tenant isolation, checked against the route table itself: every GET route with a path
//! parameter is called by a client of one district with the ids of another district's
//! records, and must answer 404. A new route with an unknown parameter fails the test until a
//! record for it is added here.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use serde_json::{Value, json};

use crate::support::{Backend, DISTRICT, OTHER_DISTRICT, TestApp, fill_path, student};

/// Creates one record of every kind in `OTHER_DISTRICT` and returns the value of each path
/// parameter that names one of them.
async fn other_district_records(app: &TestApp) -> HashMap<&'static str, String> {
    let owner = app.client(&[OTHER_DISTRICT], &["all"]);
    let token = owner.token.as_str();

    let course = app
        .post_json(
            "/v1/courses",
            token,
            &json!({"courseCode": "ENG9", "scedCode": "01001", "title": "English 9", "credits": 1, "gradeLevels": [9]}),
        )
        .await;
    assert_eq!(course.status, StatusCode::CREATED, "{}", course.text);
    let mut body = student("5500000001");
    body["schoolId"] = json!("4321");
    let student = app.create_student(token, body).await;
    let plan = app
        .post_json(
            "/v1/plans",
            token,
            &json!({"studentId": student["id"], "graduationYear": 2030, "participants": [{"role": "student"}]}),
        )
        .await;
    assert_eq!(plan.status, StatusCode::CREATED, "{}", plan.text);
    let response = app
        .post_json(
            &format!("/v1/students/{}/survey-responses", student["id"].as_str().expect("id")),
            token,
            &json!({"instrumentId": "onet-ip-sf", "administeredOn": "2026-10-01", "gradeLevel": 9, "answers": "3".repeat(59) + "4"}),
        )
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text);
    let plan_id = plan.body["id"].as_str().expect("id");
    let review = app
        .post_json(
            &format!("/v1/plans/{plan_id}/reviews"),
            token,
            &json!({"date": chrono::Utc::now().date_naive(), "kind": "ad_hoc", "participants": [{"role": "student", "attended": true}], "summary": "First review."}),
        )
        .await;
    assert_eq!(review.status, StatusCode::CREATED, "{}", review.text);
    let areas = ["R", "I", "A", "S", "E", "C"];
    let items: Vec<Value> = (1..=6)
        .map(|n| json!({"number": n, "area": areas[n - 1], "reverseKeyed": false}))
        .collect();
    let instrument = app
        .post_json(
            "/v1/instruments",
            token,
            &json!({"id": "d300-interests", "version": "1", "title": "Interests", "kind": "district", "scale": {"min": 1, "max": 3},
                    "items": items, "unansweredPolicy": {"policy": "reject"}, "license": null, "credit": null, "source": null}),
        )
        .await;
    assert_eq!(
        instrument.status,
        StatusCode::CREATED,
        "{}",
        instrument.text
    );
    let rule_set = app
        .post_json(
            "/v1/rule-sets",
            token,
            &json!({"id": "d300-2028", "version": 1, "title": "USD 300", "jurisdiction": "district", "graduatingClasses": {"from": 2028},
                    "extends": {"id": "ks-state-2028", "version": 1}, "changes": [{"op": "set_total_credits", "credits": 22}]}),
        )
        .await;
    assert_eq!(rule_set.status, StatusCode::CREATED, "{}", rule_set.text);

    let text = |value: &Value| value.as_str().expect("id").to_owned();
    HashMap::from([
        ("districtId", OTHER_DISTRICT.to_owned()),
        ("schoolId", "4321".to_owned()),
        ("studentId", text(&student["id"])),
        ("courseId", text(&course.body["id"])),
        ("planId", plan_id.to_owned()),
        ("revision", "1".to_owned()),
        ("responseId", text(&response.body["id"])),
        ("reviewId", text(&review.body["id"])),
        ("instrumentId", "d300-interests".to_owned()),
        ("ruleSetId", "d300-2028".to_owned()),
    ])
}

/// Substitutes every `{name}` of `path` from `values`.
fn fill(path: &str, values: &HashMap<&'static str, String>) -> String {
    fill_path(path, |name| {
        values.get(name).cloned().unwrap_or_else(|| panic!("no record of another district for path parameter {name} of {path}; add one to other_district_records"))
    })
}

async fn every_get_route_hides_other_districts(backend: Backend) {
    let app = TestApp::new(backend).await;
    let values = other_district_records(&app).await;
    let reader = app.client(&[DISTRICT], &["all"]);

    let document: Value =
        serde_json::to_value(ips_api::openapi_document()).expect("OpenAPI as JSON");
    let mut checked = 0;
    for (path, item) in document["paths"].as_object().expect("paths") {
        if !path.contains('{') || item.get("get").is_none() {
            continue;
        }
        let url = fill(path, &values);
        let reply = app.get(&url, &reader.token).await;
        assert_eq!(
            reply.status,
            StatusCode::NOT_FOUND,
            "GET {url} as a client of {DISTRICT}: {}",
            reply.text
        );
        checked += 1;
    }
    assert!(
        checked >= 15,
        "only {checked} GET routes with path parameters were found"
    );

    let owner = app.client(&[OTHER_DISTRICT], &["all"]);
    let plan = app
        .get(&format!("/v1/plans/{}", values["planId"]), &owner.token)
        .await;
    assert_eq!(
        plan.status,
        StatusCode::OK,
        "the owner district still sees its plan"
    );
}

async fn lists_never_include_other_districts(backend: Backend) {
    let app = TestApp::new(backend).await;
    other_district_records(&app).await;
    let reader = app.client(&[DISTRICT], &["all"]);
    for path in ["/v1/students", "/v1/courses", "/v1/plans", "/v1/changes"] {
        let reply = app.get(path, &reader.token).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.text);
        assert_eq!(
            reply.body["items"],
            json!([]),
            "{path} shows another district's records"
        );
    }
    let instruments = app.get("/v1/instruments", &reader.token).await;
    assert!(
        instruments.body["items"]
            .as_array()
            .expect("items")
            .iter()
            .all(|i| i["id"] != "d300-interests")
    );
    let rule_sets = app.get("/v1/rule-sets", &reader.token).await;
    assert!(
        rule_sets.body["items"]
            .as_array()
            .expect("items")
            .iter()
            .all(|r| r["id"] != "d300-2028")
    );
}

crate::backend_tests!(
    every_get_route_hides_other_districts,
    lists_never_include_other_districts
);
