//! Hand-worked student records. Every expected figure is in hundredths of a unit and was
//! worked out by hand from the rule set.

use super::super::{
    AssessmentScore, AssetRecord, Attribute, AuditInput, CreditPart, EntryStatus, IssueCode,
    RegentsFlag, Status, Substitution, UnusedReason, Waiver, audit, builtin_rule_sets,
    rule_set_for_class,
};
use super::fixtures::{
    EntryExt, allocated, builtin, class_of_2027_record, completed, input, requirement,
};

fn audit_ok(rule_set_id: &str, input: &AuditInput) -> super::super::AuditResult {
    audit(&builtin(rule_set_id), input).expect("built-in rule sets are valid")
}

/// The class-of-2028 record with exactly 21 units: 4 English, ½ speech, and 4 elective units,
/// so one English unit must give ½ unit to electives.
fn class_of_2028_record() -> Vec<super::super::CourseEntry> {
    vec![
        completed("ela1", "01001", 100),
        completed("ela2", "01002", 100),
        completed("ela3", "01003", 100),
        completed("ela4", "01004", 100),
        completed("speech", "01151", 50).attribute(Attribute::Communication),
        completed("hist1", "04101", 100),
        completed("hist2", "04151", 100),
        completed("hist3", "04051", 100),
        completed("bio", "03051", 100).attribute(Attribute::LaboratoryScience),
        completed("earth", "03001", 100),
        completed("chem", "03101", 100),
        completed("alg1", "02052", 100),
        completed("geom", "02072", 100),
        completed("alg2", "02056", 100),
        completed("pe", "08001", 50),
        completed("health", "08051", 50),
        completed("pfl", "22210", 50).attribute(Attribute::PersonalFinancialLiteracy),
        completed("art", "05154", 100),
        completed("cs", "10011", 100),
        completed("span1", "24052", 100),
        completed("span2", "24053", 100),
        completed("ag", "18001", 100),
        completed("bus", "12001", 100),
    ]
}

fn two_assets() -> Vec<AssetRecord> {
    vec![
        AssetRecord {
            asset_type: "act_composite_21".into(),
            date: Some("2026-04-11".into()),
        },
        AssetRecord {
            asset_type: "community_service_40_hours".into(),
            date: None,
        },
    ]
}

#[test]
fn full_2027_record_is_met() {
    let result = audit_ok("ks-state-2027", &input(2027, class_of_2027_record()));

    assert_eq!(result.status, Status::Met);
    let total = result.total.clone().expect("the rule set has a total");
    assert_eq!(total.credits.earned, 2100);
    assert_eq!(total.credits.remaining, 0);
    assert_eq!(requirement(&result, "electives").credits.earned, 600);
    assert_eq!(
        requirement(&result, "physical_education").credits.earned,
        100
    );
    assert!(
        result.unused_entries.is_empty(),
        "{:?}",
        result.unused_entries
    );
    assert!(result.issues.is_empty(), "{:?}", result.issues);
}

#[test]
fn split_course_completes_two_requirements() {
    // Dance (1 unit) counts as fine arts or physical education. The ½-unit art course fills
    // half of fine arts, so dance must give ½ to each for both to be met.
    let entries = vec![
        completed("dance", "05001", 100).attribute(Attribute::PhysicalEducation),
        completed("art", "05154", 50),
        completed("health", "08051", 50),
    ];
    let result = audit_ok("ks-state-2028", &input(2028, entries));

    assert_eq!(requirement(&result, "fine_arts").status, Status::Met);
    assert_eq!(
        requirement(&result, "physical_education").status,
        Status::Met
    );
    assert_eq!(allocated(&result, "fine_arts", "dance"), 50);
    assert_eq!(allocated(&result, "fine_arts", "art"), 50);
    assert_eq!(allocated(&result, "physical_education", "dance"), 50);
    assert_eq!(allocated(&result, "health_education", "health"), 50);
}

#[test]
fn laboratory_course_listed_last_fills_lab() {
    let entries = vec![
        completed("earth", "03001", 100),
        completed("chem", "03101", 100),
        completed("physics", "03151", 100),
        completed("bio", "03051", 100).attribute(Attribute::LaboratoryScience),
    ];
    let result = audit_ok("ks-state-2027", &input(2027, entries));

    let science = requirement(&result, "science");
    assert_eq!(science.status, Status::Met);
    assert_eq!(science.credits.earned, 300);
    assert_eq!(
        requirement(&result, "science_laboratory").status,
        Status::Met
    );
    assert_eq!(allocated(&result, "science_laboratory", "bio"), 100);
    assert_eq!(requirement(&result, "electives").credits.earned, 100);
}

