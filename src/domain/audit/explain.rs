//! Human-readable explanations of requirement results.

use super::credits::format;
use super::result::{RequirementResult, Status};

/// Writes one or two sentences with a requirement's status and what is missing.
pub(super) fn requirement(result: &RequirementResult) -> String {
    let status = capitalized(result.status.label());

    if result.status == Status::Waived {
        return match &result.waiver {
            Some(waiver) => format!(
                "{status}: {}, approved by {}.",
                waiver.reason, waiver.approved_by
            ),
            None => format!("{status}."),
        };
    }

    let mut text = if let Some(choice) = &result.choice {
        let mut text = format!("{status} through branch {}.", choice.branch);
        for child in result
            .children
            .iter()
            .filter(|child| child.status.rank() < Status::OnTrack.rank())
        {
            text.push_str(&format!(" {}: {}", child.title, child.explanation));
        }
        text
    } else if let Some(measure) = &result.measure {
        let achieved = match measure.achieved {
            Some(value) => format!("{} {value}", measure.unit),
            None => format!("no {} recorded", measure.unit),
        };
        format!(
            "{status}: {achieved}, at least {} needed.",
            measure.required
        )
    } else {
        credit_sentence(&status, result)
    };

    if let Some(waiver) = &result.waiver
        && let Some(reduced_to) = waiver.reduced_to
    {
        text.push_str(&format!(
            " Minimum lowered to {} by waiver ({}, approved by {}).",
            units(reduced_to),
            waiver.reason,
            waiver.approved_by
        ));
    }
    if !result.substitutions.is_empty() {
        text.push_str(&format!(
            " Counted by substitution: {}.",
            result.substitutions.join(", ")
        ));
    }
    text
}

fn credit_sentence(status: &str, result: &RequirementResult) -> String {
    let credits = &result.credits;
    let mut text = format!(
        "{status}: {} of {} units earned, {} in progress, {} planned.",
        format(credits.earned),
        format(credits.required),
        format(credits.in_progress),
        format(credits.planned)
    );

    if credits.remaining > 0 {
        text.push_str(&format!(" {} more needed.", units(credits.remaining)));
    }
    for child in &result.children {
        if child.credits.remaining > 0 {
            text.push_str(&format!(
                " {} is short {}.",
                child.title,
                units(child.credits.remaining)
            ));
        }
    }
    if credits.remaining == 0 && result.status.rank() < Status::OnTrack.rank() {
        text.push_str(" The credit is there but not from enough different courses.");
    }
    text
}

fn capitalized(label: &str) -> String {
    let mut characters = label.chars();
    match characters.next() {
        Some(first) => first.to_uppercase().chain(characters).collect(),
        None => String::new(),
    }
}

/// Formats hundredths with the unit word: "1 unit", "0.5 units", "3 units".
fn units(hundredths: u32) -> String {
    if hundredths == 100 {
        "1 unit".to_string()
    } else {
        format!("{} units", format(hundredths))
    }
}
