//! Alternatives: the choice points of a rule set (`anyOf` requirements and n-of groups) and
//! their options.
//!
//! The engine solves every combination of options across the choice points and keeps the best
//! one, so an option is judged together with the others rather than one choice point at a
//! time. Validation caps the number of combinations at [`MAX_COMBINATIONS`].

use super::rules::{Requirement, Rule};

/// Maximum number of option combinations in a rule set, because each one costs a full solve.
pub const MAX_COMBINATIONS: usize = 64;

/// A requirement with alternatives.
#[derive(Debug)]
pub(super) struct ChoicePoint<'r> {
    pub key: &'r str,
    pub options: Vec<ChoiceOption<'r>>,
}

/// One way to meet a choice point: every listed requirement must be met.
#[derive(Debug)]
pub(super) struct ChoiceOption<'r> {
    /// The branch key, or for an n-of group the chosen member keys joined with `+`.
    pub label: String,
    pub requirements: Vec<&'r Requirement>,
}

/// Collects the choice points of a requirement tree in pre-order.
pub(super) fn choice_points(requirements: &[Requirement]) -> Vec<ChoicePoint<'_>> {
    let mut points = Vec::new();
    for requirement in requirements {
        collect(requirement, &mut points);
    }
    points
}

fn collect<'r>(requirement: &'r Requirement, points: &mut Vec<ChoicePoint<'r>>) {
    match &requirement.rule {
        Rule::AnyOf(rule) => {
            let options = rule
                .branches
                .iter()
                .map(|branch| ChoiceOption {
                    label: branch.key.clone(),
                    requirements: branch.requirements.iter().collect(),
                })
                .collect();
            points.push(ChoicePoint {
                key: &requirement.key,
                options,
            });
        }
        Rule::NOf(rule) => {
            let count = usize::try_from(rule.count).unwrap_or(usize::MAX);
            let options = subsets(rule.of.len(), count)
                .into_iter()
                .map(|members| {
                    let requirements: Vec<&Requirement> =
                        members.iter().map(|&index| &rule.of[index]).collect();
                    let label = requirements
                        .iter()
                        .map(|member| member.key.as_str())
                        .collect::<Vec<_>>()
                        .join("+");
                    ChoiceOption {
                        label,
                        requirements,
                    }
                })
                .collect();
            points.push(ChoicePoint {
                key: &requirement.key,
                options,
            });
        }
        Rule::Courses(_) | Rule::Assets(_) | Rule::Assessment(_) | Rule::Gpa(_) => {}
    }

    for sub_requirement in requirement.sub_requirements() {
        collect(sub_requirement, points);
    }
}

/// Counts the option combinations of a requirement tree without listing them, saturating at
/// `usize::MAX`.
pub(super) fn combination_count(requirements: &[Requirement]) -> usize {
    requirements.iter().fold(1usize, |product, requirement| {
        product.saturating_mul(count_below(requirement))
    })
}

fn count_below(requirement: &Requirement) -> usize {
    let options = match &requirement.rule {
        Rule::AnyOf(rule) => rule.branches.len(),
        Rule::NOf(rule) => subset_count(
            rule.of.len(),
            usize::try_from(rule.count).unwrap_or(usize::MAX),
        ),
        Rule::Courses(_) | Rule::Assets(_) | Rule::Assessment(_) | Rule::Gpa(_) => 1,
    };
    requirement
        .sub_requirements()
        .into_iter()
        .fold(options.max(1), |product, sub_requirement| {
            product.saturating_mul(count_below(sub_requirement))
        })
}

/// Lists every combination of option indices, the first choice point varying slowest.
pub(super) fn combinations(points: &[ChoicePoint]) -> Vec<Vec<usize>> {
    let mut all = vec![Vec::new()];
    for point in points {
        let option_count = point.options.len().max(1);
        all = all
            .into_iter()
            .flat_map(|prefix| {
                (0..option_count).map(move |option| {
                    let mut combination = prefix.clone();
                    combination.push(option);
                    combination
                })
            })
            .collect();
    }
    all
}

/// Returns the position of `combination` in the list [`combinations`] builds.
pub(super) fn combination_index(points: &[ChoicePoint], combination: &[usize]) -> usize {
    points
        .iter()
        .zip(combination)
        .fold(0, |index, (point, option)| {
            index * point.options.len().max(1) + option
        })
}

/// Lists the `count`-element subsets of `0..size` in lexicographic order.
pub(super) fn subsets(size: usize, count: usize) -> Vec<Vec<usize>> {
    if count > size {
        return Vec::new();
    }

    let mut all = Vec::new();
    let mut current: Vec<usize> = (0..count).collect();
    loop {
        all.push(current.clone());

        // Find the rightmost position that can still move right, advance it and reset the rest.
        let Some(position) = (0..count)
            .rev()
            .find(|&position| current[position] < size - count + position)
        else {
            return all;
        };
        current[position] += 1;
        for next in position + 1..count {
            current[next] = current[next - 1] + 1;
        }
    }
}

/// Returns the binomial coefficient C(size, count), saturating at `usize::MAX`.
pub(super) fn subset_count(size: usize, count: usize) -> usize {
    if count > size {
        return 0;
    }
    let count = count.min(size - count);
    (0..count).fold(1usize, |product, step| {
        product.saturating_mul(size - step) / (step + 1)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subsets_are_lexicographic() {
        assert_eq!(
            subsets(4, 2),
            vec![
                vec![0, 1],
                vec![0, 2],
                vec![0, 3],
                vec![1, 2],
                vec![1, 3],
                vec![2, 3]
            ]
        );
        assert_eq!(subsets(3, 3), vec![vec![0, 1, 2]]);
        assert_eq!(subsets(2, 3), Vec::<Vec<usize>>::new());
    }

    #[test]
    fn subset_count_matches_enumeration() {
        for size in 0..8 {
            for count in 0..=size {
                assert_eq!(
                    subset_count(size, count),
                    subsets(size, count).len(),
                    "C({size}, {count})"
                );
            }
        }
    }
}
