use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use serde_json::{Value, json};

use crate::support::{Backend, OTHER_DISTRICT, TestApp, student};

/// Short Form answers giving each area's items the same code, in RIASEC order. Items run in
/// pairs by area: 1-2 Realistic, 3-4 Investigative, ..., 11-12 Conventional, then repeat.
fn short_form(codes: [u8; 6]) -> String {
    (0..60)
        .map(|i| char::from(b'0' + codes[(i / 2) % 6]))
        .collect()
}

fn raw_scores(result: &Value) -> Vec<i64> {
    result["profile"]["areas"]
        .as_array()
        .expect("areas")
        .iter()
        .map(|a| a["raw"].as_i64().expect("raw"))
        .collect()
}

async fn submit(
    app: &TestApp,
    token: &str,
    student_id: &str,
    date: &str,
    answers: Value,
) -> crate::support::Reply {
    app.post_json(
        &format!("/v1/students/{student_id}/survey-responses"),
        token,
        &json!({"instrumentId": "onet-ip-sf", "administeredOn": date, "gradeLevel": 9, "answers": answers}),
    )
    .await
}

async fn short_form_scores_and_history(backend: Backend) {
    let app = TestApp::new(backend).await;
    let client = app.admin_client();
    let created = app
        .create_student(&client.token, student("9000000001"))
        .await;
    let student_id = created["id"].as_str().expect("id");

    // Codes 5,4,3,2,1,1 score 4,3,2,1,0,0 per item and 10 items per area.
    let first = submit(
        &app,
        &client.token,
        student_id,
        "2026-10-01",
        json!(short_form([5, 4, 3, 2, 1, 1])),
    )
    .await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text);
    assert_eq!(raw_scores(&first.body), vec![40, 30, 20, 10, 0, 0]);
    assert_eq!(
        first.body["profile"]["hollandCode"]["codes"],
        json!(["RIA"])
    );
    assert_eq!(first.body["schoolYear"], 2027);
    assert!(first.body["comparison"].is_null());

    let mut tied: Vec<Value> = short_form([2, 5, 5, 1, 1, 1])
        .chars()
        .map(|c| json!(c.to_digit(10)))
        .collect();
    tied[0] = json!(3);
    let second = submit(
        &app,
        &client.token,
        student_id,
        "2026-11-01",
        Value::Array(tied),
    )
    .await;
    assert_eq!(second.status, StatusCode::CREATED, "{}", second.text);
    assert_eq!(raw_scores(&second.body), vec![11, 40, 40, 0, 0, 0]);
    assert_eq!(second.body["profile"]["hollandCode"]["tied"], true);
    assert_eq!(
        second.body["profile"]["hollandCode"]["codes"],
        json!(["IAR", "AIR"])
    );
    assert_eq!(second.body["previousResponseId"], first.body["id"]);
    assert_eq!(second.body["comparison"]["codeChanged"], true);
    assert!(second.body["comparison"]["correlation"].is_number());

    let history = app
        .get(
            &format!("/v1/students/{student_id}/survey-responses"),
            &client.token,
        )
        .await;
    assert_eq!(history.body["items"].as_array().expect("items").len(), 2);

    let flat = submit(
        &app,
        &client.token,
        student_id,
        "2026-11-15",
        json!(short_form([3, 3, 3, 3, 3, 3])),
    )
    .await;
    let flags: Vec<_> = flat.body["profile"]["flags"]
        .as_array()
        .expect("flags")
        .iter()
        .map(|f| f["code"].clone())
        .collect();
    assert_eq!(flags, vec![json!("flat")]);
}

