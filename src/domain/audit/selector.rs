//! Course selectors: which course entries a requirement accepts.
//!
//! A selector tests the course (SCED subject area, code, catalog attribute, level, Regents
//! flag) and the entry (grade level, mark, school year). `all`, `any` and `not` combine them;
//! `{"all": []}` matches every entry.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::input::{Attribute, CourseEntry, CourseLevel, RegentsFlag};

/// A test on a course entry. Every list variant matches when any listed value matches.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Selector {
    /// Every inner selector matches.
    #[schema(no_recursion)]
    All(Vec<Selector>),
    /// At least one inner selector matches.
    #[schema(no_recursion)]
    Any(Vec<Selector>),
    /// The inner selector does not match.
    #[schema(no_recursion)]
    Not(Box<Selector>),
    /// SCED subject areas, 2 digits, for example `"03"` for life and physical sciences.
    SubjectArea(Vec<String>),
    /// Patterns on the SCED code or the course code; `*` matches any run of characters.
    CodePattern(Vec<String>),
    /// Exact SCED codes or course codes.
    Code(Vec<String>),
    /// Catalog attributes.
    Attribute(Vec<Attribute>),
    /// SCED course levels.
    Level(Vec<CourseLevel>),
    /// KCCMS Regents flags.
    RegentsFlag(Vec<RegentsFlag>),
    /// Grade level of the entry, inclusive bounds.
    GradeLevel(Bounds),
    /// Minimum grade points on the entry; entries without a mark (in progress, planned) pass.
    MinMark(f64),
    /// School year of the entry (the calendar year in which it ends), inclusive bounds.
    SchoolYear(Bounds),
}

/// Inclusive integer bounds; a missing bound is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Bounds {
    #[serde(default)]
    pub min: Option<i32>,
    #[serde(default)]
    pub max: Option<i32>,
}

impl Bounds {
    fn contains(&self, value: i32) -> bool {
        self.min.is_none_or(|min| value >= min) && self.max.is_none_or(|max| value <= max)
    }
}

impl Selector {
    /// Reports whether the entry matches.
    pub fn matches(&self, entry: &CourseEntry) -> bool {
        match self {
            Selector::All(inner) => inner.iter().all(|selector| selector.matches(entry)),
            Selector::Any(inner) => inner.iter().any(|selector| selector.matches(entry)),
            Selector::Not(inner) => !inner.matches(entry),
            Selector::SubjectArea(areas) => areas.iter().any(|area| area == entry.subject_area()),
            Selector::CodePattern(patterns) => patterns.iter().any(|pattern| {
                wildcard_matches(pattern, &entry.sced_code)
                    || wildcard_matches(pattern, &entry.course_code)
            }),
            Selector::Code(codes) => codes
                .iter()
                .any(|code| *code == entry.sced_code || *code == entry.course_code),
            Selector::Attribute(attributes) => attributes
                .iter()
                .any(|attribute| entry.attributes.contains(attribute)),
            Selector::Level(levels) => entry.level.is_some_and(|level| levels.contains(&level)),
            Selector::RegentsFlag(flags) => {
                entry.regents_flag.is_some_and(|flag| flags.contains(&flag))
            }
            Selector::GradeLevel(bounds) => bounds.contains(i32::from(entry.grade_level)),
            Selector::MinMark(minimum) => entry.mark.is_none_or(|mark| mark >= *minimum),
            Selector::SchoolYear(bounds) => bounds.contains(entry.school_year),
        }
    }

