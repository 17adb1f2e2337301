//! The plan of study as the API reads and writes it.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::{Validate, ValidationError};

use crate::domain::credits;

fn invalid(code: &'static str, message: String) -> ValidationError {
    ValidationError::new(code).with_message(Cow::Owned(message))
}

fn validate_entry_credits(value: f64) -> Result<(), ValidationError> {
    credits::to_hundredths(value, MAX_ENTRY_CREDITS)
        .map(|_| ())
        .map_err(|m| invalid("range", m))
}

fn validate_sced_code(value: &str) -> Result<(), ValidationError> {
    crate::domain::sced::check_code(value).map_err(|m| invalid("pattern", m))
}

fn validate_soc_code(value: &str) -> Result<(), ValidationError> {
    let bytes = value.as_bytes();
    let valid = bytes.len() == 10
        && bytes[2] == b'-'
        && bytes[7] == b'.'
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| i == 2 || i == 7 || b.is_ascii_digit());
    if valid {
        Ok(())
    } else {
        Err(invalid(
            "pattern",
            format!("targetOccupation {value:?} must be an O*NET-SOC code such as 15-1252.00"),
        ))
    }
}

/// Largest credit value of one course entry, in units.
pub const MAX_ENTRY_CREDITS: f64 = 4.0;

/// Career-cluster framework of a career focus.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(as = CareerFocusFramework)]
#[serde(rename_all = "snake_case")]
pub enum ClusterFramework {
    /// The 16 career clusters that KSDE organises CTE by.
    #[serde(rename = "legacy_16")]
    Legacy16,
    /// The 14 clusters of the national framework modernised in October 2024.
    #[serde(rename = "advance_cte_2024")]
    AdvanceCte2024,
}

/// One career cluster (and optionally a pathway) the student is focusing on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CareerFocus {
    pub framework: ClusterFramework,
    #[validate(length(min = 1, max = 100, message = "cluster must be 1 to 100 characters"))]
    #[schema(min_length = 1, max_length = 100, example = "Health Science")]
    pub cluster: String,
    #[validate(length(min = 1, max = 100, message = "pathway must be 1 to 100 characters"))]
    #[schema(min_length = 1, max_length = 100)]
    pub pathway: Option<String>,
    /// The survey response whose result informed this choice.
    pub survey_response_id: Option<String>,
    #[validate(length(max = 2000, message = "rationale must be at most 2000 characters"))]
    #[schema(max_length = 2000)]
    pub rationale: Option<String>,
}

/// Kind of postsecondary plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PostsecondaryPathway {
    FourYearCollege,
    TwoYearCollege,
    TechnicalCertificate,
    Military,
    Workforce,
    Apprenticeship,
}

/// What the student intends to do after high school.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PostsecondaryPlan {
    pub pathway: PostsecondaryPathway,
    #[validate(length(
        min = 1,
        max = 200,
        message = "targetInstitution must be 1 to 200 characters"
    ))]
    #[schema(min_length = 1, max_length = 200)]
    pub target_institution: Option<String>,
    /// O*NET-SOC code of the target occupation, such as `29-1141.00`.
    #[validate(custom(function = "validate_soc_code"))]
    #[schema(pattern = "^[0-9]{2}-[0-9]{4}\\.[0-9]{2}$")]
    pub target_occupation: Option<String>,
    #[validate(length(max = 2000, message = "notes must be at most 2000 characters"))]
    #[schema(max_length = 2000)]
    pub notes: Option<String>,
}

/// Term of a course entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Term {
    FullYear,
    Fall,
    Spring,
    Summer,
    Quarter1,
    Quarter2,
    Quarter3,
    Quarter4,
}

/// Status of a course entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(as = PlanEntryStatus)]
#[serde(rename_all = "snake_case")]
pub enum EntryStatus {
    Planned,
    InProgress,
    Completed,
    Failed,
    Withdrawn,
}

/// Where a course entry came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EntrySource {
    /// The district SIS transcript; `coursework:sync` replaces these entries.
    SisTranscript,
    Counselor,
    Student,
}

