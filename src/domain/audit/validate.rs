//! Rule-set validation. Every error carries a JSON Pointer (RFC 6901) to the faulty node, so
//! an editor can show it in place.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::choice::{self, MAX_COMBINATIONS};
use super::rules::{CourseRule, Requirement, Rule, RuleSet};
use crate::domain::identifiers::{CLIENT_CHOSEN_ID_RULE, is_client_chosen_id};

/// Maximum number of members in an n-of group.
const MAX_GROUP_MEMBERS: usize = 20;

/// A problem in a rule set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RuleError {
    /// JSON Pointer to the faulty node, for example `/requirements/2/children/0/credits`.
    pub pointer: String,
    pub message: String,
}

impl RuleError {
    pub(super) fn new(pointer: impl Into<String>, message: impl Into<String>) -> Self {
        RuleError {
            pointer: pointer.into(),
            message: message.into(),
        }
    }
}

/// Checks a resolved rule set: unique keys, nested minimums within their parent, known asset
/// lists and types, sane n-of counts and scores, and a bounded number of alternatives.
pub fn validate(rule_set: &RuleSet) -> Result<(), Vec<RuleError>> {
    let mut errors = Vec::new();

    if !is_client_chosen_id(&rule_set.id) {
        errors.push(RuleError::new(
            "/id",
            format!("rule set id {CLIENT_CHOSEN_ID_RULE}"),
        ));
    }
    if rule_set.version == 0 {
        errors.push(RuleError::new("/version", "version must be 1 or more"));
    }
    if let (Some(from), Some(to)) = (
        rule_set.graduating_classes.from,
        rule_set.graduating_classes.to,
    ) && from > to
    {
        errors.push(RuleError::new(
            "/graduatingClasses",
            format!("class range is empty: from {from} is after to {to}"),
        ));
    }
    if !rule_set.changes.is_empty() {
        errors.push(RuleError::new(
            "/changes",
            "rule set has unapplied changes; resolve it against its base rule set first",
        ));
    }

    let mut keys = BTreeSet::new();
    for (index, requirement) in rule_set.requirements.iter().enumerate() {
        check_requirement(
            requirement,
            &format!("/requirements/{index}"),
            false,
            &mut keys,
            &mut errors,
        );
    }

    let mut previous_grade = 0;
    for (index, target) in rule_set.pacing.iter().enumerate() {
        if !(6..=12).contains(&target.grade) || target.grade <= previous_grade {
            errors.push(RuleError::new(
                format!("/pacing/{index}/grade"),
                format!(
                    "pacing grades must rise from 6 to 12, got {} after {previous_grade}",
                    target.grade
                ),
            ));
        }
        previous_grade = target.grade;
    }

    let combinations = choice::combination_count(&rule_set.requirements);
    if combinations > MAX_COMBINATIONS {
        errors.push(RuleError::new(
            "/requirements",
            format!("alternatives produce {combinations} combinations, more than the {MAX_COMBINATIONS} the engine solves"),
        ));
    }

    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

fn check_requirement(
    requirement: &Requirement,
    pointer: &str,
    inside_courses: bool,
    keys: &mut BTreeSet<String>,
    errors: &mut Vec<RuleError>,
) {
    let key_is_snake_case = !requirement.key.is_empty()
        && requirement
            .key
            .bytes()
            .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'_');
    if !key_is_snake_case {
        errors.push(RuleError::new(
            format!("{pointer}/key"),
            format!("key {:?} must be lower_snake_case", requirement.key),
        ));
    }
    if !keys.insert(requirement.key.clone()) {
        errors.push(RuleError::new(
            format!("{pointer}/key"),
            format!("key {:?} is used more than once", requirement.key),
        ));
    }

    match &requirement.rule {
        Rule::Courses(rule) => check_courses(rule, pointer, inside_courses, keys, errors),
        Rule::AnyOf(rule) => {
            if rule.branches.is_empty() {
                errors.push(RuleError::new(
                    format!("{pointer}/branches"),
                    "anyOf needs at least one branch",
                ));
            }
            let mut branch_keys = BTreeSet::new();
            for (branch_index, branch) in rule.branches.iter().enumerate() {
                let branch_pointer = format!("{pointer}/branches/{branch_index}");
                if !branch_keys.insert(branch.key.as_str()) {
                    errors.push(RuleError::new(
                        format!("{branch_pointer}/key"),
                        format!("branch key {:?} is used more than once", branch.key),
                    ));
                }
                if branch.requirements.is_empty() {
                    errors.push(RuleError::new(
                        format!("{branch_pointer}/requirements"),
                        "a branch needs at least one requirement",
                    ));
                }
                for (index, member) in branch.requirements.iter().enumerate() {
                    check_requirement(
                        member,
                        &format!("{branch_pointer}/requirements/{index}"),
                        false,
                        keys,
                        errors,
                    );
                }
            }
        }
        Rule::NOf(rule) => {
            let members = rule.of.len();
            let count = usize::try_from(rule.count).unwrap_or(usize::MAX);
            if count == 0 || count > members {
                errors.push(RuleError::new(
                    format!("{pointer}/count"),
                    format!(
                        "count must be between 1 and the {members} listed requirements, got {count}"
                    ),
                ));
            }
            if members > MAX_GROUP_MEMBERS {
                errors.push(RuleError::new(format!("{pointer}/of"), format!("an n-of group may list at most {MAX_GROUP_MEMBERS} requirements, got {members}")));
            }
            for (index, member) in rule.of.iter().enumerate() {
                check_requirement(
                    member,
                    &format!("{pointer}/of/{index}"),
                    false,
                    keys,
                    errors,
                );
            }
        }
        Rule::Assets(rule) => {
            if rule.count == 0 {
                errors.push(RuleError::new(
                    format!("{pointer}/count"),
                    "count must be 1 or more",
                ));
            }
            if !super::builtin::asset_list_exists(&rule.list) {
                errors.push(RuleError::new(
                    format!("{pointer}/list"),
                    format!("asset list {:?} is not known", rule.list),
                ));
            } else {
                for (index, asset_type) in rule.from.iter().enumerate() {
                    if !super::builtin::asset_list_contains(&rule.list, asset_type) {
                        errors.push(RuleError::new(
                            format!("{pointer}/from/{index}"),
                            format!(
                                "asset type {asset_type:?} is not on the asset list {}",
                                rule.list
                            ),
                        ));
                    }
                }
            }
        }
        Rule::Assessment(rule) => {
            if rule.test.trim().is_empty() {
                errors.push(RuleError::new(
                    format!("{pointer}/test"),
                    "test must not be empty",
                ));
            }
            if !rule.min_score.is_finite() || rule.min_score < 0.0 {
                errors.push(RuleError::new(
                    format!("{pointer}/minScore"),
                    format!(
                        "minimum score must be a non-negative number, got {}",
                        rule.min_score
                    ),
                ));
            }
        }
        Rule::Gpa(rule) => {
            if !(0.0..=4.0).contains(&rule.minimum) {
                errors.push(RuleError::new(
                    format!("{pointer}/minimum"),
                    format!(
                        "minimum GPA must be between 0.0 and 4.0, got {}",
                        rule.minimum
                    ),
                ));
            }
            if let Some(selector) = &rule.selector {
                check_selector(selector, &format!("{pointer}/selector"), errors);
            }
        }
    }
}

