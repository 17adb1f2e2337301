//! Test harness: the real application in-process against a fresh SQLite file or a fresh
//! PostgreSQL database per test, dropped when the test ends.

use std::rc::Rc;
use std::sync::OnceLock;
use std::time::Duration;

use actix_service::Service;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::ServiceResponse;
use actix_web::http::StatusCode;
use actix_web::http::header::HeaderMap;
use actix_web::test::TestRequest;
use actix_web::web;
use diesel::Connection;
use diesel::connection::SimpleConnection;
use ips_api::auth::jwt::{Claims, TokenSettings};
use ips_api::auth::{Quota, RateLimits, TokenKeys};
use ips_api::store::{PoolOptions, Store};
use ips_api::{AppState, Limits, admin, telemetry};
use secrecy::SecretString;
use serde_json::Value;

/// The token-signing secret of every test app.
pub const SECRET: &str = "test-secret-test-secret-test-secret-0123";
pub const ISSUER: &str = "ips-api";
pub const AUDIENCE: &str = "ips-api";
/// The JSON body limit of test apps, small so that 413 is cheap to provoke.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// A district every test app has, with schools 1234 and 5678.
pub const DISTRICT: &str = "D0259";
/// A second district, for isolation tests, with school 4321.
pub const OTHER_DISTRICT: &str = "D0300";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub fn postgres_admin_url() -> String {
    std::env::var("IPS_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// Reports whether PostgreSQL tests can run. Under CI (`CI` set) an unreachable server fails
/// the test instead of skipping it.
pub fn postgres_available() -> bool {
    static AVAILABLE: OnceLock<bool> = OnceLock::new();
    *AVAILABLE.get_or_init(
        || match diesel::PgConnection::establish(&postgres_admin_url()) {
            Ok(_) => true,
            Err(error) => {
                if std::env::var_os("CI").is_some() {
                    panic!(
                        "PostgreSQL is required under CI but unreachable at {}: {error}",
                        postgres_admin_url()
                    );
                }
                eprintln!(
                    "PostgreSQL tests skipped: no server at {} ({error})",
                    postgres_admin_url()
                );
                false
            }
        },
    )
}

/// A database that exists for one test.
pub enum TestDatabase {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres { name: String },
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let TestDatabase::Postgres { name } = self
            && let Ok(mut conn) = diesel::PgConnection::establish(&postgres_admin_url())
        {
            let _ = conn.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        }
    }
}

/// Creates an empty database and returns its URL (or SQLite path) with its owner.
pub fn create_database(backend: Backend) -> (String, TestDatabase) {
    match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().expect("temporary directory");
            let url = dir.path().join("ips.sqlite3").display().to_string();
            (url, TestDatabase::Sqlite(dir))
        }
        Backend::Postgres => {
            let name = format!("ips_test_{}", uuid::Uuid::now_v7().simple());
            let mut conn = diesel::PgConnection::establish(&postgres_admin_url())
                .expect("connect to PostgreSQL");
            conn.batch_execute(&format!("CREATE DATABASE {name}"))
                .expect("create test database");
            let base = postgres_admin_url();
            let url = format!(
                "{}/{name}",
                base.rsplit_once('/').expect("database in URL").0
            );
            (url, TestDatabase::Postgres { name })
        }
    }
}

type BoxedService = Rc<
    dyn Service<
            actix_http::Request,
            Response = ServiceResponse<BoxBody>,
            Error = actix_web::Error,
            Future = std::pin::Pin<
                Box<
                    dyn std::future::Future<
                            Output = Result<ServiceResponse<BoxBody>, actix_web::Error>,
                        >,
                >,
            >,
        >,
>;

