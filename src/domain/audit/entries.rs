//! Entry preparation: how much credit each course entry can contribute, and the input
//! problems the entries show.

use std::collections::{BTreeMap, BTreeSet};

use super::input::{AuditInput, CourseEntry, EntryStatus};
use super::result::{CreditPart, Issue, IssueCode, UnusedEntry, UnusedReason};

/// An entry that can contribute credit.
#[derive(Debug, Clone)]
pub(super) struct Candidate<'a> {
    pub entry: &'a CourseEntry,
    /// Credit the entry can contribute, in hundredths.
    pub available: u32,
    pub part: CreditPart,
}

/// Entries split into those that can contribute and those that cannot.
#[derive(Debug, Default)]
pub(super) struct PreparedEntries<'a> {
    /// Contributing entries in canonical order, independent of input order.
    pub candidates: Vec<Candidate<'a>>,
    pub excluded: Vec<UnusedEntry>,
    pub issues: Vec<Issue>,
}

/// SCED v12 subject areas; 06 is retired in favour of 24 but still appears on transcripts.
const SCED_SUBJECT_AREAS: &[&str] = &[
    "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12", "13", "14", "15", "16",
    "17", "18", "19", "20", "21", "22", "23", "24", "25",
];

/// Sorts entries canonically, decides what each can contribute and collects entry issues.
///
/// Completed entries contribute `creditsEarned` (default `credits`), in-progress and planned
/// entries their `credits`. Failed and withdrawn entries contribute nothing. Among passing
/// attempts of one course code that is not repeatable, one counts (completed before in progress
/// before planned, then the most credit, then the oldest) and the others contribute nothing.
pub(super) fn prepare(input: &AuditInput) -> PreparedEntries<'_> {
    let mut prepared = PreparedEntries::default();

    let mut entries: Vec<&CourseEntry> = input.entries.iter().collect();
    entries.sort_by(|a, b| canonical_order(a, b));

    report_entry_issues(&entries, input.as_of_school_year, &mut prepared.issues);

    let mut counted_codes: BTreeMap<&str, &str> = BTreeMap::new();
    let mut attempts = entries.clone();
    attempts.sort_by(|a, b| attempt_order(a, b));

    for entry in attempts {
        let part = match entry.status {
            EntryStatus::Completed => CreditPart::Earned,
            EntryStatus::InProgress => CreditPart::InProgress,
            EntryStatus::Planned => CreditPart::Planned,
            EntryStatus::Failed => {
                prepared
                    .excluded
                    .push(unused(entry, entry.credits, UnusedReason::Failed));
                continue;
            }
            EntryStatus::Withdrawn => {
                prepared
                    .excluded
                    .push(unused(entry, entry.credits, UnusedReason::Withdrawn));
                continue;
            }
        };

        let available = available_credit(entry);

        if !entry.repeatable {
            if let Some(first) = counted_codes.get(entry.course_code.as_str()) {
                prepared.issues.push(Issue {
                    code: IssueCode::NonRepeatableCourseRepeated,
                    entry_id: Some(entry.id.clone()),
                    requirement_key: None,
                    message: format!(
                        "course {} in entry {} repeats entry {}; the course is not repeatable, so the repeat earns nothing",
                        entry.course_code, entry.id, first
                    ),
                });
                prepared.excluded.push(unused(
                    entry,
                    available,
                    UnusedReason::RepeatOfNonRepeatable,
                ));
                continue;
            }
            counted_codes.insert(&entry.course_code, &entry.id);
        }

        if available == 0 {
            prepared
                .excluded
                .push(unused(entry, 0, UnusedReason::NoCredit));
            continue;
        }

        prepared.candidates.push(Candidate {
            entry,
            available,
            part,
        });
    }

    prepared
        .candidates
        .sort_by(|a, b| canonical_order(a.entry, b.entry));
    prepared
        .excluded
        .sort_by(|a, b| a.entry_id.cmp(&b.entry_id).then(a.reason.cmp(&b.reason)));
    prepared
}

fn unused(entry: &CourseEntry, credits: u32, reason: UnusedReason) -> UnusedEntry {
    UnusedEntry {
        entry_id: entry.id.clone(),
        credits,
        reason,
    }
}

