//! Graduation audits and the rule sets they use.

mod impact;
mod rule_sets;
pub(crate) mod run;

pub use impact::*;
pub use rule_sets::*;
pub use run::*;

use crate::domain::audit::{RuleSet, builtin_rule_sets, resolve};
use crate::error::{ApiError, FieldError};
use crate::store::rule_sets::RuleSetRow;

/// Deepest chain of rule sets extending each other that is resolved.
const MAX_EXTENDS_DEPTH: usize = 5;

/// Returns the built-in rule set with this id and version (newest when `None`).
fn builtin(id: &str, version: Option<i32>) -> Option<RuleSet> {
    builtin_rule_sets()
        .into_iter()
        .filter(|set| {
            set.id == id && version.is_none_or(|v| i64::from(v) == i64::from(set.version))
        })
        .max_by_key(|set| set.version)
}

fn decode(row: &RuleSetRow) -> Result<RuleSet, ApiError> {
    serde_json::from_str(&row.document).map_err(ApiError::internal)
}

pub(crate) fn rule_errors(errors: Vec<crate::domain::audit::RuleError>, prefix: &str) -> ApiError {
    ApiError::validation(
        errors
            .into_iter()
            .map(|e| FieldError::body(format!("{prefix}{}", e.pointer), "rule", e.message))
            .collect(),
    )
}

/// Loads a rule set by id and version, from the built-in sets or the district's stored sets,
/// and applies every set it extends. `load` reads a stored set.
pub(crate) fn resolve_rule_set(
    mut load: impl FnMut(&str, Option<i32>) -> Result<Option<RuleSetRow>, ApiError>,
    id: &str,
    version: Option<i32>,
) -> Result<RuleSet, ApiError> {
    let mut chain = Vec::new();
    let (mut next_id, mut next_version) = (id.to_owned(), version);
    loop {
        if chain.len() > MAX_EXTENDS_DEPTH {
            return Err(ApiError::invalid_field(
                "/ruleSetId",
                "depth",
                format!("rule set {id} extends more than {MAX_EXTENDS_DEPTH} levels of rule sets"),
            ));
        }
        let set = match builtin(&next_id, next_version) {
            Some(set) => set,
            None => decode(&load(&next_id, next_version)?.ok_or_else(|| {
                ApiError::invalid_field(
                    "/ruleSetId",
                    "unknown",
                    format!("rule set {next_id} does not exist"),
                )
            })?)?,
        };
        let base = set.extends.clone();
        chain.push(set);
        match base {
            Some(base) => {
                next_id = base.id;
                next_version = i32::try_from(base.version).ok();
            }
            None => break,
        }
    }

    let mut resolved = chain
        .pop()
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("empty rule-set chain")))?;
    while let Some(overlay) = chain.pop() {
        resolved = resolve(&resolved, &overlay).map_err(|errors| rule_errors(errors, ""))?;
    }
    Ok(resolved)
}
