use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use serde_json::{Value, json};

use crate::support::{Backend, OTHER_DISTRICT, TestApp, student};

/// Judging date of every compliance check: after the spring window of school year 2026.
const AS_OF: &str = "2026-06-01";

/// Creates a student and an active plan at school 1234, backdates the plan's creation to
/// `created_at`, and returns the plan id.
async fn plan_created_on(app: &TestApp, token: &str, kids: &str, created_at: &str) -> String {
    let created = app.create_student(token, student(kids)).await;
    let student_id = created["id"].as_str().expect("student id");
    let plan = json!({
        "studentId": student_id,
        "graduationYear": 2030,
        "schoolId": "1234",
        "careerFocus": [{"framework": "legacy_16", "cluster": "Health Science"}],
        "postsecondaryAssets": [{"type": "community_service_40_hours", "date": "2026-05-01"}],
        "participants": [{"role": "student"}]
    });
    let reply = app.post_json("/v1/plans", token, &plan).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    let plan_id = reply.body["id"].as_str().expect("plan id").to_owned();
    app.execute(&format!(
        "UPDATE plans SET created_at = '{created_at} 00:00:00' WHERE id = '{plan_id}'"
    ));
    plan_id
}

fn review(date: &str, kind: &str, family: bool) -> Value {
    let mut participants = vec![
        json!({"role": "student", "attended": true}),
        json!({"role": "counselor", "staffId": "T-2231", "attended": true}),
    ];
    if family {
        participants.push(json!({"role": "parent_guardian", "name": "A. Lopez", "attended": true}));
    }
    json!({
        "date": date,
        "kind": kind,
        "participants": participants,
        "summary": "Reviewed courses and the career focus.",
        "decisions": ["Keep the health-science focus"],
        "nextSteps": [{"text": "Job shadow", "owner": "student"}]
    })
}

async fn record(app: &TestApp, token: &str, plan_id: &str, body: &Value) -> Value {
    let reply = app
        .post_json(&format!("/v1/plans/{plan_id}/reviews"), token, body)
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    reply.body
}

/// Returns the compliance item of `plan_id` from a JSON report page.
fn item_of<'a>(report: &'a Value, plan_id: &str) -> &'a Value {
    report["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|item| item["planId"] == plan_id)
        .expect("plan in report")
}

async fn compliance_judges_windows(backend: Backend) {
    let app = TestApp::new(backend).await;
    let token = app.admin_client().token;
    let both = plan_created_on(&app, &token, "8100000001", "2025-07-01").await;
    let two_fall = plan_created_on(&app, &token, "8100000002", "2025-07-01").await;
    let mid_year = plan_created_on(&app, &token, "8100000003", "2026-01-05").await;

    record(&app, &token, &both, &review("2025-10-01", "fall", false)).await;
    record(&app, &token, &both, &review("2026-03-02", "spring", false)).await;
    record(
        &app,
        &token,
        &two_fall,
        &review("2025-09-01", "fall", false),
    )
    .await;
    record(
        &app,
        &token,
        &two_fall,
        &review("2025-11-03", "ad_hoc", false),
    )
    .await;
    record(
        &app,
        &token,
        &mid_year,
        &review("2026-02-10", "spring", false),
    )
    .await;

    let report = app
        .get(&format!("/v1/reviews/compliance?asOf={AS_OF}"), &token)
        .await;
    assert_eq!(report.status, StatusCode::OK, "{}", report.text);
    assert_eq!(report.body["schoolYear"], 2026);
    assert_eq!(report.body["items"].as_array().expect("items").len(), 3);

    let compliant = item_of(&report.body, &both);
    assert_eq!(compliant["status"], "compliant");
    assert_eq!(compliant["reviewsHeld"], 2);
    assert_eq!(compliant["windowsMet"], json!(["fall", "spring"]));
    assert_eq!(compliant["lastReviewDate"], "2026-03-02");
    assert_eq!(compliant["policyVersion"], 0);

    let missed = item_of(&report.body, &two_fall);
    assert_eq!(missed["status"], "overdue");
    assert_eq!(missed["reviewsHeld"], 2);
    assert_eq!(missed["windowsMissed"], json!(["spring"]));

    let late = item_of(&report.body, &mid_year);
    assert_eq!(late["status"], "compliant", "{late}");
    assert_eq!(late["reviewsRequired"], 1);
    assert_eq!(late["windows"][0]["state"], "not_applicable");

    let before_spring = app
        .get(
            "/v1/reviews/compliance?asOf=2026-02-01&status=compliant",
            &token,
        )
        .await;
    let ids: Vec<&str> = before_spring.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|item| item["planId"].as_str().expect("plan id"))
        .collect();
    assert_eq!(
        ids.len(),
        2,
        "the mid-year plan is not yet due on 2026-02-01: {}",
        before_spring.text
    );
    assert!(!ids.contains(&mid_year.as_str()));

    let overdue = app
        .get(
            &format!("/v1/reviews/compliance?asOf={AS_OF}&status=overdue&limit=1"),
            &token,
        )
        .await;
    assert_eq!(overdue.body["items"].as_array().expect("items").len(), 1);
    assert_eq!(overdue.body["items"][0]["planId"], two_fall.as_str());
    assert!(overdue.body["nextCursor"].is_null());
}

