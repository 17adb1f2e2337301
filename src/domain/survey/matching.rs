//! Matching of an interest profile to O*NET occupations, career clusters and pathways.
//!
//! An occupation's fit is the Pearson correlation between the student's six area scores and
//! the occupation's six O*NET `OI` ratings. Correlation compares the shape of the two profiles
//! (which areas are high and which low) and ignores their level, so a student who likes
//! everything is matched on relative preferences.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::clusters::LEGACY_CLUSTERS;
use super::onet::ClusterAssignment;
use super::release::{Occupation, OnetRelease};
use super::riasec::pearson_correlation;
use super::{FieldError, FieldErrorCode};

/// Largest number of occupations one request may return.
const MAX_LIMIT: usize = 200;

/// Strength of a match, from correlation thresholds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MatchBand {
    /// Correlation at or above `thresholds.best`.
    Best,
    /// Correlation at or above `thresholds.great`.
    Great,
    /// Correlation at or above `thresholds.good`.
    Good,
}

/// Lowest correlation of each band.
///
/// The defaults, 0.7, 0.5 and 0.3, are the usual cut points for strong, moderate and weak
/// correlations. They are this service's choice, not O*NET's: the O*NET Interest Profiler
/// selects careers by job zone and high-point code instead.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct BandThresholds {
    /// Lowest correlation of the `best` band.
    pub best: f64,
    /// Lowest correlation of the `great` band.
    pub great: f64,
    /// Lowest correlation of the `good` band. Weaker matches are not returned.
    pub good: f64,
}

impl Default for BandThresholds {
    fn default() -> Self {
        Self {
            best: 0.7,
            great: 0.5,
            good: 0.3,
        }
    }
}

impl BandThresholds {
    /// Returns the band of `correlation`, or `None` below `good`.
    pub fn band(&self, correlation: f64) -> Option<MatchBand> {
        if correlation >= self.best {
            Some(MatchBand::Best)
        } else if correlation >= self.great {
            Some(MatchBand::Great)
        } else if correlation >= self.good {
            Some(MatchBand::Good)
        } else {
            None
        }
    }
}

/// Filters and limits of a match request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct MatchOptions {
    /// Job zones (1–5) to include. An empty list includes every occupation, even those
    /// without a job zone.
    pub job_zones: Vec<u8>,
    /// Legacy cluster key that occupations must belong to, or absent for all clusters. Cluster
    /// and pathway rankings ignore this filter so that they always cover every cluster.
    pub cluster_key: Option<String>,
    /// Correlation thresholds of the bands.
    pub thresholds: BandThresholds,
    /// Largest number of occupations returned (1–200). Default 20.
    pub limit: usize,
    /// Number of best-matching occupations whose mean correlation scores a cluster or
    /// pathway. Default 5. Averaging the best few rewards a cluster with several close
    /// matches without penalising it for also containing unrelated occupations.
    pub cluster_top_k: usize,
}

impl Default for MatchOptions {
    fn default() -> Self {
        Self {
            job_zones: Vec::new(),
            cluster_key: None,
            thresholds: BandThresholds::default(),
            limit: 20,
            cluster_top_k: 5,
        }
    }
}

impl MatchOptions {
    /// Validates the options and returns every problem, with JSON pointers into the options.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();

        for (index, zone) in self.job_zones.iter().enumerate() {
            if !(1..=5).contains(zone) {
                errors.push(FieldError::new(
                    format!("/jobZones/{index}"),
                    FieldErrorCode::Range,
                    format!("job zone {zone} does not exist; job zones run from 1 to 5"),
                ));
            }
        }

        if let Some(key) = &self.cluster_key
            && !LEGACY_CLUSTERS.iter().any(|cluster| cluster.key == key)
        {
            errors.push(FieldError::new(
                "/clusterKey",
                FieldErrorCode::Invalid,
                format!("'{key}' is not a legacy career cluster key"),
            ));
        }

        let thresholds = self.thresholds;
        for (pointer, value) in [
            ("/thresholds/best", thresholds.best),
            ("/thresholds/great", thresholds.great),
            ("/thresholds/good", thresholds.good),
        ] {
            if !(-1.0..=1.0).contains(&value) {
                errors.push(FieldError::new(
                    pointer,
                    FieldErrorCode::Range,
                    format!("threshold {value} is not a correlation between -1 and 1"),
                ));
            }
        }
        if !(thresholds.best >= thresholds.great && thresholds.great >= thresholds.good) {
            errors.push(FieldError::new(
                "/thresholds",
                FieldErrorCode::Invalid,
                "thresholds must satisfy best >= great >= good",
            ));
        }

