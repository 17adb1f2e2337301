//! Audit input: a student's course entries (taken, in progress and planned), postsecondary
//! assets, assessment scores, and approved waivers and substitutions.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Everything the audit of one plan reads.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AuditInput {
    /// Year the student's class graduates, for example 2028.
    pub graduation_year: i32,
    /// School year of the audit, written as the calendar year in which it ends (2026 is
    /// 2025-26). Planned entries in earlier school years are reported as issues.
    pub as_of_school_year: i32,
    #[serde(default)]
    pub entries: Vec<CourseEntry>,
    #[serde(default)]
    pub assets: Vec<AssetRecord>,
    #[serde(default)]
    pub assessments: Vec<AssessmentScore>,
    #[serde(default)]
    pub waivers: Vec<Waiver>,
    #[serde(default)]
    pub substitutions: Vec<Substitution>,
}

/// One attempt at a course: completed, in progress or planned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[schema(as = AuditCourseEntry)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CourseEntry {
    /// Identifier unique within the plan; allocations refer to it.
    pub id: String,
    /// Local or KCCMS course code.
    pub course_code: String,
    /// 5-digit SCED code: a 2-digit subject area and a 3-digit course number.
    pub sced_code: String,
    pub title: String,
    /// Credit the course carries (attempted or available), in units.
    #[serde(with = "super::credits")]
    #[schema(value_type = f64)]
    pub credits: u32,
    /// Credit earned on a completed entry; absent means `credits`.
    #[serde(default, with = "super::credits::option")]
    #[schema(value_type = Option<f64>)]
    pub credits_earned: Option<u32>,
    pub status: EntryStatus,
    /// Grade level (6 to 12) in which the course was or will be taken.
    pub grade_level: u8,
    /// School year, as the calendar year in which it ends (2026 is 2025-26).
    pub school_year: i32,
    /// Term within the school year, for example `fall` or `s1`; used only to order attempts.
    #[serde(default)]
    pub term: Option<String>,
    /// Grade points earned (0.0 to 4.0) on a completed or failed entry.
    #[serde(default)]
    pub mark: Option<f64>,
    /// Catalog attributes of the course.
    #[serde(default)]
    pub attributes: BTreeSet<Attribute>,
    /// SCED course level.
    #[serde(default)]
    pub level: Option<CourseLevel>,
    /// Kansas Board of Regents precollege-curriculum flag from KCCMS.
    #[serde(default)]
    pub regents_flag: Option<RegentsFlag>,
    /// Whether the course may earn credit more than once (for example band or a seminar).
    #[serde(default)]
    pub repeatable: bool,
}

impl CourseEntry {
    /// Returns the 2-digit SCED subject area, or an empty string when the code is too short.
    pub fn subject_area(&self) -> &str {
        self.sced_code.get(..2).unwrap_or("")
    }
}

/// Status of a course entry.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
#[schema(as = AuditEntryStatus)]
#[serde(rename_all = "snake_case")]
pub enum EntryStatus {
    Planned,
    InProgress,
    Completed,
    Failed,
    Withdrawn,
}

/// A catalog attribute of a course, used by selectors.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Attribute {
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

/// SCED course level: basic, general, enriched, honors, college credit, no specified level.
/// JSON uses the SCED letters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub enum CourseLevel {
    B,
    G,
    E,
    H,
    C,
    X,
}

/// KCCMS Regents flag: Q meets the precollege curriculum, E is an approved elective, N neither.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[schema(as = AuditRegentsFlag)]
pub enum RegentsFlag {
    Q,
    E,
    N,
}

/// A postsecondary asset the student has earned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AssetRecord {
    /// Asset type key from the asset list, for example `act_composite_21`.
    #[serde(rename = "type")]
    pub asset_type: String,
    /// Date earned, `YYYY-MM-DD`.
    #[serde(default)]
    pub date: Option<String>,
}

/// A score on a test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AssessmentScore {
    pub test: String,
    /// Subject or section; absent means the composite score.
    #[serde(default)]
    pub subject: Option<String>,
    pub score: f64,
}

/// An approved waiver that lowers a requirement's minimum or waives it entirely.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Waiver {
    pub requirement_key: String,
    /// New minimum in units; absent waives the requirement entirely.
    #[serde(default, with = "super::credits::option")]
    #[schema(value_type = Option<f64>)]
    pub reduced_to: Option<u32>,
    pub reason: String,
    pub approved_by: String,
}

/// An approved substitution: the entry may count toward the requirement although the
/// requirement's selector does not match it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Substitution {
    pub entry_id: String,
    pub requirement_key: String,
    pub reason: String,
    pub approved_by: String,
}
