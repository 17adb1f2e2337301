use actix_web::http::StatusCode;
use serde_json::{Value, json};

use crate::plans::{four_year_plan, setup};
use crate::support::{Backend, TestApp};

fn requirement<'a>(audit: &'a Value, key: &str) -> &'a Value {
    audit["requirements"]
        .as_array()
        .expect("requirements")
        .iter()
        .find(|r| r["key"] == key)
        .unwrap_or_else(|| panic!("requirement {key} in {audit}"))
}

async fn plan_audit_uses_class_rule_set(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (token, student_id, ids) = setup(&app).await;
    let plan = app
        .post_json("/v1/plans", &token, &four_year_plan(&student_id, &ids))
        .await;
    assert_eq!(plan.status, StatusCode::CREATED, "{}", plan.text);
    let path = format!("/v1/plans/{}/audits", plan.body["id"].as_str().expect("id"));

    let audit = app
        .post_json(&path, &token, &json!({"asOfSchoolYear": 2027}))
        .await;
    assert_eq!(audit.status, StatusCode::OK, "{}", audit.text);
    assert_eq!(
        audit.body["ruleSetId"], "ks-state-2028",
        "the class of 2030 falls under the 2028 rules"
    );
    assert_eq!(
        requirement(&audit.body, "science")["status"],
        "at_risk",
        "only biology and chemistry are planned"
    );
    assert_eq!(
        requirement(&audit.body, "english_language_arts")["status"],
        "on_track"
    );
    assert_eq!(
        requirement(&audit.body, "mathematics")["status"],
        "on_track"
    );
    assert_eq!(
        requirement(&audit.body, "postsecondary_assets")["status"],
        "at_risk",
        "one asset of two"
    );
    assert_eq!(audit.body["status"], "at_risk");
    assert!(
        !requirement(&audit.body, "science")["explanation"]
            .as_str()
            .expect("explanation")
            .is_empty()
    );

    let what_if = app
        .post_json(
            &path,
            &token,
            &json!({"ruleSetId": "ks-state-2027", "asOfSchoolYear": 2027}),
        )
        .await;
    assert_eq!(what_if.body["ruleSetId"], "ks-state-2027");
    let unknown = app
        .post_json(&path, &token, &json!({"ruleSetId": "nope"}))
        .await;
    assert_eq!(unknown.pointers(), vec!["/ruleSetId"]);
}

async fn district_overlay_changes_audit(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (token, student_id, ids) = setup(&app).await;
    let plan = app
        .post_json("/v1/plans", &token, &four_year_plan(&student_id, &ids))
        .await;
    let path = format!("/v1/plans/{}/audits", plan.body["id"].as_str().expect("id"));
    let before = app
        .post_json(&path, &token, &json!({"asOfSchoolYear": 2027}))
        .await;
    assert_eq!(before.status, StatusCode::OK, "{}", before.text);

    let overlay = json!({
        "id": "usd259-2028", "version": 1, "title": "USD 259, class of 2028 and later",
        "jurisdiction": "district", "graduatingClasses": {"from": 2028},
        "extends": {"id": "ks-state-2028", "version": 1},
        "changes": [
            {"op": "set_total_credits", "credits": 23},
            {"op": "add", "requirement": {"key": "world_language", "title": "World language", "kind": "courses", "credits": 1, "selector": {"subject_area": ["24"]}}}
        ]
    });
    let stored = app.post_json("/v1/rule-sets", &token, &overlay).await;
    assert_eq!(stored.status, StatusCode::CREATED, "{}", stored.text);
    let again = app.post_json("/v1/rule-sets", &token, &overlay).await;
    assert_eq!(again.status, StatusCode::CONFLICT);

    let mut broken = overlay.clone();
    broken["version"] = json!(2);
    broken["changes"] = json!([{"op": "drop", "key": "no_such_requirement"}]);
    let rejected = app.post_json("/v1/rule-sets", &token, &broken).await;
    assert_eq!(
        rejected.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        rejected.text
    );
    assert!(
        rejected
            .pointers()
            .iter()
            .all(|p| p.starts_with("/changes/0")),
        "{:?}",
        rejected.pointers()
    );

    let after = app
        .post_json(&path, &token, &json!({"asOfSchoolYear": 2027}))
        .await;
    assert_eq!(after.status, StatusCode::OK, "{}", after.text);
    assert_eq!(
        after.body["ruleSetId"], "usd259-2028",
        "the district set for the class is used"
    );
    assert_eq!(
        requirement(&after.body, "world_language")["status"],
        "at_risk"
    );
    assert!(
        before.body["requirements"]
            .as_array()
            .expect("requirements")
            .iter()
            .all(|r| r["key"] != "world_language")
    );
    assert_eq!(before.body["total"]["required"].as_f64(), Some(21.0));
    assert_eq!(after.body["total"]["required"].as_f64(), Some(23.0));

    let list = app.get("/v1/rule-sets", &token).await;
    assert!(
        list.body["items"]
            .as_array()
            .expect("items")
            .iter()
            .any(|s| s["id"] == "usd259-2028" && s["builtin"] == false)
    );
    let resolved = app
        .get("/v1/rule-sets/usd259-2028?resolved=true", &token)
        .await;
    assert_eq!(resolved.body["totalCredits"].as_f64(), Some(23.0));
}

