//! The portable electronic portfolio: one self-contained JSON document per plan that can
//! leave this system (`GET /v1/plans/{planId}/portfolio`) and enter another district's
//! (`POST /v1/plans:import`), as a transferring student's plan must.

use std::collections::HashMap;

use actix_web::{HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use super::{
    CourseEntry, EntrySource, EntryStatus, Plan, PlanBody, RevisionSummary, Term, TransferCourse,
    check_body, plan_of,
};
use crate::AppState;
use crate::api::audits::run::{plan_input, plan_issues, plan_rule_set};
use crate::api::extract::Json;
use crate::api::responses;
use crate::auth::{Principal, Scope};
use crate::domain::audit::AuditResult;
use crate::domain::credits;
use crate::error::ApiError;
use crate::store::courses::CourseRow;
use crate::store::plans::{PlanRow, Revision};
use crate::store::students::{StudentFields, StudentRow};
use crate::store::surveys::ResponseRow;

/// Name of the portfolio format.
pub const FORMAT: &str = "ips-portfolio";
/// Version of the portfolio format; it changes when a field changes meaning.
pub const FORMAT_VERSION: u32 = 1;

/// Where a portfolio came from.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PortfolioSource {
    pub district_id: String,
    pub district_name: String,
    pub plan_id: String,
    pub revision: i32,
}

/// The student a portfolio belongs to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PortfolioStudent {
    /// Kansas KIDS id; it follows the student across districts.
    pub student_unique_id: String,
    pub first_name: Option<String>,
    pub middle_name: Option<String>,
    pub last_name: Option<String>,
    pub grade_level: Option<i32>,
}

/// A course described without reference to any catalog.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PortableCourse {
    /// Course code in the exporting district's catalog; absent for transfer courses.
    pub course_code: Option<String>,
    pub sced_code: String,
    pub title: String,
    pub credits: f64,
    /// Institution of a transfer course.
    pub institution: Option<String>,
}

/// A course entry with its course described in full.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PortableEntry {
    pub id: Option<String>,
    pub course: PortableCourse,
    pub school_year: i32,
    pub term: Term,
    pub status: EntryStatus,
    pub grade_level: i32,
    pub mark: Option<String>,
    pub credits_earned: Option<f64>,
    pub source: EntrySource,
}

/// A survey result with the answers it was scored from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PortableSurvey {
    pub instrument_id: String,
    pub instrument_version: String,
    pub administered_on: chrono::NaiveDate,
    pub grade_level: i32,
    #[schema(value_type = crate::domain::survey::AnswerInput)]
    pub answers: serde_json::Value,
    /// First Holland code of the result.
    pub holland_code: String,
}

/// A portable IPS portfolio (format `ips-portfolio`, version 1).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "format": "ips-portfolio", "formatVersion": 1, "exportedAt": "2026-12-01T10:00:00Z",
    "source": {"districtId": "D0259", "districtName": "Wichita USD 259", "planId": "0193a1f3-0b1e-7c39-9d55-2f0b8f3f1a77", "revision": 3},
    "student": {"studentUniqueId": "1234567890", "firstName": "Avery", "middleName": null, "lastName": "Lopez", "gradeLevel": 10},
    "plan": {"graduationYear": 2030, "status": "active", "courses": []},
    "courseEntries": [{"id": "0193a1f3-0b1f-7c39-9d55-2f0b8f3f1a77", "course": {"courseCode": "MATH-ALG1", "scedCode": "02052", "title": "Algebra I", "credits": 1.0, "institution": null}, "schoolYear": 2027, "term": "full_year", "status": "completed", "gradeLevel": 9, "mark": "B+", "creditsEarned": 1.0, "source": "sis_transcript"}],
    "surveyResults": [],
    "latestAudit": null,
    "revisions": []
}))]
pub struct PortfolioDocument {
    /// Always `ips-portfolio`.
    pub format: String,
    pub format_version: u32,
    pub exported_at: chrono::DateTime<chrono::Utc>,
    pub source: PortfolioSource,
    pub student: PortfolioStudent,
    /// The plan content. Its `courses` list is empty (the entries are in `courseEntries`), and
    /// work-based learning `relatedCourseId` values hold course codes instead of ids.
    pub plan: PlanBody,
    pub course_entries: Vec<PortableEntry>,
    pub survey_results: Vec<PortableSurvey>,
    /// The plan's audit at export time, when a rule set covers its class.
    pub latest_audit: Option<AuditResult>,
    /// The exporting system's revision history of the plan.
    pub revisions: Vec<RevisionSummary>,
}

