//! The audit: prepare entries, apply waivers and substitutions, evaluate every option
//! combination, keep the best and explain the rest.

use std::collections::{BTreeMap, BTreeSet};

use super::allocate::Adjustments;
use super::choice::{self, ChoiceOption, ChoicePoint};
use super::entries::{self, Candidate};
use super::evaluate::{self, Context, Evaluation};
use super::input::AuditInput;
use super::result::{
    Alternative, AuditResult, CreditPart, Issue, IssueCode, PacingResult, RequirementResult,
    Status, UnusedEntry, UnusedReason,
};
use super::rules::{Requirement, Rule, RuleSet};

/// Audits a plan against a rule set that passed validation.
pub(super) fn run(rule_set: &RuleSet, input: &AuditInput) -> AuditResult {
    let prepared = entries::prepare(input);
    let mut issues = prepared.issues;

    if !rule_set.graduating_classes.contains(input.graduation_year) {
        issues.push(Issue {
            code: IssueCode::RuleSetNotForClass,
            entry_id: None,
            requirement_key: None,
            message: format!(
                "rule set {} version {} does not cover the class of {}; choose the rule set for that class",
                rule_set.id, rule_set.version, input.graduation_year
            ),
        });
    }
    report_unknown_assets(rule_set, input, &mut issues);
    let adjustments = adjustments(rule_set, input, &mut issues);

    let short_status = if input.as_of_school_year <= input.graduation_year {
        Status::AtRisk
    } else {
        Status::Unmet
    };
    let context = Context {
        input,
        candidates: &prepared.candidates,
        adjustments: &adjustments,
        short_status,
    };

    let points = choice::choice_points(&rule_set.requirements);
    let combinations = choice::combinations(&points);
    let evaluations: Vec<Evaluation> = combinations
        .iter()
        .map(|combination| {
            evaluate::evaluate(rule_set, &chosen_options(&points, combination), &context)
        })
        .collect();

    // The first combination with the highest score wins, so earlier branches break ties.
    let mut best_index = 0;
    for (index, evaluation) in evaluations.iter().enumerate() {
        if evaluation.score() > evaluations[best_index].score() {
            best_index = index;
        }
    }

    let mut best = evaluations
        .get(best_index)
        .map(clone_evaluation)
        .unwrap_or_else(|| Evaluation {
            requirements: Vec::new(),
            total: None,
            used: Vec::new(),
            shared_used: Vec::new(),
            matched: Vec::new(),
        });
    if let Some(combination) = combinations.get(best_index) {
        describe_alternatives(&points, combination, &evaluations, &mut best.requirements);
    }

    let mut unused_entries = prepared.excluded;
    unused_entries.extend(unused_candidates(&prepared.candidates, &best));
    unused_entries.sort_by(|a, b| a.entry_id.cmp(&b.entry_id).then(a.reason.cmp(&b.reason)));

    let mut status = evaluate::combine(best.requirements.iter().map(|result| result.status));
    if let Some((_, total_status)) = best.total
        && total_status.rank() < status.rank()
    {
        status = total_status;
    }
    if status == Status::Waived {
        status = Status::Met;
    }

    AuditResult {
        engine_version: super::ENGINE_VERSION.to_string(),
        rule_set_id: rule_set.id.clone(),
        rule_set_version: rule_set.version,
        status,
        requirements: best.requirements,
        total: best
            .total
            .map(|(credits, status)| super::result::TotalResult { credits, status }),
        unused_entries,
        issues,
        pacing: pacing(rule_set, &prepared.candidates),
    }
}

fn clone_evaluation(evaluation: &Evaluation) -> Evaluation {
    Evaluation {
        requirements: evaluation.requirements.clone(),
        total: evaluation.total,
        used: evaluation.used.clone(),
        shared_used: evaluation.shared_used.clone(),
        matched: evaluation.matched.clone(),
    }
}

