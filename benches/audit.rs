//! Audit time for one 40-entry plan against the class-of-2028 state rule set.
//!
//! Run with `cargo bench --bench audit`.

use std::collections::BTreeSet;

use criterion::{Criterion, black_box, criterion_group, criterion_main};

use ips_api::domain::audit::{
    AssetRecord, Attribute, AuditInput, CourseEntry, EntryStatus, audit, builtin_rule_sets,
    rule_set_for_class,
};

/// (SCED code, credits in hundredths, attribute) for a typical four-year plan.
const PLAN: [(&str, u32, Option<Attribute>); 40] = [
    ("01001", 100, None),
    ("01002", 100, None),
    ("01003", 100, None),
    ("01004", 100, None),
    ("01151", 50, Some(Attribute::Communication)),
    ("04101", 100, None),
    ("04151", 50, None),
    ("04051", 100, None),
    ("04201", 50, None),
    ("03051", 100, Some(Attribute::LaboratoryScience)),
    ("03001", 100, None),
    ("03101", 100, Some(Attribute::LaboratoryScience)),
    ("03151", 100, None),
    ("02052", 100, None),
    ("02072", 100, None),
    ("02056", 100, None),
    ("02110", 100, None),
    ("08001", 50, None),
    ("08051", 50, None),
    ("22210", 50, Some(Attribute::PersonalFinancialLiteracy)),
    ("05154", 50, None),
    ("05155", 50, None),
    ("05101", 100, None),
    ("10011", 100, Some(Attribute::ComputerScience)),
    ("24052", 100, None),
    ("24053", 100, None),
    ("18001", 50, None),
    ("18002", 50, None),
    ("12001", 50, None),
    ("12002", 50, None),
    ("21001", 100, Some(Attribute::CteApplication)),
    ("11101", 50, Some(Attribute::Communication)),
    ("13001", 50, None),
    ("14001", 50, None),
    ("19001", 50, None),
    ("20001", 50, None),
    ("22001", 25, None),
    ("22002", 25, None),
    ("23001", 50, None),
    ("09001", 50, None),
];

fn plan() -> AuditInput {
    let entries = PLAN
        .iter()
        .enumerate()
        .map(|(index, (code, credits, attribute))| {
            // Ten entries per grade from 9 to 12; grades 9 and 10 are done, 11 is under way.
            let grade = 9 + u8::try_from(index / 10).unwrap_or(3);
            let status = match grade {
                9 | 10 => EntryStatus::Completed,
                11 => EntryStatus::InProgress,
                _ => EntryStatus::Planned,
            };
            CourseEntry {
                id: format!("entry-{index:02}"),
                course_code: (*code).to_string(),
                sced_code: (*code).to_string(),
                title: format!("Course {code}"),
                credits: *credits,
                credits_earned: None,
                status,
                grade_level: grade,
                school_year: 2016 + i32::from(grade),
                term: None,
                mark: (status == EntryStatus::Completed).then_some(3.0),
                attributes: attribute.iter().copied().collect::<BTreeSet<_>>(),
                level: None,
                regents_flag: None,
                repeatable: false,
            }
        })
        .collect();

    AuditInput {
        graduation_year: 2028,
        as_of_school_year: 2027,
        entries,
        assets: vec![AssetRecord {
            asset_type: "act_composite_21".into(),
            date: None,
        }],
        ..AuditInput::default()
    }
}

fn audit_40_entries(criterion: &mut Criterion) {
    let rule_sets = builtin_rule_sets();
    let Some(rule_set) = rule_set_for_class(&rule_sets, "ks-state-", 2028) else {
        panic!("the built-in rule sets cover the class of 2028");
    };
    let input = plan();

    criterion.bench_function("audit 40 entries, ks-state-2028", |bencher| {
        bencher.iter(|| audit(black_box(rule_set), black_box(&input)))
    });
}

criterion_group!(benches, audit_40_entries);
criterion_main!(benches);