    /// Collects problems with this selector as (JSON pointer, message) pairs below `pointer`.
    pub(super) fn check(&self, pointer: &str, problems: &mut Vec<(String, String)>) {
        match self {
            Selector::All(inner) | Selector::Any(inner) => {
                let name = if matches!(self, Selector::All(_)) {
                    "all"
                } else {
                    "any"
                };
                for (index, selector) in inner.iter().enumerate() {
                    selector.check(&format!("{pointer}/{name}/{index}"), problems);
                }
            }
            Selector::Not(inner) => inner.check(&format!("{pointer}/not"), problems),
            Selector::SubjectArea(areas) => {
                for (index, area) in areas.iter().enumerate() {
                    if area.len() != 2 || !area.bytes().all(|byte| byte.is_ascii_digit()) {
                        problems.push((
                            format!("{pointer}/subject_area/{index}"),
                            format!("SCED subject area must be 2 digits, got {area:?}"),
                        ));
                    }
                }
            }
            Selector::CodePattern(patterns) => {
                for (index, pattern) in patterns.iter().enumerate() {
                    if pattern.is_empty() {
                        problems.push((
                            format!("{pointer}/code_pattern/{index}"),
                            "code pattern must not be empty".into(),
                        ));
                    }
                }
            }
            Selector::MinMark(minimum) => {
                if !(0.0..=4.0).contains(minimum) {
                    problems.push((
                        format!("{pointer}/min_mark"),
                        format!(
                            "minimum mark must be between 0.0 and 4.0 grade points, got {minimum}"
                        ),
                    ));
                }
            }
            Selector::GradeLevel(bounds) | Selector::SchoolYear(bounds) => {
                if let (Some(min), Some(max)) = (bounds.min, bounds.max)
                    && min > max
                {
                    problems.push((
                        pointer.to_string(),
                        format!("bounds are empty: min {min} is above max {max}"),
                    ));
                }
            }
            Selector::Code(_)
            | Selector::Attribute(_)
            | Selector::Level(_)
            | Selector::RegentsFlag(_) => {}
        }
    }
}

/// Matches `text` against `pattern`, where `*` matches any run of characters (also none).
fn wildcard_matches(pattern: &str, text: &str) -> bool {
    let pattern = pattern.as_bytes();
    let text = text.as_bytes();
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;

    while t < text.len() {
        if p < pattern.len() && pattern[p] == b'*' {
            star = Some((p, t));
            p += 1;
        } else if p < pattern.len() && pattern[p] == text[t] {
            p += 1;
            t += 1;
        } else if let Some((star_p, star_t)) = star {
            // Let the last `*` absorb one more character and retry from there.
            p = star_p + 1;
            t = star_t + 1;
            star = Some((star_p, star_t + 1));
        } else {
            return false;
        }
    }

    pattern[p..].iter().all(|&byte| byte == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::audit::tests::fixtures::completed;

    fn parse(json: &str) -> Selector {
        serde_json::from_str(json).expect("valid selector")
    }

    #[test]
    fn wildcard_matches_prefix_and_infix() {
        assert!(wildcard_matches("031*", "03101"));
        assert!(wildcard_matches("0*1", "03101"));
        assert!(wildcard_matches("*", ""));
        assert!(!wildcard_matches("031*", "03001"));
        assert!(!wildcard_matches("0310", "03101"));
    }

    #[test]
    fn subject_area_reads_sced_prefix() {
        let selector = parse(r#"{"subject_area": ["03"]}"#);
        assert!(selector.matches(&completed("e1", "03051", 100)));
        assert!(!selector.matches(&completed("e2", "02052", 100)));
    }

    #[test]
    fn combinators_nest() {
        let selector = parse(
            r#"{"all": [{"subject_area": ["02"]}, {"not": {"all": [{"code": ["02052"]}, {"grade_level": {"max": 8}}]}}]}"#,
        );
        let mut algebra_in_grade_8 = completed("e1", "02052", 100);
        algebra_in_grade_8.grade_level = 8;
        let mut algebra_in_grade_9 = completed("e2", "02052", 100);
        algebra_in_grade_9.grade_level = 9;

        assert!(!selector.matches(&algebra_in_grade_8));
        assert!(selector.matches(&algebra_in_grade_9));
    }

    #[test]
    fn min_mark_passes_unmarked_entries() {
        let selector = parse(r#"{"min_mark": 2.0}"#);
        let mut entry = completed("e1", "01001", 100);
        entry.mark = Some(1.0);
        assert!(!selector.matches(&entry));
        entry.mark = None;
        assert!(selector.matches(&entry));
    }

    #[test]
    fn empty_all_matches_everything() {
        assert!(parse(r#"{"all": []}"#).matches(&completed("e1", "22001", 100)));
        assert!(!parse(r#"{"any": []}"#).matches(&completed("e1", "22001", 100)));
    }
}