/// A course taken at another institution, identified by its SCED code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TransferCourse {
    #[validate(custom(function = "validate_sced_code"))]
    #[schema(pattern = "^(0[1-9]|1[0-9]|2[0-5])[0-9]{3}$", example = "01001")]
    pub sced_code: String,
    #[validate(length(min = 1, max = 200, message = "title must be 1 to 200 characters"))]
    #[schema(min_length = 1, max_length = 200)]
    pub title: String,
    /// Credit in units, at most two decimals.
    #[validate(custom(function = "validate_entry_credits"))]
    pub credits: f64,
    #[validate(length(
        min = 1,
        max = 200,
        message = "institution must be 1 to 200 characters"
    ))]
    #[schema(min_length = 1, max_length = 200)]
    pub institution: String,
}

/// One course in the grade 6–12 course plan: a catalog course or a transfer course.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate, ToSchema)]
#[schema(as = PlanCourseEntry)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(example = json!({
    "courseId": "0193a1f2-7d2e-7c39-9d55-2f0b8f3f1a77",
    "schoolYear": 2027,
    "term": "full_year",
    "status": "completed",
    "gradeLevel": 9,
    "mark": "A",
    "creditsEarned": 1,
    "source": "sis_transcript"
}))]
pub struct CourseEntry {
    /// Server-assigned id; send it back to keep an entry's identity across revisions.
    pub id: Option<String>,
    /// Id of a course of the district catalog. Give this or `transfer`.
    pub course_id: Option<String>,
    /// A course from another institution. Give this or `courseId`.
    #[validate(nested)]
    pub transfer: Option<TransferCourse>,
    /// School year, named by the calendar year in which it ends.
    #[validate(range(
        min = 2000,
        max = 2100,
        message = "schoolYear must be between 2000 and 2100"
    ))]
    #[schema(minimum = 2000, maximum = 2100, example = 2027)]
    pub school_year: i32,
    pub term: Term,
    pub status: EntryStatus,
    #[validate(range(min = 6, max = 12, message = "gradeLevel must be between 6 and 12"))]
    #[schema(minimum = 6, maximum = 12)]
    pub grade_level: i32,
    /// Grade mark as the SIS records it, such as `A-`, `P` or `3.7`.
    #[validate(length(min = 1, max = 8, message = "mark must be 1 to 8 characters"))]
    #[schema(min_length = 1, max_length = 8)]
    pub mark: Option<String>,
    /// Credit earned, in units; defaults to the course's credit once completed.
    #[validate(custom(function = "validate_entry_credits"))]
    pub credits_earned: Option<f64>,
    pub source: EntrySource,
}

/// Kind of work-based learning experience, along the KSDE continuum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WorkBasedLearningType {
    GuestSpeaker,
    CareerFair,
    FieldTrip,
    WorksiteTour,
    JobShadow,
    MockInterview,
    CareerMentoring,
    Internship,
    YouthApprenticeship,
    SimulatedWorkExperience,
    Entrepreneurship,
    ServiceLearning,
    Ctso,
}

/// A work-based learning experience.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WorkBasedLearning {
    pub id: Option<String>,
    #[serde(rename = "type")]
    pub kind: WorkBasedLearningType,
    #[validate(length(
        min = 1,
        max = 200,
        message = "organization must be 1 to 200 characters"
    ))]
    #[schema(min_length = 1, max_length = 200)]
    pub organization: String,
    pub start_date: chrono::NaiveDate,
    pub end_date: Option<chrono::NaiveDate>,
    /// Hours spent, at most two decimals.
    #[validate(range(
        min = 0.0,
        max = 10000.0,
        message = "hours must be between 0 and 10000"
    ))]
    #[schema(minimum = 0.0, maximum = 10000.0)]
    pub hours: Option<f64>,
    #[validate(length(min = 1, max = 200, message = "supervisor must be 1 to 200 characters"))]
    #[schema(min_length = 1, max_length = 200)]
    pub supervisor: Option<String>,
    /// Catalog course the experience relates to.
    pub related_course_id: Option<String>,
    #[validate(length(min = 1, max = 200, message = "verifiedBy must be 1 to 200 characters"))]
    #[schema(min_length = 1, max_length = 200)]
    pub verified_by: Option<String>,
}

