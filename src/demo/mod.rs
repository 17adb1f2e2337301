//! `ips-api demo load`: a fictional district to try every endpoint with.
//!
//! Everything goes through the API in-process (the same routes, extractors and validation a
//! client meets), signed in as the demo district's own client. Plans are the exception. The
//! API stamps a new plan with the current time, but a district's history needs plans opened in
//! earlier school years. The loader therefore creates them with the plan handler's own checks
//! and store call at an earlier time. Dates follow the load date, so the data looks current on
//! any day; the random choices come from a fixed seed.

mod coursework;
mod reviews;
mod roster;

use std::collections::HashMap;
use std::time::Duration;

use actix_web::dev::Service;
use actix_web::http::Method;
use actix_web::test::TestRequest;
use anyhow::{Context, bail};
use chrono::{Days, NaiveDate};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use secrecy::SecretString;
use serde_json::{Value, json};

use crate::admin::{self, NewClient};
use crate::api::plans::PlanBody;
use crate::domain::school_year::school_year_of;
use crate::domain::survey::{RiasecArea, interest_profiler_short_form};
use crate::store::Store;
use coursework::Stage;

/// The demo district: USD numbers end at 512, so D0999 names no real district.
pub const DISTRICT_ID: &str = "D0999";
const DISTRICT_NAME: &str = "Prairie Demo USD 999";
const MIDDLE_SCHOOL: &str = "9901";
const HIGH_SCHOOL: &str = "9902";
const SECOND_HIGH_SCHOOL: &str = "9903";
const SCHOOLS: [(&str, &str); 3] = [
    (MIDDLE_SCHOOL, "Prairie Demo Middle School"),
    (HIGH_SCHOOL, "Prairie Demo High School"),
    (SECOND_HIGH_SCHOOL, "Bluestem Demo High School"),
];

/// The course catalog: real SCED v12 codes and titles with the district's own course codes,
/// credits, grade levels and Regents flags, in the CSV form `POST /v1/courses:bulk` takes.
const CATALOG: &str = include_str!("catalog.csv");

/// Seed of every random choice, so that two loads make the same district.
const SEED: u64 = 999;

/// Counts of the records a load created.
pub struct LoadedDemo {
    pub client: NewClient,
    pub schools: usize,
    pub courses: usize,
    pub students: usize,
    pub plans: usize,
    pub survey_responses: usize,
    pub reviews: usize,
}

