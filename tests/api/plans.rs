use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use serde_json::{Value, json};

use crate::support::{Backend, OTHER_DISTRICT, TestApp, student};

/// One catalog course of the test fixture: code, SCED code, title, credits, repeatable,
/// attributes.
type FixtureCourse = (
    &'static str,
    &'static str,
    &'static str,
    f64,
    bool,
    &'static [&'static str],
);

/// A small catalog covering the Kansas graduation areas.
const CATALOG: &[FixtureCourse] = &[
    ("ENG9", "01001", "English 9", 1.0, false, &[]),
    ("ENG10", "01002", "English 10", 1.0, false, &[]),
    ("ENG11", "01003", "English 11", 1.0, false, &[]),
    ("ENG12", "01004", "English 12", 1.0, false, &[]),
    (
        "SPEECH",
        "01151",
        "Public Speaking",
        0.5,
        false,
        &["communication"],
    ),
    ("ALG1", "02052", "Algebra I", 1.0, false, &[]),
    ("GEOM", "02072", "Geometry", 1.0, false, &[]),
    ("ALG2", "02056", "Algebra II", 1.0, false, &[]),
    (
        "BIO",
        "03051",
        "Biology",
        1.0,
        false,
        &["laboratory_science"],
    ),
    (
        "CHEM",
        "03101",
        "Chemistry",
        1.0,
        false,
        &["laboratory_science"],
    ),
    (
        "WHIST",
        "04051",
        "World History",
        1.0,
        false,
        &["world_history"],
    ),
    (
        "USHIST",
        "04101",
        "U.S. History",
        1.0,
        false,
        &["us_history"],
    ),
    (
        "GOV",
        "04151",
        "U.S. Government",
        1.0,
        false,
        &["us_government"],
    ),
    ("BAND", "05101", "Concert Band", 1.0, true, &["fine_arts"]),
    (
        "PE",
        "08001",
        "Physical Education",
        0.5,
        false,
        &["physical_education"],
    ),
    (
        "HEALTH",
        "08051",
        "Health Education",
        0.5,
        false,
        &["health"],
    ),
    (
        "FINLIT",
        "22210",
        "Personal Financial Literacy",
        0.5,
        false,
        &["personal_financial_literacy"],
    ),
];

/// Loads the catalog and returns the course ids by code.
pub(crate) async fn load_catalog(
    app: &TestApp,
    token: &str,
) -> std::collections::HashMap<String, String> {
    let lines: Vec<String> = CATALOG
        .iter()
        .map(|(code, sced, title, credits, repeatable, attributes)| {
            json!({
                "courseCode": code, "scedCode": sced, "title": title, "credits": credits,
                "gradeLevels": [8, 9, 10, 11, 12], "repeatable": repeatable, "attributes": attributes
            })
            .to_string()
        })
        .collect();
    let reply = app
        .send(
            TestRequest::post()
                .uri("/v1/courses:bulk")
                .insert_header(("Authorization", format!("Bearer {token}")))
                .insert_header(("Content-Type", "application/x-ndjson"))
                .set_payload(lines.join("\n")),
        )
        .await;
    assert_eq!(
        reply.body["summary"]["created"],
        CATALOG.len(),
        "{}",
        reply.text
    );
    reply.body["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| {
            (
                r["naturalKey"]["courseCode"]
                    .as_str()
                    .expect("code")
                    .to_owned(),
                r["id"].as_str().expect("id").to_owned(),
            )
        })
        .collect()
}

fn entry(course_id: &str, year: i32, grade: i32, status: &str, source: &str) -> Value {
    json!({"courseId": course_id, "schoolYear": year, "term": "full_year", "status": status, "gradeLevel": grade, "source": source})
}

