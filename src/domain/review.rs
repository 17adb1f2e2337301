//! Plan reviews: the district review policy and the compliance of one plan with it.
//!
//! A policy lists review windows as month/day pairs, so one policy applies to every school
//! year. [`evaluate`] judges a plan for one school year as of a given date from the reviews
//! held on or before that date.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Kind of plan review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReviewKind {
    Fall,
    Spring,
    Annual,
    StudentLedConference,
    Transition,
    AdHoc,
}

impl ReviewKind {
    pub const ALL: [ReviewKind; 6] = [
        ReviewKind::Fall,
        ReviewKind::Spring,
        ReviewKind::Annual,
        ReviewKind::StudentLedConference,
        ReviewKind::Transition,
        ReviewKind::AdHoc,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReviewKind::Fall => "fall",
            ReviewKind::Spring => "spring",
            ReviewKind::Annual => "annual",
            ReviewKind::StudentLedConference => "student_led_conference",
            ReviewKind::Transition => "transition",
            ReviewKind::AdHoc => "ad_hoc",
        }
    }
}

/// A day of the year without the year, such as August 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"month": 8, "day": 1}))]
pub struct MonthDay {
    /// 1 to 12.
    #[schema(minimum = 1, maximum = 12)]
    pub month: u32,
    /// 1 to the last day of the month; February 29 is rejected because it is missing in most
    /// years.
    #[schema(minimum = 1, maximum = 31)]
    pub day: u32,
}

impl MonthDay {
    /// Returns the date of this day in `school_year`: July to December fall in the calendar
    /// year before the one that names the school year.
    pub fn in_school_year(self, school_year: i32) -> Option<NaiveDate> {
        let year = if self.month >= crate::domain::school_year::FIRST_MONTH {
            school_year - 1
        } else {
            school_year
        };
        NaiveDate::from_ymd_opt(year, self.month, self.day)
    }

    /// Checks that the day exists in every year.
    pub fn check(self) -> Result<(), String> {
        let exists = (1..=12).contains(&self.month)
            && !(self.month == 2 && self.day == 29)
            && NaiveDate::from_ymd_opt(2027, self.month, self.day).is_some();
        if exists {
            Ok(())
        } else {
            Err(format!(
                "month {} day {} is not a day of every year; use a month of 1 to 12 and a day that month has (February 28 at most)",
                self.month, self.day
            ))
        }
    }

    /// Returns the position of the day within a school year (July 1 first), for ordering.
    fn school_year_position(self) -> (u32, u32) {
        (
            (self.month + 12 - crate::domain::school_year::FIRST_MONTH) % 12,
            self.day,
        )
    }
}

/// A period of the school year in which the plan needs one review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(example = json!({"name": "fall", "opens": {"month": 8, "day": 1}, "closes": {"month": 12, "day": 15}}))]
pub struct ReviewWindow {
    /// Name of the window, unique within the policy, such as `fall`.
    pub name: String,
    /// First day of the window.
    pub opens: MonthDay,
    /// Last day of the window; a review on this day still counts.
    pub closes: MonthDay,
}

impl ReviewWindow {
    /// Reports whether the window closes after it opens within one school year (July to June).
    pub fn is_ordered(&self) -> bool {
        self.opens.school_year_position() <= self.closes.school_year_position()
    }
}

/// The rules a plan's reviews are judged by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReviewPolicy {
    /// Reviews a plan needs per school year.
    pub minimum_reviews_per_year: u32,
    /// Windows that each need one review.
    pub windows: Vec<ReviewWindow>,
    /// Whether a parent or guardian must attend at least one review per school year.
    pub family_attendance_required: bool,
    /// A plan with an unmet obligation counts as `due_soon` this many days before its deadline.
    pub due_soon_days: u32,
    /// Review kinds the district accepts.
    pub allowed_kinds: Vec<ReviewKind>,
}

