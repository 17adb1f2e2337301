//! SIGKILL of the real binary while a bulk upsert is being written: what was committed is
//! whole, and sending the batch again completes it without duplicates.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::server::{Server, ServerConfig};
use crate::support::{Backend, DISTRICT, create_database, postgres_available};

/// Students in the batch: enough that writing it takes many transactions.
const STUDENTS: usize = 30_000;

/// Returns the KIDS id of the `index`th student of the batch.
fn kids_id(index: usize) -> String {
    format!("{:010}", 3_000_000_000 + index)
}

fn batch_line(index: usize) -> Value {
    json!({
        "districtId": DISTRICT,
        "studentUniqueId": kids_id(index),
        "sisId": format!("SIS-{index}"),
        "schoolId": "1234",
        "gradeLevel": 9 + index % 4,
        "graduationYear": 2030,
        "firstName": "Bulk",
        "lastName": format!("Student {index}")
    })
}

fn batch() -> String {
    let mut body = String::new();
    for index in 0..STUDENTS {
        body.push_str(&batch_line(index).to_string());
        body.push('\n');
    }
    body
}

/// Checks that every stored student is whole, with the fields of its batch line, and has
/// exactly one change event. Returns the students by KIDS id.
fn check_consistent(server: &Server, token: &str) -> HashMap<String, Value> {
    let students = server.get_all("/v1/students?limit=1000", token);
    let mut by_kids_id = HashMap::new();
    for stored in students {
        let kids = stored["studentUniqueId"]
            .as_str()
            .expect("studentUniqueId")
            .to_owned();
        let index: usize = kids.parse::<usize>().expect("numeric KIDS id") - 3_000_000_000;
        let line = batch_line(index);
        for field in [
            "sisId",
            "schoolId",
            "gradeLevel",
            "graduationYear",
            "firstName",
            "lastName",
        ] {
            assert_eq!(stored[field], line[field], "student {kids} field {field}");
        }
        let previous = by_kids_id.insert(kids.clone(), stored);
        assert!(previous.is_none(), "student {kids} is stored twice");
    }

    let events = server.get_all("/v1/changes?resourceType=student&limit=1000", token);
    let mut ids_with_events = HashSet::new();
    for event in &events {
        assert_eq!(event["operation"], "upsert", "{event}");
        let id = event["id"].as_str().expect("event id");
        assert!(
            ids_with_events.insert(id.to_owned()),
            "two change events for student {id}"
        );
    }
    let stored_ids: HashSet<String> = by_kids_id
        .values()
        .map(|student| student["id"].as_str().expect("id").to_owned())
        .collect();
    assert_eq!(
        events.len(),
        by_kids_id.len(),
        "change events and students disagree"
    );
    assert_eq!(
        ids_with_events, stored_ids,
        "every student has its change event"
    );
    by_kids_id
}

fn bulk_interrupted_by_sigkill_completes_on_retry(backend: Backend) {
    let (database_url, _database) = create_database(backend);
    let data_dir = tempfile::tempdir().expect("data directory");
    let config = ServerConfig::new(data_dir.path(), &database_url);
    let (client_id, client_secret) = config.prepare();
    let body = batch();

    let mut server = Server::start(&config);
    let token = server.token(&client_id, &client_secret);
    let sender = {
        let (url, token, body) = (server.base_url.clone(), token.clone(), body.clone());
        std::thread::spawn(move || {
            ureq::post(&format!("{url}/v1/students:bulk"))
                .set("Authorization", &format!("Bearer {token}"))
                .set("Content-Type", "application/x-ndjson")
                .send_string(&body)
                .map(|response| response.status())
                .map_err(|error| error.to_string())
        })
    };

    // Kill the process as soon as the first transaction of the batch is visible.
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let page = server
            .get("/v1/students?limit=1", Some(&token))
            .expect("list students while the bulk runs");
        if page.body["items"]
            .as_array()
            .is_some_and(|items| !items.is_empty())
        {
            break;
        }
        assert!(Instant::now() < deadline, "no student became visible");
        std::thread::sleep(Duration::from_millis(10));
    }
    server.kill();
    let sent = sender.join().expect("bulk sender thread");
    assert!(
        sent.is_err(),
        "the bulk completed ({sent:?}) before the kill; the batch is too small to interrupt"
    );

    let server = Server::start(&config);
    let token = server.token(&client_id, &client_secret);
    let survived = check_consistent(&server, &token);
    assert!(!survived.is_empty(), "the visible students were lost");
    assert!(
        survived.len() < STUDENTS,
        "all {STUDENTS} students were stored before the kill"
    );

    let retried = server
        .call(
            "POST",
            "/v1/students:bulk",
            Some(&token),
            Some(("application/x-ndjson", &body)),
        )
        .expect("bulk retry");
    assert_eq!(
        retried.status,
        200,
        "{}",
        &retried.text[..retried.text.len().min(500)]
    );
    let summary = &retried.body["summary"];
    assert_eq!(summary["received"], STUDENTS);
    assert_eq!(summary["failed"], 0);
    assert_eq!(
        summary["updated"], 0,
        "a retried line changed a stored student"
    );
    assert_eq!(summary["unchanged"], survived.len());
    assert_eq!(summary["created"], STUDENTS - survived.len());
    for result in retried.body["results"].as_array().expect("results") {
        let kids = result["naturalKey"]["studentUniqueId"]
            .as_str()
            .expect("key");
        if let Some(stored) = survived.get(kids) {
            assert_eq!(result["status"], "unchanged", "{result}");
            assert_eq!(result["id"], stored["id"], "student {kids} kept its id");
        } else {
            assert_eq!(result["status"], "created", "{result}");
        }
    }

    let complete = check_consistent(&server, &token);
    assert_eq!(complete.len(), STUDENTS);
    for index in 0..STUDENTS {
        assert!(
            complete.contains_key(&kids_id(index)),
            "student {index} is missing"
        );
    }
}

#[test]
fn sqlite_bulk_interrupted_by_sigkill_completes_on_retry() {
    bulk_interrupted_by_sigkill_completes_on_retry(Backend::Sqlite);
}

#[test]
fn postgres_bulk_interrupted_by_sigkill_completes_on_retry() {
    if postgres_available() {
        bulk_interrupted_by_sigkill_completes_on_retry(Backend::Postgres);
    }
}