#[test]
fn speech_overflow_still_graduates() {
    let mut record = input(2028, class_of_2028_record());
    record.assets = two_assets();
    let result = audit_ok("ks-state-2028", &record);

    assert_eq!(result.status, Status::Met, "{:#?}", result.requirements);
    let ela = requirement(&result, "english_language_arts");
    assert_eq!(ela.credits.earned, 400);
    assert_eq!(allocated(&result, "communication", "speech"), 50);
    let english_in_ela: u32 = ["ela1", "ela2", "ela3", "ela4"]
        .iter()
        .map(|id| allocated(&result, "english_language_arts", id))
        .sum();
    assert_eq!(english_in_ela, 350);
    let english_in_electives: u32 = ["ela1", "ela2", "ela3", "ela4"]
        .iter()
        .map(|id| allocated(&result, "electives", id))
        .sum();
    assert_eq!(english_in_electives, 50);
    assert_eq!(requirement(&result, "electives").credits.earned, 450);
    assert_eq!(result.total.clone().expect("total").credits.earned, 2100);
    assert!(
        result.unused_entries.is_empty(),
        "{:?}",
        result.unused_entries
    );
}

#[test]
fn half_credits_add_up() {
    let entries = vec![
        completed("art1", "05154", 50),
        completed("art2", "05155", 50),
        completed("pe", "08001", 50),
        completed("health", "08051", 50),
        completed("pfl", "22210", 50).attribute(Attribute::PersonalFinancialLiteracy),
        completed("drama", "05051", 25),
    ];
    let result = audit_ok("ks-state-2028", &input(2028, entries));

    assert_eq!(requirement(&result, "fine_arts").credits.earned, 100);
    assert_eq!(requirement(&result, "fine_arts").status, Status::Met);
    assert_eq!(
        requirement(&result, "physical_education").credits.earned,
        50
    );
    assert_eq!(requirement(&result, "health_education").credits.earned, 50);
    assert_eq!(
        requirement(&result, "personal_financial_literacy")
            .credits
            .earned,
        50
    );
    assert_eq!(requirement(&result, "electives").credits.earned, 25);
    assert_eq!(result.total.clone().expect("total").credits.earned, 275);
}

#[test]
fn failed_then_repeated_course_counts_once() {
    let entries = vec![
        completed("alg1_fail", "02052", 100)
            .status(EntryStatus::Failed)
            .mark(Some(0.0)),
        completed("alg1_pass", "02052", 100).grade(10, 2026),
        completed("geom", "02072", 100),
    ];
    let result = audit_ok("ks-state-2027", &input(2027, entries));

    assert_eq!(requirement(&result, "mathematics").credits.earned, 200);
    assert_eq!(allocated(&result, "mathematics", "alg1_pass"), 100);
    assert_eq!(allocated(&result, "mathematics", "alg1_fail"), 0);
    let failed = result
        .unused_entries
        .iter()
        .find(|entry| entry.entry_id == "alg1_fail")
        .expect("reported");
    assert_eq!(failed.reason, UnusedReason::Failed);
    assert_eq!(failed.credits, 100);
    assert!(
        !result
            .issues
            .iter()
            .any(|issue| issue.code == IssueCode::NonRepeatableCourseRepeated)
    );
}

#[test]
fn second_pass_of_non_repeatable_earns_nothing() {
    let mut band_again = completed("band2", "05101", 100).grade(10, 2026);
    band_again.repeatable = true;
    let mut band = completed("band1", "05101", 100);
    band.repeatable = true;
    let entries = vec![
        completed("art_again", "05154", 100).grade(10, 2026),
        completed("art", "05154", 100),
        band,
        band_again,
    ];
    let result = audit_ok("ks-state-2027", &input(2027, entries));

    let repeat = result
        .unused_entries
        .iter()
        .find(|entry| entry.entry_id == "art_again")
        .expect("reported");
    assert_eq!(repeat.reason, UnusedReason::RepeatOfNonRepeatable);
    assert_eq!(repeat.credits, 100);
    assert!(
        result
            .issues
            .iter()
            .any(|issue| issue.code == IssueCode::NonRepeatableCourseRepeated
                && issue.entry_id.as_deref() == Some("art_again"))
    );
    // Band is repeatable, so both years count: fine arts 1 unit and electives 2 units.
    assert_eq!(requirement(&result, "fine_arts").credits.earned, 100);
    assert_eq!(requirement(&result, "electives").credits.earned, 200);
}