fn portable_entry(
    entry: &CourseEntry,
    catalog: &HashMap<String, CourseRow>,
) -> Option<PortableEntry> {
    let course = match (&entry.course_id, &entry.transfer) {
        (Some(id), _) => {
            let course = catalog.get(id)?;
            PortableCourse {
                course_code: Some(course.course_code.clone()),
                sced_code: course.sced_code.clone(),
                title: course.title.clone(),
                credits: credits::from_hundredths(course.credits),
                institution: None,
            }
        }
        (None, Some(transfer)) => PortableCourse {
            course_code: None,
            sced_code: transfer.sced_code.clone(),
            title: transfer.title.clone(),
            credits: transfer.credits,
            institution: Some(transfer.institution.clone()),
        },
        (None, None) => return None,
    };
    Some(PortableEntry {
        id: entry.id.clone(),
        course,
        school_year: entry.school_year,
        term: entry.term,
        status: entry.status,
        grade_level: entry.grade_level,
        mark: entry.mark.clone(),
        credits_earned: entry.credits_earned,
        source: entry.source,
    })
}

/// Export a plan as a portable portfolio
///
/// One self-contained document: student identifiers, the plan with every course described in
/// full, survey results with their answers, the current audit and the revision history. Its
/// JSON Schema is `PortfolioDocument` in this API's document; `POST /v1/plans:import` takes it.
#[utoipa::path(
    tag = "plans",
    params(("planId" = String, Path, description = "Plan id")),
    responses(
        (status = 200, description = "The portfolio", body = PortfolioDocument),
        (status = 401, response = responses::Unauthorized),
        (status = 403, response = responses::Forbidden),
        (status = 404, response = responses::NotFound),
        (status = 503, response = responses::ServiceUnavailable),
    ),
    security(("bearerAuth" = ["plans:read"]), ("oauth2" = ["plans:read"])),
)]
#[get("/v1/plans/{planId}/portfolio")]
pub async fn export_portfolio(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Scope::PlansRead)?;
    let id = path.into_inner();
    let districts = principal.districts().to_vec();
    let as_of = crate::domain::school_year::school_year_of(chrono::Utc::now().date_naive());

    let document = crate::store::read!(state.store, |conn, q| {
        let plan =
            q::plans::find(conn, &districts, &id)?.ok_or_else(|| ApiError::not_found("plan"))?;
        let body: PlanBody = serde_json::from_str(&plan.document).map_err(ApiError::internal)?;
        let scope = [plan.district_id.clone()];
        let student = q::students::find(conn, &scope, &plan.student_id)?
            .ok_or_else(|| ApiError::not_found("student"))?;
        let district_name = q::districts::list_districts(conn, &scope)?
            .into_iter()
            .next()
            .map(|d| d.name)
            .unwrap_or_default();

        let course_ids = super::check::referenced_courses(&body);
        let catalog: HashMap<String, CourseRow> =
            q::courses::find_by_ids(conn, &plan.district_id, &course_ids)?
                .into_iter()
                .map(|c| (c.id.clone(), c))
                .collect();
        let audit = (|| -> Result<AuditResult, ApiError> {
            let set = plan_rule_set!(conn, q, plan, body, None::<String>, None);
            let mut result = crate::domain::audit::audit(&set, &plan_input(&body, &catalog, as_of))
                .map_err(|_| {
                    ApiError::invalid_field(
                        "/ruleSetId",
                        "invalid",
                        "the plan's rule set is invalid",
                    )
                })?;
            result.issues.extend(plan_issues(&body, &catalog));
            Ok(result)
        })()
        .ok();
        let surveys = q::surveys::student_responses(conn, &plan.district_id, &plan.student_id)?;
        let revisions = q::plans::revisions(conn, &plan.district_id, &plan.id)?;

        let mut portable_plan = body.clone();
        portable_plan.student_id = None;
        portable_plan.courses = Vec::new();
        for experience in &mut portable_plan.work_based_learning {
            experience.related_course_id = experience
                .related_course_id
                .as_ref()
                .and_then(|id| catalog.get(id))
                .map(|course| course.course_code.clone());
        }
        Ok(PortfolioDocument {
            format: FORMAT.to_owned(),
            format_version: FORMAT_VERSION,
            exported_at: chrono::Utc::now(),
            source: PortfolioSource {
                district_id: plan.district_id.clone(),
                district_name,
                plan_id: plan.id.clone(),
                revision: plan.revision,
            },
            student: PortfolioStudent {
                student_unique_id: student.student_unique_id,
                first_name: student.first_name,
                middle_name: student.middle_name,
                last_name: student.last_name,
                grade_level: student.grade_level,
            },
            plan: portable_plan,
            course_entries: body
                .courses
                .iter()
                .filter_map(|e| portable_entry(e, &catalog))
                .collect(),
            survey_results: surveys
                .into_iter()
                .map(|r| PortableSurvey {
                    instrument_id: r.instrument_id,
                    instrument_version: r.instrument_version,
                    administered_on: r.administered_on,
                    grade_level: r.grade_level,
                    answers: serde_json::from_str(&r.answers).unwrap_or(serde_json::Value::Null),
                    holland_code: r.holland_code,
                })
                .collect(),
            latest_audit: audit,
            revisions: revisions.iter().map(RevisionSummary::from).collect(),
        })
    })?;
    Ok(HttpResponse::Ok().json(document))
}