async fn family_rule_fails_without_family(backend: Backend) {
    let app = TestApp::new(backend).await;
    let token = app.admin_client().token;
    let policy = app
        .put_json(
            "/v1/review-policy",
            &token,
            "\"0\"",
            &json!({"familyAttendanceRequired": true}),
        )
        .await;
    assert_eq!(policy.status, StatusCode::OK, "{}", policy.text);
    assert_eq!(policy.body["version"], 1);
    assert_eq!(policy.header("etag").as_deref(), Some("\"1\""));
    // The version was stored before the school year that the report below judges.
    app.execute("UPDATE review_policies SET created_at = '2025-06-01 00:00:00'");
    let stale = app
        .put_json("/v1/review-policy", &token, "\"0\"", &json!({}))
        .await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);

    let school = app.get("/v1/review-policy?schoolId=1234", &token).await;
    assert_eq!(school.body["source"], "district");
    assert_eq!(school.body["familyAttendanceRequired"], true);
    assert_eq!(school.body["minimumReviewsPerYear"], 2);
    assert_eq!(school.header("etag").as_deref(), Some("\"0\""));

    let without = plan_created_on(&app, &token, "8200000001", "2025-07-01").await;
    let with = plan_created_on(&app, &token, "8200000002", "2025-07-01").await;
    record(&app, &token, &without, &review("2025-10-01", "fall", false)).await;
    record(
        &app,
        &token,
        &without,
        &review("2026-03-02", "spring", false),
    )
    .await;
    record(&app, &token, &with, &review("2025-10-01", "fall", false)).await;
    record(&app, &token, &with, &review("2026-03-02", "spring", true)).await;

    let report = app
        .get(&format!("/v1/reviews/compliance?asOf={AS_OF}"), &token)
        .await;
    let failing = item_of(&report.body, &without);
    assert_eq!(failing["status"], "overdue");
    assert_eq!(failing["familyAttended"], false);
    assert_eq!(failing["windowsMissed"], json!([]));
    assert_eq!(failing["policySource"], "district");
    assert_eq!(failing["policyVersion"], 1);
    assert_eq!(item_of(&report.body, &with)["status"], "compliant");

    // A version stored later does not change the report of an earlier day.
    let relaxed = app
        .put_json(
            "/v1/review-policy",
            &token,
            "\"1\"",
            &json!({"familyAttendanceRequired": false}),
        )
        .await;
    assert_eq!(relaxed.status, StatusCode::OK, "{}", relaxed.text);
    let again = app
        .get(&format!("/v1/reviews/compliance?asOf={AS_OF}"), &token)
        .await;
    assert_eq!(again.body["items"], report.body["items"]);
    let today = chrono::Utc::now().date_naive();
    let current = app
        .get(
            &format!("/v1/reviews/compliance?schoolYear=2026&asOf={today}"),
            &token,
        )
        .await;
    let relaxed_item = item_of(&current.body, &without);
    assert_eq!(relaxed_item["policyVersion"], 2);
    assert_eq!(relaxed_item["status"], "compliant");
}

