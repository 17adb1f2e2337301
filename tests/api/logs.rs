//! What the service logs: a whole workflow runs with the service's own log formatter writing
//! at debug level into a buffer, and no secret, token or student name may appear in it.

use std::io::Write;
use std::sync::{Arc, Mutex};

use actix_web::test::TestRequest;
use base64::Engine;
use ips_api::telemetry::{self, LogFormat};
use serde_json::json;

use crate::support::{Backend, DISTRICT, Reply, SECRET, TestApp};

const FIRST_NAME: &str = "Quintessa";
const LAST_NAME: &str = "Vandermeulen";
const BULK_FIRST_NAME: &str = "Ottoline";
const BULK_LAST_NAME: &str = "Featherstonhaugh";

/// A log writer that appends to a shared buffer.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("log buffer").extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Capture {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("log buffer")).into_owned()
    }
}

fn assert_success(reply: &Reply, step: &str) {
    assert!(reply.status.is_success(), "{step}: {}", reply.text);
}

/// Runs token, student, plan, survey, audit, review and bulk requests and returns the
/// secrets the logs must not contain.
async fn run_workflow(app: &TestApp) -> Vec<(&'static str, String)> {
    let client = app.client(&[DISTRICT], &["all"]);
    let basic = base64::engine::general_purpose::STANDARD
        .encode(format!("{}:{}", client.id, client.secret));
    let token_reply = app
        .send(
            TestRequest::post()
                .uri("/oauth/token")
                .insert_header(("Content-Type", "application/x-www-form-urlencoded"))
                .insert_header(("Authorization", format!("Basic {basic}")))
                .set_payload("grant_type=client_credentials"),
        )
        .await;
    assert_success(&token_reply, "token");
    let token = token_reply.body["access_token"]
        .as_str()
        .expect("access token")
        .to_owned();

    let student = app
        .post_json(
            "/v1/students",
            &token,
            &json!({"studentUniqueId": "3300000001", "schoolId": "1234", "gradeLevel": 9,
                    "graduationYear": 2030, "firstName": FIRST_NAME, "lastName": LAST_NAME}),
        )
        .await;
    assert_success(&student, "student");
    let student_id = student.body["id"].as_str().expect("student id");

    let plan = app
        .post_json(
            "/v1/plans",
            &token,
            &json!({"studentId": student_id, "graduationYear": 2030, "participants": [{"role": "student"}]}),
        )
        .await;
    assert_success(&plan, "plan");
    let plan_id = plan.body["id"].as_str().expect("plan id");

    let survey = app
        .post_json(
            &format!("/v1/students/{student_id}/survey-responses"),
            &token,
            &json!({"instrumentId": "onet-ip-sf", "administeredOn": "2026-10-01", "gradeLevel": 9, "answers": "3".repeat(59) + "4"}),
        )
        .await;
    assert_success(&survey, "survey");

    let audit = app
        .post_json(
            &format!("/v1/plans/{plan_id}/audits"),
            &token,
            &json!({"asOfSchoolYear": 2027}),
        )
        .await;
    assert_success(&audit, "audit");

    let review = app
        .post_json(
            &format!("/v1/plans/{plan_id}/reviews"),
            &token,
            &json!({"date": chrono::Utc::now().date_naive(), "kind": "ad_hoc",
                    "participants": [{"role": "student", "attended": true}], "summary": "First review."}),
        )
        .await;
    assert_success(&review, "review");

    let good = json!({"studentUniqueId": "3300000002", "schoolId": "1234", "gradeLevel": 10,
                      "graduationYear": 2029, "firstName": BULK_FIRST_NAME, "lastName": BULK_LAST_NAME});
    let bad = json!({"studentUniqueId": "not-a-kids-id", "schoolId": "1234", "gradeLevel": 10,
                     "graduationYear": 2029, "firstName": BULK_FIRST_NAME, "lastName": BULK_LAST_NAME});
    let bulk = app
        .send(
            TestRequest::post()
                .uri("/v1/students:bulk")
                .insert_header(("Authorization", format!("Bearer {token}")))
                .insert_header(("Content-Type", "application/x-ndjson"))
                .set_payload(format!("{good}\n{bad}\n")),
        )
        .await;
    assert_success(&bulk, "bulk");
    assert_eq!(bulk.body["summary"]["failed"], json!(1), "{}", bulk.text);

    let rejected = app.get("/v1/students", &format!("{token}x")).await;
    assert_eq!(
        rejected.status.as_u16(),
        401,
        "a tampered token is rejected"
    );

    vec![
        ("client secret", client.secret),
        ("bearer token", token),
        ("token-signing secret", SECRET.to_owned()),
        ("first name", FIRST_NAME.to_owned()),
        ("last name", LAST_NAME.to_owned()),
        ("bulk first name", BULK_FIRST_NAME.to_owned()),
        ("bulk last name", BULK_LAST_NAME.to_owned()),
    ]
}

async fn logs_hold_no_secrets_or_names(backend: Backend) {
    for format in [LogFormat::Pretty, LogFormat::Json] {
        let app = TestApp::new(backend).await;
        let capture = Capture::default();
        let writer = capture.clone();
        let subscriber = telemetry::subscriber(format, "debug", move || writer.clone());
        let secrets = {
            let _default = tracing::subscriber::set_default(subscriber);
            // Callsites cache whether any subscriber wants them; one first reached by another
            // test while no subscriber existed would otherwise stay silent here.
            tracing::callsite::rebuild_interest_cache();
            run_workflow(&app).await
        };

        let logs = capture.text();
        assert!(
            logs.contains("request finished"),
            "{format:?}: the access log was not captured:\n{logs}"
        );
        assert!(
            logs.contains("/v1/students:bulk"),
            "{format:?}: the bulk request was not captured"
        );
        for (what, secret) in secrets {
            assert!(
                !logs.contains(&secret),
                "{format:?}: the logs contain the {what}"
            );
        }
    }
}

crate::backend_tests!(logs_hold_no_secrets_or_names);