/// A portfolio to import into one of the client's districts.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(example = json!({
    "districtId": "D0300",
    "portfolio": {
        "format": "ips-portfolio", "formatVersion": 1, "exportedAt": "2026-12-01T10:00:00Z",
        "source": {"districtId": "D0259", "districtName": "Wichita USD 259", "planId": "0193a1f3-0b1e-7c39-9d55-2f0b8f3f1a77", "revision": 3},
        "student": {"studentUniqueId": "1234567890", "firstName": "Avery", "middleName": null, "lastName": "Lopez", "gradeLevel": 10},
        "plan": {"graduationYear": 2030, "status": "active", "courses": []},
        "courseEntries": [], "surveyResults": [], "latestAudit": null, "revisions": []
    }
}))]
pub struct PortfolioImport {
    /// Receiving district; may be omitted when the client acts for one district.
    pub district_id: Option<String>,
    pub portfolio: PortfolioDocument,
}

impl Validate for PortfolioImport {
    fn validate(&self) -> Result<(), validator::ValidationErrors> {
        Ok(())
    }
}

/// Something in an imported portfolio that could not be mapped as it was.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Unmapped {
    /// JSON Pointer into the imported portfolio.
    pub pointer: String,
    /// What happened to the item instead.
    pub outcome: String,
}

/// The result of an import.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"plan": {"id": "0193a1f5-0b1e-7c39-9d55-2f0b8f3f1a77", "districtId": "D0300", "studentId": "0193a1f5-0a1e-7c39-9d55-2f0b8f3f1a77", "graduationYear": 2030, "status": "active", "revision": 1, "createdAt": "2026-12-01T10:00:00Z", "updatedAt": "2026-12-01T10:00:00Z"}, "studentCreated": true, "unmapped": [{"pointer": "/portfolio/courseEntries/4", "outcome": "no course of the receiving catalog has SCED code 05101; kept as a transfer course from Wichita USD 259"}]}))]
pub struct PortfolioImportResult {
    pub plan: Plan,
    /// Whether the student was new to the receiving district.
    pub student_created: bool,
    pub unmapped: Vec<Unmapped>,
}

