//! Runs the examples of docs/INTEGRATION-GUIDE.md in order against the application, so that
//! the guide cannot drift from what the API does.
//!
//! The guide's only code blocks are pairs: a ```http block (request line, headers, a blank
//! line, the body as sent) followed by a ```json block `{"status": …, "headers": {…},
//! "body": …}` of what the response must contain. Objects in `body` list only the members
//! that matter; an array must match element by element unless its last element is `"..."`,
//! which allows more. A `{name}` placeholder in a request is replaced by its value. In the
//! expected response, a string that is exactly `"{name}"` binds the actual value (of any
//! type) on its first appearance, and the value must equal it on later ones.

use std::collections::HashMap;

use actix_web::http::Method;
use actix_web::test::TestRequest;
use serde_json::Value;

use crate::support::{Backend, TestApp};

const GUIDE: &str = include_str!("../../docs/INTEGRATION-GUIDE.md");

/// One request of the guide and the response it documents.
#[derive(Debug)]
struct Step {
    heading: String,
    line: usize,
    request: String,
    expected: String,
}

/// Splits the guide into steps, rejecting any code block that is not an http/json pair.
fn parse(markdown: &str) -> Result<Vec<Step>, String> {
    let mut steps = Vec::new();
    let mut heading = String::from("(before the first heading)");
    let mut pending: Option<(usize, String)> = None;
    let mut lines = markdown.lines().enumerate();

    while let Some((index, line)) = lines.next() {
        let number = index + 1;
        if line.starts_with('#') {
            heading = line.trim_start_matches('#').trim().to_owned();
            continue;
        }
        let Some(form) = line.trim_start().strip_prefix("```") else {
            continue;
        };

        let mut block = Vec::new();
        let mut closed = false;
        for (_, inner) in lines.by_ref() {
            if inner.trim_start().starts_with("```") {
                closed = true;
                break;
            }
            block.push(inner);
        }
        if !closed {
            return Err(format!("line {number}: the code block is never closed"));
        }
        let block = block.join("\n");

        match (form, pending.take()) {
            ("http", None) => pending = Some((number, block)),
            ("json", Some((line, request))) => steps.push(Step {
                heading: heading.clone(),
                line,
                request,
                expected: block,
            }),
            ("http", Some((line, _))) => {
                return Err(format!(
                    "line {line}: the ```http block has no ```json response after it"
                ));
            }
            ("json", None) => {
                return Err(format!(
                    "line {number}: a ```json block must follow an ```http request"
                ));
            }
            (other, _) => {
                return Err(format!(
                    "line {number}: unknown block form ```{other}; the guide allows only \
                     ```http requests each followed by a ```json response"
                ));
            }
        }
    }

    if let Some((line, _)) = pending {
        return Err(format!(
            "line {line}: the ```http block has no ```json response after it"
        ));
    }
    Ok(steps)
}

/// Values bound by `{name}` placeholders.
type Bindings = HashMap<String, String>;

/// Returns the name of a string that is exactly one placeholder.
fn placeholder(text: &str) -> Option<&str> {
    let name = text.strip_prefix('{')?.strip_suffix('}')?;
    let mut chars = name.chars();
    let starts_with_letter = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    (starts_with_letter && chars.all(|c| c.is_ascii_alphanumeric())).then_some(name)
}

/// Replaces every `{name}` in `text` with its bound value.
fn substitute(text: &str, bindings: &Bindings) -> Result<String, String> {
    let mut output = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        output.push_str(&rest[..start]);
        let candidate = rest[start..]
            .find('}')
            .map(|end| &rest[start..start + end + 1]);
        match candidate.and_then(placeholder) {
            Some(name) => {
                let value = bindings
                    .get(name)
                    .ok_or_else(|| format!("{{{name}}} is used before a response binds it"))?;
                output.push_str(value);
                rest = &rest[start + name.len() + 2..];
            }
            None => {
                output.push('{');
                rest = &rest[start + 1..];
            }
        }
    }
    output.push_str(rest);
    Ok(output)
}

