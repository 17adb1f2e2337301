use proptest::prelude::*;

use super::{score_short_form, short_form_answers};
use crate::domain::survey::pearson_correlation;

/// Ten Short Form answer codes (1–5) for each of the six areas.
fn area_answers() -> impl Strategy<Value = [[i64; 10]; 6]> {
    prop::array::uniform6(prop::array::uniform10(1i64..=5))
}

/// Six-value profiles that are not all equal.
fn shaped_profile() -> impl Strategy<Value = [f64; 6]> {
    prop::array::uniform6(0u32..=40)
        .prop_filter("profile must not be flat", |values| {
            values.iter().any(|value| *value != values[0])
        })
        .prop_map(|values| values.map(f64::from))
}

proptest! {
    #[test]
    fn raw_scores_stay_within_range(per_area in area_answers()) {
        let profile = score_short_form(short_form_answers(per_area));

        for score in &profile.areas {
            prop_assert!(score.raw <= 40, "{:?}", score);
            prop_assert_eq!(score.max_raw, 40);
            prop_assert!((0.0..=100.0).contains(&score.percent), "{:?}", score);
        }
    }

    #[test]
    fn raw_score_sums_item_scores(per_area in area_answers()) {
        let profile = score_short_form(short_form_answers(per_area));

        for (score, codes) in profile.areas.iter().zip(per_area) {
            let expected: i64 = codes.iter().map(|code| code - 1).sum();
            prop_assert_eq!(i64::from(score.raw), expected);
        }
    }

    #[test]
    fn permuting_answers_within_area_keeps_scores(
        (per_area, area, shuffled) in (area_answers(), 0usize..6).prop_flat_map(|(per_area, area)| {
            let shuffled = Just(per_area[area].to_vec()).prop_shuffle();
            (Just(per_area), Just(area), shuffled)
        })
    ) {
        let mut permuted = per_area;
        for (slot, code) in permuted[area].iter_mut().zip(&shuffled) {
            *slot = *code;
        }

        let original = score_short_form(short_form_answers(per_area));
        let reordered = score_short_form(short_form_answers(permuted));

        prop_assert_eq!(original, reordered);
    }

    #[test]
    fn profile_correlates_one_with_itself(profile in shaped_profile()) {
        let correlation = pearson_correlation(&profile, &profile);

        prop_assert!(correlation.is_ok());
        let value = correlation.unwrap_or_default();
        prop_assert!((value - 1.0).abs() < 1e-12, "{}", value);
    }

    #[test]
    fn correlation_is_symmetric_and_bounded(first in shaped_profile(), second in shaped_profile()) {
        let forward = pearson_correlation(&first, &second).unwrap_or(f64::NAN);
        let backward = pearson_correlation(&second, &first).unwrap_or(f64::NAN);

        prop_assert!((-1.0..=1.0).contains(&forward), "{}", forward);
        prop_assert!((forward - backward).abs() < 1e-12, "{} vs {}", forward, backward);
    }

    #[test]
    fn correlation_ignores_level_and_scale(
        profile in shaped_profile(),
        offset in -50.0f64..50.0,
        factor in 0.1f64..10.0,
    ) {
        let rescaled = profile.map(|value| value * factor + offset);

        let correlation = pearson_correlation(&profile, &rescaled).unwrap_or(f64::NAN);

        prop_assert!((correlation - 1.0).abs() < 1e-9, "{}", correlation);
    }

    #[test]
    fn holland_code_letters_are_top_scores(per_area in area_answers()) {
        let profile = score_short_form(short_form_answers(per_area));
        let scores = profile.percent_scores();

        for code in &profile.holland_code.codes {
            prop_assert_eq!(code.len(), 3);
            let letters: Vec<usize> = code
                .chars()
                .map(|letter| "RIASEC".find(letter).unwrap_or(usize::MAX))
                .collect();
            // Each letter scores at least as high as the next, and no area outside the
            // code outscores the third letter.
            prop_assert!(scores[letters[0]] >= scores[letters[1]]);
            prop_assert!(scores[letters[1]] >= scores[letters[2]]);
            for (index, score) in scores.iter().enumerate() {
                if !letters.contains(&index) {
                    prop_assert!(*score <= scores[letters[2]], "{} in {:?}", code, scores);
                }
            }
        }
    }
}