async fn amendment_keeps_original(backend: Backend) {
    let app = TestApp::new(backend).await;
    let token = app.admin_client().token;
    let plan_id = plan_created_on(&app, &token, "8300000001", "2025-07-01").await;
    let original = record(&app, &token, &plan_id, &review("2025-10-01", "fall", false)).await;
    let original_id = original["id"].as_str().expect("review id");
    assert_eq!(original["schoolYear"], 2026);
    assert_eq!(original["planRevision"], 1);
    let before = app.get(&format!("/v1/reviews/{original_id}"), &token).await;
    assert_eq!(before.status, StatusCode::OK, "{}", before.text);

    let amendment = json!({
        "reason": "The parent attended by phone",
        "review": review("2025-10-01", "fall", true)
    });
    let amended = app
        .post_json(
            &format!("/v1/plans/{plan_id}/reviews/{original_id}/amendments"),
            &token,
            &amendment,
        )
        .await;
    assert_eq!(amended.status, StatusCode::CREATED, "{}", amended.text);
    assert_eq!(amended.body["amends"], original_id);
    assert_eq!(amended.body["reason"], "The parent attended by phone");
    assert_ne!(amended.body["id"], original_id);

    let after = app.get(&format!("/v1/reviews/{original_id}"), &token).await;
    let mut unchanged = after.body.clone();
    assert_eq!(unchanged["amendedBy"], amended.body["id"]);
    unchanged["amendedBy"] = Value::Null;
    assert_eq!(unchanged, before.body, "the original review is unchanged");

    let again = app
        .post_json(
            &format!("/v1/plans/{plan_id}/reviews/{original_id}/amendments"),
            &token,
            &amendment,
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.text);

    let listed = app
        .get(&format!("/v1/plans/{plan_id}/reviews"), &token)
        .await;
    assert_eq!(listed.body["items"].as_array().expect("items").len(), 2);
    let fall = app
        .get(
            &format!("/v1/plans/{plan_id}/reviews?schoolYear=2026&kind=spring"),
            &token,
        )
        .await;
    assert_eq!(fall.body["items"].as_array().expect("items").len(), 0);

    let report = app
        .get(&format!("/v1/reviews/compliance?asOf={AS_OF}"), &token)
        .await;
    let item = item_of(&report.body, &plan_id);
    assert_eq!(item["reviewsHeld"], 1, "an amended review counts once");
    assert_eq!(item["familyAttended"], true, "the amendment counts");

    let feed = app.get("/v1/changes?resourceType=review", &token).await;
    assert_eq!(feed.body["items"].as_array().expect("items").len(), 2);
    assert_eq!(
        feed.body["items"][0]["naturalKey"]["planId"],
        plan_id.as_str()
    );
}

