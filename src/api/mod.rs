//! HTTP layer: one module per resource, each handler registered together with its OpenAPI
//! operation, plus the shared extractors and response types.

pub mod audits;
pub mod bulk;
pub mod changes;
pub mod courses;
pub mod districts;
pub mod document;
pub mod extract;
pub mod health;
pub mod idempotency;
pub mod paging;
pub mod plans;
pub mod preconditions;
pub mod reports;
pub mod responses;
pub mod reviews;
pub mod students;
pub mod surveys;
pub mod timeout;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use utoipa::openapi::security::{
    ClientCredentials, Flow, HttpAuthScheme, HttpBuilder, OAuth2, Scopes, SecurityScheme,
};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::{Scope, token};
use crate::error::{ApiError, ErrorCode};

/// The document-level part of the OpenAPI contract; operations are added by [`configure`].
#[derive(OpenApi)]
#[openapi(
    info(
        title = "ips-api",
        description = "Headless REST/JSON engine for Kansas Individual Plans of Study (IPS): \
            students, plans, career-interest surveys, graduation audits and reviews, for SIS \
            vendors, district IT scripts and third-party front ends.\n\n\
            Errors are RFC 9457 problem documents (`application/problem+json`) with a stable \
            `code`. Lists use keyset paging (`limit`, `cursor`). Single resources carry an \
            `ETag`; `PUT` and `DELETE` require `If-Match`. Creating `POST`s accept \
            `Idempotency-Key`.",
        license(name = "Apache-2.0", identifier = "Apache-2.0"),
    ),
    servers((url = "/", description = "This server")),
    tags(
        (name = "auth", description = "OAuth2 client-credentials tokens"),
        (name = "districts", description = "Districts and schools (reference records)"),
        (name = "students", description = "Students, keyed by the Kansas KIDS id"),
        (name = "courses", description = "The district course catalog, classified by SCED code"),
        (name = "plans", description = "Individual Plans of Study and their revisions"),
        (name = "audits", description = "Graduation rule sets and audits with explained credit allocation"),
        (name = "reviews", description = "Plan reviews, the district review policy and review compliance"),
        (name = "reports", description = "District summaries computed from plans, surveys and reviews"),
        (name = "surveys", description = "Career-interest instruments, scored results and O*NET matches"),
        (name = "changes", description = "The change feed for replication"),
        (name = "operations", description = "Health probes and metrics"),
    ),
    modifiers(&SecuritySchemes),
    security(("bearerAuth" = []), ("oauth2" = [])),
    components(
        schemas(
            crate::error::Problem,
            crate::error::ErrorCode,
            crate::error::FieldError,
            // Referenced only through a recursive field or a parameter, which utoipa does
            // not follow when it collects schemas.
            crate::domain::audit::Branch,
            changes::ResourceType,
        ),
        responses(
            responses::BadRequest,
            responses::Unauthorized,
            responses::Forbidden,
            responses::NotFound,
            responses::Conflict,
            responses::PreconditionFailed,
            responses::NotAcceptable,
            responses::PayloadTooLarge,
            responses::UnsupportedMediaType,
            responses::ValidationFailed,
            responses::PreconditionRequired,
            responses::TooManyRequests,
            responses::ServiceUnavailable,
            responses::InternalError,
        )
    )
)]
pub struct ApiDoc;

/// Adds the responses that every operation of a kind can give, so that a new operation
/// cannot leave them out: 429 to every operation that returns 401 (the operations that take a
/// bearer token and the token endpoint, which are the ones under a rate limit), and 413 to
/// every operation that takes a request body, since every body has a size limit.
pub fn add_shared_responses(document: &mut utoipa::openapi::OpenApi) {
    for item in document.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for operation in operations.into_iter().flatten() {
            let takes_body = operation.request_body.is_some();
            let responses = &mut operation.responses.responses;
            if responses.contains_key("401") {
                responses.insert(
                    "429".to_owned(),
                    RefOr::Ref(Ref::from_response_name("TooManyRequests")),
                );
            }
            if takes_body {
                responses
                    .entry("413".to_owned())
                    .or_insert_with(|| RefOr::Ref(Ref::from_response_name("PayloadTooLarge")));
            }
        }
    }
}

/// Adds the bearer and OAuth2 client-credentials security schemes.
struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearerAuth",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some("An access token from POST /oauth/token"))
                    .build(),
            ),
        );
        let scopes = Scopes::from_iter(Scope::ALL.iter().map(|scope| {
            (
                scope.as_str().to_owned(),
                scope_description(*scope).to_owned(),
            )
        }));
        components.add_security_scheme(
            "oauth2",
            SecurityScheme::OAuth2(OAuth2::new([Flow::ClientCredentials(
                ClientCredentials::new("/oauth/token", scopes),
            )])),
        );
    }
}

fn scope_description(scope: Scope) -> &'static str {
    match scope {
        Scope::StudentsRead => "Read students",
        Scope::StudentsWrite => "Create, update and delete students",
        Scope::CoursesRead => "Read the course catalog",
        Scope::CoursesWrite => "Create, update and delete catalog courses",
        Scope::PlansRead => "Read plans of study and their revisions",
        Scope::PlansWrite => "Create and revise plans of study",
        Scope::SurveysRead => "Read instruments, survey results and matches",
        Scope::SurveysWrite => "Submit survey responses",
        Scope::SurveysAdmin => "Create district instruments",
        Scope::RulesRead => "Read rule sets and run audits",
        Scope::RulesWrite => "Create district rule sets",
        Scope::ReviewsRead => "Read plan reviews, review policies, compliance and district reports",
        Scope::ReviewsWrite => "Record plan reviews and their amendments",
        Scope::ReviewsAdmin => "Store review policy versions",
        Scope::ChangesRead => "Read the change feed",
    }
}