/// Maps an exported entry onto the receiving catalog: the same course code with the same SCED
/// code, else the first active course with the SCED code, else a transfer course.
fn map_entry(
    index: usize,
    entry: &PortableEntry,
    by_code: &HashMap<String, &CourseRow>,
    by_sced: &HashMap<String, &CourseRow>,
    source_district: &str,
    unmapped: &mut Vec<Unmapped>,
) -> CourseEntry {
    let same_code = entry
        .course
        .course_code
        .as_ref()
        .and_then(|code| by_code.get(code))
        .filter(|course| course.sced_code == entry.course.sced_code);
    let matched = same_code.or_else(|| {
        by_sced
            .get(&entry.course.sced_code)
            .filter(|_| entry.course.institution.is_none())
    });
    let (course_id, transfer) = match matched {
        Some(course) => (Some(course.id.clone()), None),
        None => {
            if entry.course.institution.is_none() {
                unmapped.push(Unmapped {
                    pointer: format!("/portfolio/courseEntries/{index}"),
                    outcome: format!(
                        "no course of the receiving catalog has SCED code {}; kept as a transfer course from {source_district}",
                        entry.course.sced_code
                    ),
                });
            }
            let transfer = TransferCourse {
                sced_code: entry.course.sced_code.clone(),
                title: entry.course.title.clone(),
                credits: entry.course.credits,
                institution: entry
                    .course
                    .institution
                    .clone()
                    .unwrap_or_else(|| source_district.to_owned()),
            };
            (None, Some(transfer))
        }
    };
    CourseEntry {
        id: entry.id.clone(),
        course_id,
        transfer,
        school_year: entry.school_year,
        term: entry.term,
        status: entry.status,
        grade_level: entry.grade_level,
        mark: entry.mark.clone(),
        credits_earned: entry.credits_earned,
        source: entry.source,
    }
}

