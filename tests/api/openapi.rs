//! The committed contract matches the code, and every operation documents itself fully.

use serde_json::Value;

use crate::support::resolve;

const SNAPSHOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json");

fn generated() -> String {
    ips_api::openapi_document()
        .to_pretty_json()
        .expect("render OpenAPI")
        + "\n"
}

#[test]
fn committed_openapi_matches_code() {
    let generated = generated();
    if std::env::var_os("IPS_UPDATE_OPENAPI").is_some() {
        std::fs::write(SNAPSHOT, &generated).expect("write openapi/openapi.json");
        return;
    }
    let committed = std::fs::read_to_string(SNAPSHOT).unwrap_or_default();
    assert!(
        committed == generated,
        "openapi/openapi.json differs from the code; regenerate it with \
         `IPS_UPDATE_OPENAPI=1 cargo test --test api openapi` and commit the result"
    );
}

fn has_example(document: &Value, content: &Value) -> bool {
    content.as_object().is_some_and(|types| {
        types.values().all(|media| {
            media.get("example").is_some() || media.get("examples").is_some() || {
                let schema = resolve(document, &media["schema"]);
                let items = resolve(document, &schema["items"]);
                schema.get("example").is_some()
                    || items.get("example").is_some()
                    || schema["type"] == "string"
            }
        })
    })
}

#[test]
fn every_operation_is_documented() {
    let document: Value = serde_json::from_str(&generated()).expect("parse OpenAPI");
    let paths = document["paths"].as_object().expect("paths");
    assert!(!paths.is_empty());
    for (path, item) in paths {
        for (method, operation) in item.as_object().expect("path item") {
            let name = format!("{} {path}", method.to_uppercase());
            assert!(
                operation["operationId"]
                    .as_str()
                    .is_some_and(|id| !id.is_empty()),
                "{name}: operationId"
            );
            assert!(
                operation["summary"].as_str().is_some_and(|s| !s.is_empty()),
                "{name}: summary"
            );
            assert!(
                operation["tags"].as_array().is_some_and(|t| !t.is_empty()),
                "{name}: tags"
            );

            let responses = operation["responses"].as_object().expect("responses");
            assert!(
                responses
                    .keys()
                    .any(|status| status.starts_with('4') || status.starts_with('5')),
                "{name}: no error responses"
            );
            for (status, response) in responses {
                let response = resolve(&document, response);
                if let Some(content) = response.get("content") {
                    assert!(
                        has_example(&document, content),
                        "{name} {status}: no example"
                    );
                }
            }
            if let Some(body) = operation.get("requestBody") {
                assert!(
                    has_example(&document, &body["content"]),
                    "{name}: request body has no example"
                );
            }
        }
    }
}

#[test]
fn plan_course_entries_are_plan_entries() {
    // Two Rust types named CourseEntry exist (plan entries and audit entries); each must keep
    // its own schema rather than one replacing the other in the document.
    let document: Value = serde_json::from_str(&generated()).expect("parse OpenAPI");
    let plan_items = resolve(
        &document,
        &document["components"]["schemas"]["PlanBody"]["properties"]["courses"]["items"],
    );
    assert!(
        plan_items["properties"]["courseId"].is_object(),
        "{plan_items}"
    );
    let audit_items = resolve(
        &document,
        &document["components"]["schemas"]["AuditInput"]["properties"]["entries"]["items"],
    );
    assert!(
        audit_items["properties"]["scedCode"].is_object(),
        "{audit_items}"
    );
}

#[test]
fn error_catalogue_lists_every_code() {
    let catalogue = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/ERRORS.md"))
        .expect("read docs/ERRORS.md");
    let rows: Vec<(String, u16)> = catalogue
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            let code = cells.get(1)?.strip_prefix('`')?.strip_suffix('`')?;
            let status = cells.get(2)?.parse().ok()?;
            Some((code.to_owned(), status))
        })
        .collect();
    for code in ips_api::error::ErrorCode::ALL {
        let row = rows.iter().find(|(name, _)| name == code.as_str());
        assert_eq!(
            row.map(|(_, status)| *status),
            Some(code.status().as_u16()),
            "docs/ERRORS.md must list {} with status {}",
            code.as_str(),
            code.status().as_u16()
        );
    }
    assert_eq!(
        rows.len(),
        ips_api::error::ErrorCode::ALL.len(),
        "docs/ERRORS.md lists a code the service does not have"
    );
}

/// Collects every `$ref` in `value`.
fn references<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
    match value {
        Value::Object(members) => {
            if let Some(reference) = members.get("$ref").and_then(Value::as_str) {
                out.push(reference);
            }
            members.values().for_each(|member| references(member, out));
        }
        Value::Array(items) => items.iter().for_each(|item| references(item, out)),
        _ => {}
    }
}

#[test]
fn every_reference_resolves() {
    let document: Value = serde_json::from_str(&generated()).expect("parse OpenAPI");
    let mut found = Vec::new();
    references(&document, &mut found);
    assert!(!found.is_empty());
    for reference in found {
        let pointer = reference.trim_start_matches('#');
        assert!(
            document.pointer(pointer).is_some(),
            "{reference} names no part of the document"
        );
    }
}

/// Collects every `allOf` part in `value`.
fn all_of_parts<'a>(value: &'a Value, out: &mut Vec<&'a Value>) {
    match value {
        Value::Object(members) => {
            if let Some(parts) = members.get("allOf").and_then(Value::as_array) {
                out.extend(parts);
            }
            members
                .values()
                .for_each(|member| all_of_parts(member, out));
        }
        Value::Array(items) => items.iter().for_each(|item| all_of_parts(item, out)),
        _ => {}
    }
}

#[test]
fn no_all_of_part_is_closed() {
    // A closed part of an allOf rejects the other parts' properties, so no value could
    // satisfy the whole.
    let document: Value = serde_json::from_str(&generated()).expect("parse OpenAPI");
    let mut parts = Vec::new();
    all_of_parts(&document, &mut parts);
    assert!(!parts.is_empty());
    for part in parts {
        let part = resolve(&document, part);
        assert_ne!(
            part["additionalProperties"],
            Value::Bool(false),
            "closed allOf part: {part}"
        );
    }
}

#[test]
fn precondition_headers_have_patterns() {
    let document: Value = serde_json::from_str(&generated()).expect("parse OpenAPI");
    let mut checked = 0;
    for (path, item) in document["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("path item") {
            for parameter in operation["parameters"].as_array().into_iter().flatten() {
                let name = parameter["name"].as_str().unwrap_or_default();
                if name == "If-Match" || name == "Idempotency-Key" {
                    assert!(
                        parameter["schema"]["pattern"].is_string(),
                        "{method} {path}: {name} has no pattern"
                    );
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 0);
}
