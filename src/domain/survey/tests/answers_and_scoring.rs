use super::instruments::six_item_instrument;
use super::{score_short_form, short_form_answers};
use crate::domain::survey::{
    AnswerInput, ComparisonUnavailable, FieldErrorCode, FlagCode, Item, RiasecArea, ScoringOptions,
    UnansweredPolicy, compare_profiles, interest_profiler_short_form, parse_answers, score_answers,
};
use RiasecArea::{
    Artistic as A, Conventional as C, Enterprising as E, Investigative as I, Realistic as R,
    Social as S,
};

fn raw_scores(profile: &crate::domain::survey::InterestProfile) -> Vec<u32> {
    profile.areas.iter().map(|score| score.raw).collect()
}

#[test]
fn short_form_area_scores_match_hand_sums() {
    // Item scores are answer - 1:
    // R: ten 5s = 10 × 4 = 40
    // I: ten 1s = 0
    // A: ten 4s = 10 × 3 = 30
    // S: 5,5,5,4,4,4,3,3,2,1 = 4+4+4+3+3+3+2+2+1+0 = 26
    // E: ten 2s = 10
    // C: 1,2,3,4,5 twice = 2 × (0+1+2+3+4) = 20
    let profile = score_short_form(short_form_answers([
        [5; 10],
        [1; 10],
        [4; 10],
        [5, 5, 5, 4, 4, 4, 3, 3, 2, 1],
        [2; 10],
        [1, 2, 3, 4, 5, 1, 2, 3, 4, 5],
    ]));

    assert_eq!(raw_scores(&profile), [40, 0, 30, 26, 10, 20]);
    let maxima: Vec<u32> = profile.areas.iter().map(|score| score.max_raw).collect();
    assert_eq!(maxima, [40; 6]);
    assert_eq!(
        profile.percent_scores(),
        [100.0, 0.0, 75.0, 65.0, 25.0, 50.0]
    );
    assert_eq!(
        profile.rank_groups,
        vec![vec![R], vec![A], vec![S], vec![C], vec![E], vec![I]]
    );
    assert_eq!(profile.holland_code.groups, vec![vec![R], vec![A], vec![S]]);
    assert_eq!(profile.holland_code.codes, ["RAS"]);
    assert!(!profile.holland_code.tied);
    assert!(profile.flags.is_empty(), "{:?}", profile.flags);
}

#[test]
fn tie_in_code_lists_both_orders() {
    // I: ten 4s = 30. R: 3,3,3,3,3,4,4,4,4,4 = 5×2 + 5×3 = 25. A: same as R = 25.
    // S and E: ten 2s = 10. C: ten 1s = 0.
    let tied_pair = [3, 3, 3, 3, 3, 4, 4, 4, 4, 4];
    let profile = score_short_form(short_form_answers([
        tied_pair, [4; 10], tied_pair, [2; 10], [2; 10], [1; 10],
    ]));

    assert_eq!(raw_scores(&profile), [25, 30, 25, 10, 10, 0]);
    assert_eq!(
        profile.rank_groups,
        vec![vec![I], vec![R, A], vec![S, E], vec![C]]
    );
    assert_eq!(profile.holland_code.groups, vec![vec![I], vec![R, A]]);
    assert_eq!(profile.holland_code.codes, ["IRA", "IAR"]);
    assert!(profile.holland_code.tied);
}

#[test]
fn tie_for_third_place_keeps_whole_group() {
    // R 40, I 30, then A, S and E all 20, C 0: three areas compete for the third letter.
    let profile = score_short_form(short_form_answers([
        [5; 10], [4; 10], [3; 10], [3; 10], [3; 10], [1; 10],
    ]));

    assert_eq!(
        profile.holland_code.groups,
        vec![vec![R], vec![I], vec![A, S, E]]
    );
    assert_eq!(profile.holland_code.codes, ["RIA", "RIS", "RIE"]);
}

#[test]
fn flat_profile_is_flagged_and_fully_tied() {
    let profile = score_short_form(vec![Some(3); 60]);

    assert_eq!(raw_scores(&profile), [20; 6]);
    assert!(profile.is_flat());
    assert_eq!(profile.rank_groups, vec![RiasecArea::ALL.to_vec()]);
    // Any three distinct areas in any order: 6 × 5 × 4 codes.
    assert_eq!(profile.holland_code.codes.len(), 120);
    assert_eq!(profile.holland_code.codes[0], "RIA");
    let codes: Vec<FlagCode> = profile.flags.iter().map(|flag| flag.code).collect();
    assert_eq!(codes, [FlagCode::Flat]);
    assert!(profile.flags[0].message.contains("same score"));
}