async fn incomplete_short_form_is_rejected(backend: Backend) {
    let app = TestApp::new(backend).await;
    let client = app.admin_client();
    let created = app
        .create_student(&client.token, student("9000000002"))
        .await;
    let student_id = created["id"].as_str().expect("id");

    let mut answers = short_form([5, 4, 3, 2, 1, 1]);
    answers.replace_range(17..18, "?");
    let reply = submit(
        &app,
        &client.token,
        student_id,
        "2026-10-01",
        json!(answers),
    )
    .await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.text
    );
    assert_eq!(reply.pointers(), vec!["/answers/17"]);
    assert_eq!(reply.body["errors"][0]["code"], "missing");

    let short = submit(
        &app,
        &client.token,
        student_id,
        "2026-10-01",
        json!(&answers[..59]),
    )
    .await;
    assert_eq!(short.pointers(), vec!["/answers"]);
    assert_eq!(short.body["errors"][0]["code"], "count");

    let out_of_scale = submit(
        &app,
        &client.token,
        student_id,
        "2026-10-01",
        json!(short_form([6, 4, 3, 2, 1, 1])),
    )
    .await;
    assert_eq!(out_of_scale.body["errors"][0]["code"], "range");

    let unknown = app
        .post_json(
            &format!("/v1/students/{student_id}/survey-responses"),
            &client.token,
            &json!({"instrumentId": "nope", "administeredOn": "2026-10-01", "gradeLevel": 9, "answers": "1"}),
        )
        .await;
    assert_eq!(unknown.pointers(), vec!["/instrumentId"]);
}

async fn district_instrument_with_reverse_item(backend: Backend) {
    let app = TestApp::new(backend).await;
    let client = app.admin_client();
    let created = app
        .create_student(&client.token, student("9000000003"))
        .await;
    let student_id = created["id"].as_str().expect("id");
    let areas = ["R", "I", "A", "S", "E", "C"];
    let items: Vec<Value> = (1..=12)
        .map(|n| json!({"number": n, "area": areas[(n - 1) % 6], "reverseKeyed": n == 12, "text": format!("Item {n}"), "language": "es"}))
        .collect();
    let instrument = json!({
        "id": "usd259-intereses", "version": "2026", "title": "Intereses", "kind": "district",
        "scale": {"min": 1, "max": 3}, "items": items, "unansweredPolicy": {"policy": "reject"},
        "license": "District-owned", "credit": null, "source": null
    });
    let reply = app
        .post_json("/v1/instruments", &client.token, &instrument)
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    let again = app
        .post_json("/v1/instruments", &client.token, &instrument)
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "versions are immutable");

    // Every answer 3 (scored 2): each area has 2 items, so 4, except Conventional, whose
    // item 12 is reverse-keyed and scores 0, giving 2.
    let result = app
        .post_json(
            &format!("/v1/students/{student_id}/survey-responses"),
            &client.token,
            &json!({"instrumentId": "usd259-intereses", "administeredOn": "2026-10-01", "gradeLevel": 9, "answers": [3,3,3,3,3,3,3,3,3,3,3,3]}),
        )
        .await;
    assert_eq!(result.status, StatusCode::CREATED, "{}", result.text);
    assert_eq!(raw_scores(&result.body), vec![4, 4, 4, 4, 4, 2]);
    assert_eq!(result.body["instrumentVersion"], "2026");

    let list = app.get("/v1/instruments", &client.token).await;
    assert_eq!(list.body["items"].as_array().expect("items").len(), 2);
    let outsider = app.client(&[OTHER_DISTRICT], &["all"]);
    let hidden = app
        .get("/v1/instruments/usd259-intereses", &outsider.token)
        .await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
}

