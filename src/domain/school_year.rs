//! School years, named by the calendar year in which they end (2027 is 2026–27), as in Ed-Fi.

use chrono::{Datelike, NaiveDate};

/// The first month of a Kansas school year. A date from July on belongs to the next school
/// year; a date before July belongs to the school year ending that calendar year.
pub const FIRST_MONTH: u32 = 7;

/// Returns the school year that contains `date`.
pub fn school_year_of(date: NaiveDate) -> i32 {
    if date.month() >= FIRST_MONTH {
        date.year() + 1
    } else {
        date.year()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(year: i32, month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, month, day).expect("valid test date")
    }

    #[test]
    fn july_starts_next_school_year() {
        assert_eq!(school_year_of(date(2026, 8, 15)), 2027);
        assert_eq!(school_year_of(date(2026, 7, 1)), 2027);
    }

    #[test]
    fn spring_belongs_to_current_school_year() {
        assert_eq!(school_year_of(date(2027, 5, 20)), 2027);
        assert_eq!(school_year_of(date(2027, 6, 30)), 2027);
    }
}