async fn stateless_audit_needs_one_rule_set(backend: Backend) {
    let app = TestApp::new(backend).await;
    let client = app.admin_client();
    let input = json!({
        "graduationYear": 2027, "asOfSchoolYear": 2027,
        "entries": [{"id": "e1", "courseCode": "ENG9", "scedCode": "01001", "title": "English 9", "credits": 1, "status": "completed", "gradeLevel": 9, "schoolYear": 2024}]
    });
    let audit = app
        .post_json(
            "/v1/audits",
            &client.token,
            &json!({"ruleSetId": "ks-state-2027", "input": input}),
        )
        .await;
    assert_eq!(audit.status, StatusCode::OK, "{}", audit.text);
    assert_eq!(
        requirement(&audit.body, "english_language_arts")["earned"].as_f64(),
        Some(1.0)
    );

    let neither = app
        .post_json("/v1/audits", &client.token, &json!({"input": input}))
        .await;
    assert_eq!(neither.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(neither.pointers(), vec!["/ruleSetId"]);
}

async fn audit_reports_missing_prerequisite(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (token, student_id, mut ids) = setup(&app).await;
    let calculus = app
        .post_json(
            "/v1/courses",
            &token,
            &json!({"courseCode": "CALC", "scedCode": "02121", "title": "Calculus", "credits": 1, "gradeLevels": [11, 12], "prerequisites": ["ALG2"]}),
        )
        .await;
    assert_eq!(calculus.status, StatusCode::CREATED, "{}", calculus.text);
    ids.insert(
        "CALC".to_owned(),
        calculus.body["id"].as_str().expect("id").to_owned(),
    );

    let mut plan = four_year_plan(&student_id, &ids);
    plan["courses"].as_array_mut().expect("courses").push(json!({
        "courseId": ids["CALC"], "schoolYear": 2029, "term": "full_year", "status": "planned", "gradeLevel": 11, "source": "student"
    }));
    let created = app.post_json("/v1/plans", &token, &plan).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let calculus_entry = created.body["courses"][19]["id"].clone();

    let path = format!(
        "/v1/plans/{}/audits",
        created.body["id"].as_str().expect("id")
    );
    let audit = app
        .post_json(&path, &token, &json!({"asOfSchoolYear": 2027}))
        .await;
    let issues: Vec<&Value> = audit.body["issues"]
        .as_array()
        .expect("issues")
        .iter()
        .filter(|i| i["code"] == "missing_prerequisite")
        .collect();
    assert_eq!(
        issues.len(),
        1,
        "Algebra II is planned in the same year as calculus: {}",
        audit.body["issues"]
    );
    assert_eq!(issues[0]["entryId"], calculus_entry);
}

crate::backend_tests!(
    audit_reports_missing_prerequisite,
    plan_audit_uses_class_rule_set,
    district_overlay_changes_audit,
    stateless_audit_needs_one_rule_set,
);