/// Loads the demo district into `store` as of `today`. Fails without writing anything when
/// the district already exists.
pub async fn load(store: &Store, today: NaiveDate) -> anyhow::Result<LoadedDemo> {
    let exists = admin::run(|| {
        crate::store::with_conn!(store, |conn, q| q::districts::district_exists(
            conn,
            DISTRICT_ID
        ))
    })?;
    if exists {
        bail!(
            "district {DISTRICT_ID} already exists, so the demo was not loaded again; create another client for it with `ips-api client create --name demo --district {DISTRICT_ID} --scope all`, or load the demo into a new database"
        );
    }

    admin::create_district(store, DISTRICT_ID, DISTRICT_NAME)?;
    for (id, name) in SCHOOLS {
        admin::create_school(store, DISTRICT_ID, id, name)?;
    }
    let client = admin::create_client(
        store,
        "demo",
        &[DISTRICT_ID.to_owned()],
        &["all".to_owned()],
    )?;

    let state = actix_web::web::Data::new(in_process_state(store)?);
    let claims = state.tokens.claims_for(
        &client.id,
        client.scopes.join(" "),
        client.districts.clone(),
    );
    let token = state.tokens.sign(&claims)?;
    let service = actix_web::test::init_service(crate::app(state.clone())).await;
    let send = async |method: Method, path: &str, body: Option<Value>| -> anyhow::Result<Value> {
        let mut request = TestRequest::default()
            .method(method.clone())
            .uri(path)
            .insert_header(("Authorization", format!("Bearer {token}")));
        if let Some(body) = body {
            request = request.set_json(body);
        }
        call(&service, request.to_request(), &method, path).await
    };

    let mut rng = StdRng::seed_from_u64(SEED);
    let school_year = school_year_of(today);

    let csv_request = TestRequest::post()
        .uri("/v1/courses:bulk")
        .insert_header(("Authorization", format!("Bearer {token}")))
        .insert_header(("Content-Type", "text/csv"))
        .set_payload(CATALOG);
    expect_no_failures(
        &call(
            &service,
            csv_request.to_request(),
            &Method::POST,
            "/v1/courses:bulk",
        )
        .await?,
    )?;
    let catalog = send(Method::GET, "/v1/courses?limit=1000", None).await?;
    let courses: HashMap<String, (String, f64)> = items(&catalog)
        .iter()
        .map(|c| {
            (
                text(&c["courseCode"]),
                (text(&c["id"]), c["credits"].as_f64().unwrap_or_default()),
            )
        })
        .collect();

    let students = roster::students(&mut rng, school_year);
    let bulk = roster::bulk_body(&mut rng, &students);
    expect_no_failures(&send(Method::POST, "/v1/students:bulk", Some(bulk)).await?)?;
    let listed = send(Method::GET, "/v1/students?limit=1000", None).await?;
    let student_ids: HashMap<String, String> = items(&listed)
        .iter()
        .map(|s| (text(&s["studentUniqueId"]), text(&s["id"])))
        .collect();

    let (surveys, survey_kids) = survey_responses(&mut rng, &students, today);
    let survey_count = surveys.len();
    let submitted = send(
        Method::POST,
        "/v1/survey-responses:bulk",
        Some(Value::Array(surveys)),
    )
    .await?;
    expect_no_failures(&submitted)?;
    // The later response of a student with two is the one a career focus refers to.
    let mut latest_response: HashMap<&str, String> = HashMap::new();
    for result in submitted["results"].as_array().into_iter().flatten() {
        let index = result["index"]
            .as_u64()
            .and_then(|i| usize::try_from(i).ok());
        if let Some(kids) = index.and_then(|i| survey_kids.get(i)) {
            latest_response.insert(kids.as_str(), text(&result["id"]));
        }
    }

    let windows = reviews::Windows::around(today, school_year);
    let year_start = crate::domain::review::school_year_bounds(school_year).map_or(today, |b| b.0);
    // Policies dated at the start of the school year apply to the compliance report of every
    // day of the demo year.
    for policy in [
        reviews::district_policy(&windows),
        reviews::middle_school_policy(MIDDLE_SCHOOL),
    ] {
        insert_policy(store, &client.id, policy, year_start).await?;
    }

    let mut plans = 0;
    let mut review_count = 0;
    for (index, student) in students.iter().enumerate() {
        let stage = match (student.grade_level, index % 10) {
            (8, 9) => continue,
            (8, _) => Stage::Started,
            (_, 4 | 9) => Stage::Behind,
            _ => Stage::OnTrack,
        };
        let response_id = latest_response
            .get(student.kids_id.as_str())
            .map(String::as_str);
        let body = coursework::plan_body(
            &mut rng,
            student,
            stage,
            &courses,
            school_year,
            today,
            response_id,
        )?;
        let student_id = student_ids
            .get(&student.kids_id)
            .with_context(|| format!("student {} was not stored", student.kids_id))?;
        let created = plan_created(student, stage, year_start, today);
        let plan_id = insert_plan(store, &client.id, student_id, body, created).await?;
        plans += 1;

        let counselor = coursework::counselor_of(student);
        for date in review_dates(index, stage, &windows, created, today) {
            let review = reviews::review(
                date,
                &counselor,
                index.is_multiple_of(3),
                "Reviewed the course plan, the career focus and the next steps.",
            );
            send(
                Method::POST,
                &format!("/v1/plans/{plan_id}/reviews"),
                Some(review),
            )
            .await?;
            review_count += 1;
        }
    }

    Ok(LoadedDemo {
        client,
        schools: SCHOOLS.len(),
        courses: courses.len(),
        students: student_ids.len(),
        plans,
        survey_responses: survey_count,
        reviews: review_count,
    })
}

