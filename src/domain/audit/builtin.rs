//! Built-in rule sets and asset lists, compiled in from the JSON files under `rules/`.

use std::sync::LazyLock;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::rules::RuleSet;

const RULE_SET_FILES: [(&str, &str); 3] = [
    (
        "ks-state-2027.json",
        include_str!("../../../rules/ks-state-2027.json"),
    ),
    (
        "ks-state-2028.json",
        include_str!("../../../rules/ks-state-2028.json"),
    ),
    (
        "ks-regents-precollege.json",
        include_str!("../../../rules/ks-regents-precollege.json"),
    ),
];

const ASSET_LIST_FILES: [(&str, &str); 1] = [(
    "ks-postsecondary-assets-2024.json",
    include_str!("../../../rules/ks-postsecondary-assets-2024.json"),
)];

/// A versioned list of postsecondary asset types, such as the Kansas State Board list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AssetList {
    pub id: String,
    pub version: u32,
    pub title: String,
    /// Date the list took effect, `YYYY-MM-DD`.
    pub adopted: String,
    pub assets: Vec<AssetType>,
}

/// One kind of postsecondary asset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AssetType {
    /// Key in lower_snake_case, for example `act_composite_21`.
    pub key: String,
    pub title: String,
    /// `academic`, `career` or `service_and_activities`.
    pub group: String,
    /// The level that earns the asset, when the list sets one.
    #[serde(default)]
    pub threshold: Option<String>,
}

static ASSET_LISTS: LazyLock<Vec<AssetList>> = LazyLock::new(|| parse_all(&ASSET_LIST_FILES));

/// Returns the built-in rule sets: Kansas state minimums for the classes through 2027 and from
/// 2028, and the Board of Regents precollege curriculum.
pub fn builtin_rule_sets() -> Vec<RuleSet> {
    parse_all(&RULE_SET_FILES)
}

/// Returns the built-in postsecondary asset lists.
pub fn builtin_asset_lists() -> Vec<AssetList> {
    ASSET_LISTS.clone()
}

/// Reports whether a built-in asset list has this id.
pub(super) fn asset_list_exists(list: &str) -> bool {
    ASSET_LISTS.iter().any(|asset_list| asset_list.id == list)
}

/// Reports whether the built-in asset list `list` contains `asset_type`.
pub(super) fn asset_list_contains(list: &str, asset_type: &str) -> bool {
    ASSET_LISTS
        .iter()
        .filter(|asset_list| asset_list.id == list)
        .any(|asset_list| {
            asset_list
                .assets
                .iter()
                .any(|asset| asset.key == asset_type)
        })
}

fn parse_all<T: serde::de::DeserializeOwned>(files: &[(&str, &str)]) -> Vec<T> {
    files
        .iter()
        .map(|(name, text)| {
            // The files are compiled in and a unit test parses each one, so a failure here is a
            // build defect rather than bad input.
            serde_json::from_str(text)
                .unwrap_or_else(|error| panic!("built-in file rules/{name} is invalid: {error}"))
        })
        .collect()
}