#[test]
fn transfer_course_counts_by_sced_code() {
    let entries = vec![completed("transfer", "01001", 100).code("OUT-OF-STATE-ENG9")];
    let result = audit_ok("ks-state-2027", &input(2027, entries));

    assert_eq!(allocated(&result, "english_language_arts", "transfer"), 100);
    assert_eq!(
        requirement(&result, "english_language_arts")
            .credits
            .remaining,
        300
    );
}

#[test]
fn ela_waiver_of_one_unit() {
    let mut entries: Vec<_> = class_of_2027_record()
        .into_iter()
        .filter(|entry| entry.id != "ela4")
        .collect();
    entries.push(completed("journalism", "11101", 100));
    let mut record = input(2027, entries);
    record.waivers.push(Waiver {
        requirement_key: "english_language_arts".into(),
        reduced_to: Some(300),
        reason: "IEP accommodation".into(),
        approved_by: "Building principal".into(),
    });
    let result = audit_ok("ks-state-2027", &record);

    let ela = requirement(&result, "english_language_arts");
    assert_eq!(ela.status, Status::Met);
    assert_eq!(ela.credits.required, 300);
    assert_eq!(
        ela.waiver.as_ref().and_then(|waiver| waiver.reduced_to),
        Some(300)
    );
    assert!(
        ela.explanation.contains("lowered to 3 units"),
        "{}",
        ela.explanation
    );
    // The waiver lowers ELA, not the 21-unit total; journalism fills the freed unit.
    assert_eq!(result.total.clone().expect("total").credits.earned, 2100);
    assert_eq!(result.status, Status::Met);
}

#[test]
fn pe_waiver_frees_the_unit_for_any_course() {
    let mut entries: Vec<_> = class_of_2027_record()
        .into_iter()
        .filter(|entry| entry.id != "pe" && entry.id != "health")
        .collect();
    entries.push(completed("choir", "05110", 100));
    let mut record = input(2027, entries);
    record.waivers.push(Waiver {
        requirement_key: "physical_education".into(),
        reduced_to: None,
        reason: "physician's statement".into(),
        approved_by: "Counselor".into(),
    });
    let result = audit_ok("ks-state-2027", &record);

    let pe = requirement(&result, "physical_education");
    assert_eq!(pe.status, Status::Waived);
    assert_eq!(pe.credits.required, 0);
    assert!(
        pe.explanation.contains("physician's statement"),
        "{}",
        pe.explanation
    );
    assert_eq!(result.status, Status::Met);
}

#[test]
fn class_boundary_picks_rule_set() {
    let rule_sets = builtin_rule_sets();
    assert_eq!(
        rule_set_for_class(&rule_sets, "ks-state-", 2027).map(|set| set.id.as_str()),
        Some("ks-state-2027")
    );
    assert_eq!(
        rule_set_for_class(&rule_sets, "ks-state-", 2028).map(|set| set.id.as_str()),
        Some("ks-state-2028")
    );

    // The same complete record meets the 2027 rules but not those of 2028, which add
    // communication, personal financial literacy, advanced STEM and assets.
    let met_2027 = audit_ok("ks-state-2027", &input(2027, class_of_2027_record()));
    assert_eq!(met_2027.status, Status::Met);

    let result = audit_ok("ks-state-2028", &input(2028, class_of_2027_record()));
    assert_eq!(result.status, Status::AtRisk);
    assert_eq!(requirement(&result, "communication").status, Status::AtRisk);
    assert_eq!(
        requirement(&result, "personal_financial_literacy").status,
        Status::AtRisk
    );
    assert_eq!(requirement(&result, "advanced_stem").status, Status::Met);
    assert_eq!(
        requirement(&result, "postsecondary_assets").status,
        Status::AtRisk
    );

    let wrong_class = audit_ok("ks-state-2028", &input(2027, class_of_2027_record()));
    assert!(
        wrong_class
            .issues
            .iter()
            .any(|issue| issue.code == IssueCode::RuleSetNotForClass)
    );
}

