//! Network construction: turns course requirements and entries into a flow network, solves it
//! and reads back which entry's credit counts where.
//!
//! The network is source → entry → leaf → sink, with capacities in hundredths of a unit:
//!
//! - source → entry: the credit the entry can contribute;
//! - entry → leaf: the entry matches the leaf's selector (or a substitution names it);
//! - leaf → sink: the leaf's minimum.
//!
//! A requirement with nested minimums becomes several leaves: one per child, with the child's
//! minimum and selector, and a remainder with the parent's minimum less the children's and the
//! parent's selector. A maximum flow then saturates the parent only when the children are met,
//! which a single parent node cannot guarantee. A rule set's total becomes one more leaf that
//! accepts every entry, with the total less the top-level minimums, so surplus credit from any
//! course fills it.
//!
//! Edge costs make one solve respect status priority: completed credit is cheapest, then in
//! progress, then planned. Within a status, leaves with a selector are cheaper than leaves that
//! accept every course, then older school years are cheaper, then earlier leaves. A
//! minimum-cost maximum flow therefore counts completed credit wherever it can, and leaves a
//! shortfall in electives rather than in a named requirement when it has to choose.
//!
//! NOTE: when every entry is used in full, status costs add up to the same amount whichever
//! requirement gets the completed credit, so a requirement can be reported `on_track` on
//! in-progress credit while another allocation would have made it `met`. Maximising the number
//! of requirements met by completed credit alone is not a flow objective and is not done.

use std::collections::{BTreeMap, BTreeSet};

use super::entries::Candidate;
use super::flow::{EdgeId, FlowGraph};
use super::input::Waiver;
use super::result::CreditPart;
use super::rules::{CourseRule, CreditLimit, Requirement, Rule};
use super::selector::Selector;

/// Cost per hundredth of credit for each status; the gaps exceed all other costs together.
const STATUS_COST: [i64; 3] = [0, 1_000_000, 2_000_000];
/// Extra cost of a leaf that accepts every course (electives, the total), so that when two
/// allocations count the same credit, the one filling named requirements wins.
const CATCH_ALL_COST: i64 = 100_000;
const YEAR_COST: i64 = 1_000;
const MAX_YEAR_OFFSET: i64 = 99;
const MAX_LEAF_COST: i64 = 999;

/// Waivers and substitutions, indexed by requirement key.
#[derive(Debug, Default)]
pub(super) struct Adjustments<'a> {
    pub waivers: BTreeMap<&'a str, &'a Waiver>,
    /// Entry ids that may count toward a requirement even when its selector does not match them.
    pub substitutions: BTreeMap<&'a str, BTreeSet<&'a str>>,
}

impl Adjustments<'_> {
    /// Returns the minimum of a course requirement after any waiver.
    pub fn minimum(&self, key: &str, rule: &CourseRule) -> u32 {
        match self.waivers.get(key) {
            Some(waiver) => waiver
                .reduced_to
                .map_or(0, |reduced| reduced.min(rule.credits)),
            None => rule.credits,
        }
    }

    /// Reports whether a waiver removes the requirement entirely.
    pub fn is_waived_entirely(&self, key: &str) -> bool {
        self.waivers
            .get(key)
            .is_some_and(|waiver| waiver.reduced_to.is_none())
    }
}

/// Returns the credit a course requirement needs in all: its minimum after waivers, or the
/// sum of its children's when that is larger. A requirement waived entirely needs nothing,
/// and neither do its children.
pub(super) fn subtree_minimum(
    requirement: &Requirement,
    rule: &CourseRule,
    adjustments: &Adjustments,
) -> u32 {
    if adjustments.is_waived_entirely(&requirement.key) {
        return 0;
    }

    let children: u32 = course_children(rule)
        .map(|(child, child_rule)| subtree_minimum(child, child_rule, adjustments))
        .sum();
    adjustments.minimum(&requirement.key, rule).max(children)
}

/// Returns the children of a course requirement that are course requirements themselves.
pub(super) fn course_children(
    rule: &CourseRule,
) -> impl Iterator<Item = (&Requirement, &CourseRule)> {
    rule.children.iter().filter_map(|child| match &child.rule {
        Rule::Courses(child_rule) => Some((child, child_rule)),
        _ => None,
    })
}

/// Credit counted in one leaf.
#[derive(Debug, Clone, Default)]
pub(super) struct LeafOutcome {
    /// (candidate index, credit in hundredths), in candidate order.
    pub allocations: Vec<(usize, u32)>,
}

/// The solved network.
#[derive(Debug, Default)]
pub(super) struct NetworkOutcome<'r> {
    /// Each requirement's own leaf (the remainder when it has children), by requirement key.
    pub leaves: BTreeMap<&'r str, LeafOutcome>,
    /// The leaf for credit beyond the top-level minimums, when the rule set has a total.
    pub total_leaf: Option<LeafOutcome>,
    /// Credit allocated per candidate.
    pub used: Vec<u32>,
    /// Whether any leaf accepts the candidate.
    pub matched: Vec<bool>,
}

struct Leaf<'r> {
    key: Option<&'r str>,
    capacity: u32,
    selector: Option<&'r Selector>,
    min_mark: Option<f64>,
    limit: Option<&'r CreditLimit>,
}