        if !(1..=MAX_LIMIT).contains(&self.limit) {
            errors.push(FieldError::new(
                "/limit",
                FieldErrorCode::Range,
                format!("limit {} is outside 1–{MAX_LIMIT}", self.limit),
            ));
        }
        if self.cluster_top_k == 0 {
            errors.push(FieldError::new(
                "/clusterTopK",
                FieldErrorCode::Range,
                "clusterTopK must be at least 1",
            ));
        }

        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// One matching occupation.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OccupationMatch {
    /// O*NET-SOC code.
    pub code: String,
    /// Occupation title.
    pub title: String,
    /// Job zone (1–5), when rated.
    pub job_zone: Option<u8>,
    /// Pearson correlation with the student's profile (-1.0 to 1.0).
    pub correlation: f64,
    /// Strength of the match.
    pub band: MatchBand,
    /// Legacy clusters and pathways of the occupation.
    pub clusters: Vec<ClusterAssignment>,
}

/// An occupation that contributed to a cluster or pathway score.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ContributingOccupation {
    /// O*NET-SOC code.
    pub code: String,
    /// Occupation title.
    pub title: String,
    /// Pearson correlation with the student's profile.
    pub correlation: f64,
}

/// A legacy career cluster ranked by its best-matching occupations.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ClusterMatch {
    /// Legacy cluster key.
    pub cluster_key: String,
    /// Cluster display name.
    pub name: String,
    /// Mean correlation of `top_occupations`.
    pub score: f64,
    /// Band of `score`, or absent below `thresholds.good`.
    pub band: Option<MatchBand>,
    /// Rated occupations of the cluster that passed the job-zone filter.
    pub occupation_count: usize,
    /// The up to `cluster_top_k` best-matching occupations that make up `score`.
    pub top_occupations: Vec<ContributingOccupation>,
}

/// A legacy career pathway ranked by its best-matching occupations.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PathwayMatch {
    /// Key of the legacy cluster the pathway belongs to.
    pub cluster_key: String,
    /// Pathway name as written by O*NET.
    pub pathway: String,
    /// Mean correlation of `top_occupations`.
    pub score: f64,
    /// Band of `score`, or absent below `thresholds.good`.
    pub band: Option<MatchBand>,
    /// Rated occupations of the pathway that passed the job-zone filter.
    pub occupation_count: usize,
    /// The up to `cluster_top_k` best-matching occupations that make up `score`.
    pub top_occupations: Vec<ContributingOccupation>,
}

/// Occupations, clusters and pathways ranked for one profile.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MatchReport {
    /// Occupations at or above `thresholds.good`, best first, at most `limit`.
    pub occupations: Vec<OccupationMatch>,
    /// Every legacy cluster with at least one eligible occupation, best first.
    pub clusters: Vec<ClusterMatch>,
    /// Every pathway with at least one eligible occupation, best first.
    pub pathways: Vec<PathwayMatch>,
}

/// Reason matching could not run.
#[derive(Debug, Clone, PartialEq)]
pub enum MatchError {
    /// The options failed [`MatchOptions::validate`].
    InvalidOptions(Vec<FieldError>),
    /// The profile has the same score in all six areas, so no correlation exists.
    FlatProfile,
}

impl fmt::Display for MatchError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MatchError::InvalidOptions(errors) => {
                write!(formatter, "{} match options are invalid", errors.len())
            }
            MatchError::FlatProfile => formatter.write_str(
                "the profile has the same score in all six areas, so it matches every \
                 occupation equally and no ranking can be made",
            ),
        }
    }
}

impl std::error::Error for MatchError {}

/// Ranks occupations, clusters and pathways of `release` against `scores`.
///
/// `scores` are the student's six area scores in RIASEC order, on any scale, such as
/// [`InterestProfile::percent_scores`](super::scoring::InterestProfile::percent_scores).
/// Occupations without `OI` ratings are skipped. Ties in correlation are ordered by
/// O*NET-SOC code so the result is stable.
pub fn match_occupations(
    release: &OnetRelease,
    scores: &[f64; 6],
    options: &MatchOptions,
) -> Result<MatchReport, MatchError> {
    options.validate().map_err(MatchError::InvalidOptions)?;

    let mut scored: Vec<(&Occupation, f64)> = Vec::new();
    for occupation in &release.occupations {
        let Some(ratings) = &occupation.interests else {
            continue;
        };
        if !options.job_zones.is_empty()
            && !occupation
                .job_zone
                .is_some_and(|zone| options.job_zones.contains(&zone))
        {
            continue;
        }
        match pearson_correlation(scores, ratings) {
            Ok(correlation) => scored.push((occupation, correlation)),
            Err(super::riasec::CorrelationUnavailable::FirstProfileFlat) => {
                return Err(MatchError::FlatProfile);
            }
            // An occupation rated equally in all areas has no shape to match against.
            Err(super::riasec::CorrelationUnavailable::SecondProfileFlat) => {}
        }
    }
    scored.sort_by(by_correlation_then_code);

    let occupations = scored
        .iter()
        .filter(|(occupation, _)| {
            options.cluster_key.as_deref().is_none_or(|key| {
                occupation
                    .clusters
                    .iter()
                    .any(|assignment| assignment.cluster_key == key)
            })
        })
        .filter_map(|(occupation, correlation)| {
            let band = options.thresholds.band(*correlation)?;
            Some(OccupationMatch {
                code: occupation.code.clone(),
                title: occupation.title.clone(),
                job_zone: occupation.job_zone,
                correlation: *correlation,
                band,
                clusters: occupation.clusters.clone(),
            })
        })
        .take(options.limit)
        .collect();

    Ok(MatchReport {
        occupations,
        clusters: rank_clusters(&scored, options),
        pathways: rank_pathways(&scored, options),
    })
}