#[test]
fn small_spread_is_flagged_low_spread() {
    // R: one 4 and nine 3s = 21 (52.5 %); every other area 20 (50 %). Spread 2.5 points.
    let profile = score_short_form(short_form_answers([
        [4, 3, 3, 3, 3, 3, 3, 3, 3, 3],
        [3; 10],
        [3; 10],
        [3; 10],
        [3; 10],
        [3; 10],
    ]));

    let codes: Vec<FlagCode> = profile.flags.iter().map(|flag| flag.code).collect();
    assert_eq!(codes, [FlagCode::LowSpread]);
    assert_eq!(
        profile.holland_code.groups,
        vec![vec![R], vec![I, A, S, E, C]]
    );
    assert_eq!(profile.holland_code.codes.len(), 20);
}

#[test]
fn spread_at_threshold_is_not_flagged() {
    // R 24 (60 %), every other area 20 (50 %): exactly 10 points apart.
    let profile = score_short_form(short_form_answers([
        [4, 4, 4, 4, 3, 3, 3, 3, 3, 3],
        [3; 10],
        [3; 10],
        [3; 10],
        [3; 10],
        [3; 10],
    ]));

    assert!(profile.flags.is_empty(), "{:?}", profile.flags);

    let strict = ScoringOptions {
        low_spread_threshold_points: 10.5,
    };
    let instrument = interest_profiler_short_form();
    let answers = AnswerInput::List(short_form_answers([
        [4, 4, 4, 4, 3, 3, 3, 3, 3, 3],
        [3; 10],
        [3; 10],
        [3; 10],
        [3; 10],
        [3; 10],
    ]));
    let profile = score_answers(&instrument, &answers, &strict).expect("valid answers");
    assert_eq!(profile.flags[0].code, FlagCode::LowSpread);
}

#[test]
fn reverse_keyed_item_scores_from_top() {
    // Items 1–6 are R, I, A, S, E, C; item 7 is a reverse-keyed Realistic item.
    let mut instrument = six_item_instrument();
    instrument.items.push(Item {
        number: 7,
        area: R,
        reverse_keyed: true,
        text: Some("I would rather not fix machines.".to_owned()),
        language: Some("en".to_owned()),
    });
    let answers = AnswerInput::List(vec![
        Some(5),
        Some(4),
        Some(3),
        Some(2),
        Some(1),
        Some(3),
        Some(2),
    ]);

    let profile =
        score_answers(&instrument, &answers, &ScoringOptions::default()).expect("valid answers");

    // R: item 1 scores 5 - 1 = 4 and item 7 scores 5 - 2 = 3, so 7 of 8 (87.5 %).
    assert_eq!(raw_scores(&profile), [7, 3, 2, 1, 0, 2]);
    assert_eq!(profile.areas[0].max_raw, 8);
    assert_eq!(profile.areas[0].percent, 87.5);
    // I 3 of 4 (75 %), A and C 2 of 4 (50 %), S 25 %, E 0 %.
    assert_eq!(
        profile.holland_code.groups,
        vec![vec![R], vec![I], vec![A, C]]
    );
    assert_eq!(profile.holland_code.codes, ["RIA", "RIC"]);
}

#[test]
fn unanswered_short_form_item_is_rejected_with_pointer() {
    let mut answers = vec![Some(4); 60];
    answers[17] = None;
    let instrument = interest_profiler_short_form();

    let errors = score_answers(
        &instrument,
        &AnswerInput::List(answers),
        &ScoringOptions::default(),
    )
    .expect_err("an unanswered item must be rejected");

    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].pointer, "/answers/17");
    assert_eq!(errors[0].code, FieldErrorCode::Missing);
    assert!(
        errors[0].message.contains("item 18"),
        "{}",
        errors[0].message
    );
}