/// Converts a value to the text a placeholder binds: a string's contents, or other JSON as is.
fn bound_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// Checks that `actual` contains everything `expected` documents, binding new placeholders.
fn matches(
    expected: &Value,
    actual: &Value,
    path: &str,
    bindings: &mut Bindings,
) -> Result<(), String> {
    let mismatch = || format!("{path}: expected {expected}, got {actual}");
    match expected {
        Value::String(text) => {
            if let Some(name) = placeholder(text) {
                let actual_text = bound_text(actual);
                return match bindings.get(name) {
                    Some(bound) if *bound != actual_text => Err(format!(
                        "{path}: expected {{{name}}} = {bound}, got {actual}"
                    )),
                    Some(_) => Ok(()),
                    None => {
                        bindings.insert(name.to_owned(), actual_text);
                        Ok(())
                    }
                };
            }
            let text = substitute(text, bindings).map_err(|error| format!("{path}: {error}"))?;
            if actual.as_str() == Some(text.as_str()) {
                Ok(())
            } else {
                Err(mismatch())
            }
        }
        Value::Object(members) => {
            let Some(actual_members) = actual.as_object() else {
                return Err(mismatch());
            };
            for (key, value) in members {
                let member_path = format!("{path}/{key}");
                let Some(actual_value) = actual_members.get(key) else {
                    return Err(format!("{member_path}: missing, expected {value}"));
                };
                matches(value, actual_value, &member_path, bindings)?;
            }
            Ok(())
        }
        Value::Array(elements) => {
            let Some(actual_elements) = actual.as_array() else {
                return Err(mismatch());
            };
            let (elements, open) = match elements.split_last() {
                Some((Value::String(last), init)) if last == "..." => (init, true),
                _ => (elements.as_slice(), false),
            };
            let length_ok = if open {
                actual_elements.len() >= elements.len()
            } else {
                actual_elements.len() == elements.len()
            };
            if !length_ok {
                return Err(format!(
                    "{path}: expected {} elements{}, got {}: {actual}",
                    elements.len(),
                    if open { " or more" } else { "" },
                    actual_elements.len()
                ));
            }
            for (index, (element, actual_element)) in
                elements.iter().zip(actual_elements).enumerate()
            {
                matches(
                    element,
                    actual_element,
                    &format!("{path}/{index}"),
                    bindings,
                )?;
            }
            Ok(())
        }
        Value::Number(number) => match (number.as_f64(), actual.as_f64()) {
            (Some(left), Some(right)) if left == right => Ok(()),
            _ => Err(mismatch()),
        },
        _ if expected == actual => Ok(()),
        _ => Err(mismatch()),
    }
}

/// Builds the request of an http block after substituting placeholders.
fn build_request(text: &str, bindings: &Bindings) -> Result<TestRequest, String> {
    let text = substitute(text, bindings)?;
    let (head, body) = text.split_once("\n\n").unwrap_or((text.as_str(), ""));
    let mut head_lines = head.lines();

    let request_line = head_lines.next().unwrap_or_default();
    let (method, uri) = request_line
        .split_once(' ')
        .ok_or_else(|| format!("the request line `{request_line}` must be `METHOD PATH`"))?;
    let method = match method {
        "GET" => Method::GET,
        "POST" => Method::POST,
        "PUT" => Method::PUT,
        "PATCH" => Method::PATCH,
        "DELETE" => Method::DELETE,
        other => return Err(format!("unknown method {other}")),
    };

    let mut request = TestRequest::default().method(method).uri(uri);
    for header in head_lines {
        let (name, value) = header
            .split_once(": ")
            .ok_or_else(|| format!("the header line `{header}` must be `Name: value`"))?;
        request = request.insert_header((name, value));
    }
    if !body.is_empty() {
        request = request.set_payload(body.to_owned());
    }
    Ok(request)
}

/// Sends one step and checks its response.
async fn run_step(app: &TestApp, step: &Step, bindings: &mut Bindings) -> Result<(), String> {
    let expected: Value = serde_json::from_str(&step.expected)
        .map_err(|error| format!("the ```json block is not JSON: {error}"))?;
    let Some(expected) = expected.as_object() else {
        return Err("the ```json block must be an object".to_owned());
    };
    if let Some(key) = expected
        .keys()
        .find(|key| !["status", "headers", "body"].contains(&key.as_str()))
    {
        return Err(format!(
            "the ```json block has `{key}`; only status, headers and body are allowed"
        ));
    }
    let status = expected["status"]
        .as_u64()
        .ok_or("the ```json block needs a numeric status")?;

    let reply = app.send(build_request(&step.request, bindings)?).await;
    if u64::from(reply.status.as_u16()) != status {
        return Err(format!(
            "status: expected {status}, got {}: {}",
            reply.status, reply.text
        ));
    }

    if let Some(body) = expected.get("body") {
        matches(body, &reply.body, "body", bindings)
            .map_err(|error| format!("{error}\nresponse body: {}", reply.text))?;
    }
    if let Some(headers) = expected.get("headers") {
        let headers = headers.as_object().ok_or("`headers` must be an object")?;
        for (name, value) in headers {
            let actual = reply.header(name).map_or(Value::Null, Value::String);
            matches(value, &actual, &format!("header {name}"), bindings)?;
        }
    }
    Ok(())
}