async fn matches_use_imported_onet_release(backend: Backend) {
    let app = TestApp::new(backend).await;
    let client = app.admin_client();
    let created = app
        .create_student(&client.token, student("9000000004"))
        .await;
    let student_id = created["id"].as_str().expect("id");
    let result = submit(
        &app,
        &client.token,
        student_id,
        "2026-10-01",
        json!(short_form([4, 5, 2, 1, 1, 2])),
    )
    .await;
    let path = format!(
        "/v1/survey-responses/{}/matches",
        result.body["id"].as_str().expect("id")
    );

    let without = app.get(&path, &client.token).await;
    assert_eq!(without.status, StatusCode::OK, "{}", without.text);
    assert!(without.body["onet"].is_null());
    assert!(
        without.body["note"]
            .as_str()
            .expect("note")
            .contains("import onet")
    );
    assert!(
        !without.body["suggestions"]["legacy"]
            .as_array()
            .expect("legacy")
            .is_empty()
    );

    let Ok(dir) = std::env::var("IPS_TEST_ONET_DIR") else {
        eprintln!("skipped the O*NET part: IPS_TEST_ONET_DIR is not set");
        return;
    };
    let count = ips_api::admin::import_onet(&app.state.store, std::path::Path::new(&dir), "29.3")
        .expect("import");
    assert!(count > 900);
    let with = app
        .get(&format!("{path}?limit=10&jobZones=4,5"), &client.token)
        .await;
    assert_eq!(with.status, StatusCode::OK, "{}", with.text);
    assert!(
        with.body["onet"]["credit"]
            .as_str()
            .expect("credit")
            .contains("CC BY 4.0")
    );
    let occupations = with.body["matches"]["occupations"]
        .as_array()
        .expect("occupations");
    assert_eq!(occupations.len(), 10);
    let engineering_or_science = occupations
        .iter()
        .filter(|o| {
            o["code"]
                .as_str()
                .is_some_and(|c| c.starts_with("17-") || c.starts_with("19-"))
        })
        .count();
    assert!(
        engineering_or_science >= 8,
        "an I-R profile matches engineers and scientists: {occupations:?}"
    );

    let bad = app.get(&format!("{path}?jobZones=x"), &client.token).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);

    // Importing again leaves one release; a broken directory leaves the previous one and
    // names the file and line that failed.
    ips_api::admin::import_onet(&app.state.store, std::path::Path::new(&dir), "29.3")
        .expect("second import");
    let broken = tempfile::tempdir().expect("temporary directory");
    for entry in std::fs::read_dir(&dir).expect("O*NET directory") {
        let entry = entry.expect("entry");
        std::fs::copy(entry.path(), broken.path().join(entry.file_name())).expect("copy");
    }
    let interests = broken.path().join("Interests.txt");
    let text = std::fs::read_to_string(&interests).expect("Interests.txt");
    let mut lines: Vec<&str> = text.lines().collect();
    lines[41] = "11-1011.00\tChief Executives\t1.B.1.a";
    std::fs::write(&interests, lines.join("\n")).expect("write");
    let error = ips_api::admin::import_onet(&app.state.store, broken.path(), "broken")
        .expect_err("broken release");
    assert!(
        error.to_string().contains("Interests.txt line 42"),
        "{error}"
    );
    let still = app.get(&format!("{path}?limit=3"), &client.token).await;
    assert_eq!(
        still.body["onet"]["release"], "29.3",
        "the previous release stays in place"
    );
}

async fn bulk_responses_are_idempotent(backend: Backend) {
    let app = TestApp::new(backend).await;
    let client = app.admin_client();
    app.create_student(&client.token, student("9000000005"))
        .await;
    app.create_student(&client.token, student("9000000006"))
        .await;
    let line = |kids: &str, date: &str| {
        json!({"studentUniqueId": kids, "instrumentId": "onet-ip-sf", "administeredOn": date, "gradeLevel": 9, "answers": short_form([1, 2, 3, 4, 5, 1])}).to_string()
    };
    let body = [
        line("9000000005", "2026-10-01"),
        line("9000000006", "2026-10-01"),
        line("9000000099", "2026-10-01"),
    ]
    .join("\n");
    let request = || {
        TestRequest::post()
            .uri("/v1/survey-responses:bulk")
            .insert_header(("Authorization", format!("Bearer {}", client.token)))
            .insert_header(("Content-Type", "application/x-ndjson"))
            .set_payload(body.clone())
    };
    let first = app.send(request()).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text);
    assert_eq!(first.body["summary"]["created"], 2);
    assert_eq!(first.body["summary"]["failed"], 1);
    assert_eq!(
        first.body["results"][2]["errors"][0]["pointer"],
        "/studentUniqueId"
    );
    let again = app.send(request()).await;
    assert_eq!(again.body["summary"]["unchanged"], 2);
}

crate::backend_tests!(
    short_form_scores_and_history,
    incomplete_short_form_is_rejected,
    district_instrument_with_reverse_item,
    matches_use_imported_onet_release,
    bulk_responses_are_idempotent,
);