/// A four-year plan for a student graduating in 2030: grade 9 completed, the rest planned.
pub(crate) fn four_year_plan(
    student_id: &str,
    ids: &std::collections::HashMap<String, String>,
) -> Value {
    let id = |code: &str| ids[code].as_str();
    let mut courses = vec![
        entry(id("ENG9"), 2027, 9, "completed", "sis_transcript"),
        entry(id("ALG1"), 2027, 9, "completed", "sis_transcript"),
        entry(id("BIO"), 2027, 9, "completed", "sis_transcript"),
        entry(id("WHIST"), 2027, 9, "completed", "sis_transcript"),
        entry(id("BAND"), 2027, 9, "completed", "sis_transcript"),
        entry(id("ENG10"), 2028, 10, "planned", "counselor"),
        entry(id("GEOM"), 2028, 10, "planned", "counselor"),
        entry(id("CHEM"), 2028, 10, "planned", "counselor"),
        entry(id("USHIST"), 2028, 10, "planned", "counselor"),
        entry(id("BAND"), 2028, 10, "planned", "counselor"),
        entry(id("ENG11"), 2029, 11, "planned", "counselor"),
        entry(id("ALG2"), 2029, 11, "planned", "counselor"),
        entry(id("SPEECH"), 2029, 11, "planned", "student"),
        entry(id("PE"), 2029, 11, "planned", "counselor"),
        entry(id("ENG12"), 2030, 12, "planned", "counselor"),
        entry(id("GOV"), 2030, 12, "planned", "counselor"),
        entry(id("HEALTH"), 2030, 12, "planned", "counselor"),
        entry(id("FINLIT"), 2030, 12, "planned", "counselor"),
    ];
    courses.push(json!({
        "transfer": {"scedCode": "01001", "title": "Creative Writing", "credits": 0.5, "institution": "Butler Community College"},
        "schoolYear": 2029, "term": "summer", "status": "planned", "gradeLevel": 11, "source": "counselor"
    }));
    json!({
        "studentId": student_id,
        "graduationYear": 2030,
        "schoolId": "1234",
        "careerFocus": [{"framework": "legacy_16", "cluster": "Health Science", "pathway": "Therapeutic Services", "rationale": "Strong Social and Investigative interests"}],
        "postsecondaryPlan": {"pathway": "four_year_college", "targetInstitution": "Wichita State University", "targetOccupation": "29-1141.00"},
        "courses": courses,
        "workBasedLearning": [{"type": "job_shadow", "organization": "Wesley Medical Center", "startDate": "2027-03-10", "hours": 4, "relatedCourseId": id("BIO")}],
        "postsecondaryAssets": [{"type": "community_service_40_hours", "date": "2027-05-01", "evidence": "doc-77"}],
        "goals": [{"category": "academic", "text": "Finish Algebra II with a B or better", "targetDate": "2029-05-20", "status": "not_started"}],
        "portfolio": [{"kind": "document", "title": "Career interest reflection", "reference": "https://files.example.org/p/1"}],
        "participants": [{"role": "student"}, {"role": "counselor", "staffId": "T-2231", "name": "J. Rivera"}, {"role": "parent_guardian"}]
    })
}

pub(crate) async fn setup(
    app: &TestApp,
) -> (String, String, std::collections::HashMap<String, String>) {
    let client = app.admin_client();
    let ids = load_catalog(app, &client.token).await;
    let created = app
        .create_student(&client.token, student("8000000001"))
        .await;
    (
        client.token,
        created["id"].as_str().expect("id").to_owned(),
        ids,
    )
}

pub(crate) fn patch(path: &str, token: &str, if_match: &str, body: &Value) -> TestRequest {
    TestRequest::patch()
        .uri(path)
        .insert_header(("Authorization", format!("Bearer {token}")))
        .insert_header(("If-Match", if_match))
        .insert_header(("Content-Type", "application/merge-patch+json"))
        .set_payload(body.to_string())
}

