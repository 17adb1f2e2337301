//! The demo's review policies and plan reviews, placed around the load date so that the
//! compliance report shows every status on the day the demo is loaded.

use chrono::{Datelike, Days, NaiveDate};
use serde_json::{Value, json};

use crate::domain::review::school_year_bounds;

/// Days before the due date at which an unmet review counts as due soon.
const DUE_SOON_DAYS: u64 = 14;

/// The two review windows of the high schools, as dates of the current school year: the
/// first closed a week before `today`, the second closes ten days after it. Both are clamped
/// to the school year, so on July 1 the first window has not closed yet.
pub struct Windows {
    pub first: (NaiveDate, NaiveDate),
    pub second: (NaiveDate, NaiveDate),
}

impl Windows {
    pub fn around(today: NaiveDate, school_year: i32) -> Windows {
        let (start, end) = school_year_bounds(school_year).unwrap_or((today, today));
        let clamp = |date: Option<NaiveDate>| date.unwrap_or(today).clamp(start, end);
        Windows {
            first: (
                clamp(today.checked_sub_days(Days::new(60))),
                clamp(today.checked_sub_days(Days::new(8))),
            ),
            second: (
                clamp(today.checked_sub_days(Days::new(7))),
                clamp(today.checked_add_days(Days::new(10))),
            ),
        }
    }
}

/// February 29 is not a valid policy day, so a window edge on it moves to February 28.
fn month_day(date: NaiveDate) -> Value {
    let day = if date.month() == 2 && date.day() == 29 {
        28
    } else {
        date.day()
    };
    json!({"month": date.month(), "day": day})
}

/// Builds the district policy: two reviews a year, one in each window.
pub fn district_policy(windows: &Windows) -> Value {
    json!({
        "minimumReviewsPerYear": 2,
        "windows": [
            {"name": "first", "opens": month_day(windows.first.0), "closes": month_day(windows.first.1)},
            {"name": "second", "opens": month_day(windows.second.0), "closes": month_day(windows.second.1)},
        ],
        "dueSoonDays": DUE_SOON_DAYS,
    })
}

/// Builds the middle school policy: one review any time before the end of the school year.
pub fn middle_school_policy(school_id: &str) -> Value {
    json!({
        "schoolId": school_id,
        "minimumReviewsPerYear": 1,
        "windows": [],
        "dueSoonDays": DUE_SOON_DAYS,
    })
}

/// Builds a review held on `date` with the student, the counselor and, when `family` is
/// set, a parent.
pub fn review(date: NaiveDate, counselor: &str, family: bool, summary: &str) -> Value {
    let kind = match date.month() {
        8..=12 => "fall",
        1..=5 => "spring",
        _ => "ad_hoc",
    };
    let mut participants = vec![
        json!({"role": "student", "attended": true}),
        json!({"role": "counselor", "staffId": counselor, "name": "Demo Counselor", "attended": true}),
    ];
    if family {
        participants
            .push(json!({"role": "parent_guardian", "name": "Demo Parent", "attended": true}));
    }
    json!({
        "date": date,
        "kind": kind,
        "participants": participants,
        "summary": summary,
        "decisions": [],
        "nextSteps": [],
    })
}
