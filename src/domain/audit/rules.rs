//! The rule-set model: graduation requirements as versioned data.
//!
//! A rule set lists requirements as a tree. A course requirement needs a minimum of credit from
//! the course entries its selector matches. Its `children` are nested minimums inside that
//! credit, for example "English language arts 4 units, including ½ unit of communication".
//! Alternatives (`anyOf`), n-of groups and the non-course kinds (postsecondary assets,
//! assessment scores, a grade-point average) sit in the same tree.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::selector::Selector;

/// A versioned set of graduation requirements for a range of graduating classes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RuleSet {
    /// Stable identifier, for example `ks-state-2028`.
    #[schema(pattern = "^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    pub id: String,
    /// Version of this rule set; a change to a published rule set gets a new version.
    pub version: u32,
    pub title: String,
    pub jurisdiction: Jurisdiction,
    /// Graduating classes (years of graduation) the rule set applies to.
    pub graduating_classes: ClassRange,
    /// The base rule set this one changes; when present, the changes are in `changes`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extends: Option<RuleSetRef>,
    /// Credits needed in all, in units; credit beyond the requirements' minimums counts here.
    #[serde(
        default,
        with = "super::credits::option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<f64>)]
    pub total_credits: Option<u32>,
    /// Binding requirements, in the order results report them.
    #[serde(default)]
    pub requirements: Vec<Requirement>,
    /// Advisory credit targets by the end of each grade; they never change a requirement status.
    #[serde(default)]
    pub pacing: Vec<PacingTarget>,
    /// Changes to the base rule set, applied in order by `resolve`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<Change>,
}

/// The authority that sets a rule set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Jurisdiction {
    State,
    District,
    School,
}

/// An inclusive range of graduation years; a missing end is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClassRange {
    #[serde(default)]
    pub from: Option<i32>,
    #[serde(default)]
    pub to: Option<i32>,
}

impl ClassRange {
    /// Reports whether the class graduating in `year` falls in this range.
    pub fn contains(&self, year: i32) -> bool {
        self.from.is_none_or(|from| year >= from) && self.to.is_none_or(|to| year <= to)
    }
}

/// A reference to one version of a rule set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RuleSetRef {
    pub id: String,
    pub version: u32,
}

/// An advisory pacing target: cumulative credits expected by the end of a grade.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PacingTarget {
    pub grade: u8,
    #[serde(with = "super::credits")]
    #[schema(value_type = f64)]
    pub credits: u32,
}

/// One change that an extending rule set makes to its base.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[schema(as = RuleSetChange)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum Change {
    /// Appends a top-level requirement.
    #[schema(title = "AddRequirement")]
    Add { requirement: Requirement },
    /// Replaces the requirement with this key, wherever it sits in the tree.
    #[schema(title = "ReplaceRequirement")]
    Replace {
        key: String,
        requirement: Requirement,
    },
    /// Removes the requirement with this key, wherever it sits in the tree.
    #[schema(title = "DropRequirement")]
    Drop { key: String },
    /// Sets the total credits needed.
    #[schema(title = "SetTotalCredits")]
    SetTotalCredits {
        #[serde(with = "super::credits")]
        #[schema(value_type = f64)]
        credits: u32,
    },
}

/// A node of the requirement tree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Requirement {
    /// Key unique within the rule set, lower_snake_case, used by waivers and substitutions.
    pub key: String,
    pub title: String,
    /// Longer text for counselors and students.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(flatten)]
    pub rule: Rule,
}

/// The kind of a requirement and its parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Rule {
    /// A minimum of credit from matching course entries.
    Courses(CourseRule),
    /// Alternatives: the requirement is met by meeting every requirement of one branch.
    AnyOf(AnyOfRule),
    /// At least `count` of the listed requirements.
    NOf(NOfRule),
    /// At least `count` different postsecondary assets from a versioned asset list.
    Assets(AssetRule),
    /// A minimum score on a test, for example ACT mathematics 22.
    Assessment(AssessmentRule),
    /// A minimum credit-weighted grade-point average over matching completed entries.
    Gpa(GpaRule),
}

/// A minimum of credit from course entries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CourseRule {
    /// Minimum credit in units, including the children's minimums.
    #[serde(with = "super::credits")]
    #[schema(value_type = f64)]
    pub credits: u32,
    /// Minimum number of different entries that must contribute.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_courses: Option<u32>,
    /// The entries that may count; absent means every course.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selector: Option<Selector>,
    /// Minimum grade points (0.0 to 4.0) on a completed entry for it to count here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_mark: Option<f64>,
    /// Nested minimums: course requirements whose credit is part of this one's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(no_recursion)]
    pub children: Vec<Requirement>,
    /// A cap on how much credit from some entries may count here, for example at most ½ unit
    /// of speech toward English.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<CreditLimit>,
    /// Whether credit counted here may also count toward other requirements; the default is
    /// exclusive, so each hundredth of credit counts once.
    #[serde(default)]
    pub shareable: bool,
}

/// At most `credits` from entries matching `selector`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreditLimit {
    pub selector: Selector,
    #[serde(with = "super::credits")]
    #[schema(value_type = f64)]
    pub credits: u32,
}

/// Alternatives; each branch is a list of requirements that must all be met.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AnyOfRule {
    #[schema(no_recursion)]
    pub branches: Vec<Branch>,
}

/// One alternative of an `anyOf` requirement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Branch {
    pub key: String,
    pub title: String,
    #[schema(no_recursion)]
    pub requirements: Vec<Requirement>,
}

/// At least `count` of the listed requirements.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NOfRule {
    pub count: u32,
    #[schema(no_recursion)]
    pub of: Vec<Requirement>,
}

/// Postsecondary assets from a versioned list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AssetRule {
    pub count: u32,
    /// Id of the asset list, for example `ks-postsecondary-assets-2024`.
    pub list: String,
    /// Asset types that count; empty means every asset on the list.
    #[serde(default)]
    pub from: Vec<String>,
}

/// A minimum score on one test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AssessmentRule {
    /// Test name in lower_snake_case, for example `act`.
    pub test: String,
    /// Subject or section, for example `math`; absent means the composite score.
    #[serde(default)]
    pub subject: Option<String>,
    pub min_score: f64,
}

/// A minimum grade-point average over completed entries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GpaRule {
    #[serde(default)]
    pub selector: Option<Selector>,
    /// Minimum credit-weighted average grade points on a 4.0 scale.
    pub minimum: f64,
}

impl Requirement {
    /// Returns the requirements directly below this one, across every branch and group.
    pub fn sub_requirements(&self) -> Vec<&Requirement> {
        match &self.rule {
            Rule::Courses(rule) => rule.children.iter().collect(),
            Rule::AnyOf(rule) => rule
                .branches
                .iter()
                .flat_map(|branch| &branch.requirements)
                .collect(),
            Rule::NOf(rule) => rule.of.iter().collect(),
            Rule::Assets(_) | Rule::Assessment(_) | Rule::Gpa(_) => Vec::new(),
        }
    }
}