/// Builds the application state of the in-process API: the same store, and a token key
/// made for this load alone, since its tokens never leave the process.
fn in_process_state(store: &Store) -> anyhow::Result<crate::AppState> {
    let mut secret = [0u8; 32];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut secret);
    let secret: String = secret.iter().map(|b| format!("{b:02x}")).collect();
    let unlimited = crate::auth::Quota {
        per_second: 0.0,
        burst: 1,
    };
    Ok(crate::AppState {
        store: store.clone(),
        tokens: crate::auth::TokenKeys::new(&crate::auth::jwt::TokenSettings {
            secret: SecretString::from(secret),
            issuer: "ips-api".to_owned(),
            audience: "ips-api".to_owned(),
            lifetime: Duration::from_secs(3600),
        }),
        limits: crate::Limits {
            max_body_bytes: 1 << 20,
            max_bulk_bytes: 64 << 20,
            request_timeout: Duration::from_secs(300),
            bulk_request_timeout: Duration::from_secs(300),
        },
        metrics: crate::telemetry::Metrics::new()?,
        onet: Default::default(),
        active_clients: crate::auth::ActiveClients::new(Duration::from_secs(3600)),
        // The loader is the only caller, so no rate applies.
        rate_limits: crate::auth::RateLimits::new(unlimited, unlimited),
    })
}

