//! Comparison of a student's new interest profile with an earlier one.

use serde::Serialize;
use utoipa::ToSchema;

use super::riasec::{CorrelationUnavailable, pearson_correlation};
use super::scoring::InterestProfile;

/// Reason two profiles cannot be correlated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ComparisonUnavailable {
    /// The new profile has the same score in all six areas.
    CurrentProfileFlat,
    /// The previous profile has the same score in all six areas.
    PreviousProfileFlat,
}

/// Relation of a new profile to the previous one.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProfileComparison {
    /// Pearson correlation of the two six-area percentage profiles (-1.0 to 1.0), or absent
    /// when either profile is flat.
    pub correlation: Option<f64>,
    /// Reason `correlation` is absent.
    pub correlation_unavailable: Option<ComparisonUnavailable>,
    /// Plain-English explanation of `correlation_unavailable` for display.
    pub correlation_note: Option<String>,
    /// Whether the Holland code changed: its tie groups differ in areas or in order.
    pub code_changed: bool,
    /// Whether the highest-scoring area, or tied set of areas, changed.
    pub top_area_changed: bool,
}

/// Compares `current` with `previous`.
///
/// Percentages rather than raw scores are correlated, so profiles from instruments with
/// different numbers of items compare on the same footing.
pub fn compare_profiles(
    current: &InterestProfile,
    previous: &InterestProfile,
) -> ProfileComparison {
    let correlation = pearson_correlation(&current.percent_scores(), &previous.percent_scores());

    let unavailable = correlation.err().map(|reason| match reason {
        CorrelationUnavailable::FirstProfileFlat => ComparisonUnavailable::CurrentProfileFlat,
        CorrelationUnavailable::SecondProfileFlat => ComparisonUnavailable::PreviousProfileFlat,
    });
    let note = correlation.err().map(|reason| reason.message().to_owned());

    ProfileComparison {
        correlation: correlation.ok(),
        correlation_unavailable: unavailable,
        correlation_note: note,
        code_changed: current.holland_code.groups != previous.holland_code.groups,
        top_area_changed: current.rank_groups.first() != previous.rank_groups.first(),
    }
}
