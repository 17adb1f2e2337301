//! Evaluation of one option combination: solve the networks, then turn leaf allocations into
//! one result per requirement node.

use std::collections::BTreeMap;

use super::allocate::{
    Adjustments, LeafOutcome, NetworkOutcome, allocate, course_children, subtree_minimum,
};
use super::choice::ChoiceOption;
use super::entries::Candidate;
use super::explain;
use super::input::AuditInput;
use super::measures;
use super::result::{
    Allocation, AppliedWaiver, Choice, CreditPart, CreditTally, RequirementResult, Status,
};
use super::rules::{CourseRule, Requirement, Rule, RuleSet};

/// Inputs to evaluation besides the rule set.
pub(super) struct Context<'a> {
    pub input: &'a AuditInput,
    pub candidates: &'a [Candidate<'a>],
    pub adjustments: &'a Adjustments<'a>,
    /// `at_risk` while the audit's school year is no later than the graduation year, else
    /// `unmet`.
    pub short_status: Status,
}

/// The outcome of one option combination.
#[derive(Debug)]
pub(super) struct Evaluation {
    pub requirements: Vec<RequirementResult>,
    pub total: Option<(CreditTally, Status)>,
    /// Credit allocated per candidate in the exclusive network.
    pub used: Vec<u32>,
    /// Credit allocated per candidate in shareable requirements.
    pub shared_used: Vec<u32>,
    pub matched: Vec<bool>,
}

impl Evaluation {
    /// Ranks combinations: more requirements in a better status, then more earned credit,
    /// then more in-progress credit, then less planned credit.
    pub fn score(&self) -> (u32, u32, u32, std::cmp::Reverse<u32>) {
        let mut status_points: u32 = self
            .requirements
            .iter()
            .map(|result| u32::from(result.status.rank()))
            .sum();
        let mut tally = CreditTally::default();
        for result in &self.requirements {
            add_tally(&mut tally, &result.credits);
        }
        if let Some((_, status)) = &self.total {
            status_points += u32::from(status.rank());
        }
        (
            status_points,
            tally.earned,
            tally.in_progress,
            std::cmp::Reverse(tally.planned),
        )
    }
}

/// Evaluates the rule set with the given option chosen at each choice point, by key.
pub(super) fn evaluate(
    rule_set: &RuleSet,
    chosen: &BTreeMap<&str, &ChoiceOption>,
    context: &Context,
) -> Evaluation {
    let mut exclusive = Vec::new();
    let mut shareable = Vec::new();
    for requirement in &rule_set.requirements {
        collect_roots(
            requirement,
            chosen,
            context.adjustments,
            &mut exclusive,
            &mut shareable,
        );
    }

    let network = allocate(
        &exclusive,
        context.candidates,
        context.adjustments,
        rule_set.total_credits,
    );
    let mut leaves = network.leaves.clone();
    let mut shared_used = vec![0; context.candidates.len()];
    for root in shareable {
        let shared = allocate(&[root], context.candidates, context.adjustments, None);
        for (index, credit) in shared.used.iter().enumerate() {
            shared_used[index] += credit;
        }
        leaves.extend(shared.leaves);
    }

    let requirements = rule_set
        .requirements
        .iter()
        .map(|requirement| evaluate_node(requirement, chosen, &leaves, context))
        .collect();
    let total = rule_set
        .total_credits
        .map(|total| total_result(total, &network, context));

    Evaluation {
        requirements,
        total,
        used: network.used,
        shared_used,
        matched: network.matched,
    }
}

