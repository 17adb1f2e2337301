//! Audit result types.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The outcome of auditing one plan against one rule set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditResult {
    /// Version of the engine that produced the result; see `ENGINE_VERSION`.
    pub engine_version: String,
    pub rule_set_id: String,
    pub rule_set_version: u32,
    /// The worst status over the requirements and the total; waived counts as met.
    pub status: Status,
    /// One result per top-level requirement, in rule-set order.
    pub requirements: Vec<RequirementResult>,
    /// Credit counted toward the rule set's total, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub total: Option<TotalResult>,
    /// Entries whose credit counts toward no exclusive requirement, in whole or in part.
    pub unused_entries: Vec<UnusedEntry>,
    /// Problems the input shows, whether or not they change the outcome.
    pub issues: Vec<Issue>,
    /// Advisory credit progress by the end of each grade.
    pub pacing: Vec<PacingResult>,
}

/// Status of a requirement or of the whole audit.
///
/// - `met`: completed credit alone covers it (or the score, assets or GPA are achieved).
/// - `on_track`: completed, in-progress and planned credit together cover it.
/// - `at_risk`: even planned credit leaves it short, but the school year of the audit is no
///   later than the graduation year, so courses can still be added.
/// - `unmet`: short, and the audit is after the graduation year.
/// - `waived`: an approved waiver removes it.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Unmet,
    AtRisk,
    OnTrack,
    Met,
    Waived,
}

impl Status {
    /// Ranks statuses for comparison, counting a waiver as met.
    pub fn rank(self) -> u8 {
        match self {
            Status::Unmet => 0,
            Status::AtRisk => 1,
            Status::OnTrack => 2,
            Status::Met | Status::Waived => 3,
        }
    }

    /// Returns the label used in explanations.
    pub fn label(self) -> &'static str {
        match self {
            Status::Unmet => "unmet",
            Status::AtRisk => "at risk",
            Status::OnTrack => "on track",
            Status::Met => "met",
            Status::Waived => "waived",
        }
    }
}

/// Credit required and credit allocated by entry status, in units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreditTally {
    #[serde(with = "super::credits")]
    #[schema(value_type = f64)]
    pub required: u32,
    /// Credit from completed entries.
    #[serde(with = "super::credits")]
    #[schema(value_type = f64)]
    pub earned: u32,
    #[serde(with = "super::credits")]
    #[schema(value_type = f64)]
    pub in_progress: u32,
    #[serde(with = "super::credits")]
    #[schema(value_type = f64)]
    pub planned: u32,
    /// Credit still missing after counting every status.
    #[serde(with = "super::credits")]
    #[schema(value_type = f64)]
    pub remaining: u32,
}

impl CreditTally {
    /// Returns earned, in-progress and planned credit together.
    pub fn allocated(&self) -> u32 {
        self.earned + self.in_progress + self.planned
    }
}

/// The result for one requirement node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RequirementResult {
    pub key: String,
    pub title: String,
    pub status: Status,
    /// Credit figures; all zero for assets, assessment and GPA requirements.
    #[serde(flatten)]
    pub credits: CreditTally,
    /// The measured value for assets, assessment and GPA requirements.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub measure: Option<Measure>,
    /// Credit counted here, one line per entry and status; includes the children's.
    pub allocations: Vec<Allocation>,
    /// The branch used, for `anyOf` and n-of requirements.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub choice: Option<Choice>,
    /// The waiver applied here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub waiver: Option<AppliedWaiver>,
    /// Entries counted here by substitution.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub substitutions: Vec<String>,
    /// Nested minimums, or the requirements of the chosen branch.
    #[schema(no_recursion)]
    pub children: Vec<RequirementResult>,
    /// One or two sentences for the student and counselor.
    pub explanation: String,
}

/// A value measured for a non-course requirement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Measure {
    /// Kind of value measured: `assets`, `score` or `gpa`.
    pub unit: String,
    pub required: f64,
    /// The value reached; absent when there is nothing to measure yet.
    pub achieved: Option<f64>,
}

/// Credit of one entry counted toward a requirement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Allocation {
    pub entry_id: String,
    #[serde(with = "super::credits")]
    #[schema(value_type = f64)]
    pub credits: u32,
    pub part: CreditPart,
}

/// The status part an allocation belongs to.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum CreditPart {
    Earned,
    InProgress,
    Planned,
}

/// The branch chosen for an alternative requirement, and why the others were not.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Choice {
    pub branch: String,
    pub alternatives: Vec<Alternative>,
}

/// A branch that was not chosen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Alternative {
    pub branch: String,
    /// Status the requirement would have with this branch.
    pub status: Status,
    pub reason: String,
}

/// A waiver as applied.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AppliedWaiver {
    /// The lowered minimum in units; absent when waived entirely.
    #[serde(with = "super::credits::option")]
    #[schema(value_type = Option<f64>)]
    pub reduced_to: Option<u32>,
    pub reason: String,
    pub approved_by: String,
}

/// An entry whose credit is not, or not all, counted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UnusedEntry {
    pub entry_id: String,
    /// Credit not counted, in units.
    #[serde(with = "super::credits")]
    #[schema(value_type = f64)]
    pub credits: u32,
    pub reason: UnusedReason,
}

/// Reason credit of an entry is not counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UnusedReason {
    /// A failed attempt earns no credit.
    Failed,
    /// A withdrawn attempt earns no credit.
    Withdrawn,
    /// A second passing attempt of a course that is not repeatable earns nothing.
    RepeatOfNonRepeatable,
    /// The entry carries no credit.
    NoCredit,
    /// No requirement's selector matches the entry.
    NoMatchingRequirement,
    /// Every requirement the entry matches is already full, so the credit is beyond the total.
    SurplusBeyondTotal,
}

/// A problem the input shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Issue {
    pub code: IssueCode,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub entry_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub requirement_key: Option<String>,
    pub message: String,
}

/// Machine-readable issue codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum IssueCode {
    RuleSetNotForClass,
    DuplicateEntryId,
    NonRepeatableCourseRepeated,
    PlannedInPastSchoolYear,
    CompletedInFutureSchoolYear,
    InvalidScedCode,
    GradeLevelOutOfRange,
    CreditsEarnedExceedCredits,
    MarkOutOfRange,
    UnknownAssetType,
    UnknownRequirementKey,
    UnknownEntryId,
    WaiverNotApplicable,
    SubstitutionNotApplicable,
    /// A plan entry names a catalog course that no longer exists; the entry is not audited.
    UnknownCourse,
    /// A course's catalog prerequisite has no passing, in-progress or planned entry in an
    /// earlier school year.
    MissingPrerequisite,
}

/// Advisory credit progress by the end of one grade.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PacingResult {
    pub grade: u8,
    /// Cumulative credit expected by the end of the grade.
    #[serde(with = "super::credits")]
    #[schema(value_type = f64)]
    pub expected: u32,
    /// Credit earned on completed entries taken in this grade or earlier.
    #[serde(with = "super::credits")]
    #[schema(value_type = f64)]
    pub earned: u32,
    #[serde(with = "super::credits")]
    #[schema(value_type = f64)]
    pub in_progress: u32,
    #[serde(with = "super::credits")]
    #[schema(value_type = f64)]
    pub planned: u32,
    /// Expected credit not covered by any status.
    #[serde(with = "super::credits")]
    #[schema(value_type = f64)]
    pub shortfall: u32,
}

/// Credit counted toward the rule set's total.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TotalResult {
    pub status: Status,
    #[serde(flatten)]
    pub credits: CreditTally,
}
