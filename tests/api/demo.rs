//! `ips-api demo load`: the demo district has the variety the README's curl examples show.

use std::collections::BTreeSet;

use actix_web::http::StatusCode;
use chrono::NaiveDate;
use serde_json::{Value, json};

use crate::support::{Backend, TestApp};

/// A load date in the spring half of a school year, so that survey and review dates
/// fall in the past.
fn load_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 2, 10).expect("valid date")
}

fn strings(values: impl Iterator<Item = String>) -> BTreeSet<String> {
    values.collect()
}

async fn demo_load_has_promised_variety(backend: Backend) {
    let app = TestApp::new(backend).await;
    let loaded = ips_api::demo::load(&app.state.store, load_date())
        .await
        .expect("demo load");
    assert_eq!(loaded.students, 300);
    assert!(loaded.courses >= 60, "{} courses", loaded.courses);
    let token = app.client(&[ips_api::demo::DISTRICT_ID], &["all"]).token;

    for grade in 8..=12 {
        let page = app
            .get(
                &format!("/v1/students?gradeLevel={grade}&limit=1000"),
                &token,
            )
            .await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text);
        let count = page.body["items"].as_array().map_or(0, Vec::len);
        assert_eq!(count, 60, "students in grade {grade}");
    }

    let plans = app.get("/v1/plans?limit=1000", &token).await;
    assert_eq!(plans.status, StatusCode::OK, "{}", plans.text);
    let plans = plans.body["items"].as_array().cloned().unwrap_or_default();
    assert!(plans.len() > 250, "{} plans", plans.len());
    let entry_statuses = strings(plans.iter().flat_map(|p| {
        p["courses"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .map(|e| e["status"].as_str().unwrap_or_default().to_owned())
    }));
    for status in ["completed", "in_progress", "planned", "failed"] {
        assert!(entry_statuses.contains(status), "no {status} course entry");
    }
    let with = |section: &str| {
        plans
            .iter()
            .filter(|p| !p[section].is_null() && p[section] != json!([]))
            .count()
    };
    assert!(with("careerFocus") > 0, "no plan has a career focus");
    assert!(
        with("postsecondaryPlan") > 0,
        "no plan has a postsecondary plan"
    );
    assert!(
        with("workBasedLearning") > 0,
        "no plan has work-based learning"
    );
    assert!(
        with("postsecondaryAssets") > 0,
        "no plan has postsecondary assets"
    );
    assert!(
        plans.len() - with("postsecondaryPlan") > 0,
        "every plan has a postsecondary plan"
    );

    let mut audit_statuses = BTreeSet::new();
    for plan in plans.iter().step_by(7) {
        let id = plan["id"].as_str().unwrap_or_default();
        let audit = app
            .post_json(
                &format!("/v1/plans/{id}/audits"),
                &token,
                &json!({"asOfSchoolYear": 2026}),
            )
            .await;
        assert_eq!(audit.status, StatusCode::OK, "{}", audit.text);
        audit_statuses.insert(audit.body["status"].as_str().unwrap_or_default().to_owned());
    }
    assert!(
        audit_statuses.contains("on_track"),
        "audits: {audit_statuses:?}"
    );
    assert!(
        audit_statuses.contains("at_risk"),
        "audits: {audit_statuses:?}"
    );

    let focused = plans
        .iter()
        .find(|p| !p["careerFocus"][0]["surveyResponseId"].is_null())
        .expect("a career focus that names a survey response");
    let student_id = focused["studentId"].as_str().unwrap_or_default();
    let history = app
        .get(
            &format!("/v1/students/{student_id}/survey-responses"),
            &token,
        )
        .await;
    assert_eq!(history.status, StatusCode::OK, "{}", history.text);
    assert!(
        history.body["items"]
            .as_array()
            .is_some_and(|items| !items.is_empty())
    );
    let response_id = focused["careerFocus"][0]["surveyResponseId"]
        .as_str()
        .unwrap_or_default();
    let matches = app
        .get(
            &format!("/v1/survey-responses/{response_id}/matches"),
            &token,
        )
        .await;
    assert_eq!(matches.status, StatusCode::OK, "{}", matches.text);
    let suggested = matches.body["suggestions"].as_object().is_some()
        || matches.body["matches"].as_object().is_some();
    assert!(suggested, "{}", matches.text);

    let compliance = app
        .get("/v1/reviews/compliance?asOf=2026-02-10&limit=1000", &token)
        .await;
    assert_eq!(compliance.status, StatusCode::OK, "{}", compliance.text);
    let statuses = strings(
        compliance.body["items"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .map(|item: &Value| item["status"].as_str().unwrap_or_default().to_owned()),
    );
    for status in ["compliant", "due_soon", "overdue", "not_yet_due"] {
        assert!(statuses.contains(status), "no {status} plan: {statuses:?}");
    }

    let again = ips_api::demo::load(&app.state.store, load_date()).await;
    let error = again.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(error.contains("already exists"), "second load: {error:?}");
}

crate::backend_tests!(demo_load_has_promised_variety);
