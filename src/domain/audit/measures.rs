//! Requirements measured without credit: postsecondary assets, assessment scores and a
//! grade-point average.

use super::evaluate::{Context, empty_result};
use super::input::EntryStatus;
use super::result::{Measure, RequirementResult, Status};
use super::rules::{AssessmentRule, AssetRule, GpaRule, Requirement};

pub(super) fn evaluate_assets(
    requirement: &Requirement,
    rule: &AssetRule,
    context: &Context,
) -> RequirementResult {
    let mut result = empty_result(requirement);

    let mut counted: Vec<&str> = context
        .input
        .assets
        .iter()
        .map(|asset| asset.asset_type.as_str())
        .filter(|asset_type| {
            rule.from.is_empty() || rule.from.iter().any(|allowed| allowed == asset_type)
        })
        .filter(|asset_type| super::builtin::asset_list_contains(&rule.list, asset_type))
        .collect();
    counted.sort_unstable();
    counted.dedup();

    let achieved = u32::try_from(counted.len()).unwrap_or(u32::MAX);
    result.measure = Some(Measure {
        unit: "assets".into(),
        required: f64::from(rule.count),
        achieved: Some(f64::from(achieved)),
    });
    result.status = if achieved >= rule.count {
        Status::Met
    } else {
        context.short_status
    };
    result
}

pub(super) fn evaluate_assessment(
    requirement: &Requirement,
    rule: &AssessmentRule,
    context: &Context,
) -> RequirementResult {
    let mut result = empty_result(requirement);

    let best = context
        .input
        .assessments
        .iter()
        .filter(|score| score.test == rule.test && score.subject == rule.subject)
        .map(|score| score.score)
        .fold(None, |best: Option<f64>, score| {
            Some(best.map_or(score, |best| best.max(score)))
        });

    result.measure = Some(Measure {
        unit: "score".into(),
        required: rule.min_score,
        achieved: best,
    });
    result.status = if best.is_some_and(|best| best >= rule.min_score) {
        Status::Met
    } else {
        context.short_status
    };
    result
}

/// Computes a credit-weighted GPA over completed and failed entries with a mark; every graded
/// attempt counts, repeats included, and unfinished entries do not.
pub(super) fn evaluate_gpa(
    requirement: &Requirement,
    rule: &GpaRule,
    context: &Context,
) -> RequirementResult {
    let mut result = empty_result(requirement);

    let matching = context.input.entries.iter().filter(|entry| {
        rule.selector
            .as_ref()
            .is_none_or(|selector| selector.matches(entry))
    });
    let mut weighted_points = 0.0;
    let mut weight = 0.0;
    let mut unfinished = false;
    for entry in matching {
        match (entry.status, entry.mark) {
            (EntryStatus::Completed | EntryStatus::Failed, Some(mark)) => {
                weighted_points += mark * f64::from(entry.credits);
                weight += f64::from(entry.credits);
            }
            (EntryStatus::InProgress | EntryStatus::Planned, _) => unfinished = true,
            _ => {}
        }
    }

    let gpa = (weight > 0.0).then(|| weighted_points / weight);
    result.measure = Some(Measure {
        unit: "gpa".into(),
        required: rule.minimum,
        achieved: gpa.map(|gpa| (gpa * 100.0).round() / 100.0),
    });
    result.status = match gpa {
        Some(gpa) if gpa >= rule.minimum => Status::Met,
        None if unfinished => Status::OnTrack,
        _ => context.short_status,
    };
    result
}