/// Sends one request to the in-process API and returns its JSON body. A response that is not
/// a success becomes an error that contains the problem document.
async fn call<S, R, B>(
    service: &S,
    request: R,
    method: &Method,
    path: &str,
) -> anyhow::Result<Value>
where
    S: Service<R, Response = actix_web::dev::ServiceResponse<B>, Error = actix_web::Error>,
    B: actix_web::body::MessageBody,
{
    let response = service
        .call(request)
        .await
        .map_err(|error| anyhow::anyhow!("{method} {path} failed: {error}"))?;
    let status = response.status();
    let bytes = actix_web::body::to_bytes(response.into_body())
        .await
        .map_err(|_| anyhow::anyhow!("{method} {path}: failed to read the response"))?;
    if !status.is_success() {
        bail!(
            "{method} {path} returned {status}: {}",
            String::from_utf8_lossy(&bytes)
        );
    }
    Ok(serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

fn items(page: &Value) -> &[Value] {
    page["items"].as_array().map_or(&[], Vec::as_slice)
}

fn text(value: &Value) -> String {
    value.as_str().unwrap_or_default().to_owned()
}

/// Checks a bulk response: every item of the demo is valid, so one failure is a bug.
fn expect_no_failures(response: &Value) -> anyhow::Result<()> {
    let failed: Vec<&Value> = response["results"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["status"] == "failed")
        .collect();
    if let Some(first) = failed.first() {
        bail!("{} bulk items failed, the first: {first}", failed.len());
    }
    Ok(())
}

/// Builds Interest Profiler Short Form answers that favour `interest`: items of that area
/// get Like or Strongly Like, the others a mix of the lower answers.
fn short_form_answers(rng: &mut StdRng, interest: RiasecArea) -> Vec<u8> {
    interest_profiler_short_form()
        .items
        .iter()
        .map(|item| {
            if item.area == interest {
                rng.gen_range(4..=5)
            } else {
                rng.gen_range(1..=3)
            }
        })
        .collect()
}

/// Builds the bulk survey body: most students took the survey in grade 8, and students now
/// in grade 10 or later took it again in grade 10. Returns the items and each item's KIDS id.
fn survey_responses(
    rng: &mut StdRng,
    students: &[roster::DemoStudent],
    today: NaiveDate,
) -> (Vec<Value>, Vec<String>) {
    let mut surveys = Vec::new();
    let mut kids = Vec::new();
    for (index, student) in students.iter().enumerate() {
        if index % 5 == 4 {
            continue;
        }
        for grade in [8, 10] {
            if grade > student.grade_level {
                continue;
            }
            let year = student.graduation_year - (12 - grade);
            surveys.push(json!({
                "studentUniqueId": student.kids_id,
                "instrumentId": "onet-ip-sf",
                "administeredOn": coursework::date_in_year(year, 10, 10, today),
                "gradeLevel": grade,
                "answers": short_form_answers(rng, student.interest),
            }));
            kids.push(student.kids_id.clone());
        }
    }
    (surveys, kids)
}

/// Returns when a plan was opened: in the fall of grade 8, or three weeks ago (but in this
/// school year) for a plan just started.
fn plan_created(
    student: &roster::DemoStudent,
    stage: Stage,
    year_start: NaiveDate,
    today: NaiveDate,
) -> NaiveDate {
    let grade8_year = student.graduation_year - 4;
    if stage == Stage::Started {
        today
            .checked_sub_days(Days::new(21))
            .unwrap_or(today)
            .max(year_start)
    } else {
        coursework::date_in_year(grade8_year, 9, 15, today)
    }
}

/// Returns the review dates of a plan. High-school plans take turns: reviews in both windows
/// (compliant), in the first only (due soon) or none this year (overdue). Half of the plans
/// just started have had their one review (compliant), and the others have not (not yet due).
fn review_dates(
    index: usize,
    stage: Stage,
    windows: &reviews::Windows,
    created: NaiveDate,
    today: NaiveDate,
) -> Vec<NaiveDate> {
    let recent = today.checked_sub_days(Days::new(2)).unwrap_or(today);
    let in_first = windows
        .first
        .1
        .checked_sub_days(Days::new(3))
        .unwrap_or(windows.first.1)
        .max(windows.first.0);
    let dates = match (stage, index % 3) {
        (Stage::Started, _) if index.is_multiple_of(2) => vec![recent],
        (Stage::Started, _) => vec![],
        (_, 0) => vec![in_first, recent.max(windows.second.0)],
        (_, 1) => vec![in_first],
        _ => vec![],
    };
    dates
        .into_iter()
        .map(|date| date.max(created).min(today))
        .collect()
}

/// Stores a review policy with the start of `day` (or now, if earlier) as its creation time.
async fn insert_policy(
    store: &Store,
    client_id: &str,
    body: Value,
    day: NaiveDate,
) -> anyhow::Result<()> {
    let input: crate::api::reviews::PolicyInput =
        serde_json::from_value(body).context("the demo built an invalid review policy")?;
    let at = day
        .and_time(chrono::NaiveTime::MIN)
        .min(crate::store::now());
    let (_, row) = crate::api::reviews::policy_row(DISTRICT_ID, &input, client_id, at)
        .map_err(|error| anyhow::anyhow!("the demo built an invalid review policy: {error}"))?;
    crate::store::write!(store, |conn, q| q::reviews::create_policy(conn, &row))
        .map_err(|error| anyhow::anyhow!("failed to store a demo review policy: {error}"))?;
    Ok(())
}

/// Creates a plan as the plan handler does, with its checks, but opened at `created`.
async fn insert_plan(
    store: &Store,
    client_id: &str,
    student_id: &str,
    mut body: Value,
    created: NaiveDate,
) -> anyhow::Result<String> {
    body["studentId"] = json!(student_id);
    let body: PlanBody = serde_json::from_value(body).context("the demo built an invalid plan")?;
    validator::Validate::validate(&body).context("the demo built an invalid plan")?;

    let at = created
        .and_hms_opt(14, 0, 0)
        .unwrap_or_default()
        .min(crate::store::now());
    let districts = vec![DISTRICT_ID.to_owned()];
    let (student_id, client_id) = (student_id.to_owned(), client_id.to_owned());
    let row = crate::store::write!(store, |conn, q| {
        let row =
            crate::api::plans::insert_plan!(conn, q, &districts, &student_id, &client_id, body, at);
        Ok(row)
    })
    .map_err(|error| anyhow::anyhow!("failed to store a demo plan: {error}"))?;
    Ok(row.id)
}