async fn invalid_reviews_get_pointers(backend: Backend) {
    let app = TestApp::new(backend).await;
    let token = app.admin_client().token;
    let plan_id = plan_created_on(&app, &token, "8400000001", "2025-07-01").await;
    let path = format!("/v1/plans/{plan_id}/reviews");

    let future = app
        .post_json(&path, &token, &review("2099-01-10", "spring", false))
        .await;
    assert_eq!(
        future.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        future.text
    );
    assert_eq!(future.pointers(), vec!["/date"]);
    assert_eq!(future.body["errors"][0]["code"], "future");

    let early = app
        .post_json(&path, &token, &review("2025-06-01", "spring", false))
        .await;
    assert_eq!(early.pointers(), vec!["/date"]);
    assert_eq!(early.body["errors"][0]["code"], "before_plan");

    let mut no_student = review("2025-10-01", "fall", true);
    no_student["participants"]
        .as_array_mut()
        .expect("participants")
        .remove(0);
    let reply = app.post_json(&path, &token, &no_student).await;
    assert_eq!(reply.pointers(), vec!["/participants"]);
    assert_eq!(reply.body["errors"][0]["code"], "student_required");

    let policy = app
        .put_json(
            "/v1/review-policy",
            &token,
            "*",
            &json!({"schoolId": "1234", "allowedKinds": ["fall", "spring"]}),
        )
        .await;
    assert_eq!(policy.status, StatusCode::OK, "{}", policy.text);
    assert_eq!(policy.body["source"], "school");
    let disallowed = app
        .post_json(&path, &token, &review("2025-10-01", "annual", false))
        .await;
    assert_eq!(disallowed.pointers(), vec!["/kind"]);
    assert_eq!(disallowed.body["errors"][0]["code"], "not_allowed");

    let mut unknown_revision = review("2025-10-01", "fall", false);
    unknown_revision["planRevision"] = json!(7);
    let reply = app.post_json(&path, &token, &unknown_revision).await;
    assert_eq!(reply.pointers(), vec!["/planRevision"]);

    let bad_policy = app
        .put_json(
            "/v1/review-policy",
            &token,
            "*",
            &json!({"windows": [{"name": "late", "opens": {"month": 3, "day": 1}, "closes": {"month": 2, "day": 29}}]}),
        )
        .await;
    assert_eq!(bad_policy.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        bad_policy.pointers(),
        vec!["/windows/0/closes", "/windows/0/closes"]
    );
}

async fn other_district_review_is_not_found(backend: Backend) {
    let app = TestApp::new(backend).await;
    let token = app.admin_client().token;
    let plan_id = plan_created_on(&app, &token, "8500000001", "2025-07-01").await;
    let created = record(&app, &token, &plan_id, &review("2025-10-01", "fall", false)).await;
    let review_id = created["id"].as_str().expect("review id");

    let outsider = app.client(&[OTHER_DISTRICT], &["all"]).token;
    assert_eq!(
        app.get(&format!("/v1/reviews/{review_id}"), &outsider)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&format!("/v1/plans/{plan_id}/reviews"), &outsider)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let write = app
        .post_json(
            &format!("/v1/plans/{plan_id}/reviews"),
            &outsider,
            &review("2025-10-01", "fall", false),
        )
        .await;
    assert_eq!(write.status, StatusCode::NOT_FOUND);
    let amend = app
        .post_json(
            &format!("/v1/plans/{plan_id}/reviews/{review_id}/amendments"),
            &outsider,
            &json!({"reason": "x", "review": review("2025-10-01", "fall", false)}),
        )
        .await;
    assert_eq!(amend.status, StatusCode::NOT_FOUND);
    let report = app.get("/v1/reviews/compliance", &outsider).await;
    assert_eq!(report.body["items"].as_array().expect("items").len(), 0);

    let reader = app
        .client(&[crate::support::DISTRICT], &["reviews:read"])
        .token;
    let forbidden = app
        .post_json(
            &format!("/v1/plans/{plan_id}/reviews"),
            &reader,
            &review("2025-10-01", "fall", false),
        )
        .await;
    assert_eq!(forbidden.status, StatusCode::FORBIDDEN);
}

