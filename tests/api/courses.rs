use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use serde_json::{Value, json};

use crate::support::{Backend, TestApp};

fn algebra() -> serde_json::Value {
    json!({
        "courseCode": "MATH-ALG1",
        "scedCode": "02052",
        "scedLevel": "G",
        "scedAvailableCredit": "1.00",
        "scedSequence": "11",
        "title": "Algebra I",
        "credits": 1,
        "gradeLevels": [10, 8, 9],
        "regentsFlag": "Q"
    })
}

fn bulk(token: &str, content_type: &str, body: String) -> TestRequest {
    TestRequest::post()
        .uri("/v1/courses:bulk")
        .insert_header(("Authorization", format!("Bearer {token}")))
        .insert_header(("Content-Type", content_type))
        .set_payload(body)
}

async fn course_derives_sced_parts(backend: Backend) {
    let app = TestApp::new(backend).await;
    let client = app.admin_client();
    let reply = app
        .post_json("/v1/courses", &client.token, &algebra())
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    assert_eq!(reply.body["scedIdentifier"], "02052G1.0011");
    assert_eq!(
        reply.body["subjectArea"],
        json!({"code": "02", "name": "Mathematics"})
    );
    assert_eq!(reply.body["gradeLevels"], json!([8, 9, 10]));
    assert_eq!(reply.body["credits"], 1.0);
    assert_eq!(reply.body["active"], true);

    let id = reply.body["id"].as_str().expect("id");
    let fetched = app.get(&format!("/v1/courses/{id}"), &client.token).await;
    assert_eq!(fetched.body, reply.body);

    let by_area = app.get("/v1/courses?subjectArea=02", &client.token).await;
    assert_eq!(by_area.body["items"].as_array().expect("items").len(), 1);
    let other_area = app.get("/v1/courses?subjectArea=03", &client.token).await;
    assert_eq!(other_area.body["items"].as_array().expect("items").len(), 0);
}

async fn invalid_course_fields_have_pointers(backend: Backend) {
    let app = TestApp::new(backend).await;
    let client = app.admin_client();
    let mut body = algebra();
    body["scedCode"] = json!("99052");
    body["scedSequence"] = json!("31");
    body["credits"] = json!(0.333);
    body["gradeLevels"] = json!([5]);
    let reply = app.post_json("/v1/courses", &client.token, &body).await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.text
    );
    assert_eq!(
        reply.pointers(),
        vec!["/credits", "/gradeLevels", "/scedCode", "/scedSequence"]
    );

    let bad_area = app.get("/v1/courses?subjectArea=9%25", &client.token).await;
    assert_eq!(bad_area.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad_area.body["errors"][0]["parameter"], "subjectArea");
}

async fn csv_bulk_loads_and_reports_rows(backend: Backend) {
    let app = TestApp::new(backend).await;
    let client = app.admin_client();
    let csv = "courseCode,scedCode,title,credits,gradeLevels,regentsFlag,attributes,repeatable\n\
               ENG-9,01001,English 9,1,9,Q,,no\n\
               SCI-CHEM,03101,Chemistry,1,10;11;12,Q,laboratory_science,false\n\
               BAD-1,01001,Speech,half,9,Q,communication,false\n\
               BAD-2,01001,Speech,0.5,9,Z,communication,false\n";
    let reply = app
        .send(bulk(&client.token, "text/csv", csv.to_owned()))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(reply.body["summary"]["created"], 2);
    assert_eq!(reply.body["summary"]["failed"], 2);
    let results = reply.body["results"].as_array().expect("results");
    assert_eq!(results[2]["line"], 4);
    assert_eq!(results[2]["errors"][0]["pointer"], "/credits");
    assert_eq!(results[3]["errors"][0]["pointer"], "/regentsFlag");

    let chemistry = app
        .get("/v1/courses?courseCode=SCI-CHEM", &client.token)
        .await;
    assert_eq!(
        chemistry.body["items"][0]["attributes"],
        json!(["laboratory_science"])
    );
    assert_eq!(
        chemistry.body["items"][0]["gradeLevels"],
        json!([10, 11, 12])
    );

    let again = app
        .send(bulk(&client.token, "text/csv", csv.to_owned()))
        .await;
    assert_eq!(again.body["summary"]["unchanged"], 2);
}