#[test]
fn assets_count_distinct_known_types() {
    let mut record = input(2028, Vec::new());
    record.assets = two_assets();
    record.assets.push(AssetRecord {
        asset_type: "act_composite_21".into(),
        date: Some("2027-06-01".into()),
    });
    record.assets.push(AssetRecord {
        asset_type: "lifeguard_certificate".into(),
        date: None,
    });
    let result = audit_ok("ks-state-2028", &record);

    let assets = requirement(&result, "postsecondary_assets");
    assert_eq!(assets.status, Status::Met);
    assert_eq!(
        assets.measure.as_ref().and_then(|measure| measure.achieved),
        Some(2.0)
    );
    assert!(
        result
            .issues
            .iter()
            .any(|issue| issue.code == IssueCode::UnknownAssetType
                && issue.message.contains("lifeguard_certificate"))
    );

    let mut one_asset = input(2028, Vec::new());
    one_asset.assets.push(AssetRecord {
        asset_type: "jrotc".into(),
        date: None,
    });
    let result = audit_ok("ks-state-2028", &one_asset);
    assert_eq!(
        requirement(&result, "postsecondary_assets").status,
        Status::AtRisk
    );
}

/// English, science, social science and electives for the Regents curriculum, all completed
/// with mark 3.0.
fn regents_core() -> Vec<super::super::CourseEntry> {
    [
        ("eng1", "01001"),
        ("eng2", "01002"),
        ("eng3", "01003"),
        ("eng4", "01004"),
        ("bio", "03051"),
        ("chem", "03101"),
        ("earth", "03001"),
        ("ush", "04101"),
        ("gov", "04151"),
        ("world", "04051"),
    ]
    .into_iter()
    .map(|(id, code)| completed(id, code, 100).regents(RegentsFlag::Q))
    .chain(
        [("span1", "24052"), ("span2", "24053"), ("art", "05154")]
            .into_iter()
            .map(|(id, code)| completed(id, code, 100).regents(RegentsFlag::E)),
    )
    .collect()
}

fn act_math(score: f64) -> AssessmentScore {
    AssessmentScore {
        test: "act".into(),
        subject: Some("math".into()),
        score,
    }
}

#[test]
fn regents_three_units_with_act_22() {
    let mut entries = regents_core();
    entries.push(
        completed("alg1", "02052", 100)
            .regents(RegentsFlag::Q)
            .grade(9, 2024),
    );
    entries.push(
        completed("geom", "02072", 100)
            .regents(RegentsFlag::Q)
            .grade(10, 2025),
    );
    entries.push(
        completed("alg2", "02056", 100)
            .regents(RegentsFlag::Q)
            .grade(11, 2026),
    );
    let mut record = input(2027, entries);
    record.assessments.push(act_math(23.0));
    let result = audit_ok("ks-regents-precollege", &record);

    assert_eq!(result.status, Status::Met, "{:#?}", result.requirements);
    let math = requirement(&result, "regents_mathematics");
    let choice = math.choice.as_ref().expect("alternatives report a choice");
    assert_eq!(choice.branch, "three_units_act_22");
    assert_eq!(choice.alternatives.len(), 1);
    assert_eq!(choice.alternatives[0].branch, "four_units_senior_year");
    assert_eq!(choice.alternatives[0].status, Status::AtRisk);
    assert!(
        choice.alternatives[0]
            .reason
            .contains("Mathematics in grade 12 is short 1 unit"),
        "{}",
        choice.alternatives[0].reason
    );
    assert_eq!(math.credits.earned, 300);
    assert_eq!(result.total.clone().expect("total").credits.earned, 1600);
}

#[test]
fn regents_four_units_with_senior_year() {
    let mut entries = regents_core();
    entries.push(
        completed("alg1", "02052", 100)
            .regents(RegentsFlag::Q)
            .grade(9, 2024),
    );
    entries.push(
        completed("geom", "02072", 100)
            .regents(RegentsFlag::Q)
            .grade(10, 2025),
    );
    entries.push(
        completed("alg2", "02056", 100)
            .regents(RegentsFlag::Q)
            .grade(11, 2026),
    );
    entries.push(
        completed("precalc", "02110", 100)
            .regents(RegentsFlag::Q)
            .grade(12, 2027),
    );
    let mut record = input(2027, entries);
    record.as_of_school_year = 2027;
    record.assessments.push(act_math(19.0));
    let result = audit_ok("ks-regents-precollege", &record);

    assert_eq!(result.status, Status::Met);
    let math = requirement(&result, "regents_mathematics");
    let choice = math.choice.as_ref().expect("choice");
    assert_eq!(choice.branch, "four_units_senior_year");
    assert_eq!(
        allocated(&result, "regents_mathematics_senior_year", "precalc"),
        100
    );
    assert_eq!(math.credits.earned, 400);
    assert_eq!(choice.alternatives[0].branch, "three_units_act_22");
    assert!(
        choice.alternatives[0].reason.contains("score 19"),
        "{}",
        choice.alternatives[0].reason
    );
}