/// Sorts the active course requirements into those sharing one pool of credit and those
/// solved apart (`shareable`).
fn collect_roots<'r>(
    requirement: &'r Requirement,
    chosen: &BTreeMap<&str, &ChoiceOption<'r>>,
    adjustments: &Adjustments,
    exclusive: &mut Vec<(&'r Requirement, &'r CourseRule)>,
    shareable: &mut Vec<(&'r Requirement, &'r CourseRule)>,
) {
    match &requirement.rule {
        Rule::Courses(rule) if rule.shareable => shareable.push((requirement, rule)),
        Rule::Courses(rule) => exclusive.push((requirement, rule)),
        Rule::AnyOf(_) | Rule::NOf(_) => {
            if adjustments.is_waived_entirely(&requirement.key) {
                return;
            }
            if let Some(option) = chosen.get(requirement.key.as_str()) {
                for member in &option.requirements {
                    collect_roots(member, chosen, adjustments, exclusive, shareable);
                }
            }
        }
        Rule::Assets(_) | Rule::Assessment(_) | Rule::Gpa(_) => {}
    }
}

fn evaluate_node(
    requirement: &Requirement,
    chosen: &BTreeMap<&str, &ChoiceOption>,
    leaves: &BTreeMap<&str, LeafOutcome>,
    context: &Context,
) -> RequirementResult {
    let mut result = match &requirement.rule {
        Rule::Courses(rule) => evaluate_courses(requirement, rule, leaves, context),
        Rule::AnyOf(_) | Rule::NOf(_) => evaluate_choice(requirement, chosen, leaves, context),
        Rule::Assets(rule) => measures::evaluate_assets(requirement, rule, context),
        Rule::Assessment(rule) => measures::evaluate_assessment(requirement, rule, context),
        Rule::Gpa(rule) => measures::evaluate_gpa(requirement, rule, context),
    };

    if let Some(waiver) = context.adjustments.waivers.get(requirement.key.as_str()) {
        result.waiver = Some(AppliedWaiver {
            reduced_to: waiver.reduced_to,
            reason: waiver.reason.clone(),
            approved_by: waiver.approved_by.clone(),
        });
        if waiver.reduced_to.is_none() {
            result.status = Status::Waived;
        }
    }

    result.explanation = explain::requirement(&result);
    result
}

pub(super) fn empty_result(requirement: &Requirement) -> RequirementResult {
    RequirementResult {
        key: requirement.key.clone(),
        title: requirement.title.clone(),
        status: Status::Met,
        credits: CreditTally::default(),
        measure: None,
        allocations: Vec::new(),
        choice: None,
        waiver: None,
        substitutions: Vec::new(),
        children: Vec::new(),
        explanation: String::new(),
    }
}

fn evaluate_courses(
    requirement: &Requirement,
    rule: &CourseRule,
    leaves: &BTreeMap<&str, LeafOutcome>,
    context: &Context,
) -> RequirementResult {
    let mut result = empty_result(requirement);

    let mut children_complete = true;
    for (child, _) in course_children(rule) {
        let child_result = evaluate_node(child, &BTreeMap::new(), leaves, context);
        children_complete &= child_result.status.rank() >= Status::Met.rank();
        add_tally(&mut result.credits, &child_result.credits);
        result
            .allocations
            .extend(child_result.allocations.iter().cloned());
        result.children.push(child_result);
    }

    if let Some(leaf) = leaves.get(requirement.key.as_str()) {
        let substitutes = context
            .adjustments
            .substitutions
            .get(requirement.key.as_str());
        for &(candidate_index, credit) in &leaf.allocations {
            let candidate = &context.candidates[candidate_index];
            add_part(&mut result.credits, candidate.part, credit);
            result.allocations.push(Allocation {
                entry_id: candidate.entry.id.clone(),
                credits: credit,
                part: candidate.part,
            });
            if substitutes.is_some_and(|ids| ids.contains(candidate.entry.id.as_str())) {
                result.substitutions.push(candidate.entry.id.clone());
            }
        }
    }
    result.allocations = merge_allocations(std::mem::take(&mut result.allocations));

    let required = subtree_minimum(requirement, rule, context.adjustments);
    result.credits.required = required;
    result.credits.remaining = required.saturating_sub(result.credits.allocated());

    let min_courses = usize::try_from(rule.min_courses.unwrap_or(0)).unwrap_or(usize::MAX);
    let earned_courses = distinct_entries(&result.allocations, |part| part == CreditPart::Earned);
    let all_courses = distinct_entries(&result.allocations, |_| true);

    result.status = if result.credits.earned >= required
        && earned_courses >= min_courses
        && children_complete
    {
        Status::Met
    } else if result.credits.allocated() >= required && all_courses >= min_courses {
        Status::OnTrack
    } else {
        context.short_status
    };
    result
}