/// A response with its body parsed as JSON when it is JSON.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }

    /// Returns the `code` of a problem body.
    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or_default()
    }

    /// Returns the pointers of a problem body's field errors.
    pub fn pointers(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|errors| {
                errors
                    .iter()
                    .filter_map(|e| e["pointer"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// An API client created for a test, with a valid token.
#[derive(Debug, Clone)]
pub struct Client {
    pub id: String,
    pub secret: String,
    pub token: String,
}

/// The limits of a test app.
#[derive(Debug, Clone)]
pub struct TestLimits {
    pub limits: Limits,
    pub api_rate: Quota,
    pub token_rate: Quota,
}

impl Default for TestLimits {
    /// Small bodies, so that 413 is cheap to provoke, and rates and times that ordinary tests
    /// never reach.
    fn default() -> TestLimits {
        let generous = Quota {
            per_second: 1000.0,
            burst: 1000,
        };
        TestLimits {
            limits: Limits {
                max_body_bytes: MAX_BODY_BYTES,
                max_bulk_bytes: 8 * 1024 * 1024,
                request_timeout: Duration::from_secs(120),
                bulk_request_timeout: Duration::from_secs(300),
            },
            api_rate: generous,
            token_rate: generous,
        }
    }
}

pub struct TestApp {
    service: BoxedService,
    pub state: web::Data<AppState>,
    url: String,
    backend: Backend,
    _database: TestDatabase,
}

impl TestApp {
    pub async fn new(backend: Backend) -> TestApp {
        TestApp::with_limits(backend, TestLimits::default()).await
    }

    pub async fn with_limits(backend: Backend, limits: TestLimits) -> TestApp {
        let (url, database) = create_database(backend);
        let options = PoolOptions {
            max_size: 8,
            acquire_timeout: Duration::from_secs(10),
        };
        let store = Store::connect(&url, &options).expect("connect test store");
        store.migrate().expect("migrate test store");
        admin::create_district(&store, DISTRICT, "Wichita USD 259").expect("district");
        admin::create_school(&store, DISTRICT, "1234", "North High").expect("school");
        admin::create_school(&store, DISTRICT, "5678", "East High").expect("school");
        admin::create_district(&store, OTHER_DISTRICT, "Other USD 300").expect("district");
        admin::create_school(&store, OTHER_DISTRICT, "4321", "Other High").expect("school");

        let state = web::Data::new(AppState {
            store,
            tokens: TokenKeys::new(&token_settings()),
            limits: limits.limits,
            onet: Default::default(),
            active_clients: ips_api::auth::ActiveClients::new(Duration::ZERO),
            metrics: telemetry::Metrics::new().expect("metrics"),
            rate_limits: RateLimits::new(limits.api_rate, limits.token_rate),
        });
        let service = actix_web::test::init_service(ips_api::app(state.clone())).await;
        let service: BoxedService = Rc::new(BoxedWrapper { inner: service });
        TestApp {
            service,
            state,
            url,
            backend,
            _database: database,
        }
    }

    /// Runs SQL directly against the test database, to set up states the API cannot reach.
    pub fn execute(&self, sql: &str) {
        match self.backend {
            Backend::Sqlite => diesel::SqliteConnection::establish(&self.url)
                .expect("connect")
                .batch_execute(sql)
                .expect("execute"),
            Backend::Postgres => diesel::PgConnection::establish(&self.url)
                .expect("connect")
                .batch_execute(sql)
                .expect("execute"),
        }
    }

    /// Stores an `Idempotency-Key` claim of `POST /v1/students` with `body`, taken at
    /// `locked_at`, as a request that is still running (or died) leaves it.
    pub fn claim_student_key(
        &self,
        client_id: &str,
        key: &str,
        body: &Value,
        locked_at: chrono::NaiveDateTime,
    ) {
        let input: ips_api::api::students::StudentInput =
            serde_json::from_value(body.clone()).expect("student input");
        let fingerprint = ips_api::api::idempotency::fingerprint("POST /v1/students", &input)
            .expect("fingerprint");
        let locked_at = locked_at.format("%Y-%m-%d %H:%M:%S");
        self.execute(&format!(
            "INSERT INTO idempotency_keys (client_id, idempotency_key, request_hash, state, created_at, locked_at) \
             VALUES ('{client_id}', '{key}', '{fingerprint}', 'in_progress', '{locked_at}', '{locked_at}')"
        ));
    }

    /// Creates a client for `districts` with `scopes` and signs a token for it.
    pub fn client(&self, districts: &[&str], scopes: &[&str]) -> Client {
        let districts: Vec<String> = districts.iter().map(|d| d.to_string()).collect();
        let scopes: Vec<String> = scopes.iter().map(|s| s.to_string()).collect();
        let created = admin::create_client(&self.state.store, "test client", &districts, &scopes)
            .expect("client");
        let claims = self.state.tokens.claims_for(
            &created.id,
            created.scopes.join(" "),
            created.districts.clone(),
        );
        let token = self.state.tokens.sign(&claims).expect("sign");
        Client {
            id: created.id,
            secret: created.secret,
            token,
        }
    }

    /// Creates a client of [`DISTRICT`] with every scope.
    pub fn admin_client(&self) -> Client {
        self.client(&[DISTRICT], &["all"])
    }

    /// Sends a request and checks that the operation documents the status it returned.
    pub async fn send(&self, request: TestRequest) -> Reply {
        self.send_request(request.to_request()).await
    }

    /// Sends a request built by hand, such as one whose body arrives as a stream.
    pub async fn send_request(&self, request: actix_http::Request) -> Reply {
        // An `Err` is sent as its error response, as the HTTP server does.
        // An error the service returns instead of a response has no matched route to check.
        let (request, response) = match self.service.call(request).await {
            Ok(response) => {
                let (request, response) = response.into_parts();
                (Some(request), response)
            }
            Err(error) => (None, error.error_response()),
        };
        let status = response.status();
        if let Some(request) = &request
            && let Some(route) = request.match_pattern()
        {
            assert_status_documented(request.method().as_str(), &route, status);
        }
        let headers = response.headers().clone();
        let bytes = response.into_body().try_into_bytes().unwrap_or_default();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Reply {
            status,
            headers,
            body,
            text,
        }
    }

    pub async fn get(&self, path: &str, token: &str) -> Reply {
        self.send(
            TestRequest::get()
                .uri(path)
                .insert_header(("Authorization", format!("Bearer {token}"))),
        )
        .await
    }

    pub async fn post_json(&self, path: &str, token: &str, body: &Value) -> Reply {
        self.send(
            TestRequest::post()
                .uri(path)
                .insert_header(("Authorization", format!("Bearer {token}")))
                .set_json(body),
        )
        .await
    }

    pub async fn put_json(&self, path: &str, token: &str, if_match: &str, body: &Value) -> Reply {
        self.send(
            TestRequest::put()
                .uri(path)
                .insert_header(("Authorization", format!("Bearer {token}")))
                .insert_header(("If-Match", if_match))
                .set_json(body),
        )
        .await
    }

    pub async fn delete(&self, path: &str, token: &str, if_match: &str) -> Reply {
        self.send(
            TestRequest::delete()
                .uri(path)
                .insert_header(("Authorization", format!("Bearer {token}")))
                .insert_header(("If-Match", if_match)),
        )
        .await
    }

    /// Creates a student and returns its representation.
    pub async fn create_student(&self, token: &str, body: Value) -> Value {
        let reply = self.post_json("/v1/students", token, &body).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
        reply.body
    }
}

/// The generated OpenAPI document, parsed once per test binary.
pub fn openapi() -> &'static Value {
    static DOCUMENT: OnceLock<Value> = OnceLock::new();
    DOCUMENT.get_or_init(|| {
        serde_json::to_value(ips_api::openapi_document()).expect("serialize OpenAPI")
    })
}

/// Fails unless the operation at `route` (a path template such as `/v1/students/{studentId}`)
/// lists `status` among its responses. Routes that the document does not describe, such as the
/// 405 fallbacks, are not checked.
pub fn assert_status_documented(method: &str, route: &str, status: StatusCode) {
    let Some(operation) = openapi()["paths"][route].get(method.to_ascii_lowercase()) else {
        return;
    };
    let responses = &operation["responses"];
    assert!(
        responses.get(status.as_str()).is_some() || responses.get("default").is_some(),
        "{method} {route} returned {status}, which its OpenAPI responses do not list"
    );
}

/// Token settings shared by the app and by tests that forge tokens.
pub fn token_settings() -> TokenSettings {
    TokenSettings {
        secret: SecretString::from(SECRET),
        issuer: ISSUER.to_owned(),
        audience: AUDIENCE.to_owned(),
        lifetime: Duration::from_secs(600),
    }
}

/// Signs arbitrary claims with the test secret, for tests of token validation.
pub fn sign_claims(claims: &Claims, secret: &str) -> String {
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        claims,
        &jsonwebtoken::EncodingKey::from_secret(secret.as_bytes()),
    )
    .expect("sign claims")
}

/// Substitutes every `{name}` of an OpenAPI path with `value(name)`.
pub fn fill_path(path: &str, value: impl Fn(&str) -> String) -> String {
    let mut filled = String::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        let end = rest[start..].find('}').expect("closing brace") + start;
        filled.push_str(&rest[..start]);
        filled.push_str(&value(&rest[start + 1..end]));
        rest = &rest[end + 1..];
    }
    filled.push_str(rest);
    filled
}

/// Follows a `$ref` within an OpenAPI document; other values are returned as they are.
pub fn resolve<'a>(document: &'a Value, value: &'a Value) -> &'a Value {
    match value["$ref"].as_str() {
        Some(reference) => {
            let pointer = reference.trim_start_matches('#');
            document.pointer(pointer).unwrap_or(&Value::Null)
        }
        None => value,
    }
}

/// Builds a valid student body for [`DISTRICT`].
pub fn student(kids: &str) -> Value {
    serde_json::json!({
        "studentUniqueId": kids,
        "schoolId": "1234",
        "gradeLevel": 9,
        "graduationYear": 2030,
        "firstName": "Test",
        "lastName": "Student"
    })
}

struct BoxedWrapper<S> {
    inner: S,
}

impl<S, B> Service<actix_http::Request> for BoxedWrapper<S>
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>
        + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<BoxBody>;
    type Error = actix_web::Error;
    type Future =
        std::pin::Pin<Box<dyn std::future::Future<Output = Result<Self::Response, Self::Error>>>>;

    actix_service::forward_ready!(inner);

    fn call(&self, request: actix_http::Request) -> Self::Future {
        let future = self.inner.call(request);
        Box::pin(async move { future.await.map(|r| r.map_into_boxed_body()) })
    }
}

/// Declares each listed `async fn name(backend: Backend)` as a test on SQLite and on
/// PostgreSQL.
#[macro_export]
macro_rules! backend_tests {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[actix_web::test]
                async fn $name() {
                    super::$name($crate::support::Backend::Sqlite).await;
                }
            )*
        }
        mod postgres {
            $(
                #[actix_web::test]
                async fn $name() {
                    if $crate::support::postgres_available() {
                        super::$name($crate::support::Backend::Postgres).await;
                    }
                }
            )*
        }
    };
}