/// Orders entries by id, then by every field that could tell two entries with one id apart.
pub(super) fn canonical_order(a: &CourseEntry, b: &CourseEntry) -> std::cmp::Ordering {
    a.id.cmp(&b.id)
        .then_with(|| a.course_code.cmp(&b.course_code))
        .then_with(|| a.school_year.cmp(&b.school_year))
        .then_with(|| a.term.cmp(&b.term))
        .then_with(|| a.status.cmp(&b.status))
        .then_with(|| a.credits.cmp(&b.credits))
        .then_with(|| a.sced_code.cmp(&b.sced_code))
        .then_with(|| a.grade_level.cmp(&b.grade_level))
}

/// Orders attempts so the one that counts comes first: completed, in progress, planned, then
/// the most credit, then older school years and terms. Preferring the most credit means a
/// further completed attempt never lowers the completed credit a course contributes.
fn attempt_order(a: &CourseEntry, b: &CourseEntry) -> std::cmp::Ordering {
    status_rank(a.status)
        .cmp(&status_rank(b.status))
        .then_with(|| available_credit(b).cmp(&available_credit(a)))
        .then_with(|| a.school_year.cmp(&b.school_year))
        .then_with(|| a.term.cmp(&b.term))
        .then_with(|| canonical_order(a, b))
}

/// Returns the credit an entry that passed or will pass can contribute.
fn available_credit(entry: &CourseEntry) -> u32 {
    match entry.status {
        EntryStatus::Completed => entry.credits_earned.unwrap_or(entry.credits),
        _ => entry.credits,
    }
}

fn status_rank(status: EntryStatus) -> u8 {
    match status {
        EntryStatus::Completed => 0,
        EntryStatus::InProgress => 1,
        EntryStatus::Planned => 2,
        EntryStatus::Failed | EntryStatus::Withdrawn => 3,
    }
}

fn report_entry_issues(entries: &[&CourseEntry], as_of_school_year: i32, issues: &mut Vec<Issue>) {
    let mut seen_ids = BTreeSet::new();

    for entry in entries {
        let mut report = |code: IssueCode, message: String| {
            issues.push(Issue {
                code,
                entry_id: Some(entry.id.clone()),
                requirement_key: None,
                message,
            });
        };

        if !seen_ids.insert(entry.id.as_str()) {
            report(
                IssueCode::DuplicateEntryId,
                format!("entry id {} appears more than once", entry.id),
            );
        }

        let sced_is_digits =
            entry.sced_code.len() == 5 && entry.sced_code.bytes().all(|byte| byte.is_ascii_digit());
        if !sced_is_digits || !SCED_SUBJECT_AREAS.contains(&entry.subject_area()) {
            report(
                IssueCode::InvalidScedCode,
                format!(
                    "SCED code {:?} of entry {} is not 5 digits starting with a SCED v12 subject area; only explicit codes and patterns can match it",
                    entry.sced_code, entry.id
                ),
            );
        }

        if !(6..=12).contains(&entry.grade_level) {
            report(
                IssueCode::GradeLevelOutOfRange,
                format!(
                    "grade level {} of entry {} is outside grades 6 to 12",
                    entry.grade_level, entry.id
                ),
            );
        }

        if let Some(earned) = entry.credits_earned
            && earned > entry.credits
        {
            report(
                IssueCode::CreditsEarnedExceedCredits,
                format!(
                    "entry {} earned {} units but the course carries {}",
                    entry.id,
                    super::credits::format(earned),
                    super::credits::format(entry.credits)
                ),
            );
        }

        if let Some(mark) = entry.mark
            && !(0.0..=4.0).contains(&mark)
        {
            report(
                IssueCode::MarkOutOfRange,
                format!(
                    "mark {mark} of entry {} is outside 0.0 to 4.0 grade points",
                    entry.id
                ),
            );
        }

        let unfinished = matches!(entry.status, EntryStatus::Planned | EntryStatus::InProgress);
        if unfinished && entry.school_year < as_of_school_year {
            report(
                IssueCode::PlannedInPastSchoolYear,
                format!(
                    "entry {} is still {} in school year {} although the audit is for school year {}; record its outcome",
                    entry.id,
                    if entry.status == EntryStatus::Planned {
                        "planned"
                    } else {
                        "in progress"
                    },
                    entry.school_year,
                    as_of_school_year
                ),
            );
        }

        let finished = matches!(entry.status, EntryStatus::Completed | EntryStatus::Failed);
        if finished && entry.school_year > as_of_school_year {
            report(
                IssueCode::CompletedInFutureSchoolYear,
                format!(
                    "entry {} has an outcome in school year {}, after the audit's school year {}",
                    entry.id, entry.school_year, as_of_school_year
                ),
            );
        }
    }
}