/// A postsecondary asset the student has earned, by its type in the state list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PostsecondaryAsset {
    pub id: Option<String>,
    /// Asset type key, such as `act_composite_21`, `industry_credential` or
    /// `community_service_40_hours`.
    #[serde(rename = "type")]
    #[validate(length(min = 1, max = 64, message = "type must be 1 to 64 characters"))]
    #[schema(min_length = 1, max_length = 64)]
    pub kind: String,
    pub date: chrono::NaiveDate,
    /// Reference to the evidence, such as a document id or URL.
    #[validate(length(min = 1, max = 500, message = "evidence must be 1 to 500 characters"))]
    #[schema(min_length = 1, max_length = 500)]
    pub evidence: Option<String>,
    #[validate(length(min = 1, max = 200, message = "verifiedBy must be 1 to 200 characters"))]
    #[schema(min_length = 1, max_length = 200)]
    pub verified_by: Option<String>,
    #[validate(length(max = 500, message = "detail must be at most 500 characters"))]
    #[schema(max_length = 500)]
    pub detail: Option<String>,
}

/// Category of a goal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum GoalCategory {
    Academic,
    Career,
    Postsecondary,
    Personal,
}

/// Progress of a goal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum GoalStatus {
    NotStarted,
    InProgress,
    Achieved,
    Dropped,
}

/// A goal the student set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Goal {
    pub id: Option<String>,
    pub category: GoalCategory,
    #[validate(length(min = 1, max = 2000, message = "text must be 1 to 2000 characters"))]
    #[schema(min_length = 1, max_length = 2000)]
    pub text: String,
    pub target_date: Option<chrono::NaiveDate>,
    pub status: GoalStatus,
}

/// Kind of portfolio artifact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ArtifactKind {
    Document,
    Image,
    Video,
    Link,
    Certificate,
    Other,
}

/// An item of the student's portfolio.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Artifact {
    pub id: Option<String>,
    pub kind: ArtifactKind,
    #[validate(length(min = 1, max = 200, message = "title must be 1 to 200 characters"))]
    #[schema(min_length = 1, max_length = 200)]
    pub title: String,
    /// Where the artifact is kept: a URL or a document-store reference.
    #[validate(length(
        min = 1,
        max = 1000,
        message = "reference must be 1 to 1000 characters"
    ))]
    #[schema(min_length = 1, max_length = 1000)]
    pub reference: String,
    pub date: Option<chrono::NaiveDate>,
}

/// Role of a plan participant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ParticipantRole {
    Student,
    Counselor,
    Teacher,
    ParentGuardian,
    Administrator,
    Mentor,
    Other,
}

/// A person who builds the plan with the student.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Participant {
    pub role: ParticipantRole,
    /// Staff id in the district's systems, for staff members; the `counselor` list filter
    /// matches it.
    #[validate(length(min = 1, max = 64, message = "staffId must be 1 to 64 characters"))]
    #[schema(min_length = 1, max_length = 64)]
    pub staff_id: Option<String>,
    #[validate(length(min = 1, max = 200, message = "name must be 1 to 200 characters"))]
    #[schema(min_length = 1, max_length = 200)]
    pub name: Option<String>,
}

/// Whether a plan is current.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlanStatus {
    /// The student's current plan; a student has at most one.
    #[default]
    Active,
    /// Kept for the record and readable, no longer current.
    Archived,
}

impl PlanStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PlanStatus::Active => "active",
            PlanStatus::Archived => "archived",
        }
    }
}

