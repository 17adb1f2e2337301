//! Responses and input rules agree with the OpenAPI document: responses carry only documented
//! fields, and input that the document allows is accepted, while input it forbids is rejected.

use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use serde_json::{Value, json};

use crate::support::{Backend, TestApp, openapi, student};

/// Resolves a `$ref` against the document.
fn resolve(schema: &Value) -> &Value {
    match schema["$ref"].as_str() {
        Some(reference) => openapi()
            .pointer(reference.trim_start_matches('#'))
            .unwrap_or(&Value::Null),
        None => schema,
    }
}

/// Returns the property names a schema declares, through `allOf`, or `None` when it allows
/// any property.
fn declared_properties(schema: &Value) -> Option<Vec<String>> {
    let schema = resolve(schema);
    if let Some(parts) = schema["allOf"].as_array() {
        let mut names = Vec::new();
        for part in parts {
            names.extend(declared_properties(part)?);
        }
        return Some(names);
    }
    schema["additionalProperties"]
        .as_bool()
        .filter(|open| !open)?;
    Some(
        schema["properties"]
            .as_object()
            .map(|properties| properties.keys().cloned().collect())
            .unwrap_or_default(),
    )
}

/// Fails when `value` has a member that the named schema, or one of its closed parts, forbids.
fn assert_fields_allowed(schema_name: &str, value: &Value) {
    let schema = &openapi()["components"]["schemas"][schema_name];
    let parts: Vec<&Value> = match schema["allOf"].as_array() {
        Some(parts) => parts.iter().collect(),
        None => vec![schema],
    };
    for part in parts {
        if let Some(declared) = declared_properties(part) {
            for name in value.as_object().expect("object").keys() {
                assert!(
                    declared.contains(name),
                    "{schema_name}: `{name}` is not allowed by {part}"
                );
            }
        }
    }
}

async fn create_plan(app: &TestApp, token: &str, kids: &str) -> Value {
    let created = app.create_student(token, student(kids)).await;
    let plan = json!({"studentId": created["id"], "graduationYear": 2030, "schoolId": "1234"});
    let reply = app.post_json("/v1/plans", token, &plan).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    reply.body
}

async fn stored_resources_match_their_schemas(backend: Backend) {
    let app = TestApp::new(backend).await;
    let client = app.admin_client();
    let plan = create_plan(&app, &client.token, "1000000001").await;
    assert_fields_allowed("Plan", &plan);

    let review = json!({
        "date": chrono::Utc::now().date_naive().to_string(),
        "kind": "annual",
        "participants": [{"role": "student", "attended": true}],
        "summary": "Reviewed courses."
    });
    let path = format!(
        "/v1/plans/{}/reviews",
        plan["id"].as_str().expect("plan id")
    );
    let reply = app.post_json(&path, &client.token, &review).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    assert_fields_allowed("Review", &reply.body);

    let reply = app.get("/v1/rule-sets/ks-state-2028", &client.token).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    for requirement in reply.body["requirements"].as_array().expect("requirements") {
        let kind = requirement["kind"].as_str().expect("kind");
        let variant = openapi()["components"]["schemas"]["Rule"]["oneOf"]
            .as_array()
            .expect("Rule variants")
            .iter()
            .find(|variant| {
                variant["allOf"][1]["properties"]["kind"]["enum"][0].as_str() == Some(kind)
            })
            .unwrap_or_else(|| panic!("no Rule variant for kind {kind}"));
        for part in variant["allOf"].as_array().expect("parts") {
            assert!(
                declared_properties(part).is_none(),
                "Rule variant {kind} has a closed part: {part}"
            );
        }
    }
}