fn evaluate_choice(
    requirement: &Requirement,
    chosen: &BTreeMap<&str, &ChoiceOption>,
    leaves: &BTreeMap<&str, LeafOutcome>,
    context: &Context,
) -> RequirementResult {
    let mut result = empty_result(requirement);
    if context.adjustments.is_waived_entirely(&requirement.key) {
        return result;
    }
    let Some(option) = chosen.get(requirement.key.as_str()) else {
        return result;
    };

    for member in &option.requirements {
        let member_result = evaluate_node(member, chosen, leaves, context);
        add_tally(&mut result.credits, &member_result.credits);
        result
            .allocations
            .extend(member_result.allocations.iter().cloned());
        result.children.push(member_result);
    }
    result.allocations = merge_allocations(std::mem::take(&mut result.allocations));
    result.status = combine(result.children.iter().map(|child| child.status));
    result.choice = Some(Choice {
        branch: option.label.clone(),
        alternatives: Vec::new(),
    });
    result
}

fn total_result(total: u32, network: &NetworkOutcome, context: &Context) -> (CreditTally, Status) {
    let mut tally = CreditTally {
        required: total,
        ..CreditTally::default()
    };
    for leaf in network.leaves.values().chain(network.total_leaf.iter()) {
        for &(candidate_index, credit) in &leaf.allocations {
            add_part(&mut tally, context.candidates[candidate_index].part, credit);
        }
    }
    tally.remaining = total.saturating_sub(tally.allocated());

    let status = if tally.earned >= total {
        Status::Met
    } else if tally.allocated() >= total {
        Status::OnTrack
    } else {
        context.short_status
    };
    (tally, status)
}

/// Combines member statuses: the worst one, where a waiver counts as met; all waived stays
/// waived.
pub(super) fn combine(statuses: impl Iterator<Item = Status>) -> Status {
    let mut worst: Option<Status> = None;
    for status in statuses {
        worst = Some(match worst {
            None => status,
            Some(current) if status.rank() < current.rank() => status,
            Some(current) if status.rank() == current.rank() && status == Status::Met => {
                Status::Met
            }
            Some(current) => current,
        });
    }
    worst.unwrap_or(Status::Met)
}

fn add_part(tally: &mut CreditTally, part: CreditPart, credit: u32) {
    match part {
        CreditPart::Earned => tally.earned += credit,
        CreditPart::InProgress => tally.in_progress += credit,
        CreditPart::Planned => tally.planned += credit,
    }
}

fn add_tally(tally: &mut CreditTally, other: &CreditTally) {
    tally.required += other.required;
    tally.earned += other.earned;
    tally.in_progress += other.in_progress;
    tally.planned += other.planned;
    tally.remaining += other.remaining;
}

/// Merges allocations of one entry and part, sorted by entry id then part.
fn merge_allocations(mut allocations: Vec<Allocation>) -> Vec<Allocation> {
    allocations.sort_by(|a, b| a.entry_id.cmp(&b.entry_id).then(a.part.cmp(&b.part)));
    let mut merged: Vec<Allocation> = Vec::with_capacity(allocations.len());
    for allocation in allocations {
        match merged.last_mut() {
            Some(last) if last.entry_id == allocation.entry_id && last.part == allocation.part => {
                last.credits += allocation.credits;
            }
            _ => merged.push(allocation),
        }
    }
    merged
}

fn distinct_entries(allocations: &[Allocation], include: impl Fn(CreditPart) -> bool) -> usize {
    let mut ids: Vec<&str> = allocations
        .iter()
        .filter(|allocation| include(allocation.part))
        .map(|allocation| allocation.entry_id.as_str())
        .collect();
    ids.dedup();
    ids.len()
}