async fn plan_lifecycle_keeps_revisions(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (token, student_id, ids) = setup(&app).await;

    let created = app
        .post_json("/v1/plans", &token, &four_year_plan(&student_id, &ids))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    assert_eq!(created.header("etag").as_deref(), Some("\"1\""));
    let plan_id = created.body["id"].as_str().expect("id").to_owned();
    let path = format!("/v1/plans/{plan_id}");
    assert_eq!(
        created.body["courses"].as_array().expect("courses").len(),
        19
    );
    assert!(
        created.body["courses"][0]["id"].is_string(),
        "entries get ids"
    );
    assert!(created.body["goals"][0]["id"].is_string());

    let mut revised = created.body.clone();
    for field in ["id", "districtId", "revision", "createdAt", "updatedAt"] {
        revised.as_object_mut().expect("object").remove(field);
    }
    revised["goals"][0]["status"] = json!("in_progress");
    let second = app.put_json(&path, &token, "\"1\"", &revised).await;
    assert_eq!(second.status, StatusCode::OK, "{}", second.text);
    assert_eq!(second.header("etag").as_deref(), Some("\"2\""));
    assert_eq!(
        second.body["goals"][0]["id"], created.body["goals"][0]["id"],
        "ids are kept"
    );

    let third = app
        .send(patch(&path, &token, "\"2\"", &json!({"postsecondaryPlan": {"pathway": "two_year_college", "targetInstitution": null}})))
        .await;
    assert_eq!(third.status, StatusCode::OK, "{}", third.text);
    assert_eq!(
        third.body["postsecondaryPlan"]["pathway"],
        "two_year_college"
    );
    assert!(third.body["postsecondaryPlan"]["targetInstitution"].is_null());
    assert_eq!(
        third.body["postsecondaryPlan"]["targetOccupation"], "29-1141.00",
        "untouched members stay"
    );
    assert_eq!(third.body["revision"], 3);

    let revisions = app.get(&format!("{path}/revisions"), &token).await;
    let items = revisions.body["items"].as_array().expect("items");
    assert_eq!(items.len(), 3);
    assert_eq!(items[1]["changed"], json!(["goals"]));
    assert_eq!(items[2]["changed"], json!(["postsecondaryPlan"]));
    assert!(items[0]["changedBy"].is_string());

    let first = app.get(&format!("{path}/revisions/1"), &token).await;
    assert_eq!(first.body["plan"]["goals"][0]["status"], "not_started");
    assert_eq!(
        first.body["plan"]["postsecondaryPlan"]["pathway"],
        "four_year_college"
    );
    assert_eq!(
        app.get(&format!("{path}/revisions/9"), &token).await.status,
        StatusCode::NOT_FOUND
    );

    let feed = app.get("/v1/changes?resourceType=plan", &token).await;
    assert_eq!(feed.body["items"].as_array().expect("items").len(), 3);
    assert_eq!(
        feed.body["items"][0]["naturalKey"]["studentId"],
        student_id.as_str()
    );

    let listed = app
        .get("/v1/plans?counselor=T-2231&graduationYear=2030", &token)
        .await;
    assert_eq!(listed.body["items"].as_array().expect("items").len(), 1);
    let none = app.get("/v1/plans?counselor=T-0000", &token).await;
    assert_eq!(none.body["items"].as_array().expect("items").len(), 0);
}