impl Default for ReviewPolicy {
    /// Builds the built-in policy: two reviews a year, one in the fall window (August 1 to
    /// December 15) and one in the spring window (January 15 to May 15).
    fn default() -> ReviewPolicy {
        ReviewPolicy {
            minimum_reviews_per_year: 2,
            windows: vec![
                ReviewWindow {
                    name: "fall".to_owned(),
                    opens: MonthDay { month: 8, day: 1 },
                    closes: MonthDay { month: 12, day: 15 },
                },
                ReviewWindow {
                    name: "spring".to_owned(),
                    opens: MonthDay { month: 1, day: 15 },
                    closes: MonthDay { month: 5, day: 15 },
                },
            ],
            family_attendance_required: false,
            due_soon_days: 14,
            allowed_kinds: ReviewKind::ALL.to_vec(),
        }
    }
}

/// The facts of a review that compliance uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeldReview {
    pub date: NaiveDate,
    /// Whether a parent or guardian attended.
    pub family_attended: bool,
}

/// State of one window for a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WindowState {
    /// A review was held inside the window.
    Met,
    /// The window closed without a review.
    Missed,
    /// The window is open and has no review yet.
    Open,
    /// The window has not opened yet.
    Upcoming,
    /// The window closed before the plan was created, so it is not judged.
    NotApplicable,
}

/// One window of a school year and its state for the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WindowOutcome {
    pub name: String,
    pub opens: NaiveDate,
    pub closes: NaiveDate,
    pub state: WindowState,
    /// Date of the first review inside the window.
    pub review_date: Option<NaiveDate>,
}

/// Overall compliance of a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ComplianceStatus {
    /// Nothing is missed or due soon, and at least one obligation is met (or there are none).
    Compliant,
    /// An unmet obligation's deadline is at most `dueSoonDays` away.
    DueSoon,
    /// An obligation's deadline passed without being met.
    Overdue,
    /// No obligation has been met or come due yet.
    NotYetDue,
}

impl ComplianceStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ComplianceStatus::Compliant => "compliant",
            ComplianceStatus::DueSoon => "due_soon",
            ComplianceStatus::Overdue => "overdue",
            ComplianceStatus::NotYetDue => "not_yet_due",
        }
    }
}

/// The compliance of one plan for one school year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Compliance {
    pub reviews_held: u32,
    /// The policy minimum, less one for each window that closed before the plan was created.
    pub reviews_required: u32,
    pub windows: Vec<WindowOutcome>,
    /// Whether a parent or guardian attended a counted review.
    pub family_attended: bool,
    pub last_review_date: Option<NaiveDate>,
    /// The earliest deadline, on or after the evaluation date, of an unmet obligation.
    pub next_due_date: Option<NaiveDate>,
    pub status: ComplianceStatus,
}

/// One requirement of the policy, with the date by which it must be met.
struct Obligation {
    deadline: NaiveDate,
    met: bool,
}