/// The content of a plan: everything but its id, district, student and bookkeeping.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(example = json!({
    "studentId": "0193a1f2-6c1e-7c39-9d55-2f0b8f3f1a77",
    "graduationYear": 2030,
    "schoolId": "1234",
    "careerFocus": [{"framework": "legacy_16", "cluster": "Health Science", "pathway": "Therapeutic Services"}],
    "postsecondaryPlan": {"pathway": "four_year_college", "targetOccupation": "29-1141.00"},
    "courses": [{"courseId": "0193a1f2-7d2e-7c39-9d55-2f0b8f3f1a77", "schoolYear": 2027, "term": "full_year", "status": "planned", "gradeLevel": 9, "source": "counselor"}],
    "participants": [{"role": "student"}, {"role": "counselor", "staffId": "T-2231"}]
}))]
pub struct PlanBody {
    /// Id of the student the plan belongs to; required when creating a plan, and it cannot
    /// change afterwards.
    pub student_id: Option<String>,
    /// Graduating class (the school year of graduation).
    #[validate(range(
        min = 2000,
        max = 2100,
        message = "graduationYear must be between 2000 and 2100"
    ))]
    #[schema(minimum = 2000, maximum = 2100, example = 2030)]
    pub graduation_year: i32,
    /// KSDE building number of the student's school; it must exist in the district.
    #[schema(pattern = "^[0-9]{4}$")]
    pub school_id: Option<String>,
    #[serde(default)]
    pub status: PlanStatus,
    /// Rule set the plan is audited against; resolved from the district and graduating class
    /// when omitted.
    #[validate(length(min = 1, max = 100, message = "ruleSetId must be 1 to 100 characters"))]
    #[schema(min_length = 1, max_length = 100)]
    pub rule_set_id: Option<String>,
    #[serde(default)]
    #[validate(
        length(max = 5, message = "careerFocus may list at most 5 choices"),
        nested
    )]
    pub career_focus: Vec<CareerFocus>,
    #[validate(nested)]
    pub postsecondary_plan: Option<PostsecondaryPlan>,
    #[serde(default)]
    #[validate(
        length(max = 150, message = "courses may list at most 150 entries"),
        nested
    )]
    pub courses: Vec<CourseEntry>,
    #[serde(default)]
    #[validate(
        length(
            max = 200,
            message = "workBasedLearning may list at most 200 experiences"
        ),
        nested
    )]
    pub work_based_learning: Vec<WorkBasedLearning>,
    #[serde(default)]
    #[validate(
        length(max = 100, message = "postsecondaryAssets may list at most 100 assets"),
        nested
    )]
    pub postsecondary_assets: Vec<PostsecondaryAsset>,
    #[serde(default)]
    #[validate(
        length(max = 100, message = "goals may list at most 100 goals"),
        nested
    )]
    pub goals: Vec<Goal>,
    #[serde(default)]
    #[validate(
        length(max = 200, message = "portfolio may list at most 200 artifacts"),
        nested
    )]
    pub portfolio: Vec<Artifact>,
    #[serde(default)]
    #[validate(
        length(max = 30, message = "participants may list at most 30 people"),
        nested
    )]
    pub participants: Vec<Participant>,
    /// Assessment scores that graduation rules use, such as an ACT mathematics score.
    #[serde(default)]
    #[validate(length(max = 50, message = "assessments may list at most 50 scores"))]
    #[schema(max_items = 50)]
    pub assessments: Vec<crate::domain::audit::AssessmentScore>,
    /// Approved waivers, such as up to one ELA unit or physical education on stated grounds.
    #[serde(default)]
    #[validate(length(max = 20, message = "waivers may list at most 20 waivers"))]
    #[schema(max_items = 20)]
    pub waivers: Vec<crate::domain::audit::Waiver>,
    /// Approved substitutions: a course entry (by id) that counts toward a requirement its
    /// selector does not match.
    #[serde(default)]
    #[validate(length(max = 20, message = "substitutions may list at most 20 substitutions"))]
    #[schema(max_items = 20)]
    pub substitutions: Vec<crate::domain::audit::Substitution>,
}

/// A plan of study as stored.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "id": "0193a1f3-0b1e-7c39-9d55-2f0b8f3f1a77",
    "districtId": "D0259",
    "studentId": "0193a1f2-6c1e-7c39-9d55-2f0b8f3f1a77",
    "graduationYear": 2030,
    "schoolId": "1234",
    "status": "active",
    "ruleSetId": null,
    "careerFocus": [{"framework": "legacy_16", "cluster": "Health Science", "pathway": "Therapeutic Services", "surveyResponseId": null, "rationale": null}],
    "postsecondaryPlan": {"pathway": "four_year_college", "targetInstitution": null, "targetOccupation": "29-1141.00", "notes": null},
    "courses": [{"id": "0193a1f3-0b1f-7c39-9d55-2f0b8f3f1a77", "courseId": "0193a1f2-7d2e-7c39-9d55-2f0b8f3f1a77", "transfer": null, "schoolYear": 2027, "term": "full_year", "status": "planned", "gradeLevel": 9, "mark": null, "creditsEarned": null, "source": "counselor"}],
    "workBasedLearning": [],
    "postsecondaryAssets": [],
    "goals": [],
    "portfolio": [],
    "participants": [{"role": "student", "staffId": null, "name": null}, {"role": "counselor", "staffId": "T-2231", "name": null}],
    "revision": 1,
    "createdAt": "2026-09-01T14:03:11.402Z",
    "updatedAt": "2026-09-01T14:03:11.402Z"
}))]
pub struct Plan {
    pub id: String,
    pub district_id: String,
    #[serde(flatten)]
    pub body: PlanBody,
    /// Revision number; the ETag is this number in quotes.
    pub revision: i32,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}