async fn conflicts_and_bad_input_are_documented(backend: Backend) {
    // `TestApp::send` fails the test when an operation returns a status it does not
    // document; these requests provoke statuses that were once missing.
    let app = TestApp::new(backend).await;
    let client = app.admin_client();
    let plan = create_plan(&app, &client.token, "1000000002").await;

    let path = format!("/v1/students/{}", plan["studentId"].as_str().expect("id"));
    let reply = app.delete(&path, &client.token, "*").await;
    assert_eq!(reply.status, StatusCode::CONFLICT, "{}", reply.text);

    let path = format!(
        "/v1/plans/{}/revisions/2147483648",
        plan["id"].as_str().expect("id")
    );
    let reply = app.get(&path, &client.token).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.text);

    for path in [
        "/v1/students:bulk",
        "/v1/courses:bulk",
        "/v1/survey-responses:bulk",
    ] {
        let reply = app.post_json(path, &client.token, &json!([])).await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{path}: {}",
            reply.text
        );
    }
}

async fn malformed_headers_are_400(backend: Backend) {
    let app = TestApp::new(backend).await;
    let client = app.admin_client();
    let created = app
        .create_student(&client.token, student("1000000003"))
        .await;
    let path = format!("/v1/students/{}", created["id"].as_str().expect("id"));

    for if_match in ["", "W/1", "\"1\",,\"2\"", "\"a\"b\""] {
        let reply = app
            .put_json(&path, &client.token, if_match, &student("1000000003"))
            .await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "If-Match {if_match:?}"
        );
        assert_eq!(reply.code(), "invalid_header");
    }
    let reply = app
        .put_json(
            &path,
            &client.token,
            "W/\"1\", \"1\"",
            &student("1000000003"),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);

    let reply = app
        .send(
            TestRequest::post()
                .uri("/v1/students")
                .insert_header(("Authorization", format!("Bearer {}", client.token)))
                .insert_header(("Idempotency-Key", "two words"))
                .set_json(student("1000000004")),
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.text);
    assert_eq!(reply.code(), "invalid_header");
}

async fn malformed_filters_are_400(backend: Backend) {
    let app = TestApp::new(backend).await;
    let client = app.admin_client();
    let mut cases = Vec::new();
    for path in [
        "/v1/students",
        "/v1/courses",
        "/v1/plans",
        "/v1/changes",
        "/v1/reviews/compliance",
    ] {
        for district in ["", "259", "D02590"] {
            cases.push((path, "districtId", district));
        }
    }
    for path in [
        "/v1/students",
        "/v1/plans",
        "/v1/reviews/compliance",
        "/v1/review-policy",
    ] {
        cases.push((path, "schoolId", "12a4"));
    }
    cases.push(("/v1/students", "studentUniqueId", "123"));
    cases.push(("/v1/courses", "scedCode", "9900x"));
    cases.push(("/v1/courses", "subjectArea", "00"));

    for (path, parameter, value) in cases {
        let reply = app
            .get(&format!("{path}?{parameter}={value}"), &client.token)
            .await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{path} with {parameter} {value:?}: {}",
            reply.text
        );
        assert_eq!(reply.body["errors"][0]["parameter"], parameter);
    }

    // A well-formed district of another client still finds nothing rather than failing.
    let reply = app
        .get("/v1/students?districtId=D0300", &client.token)
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(reply.body["items"], json!([]));
}

async fn whole_floats_are_integers(backend: Backend) {
    let app = TestApp::new(backend).await;
    let client = app.admin_client();
    let mut body = student("1000000005");
    body["gradeLevel"] = json!(9.0);
    body["graduationYear"] = json!(2030.0);
    let reply = app.post_json("/v1/students", &client.token, &body).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    assert_eq!(reply.body["graduationYear"], 2030);

    body["gradeLevel"] = json!(9.5);
    let reply = app.post_json("/v1/students", &client.token, &body).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.pointers(), ["/gradeLevel"]);
}

async fn documented_field_names_are_accepted(backend: Backend) {
    let app = TestApp::new(backend).await;
    let client = app.admin_client();
    let policy = openapi()["components"]["schemas"]["UnansweredPolicy"]["oneOf"]
        .as_array()
        .expect("policy variants")
        .iter()
        .find(|variant| variant["properties"]["policy"]["enum"][0] == "score_as_missing")
        .expect("score_as_missing variant");
    let limit_name = policy["required"]
        .as_array()
        .expect("required")
        .iter()
        .find(|name| *name != "policy")
        .and_then(Value::as_str)
        .expect("limit field");

    let mut instrument =
        openapi()["paths"]["/v1/instruments"]["post"]["requestBody"]["content"]["application/json"]
            ["example"]
            .clone();
    instrument["unansweredPolicy"] = json!({"policy": "score_as_missing", limit_name: 1});
    let reply = app
        .post_json("/v1/instruments", &client.token, &instrument)
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    assert_eq!(reply.body["unansweredPolicy"][limit_name], 1);
}

