//! Rules a plan of study must satisfy regardless of the catalog: how school years, grade
//! levels and graduation years fit together, and which course entries repeat.

/// The earliest grade whose courses a plan may hold. High-school credit is often earned in
/// middle school (Algebra I in grade 8, for example), so plans start at grade 6.
pub const FIRST_GRADE: i32 = 6;
/// The last grade of a plan.
pub const LAST_GRADE: i32 = 12;

/// Returns the grade a student graduating in `graduation_year` is in during `school_year`
/// when on schedule: grade 12 in the graduation year, grade 11 the year before, and so on.
/// The arithmetic saturates, because the years may come unchecked from a request.
pub fn expected_grade(graduation_year: i32, school_year: i32) -> i32 {
    LAST_GRADE.saturating_sub(graduation_year.saturating_sub(school_year))
}

/// Checks that a course entry's school year and grade level fit the graduation year. One
/// grade of difference is allowed, for students who were retained or accelerated.
pub fn check_entry_timing(
    graduation_year: i32,
    school_year: i32,
    grade_level: i32,
) -> Result<(), (&'static str, String)> {
    let expected = expected_grade(graduation_year, school_year);
    if !(FIRST_GRADE..=LAST_GRADE).contains(&expected) {
        let first = graduation_year.saturating_sub(LAST_GRADE - FIRST_GRADE);
        return Err((
            "schoolYear",
            format!(
                "schoolYear {school_year} does not fit a plan graduating in {graduation_year}; use a school year from {first} to {graduation_year}"
            ),
        ));
    }
    if (grade_level - expected).abs() > 1 {
        return Err((
            "gradeLevel",
            format!(
                "gradeLevel {grade_level} does not fit schoolYear {school_year} for a student graduating in {graduation_year}, who would be in grade {expected}"
            ),
        ));
    }
    Ok(())
}

/// Status of a course entry, as it matters for repeats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    /// Planned, in progress or completed: the entry counts or will count.
    Counting,
    /// Failed or withdrawn: the entry earns nothing, so taking the course again is no repeat.
    NotCounting,
}

/// Finds entries that repeat a non-repeatable course: for each course, every counting entry
/// after the first. `entries` are `(course key, repeatable, attempt)`; returns their indexes.
pub fn repeated_entries(entries: &[(String, bool, Attempt)]) -> Vec<usize> {
    let mut seen = std::collections::HashSet::new();
    let mut repeats = Vec::new();
    for (index, (course, repeatable, attempt)) in entries.iter().enumerate() {
        if *repeatable || *attempt == Attempt::NotCounting {
            continue;
        }
        if !seen.insert(course.as_str()) {
            repeats.push(index);
        }
    }
    repeats
}

/// Converts a grade mark into grade points on the 4.0 scale: letter grades (`A` 4.0, `A-`
/// 3.7, `B+` 3.3, … `D-` 0.7, `F` 0.0) or a number from 0 to 4. Marks without points, such as
/// `P` (pass) or `I` (incomplete), give `None`.
pub fn grade_points(mark: &str) -> Option<f64> {
    let mark = mark.trim().to_ascii_uppercase();
    if let Ok(points) = mark.parse::<f64>() {
        return (0.0..=4.0).contains(&points).then_some(points);
    }
    let mut chars = mark.chars();
    let base = match chars.next()? {
        'A' => 4.0,
        'B' => 3.0,
        'C' => 2.0,
        'D' => 1.0,
        'F' => return (mark.len() == 1).then_some(0.0),
        _ => return None,
    };
    let points: f64 = match chars.as_str() {
        "" => base,
        "+" if base < 4.0 => base + 0.3,
        "+" => base,
        "-" => base - 0.3,
        _ => return None,
    };
    Some((points * 10.0).round() / 10.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grade_points_of_letters_and_numbers() {
        assert_eq!(grade_points("A"), Some(4.0));
        assert_eq!(grade_points("a-"), Some(3.7));
        assert_eq!(grade_points("B+"), Some(3.3));
        assert_eq!(grade_points("D-"), Some(0.7));
        assert_eq!(grade_points("F"), Some(0.0));
        assert_eq!(grade_points("3.5"), Some(3.5));
        assert_eq!(grade_points("P"), None);
        assert_eq!(grade_points("5"), None);
        assert_eq!(grade_points("FX"), None);
    }

    #[test]
    fn expected_grade_counts_back_from_graduation() {
        assert_eq!(expected_grade(2030, 2030), 12);
        assert_eq!(expected_grade(2030, 2027), 9);
        assert_eq!(expected_grade(2030, 2026), 8);
    }

    #[test]
    fn entry_timing_accepts_on_schedule_and_one_grade_off() {
        assert!(check_entry_timing(2030, 2027, 9).is_ok());
        assert!(check_entry_timing(2030, 2027, 10).is_ok());
        assert!(check_entry_timing(2030, 2026, 8).is_ok());
    }

    #[test]
    fn entry_timing_rejects_far_off_grades_and_years() {
        assert_eq!(
            check_entry_timing(2030, 2027, 12).map_err(|e| e.0),
            Err("gradeLevel")
        );
        assert_eq!(
            check_entry_timing(2030, 2031, 12).map_err(|e| e.0),
            Err("schoolYear")
        );
        assert_eq!(
            check_entry_timing(2030, 2023, 6).map_err(|e| e.0),
            Err("schoolYear")
        );
    }

    #[test]
    fn repeats_skip_failed_attempts_and_repeatable_courses() {
        let entries = vec![
            ("ALG1".to_owned(), false, Attempt::NotCounting),
            ("ALG1".to_owned(), false, Attempt::Counting),
            ("BAND".to_owned(), true, Attempt::Counting),
            ("BAND".to_owned(), true, Attempt::Counting),
            ("ENG9".to_owned(), false, Attempt::Counting),
            ("ENG9".to_owned(), false, Attempt::Counting),
        ];
        assert_eq!(repeated_entries(&entries), vec![5]);
    }

    #[test]
    fn extreme_years_do_not_overflow() {
        assert!(expected_grade(2030, i32::MIN + 1) < FIRST_GRADE);
        assert!(expected_grade(i32::MIN, 2030) > LAST_GRADE);
        assert!(check_entry_timing(i32::MIN, i32::MAX, 9).is_err());
    }
}
