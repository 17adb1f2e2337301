//! Builders for test records.

use std::collections::BTreeSet;

use super::super::{
    Attribute, AuditInput, AuditResult, CourseEntry, EntryStatus, RegentsFlag, RequirementResult,
    RuleSet, builtin_rule_sets,
};

/// Builds a completed 9th-grade entry in school year 2025 with mark 3.0, whose course code is
/// the SCED code.
pub(crate) fn completed(id: &str, sced_code: &str, credits: u32) -> CourseEntry {
    CourseEntry {
        id: id.to_string(),
        course_code: sced_code.to_string(),
        sced_code: sced_code.to_string(),
        title: format!("Course {sced_code}"),
        credits,
        credits_earned: None,
        status: EntryStatus::Completed,
        grade_level: 9,
        school_year: 2025,
        term: None,
        mark: Some(3.0),
        attributes: BTreeSet::new(),
        level: None,
        regents_flag: None,
        repeatable: false,
    }
}

/// Builder-style changes to an entry.
pub(crate) trait EntryExt {
    fn status(self, status: EntryStatus) -> Self;
    fn grade(self, grade_level: u8, school_year: i32) -> Self;
    fn attribute(self, attribute: Attribute) -> Self;
    fn regents(self, flag: RegentsFlag) -> Self;
    fn code(self, course_code: &str) -> Self;
    fn mark(self, mark: Option<f64>) -> Self;
}

impl EntryExt for CourseEntry {
    fn status(mut self, status: EntryStatus) -> Self {
        self.status = status;
        if !matches!(status, EntryStatus::Completed | EntryStatus::Failed) {
            self.mark = None;
        }
        self
    }

    fn grade(mut self, grade_level: u8, school_year: i32) -> Self {
        self.grade_level = grade_level;
        self.school_year = school_year;
        self
    }

    fn attribute(mut self, attribute: Attribute) -> Self {
        self.attributes.insert(attribute);
        self
    }

    fn regents(mut self, flag: RegentsFlag) -> Self {
        self.regents_flag = Some(flag);
        self
    }

    fn code(mut self, course_code: &str) -> Self {
        self.course_code = course_code.to_string();
        self
    }

    fn mark(mut self, mark: Option<f64>) -> Self {
        self.mark = mark;
        self
    }
}

/// Builds an input for the class of `graduation_year`, audited in school year 2026.
pub(crate) fn input(graduation_year: i32, entries: Vec<CourseEntry>) -> AuditInput {
    AuditInput {
        graduation_year,
        as_of_school_year: 2026,
        entries,
        ..AuditInput::default()
    }
}

/// Returns the built-in rule set with this id.
pub(crate) fn builtin(id: &str) -> RuleSet {
    builtin_rule_sets()
        .into_iter()
        .find(|rule_set| rule_set.id == id)
        .unwrap_or_else(|| panic!("no built-in rule set {id}"))
}

/// Returns the result for a requirement key anywhere in the tree.
pub(crate) fn requirement<'a>(result: &'a AuditResult, key: &str) -> &'a RequirementResult {
    fn search<'a>(results: &'a [RequirementResult], key: &str) -> Option<&'a RequirementResult> {
        results.iter().find_map(|result| {
            if result.key == key {
                Some(result)
            } else {
                search(&result.children, key)
            }
        })
    }
    search(&result.requirements, key)
        .unwrap_or_else(|| panic!("no requirement {key} in the result"))
}

/// Returns the credit (hundredths) an entry contributes to a requirement, over every part.
pub(crate) fn allocated(result: &AuditResult, key: &str, entry_id: &str) -> u32 {
    requirement(result, key)
        .allocations
        .iter()
        .filter(|allocation| allocation.entry_id == entry_id)
        .map(|allocation| allocation.credits)
        .sum()
}

/// Builds a completed record for the class of 2027 with exactly the 21 units the rules ask for.
pub(crate) fn class_of_2027_record() -> Vec<CourseEntry> {
    vec![
        completed("ela1", "01001", 100),
        completed("ela2", "01002", 100),
        completed("ela3", "01003", 100),
        completed("ela4", "01004", 100),
        completed("hist1", "04101", 100),
        completed("hist2", "04151", 100),
        completed("hist3", "04051", 100),
        completed("bio", "03051", 100).attribute(Attribute::LaboratoryScience),
        completed("earth", "03001", 100),
        completed("chem", "03101", 100),
        completed("alg1", "02052", 100),
        completed("geom", "02072", 100),
        completed("alg2", "02056", 100),
        completed("art", "05154", 100),
        completed("pe", "08001", 50),
        completed("health", "08051", 50),
        completed("span1", "24052", 100),
        completed("span2", "24053", 100),
        completed("cs", "10011", 100),
        completed("ag", "18001", 100),
        completed("bus", "12001", 100),
        completed("drafting", "21001", 100),
    ]
}