/// Loads a catalog from the real SCED v12 course list when `IPS_TEST_SCED_FILE` names it.
async fn real_sced_catalog_loads(backend: Backend) {
    let Ok(path) = std::env::var("IPS_TEST_SCED_FILE") else {
        eprintln!("skipped: IPS_TEST_SCED_FILE is not set");
        return;
    };
    let text = std::fs::read_to_string(&path).expect("read SCED course list");
    let app = TestApp::new(backend).await;
    let client = app.admin_client();

    let mut lines = Vec::new();
    for record in text.lines().skip(1).filter(|line| !line.trim().is_empty()) {
        let (code, title) = record.split_once(',').expect("code,title");
        let title = title.trim_matches('"');
        let area = &code[..2];
        // Only the subject areas a high-school catalog draws from, and at most 300 courses.
        if !["01", "02", "03", "04", "05", "08", "10", "12"].contains(&area) || lines.len() == 300 {
            continue;
        }
        lines.push(
            json!({
                "courseCode": format!("C{code}"),
                "scedCode": code,
                "title": title.chars().take(200).collect::<String>(),
                "credits": 1,
                "gradeLevels": [9, 10, 11, 12]
            })
            .to_string(),
        );
    }
    assert!(
        lines.len() >= 200,
        "the SCED list should yield a few hundred courses"
    );

    let reply = app
        .send(bulk(
            &client.token,
            "application/x-ndjson",
            lines.join("\n"),
        ))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(
        reply.body["summary"]["created"],
        lines.len(),
        "{}",
        reply.body["summary"]
    );
    let math = app.get("/v1/courses?scedCode=02052", &client.token).await;
    assert_eq!(math.body["items"][0]["subjectArea"]["name"], "Mathematics");

    // A full four-year plan drawn from that catalog: ten courses a year, grade 9 completed.
    let ids: Vec<String> = reply.body["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| r["id"].as_str().expect("id").to_owned())
        .collect();
    let student = app
        .create_student(&client.token, crate::support::student("4400000001"))
        .await;
    let courses: Vec<Value> = (0..40)
        .map(|n| {
            let year = 2027 + n / 10;
            json!({
                "courseId": ids[n as usize * 5], "schoolYear": year, "term": "full_year",
                "status": if year == 2027 { "completed" } else { "planned" },
                "gradeLevel": 9 + n / 10, "source": if year == 2027 { "sis_transcript" } else { "counselor" }
            })
        })
        .collect();
    let plan = json!({
        "studentId": student["id"], "graduationYear": 2030, "schoolId": "1234", "courses": courses,
        "workBasedLearning": [{"type": "internship", "organization": "Spirit AeroSystems", "startDate": "2029-06-01", "hours": 120}],
        "postsecondaryAssets": [{"type": "industry_recognized_credential", "date": "2029-05-01"}],
        "goals": [{"category": "career", "text": "Earn a manufacturing credential", "status": "in_progress"}],
        "participants": [{"role": "student"}, {"role": "counselor", "staffId": "T-1"}]
    });
    let created = app.post_json("/v1/plans", &client.token, &plan).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let path = format!("/v1/plans/{}", created.body["id"].as_str().expect("id"));
    let mut revised = plan.clone();
    revised["goals"][0]["status"] = json!("achieved");
    let second = app.put_json(&path, &client.token, "\"1\"", &revised).await;
    assert_eq!(second.header("etag").as_deref(), Some("\"2\""));
    revised["postsecondaryPlan"] = json!({"pathway": "apprenticeship"});
    let third = app.put_json(&path, &client.token, "\"2\"", &revised).await;
    assert_eq!(third.header("etag").as_deref(), Some("\"3\""));
    let revisions = app.get(&format!("{path}/revisions"), &client.token).await;
    assert_eq!(revisions.body["items"].as_array().expect("items").len(), 3);
    let feed = app
        .get("/v1/changes?resourceType=plan", &client.token)
        .await;
    assert_eq!(feed.body["items"].as_array().expect("items").len(), 3);
}

crate::backend_tests!(
    course_derives_sced_parts,
    invalid_course_fields_have_pointers,
    csv_bulk_loads_and_reports_rows,
    real_sced_catalog_loads,
);
