//! Career-interest surveys: RIASEC instruments, answer validation, scoring, history comparison
//! and matching of interest profiles to O*NET occupations and career clusters.
//!
//! Everything here is pure: O*NET files arrive as text and results leave as plain values.
//! Scores and ratings are always ordered Realistic, Investigative, Artistic, Social,
//! Enterprising, Conventional ([`RiasecArea::ALL`]).

mod answers;
mod clusters;
mod history;
mod instrument;
mod matching;
mod onet;
mod release;
mod riasec;
mod scoring;
mod suggestions;

pub use answers::{AnswerInput, parse_answers};
pub use clusters::{
    CareerCluster, ClusterFramework, FRAMEWORK_2024_CLUSTERS, LEGACY_CLUSTERS,
    legacy_cluster_by_onet_name,
};
pub use history::{ComparisonUnavailable, ProfileComparison, compare_profiles};
pub use instrument::{
    AnswerScale, Instrument, InstrumentKind, Item, UnansweredPolicy, interest_profiler_short_form,
    validate_district_instrument, validate_instrument,
};
pub use matching::{
    BandThresholds, ClusterMatch, ContributingOccupation, MatchBand, MatchError, MatchOptions,
    MatchReport, OccupationMatch, PathwayMatch, match_occupations,
};
pub use onet::{
    CareerClusterRow, ClusterAssignment, InterestRow, JobZoneRow, OccupationRow, OnetParseError,
    parse_career_clusters, parse_interests, parse_job_zones, parse_occupation_data,
};
pub use release::{Occupation, OnetFiles, OnetRelease, onet_database_credit};
pub use riasec::{CorrelationUnavailable, RiasecArea, pearson_correlation};
pub use scoring::{
    AreaScore, FlagCode, HollandCode, InterestProfile, ProfileFlag, ScoringOptions, score_answers,
};
pub use suggestions::{ClusterSuggestion, ClusterSuggestions, suggest_clusters_without_onet};

use serde::Serialize;
use utoipa::ToSchema;

/// Machine-readable reason for a [`FieldError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FieldErrorCode {
    /// A value lies outside its allowed range, such as an answer code outside the scale.
    Range,
    /// A list has the wrong number of entries, such as answers for 59 of 60 items.
    Count,
    /// A required value or answer is absent.
    Missing,
    /// A value is malformed, such as a letter in a compact answer string.
    Invalid,
    /// Item numbers do not run 1, 2, 3, … in list order.
    Sequence,
}

/// One validation failure, located by a JSON pointer into the request body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[schema(as = SurveyFieldError)]
#[serde(rename_all = "camelCase")]
pub struct FieldError {
    /// JSON pointer (RFC 6901) to the offending value, such as `/answers/17` or `/items/3/area`.
    pub pointer: String,
    /// Machine-readable reason.
    pub code: FieldErrorCode,
    /// Plain-English explanation that names the value and the fix.
    pub message: String,
}

impl FieldError {
    fn new(pointer: impl Into<String>, code: FieldErrorCode, message: impl Into<String>) -> Self {
        Self {
            pointer: pointer.into(),
            code,
            message: message.into(),
        }
    }
}

#[cfg(test)]
mod tests;
