//! Scopes, checked against the OpenAPI document. Every operation that declares scopes in its
//! `security` requirement returns 403 to a token with every scope but one of them, and every
//! operation that changes data declares at least one. A new operation cannot escape
//! the check because the list comes from the route table.

use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use ips_api::auth::Scope;
use serde_json::Value;

use crate::support::{Backend, DISTRICT, TestApp, fill_path, resolve};

/// Returns the scopes an operation's `oauth2` security requirement lists, or `None` when the
/// operation declares no requirement of its own.
fn declared_scopes(operation: &Value) -> Option<Vec<String>> {
    let requirements = operation.get("security")?.as_array()?;
    let scopes = requirements
        .iter()
        .filter_map(|requirement| requirement["oauth2"].as_array())
        .flatten()
        .filter_map(|scope| scope.as_str().map(str::to_owned))
        .collect();
    Some(scopes)
}

/// Returns a request body built from the operation's documented example, with its content
/// type, preferring JSON.
fn example_body(document: &Value, operation: &Value) -> Option<(String, String)> {
    let content = operation["requestBody"]["content"].as_object()?;
    let (content_type, media) = content
        .iter()
        .find(|(content_type, _)| content_type.as_str() == "application/json")
        .or_else(|| content.iter().next())?;
    let schema = resolve(document, &media["schema"]);
    let example = media
        .get("example")
        .or_else(|| schema.get("example"))
        .cloned()
        .or_else(|| {
            let items = resolve(document, &schema["items"]);
            items
                .get("example")
                .map(|item| Value::Array(vec![item.clone()]))
        })?;
    Some((content_type.clone(), example.to_string()))
}

async fn every_operation_requires_its_declared_scopes(backend: Backend) {
    let app = TestApp::new(backend).await;
    let client = app.admin_client();
    let document: Value =
        serde_json::to_value(ips_api::openapi_document()).expect("OpenAPI as JSON");

    let mut checked = 0;
    for (path, item) in document["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("path item") {
            let name = format!("{} {path}", method.to_uppercase());
            let scopes = declared_scopes(operation).unwrap_or_default();
            let public = operation["security"] == serde_json::json!([{}]);
            if method != "get" && !public {
                assert!(
                    !scopes.is_empty(),
                    "{name} declares no scope in its security requirement"
                );
            }

            let url = fill_path(path, |_| "0193a1f2-6c1e-7c39-9d55-2f0b8f3f1a77".to_owned());
            let body = example_body(&document, operation);
            for missing in &scopes {
                let held: Vec<&str> = Scope::ALL
                    .iter()
                    .map(|scope| scope.as_str())
                    .filter(|scope| scope != missing)
                    .collect();
                let claims = app.state.tokens.claims_for(
                    &client.id,
                    held.join(" "),
                    vec![DISTRICT.to_owned()],
                );
                let token = app.state.tokens.sign(&claims).expect("sign");

                let mut request = TestRequest::default()
                    .method(method.to_uppercase().parse().expect("method"))
                    .uri(&url)
                    .insert_header(("Authorization", format!("Bearer {token}")))
                    .insert_header(("If-Match", "*"));
                if let Some((content_type, body)) = &body {
                    request = request
                        .insert_header(("Content-Type", content_type.as_str()))
                        .set_payload(body.clone());
                }
                let reply = app.send(request).await;
                let case = format!("{name} without {missing}");
                assert_eq!(
                    reply.status,
                    StatusCode::FORBIDDEN,
                    "{case}: {}",
                    reply.text
                );
                assert_eq!(reply.code(), "insufficient_scope", "{case}");
                let detail = reply.body["detail"].as_str().unwrap_or_default();
                assert!(detail.contains(missing.as_str()), "{case}: {detail}");
                checked += 1;
            }
        }
    }
    assert!(
        checked >= 45,
        "only {checked} operation scopes were checked"
    );
}

crate::backend_tests!(every_operation_requires_its_declared_scopes);