#[test]
fn regents_algebra_in_grade_8_does_not_count() {
    let math = |algebra_grade: u8, algebra_year: i32| {
        let mut entries = regents_core();
        entries.push(
            completed("alg1", "02052", 100)
                .regents(RegentsFlag::Q)
                .grade(algebra_grade, algebra_year),
        );
        entries.push(
            completed("geom", "02072", 100)
                .regents(RegentsFlag::Q)
                .grade(10, 2025),
        );
        entries.push(
            completed("alg2", "02056", 100)
                .regents(RegentsFlag::Q)
                .grade(11, 2026),
        );
        entries.push(
            completed("precalc", "02110", 100)
                .regents(RegentsFlag::Q)
                .grade(12, 2027),
        );
        let mut record = input(2027, entries);
        record.as_of_school_year = 2027;
        record.assessments.push(act_math(19.0));
        audit_ok("ks-regents-precollege", &record)
    };

    let in_grade_9 = math(9, 2024);
    assert_eq!(
        requirement(&in_grade_9, "regents_mathematics").status,
        Status::Met
    );

    let in_grade_8 = math(8, 2023);
    let result = requirement(&in_grade_8, "regents_mathematics");
    assert_eq!(result.status, Status::AtRisk);
    let choice = result.choice.as_ref().expect("choice");
    // Both branches fall short, so the first listed one is reported.
    assert_eq!(choice.branch, "three_units_act_22");
    let four_units = &choice.alternatives[0];
    assert_eq!(four_units.branch, "four_units_senior_year");
    assert_eq!(four_units.status, Status::AtRisk);
    assert!(
        four_units.reason.contains("3 of 4 units earned"),
        "{}",
        four_units.reason
    );
}

#[test]
fn regents_english_counts_half_unit_of_speech() {
    let mut entries: Vec<_> = regents_core()
        .into_iter()
        .filter(|entry| entry.id != "eng4")
        .collect();
    entries.push(
        completed("speech", "01151", 100)
            .regents(RegentsFlag::Q)
            .attribute(Attribute::Communication),
    );
    let result = audit_ok("ks-regents-precollege", &input(2027, entries));

    let english = requirement(&result, "regents_english");
    assert_eq!(allocated(&result, "regents_english", "speech"), 50);
    assert_eq!(english.credits.earned, 350);
    assert_eq!(english.status, Status::AtRisk);
}

#[test]
fn completed_credit_is_used_before_planned() {
    let entries = vec![
        completed("alg2", "02056", 100)
            .status(EntryStatus::Planned)
            .grade(11, 2027),
        completed("alg1", "02052", 100),
        completed("geom", "02072", 100).grade(10, 2026),
        completed("stats", "02201", 100).grade(10, 2026),
    ];
    let result = audit_ok("ks-state-2027", &input(2027, entries));

    let math = requirement(&result, "mathematics");
    assert_eq!(math.status, Status::Met);
    assert_eq!(math.credits.earned, 300);
    assert_eq!(math.credits.planned, 0);
    assert_eq!(allocated(&result, "electives", "alg2"), 100);
    assert!(
        requirement(&result, "electives")
            .allocations
            .iter()
            .any(|allocation| allocation.part == CreditPart::Planned)
    );
}

#[test]
fn planned_credit_makes_on_track() {
    let entries = vec![
        completed("alg1", "02052", 100),
        completed("geom", "02072", 100)
            .status(EntryStatus::InProgress)
            .grade(10, 2026),
        completed("alg2", "02056", 100)
            .status(EntryStatus::Planned)
            .grade(11, 2027),
    ];
    let result = audit_ok("ks-state-2027", &input(2027, entries));

    let math = requirement(&result, "mathematics");
    assert_eq!(math.status, Status::OnTrack);
    assert_eq!(
        (
            math.credits.earned,
            math.credits.in_progress,
            math.credits.planned
        ),
        (100, 100, 100)
    );
}

#[test]
fn short_after_graduation_is_unmet() {
    let mut record = input(2027, vec![completed("alg1", "02052", 100)]);
    record.as_of_school_year = 2028;
    let result = audit_ok("ks-state-2027", &record);

    assert_eq!(requirement(&result, "mathematics").status, Status::Unmet);
    assert_eq!(result.status, Status::Unmet);
}

