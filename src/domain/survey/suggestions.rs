//! Career cluster suggestions from the Holland code alone, for when no O*NET release is loaded.
//!
//! Each cluster is tied to one or two RIASEC areas. For the 16 legacy clusters these are the
//! areas in which the cluster's occupations are rated more than 0.3 standard deviations above
//! the mean of all rated occupations, at most two, strongest first. This was computed from the
//! O*NET 29.3 `OI` ratings and the career cluster export, and the test that reads a real O*NET
//! release recomputes it. Each cluster of the 2024 framework takes the areas of the legacy
//! cluster whose content it mainly continues.
//!
//! NOTE: the 2024 assignments are a content crosswalk, not computed from ratings, because
//! O*NET's cluster export lists only the legacy clusters.
//!
//! Scoring: the areas of the Holland code earn weights by position (3 for first, 2 for second,
//! 1 for third, 0 after). Tied areas share the mean weight of the positions their tie spans,
//! so scores I, then R = A tied give I 3, R 1.5 and A 1.5. A cluster scores its first area's
//! weight plus half its second area's weight. Clusters scoring 0 are left out.

use serde::Serialize;
use utoipa::ToSchema;

use super::clusters::{CareerCluster, FRAMEWORK_2024_CLUSTERS, LEGACY_CLUSTERS};
use super::matching::MatchError;
use super::riasec::RiasecArea;
use super::riasec::RiasecArea::{
    Artistic as A, Conventional as C, Enterprising as E, Investigative as I, Realistic as R,
    Social as S,
};
use super::scoring::InterestProfile;

/// Areas tied to each cluster, strongest first, by cluster key.
const CLUSTER_AREAS: [(&str, &[RiasecArea]); 30] = [
    // Legacy clusters, from O*NET 29.3 ratings.
    ("agriculture_food_natural_resources", &[R, I]),
    ("architecture_construction", &[R]),
    ("arts_av_technology_communications", &[A, E]),
    ("business_management_administration", &[C, E]),
    ("education_training", &[S, A]),
    ("finance", &[C, E]),
    ("government_public_administration", &[C, E]),
    ("health_science", &[S, I]),
    ("hospitality_tourism", &[E, S]),
    ("human_services", &[S, E]),
    ("information_technology", &[C, I]),
    ("law_public_safety_corrections_security", &[E, C]),
    ("manufacturing", &[R]),
    ("marketing", &[E]),
    ("science_technology_engineering_mathematics", &[I]),
    ("transportation_distribution_logistics", &[R]),
    // 2024 clusters, each with the areas of the legacy cluster it mainly continues.
    ("advanced_manufacturing", &[R]),         // Manufacturing
    ("agriculture", &[R, I]),                 // Agriculture, Food & Natural Resources
    ("arts_entertainment_design", &[A, E]),   // Arts, A/V Technology & Communications
    ("construction", &[R]),                   // Architecture & Construction
    ("digital_technology", &[C, I]),          // Information Technology
    ("education", &[S, A]),                   // Education & Training
    ("energy_natural_resources", &[R, I]),    // Agriculture, Food & Natural Resources
    ("financial_services", &[C, E]),          // Finance
    ("healthcare_human_services", &[S, I]),   // Health Science
    ("hospitality_events_tourism", &[E, S]),  // Hospitality & Tourism
    ("management_entrepreneurship", &[C, E]), // Business Management & Administration
    ("marketing_sales", &[E]),                // Marketing
    ("public_service_safety", &[E, C]),       // Law, Public Safety, Corrections & Security
    ("supply_chain_transportation", &[R]),    // Transportation, Distribution & Logistics
];

/// Weight of the first, second and third Holland code positions.
const POSITION_WEIGHTS: [f64; 3] = [3.0, 2.0, 1.0];

/// Weight of a cluster's second area relative to its first.
const SECOND_AREA_FACTOR: f64 = 0.5;

/// One suggested cluster.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ClusterSuggestion {
    /// Cluster key.
    pub cluster_key: String,
    /// Cluster display name.
    pub name: String,
    /// Fit from the Holland code: 0 (no shared area) to 4 (first area leads the code and
    /// second area follows it).
    pub score: f64,
    /// Areas tied to the cluster, strongest first.
    pub areas: Vec<RiasecArea>,
}

/// Suggested clusters in both frameworks, best first.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ClusterSuggestions {
    /// Suggestions among the 16 legacy clusters.
    pub legacy: Vec<ClusterSuggestion>,
    /// Suggestions among the 14 clusters of the 2024 framework.
    pub framework2024: Vec<ClusterSuggestion>,
}

/// Suggests career clusters from the profile's Holland code, without O*NET data.
///
/// Returns [`MatchError::FlatProfile`] for a profile with the same score in all six areas,
/// because it has no Holland code to suggest from.
pub fn suggest_clusters_without_onet(
    profile: &InterestProfile,
) -> Result<ClusterSuggestions, MatchError> {
    if profile.is_flat() {
        return Err(MatchError::FlatProfile);
    }

    let weights = area_weights(&profile.rank_groups);
    Ok(ClusterSuggestions {
        legacy: suggest(&LEGACY_CLUSTERS, &weights),
        framework2024: suggest(&FRAMEWORK_2024_CLUSTERS, &weights),
    })
}

/// Weight of each area in RIASEC order from its Holland code position.
fn area_weights(rank_groups: &[Vec<RiasecArea>]) -> [f64; 6] {
    let mut weights = [0.0; 6];
    let mut position = 0;
    for group in rank_groups {
        let spanned: f64 = (position..position + group.len())
            .map(|index| POSITION_WEIGHTS.get(index).copied().unwrap_or(0.0))
            .sum();
        let shared = spanned / group.len() as f64;
        for area in group {
            weights[area.index()] = shared;
        }
        position += group.len();
    }
    weights
}

fn suggest(clusters: &[CareerCluster], weights: &[f64; 6]) -> Vec<ClusterSuggestion> {
    let mut suggestions: Vec<ClusterSuggestion> = clusters
        .iter()
        .filter_map(|cluster| {
            let areas = cluster_areas(cluster.key);
            let score = areas
                .iter()
                .zip([1.0, SECOND_AREA_FACTOR])
                .map(|(area, factor)| weights[area.index()] * factor)
                .sum::<f64>();
            (score > 0.0).then(|| ClusterSuggestion {
                cluster_key: cluster.key.to_owned(),
                name: cluster.name.to_owned(),
                score,
                areas: areas.to_vec(),
            })
        })
        .collect();

    // A stable sort keeps the alphabetical reference order among equal scores.
    suggestions.sort_by(|first, second| second.score.total_cmp(&first.score));
    suggestions
}

/// Areas tied to a cluster key. Every key of both reference lists has an entry, and an
/// unknown key gets none.
pub(super) fn cluster_areas(key: &str) -> &'static [RiasecArea] {
    CLUSTER_AREAS
        .iter()
        .find(|(cluster_key, _)| *cluster_key == key)
        .map_or(&[], |(_, areas)| areas)
}