#[test]
fn compact_string_matches_array_form() {
    let codes: Vec<i64> = (0..60).map(|index| index % 5 + 1).collect();
    let compact: String = codes.iter().map(|code| code.to_string()).collect();
    let instrument = interest_profiler_short_form();
    let options = ScoringOptions::default();

    let from_array = score_answers(
        &instrument,
        &AnswerInput::List(codes.iter().copied().map(Some).collect()),
        &options,
    )
    .expect("array form is valid");
    let from_compact = score_answers(&instrument, &AnswerInput::Compact(compact), &options)
        .expect("compact form is valid");

    assert_eq!(from_array, from_compact);
}

#[test]
fn compact_question_mark_is_unanswered() {
    let mut compact = "4".repeat(60);
    compact.replace_range(5..6, "?");

    let errors = parse_answers(
        &interest_profiler_short_form(),
        &AnswerInput::Compact(compact),
    )
    .expect_err("unanswered item must be rejected");

    assert_eq!(errors[0].pointer, "/answers/5");
    assert_eq!(errors[0].code, FieldErrorCode::Missing);
}

#[test]
fn compact_zero_is_out_of_range() {
    let mut compact = "4".repeat(60);
    compact.replace_range(0..1, "0");

    let errors = parse_answers(
        &interest_profiler_short_form(),
        &AnswerInput::Compact(compact),
    )
    .expect_err("0 is not on the 1–5 scale");

    assert_eq!(errors[0].pointer, "/answers/0");
    assert_eq!(errors[0].code, FieldErrorCode::Range);
}

#[test]
fn compact_letter_is_invalid() {
    let mut compact = "4".repeat(60);
    compact.replace_range(59..60, "x");

    let errors = parse_answers(
        &interest_profiler_short_form(),
        &AnswerInput::Compact(compact),
    )
    .expect_err("a letter is not an answer");

    assert_eq!(errors[0].pointer, "/answers/59");
    assert_eq!(errors[0].code, FieldErrorCode::Invalid);
}

#[test]
fn wrong_answer_count_is_reported_once() {
    let errors = parse_answers(
        &interest_profiler_short_form(),
        &AnswerInput::List(vec![Some(9); 59]),
    )
    .expect_err("59 answers for 60 items must fail");

    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].pointer, "/answers");
    assert_eq!(errors[0].code, FieldErrorCode::Count);
    assert!(
        errors[0].message.contains("expected 60"),
        "{}",
        errors[0].message
    );
}

#[test]
fn out_of_scale_answers_each_get_pointer() {
    let mut answers = vec![Some(3); 60];
    answers[3] = Some(6);
    answers[40] = Some(-1);

    let errors = parse_answers(&interest_profiler_short_form(), &AnswerInput::List(answers))
        .expect_err("6 and -1 are off the scale");
    let pointers: Vec<&str> = errors.iter().map(|error| error.pointer.as_str()).collect();

    assert_eq!(pointers, ["/answers/3", "/answers/40"]);
    assert!(
        errors
            .iter()
            .all(|error| error.code == FieldErrorCode::Range)
    );
}

#[test]
fn answers_deserialize_from_array_or_string() {
    let list: AnswerInput = serde_json::from_str("[5, null, 1]").expect("array parses");
    let compact: AnswerInput = serde_json::from_str("\"5?1\"").expect("string parses");

    assert_eq!(list, AnswerInput::List(vec![Some(5), None, Some(1)]));
    assert_eq!(compact, AnswerInput::Compact("5?1".to_owned()));
}

#[test]
fn missing_answers_are_prorated_when_allowed() {
    // A seventh, Realistic item lets one Realistic answer go missing while R still has a score.
    let mut instrument = six_item_instrument();
    instrument.items.push(Item {
        number: 7,
        area: R,
        reverse_keyed: false,
        text: None,
        language: None,
    });
    instrument.unanswered_policy = UnansweredPolicy::ScoreAsMissing { max_missing: 1 };
    let answers = AnswerInput::List(vec![
        Some(5),
        Some(4),
        Some(3),
        Some(2),
        Some(1),
        Some(3),
        None,
    ]);

    let profile = score_answers(&instrument, &answers, &ScoringOptions::default())
        .expect("one missing answer is allowed");

    // R is scored over item 1 only: 4 of 4.
    assert_eq!(profile.areas[0].raw, 4);
    assert_eq!(profile.areas[0].max_raw, 4);
    assert_eq!(profile.areas[0].unanswered_items, 1);
    assert_eq!(profile.areas[0].percent, 100.0);
    let codes: Vec<FlagCode> = profile.flags.iter().map(|flag| flag.code).collect();
    assert_eq!(codes, [FlagCode::Incomplete]);
}