async fn stale_plan_write_is_412(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (token, student_id, ids) = setup(&app).await;
    let created = app
        .post_json("/v1/plans", &token, &four_year_plan(&student_id, &ids))
        .await;
    let path = format!("/v1/plans/{}", created.body["id"].as_str().expect("id"));

    let writes = (0..4).map(|i| {
        let request = patch(&path, &token, "\"1\"", &json!({"goals": [{"category": "career", "text": format!("goal {i}"), "status": "not_started"}]}));
        let app = &app;
        async move { app.send(request).await }
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
    assert_eq!(accepted.len(), 1);
    assert_eq!(rejected, 3);
    let current = app.get(&path, &token).await;
    assert_eq!(current.body["goals"], accepted[0].body["goals"]);
    let revisions = app.get(&format!("{path}/revisions"), &token).await;
    assert_eq!(revisions.body["items"].as_array().expect("items").len(), 2);
}

async fn transcript_sync_keeps_planned_entries(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (token, student_id, ids) = setup(&app).await;
    let created = app
        .post_json("/v1/plans", &token, &four_year_plan(&student_id, &ids))
        .await;
    let path = format!("/v1/plans/{}", created.body["id"].as_str().expect("id"));
    let eng9_entry_id = created.body["courses"][0]["id"].clone();

    let sync = json!({"entries": [
        entry(&ids["ENG9"], 2027, 9, "completed", "sis_transcript"),
        entry(&ids["ALG1"], 2027, 9, "failed", "sis_transcript"),
        entry(&ids["BIO"], 2027, 9, "completed", "sis_transcript"),
        entry(&ids["ENG10"], 2028, 10, "in_progress", "sis_transcript"),
    ]});
    let reply = app
        .post_json(&format!("{path}/coursework:sync"), &token, &sync)
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(reply.body["revision"], 2);

    let courses = reply.body["courses"].as_array().expect("courses");
    let transcript: Vec<_> = courses
        .iter()
        .filter(|c| c["source"] == "sis_transcript")
        .collect();
    assert_eq!(
        transcript.len(),
        4,
        "the transcript replaced the old transcript entries"
    );
    assert!(
        !courses
            .iter()
            .any(|c| c["courseId"] == ids["WHIST"].as_str()),
        "dropped from the transcript"
    );
    let eng10: Vec<_> = courses
        .iter()
        .filter(|c| c["courseId"] == ids["ENG10"].as_str())
        .collect();
    assert_eq!(
        eng10.len(),
        1,
        "the planned ENG10 entry gave way to the transcript entry"
    );
    assert_eq!(eng10[0]["status"], "in_progress");
    let planned = courses.iter().filter(|c| c["status"] == "planned").count();
    assert_eq!(planned, 13, "every other planned entry is kept");
    let eng9 = courses
        .iter()
        .find(|c| c["courseId"] == ids["ENG9"].as_str())
        .expect("ENG9");
    assert_eq!(
        eng9["id"], eng9_entry_id,
        "a matching transcript entry keeps its id"
    );

    let again = app
        .post_json(&format!("{path}/coursework:sync"), &token, &sync)
        .await;
    assert_eq!(
        again.body["revision"], 2,
        "the same transcript makes no new revision"
    );
}

async fn invalid_plans_get_pointers(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (token, student_id, ids) = setup(&app).await;
    let mut plan = four_year_plan(&student_id, &ids);
    let courses = plan["courses"].as_array_mut().expect("courses");
    courses[1]["gradeLevel"] = json!(12);
    courses[2]["schoolYear"] = json!(2032);
    courses[3]["courseId"] = json!("no-such-course");
    courses.push(entry(&ids["ENG9"], 2028, 10, "planned", "counselor"));
    courses[18]["transfer"]["credits"] = json!(5);
    plan["schoolId"] = json!("9999");

    let reply = app.post_json("/v1/plans", &token, &plan).await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.text
    );
    assert_eq!(
        reply.pointers(),
        vec!["/courses/18/transfer/credits"],
        "field validation comes first"
    );

    plan["courses"][18]["transfer"]["credits"] = json!(0.5);
    let reply = app.post_json("/v1/plans", &token, &plan).await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.text
    );
    assert_eq!(
        reply.pointers(),
        vec![
            "/courses/1/gradeLevel",
            "/courses/19/courseId",
            "/courses/2/schoolYear",
            "/courses/3/courseId",
            "/schoolId"
        ]
    );
    let repeat = reply.body["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .find(|e| e["pointer"] == "/courses/19/courseId")
        .expect("repeat");
    assert_eq!(repeat["code"], "repeated");

    let missing_student = app
        .post_json("/v1/plans", &token, &json!({"graduationYear": 2030}))
        .await;
    assert_eq!(missing_student.pointers(), vec!["/studentId"]);
}

async fn one_active_plan_per_student(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (token, student_id, ids) = setup(&app).await;
    let first = app
        .post_json("/v1/plans", &token, &four_year_plan(&student_id, &ids))
        .await;
    assert_eq!(first.status, StatusCode::CREATED);
    let second = app
        .post_json("/v1/plans", &token, &four_year_plan(&student_id, &ids))
        .await;
    assert_eq!(second.status, StatusCode::CONFLICT);
    assert_eq!(second.pointers(), vec!["/studentId"]);

    let path = format!("/v1/plans/{}", first.body["id"].as_str().expect("id"));
    let archived = app
        .send(patch(
            &path,
            &token,
            "\"1\"",
            &json!({"status": "archived"}),
        ))
        .await;
    assert_eq!(archived.body["status"], "archived");
    let third = app
        .post_json("/v1/plans", &token, &four_year_plan(&student_id, &ids))
        .await;
    assert_eq!(third.status, StatusCode::CREATED, "{}", third.text);
    assert_eq!(
        app.get(&path, &token).await.status,
        StatusCode::OK,
        "the archived plan stays readable"
    );
}

async fn used_course_cannot_be_deleted(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (token, student_id, ids) = setup(&app).await;
    app.post_json("/v1/plans", &token, &four_year_plan(&student_id, &ids))
        .await;
    let reply = app
        .delete(&format!("/v1/courses/{}", ids["CHEM"]), &token, "*")
        .await;
    assert_eq!(reply.status, StatusCode::CONFLICT, "{}", reply.text);
    let student = app
        .delete(&format!("/v1/students/{student_id}"), &token, "*")
        .await;
    assert_eq!(student.status, StatusCode::CONFLICT, "{}", student.text);
}

async fn other_district_plan_is_not_found(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (token, student_id, ids) = setup(&app).await;
    let created = app
        .post_json("/v1/plans", &token, &four_year_plan(&student_id, &ids))
        .await;
    let outsider = app.client(&[OTHER_DISTRICT], &["all"]);
    let path = format!("/v1/plans/{}", created.body["id"].as_str().expect("id"));
    assert_eq!(
        app.get(&path, &outsider.token).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&format!("{path}/revisions"), &outsider.token)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let list = app.get("/v1/plans", &outsider.token).await;
    assert_eq!(list.body["items"].as_array().expect("items").len(), 0);
    let foreign = app
        .post_json(
            "/v1/plans",
            &outsider.token,
            &json!({"studentId": student_id, "graduationYear": 2030}),
        )
        .await;
    assert_eq!(foreign.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(foreign.pointers(), vec!["/studentId"]);
}

/// Removes what legitimately differs between two exports of the same plan in two districts:
/// the export time, the source (district, plan id, revision history) and the school.
fn portable_content(mut document: Value) -> Value {
    let object = document.as_object_mut().expect("document");
    for field in ["exportedAt", "source", "revisions"] {
        object.remove(field);
    }
    document["plan"]
        .as_object_mut()
        .expect("plan")
        .remove("schoolId");
    document
}

async fn portfolio_round_trip_loses_nothing(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (token, student_id, ids) = setup(&app).await;
    let created = app
        .post_json("/v1/plans", &token, &four_year_plan(&student_id, &ids))
        .await;
    let plan_id = created.body["id"].as_str().expect("id").to_owned();
    let survey = app
        .post_json(
            &format!("/v1/students/{student_id}/survey-responses"),
            &token,
            &json!({"instrumentId": "onet-ip-sf", "administeredOn": "2026-10-01", "gradeLevel": 9, "answers": "5".repeat(60)}),
        )
        .await;
    assert_eq!(survey.status, StatusCode::CREATED, "{}", survey.text);

    let exported = app
        .get(&format!("/v1/plans/{plan_id}/portfolio"), &token)
        .await;
    assert_eq!(exported.status, StatusCode::OK, "{}", exported.text);
    assert_eq!(exported.body["format"], "ips-portfolio");
    assert_eq!(
        exported.body["courseEntries"]
            .as_array()
            .expect("entries")
            .len(),
        19
    );
    assert_eq!(
        exported.body["surveyResults"]
            .as_array()
            .expect("surveys")
            .len(),
        1
    );
    assert_eq!(exported.body["latestAudit"]["ruleSetId"], "ks-state-2028");
    assert_eq!(
        exported.body["plan"]["workBasedLearning"][0]["relatedCourseId"], "BIO",
        "course ids become codes"
    );

    let receiver = app.client(&[OTHER_DISTRICT], &["all"]);
    load_catalog(&app, &receiver.token).await;
    let imported = app
        .post_json(
            "/v1/plans:import",
            &receiver.token,
            &json!({"portfolio": exported.body}),
        )
        .await;
    assert_eq!(imported.status, StatusCode::CREATED, "{}", imported.text);
    assert_eq!(imported.body["studentCreated"], true);
    assert_eq!(
        imported.body["unmapped"],
        json!([]),
        "every course exists in the receiving catalog"
    );
    assert_eq!(imported.body["plan"]["districtId"], OTHER_DISTRICT);

    let new_id = imported.body["plan"]["id"].as_str().expect("id");
    let again = app
        .get(&format!("/v1/plans/{new_id}/portfolio"), &receiver.token)
        .await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.text);
    assert_eq!(
        portable_content(again.body.clone()),
        portable_content(exported.body.clone())
    );
    assert_eq!(again.body["source"]["districtId"], OTHER_DISTRICT);
}

async fn import_keeps_unmatched_courses_as_transfers(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (token, student_id, ids) = setup(&app).await;
    let created = app
        .post_json("/v1/plans", &token, &four_year_plan(&student_id, &ids))
        .await;
    let exported = app
        .get(
            &format!(
                "/v1/plans/{}/portfolio",
                created.body["id"].as_str().expect("id")
            ),
            &token,
        )
        .await;

    let receiver = app.client(&[OTHER_DISTRICT], &["all"]);
    let imported = app
        .post_json(
            "/v1/plans:import",
            &receiver.token,
            &json!({"portfolio": exported.body}),
        )
        .await;
    assert_eq!(imported.status, StatusCode::CREATED, "{}", imported.text);
    let unmapped = imported.body["unmapped"].as_array().expect("unmapped");
    assert_eq!(
        unmapped.len(),
        19,
        "an empty catalog maps no course and no related course: {unmapped:?}"
    );
    let courses = imported.body["plan"]["courses"]
        .as_array()
        .expect("courses");
    assert_eq!(courses.len(), 19);
    assert!(
        courses
            .iter()
            .all(|c| c["transfer"]["institution"].is_string())
    );
}

fn bulk_plans(token: &str, lines: &[Value]) -> TestRequest {
    let body: Vec<String> = lines.iter().map(Value::to_string).collect();
    TestRequest::post()
        .uri("/v1/plans:bulk")
        .insert_header(("Authorization", format!("Bearer {token}")))
        .insert_header(("Content-Type", "application/x-ndjson"))
        .set_payload(body.join("\n"))
}

async fn bulk_plans_create_revise_and_repeat(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (token, first_student, ids) = setup(&app).await;
    let second_student = app.create_student(&token, student("8000000002")).await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let other = app.client(&[OTHER_DISTRICT], &["all"]);
    let foreign_student = app.create_student(&other.token, json!({
        "studentUniqueId": "8000000003", "schoolId": "4321", "gradeLevel": 9, "graduationYear": 2030
    })).await["id"]
        .as_str()
        .expect("id")
        .to_owned();

    let mut unknown_course = four_year_plan(&second_student, &ids);
    unknown_course["courses"][0]["courseId"] = json!("no-such-course");
    let batch = vec![
        four_year_plan(&first_student, &ids),
        unknown_course,
        four_year_plan(&first_student, &ids),
        four_year_plan(&foreign_student, &ids),
        json!({"graduationYear": 2030}),
    ];
    let reply = app.send(bulk_plans(&token, &batch)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let statuses: Vec<&str> = reply.body["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| r["status"].as_str().expect("status"))
        .collect();
    assert_eq!(
        statuses,
        ["created", "failed", "failed", "failed", "failed"],
        "{}",
        reply.text
    );
    let results = &reply.body["results"];
    assert_eq!(results[1]["errors"][0]["pointer"], "/courses/0/courseId");
    assert_eq!(results[2]["errors"][0]["code"], "duplicate");
    assert_eq!(
        results[3]["errors"][0]["code"], "unknown",
        "another district's student is unknown"
    );
    assert_eq!(results[4]["errors"][0]["pointer"], "/studentId");
    let plan_id = results[0]["id"].as_str().expect("plan id").to_owned();

    // The same batch without the failing items: the stored plan is unchanged, the other
    // student's plan is created, and no revision is added.
    let good = vec![
        four_year_plan(&first_student, &ids),
        four_year_plan(&second_student, &ids),
    ];
    let again = app.send(bulk_plans(&token, &good)).await;
    assert_eq!(again.body["summary"]["unchanged"], 1, "{}", again.text);
    assert_eq!(again.body["summary"]["created"], 1, "{}", again.text);
    assert_eq!(again.body["results"][0]["id"], plan_id.as_str());
    let plan = app.get(&format!("/v1/plans/{plan_id}"), &token).await;
    assert_eq!(plan.body["revision"], 1);
    let entry_ids: Vec<Value> = plan.body["courses"]
        .as_array()
        .expect("courses")
        .iter()
        .map(|c| c["id"].clone())
        .collect();

    // A changed item revises the active plan; unchanged entries keep their ids.
    let mut revised = four_year_plan(&first_student, &ids);
    revised["goals"][0]["status"] = json!("in_progress");
    let third = app.send(bulk_plans(&token, &[revised])).await;
    assert_eq!(
        third.body["results"][0]["status"], "updated",
        "{}",
        third.text
    );
    let plan = app.get(&format!("/v1/plans/{plan_id}"), &token).await;
    assert_eq!(plan.body["revision"], 2);
    assert_eq!(plan.body["goals"][0]["status"], "in_progress");
    let kept: Vec<Value> = plan.body["courses"]
        .as_array()
        .expect("courses")
        .iter()
        .map(|c| c["id"].clone())
        .collect();
    assert_eq!(kept, entry_ids);
    let revisions = app
        .get(&format!("/v1/plans/{plan_id}/revisions"), &token)
        .await;
    assert_eq!(revisions.body["items"][1]["changed"], json!(["goals"]));

    let changes = app.get("/v1/changes?limit=1000", &token).await;
    let plan_events = changes.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|c| c["resourceType"] == "plan")
        .count();
    assert_eq!(plan_events, 3, "two creates and one revision");
}

crate::backend_tests!(
    portfolio_round_trip_loses_nothing,
    import_keeps_unmatched_courses_as_transfers,
    plan_lifecycle_keeps_revisions,
    stale_plan_write_is_412,
    transcript_sync_keeps_planned_entries,
    invalid_plans_get_pointers,
    one_active_plan_per_student,
    used_course_cannot_be_deleted,
    other_district_plan_is_not_found,
    bulk_plans_create_revise_and_repeat,
);