fn chosen_options<'p, 'r>(
    points: &'p [ChoicePoint<'r>],
    combination: &[usize],
) -> BTreeMap<&'r str, &'p ChoiceOption<'r>> {
    points
        .iter()
        .zip(combination)
        .filter_map(|(point, &option)| point.options.get(option).map(|chosen| (point.key, chosen)))
        .collect()
}

/// Fills in, for each choice point in the best combination, how every other option fares with
/// the remaining choices unchanged.
fn describe_alternatives(
    points: &[ChoicePoint],
    best: &[usize],
    evaluations: &[Evaluation],
    requirements: &mut [RequirementResult],
) {
    for (point_index, point) in points.iter().enumerate() {
        let mut alternatives = Vec::new();
        for (option_index, option) in point.options.iter().enumerate() {
            if option_index == best[point_index] {
                continue;
            }
            let mut combination = best.to_vec();
            combination[point_index] = option_index;
            let index = choice::combination_index(points, &combination);
            let Some(result) = evaluations
                .get(index)
                .and_then(|evaluation| find(&evaluation.requirements, point.key))
            else {
                continue;
            };

            let failing: Vec<String> = result
                .children
                .iter()
                .filter(|child| child.status.rank() < Status::OnTrack.rank())
                .map(|child| format!("{}: {}", child.title, child.explanation))
                .collect();
            let reason = if failing.is_empty() {
                format!(
                    "also {}, but the chosen branch leaves the plan in a better state",
                    result.status.label()
                )
            } else {
                failing.join(" ")
            };
            alternatives.push(Alternative {
                branch: option.label.clone(),
                status: result.status,
                reason,
            });
        }

        if let Some(result) = find_mut(requirements, point.key)
            && let Some(choice) = &mut result.choice
        {
            choice.alternatives = alternatives;
        }
    }
}

fn find<'a>(results: &'a [RequirementResult], key: &str) -> Option<&'a RequirementResult> {
    results.iter().find_map(|result| {
        if result.key == key {
            Some(result)
        } else {
            find(&result.children, key)
        }
    })
}

fn find_mut<'a>(
    results: &'a mut [RequirementResult],
    key: &str,
) -> Option<&'a mut RequirementResult> {
    for result in results {
        if result.key == key {
            return Some(result);
        }
        if let Some(found) = find_mut(&mut result.children, key) {
            return Some(found);
        }
    }
    None
}

/// Lists candidates whose credit the exclusive network did not use in full. An entry used
/// only by shareable requirements is not listed.
fn unused_candidates(candidates: &[Candidate], best: &Evaluation) -> Vec<UnusedEntry> {
    let mut unused = Vec::new();
    for (index, candidate) in candidates.iter().enumerate() {
        let used = best.used.get(index).copied().unwrap_or(0);
        let shared = best.shared_used.get(index).copied().unwrap_or(0);
        if used >= candidate.available || (used == 0 && shared > 0) {
            continue;
        }
        let reason = if best.matched.get(index).copied().unwrap_or(false) {
            UnusedReason::SurplusBeyondTotal
        } else {
            UnusedReason::NoMatchingRequirement
        };
        unused.push(UnusedEntry {
            entry_id: candidate.entry.id.clone(),
            credits: candidate.available - used,
            reason,
        });
    }
    unused
}

