//! Reference lists of career clusters in the two frameworks a plan may use.
//!
//! Kansas organises career and technical education by the 16 legacy career clusters. The
//! national framework was modernised by Advance CTE in October 2024 to 14 clusters. Kansas has
//! not confirmed adopting it, so a plan may carry a focus in either framework. Keys are stable
//! lower_snake_case identifiers, unique across both frameworks.

use serde::Serialize;
use utoipa::ToSchema;

/// Career cluster framework.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ClusterFramework {
    /// The 16 career clusters that KSDE uses for CTE and O*NET uses in its cluster export.
    Legacy,
    /// The 14 clusters of the Advance CTE framework published in October 2024.
    Framework2024,
}

/// One career cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CareerCluster {
    /// Framework the cluster belongs to.
    pub framework: ClusterFramework,
    /// Stable lower_snake_case identifier.
    pub key: &'static str,
    /// Display name. Legacy names are spelled as in O*NET's `All_Career_Clusters.csv`.
    pub name: &'static str,
}

const fn legacy(key: &'static str, name: &'static str) -> CareerCluster {
    CareerCluster {
        framework: ClusterFramework::Legacy,
        key,
        name,
    }
}

const fn modern(key: &'static str, name: &'static str) -> CareerCluster {
    CareerCluster {
        framework: ClusterFramework::Framework2024,
        key,
        name,
    }
}

/// The 16 legacy career clusters, in alphabetical order.
pub const LEGACY_CLUSTERS: [CareerCluster; 16] = [
    legacy(
        "agriculture_food_natural_resources",
        "Agriculture, Food & Natural Resources",
    ),
    legacy("architecture_construction", "Architecture & Construction"),
    legacy(
        "arts_av_technology_communications",
        "Arts, Audio/Video Technology & Communications",
    ),
    legacy(
        "business_management_administration",
        "Business Management & Administration",
    ),
    legacy("education_training", "Education & Training"),
    legacy("finance", "Finance"),
    legacy(
        "government_public_administration",
        "Government & Public Administration",
    ),
    legacy("health_science", "Health Science"),
    legacy("hospitality_tourism", "Hospitality & Tourism"),
    legacy("human_services", "Human Services"),
    legacy("information_technology", "Information Technology"),
    legacy(
        "law_public_safety_corrections_security",
        "Law, Public Safety, Corrections & Security",
    ),
    legacy("manufacturing", "Manufacturing"),
    legacy("marketing", "Marketing"),
    legacy(
        "science_technology_engineering_mathematics",
        "Science, Technology, Engineering & Mathematics",
    ),
    legacy(
        "transportation_distribution_logistics",
        "Transportation, Distribution & Logistics",
    ),
];

/// The 14 clusters of the October 2024 framework, in alphabetical order.
pub const FRAMEWORK_2024_CLUSTERS: [CareerCluster; 14] = [
    modern("advanced_manufacturing", "Advanced Manufacturing"),
    modern("agriculture", "Agriculture"),
    modern("arts_entertainment_design", "Arts, Entertainment & Design"),
    modern("construction", "Construction"),
    modern("digital_technology", "Digital Technology"),
    modern("education", "Education"),
    modern("energy_natural_resources", "Energy & Natural Resources"),
    modern("financial_services", "Financial Services"),
    modern("healthcare_human_services", "Healthcare & Human Services"),
    modern(
        "hospitality_events_tourism",
        "Hospitality, Events & Tourism",
    ),
    modern(
        "management_entrepreneurship",
        "Management & Entrepreneurship",
    ),
    modern("marketing_sales", "Marketing & Sales"),
    modern("public_service_safety", "Public Service & Safety"),
    modern(
        "supply_chain_transportation",
        "Supply Chain & Transportation",
    ),
];

/// Looks up a legacy cluster by its name as written in O*NET's career cluster export.
pub fn legacy_cluster_by_onet_name(name: &str) -> Option<&'static CareerCluster> {
    LEGACY_CLUSTERS.iter().find(|cluster| cluster.name == name)
}