async fn compliance_report_as_csv(backend: Backend) {
    let app = TestApp::new(backend).await;
    let token = app.admin_client().token;
    let first = plan_created_on(&app, &token, "8600000001", "2025-07-01").await;
    let second = plan_created_on(&app, &token, "8600000002", "2025-07-01").await;
    record(&app, &token, &first, &review("2025-10-01", "fall", false)).await;

    let csv = |query: String| {
        TestRequest::get()
            .uri(&format!("/v1/reviews/compliance?{query}"))
            .insert_header(("Authorization", format!("Bearer {token}")))
            .insert_header(("Accept", "text/csv"))
    };
    let reply = app.send(csv(format!("asOf={AS_OF}"))).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(
        reply.header("content-type").as_deref(),
        Some("text/csv; charset=utf-8")
    );
    let lines: Vec<&str> = reply.text.lines().collect();
    assert_eq!(lines.len(), 3, "{}", reply.text);
    assert!(lines[0].starts_with("planId,districtId,studentId,schoolId,schoolYear,status"));
    let first_row = lines
        .iter()
        .find(|line| line.starts_with(&first))
        .expect("row of the first plan");
    assert!(
        first_row.contains(",2026,overdue,1,2,fall,spring,false,2025-10-01,,0"),
        "{first_row}"
    );
    assert!(reply.header("link").is_none());

    let paged = app.send(csv(format!("asOf={AS_OF}&limit=1"))).await;
    assert_eq!(paged.text.lines().count(), 2);
    let link = paged.header("link").expect("Link header");
    assert!(
        link.contains("limit=1") && link.contains("cursor="),
        "{link}"
    );
    let next_path = link
        .trim_start_matches('<')
        .split('>')
        .next()
        .expect("URL in Link");
    let next = app
        .send(
            TestRequest::get()
                .uri(next_path)
                .insert_header(("Authorization", format!("Bearer {token}")))
                .insert_header(("Accept", "text/csv")),
        )
        .await;
    assert!(next.text.contains(&second), "{}", next.text);

    let xml = app
        .send(
            TestRequest::get()
                .uri("/v1/reviews/compliance")
                .insert_header(("Authorization", format!("Bearer {token}")))
                .insert_header(("Accept", "application/xml")),
        )
        .await;
    assert_eq!(xml.status, StatusCode::NOT_ACCEPTABLE);
}

async fn district_summary_counts_by_school(backend: Backend) {
    let app = TestApp::new(backend).await;
    let token = app.admin_client().token;
    let reviewed = plan_created_on(&app, &token, "8700000001", "2025-07-01").await;
    plan_created_on(&app, &token, "8700000002", "2025-07-01").await;
    record(
        &app,
        &token,
        &reviewed,
        &review("2025-10-01", "fall", false),
    )
    .await;
    record(
        &app,
        &token,
        &reviewed,
        &review("2026-03-02", "spring", false),
    )
    .await;

    let reply = app
        .get(
            &format!("/v1/reports/district-summary?graduationYear=2030&asOf={AS_OF}"),
            &token,
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let district = &reply.body["district"];
    assert_eq!(district["plans"], 2);
    assert_eq!(district["plansWithCareerFocus"], 2);
    assert_eq!(district["plansWithSurveyResult"], 0);
    assert_eq!(district["reviewCompliance"]["compliant"], 1);
    assert_eq!(district["reviewCompliance"]["overdue"], 1);
    assert_eq!(district["postsecondaryAssets"]["total"], 2);
    assert_eq!(
        district["postsecondaryAssets"]["byType"]["community_service_40_hours"],
        2
    );
    assert_eq!(reply.body["schools"][0]["schoolId"], "1234");
    assert_eq!(reply.body["schools"][0]["plans"], 2);

    let other_class = app
        .get("/v1/reports/district-summary?graduationYear=2031", &token)
        .await;
    assert_eq!(other_class.body["district"]["plans"], 0);
    assert_eq!(other_class.body["schools"], json!([]));
}

crate::backend_tests!(
    compliance_judges_windows,
    family_rule_fails_without_family,
    amendment_keeps_original,
    invalid_reviews_get_pointers,
    other_district_review_is_not_found,
    compliance_report_as_csv,
    district_summary_counts_by_school,
);