/// Indexes waivers and substitutions by requirement key and reports those that name nothing
/// or cannot apply.
fn adjustments<'a>(
    rule_set: &'a RuleSet,
    input: &'a AuditInput,
    issues: &mut Vec<Issue>,
) -> Adjustments<'a> {
    let mut requirements = BTreeMap::new();
    for requirement in &rule_set.requirements {
        index_requirements(requirement, &mut requirements);
    }
    let entry_ids: BTreeSet<&str> = input
        .entries
        .iter()
        .map(|entry| entry.id.as_str())
        .collect();
    let mut adjustments = Adjustments::default();

    for waiver in &input.waivers {
        let key = waiver.requirement_key.as_str();
        let Some(requirement) = requirements.get(key) else {
            issues.push(requirement_issue(
                IssueCode::UnknownRequirementKey,
                key,
                format!("waiver names requirement {key:?}, which the rule set does not have"),
            ));
            continue;
        };
        let is_courses = matches!(requirement.rule, Rule::Courses(_));
        if waiver.reduced_to.is_some() && !is_courses {
            issues.push(requirement_issue(
                IssueCode::WaiverNotApplicable,
                key,
                format!("waiver lowers the minimum of {key:?}, which has no credit minimum; waive it entirely instead"),
            ));
            continue;
        }
        adjustments.waivers.insert(key, waiver);
    }

    for substitution in &input.substitutions {
        let key = substitution.requirement_key.as_str();
        let Some(requirement) = requirements.get(key) else {
            issues.push(requirement_issue(
                IssueCode::UnknownRequirementKey,
                key,
                format!("substitution names requirement {key:?}, which the rule set does not have"),
            ));
            continue;
        };
        if !matches!(requirement.rule, Rule::Courses(_)) {
            issues.push(requirement_issue(
                IssueCode::SubstitutionNotApplicable,
                key,
                format!("substitution names {key:?}, which is not a course requirement"),
            ));
            continue;
        }
        if !entry_ids.contains(substitution.entry_id.as_str()) {
            issues.push(Issue {
                code: IssueCode::UnknownEntryId,
                entry_id: Some(substitution.entry_id.clone()),
                requirement_key: Some(key.to_string()),
                message: format!(
                    "substitution names entry {:?}, which the plan does not have",
                    substitution.entry_id
                ),
            });
            continue;
        }
        adjustments
            .substitutions
            .entry(key)
            .or_default()
            .insert(substitution.entry_id.as_str());
    }
    adjustments
}

fn index_requirements<'a>(
    requirement: &'a Requirement,
    index: &mut BTreeMap<&'a str, &'a Requirement>,
) {
    index.insert(&requirement.key, requirement);
    for sub_requirement in requirement.sub_requirements() {
        index_requirements(sub_requirement, index);
    }
}

fn requirement_issue(code: IssueCode, key: &str, message: String) -> Issue {
    Issue {
        code,
        entry_id: None,
        requirement_key: Some(key.to_string()),
        message,
    }
}

/// Reports assets whose type is on none of the asset lists the rule set uses.
fn report_unknown_assets(rule_set: &RuleSet, input: &AuditInput, issues: &mut Vec<Issue>) {
    let mut lists = BTreeSet::new();
    let mut pending: Vec<&Requirement> = rule_set.requirements.iter().collect();
    while let Some(requirement) = pending.pop() {
        if let Rule::Assets(rule) = &requirement.rule {
            lists.insert(rule.list.as_str());
        }
        pending.extend(requirement.sub_requirements());
    }
    if lists.is_empty() {
        return;
    }

    for asset in &input.assets {
        if !lists
            .iter()
            .any(|list| super::builtin::asset_list_contains(list, &asset.asset_type))
        {
            issues.push(Issue {
                code: IssueCode::UnknownAssetType,
                entry_id: None,
                requirement_key: None,
                message: format!(
                    "asset type {:?} is not on the asset list {}",
                    asset.asset_type,
                    lists.iter().copied().collect::<Vec<_>>().join(", ")
                ),
            });
        }
    }
}

/// Sums contributing credit by the end of each pacing grade.
fn pacing(rule_set: &RuleSet, candidates: &[Candidate]) -> Vec<PacingResult> {
    rule_set
        .pacing
        .iter()
        .map(|target| {
            let mut result = PacingResult {
                grade: target.grade,
                expected: target.credits,
                earned: 0,
                in_progress: 0,
                planned: 0,
                shortfall: 0,
            };
            for candidate in candidates
                .iter()
                .filter(|candidate| candidate.entry.grade_level <= target.grade)
            {
                match candidate.part {
                    CreditPart::Earned => result.earned += candidate.available,
                    CreditPart::InProgress => result.in_progress += candidate.available,
                    CreditPart::Planned => result.planned += candidate.available,
                }
            }
            result.shortfall = target
                .credits
                .saturating_sub(result.earned + result.in_progress + result.planned);
            result
        })
        .collect()
}