fn by_correlation_then_code(first: &(&Occupation, f64), second: &(&Occupation, f64)) -> Ordering {
    second
        .1
        .total_cmp(&first.1)
        .then_with(|| first.0.code.cmp(&second.0.code))
}

/// Occupations grouped by a key, each group already in best-first order.
type Groups<'a, K> = BTreeMap<K, Vec<(&'a Occupation, f64)>>;

fn rank_clusters(scored: &[(&Occupation, f64)], options: &MatchOptions) -> Vec<ClusterMatch> {
    let mut groups: Groups<'_, &'static str> = BTreeMap::new();
    for (occupation, correlation) in scored {
        let mut keys: Vec<&'static str> = occupation
            .clusters
            .iter()
            .map(|assignment| assignment.cluster_key)
            .collect();
        keys.sort_unstable();
        keys.dedup();
        for key in keys {
            groups
                .entry(key)
                .or_default()
                .push((occupation, *correlation));
        }
    }

    let mut clusters: Vec<ClusterMatch> = groups
        .into_iter()
        .map(|(key, members)| {
            let (score, top_occupations) = top_k_mean(&members, options.cluster_top_k);
            let name = LEGACY_CLUSTERS
                .iter()
                .find(|cluster| cluster.key == key)
                .map_or(key, |cluster| cluster.name);
            ClusterMatch {
                cluster_key: key.to_owned(),
                name: name.to_owned(),
                score,
                band: options.thresholds.band(score),
                occupation_count: members.len(),
                top_occupations,
            }
        })
        .collect();
    clusters.sort_by(|first, second| {
        second
            .score
            .total_cmp(&first.score)
            .then_with(|| first.cluster_key.cmp(&second.cluster_key))
    });
    clusters
}

fn rank_pathways(scored: &[(&Occupation, f64)], options: &MatchOptions) -> Vec<PathwayMatch> {
    let mut groups: Groups<'_, (&'static str, &str)> = BTreeMap::new();
    for (occupation, correlation) in scored {
        for assignment in &occupation.clusters {
            let key = (assignment.cluster_key, assignment.pathway.as_str());
            groups
                .entry(key)
                .or_default()
                .push((occupation, *correlation));
        }
    }

    let mut pathways: Vec<PathwayMatch> = groups
        .into_iter()
        .map(|((cluster_key, pathway), members)| {
            let (score, top_occupations) = top_k_mean(&members, options.cluster_top_k);
            PathwayMatch {
                cluster_key: cluster_key.to_owned(),
                pathway: pathway.to_owned(),
                score,
                band: options.thresholds.band(score),
                occupation_count: members.len(),
                top_occupations,
            }
        })
        .collect();
    pathways.sort_by(|first, second| {
        second
            .score
            .total_cmp(&first.score)
            .then_with(|| first.cluster_key.cmp(&second.cluster_key))
            .then_with(|| first.pathway.cmp(&second.pathway))
    });
    pathways
}

/// Mean correlation of the first `k` members (members are best first) and those members.
/// A group with fewer than `k` members is scored over all of them.
fn top_k_mean(members: &[(&Occupation, f64)], k: usize) -> (f64, Vec<ContributingOccupation>) {
    let top: Vec<ContributingOccupation> = members
        .iter()
        .take(k)
        .map(|(occupation, correlation)| ContributingOccupation {
            code: occupation.code.clone(),
            title: occupation.title.clone(),
            correlation: *correlation,
        })
        .collect();
    let mean = top.iter().map(|member| member.correlation).sum::<f64>() / top.len() as f64;
    (mean, top)
}