/// Runs every step of `markdown` in order, stopping at the first that differs.
async fn run_guide(app: &TestApp, markdown: &str) -> Result<(), String> {
    let steps = parse(markdown)?;
    let client = app.admin_client();
    let mut bindings = Bindings::from([
        ("clientId".to_owned(), client.id),
        ("clientSecret".to_owned(), client.secret),
        (
            "today".to_owned(),
            chrono::Utc::now().date_naive().to_string(),
        ),
    ]);
    for step in &steps {
        run_step(app, step, &mut bindings)
            .await
            .map_err(|error| format!("step \"{}\" (line {}): {error}", step.heading, step.line))?;
    }
    Ok(())
}

async fn integration_guide_examples_hold(backend: Backend) {
    let app = TestApp::new(backend).await;
    if let Err(error) = run_guide(&app, GUIDE).await {
        panic!("docs/INTEGRATION-GUIDE.md: {error}");
    }
}

async fn guide_runner_reports_differences(backend: Backend) {
    let app = TestApp::new(backend).await;
    let token_step = "## Get a token\n```http\nPOST /oauth/token\n\
        Content-Type: application/x-www-form-urlencoded\n\n\
        grant_type=client_credentials&client_id={clientId}&client_secret={clientSecret}\n```\n\
        ```json\n{\"status\": 200, \"body\": {\"access_token\": \"{token}\"}}\n```\n";
    let read = |expected: &str| {
        format!(
            "{token_step}## Read districts\n```http\nGET /v1/districts\n\
             Authorization: Bearer {{token}}\n```\n```json\n{expected}\n```\n"
        )
    };

    let passing = read(r#"{"status": 200, "body": {"items": [{"id": "D0259"}]}}"#);
    assert_eq!(run_guide(&app, &passing).await, Ok(()));

    let cases = [
        (r#"{"status": 201}"#, "status: expected 201"),
        (
            r#"{"status": 200, "body": {"items": [{"id": "D0300"}]}}"#,
            "body/items/0/id",
        ),
        (r#"{"status": 200, "body": {"items": []}}"#, "body/items"),
        (
            r#"{"status": 200, "body": {"nextPage": null}}"#,
            "body/nextPage: missing",
        ),
        (
            r#"{"status": 200, "headers": {"ETag": "\"7\""}}"#,
            "header ETag",
        ),
    ];
    for (expected, reason) in cases {
        let error = run_guide(&app, &read(expected)).await.expect_err(expected);
        assert!(
            error.starts_with("step \"Read districts\""),
            "{expected}: {error}"
        );
        assert!(error.contains(reason), "{expected}: {error}");
    }
}

#[test]
fn guide_parser_rejects_unknown_blocks() {
    let cases = [
        ("```sh\nls\n```\n", "unknown block form ```sh"),
        ("```\nplain\n```\n", "unknown block form ```"),
        ("```json\n{}\n```\n", "must follow an ```http request"),
        (
            "```http\nGET /v1/districts\n```\n",
            "has no ```json response",
        ),
        (
            "```http\nGET /\n```\n```http\nGET /\n```\n",
            "has no ```json",
        ),
        ("```http\nGET /v1/districts\n", "never closed"),
    ];
    for (markdown, reason) in cases {
        let error = parse(markdown).expect_err(markdown);
        assert!(error.contains(reason), "{markdown}: {error}");
    }
}

#[test]
fn placeholders_need_a_binding() {
    let bindings = Bindings::from([("planId".to_owned(), "p-1".to_owned())]);
    assert_eq!(
        substitute("/v1/plans/{planId}?x={\"a\"}", &bindings),
        Ok("/v1/plans/p-1?x={\"a\"}".to_owned())
    );
    assert!(substitute("/v1/students/{studentId}", &bindings).is_err());
}

crate::backend_tests!(
    integration_guide_examples_hold,
    guide_runner_reports_differences
);