fn request_example(path: &str) -> Value {
    openapi()["paths"][path]["post"]["requestBody"]["content"]["application/json"]["example"]
        .clone()
}

async fn client_chosen_ids_must_be_url_safe(backend: Backend) {
    let app = TestApp::new(backend).await;
    let client = app.admin_client();
    for path in ["/v1/rule-sets", "/v1/instruments"] {
        for id in ["\u{10}", "a b", "a/b", ""] {
            let mut body = request_example(path);
            body["id"] = json!(id);
            let reply = app.post_json(path, &client.token, &body).await;
            assert_eq!(
                reply.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{path} with id {id:?}: {}",
                reply.text
            );
            assert_eq!(reply.pointers(), ["/id"], "{path} with id {id:?}");
        }
    }
    let reply = app
        .post_json(
            "/v1/rule-sets",
            &client.token,
            &request_example("/v1/rule-sets"),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    assert_eq!(
        reply.header("location").as_deref(),
        Some("/v1/rule-sets/usd259-2028?version=1")
    );
}

async fn optional_if_match_is_checked(backend: Backend) {
    let app = TestApp::new(backend).await;
    let client = app.admin_client();
    let plan = create_plan(&app, &client.token, "1000000006").await;
    let path = format!(
        "/v1/plans/{}/coursework:sync",
        plan["id"].as_str().expect("plan id")
    );
    for (if_match, expected) in [
        (Some(""), StatusCode::BAD_REQUEST),
        (Some("W/1"), StatusCode::BAD_REQUEST),
        (Some("\"9\""), StatusCode::PRECONDITION_FAILED),
        (Some("\"1\""), StatusCode::OK),
        (None, StatusCode::OK),
    ] {
        let mut request = TestRequest::post()
            .uri(&path)
            .insert_header(("Authorization", format!("Bearer {}", client.token)))
            .set_json(json!({"entries": []}));
        if let Some(value) = if_match {
            request = request.insert_header(("If-Match", value));
        }
        let reply = app.send(request).await;
        assert_eq!(
            reply.status, expected,
            "If-Match {if_match:?}: {}",
            reply.text
        );
    }
}

async fn extreme_years_are_rejected(backend: Backend) {
    let app = TestApp::new(backend).await;
    let client = app.admin_client();
    let import = json!({
        "districtId": "D0259",
        "portfolio": {
            "format": "ips-portfolio",
            "formatVersion": 1,
            "exportedAt": "2026-12-01T10:00:00Z",
            "source": {"districtId": "D0300", "districtName": "Other USD 300", "planId": "p1", "revision": 3},
            "student": {"studentUniqueId": "1000000007", "gradeLevel": 10},
            "plan": {"graduationYear": 2030, "status": "active", "courses": []},
            "courseEntries": [{
                "course": {"courseCode": "ENG9", "scedCode": "01001", "title": "English 9", "credits": 1},
                "schoolYear": i32::MIN + 1,
                "term": "full_year",
                "status": "planned",
                "gradeLevel": 9,
                "source": "counselor"
            }],
            "surveyResults": [],
            "latestAudit": null,
            "revisions": []
        }
    });
    let reply = app
        .post_json("/v1/plans:import", &client.token, &import)
        .await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.text
    );
    assert!(
        reply.pointers().iter().any(|p| p.ends_with("/schoolYear")),
        "{}",
        reply.text
    );
}

crate::backend_tests!(
    extreme_years_are_rejected,
    client_chosen_ids_must_be_url_safe,
    optional_if_match_is_checked,
    documented_field_names_are_accepted,
    stored_resources_match_their_schemas,
    conflicts_and_bad_input_are_documented,
    malformed_headers_are_400,
    malformed_filters_are_400,
    whole_floats_are_integers,
);