fn check_courses(
    rule: &CourseRule,
    pointer: &str,
    inside_courses: bool,
    keys: &mut BTreeSet<String>,
    errors: &mut Vec<RuleError>,
) {
    if let Some(selector) = &rule.selector {
        check_selector(selector, &format!("{pointer}/selector"), errors);
    }
    if let Some(min_mark) = rule.min_mark
        && !(0.0..=4.0).contains(&min_mark)
    {
        errors.push(RuleError::new(
            format!("{pointer}/minMark"),
            format!("minimum mark must be between 0.0 and 4.0 grade points, got {min_mark}"),
        ));
    }
    if rule.min_courses == Some(0) {
        errors.push(RuleError::new(
            format!("{pointer}/minCourses"),
            "minCourses must be 1 or more when present",
        ));
    }
    if inside_courses && rule.shareable {
        errors.push(RuleError::new(
            format!("{pointer}/shareable"),
            "a nested minimum shares its parent's credit, so it cannot be shareable on its own",
        ));
    }

    if let Some(limit) = &rule.limit {
        check_selector(
            &limit.selector,
            &format!("{pointer}/limit/selector"),
            errors,
        );
        if !rule.children.is_empty() {
            errors.push(RuleError::new(
                format!("{pointer}/limit"),
                "a credit limit is supported only on a requirement without nested minimums",
            ));
        }
        if limit.credits > rule.credits {
            errors.push(RuleError::new(
                format!("{pointer}/limit/credits"),
                "the limit exceeds the requirement's own minimum, so it limits nothing",
            ));
        }
    }

    let mut children_credits = 0;
    for (index, child) in rule.children.iter().enumerate() {
        let child_pointer = format!("{pointer}/children/{index}");
        match &child.rule {
            Rule::Courses(child_rule) => children_credits += child_rule.credits,
            _ => errors.push(RuleError::new(
                format!("{child_pointer}/kind"),
                "a nested minimum must be a courses requirement",
            )),
        }
        check_requirement(child, &child_pointer, true, keys, errors);
    }
    if children_credits > rule.credits {
        errors.push(RuleError::new(
            format!("{pointer}/credits"),
            format!(
                "nested minimums need {} units, more than the {} units of the requirement",
                super::credits::format(children_credits),
                super::credits::format(rule.credits)
            ),
        ));
    }
}

fn check_selector(
    selector: &super::selector::Selector,
    pointer: &str,
    errors: &mut Vec<RuleError>,
) {
    let mut problems = Vec::new();
    selector.check(pointer, &mut problems);
    errors.extend(
        problems
            .into_iter()
            .map(|(pointer, message)| RuleError::new(pointer, message)),
    );
}