#[test]
fn too_many_missing_answers_are_rejected() {
    let mut instrument = six_item_instrument();
    instrument.unanswered_policy = UnansweredPolicy::ScoreAsMissing { max_missing: 1 };
    let answers = AnswerInput::List(vec![None, Some(4), None, Some(2), Some(1), Some(3)]);

    let errors = parse_answers(&instrument, &answers).expect_err("two blanks exceed one");

    // The count limit, then one error for each of the two areas left with no answer.
    assert_eq!(errors.len(), 3);
    assert!(errors.iter().all(|error| error.pointer == "/answers"));
    assert!(
        errors
            .iter()
            .all(|error| error.code == FieldErrorCode::Missing)
    );
    assert!(
        errors[0].message.contains("at most 1"),
        "{}",
        errors[0].message
    );
    assert!(
        errors[1].message.contains("Realistic"),
        "{}",
        errors[1].message
    );
    assert!(
        errors[2].message.contains("Artistic"),
        "{}",
        errors[2].message
    );
}

#[test]
fn invalid_instrument_is_not_scored() {
    let mut instrument = six_item_instrument();
    instrument.items[5].area = R;
    let answers = AnswerInput::List(vec![Some(3); 6]);

    let errors = score_answers(&instrument, &answers, &ScoringOptions::default())
        .expect_err("an instrument without a Conventional item cannot be scored");

    assert_eq!(errors[0].pointer, "/items");
}

#[test]
fn profile_json_uses_letters_and_camel_case() {
    let profile = score_short_form(vec![Some(4); 60]);

    let json = serde_json::to_value(&profile).expect("profile serializes");

    assert_eq!(json["instrumentId"], "onet-ip-sf");
    assert_eq!(json["areas"][0]["area"], "R");
    assert_eq!(json["areas"][0]["maxRaw"], 40);
    assert_eq!(json["hollandCode"]["tied"], true);
    assert_eq!(json["flags"][0]["code"], "flat");
}

#[test]
fn comparison_with_same_profile_is_unchanged() {
    let profile = score_short_form(short_form_answers([
        [5; 10], [1; 10], [4; 10], [3; 10], [2; 10], [2; 10],
    ]));

    let comparison = compare_profiles(&profile, &profile);

    let correlation = comparison.correlation.expect("non-flat profiles correlate");
    assert!((correlation - 1.0).abs() < 1e-12, "{correlation}");
    assert!(!comparison.code_changed);
    assert!(!comparison.top_area_changed);
    assert_eq!(comparison.correlation_unavailable, None);
}

#[test]
fn comparison_reports_reversed_profile() {
    // Previous: R 40, I 30, A 20, S 10, E 0, C 0. Current: the mirror image.
    let previous = score_short_form(short_form_answers([
        [5; 10], [4; 10], [3; 10], [2; 10], [1; 10], [1; 10],
    ]));
    let current = score_short_form(short_form_answers([
        [1; 10], [1; 10], [2; 10], [3; 10], [4; 10], [5; 10],
    ]));

    let comparison = compare_profiles(&current, &previous);

    // Scores (0, 0, 20, 40, 60, 80) % against (100, 75, 50, 25, 0, 0) %.
    let correlation = comparison.correlation.expect("non-flat profiles correlate");
    assert!(correlation < -0.9, "{correlation}");
    assert!(comparison.code_changed);
    assert!(comparison.top_area_changed);
}

#[test]
fn comparison_with_flat_previous_gives_reason() {
    let previous = score_short_form(vec![Some(3); 60]);
    let current = score_short_form(short_form_answers([
        [5; 10], [1; 10], [4; 10], [3; 10], [2; 10], [2; 10],
    ]));

    let comparison = compare_profiles(&current, &previous);

    assert_eq!(comparison.correlation, None);
    assert_eq!(
        comparison.correlation_unavailable,
        Some(ComparisonUnavailable::PreviousProfileFlat)
    );
    assert!(comparison.correlation_note.is_some());
    assert!(comparison.code_changed);
}

#[test]
fn scoring_types_have_openapi_schemas() {
    use utoipa::PartialSchema;

    let schema = serde_json::to_value(crate::domain::survey::InterestProfile::schema())
        .expect("schema serializes");

    assert!(schema["properties"]["hollandCode"].is_object(), "{schema}");
}
