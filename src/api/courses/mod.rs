//! `/v1/courses`: the district course catalog that plans and graduation rules refer to.

mod bulk;
mod handlers;

pub use bulk::*;
pub use handlers::*;

use std::borrow::Cow;

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::{Validate, ValidationError};

use crate::domain::{credits, sced};
use crate::store::courses::{CourseFields, CourseRow};

/// A catalog attribute that graduation rules select courses by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CourseAttribute {
    LaboratoryScience,
    Communication,
    PersonalFinancialLiteracy,
    Health,
    PhysicalEducation,
    FineArts,
    UsHistory,
    UsGovernment,
    WorldHistory,
    KansasHistory,
    ComputerScience,
    AdvancedStem,
    CteIntroductory,
    CteTechnical,
    CteApplication,
    Ap,
    Ib,
    DualCredit,
}

/// The Kansas Board of Regents admissions flag of a course, as KCCMS records it: `Q` meets
/// the precollege curriculum, `E` is an approved elective, `N` is neither.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum RegentsFlag {
    Q,
    E,
    N,
}

impl RegentsFlag {
    fn as_str(self) -> &'static str {
        match self {
            RegentsFlag::Q => "Q",
            RegentsFlag::E => "E",
            RegentsFlag::N => "N",
        }
    }

    fn from_stored(value: &str) -> Option<RegentsFlag> {
        match value {
            "Q" => Some(RegentsFlag::Q),
            "E" => Some(RegentsFlag::E),
            "N" => Some(RegentsFlag::N),
            _ => None,
        }
    }
}

fn invalid(code: &'static str, message: String) -> ValidationError {
    ValidationError::new(code).with_message(Cow::Owned(message))
}

fn validate_sced_code(value: &str) -> Result<(), ValidationError> {
    sced::check_code(value).map_err(|m| invalid("pattern", m))
}

fn validate_sced_level(value: &str) -> Result<(), ValidationError> {
    sced::check_level(value).map_err(|m| invalid("enum", m))
}

fn validate_sced_credit(value: &str) -> Result<(), ValidationError> {
    sced::check_available_credit(value).map_err(|m| invalid("pattern", m))
}

fn validate_sced_sequence(value: &str) -> Result<(), ValidationError> {
    sced::check_sequence(value).map_err(|m| invalid("pattern", m))
}

fn validate_state_code(value: &str) -> Result<(), ValidationError> {
    sced::check_code(value).map_err(|_| {
        invalid(
            "pattern",
            format!("stateCourseCode {value:?} must be a 5-digit KCCMS code"),
        )
    })
}

fn validate_course_credits(value: f64) -> Result<(), ValidationError> {
    credits::to_hundredths(value, MAX_COURSE_CREDITS)
        .map(|_| ())
        .map_err(|m| invalid("range", m))
}

fn validate_grade_levels(levels: &[i32]) -> Result<(), ValidationError> {
    if levels.is_empty() {
        return Err(invalid(
            "length",
            "gradeLevels must list at least one grade".to_owned(),
        ));
    }
    if let Some(level) = levels.iter().find(|l| !(6..=12).contains(*l)) {
        return Err(invalid(
            "range",
            format!("gradeLevels must be between 6 and 12, not {level}"),
        ));
    }
    Ok(())
}

fn validate_course_code(value: &str) -> Result<(), ValidationError> {
    let valid = !value.is_empty()
        && value.len() <= 32
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if valid {
        Ok(())
    } else {
        Err(invalid(
            "pattern",
            format!("courseCode {value:?} must be 1 to 32 letters, digits, '-', '_' or '.'"),
        ))
    }
}

fn validate_subject_area(value: &str) -> Result<(), ValidationError> {
    if value.len() == 2 && sced::subject_area_name(value).is_some() {
        Ok(())
    } else {
        Err(invalid(
            "pattern",
            format!("subjectArea {value:?} must be a 2-digit SCED subject area such as 02"),
        ))
    }
}

/// Largest credit value of one course, in units.
pub const MAX_COURSE_CREDITS: f64 = 4.0;

