//! Graduation audit: how far a student's plan of study meets a set of graduation requirements.
//!
//! A Kansas Individual Plan of Study (IPS) lists the courses a student has taken, is taking and
//! plans to take from grade 8 to graduation. The audit checks that plan against a versioned
//! [`RuleSet`]: the Kansas state minimum for the student's graduating class, a district's
//! extension of it, or the Board of Regents precollege curriculum. The state minimum is 21
//! units in English language arts, history and government, science, mathematics, fine arts,
//! physical education and electives. From the class of 2028 it also names communication,
//! health, personal financial literacy and advanced STEM, and asks for two postsecondary assets.
//!
//! # How credit is allocated
//!
//! Course credit is counted in hundredths of a unit. Each hundredth counts toward at most one
//! requirement unless the requirement is `shareable`, and one course may split its credit, for
//! example ½ unit to English and ½ unit to electives. Which split is best is a matching problem,
//! so the engine solves it exactly as a minimum-cost maximum flow (see `allocate`): entries on
//! one side, requirement minimums on the other. A greedy pass in input or rule order fails on
//! ordinary records, such as three general science courses listed before the laboratory one.
//!
//! Completed credit is preferred over in-progress credit and in-progress over planned, so a
//! requirement is `met` only by completed courses, and `on_track` when courses in progress or
//! planned close the gap. Alternatives (`anyOf`, n-of groups) are solved per combination and
//! the best one is reported with the reasons the others fall short.
//!
//! # Entry points
//!
//! - [`audit`] audits one plan.
//! - [`validate`] and [`resolve`] check rule sets and apply a district overlay.
//! - [`builtin_rule_sets`] and [`rule_set_for_class`] pick the built-in Kansas rule sets.

mod allocate;
mod builtin;
mod choice;
pub mod credits;
mod engine;
mod entries;
mod evaluate;
mod explain;
mod flow;
mod input;
mod measures;
mod overlay;
mod result;
mod rules;
mod selector;
mod validate;

#[cfg(test)]
mod tests;

pub use builtin::{AssetList, AssetType, builtin_asset_lists, builtin_rule_sets};
pub use choice::MAX_COMBINATIONS;
pub use input::{
    AssessmentScore, AssetRecord, Attribute, AuditInput, CourseEntry, CourseLevel, EntryStatus,
    RegentsFlag, Substitution, Waiver,
};
pub use overlay::resolve;
pub use result::{
    Allocation, Alternative, AppliedWaiver, AuditResult, Choice, CreditPart, CreditTally, Issue,
    IssueCode, Measure, PacingResult, RequirementResult, Status, TotalResult, UnusedEntry,
    UnusedReason,
};
pub use rules::{
    AnyOfRule, AssessmentRule, AssetRule, Branch, Change, ClassRange, CourseRule, CreditLimit,
    GpaRule, Jurisdiction, NOfRule, PacingTarget, Requirement, Rule, RuleSet, RuleSetRef,
};
pub use selector::{Bounds, Selector};
pub use validate::{RuleError, validate};

/// Version of the allocation engine, stored with every result so an audit can be reproduced.
pub const ENGINE_VERSION: &str = "1.0.0";

/// Audits a plan against a rule set.
///
/// The rule set is validated first, and its errors are returned unchanged. Input problems
/// (repeats, planned entries in past school years, unknown references) do not fail the audit;
/// they are listed in [`AuditResult::issues`].
pub fn audit(rule_set: &RuleSet, input: &AuditInput) -> Result<AuditResult, Vec<RuleError>> {
    validate(rule_set)?;
    Ok(engine::run(rule_set, input))
}

/// Picks the rule set whose id starts with `id_prefix` (for example `ks-state-`) and whose
/// graduating classes include `graduation_year`, preferring the highest version.
pub fn rule_set_for_class<'a>(
    rule_sets: &'a [RuleSet],
    id_prefix: &str,
    graduation_year: i32,
) -> Option<&'a RuleSet> {
    rule_sets
        .iter()
        .filter(|rule_set| {
            rule_set.id.starts_with(id_prefix)
                && rule_set.graduating_classes.contains(graduation_year)
        })
        .max_by_key(|rule_set| rule_set.version)
}