/// Judges a plan created on `plan_created` for `school_year` as of `as_of`.
///
/// Only reviews of that school year dated on or before `as_of` count. Windows that close
/// before the plan was created are not judged and lower the minimum by one each. The minimum
/// and the family-attendance rule are due when the last judged window closes, or on June 30
/// when no window is judged.
pub fn evaluate(
    policy: &ReviewPolicy,
    school_year: i32,
    plan_created: NaiveDate,
    reviews: &[HeldReview],
    as_of: NaiveDate,
) -> Compliance {
    let mut counted: Vec<HeldReview> = reviews
        .iter()
        .copied()
        .filter(|r| r.date <= as_of)
        .filter(|r| crate::domain::school_year::school_year_of(r.date) == school_year)
        .collect();
    counted.sort_by_key(|r| r.date);

    let mut windows = Vec::with_capacity(policy.windows.len());
    let mut obligations = Vec::new();
    let mut skipped_windows = 0u32;
    for window in &policy.windows {
        let (Some(opens), Some(closes)) = (
            window.opens.in_school_year(school_year),
            window.closes.in_school_year(school_year),
        ) else {
            continue;
        };
        let review_date = counted
            .iter()
            .map(|r| r.date)
            .find(|date| (opens..=closes).contains(date));
        let state = if closes < plan_created {
            skipped_windows += 1;
            WindowState::NotApplicable
        } else if review_date.is_some() {
            WindowState::Met
        } else if as_of > closes {
            WindowState::Missed
        } else if as_of >= opens {
            WindowState::Open
        } else {
            WindowState::Upcoming
        };
        if state != WindowState::NotApplicable {
            obligations.push(Obligation {
                deadline: closes,
                met: state == WindowState::Met,
            });
        }
        windows.push(WindowOutcome {
            name: window.name.clone(),
            opens,
            closes,
            state,
            review_date,
        });
    }

    let year_deadline = obligations
        .iter()
        .map(|o| o.deadline)
        .max()
        .or_else(|| NaiveDate::from_ymd_opt(school_year, 6, 30))
        .unwrap_or(as_of);
    let reviews_held = u32::try_from(counted.len()).unwrap_or(u32::MAX);
    let reviews_required = policy
        .minimum_reviews_per_year
        .saturating_sub(skipped_windows);
    if reviews_required > 0 {
        obligations.push(Obligation {
            deadline: year_deadline,
            met: reviews_held >= reviews_required,
        });
    }
    let family_attended = counted.iter().any(|r| r.family_attended);
    if policy.family_attendance_required {
        obligations.push(Obligation {
            deadline: year_deadline,
            met: family_attended,
        });
    }

    let next_due_date = obligations
        .iter()
        .filter(|o| !o.met && o.deadline >= as_of)
        .map(|o| o.deadline)
        .min();
    let overdue = obligations.iter().any(|o| !o.met && o.deadline < as_of);
    let due_soon = next_due_date
        .is_some_and(|deadline| (deadline - as_of).num_days() <= i64::from(policy.due_soon_days));
    let any_met = obligations.is_empty() || obligations.iter().any(|o| o.met);
    let status = if overdue {
        ComplianceStatus::Overdue
    } else if due_soon {
        ComplianceStatus::DueSoon
    } else if any_met {
        ComplianceStatus::Compliant
    } else {
        ComplianceStatus::NotYetDue
    };

    Compliance {
        reviews_held,
        reviews_required,
        windows,
        family_attended,
        last_review_date: counted.last().map(|r| r.date),
        next_due_date,
        status,
    }
}