/// The writable fields of a catalog course.
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(example = json!({
    "districtId": "D0259",
    "courseCode": "MATH-ALG1",
    "scedCode": "02052",
    "scedLevel": "G",
    "scedAvailableCredit": "1.00",
    "scedSequence": "11",
    "stateCourseCode": "02052",
    "title": "Algebra I",
    "credits": 1,
    "gradeLevels": [8, 9, 10],
    "regentsFlag": "Q",
    "attributes": [],
    "prerequisites": [],
    "repeatable": false,
    "active": true
}))]
pub struct CourseInput {
    /// KSDE district id; may be omitted when the client acts for one district.
    #[schema(pattern = "^D[0-9]{4}$")]
    pub district_id: Option<String>,
    /// The district's own course code, unique within the district.
    #[validate(custom(function = "validate_course_code"))]
    #[schema(pattern = "^[A-Za-z0-9._-]{1,32}$", example = "MATH-ALG1")]
    pub course_code: String,
    /// 5-digit SCED course code; its first two digits are the subject area.
    #[validate(custom(function = "validate_sced_code"))]
    #[schema(pattern = "^(0[1-9]|1[0-9]|2[0-5])[0-9]{3}$", example = "02052")]
    pub sced_code: String,
    /// SCED course level: B, G, E, H, C or X.
    #[validate(custom(function = "validate_sced_level"))]
    #[schema(pattern = "^[BGEHCX]$")]
    pub sced_level: Option<String>,
    /// SCED available credit, four characters such as `1.00`.
    #[validate(custom(function = "validate_sced_credit"))]
    #[schema(pattern = "^[0-9]\\.[0-9]{2}$")]
    pub sced_available_credit: Option<String>,
    /// SCED sequence: part and number of parts, such as `12`.
    #[validate(custom(function = "validate_sced_sequence"))]
    #[schema(pattern = "^[1-9][1-9]$")]
    pub sced_sequence: Option<String>,
    /// Kansas KCCMS state course code (5 digits).
    #[validate(custom(function = "validate_state_code"))]
    #[schema(pattern = "^(0[1-9]|1[0-9]|2[0-5])[0-9]{3}$")]
    pub state_course_code: Option<String>,
    #[validate(length(min = 1, max = 200, message = "title must be 1 to 200 characters"))]
    #[schema(min_length = 1, max_length = 200)]
    pub title: String,
    /// Credit a student earns for the course, in units with at most two decimals (0 to 4).
    #[validate(custom(function = "validate_course_credits"))]
    #[schema(minimum = 0, maximum = 4, multiple_of = 0.01)]
    pub credits: f64,
    /// Grade levels the course is offered to, 6 to 12.
    #[validate(custom(function = "validate_grade_levels"))]
    pub grade_levels: Vec<i32>,
    pub regents_flag: Option<RegentsFlag>,
    #[serde(default)]
    pub attributes: Vec<CourseAttribute>,
    /// Career cluster the course belongs to, as free text or a cluster key.
    #[validate(length(
        min = 1,
        max = 100,
        message = "careerCluster must be 1 to 100 characters"
    ))]
    #[schema(min_length = 1, max_length = 100)]
    pub career_cluster: Option<String>,
    #[validate(length(
        min = 1,
        max = 100,
        message = "careerPathway must be 1 to 100 characters"
    ))]
    #[schema(min_length = 1, max_length = 100)]
    pub career_pathway: Option<String>,
    /// Course codes of the district's courses that must come first.
    #[serde(default)]
    #[validate(length(max = 20, message = "prerequisites may list at most 20 courses"))]
    #[schema(max_items = 20)]
    pub prerequisites: Vec<String>,
    /// Whether a second pass of the course earns credit again. Defaults to false.
    #[serde(default)]
    pub repeatable: bool,
    /// Inactive courses stay readable but new plan entries cannot use them. Defaults to true.
    #[serde(default = "default_true")]
    pub active: bool,
}

fn default_true() -> bool {
    true
}

fn to_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "[]".to_owned())
}

impl CourseInput {
    /// Returns the fields in stored form, with lists sorted so that equal catalogs compare equal.
    pub fn fields(&self) -> CourseFields {
        let mut grade_levels = self.grade_levels.clone();
        grade_levels.sort_unstable();
        grade_levels.dedup();
        let mut attributes = self.attributes.clone();
        attributes.sort_unstable();
        attributes.dedup();
        CourseFields {
            course_code: self.course_code.clone(),
            sced_code: self.sced_code.clone(),
            sced_level: self.sced_level.clone(),
            sced_credit: self.sced_available_credit.clone(),
            sced_sequence: self.sced_sequence.clone(),
            state_code: self.state_course_code.clone(),
            title: self.title.clone(),
            credits: credits::to_hundredths(self.credits, MAX_COURSE_CREDITS).unwrap_or_default(),
            grade_levels: to_json(&grade_levels),
            regents_flag: self.regents_flag.map(|f| f.as_str().to_owned()),
            attributes: to_json(&attributes),
            career_cluster: self.career_cluster.clone(),
            career_pathway: self.career_pathway.clone(),
            prerequisites: to_json(&self.prerequisites),
            repeatable: self.repeatable,
            active: self.active,
        }
    }
}

/// A SCED subject area.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SubjectArea {
    /// 2-digit code.
    pub code: String,
    pub name: String,
}