/// Import a portfolio into another district
///
/// Creates the student (matched by KIDS id, or new) and a plan from a portfolio exported by
/// `GET /v1/plans/{planId}/portfolio`, here or elsewhere. Courses map onto the receiving
/// catalog by course code and SCED code, else by SCED code alone; a course with no match is
/// kept as a transfer course and listed in `unmapped`, so nothing is lost. Survey results of
/// the built-in Short Form come along; results of district instruments are listed in
/// `unmapped`.
#[utoipa::path(
    tag = "plans",
    request_body = PortfolioImport,
    responses(
        (status = 201, description = "Imported", body = PortfolioImportResult, headers(("Location" = String, description = "URL of the new plan"))),
        (status = 400, response = responses::BadRequest),
        (status = 401, response = responses::Unauthorized),
        (status = 403, response = responses::Forbidden),
        (status = 409, response = responses::Conflict),
        (status = 413, response = responses::PayloadTooLarge),
        (status = 415, response = responses::UnsupportedMediaType),
        (status = 422, response = responses::ValidationFailed),
        (status = 503, response = responses::ServiceUnavailable),
    ),
    security(("bearerAuth" = ["plans:write", "students:write"]), ("oauth2" = ["plans:write", "students:write"])),
)]
#[post("/v1/plans:import")]
pub async fn import_portfolio(
    state: web::Data<AppState>,
    principal: Principal,
    Json(import): Json<PortfolioImport>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Scope::PlansWrite)?;
    principal.require(Scope::StudentsWrite)?;
    let district_id = principal.district_for_write(import.district_id.as_deref(), "/districtId")?;
    let portfolio = import.portfolio;
    if portfolio.format != FORMAT || portfolio.format_version != FORMAT_VERSION {
        return Err(ApiError::invalid_field(
            "/portfolio/formatVersion",
            "unsupported",
            format!("this service reads {FORMAT} version {FORMAT_VERSION} documents"),
        ));
    }
    if !crate::domain::identifiers::is_kids_id(&portfolio.student.student_unique_id) {
        return Err(ApiError::invalid_field(
            "/portfolio/student/studentUniqueId",
            "pattern",
            "studentUniqueId must be the 10-digit Kansas KIDS identifier",
        ));
    }
    let client_id = principal.client_id.clone();

    let (row, student_created, unmapped) = crate::store::write!(state.store, |conn, q| {
        let mut unmapped = Vec::new();
        let existing = q::students::find_by_unique_ids(
            conn,
            &district_id,
            std::slice::from_ref(&portfolio.student.student_unique_id),
        )?;
        let (student, student_created) = match existing.into_iter().next() {
            Some(student) => (student, false),
            None => {
                let student = StudentRow::new(
                    district_id.clone(),
                    StudentFields {
                        student_unique_id: portfolio.student.student_unique_id.clone(),
                        sis_id: None,
                        sourced_id: None,
                        school_id: None,
                        grade_level: portfolio.student.grade_level,
                        graduation_year: portfolio.plan.graduation_year,
                        status: "active".to_owned(),
                        first_name: portfolio.student.first_name.clone(),
                        middle_name: portfolio.student.middle_name.clone(),
                        last_name: portfolio.student.last_name.clone(),
                    },
                );
                q::students::create(conn, &student)?;
                (student, true)
            }
        };

        let codes: Vec<String> = portfolio
            .course_entries
            .iter()
            .filter_map(|e| e.course.course_code.clone())
            .collect();
        let sced: Vec<String> = portfolio
            .course_entries
            .iter()
            .map(|e| e.course.sced_code.clone())
            .collect();
        let coded = q::courses::find_by_codes(conn, &district_id, &codes)?;
        let by_sced_rows = q::courses::find_by_sced_codes(conn, &district_id, &sced)?;
        let by_code: HashMap<String, &CourseRow> =
            coded.iter().map(|c| (c.course_code.clone(), c)).collect();
        let mut by_sced: HashMap<String, &CourseRow> = HashMap::new();
        for course in &by_sced_rows {
            by_sced.entry(course.sced_code.clone()).or_insert(course);
        }

        let mut body = portfolio.plan.clone();
        body.student_id = Some(student.id.clone());
        body.school_id = None;
        body.courses = portfolio
            .course_entries
            .iter()
            .enumerate()
            .map(|(i, e)| {
                map_entry(
                    i,
                    e,
                    &by_code,
                    &by_sced,
                    &portfolio.source.district_name,
                    &mut unmapped,
                )
            })
            .collect();
        for (index, experience) in body.work_based_learning.iter_mut().enumerate() {
            if let Some(code) = experience.related_course_id.take() {
                experience.related_course_id = by_code.get(&code).map(|c| c.id.clone());
                if experience.related_course_id.is_none() {
                    unmapped.push(Unmapped {
                        pointer: format!("/portfolio/plan/workBasedLearning/{index}/relatedCourseId"),
                        outcome: format!("course {code} is not in the receiving catalog; the experience is kept without it"),
                    });
                }
            }
        }

        let checked = check_body!(conn, q, &district_id, body);
        let now = crate::store::now();
        let row = PlanRow {
            district_id: district_id.clone(),
            id: crate::store::new_id(),
            student_id: student.id.clone(),
            school_id: None,
            graduation_year: checked.body.graduation_year,
            status: checked.body.status.as_str().to_owned(),
            counselor: checked.counselor.clone(),
            has_career_focus: !checked.body.career_focus.is_empty(),
            document: serde_json::to_string(&checked.body).map_err(ApiError::internal)?,
            revision: 1,
            created_at: now,
            updated_at: now,
        };
        let changed = super::check::changed_sections(None, &checked.body);
        q::plans::create(
            conn,
            &row,
            &Revision {
                changed_by: &client_id,
                changed: &changed,
                course_ids: &checked.course_ids,
            },
        )?;

        let short_form = crate::domain::survey::interest_profiler_short_form();
        let mut responses = Vec::new();
        for (index, survey) in portfolio.survey_results.iter().enumerate() {
            if survey.instrument_id != short_form.id {
                unmapped.push(Unmapped {
                    pointer: format!("/portfolio/surveyResults/{index}"),
                    outcome: format!(
                        "instrument {} belongs to the sending district; the result is not imported",
                        survey.instrument_id
                    ),
                });
                continue;
            }
            responses.push(ResponseRow {
                district_id: district_id.clone(),
                id: crate::store::new_id(),
                student_id: student.id.clone(),
                instrument_id: survey.instrument_id.clone(),
                instrument_version: survey.instrument_version.clone(),
                administered_on: survey.administered_on,
                grade_level: survey.grade_level,
                answers: survey.answers.to_string(),
                holland_code: survey.holland_code.clone(),
                created_at: now,
            });
        }
        q::surveys::insert_responses(conn, &responses)?;
        Ok((row, student_created, unmapped))
    })?;

    let plan = plan_of(&row)?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/v1/plans/{}", row.id)))
        .json(PortfolioImportResult {
            plan,
            student_created,
            unmapped,
        }))
}
