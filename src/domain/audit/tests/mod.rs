//! Engine tests: hand-worked student records, rule-set checks and properties.

pub(super) mod fixtures;
mod golden;
mod properties;
mod rule_sets;