#[test]
fn shuffled_input_gives_same_result() {
    let mut record = input(2028, class_of_2028_record());
    record.assets = two_assets();
    let expected = audit_ok("ks-state-2028", &record);

    let mut reversed = record.clone();
    reversed.entries.reverse();
    assert_eq!(audit_ok("ks-state-2028", &reversed), expected);

    let mut rotated = record.clone();
    rotated.entries.rotate_left(7);
    rotated.assets.reverse();
    assert_eq!(audit_ok("ks-state-2028", &rotated), expected);
}

#[test]
fn substitution_opens_a_requirement() {
    let entries = vec![
        completed("earth", "03001", 100),
        completed("chem", "03101", 100),
        completed("physics", "03151", 100),
        completed("ag_science", "18101", 100),
    ];
    let mut record = input(2027, entries);
    record.substitutions.push(Substitution {
        entry_id: "ag_science".into(),
        requirement_key: "science_laboratory".into(),
        reason: "animal science lab approved as laboratory science".into(),
        approved_by: "Principal".into(),
    });
    let result = audit_ok("ks-state-2027", &record);

    let lab = requirement(&result, "science_laboratory");
    assert_eq!(lab.status, Status::Met);
    assert_eq!(lab.substitutions, vec!["ag_science".to_string()]);
    assert!(
        lab.explanation
            .contains("Counted by substitution: ag_science"),
        "{}",
        lab.explanation
    );
    assert_eq!(requirement(&result, "science").status, Status::Met);
}

#[test]
fn surplus_and_unmatched_entries_are_reported() {
    let mut entries = class_of_2027_record();
    entries.push(completed("extra", "22001", 100));
    let result = audit_ok("ks-state-2027", &input(2027, entries));
    assert_eq!(result.unused_entries.len(), 1);
    assert_eq!(
        result.unused_entries[0].reason,
        UnusedReason::SurplusBeyondTotal
    );
    assert_eq!(result.unused_entries[0].credits, 100);

    let mut regents = regents_core();
    regents.push(completed("shop", "13001", 100).regents(RegentsFlag::N));
    let result = audit_ok("ks-regents-precollege", &input(2027, regents));
    let shop = result
        .unused_entries
        .iter()
        .find(|entry| entry.entry_id == "shop")
        .expect("reported");
    assert_eq!(shop.reason, UnusedReason::NoMatchingRequirement);
}

#[test]
fn entry_issues_are_reported() {
    let entries = vec![
        completed("late", "02052", 100)
            .status(EntryStatus::Planned)
            .grade(9, 2025),
        completed("bad_code", "9X001", 100),
        completed("future", "02072", 100).grade(11, 2027),
    ];
    let mut record = input(2027, entries);
    record.substitutions.push(Substitution {
        entry_id: "missing".into(),
        requirement_key: "fine_arts".into(),
        reason: "r".into(),
        approved_by: "a".into(),
    });
    let result = audit_ok("ks-state-2027", &record);

    let codes: Vec<IssueCode> = result.issues.iter().map(|issue| issue.code).collect();
    assert!(
        codes.contains(&IssueCode::PlannedInPastSchoolYear),
        "{codes:?}"
    );
    assert!(codes.contains(&IssueCode::InvalidScedCode), "{codes:?}");
    assert!(
        codes.contains(&IssueCode::CompletedInFutureSchoolYear),
        "{codes:?}"
    );
    assert!(codes.contains(&IssueCode::UnknownEntryId), "{codes:?}");
}

#[test]
fn pacing_sums_by_grade() {
    let entries = vec![
        completed("a", "01001", 100).grade(9, 2025),
        completed("b", "02052", 50).grade(9, 2025),
        completed("c", "01002", 100)
            .status(EntryStatus::InProgress)
            .grade(10, 2026),
        completed("d", "01003", 100)
            .status(EntryStatus::Planned)
            .grade(11, 2027),
    ];
    let result = audit_ok("ks-state-2027", &input(2027, entries));

    let grade_9 = &result.pacing[0];
    assert_eq!(
        (
            grade_9.grade,
            grade_9.expected,
            grade_9.earned,
            grade_9.shortfall
        ),
        (9, 525, 150, 375)
    );
    let grade_11 = &result.pacing[2];
    assert_eq!(
        (grade_11.earned, grade_11.in_progress, grade_11.planned),
        (150, 100, 100)
    );
    assert_eq!(grade_11.shortfall, 1575 - 350);
}
