//! Overlay resolution: a district or school rule set extends a state rule set with a list of
//! changes (add, replace or drop a requirement, set the total).

use super::rules::{Change, Requirement, Rule, RuleSet};
use super::validate::{RuleError, validate};

/// Applies `overlay`'s changes to `base` and validates the result.
///
/// The resolved rule set takes its identity (id, version, title, jurisdiction, classes) from
/// the overlay, keeps `extends` as provenance, and takes the overlay's pacing when it has any.
/// Requirements listed in the overlay itself are appended after the changes. Errors about
/// changes point into the overlay (`/changes/1/key`); validation errors point into the
/// resolved rule set.
pub fn resolve(base: &RuleSet, overlay: &RuleSet) -> Result<RuleSet, Vec<RuleError>> {
    let mut errors = Vec::new();

    match &overlay.extends {
        None => errors.push(RuleError::new(
            "/extends",
            "the overlay does not name a base rule set",
        )),
        Some(reference) if reference.id != base.id || reference.version != base.version => {
            errors.push(RuleError::new(
                "/extends",
                format!(
                    "the overlay extends {} version {}, but the base is {} version {}",
                    reference.id, reference.version, base.id, base.version
                ),
            ));
        }
        Some(_) => {}
    }
    if !base.changes.is_empty() {
        errors.push(RuleError::new(
            "/extends",
            "the base rule set has unapplied changes; resolve it first",
        ));
    }
    if !errors.is_empty() {
        return Err(errors);
    }

    let mut resolved = RuleSet {
        id: overlay.id.clone(),
        version: overlay.version,
        title: overlay.title.clone(),
        jurisdiction: overlay.jurisdiction,
        graduating_classes: overlay.graduating_classes,
        extends: overlay.extends.clone(),
        total_credits: overlay.total_credits.or(base.total_credits),
        requirements: base.requirements.clone(),
        pacing: if overlay.pacing.is_empty() {
            base.pacing.clone()
        } else {
            overlay.pacing.clone()
        },
        changes: Vec::new(),
    };

    for (index, change) in overlay.changes.iter().enumerate() {
        match change {
            Change::Add { requirement } => resolved.requirements.push(requirement.clone()),
            Change::Replace { key, requirement } => {
                if !replace(&mut resolved.requirements, key, requirement) {
                    errors.push(RuleError::new(
                        format!("/changes/{index}/key"),
                        format!("no requirement has key {key:?} to replace"),
                    ));
                }
            }
            Change::Drop { key } => {
                if !drop(&mut resolved.requirements, key) {
                    errors.push(RuleError::new(
                        format!("/changes/{index}/key"),
                        format!("no requirement has key {key:?} to drop"),
                    ));
                }
            }
            Change::SetTotalCredits { credits } => resolved.total_credits = Some(*credits),
        }
    }
    resolved
        .requirements
        .extend(overlay.requirements.iter().cloned());

    if !errors.is_empty() {
        return Err(errors);
    }
    validate(&resolved)?;
    Ok(resolved)
}

/// Replaces the requirement with `key` anywhere in the tree; reports whether one was found.
fn replace(requirements: &mut [Requirement], key: &str, replacement: &Requirement) -> bool {
    for requirement in requirements.iter_mut() {
        if requirement.key == key {
            *requirement = replacement.clone();
            return true;
        }
        if visit_nested(requirement, &mut |nested| replace(nested, key, replacement)) {
            return true;
        }
    }
    false
}

/// Removes the requirement with `key` anywhere in the tree; reports whether one was found.
fn drop(requirements: &mut Vec<Requirement>, key: &str) -> bool {
    if let Some(position) = requirements
        .iter()
        .position(|requirement| requirement.key == key)
    {
        requirements.remove(position);
        return true;
    }
    requirements
        .iter_mut()
        .any(|requirement| visit_nested(requirement, &mut |nested| drop(nested, key)))
}

/// Calls `visit` on each list of requirements nested in `requirement` until one returns true.
fn visit_nested(
    requirement: &mut Requirement,
    visit: &mut dyn FnMut(&mut Vec<Requirement>) -> bool,
) -> bool {
    match &mut requirement.rule {
        Rule::Courses(rule) => visit(&mut rule.children),
        Rule::AnyOf(rule) => rule
            .branches
            .iter_mut()
            .any(|branch| visit(&mut branch.requirements)),
        Rule::NOf(rule) => visit(&mut rule.of),
        Rule::Assets(_) | Rule::Assessment(_) | Rule::Gpa(_) => false,
    }
}