/// Returns the first and last day of a school year (July 1 to June 30).
pub fn school_year_bounds(school_year: i32) -> Option<(NaiveDate, NaiveDate)> {
    let first =
        NaiveDate::from_ymd_opt(school_year - 1, crate::domain::school_year::FIRST_MONTH, 1)?;
    let last = NaiveDate::from_ymd_opt(school_year, 6, 30)?;
    Some((first, last))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(year: i32, month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, month, day).expect("valid test date")
    }

    fn review(year: i32, month: u32, day: u32) -> HeldReview {
        HeldReview {
            date: date(year, month, day),
            family_attended: false,
        }
    }

    const YEAR: i32 = 2026;

    fn created() -> NaiveDate {
        date(2025, 7, 1)
    }

    #[test]
    fn fall_and_spring_reviews_are_compliant() {
        let reviews = [review(2025, 10, 1), review(2026, 3, 2)];
        let result = evaluate(
            &ReviewPolicy::default(),
            YEAR,
            created(),
            &reviews,
            date(2026, 6, 1),
        );
        assert_eq!(result.status, ComplianceStatus::Compliant);
        assert_eq!(result.reviews_held, 2);
        assert_eq!(result.windows[0].state, WindowState::Met);
        assert_eq!(result.windows[1].state, WindowState::Met);
        assert_eq!(result.next_due_date, None);
        assert_eq!(result.last_review_date, Some(date(2026, 3, 2)));
    }

    #[test]
    fn two_fall_reviews_miss_spring() {
        let reviews = [review(2025, 9, 1), review(2025, 11, 1)];
        let result = evaluate(
            &ReviewPolicy::default(),
            YEAR,
            created(),
            &reviews,
            date(2026, 6, 1),
        );
        assert_eq!(result.status, ComplianceStatus::Overdue);
        assert_eq!(result.windows[0].state, WindowState::Met);
        assert_eq!(result.windows[1].state, WindowState::Missed);
    }

    #[test]
    fn family_rule_fails_without_family() {
        let policy = ReviewPolicy {
            family_attendance_required: true,
            ..ReviewPolicy::default()
        };
        let reviews = [review(2025, 10, 1), review(2026, 3, 2)];
        let result = evaluate(&policy, YEAR, created(), &reviews, date(2026, 6, 1));
        assert_eq!(result.status, ComplianceStatus::Overdue);
        assert!(!result.family_attended);

        let with_family = [
            review(2025, 10, 1),
            HeldReview {
                date: date(2026, 3, 2),
                family_attended: true,
            },
        ];
        let result = evaluate(&policy, YEAR, created(), &with_family, date(2026, 6, 1));
        assert_eq!(result.status, ComplianceStatus::Compliant);
    }

    #[test]
    fn mid_year_plan_skips_closed_windows() {
        let result = evaluate(
            &ReviewPolicy::default(),
            YEAR,
            date(2026, 1, 5),
            &[review(2026, 2, 10)],
            date(2026, 6, 1),
        );
        assert_eq!(result.windows[0].state, WindowState::NotApplicable);
        assert_eq!(result.windows[1].state, WindowState::Met);
        assert_eq!(result.reviews_required, 1);
        assert_eq!(result.status, ComplianceStatus::Compliant);
    }

    #[test]
    fn reviews_after_as_of_do_not_count() {
        let reviews = [review(2025, 10, 1), review(2026, 3, 2)];
        let result = evaluate(
            &ReviewPolicy::default(),
            YEAR,
            created(),
            &reviews,
            date(2026, 2, 1),
        );
        assert_eq!(result.reviews_held, 1);
        assert_eq!(result.windows[1].state, WindowState::Open);
        assert_eq!(result.next_due_date, Some(date(2026, 5, 15)));
        assert_eq!(result.status, ComplianceStatus::Compliant);
    }

    #[test]
    fn open_window_near_close_is_due_soon() {
        let result = evaluate(
            &ReviewPolicy::default(),
            YEAR,
            created(),
            &[],
            date(2025, 12, 5),
        );
        assert_eq!(result.status, ComplianceStatus::DueSoon);
        assert_eq!(result.next_due_date, Some(date(2025, 12, 15)));
    }

    #[test]
    fn early_in_year_is_not_yet_due() {
        let result = evaluate(
            &ReviewPolicy::default(),
            YEAR,
            created(),
            &[],
            date(2025, 8, 20),
        );
        assert_eq!(result.status, ComplianceStatus::NotYetDue);
        assert_eq!(result.windows[0].state, WindowState::Open);
        assert_eq!(result.windows[1].state, WindowState::Upcoming);
    }

    #[test]
    fn reviews_of_other_years_do_not_count() {
        let result = evaluate(
            &ReviewPolicy::default(),
            YEAR,
            date(2024, 7, 1),
            &[review(2025, 3, 1)],
            date(2026, 6, 1),
        );
        assert_eq!(result.reviews_held, 0);
        assert_eq!(result.status, ComplianceStatus::Overdue);
    }

    #[test]
    fn minimum_without_windows_is_due_june_30() {
        let policy = ReviewPolicy {
            windows: Vec::new(),
            minimum_reviews_per_year: 1,
            ..ReviewPolicy::default()
        };
        let result = evaluate(&policy, YEAR, created(), &[], date(2026, 6, 20));
        assert_eq!(result.next_due_date, Some(date(2026, 6, 30)));
        assert_eq!(result.status, ComplianceStatus::DueSoon);
    }

    #[test]
    fn month_day_maps_into_school_year() {
        let fall = MonthDay { month: 8, day: 1 };
        let spring = MonthDay { month: 5, day: 15 };
        assert_eq!(fall.in_school_year(YEAR), Some(date(2025, 8, 1)));
        assert_eq!(spring.in_school_year(YEAR), Some(date(2026, 5, 15)));
    }

    #[test]
    fn month_day_rejects_missing_days() {
        assert!(MonthDay { month: 2, day: 29 }.check().is_err());
        assert!(MonthDay { month: 4, day: 31 }.check().is_err());
        assert!(MonthDay { month: 13, day: 1 }.check().is_err());
        assert!(MonthDay { month: 12, day: 31 }.check().is_ok());
    }

    #[test]
    fn window_across_new_year_is_ordered() {
        let window = ReviewWindow {
            name: "winter".to_owned(),
            opens: MonthDay { month: 11, day: 1 },
            closes: MonthDay { month: 1, day: 31 },
        };
        assert!(window.is_ordered());
        let backwards = ReviewWindow {
            name: "late".to_owned(),
            opens: MonthDay { month: 3, day: 1 },
            closes: MonthDay { month: 9, day: 1 },
        };
        assert!(!backwards.is_ordered());
    }
}
