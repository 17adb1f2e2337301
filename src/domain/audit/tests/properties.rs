//! Properties that hold for any plan against the built-in rule sets.

use proptest::prelude::*;

use super::super::{
    Attribute, AuditResult, CourseEntry, EntryStatus, RegentsFlag, RequirementResult, RuleSet,
    Status, audit,
};
use super::fixtures::{EntryExt, builtin, completed, input};

/// SCED codes across the subject areas the built-in rule sets name, plus two they do not.
const CODES: &[&str] = &[
    "01001", "01002", "01151", "02052", "02072", "02056", "02110", "03001", "03051", "03101",
    "03151", "04101", "04151", "05154", "05001", "08001", "08051", "10011", "22210", "24052",
    "18001", "13001",
];

const ATTRIBUTES: &[Attribute] = &[
    Attribute::LaboratoryScience,
    Attribute::Communication,
    Attribute::PersonalFinancialLiteracy,
    Attribute::PhysicalEducation,
    Attribute::Health,
    Attribute::ComputerScience,
];

fn entry_strategy() -> impl Strategy<Value = CourseEntry> {
    (
        0..CODES.len(),
        prop::sample::select(vec![25u32, 50, 100]),
        prop::sample::select(vec![
            EntryStatus::Completed,
            EntryStatus::Completed,
            EntryStatus::InProgress,
            EntryStatus::Planned,
            EntryStatus::Failed,
            EntryStatus::Withdrawn,
        ]),
        8u8..=12,
        prop::option::of(0..ATTRIBUTES.len()),
        prop::sample::select(vec![RegentsFlag::Q, RegentsFlag::E, RegentsFlag::N]),
        any::<bool>(),
        prop::option::of(prop::sample::select(vec![0u32, 25, 50])),
    )
        .prop_map(
            |(code, credits, status, grade, attribute, flag, repeatable, earned)| {
                let mut entry = completed("", CODES[code], credits)
                    .status(status)
                    .grade(grade, 2017 + i32::from(grade))
                    .regents(flag);
                if let Some(attribute) = attribute {
                    entry = entry.attribute(ATTRIBUTES[attribute]);
                }
                entry.repeatable = repeatable;
                if status == EntryStatus::Completed {
                    entry.credits_earned = earned;
                }
                entry
            },
        )
}

fn plan_strategy() -> impl Strategy<Value = Vec<CourseEntry>> {
    prop::collection::vec(entry_strategy(), 0..32).prop_map(|entries| {
        entries
            .into_iter()
            .enumerate()
            .map(|(index, mut entry)| {
                entry.id = format!("e{index:02}");
                entry
            })
            .collect()
    })
}

fn rule_set_strategy() -> impl Strategy<Value = RuleSet> {
    prop::sample::select(vec![
        "ks-state-2027",
        "ks-state-2028",
        "ks-regents-precollege",
    ])
    .prop_map(builtin)
}

fn run(rule_set: &RuleSet, entries: Vec<CourseEntry>) -> AuditResult {
    audit(rule_set, &input(2028, entries)).expect("built-in rule sets are valid")
}

fn visit<'a>(results: &'a [RequirementResult], found: &mut Vec<&'a RequirementResult>) {
    for result in results {
        found.push(result);
        visit(&result.children, found);
    }
}

fn all_requirements(result: &AuditResult) -> Vec<&RequirementResult> {
    let mut found = Vec::new();
    visit(&result.requirements, &mut found);
    found
}

fn available(entry: &CourseEntry) -> u32 {
    match entry.status {
        EntryStatus::Completed => entry.credits_earned.unwrap_or(entry.credits),
        EntryStatus::InProgress | EntryStatus::Planned => entry.credits,
        EntryStatus::Failed | EntryStatus::Withdrawn => 0,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn shuffling_never_changes_result(
        rule_set in rule_set_strategy(),
        (entries, shuffled) in plan_strategy().prop_flat_map(|entries| (Just(entries.clone()), Just(entries).prop_shuffle())),
    ) {
        prop_assert_eq!(run(&rule_set, entries), run(&rule_set, shuffled));
    }

    /// A requirement that was met stays covered. It may drop from `met` to `on_track`: when
    /// every entry is used in full, the costs cannot tell which requirement should get the
    /// completed credit, so a new course can shift completed credit away from it.
    #[test]
    fn added_completed_course_keeps_met_requirements_covered(
        rule_set in rule_set_strategy(),
        entries in plan_strategy(),
        extra in entry_strategy(),
    ) {
        let before = run(&rule_set, entries.clone());
        let mut more = entries;
        // A new course: its own course code, so it is no repeat of an entry in the plan.
        let mut extra = extra.status(EntryStatus::Completed).mark(Some(3.0)).code("NEW-COURSE");
        extra.id = "extra".to_string();
        more.push(extra);
        let after = run(&rule_set, more);

        for result in all_requirements(&before).into_iter().filter(|result| result.status == Status::Met) {
            // Within alternatives the chosen branch may change, so a requirement of the old
            // branch may be absent from the new result.
            if let Some(later) = all_requirements(&after).into_iter().find(|later| later.key == result.key) {
                prop_assert!(
                    later.status.rank() >= Status::OnTrack.rank(),
                    "{} was met before the extra course and is {:?} after", result.key, later.status
                );
            }
        }
        prop_assert!(after.status.rank() >= before.status.rank().min(Status::OnTrack.rank()));
    }

    #[test]
    fn allocation_never_exceeds_entry_credit(rule_set in rule_set_strategy(), entries in plan_strategy()) {
        let result = run(&rule_set, entries.clone());

        for entry in &entries {
            let counted: u32 = result
                .requirements
                .iter()
                .flat_map(|requirement| &requirement.allocations)
                .filter(|allocation| allocation.entry_id == entry.id)
                .map(|allocation| allocation.credits)
                .sum();
            prop_assert!(counted <= available(entry), "entry {} counted {} of {}", entry.id, counted, available(entry));
        }
    }

    #[test]
    fn allocation_never_exceeds_requirement(rule_set in rule_set_strategy(), entries in plan_strategy()) {
        let result = run(&rule_set, entries);

        for requirement in all_requirements(&result) {
            prop_assert!(
                requirement.credits.allocated() <= requirement.credits.required,
                "{} allocated {} of {}", requirement.key, requirement.credits.allocated(), requirement.credits.required
            );
        }
        if let Some(total) = &result.total {
            prop_assert!(total.credits.allocated() <= total.credits.required.max(
                result.requirements.iter().map(|requirement| requirement.credits.required).sum()
            ));
        }
    }
}