/// Builds and solves the network for `roots`, the top-level course requirements that share one
/// pool of credit. With `total`, one more leaf absorbs surplus credit up to the total.
pub(super) fn allocate<'r>(
    roots: &[(&'r Requirement, &'r CourseRule)],
    candidates: &[Candidate],
    adjustments: &Adjustments,
    total: Option<u32>,
) -> NetworkOutcome<'r> {
    let mut leaves = Vec::new();
    for (requirement, rule) in roots {
        push_leaves(requirement, rule, None, adjustments, &mut leaves);
    }

    if let Some(total) = total {
        let minimums: u32 = roots
            .iter()
            .map(|(requirement, rule)| subtree_minimum(requirement, rule, adjustments))
            .sum();
        leaves.push(Leaf {
            key: None,
            capacity: total.saturating_sub(minimums),
            selector: None,
            min_mark: None,
            limit: None,
        });
    }

    let mut graph = FlowGraph::default();
    let source = graph.add_node();
    let sink = graph.add_node();

    let oldest_year = candidates
        .iter()
        .map(|candidate| candidate.entry.school_year)
        .min()
        .unwrap_or(0);
    let entry_nodes: Vec<usize> = candidates
        .iter()
        .map(|candidate| {
            let node = graph.add_node();
            graph.add_edge(source, node, i64::from(candidate.available), 0);
            node
        })
        .collect();

    let mut matched = vec![false; candidates.len()];
    let mut entry_edges: Vec<(usize, usize, EdgeId)> = Vec::new();

    for (leaf_index, leaf) in leaves.iter().enumerate() {
        let leaf_node = graph.add_node();
        graph.add_edge(leaf_node, sink, i64::from(leaf.capacity), 0);
        if leaf.capacity == 0 {
            continue;
        }

        // Entries the limit selector matches reach the leaf only through the limit node, whose
        // single outgoing edge caps their combined credit.
        let limit_node = leaf.limit.map(|limit| {
            let node = graph.add_node();
            graph.add_edge(node, leaf_node, i64::from(limit.credits), 0);
            (node, &limit.selector)
        });

        let substitutes = leaf.key.and_then(|key| adjustments.substitutions.get(key));

        for (candidate_index, candidate) in candidates.iter().enumerate() {
            let entry = candidate.entry;
            let substituted = substitutes.is_some_and(|ids| ids.contains(entry.id.as_str()));
            let selected = leaf.selector.is_none_or(|selector| selector.matches(entry))
                && leaf
                    .min_mark
                    .is_none_or(|minimum| entry.mark.is_none_or(|mark| mark >= minimum));
            if !substituted && !selected {
                continue;
            }

            matched[candidate_index] = true;
            let target = match limit_node {
                Some((node, selector)) if selector.matches(entry) => node,
                _ => leaf_node,
            };
            let year_offset =
                (i64::from(entry.school_year) - i64::from(oldest_year)).clamp(0, MAX_YEAR_OFFSET);
            let leaf_cost =
                i64::try_from(leaf_index).map_or(MAX_LEAF_COST, |index| index.min(MAX_LEAF_COST));
            let catch_all = if leaf.selector.is_none() {
                CATCH_ALL_COST
            } else {
                0
            };
            let cost = STATUS_COST[part_index(candidate.part)]
                + catch_all
                + year_offset * YEAR_COST
                + leaf_cost;
            let edge = graph.add_edge(
                entry_nodes[candidate_index],
                target,
                i64::from(candidate.available),
                cost,
            );
            entry_edges.push((candidate_index, leaf_index, edge));
        }
    }

    graph.solve(source, sink);

    let mut outcomes: Vec<LeafOutcome> = leaves.iter().map(|_| LeafOutcome::default()).collect();
    let mut used = vec![0u32; candidates.len()];
    for (candidate_index, leaf_index, edge) in entry_edges {
        let flow = u32::try_from(graph.flow(edge)).unwrap_or(0);
        if flow > 0 {
            outcomes[leaf_index]
                .allocations
                .push((candidate_index, flow));
            used[candidate_index] += flow;
        }
    }

    let mut network = NetworkOutcome {
        used,
        matched,
        ..NetworkOutcome::default()
    };
    for (leaf, outcome) in leaves.iter().zip(outcomes) {
        match leaf.key {
            Some(key) => {
                network.leaves.insert(key, outcome);
            }
            None => network.total_leaf = Some(outcome),
        }
    }
    network
}

/// Adds the leaves of one course requirement: one per child (recursively) and the remainder.
fn push_leaves<'r>(
    requirement: &'r Requirement,
    rule: &'r CourseRule,
    inherited_min_mark: Option<f64>,
    adjustments: &Adjustments,
    leaves: &mut Vec<Leaf<'r>>,
) {
    let waived = adjustments.is_waived_entirely(&requirement.key);
    let min_mark = rule.min_mark.or(inherited_min_mark);

    let mut children_minimum = 0;
    for (child, child_rule) in course_children(rule) {
        if waived {
            leaves.push(Leaf {
                key: Some(&child.key),
                capacity: 0,
                selector: None,
                min_mark,
                limit: None,
            });
            continue;
        }
        push_leaves(child, child_rule, min_mark, adjustments, leaves);
        children_minimum += subtree_minimum(child, child_rule, adjustments);
    }

    let own = if waived {
        0
    } else {
        adjustments
            .minimum(&requirement.key, rule)
            .saturating_sub(children_minimum)
    };
    leaves.push(Leaf {
        key: Some(&requirement.key),
        capacity: own,
        selector: rule.selector.as_ref(),
        min_mark,
        limit: rule.limit.as_ref(),
    });
}

fn part_index(part: CreditPart) -> usize {
    match part {
        CreditPart::Earned => 0,
        CreditPart::InProgress => 1,
        CreditPart::Planned => 2,
    }
}