/// Each path with the methods it supports, for 405 responses with an `Allow` header.
const ALLOWED_METHODS: &[(&str, &str)] = &[
    ("/oauth/token", "POST"),
    ("/health/live", "GET"),
    ("/health/ready", "GET"),
    ("/metrics", "GET"),
    ("/v1/districts", "GET"),
    ("/v1/districts/{districtId}", "GET"),
    ("/v1/districts/{districtId}/schools", "GET"),
    ("/v1/districts/{districtId}/schools/{schoolId}", "GET"),
    ("/v1/students", "GET, POST"),
    ("/v1/students:bulk", "POST"),
    ("/v1/students/{studentId}", "GET, PUT, DELETE"),
    ("/v1/courses", "GET, POST"),
    ("/v1/courses:bulk", "POST"),
    ("/v1/courses/{courseId}", "GET, PUT, DELETE"),
    ("/v1/plans", "GET, POST"),
    ("/v1/plans/{planId}", "GET, PUT, PATCH"),
    ("/v1/plans/{planId}/revisions", "GET"),
    ("/v1/plans/{planId}/revisions/{revision}", "GET"),
    ("/v1/plans/{planId}/coursework:sync", "POST"),
    ("/v1/plans/{planId}/portfolio", "GET"),
    ("/v1/plans:import", "POST"),
    ("/v1/plans:bulk", "POST"),
    ("/v1/instruments", "GET, POST"),
    ("/v1/instruments/{instrumentId}", "GET"),
    ("/v1/students/{studentId}/survey-responses", "GET, POST"),
    ("/v1/survey-responses:bulk", "POST"),
    ("/v1/survey-responses/{responseId}", "GET"),
    ("/v1/survey-responses/{responseId}/matches", "GET"),
    ("/v1/rule-sets", "GET, POST"),
    ("/v1/rule-sets/{ruleSetId}", "GET"),
    ("/v1/rule-sets/{ruleSetId}/impact", "POST"),
    ("/v1/audits", "POST"),
    ("/v1/plans/{planId}/audits", "POST"),
    ("/v1/plans/{planId}/reviews", "GET, POST"),
    ("/v1/plans/{planId}/reviews/{reviewId}/amendments", "POST"),
    ("/v1/reviews/compliance", "GET"),
    ("/v1/reviews/{reviewId}", "GET"),
    ("/v1/review-policy", "GET, PUT"),
    ("/v1/reports/district-summary", "GET"),
    ("/v1/changes", "GET"),
];

/// Registers every public route with its OpenAPI operation.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(token::create_token)
        .service(health::get_liveness)
        .service(health::get_readiness)
        .service(health::get_metrics)
        .service(districts::list_districts)
        .service(districts::get_district)
        .service(districts::list_schools)
        .service(districts::get_school)
        .service(students::list_students)
        .service(students::create_student)
        .service(students::bulk_upsert_students)
        .service(students::get_student)
        .service(students::replace_student)
        .service(students::delete_student)
        .service(courses::list_courses)
        .service(courses::create_course)
        .service(courses::bulk_upsert_courses)
        .service(courses::get_course)
        .service(courses::replace_course)
        .service(courses::delete_course)
        .service(plans::list_plans)
        .service(plans::create_plan)
        .service(plans::get_plan)
        .service(plans::replace_plan)
        .service(plans::patch_plan)
        .service(plans::list_plan_revisions)
        .service(plans::get_plan_revision)
        .service(plans::sync_plan_coursework)
        .service(plans::export_portfolio)
        .service(plans::import_portfolio)
        .service(plans::bulk_upsert_plans)
        .service(surveys::list_instruments)
        .service(surveys::create_instrument)
        .service(surveys::get_instrument)
        .service(surveys::create_survey_response)
        .service(surveys::list_survey_responses)
        .service(surveys::bulk_create_survey_responses)
        .service(surveys::get_survey_response)
        .service(surveys::get_survey_matches)
        .service(audits::list_rule_sets)
        .service(audits::create_rule_set)
        .service(audits::get_rule_set)
        .service(audits::measure_rule_set_impact)
        .service(audits::create_audit)
        .service(audits::create_plan_audit)
        .service(reviews::create_review)
        .service(reviews::list_reviews)
        .service(reviews::amend_review)
        .service(reviews::get_review_compliance)
        .service(reviews::get_review)
        .service(reviews::get_review_policy)
        .service(reviews::put_review_policy)
        .service(reports::get_district_summary)
        .service(changes::list_changes);

    for (path, allow) in ALLOWED_METHODS {
        cfg.route(
            path,
            web::route().to(move |req: HttpRequest| method_not_allowed(req, allow)),
        );
    }
}

async fn method_not_allowed(
    req: HttpRequest,
    allow: &'static str,
) -> Result<HttpResponse, ApiError> {
    Err(ApiError::new(
        ErrorCode::MethodNotAllowed,
        format!(
            "{} is not supported on this path; use {allow}",
            req.method()
        ),
    )
    .with_header(header::ALLOW, allow))
}

/// Responds 404 to paths that match no route.
pub async fn route_not_found(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    Err(ApiError::new(
        ErrorCode::RouteNotFound,
        format!(
            "no route matches {} {}; see /openapi.json for the routes",
            req.method(),
            req.path()
        ),
    ))
}
