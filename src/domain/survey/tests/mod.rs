//! Tests of the survey engine, grouped by concern.

mod answers_and_scoring;
mod instruments;
mod matching_and_suggestions;
mod onet_files;
mod onet_real_release;
mod properties;

use super::{
    AnswerInput, InterestProfile, ScoringOptions, interest_profiler_short_form, score_answers,
};

/// Builds Short Form answers from ten answer codes per area, given in RIASEC order.
///
/// The Short Form asks items in pairs by area (1–2 R, 3–4 I, …, 11–12 C, then 13–14 R, …), so
/// the k-th answer of an area (counting from 0) goes to item `12 * (k / 2) + 2 * area + k % 2 + 1`.
fn short_form_answers(per_area: [[i64; 10]; 6]) -> Vec<Option<i64>> {
    let mut answers = vec![None; 60];
    for (area, codes) in per_area.iter().enumerate() {
        for (k, code) in codes.iter().enumerate() {
            let index = 12 * (k / 2) + 2 * area + k % 2;
            answers[index] = Some(*code);
        }
    }
    answers
}

/// Scores Short Form answers with default options, failing the test on a validation error.
fn score_short_form(answers: Vec<Option<i64>>) -> InterestProfile {
    let instrument = interest_profiler_short_form();
    match score_answers(
        &instrument,
        &AnswerInput::List(answers),
        &ScoringOptions::default(),
    ) {
        Ok(profile) => profile,
        Err(errors) => panic!("valid answers were rejected: {errors:?}"),
    }
}