/// A catalog course as stored.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "id": "0193a1f2-7d2e-7c39-9d55-2f0b8f3f1a77",
    "districtId": "D0259",
    "courseCode": "MATH-ALG1",
    "scedCode": "02052",
    "scedLevel": "G",
    "scedAvailableCredit": "1.00",
    "scedSequence": "11",
    "scedIdentifier": "02052G1.0011",
    "subjectArea": {"code": "02", "name": "Mathematics"},
    "stateCourseCode": "02052",
    "title": "Algebra I",
    "credits": 1.0,
    "gradeLevels": [8, 9, 10],
    "regentsFlag": "Q",
    "attributes": [],
    "careerCluster": null,
    "careerPathway": null,
    "prerequisites": [],
    "repeatable": false,
    "active": true,
    "revision": 1,
    "createdAt": "2026-08-01T12:00:00Z",
    "updatedAt": "2026-08-01T12:00:00Z"
}))]
pub struct Course {
    pub id: String,
    pub district_id: String,
    pub course_code: String,
    pub sced_code: String,
    pub sced_level: Option<String>,
    pub sced_available_credit: Option<String>,
    pub sced_sequence: Option<String>,
    /// The full 12-character SCED identifier, when level, credit and sequence are known.
    pub sced_identifier: Option<String>,
    /// Derived from the first two digits of the SCED code.
    pub subject_area: SubjectArea,
    pub state_course_code: Option<String>,
    pub title: String,
    pub credits: f64,
    pub grade_levels: Vec<i32>,
    pub regents_flag: Option<RegentsFlag>,
    pub attributes: Vec<CourseAttribute>,
    pub career_cluster: Option<String>,
    pub career_pathway: Option<String>,
    pub prerequisites: Vec<String>,
    pub repeatable: bool,
    pub active: bool,
    pub revision: i32,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

impl From<CourseRow> for Course {
    fn from(row: CourseRow) -> Course {
        let area = row.sced_code.get(..2).unwrap_or_default().to_owned();
        let sced_identifier = match (&row.sced_level, &row.sced_credit, &row.sced_sequence) {
            (Some(level), Some(credit), Some(sequence)) => {
                Some(format!("{}{level}{credit}{sequence}", row.sced_code))
            }
            _ => None,
        };
        Course {
            id: row.id,
            district_id: row.district_id,
            course_code: row.course_code,
            subject_area: SubjectArea {
                name: sced::subject_area_name(&area)
                    .unwrap_or_default()
                    .to_owned(),
                code: area,
            },
            sced_code: row.sced_code,
            sced_level: row.sced_level,
            sced_available_credit: row.sced_credit,
            sced_sequence: row.sced_sequence,
            sced_identifier,
            state_course_code: row.state_code,
            title: row.title,
            credits: credits::from_hundredths(row.credits),
            grade_levels: serde_json::from_str(&row.grade_levels).unwrap_or_default(),
            regents_flag: row
                .regents_flag
                .as_deref()
                .and_then(RegentsFlag::from_stored),
            attributes: serde_json::from_str(&row.attributes).unwrap_or_default(),
            career_cluster: row.career_cluster,
            career_pathway: row.career_pathway,
            prerequisites: serde_json::from_str(&row.prerequisites).unwrap_or_default(),
            repeatable: row.repeatable,
            active: row.active,
            revision: row.revision,
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
        }
    }
}

/// A page of courses.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"items": [], "nextCursor": null}))]
pub struct CoursePage {
    pub items: Vec<Course>,
    /// Pass as `cursor` to get the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// Filters and paging for `GET /v1/courses`.
#[derive(Debug, Clone, Deserialize, Validate, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CourseListQuery {
    /// Only this district (one of the client's).
    #[param(pattern = "^D[0-9]{4}$")]
    pub district_id: Option<String>,
    /// Natural-key lookup by the district's course code.
    pub course_code: Option<String>,
    /// Only courses with this 5-digit SCED code.
    #[validate(custom(function = "validate_sced_code"))]
    #[param(pattern = "^(0[1-9]|1[0-9]|2[0-5])[0-9]{3}$")]
    pub sced_code: Option<String>,
    /// Only courses of this 2-digit SCED subject area.
    #[validate(custom(function = "validate_subject_area"))]
    #[param(pattern = "^(0[1-9]|1[0-9]|2[0-5])$")]
    pub subject_area: Option<String>,
    pub active: Option<bool>,
    /// Only courses changed at or after this time (RFC 3339).
    pub updated_since: Option<chrono::DateTime<chrono::Utc>>,
    /// Page size, 1 to 1000; default 100.
    #[validate(range(min = 1, max = 1000, message = "limit must be between 1 and 1000"))]
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
    /// `nextCursor` of the previous page.
    pub cursor: Option<String>,
}
