//! Scoring of one answer sheet into a RIASEC interest profile with its Holland code and flags.

use std::cmp::Ordering;

use serde::Serialize;
use utoipa::ToSchema;

use super::FieldError;
use super::answers::{AnswerInput, parse_answers};
use super::instrument::{Instrument, validate_instrument};
use super::riasec::RiasecArea;

/// Settings for profile flags.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScoringOptions {
    /// A profile is flagged `lowSpread` when its highest and lowest area percentages differ by
    /// less than this many percentage points. The default, 10, is a tenth of the score range.
    pub low_spread_threshold_points: f64,
}

impl Default for ScoringOptions {
    fn default() -> Self {
        Self {
            low_spread_threshold_points: 10.0,
        }
    }
}

/// Score of one RIASEC area.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AreaScore {
    /// Interest area.
    pub area: RiasecArea,
    /// Sum of item scores, each `answer - scale.min` (or `scale.max - answer` for a
    /// reverse-keyed item). 0–40 on the Short Form.
    pub raw: u32,
    /// Highest raw score the answered items allow: answered items × (`scale.max - scale.min`).
    pub max_raw: u32,
    /// Items of this area that were answered.
    pub answered_items: u16,
    /// Items of this area left unanswered under the `score_as_missing` policy.
    pub unanswered_items: u16,
    /// `raw / max_raw` in percent (0–100). Areas are ranked by this value, so areas with
    /// different numbers of items or of unanswered items compare fairly.
    pub percent: f64,
}

/// The three-letter Holland code, with ties shown rather than broken.
///
/// `groups` lists the areas that reach the first three places, highest first, and areas with
/// equal scores share a group. The last group keeps all of its tied areas even when only some
/// of them fit into three letters. `codes` lists every three-letter code that the scores support
/// equally, in RIASEC order within each tie. Scores I 30, R 25, A 25, S 10, … give groups
/// `[["I"], ["R", "A"]]` and codes `["IRA", "IAR"]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HollandCode {
    /// Areas reaching the first three places, grouped by equal score, highest first.
    pub groups: Vec<Vec<RiasecArea>>,
    /// Every equally valid three-letter code: exactly one when nothing is tied, and 120 (every
    /// ordered choice of three areas) for a flat profile.
    pub codes: Vec<String>,
    /// Whether a tie leaves more than one valid code.
    pub tied: bool,
}

/// Machine-readable kind of [`ProfileFlag`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FlagCode {
    /// All six areas have the same percentage.
    Flat,
    /// The areas differ, but by less than the low-spread threshold.
    LowSpread,
    /// Some items were left unanswered and the affected areas were scored over fewer items.
    Incomplete,
}

/// A caution about how far a profile can be read, with a note a front end can show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProfileFlag {
    /// Machine-readable kind.
    pub code: FlagCode,
    /// Plain-English interpretation for the student and counselor.
    pub message: String,
}

/// Scored interest profile of one answer sheet.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InterestProfile {
    /// Instrument the answers were scored with.
    pub instrument_id: String,
    /// Version of that instrument.
    pub instrument_version: String,
    /// One score per area, in RIASEC order.
    pub areas: Vec<AreaScore>,
    /// All six areas grouped by equal percentage, highest first.
    pub rank_groups: Vec<Vec<RiasecArea>>,
    /// Three-letter Holland code with ties shown.
    pub holland_code: HollandCode,
    /// Cautions about reading this profile, empty when none apply.
    pub flags: Vec<ProfileFlag>,
}

impl InterestProfile {
    /// Percentages of maximum in RIASEC order, the profile shape used for correlations.
    pub fn percent_scores(&self) -> [f64; 6] {
        let mut scores = [0.0; 6];
        for score in &self.areas {
            scores[score.area.index()] = score.percent;
        }
        scores
    }

    /// Reports whether all six areas have the same percentage.
    pub fn is_flat(&self) -> bool {
        self.rank_groups.len() == 1
    }
}

/// Validates `answers` against `instrument` and scores them.
///
/// Errors are those of [`parse_answers`], or those of [`validate_instrument`] when the
/// instrument itself is invalid. The latter carry pointers into the instrument, such as
/// `/items/3/number`.
pub fn score_answers(
    instrument: &Instrument,
    answers: &AnswerInput,
    options: &ScoringOptions,
) -> Result<InterestProfile, Vec<FieldError>> {
    validate_instrument(instrument)?;
    let codes = parse_answers(instrument, answers)?;

    let areas = score_areas(instrument, &codes);
    let rank_groups = rank_groups(&areas);
    let holland_code = holland_code(&rank_groups);
    let flags = profile_flags(&areas, &rank_groups, options);

    Ok(InterestProfile {
        instrument_id: instrument.id.clone(),
        instrument_version: instrument.version.clone(),
        areas,
        rank_groups,
        holland_code,
        flags,
    })
}

/// Sums item scores per area. `codes` has already been checked against the scale.
fn score_areas(instrument: &Instrument, codes: &[Option<u8>]) -> Vec<AreaScore> {
    let scale = instrument.scale;
    let item_max = scale.item_max_score();

    let mut areas: Vec<AreaScore> = RiasecArea::ALL
        .into_iter()
        .map(|area| AreaScore {
            area,
            raw: 0,
            max_raw: 0,
            answered_items: 0,
            unanswered_items: 0,
            percent: 0.0,
        })
        .collect();

    for (item, code) in instrument.items.iter().zip(codes) {
        let score = &mut areas[item.area.index()];
        let Some(code) = code else {
            score.unanswered_items += 1;
            continue;
        };

        let item_score = if item.reverse_keyed {
            scale.max - code
        } else {
            code - scale.min
        };
        score.raw += u32::from(item_score);
        score.max_raw += u32::from(item_max);
        score.answered_items += 1;
    }

    // Validation guarantees every area has an answered item, so max_raw is never 0.
    for score in &mut areas {
        score.percent = f64::from(score.raw) * 100.0 / f64::from(score.max_raw);
    }
    areas
}

/// Compares two areas by `raw / max_raw` exactly, by cross-multiplying instead of dividing.
fn compare_fraction(first: &AreaScore, second: &AreaScore) -> Ordering {
    let left = u64::from(first.raw) * u64::from(second.max_raw);
    let right = u64::from(second.raw) * u64::from(first.max_raw);
    left.cmp(&right)
}

/// Groups all six areas by equal fraction of maximum, highest first, RIASEC order within ties.
fn rank_groups(areas: &[AreaScore]) -> Vec<Vec<RiasecArea>> {
    let mut ordered: Vec<&AreaScore> = areas.iter().collect();
    // A stable sort keeps RIASEC order within a tie.
    ordered.sort_by(|first, second| compare_fraction(second, first));

    let mut groups: Vec<Vec<RiasecArea>> = Vec::new();
    let mut previous: Option<&AreaScore> = None;
    for score in ordered {
        let tied_with_previous =
            previous.is_some_and(|prior| compare_fraction(prior, score) == Ordering::Equal);
        match groups.last_mut() {
            Some(group) if tied_with_previous => group.push(score.area),
            _ => groups.push(vec![score.area]),
        }
        previous = Some(score);
    }
    groups
}

/// Builds the Holland code from the rank groups, listing every code a tie allows.
fn holland_code(rank_groups: &[Vec<RiasecArea>]) -> HollandCode {
    const CODE_LENGTH: usize = 3;

    let mut groups = Vec::new();
    let mut codes = vec![String::new()];
    let mut filled = 0;
    for group in rank_groups {
        if filled == CODE_LENGTH {
            break;
        }
        let take = group.len().min(CODE_LENGTH - filled);
        let arrangements = arrangements(group, take);

        codes = codes
            .iter()
            .flat_map(|prefix| {
                arrangements
                    .iter()
                    .map(move |suffix| format!("{prefix}{suffix}"))
            })
            .collect();
        groups.push(group.clone());
        filled += take;
    }

    HollandCode {
        tied: codes.len() > 1,
        groups,
        codes,
    }
}

/// Lists every ordered choice of `length` distinct letters from `areas`, in RIASEC order.
fn arrangements(areas: &[RiasecArea], length: usize) -> Vec<String> {
    if length == 0 {
        return vec![String::new()];
    }

    let mut result = Vec::new();
    for (position, area) in areas.iter().enumerate() {
        let mut rest = areas.to_vec();
        rest.remove(position);
        for tail in arrangements(&rest, length - 1) {
            result.push(format!("{}{tail}", area.letter()));
        }
    }
    result
}

fn profile_flags(
    areas: &[AreaScore],
    rank_groups: &[Vec<RiasecArea>],
    options: &ScoringOptions,
) -> Vec<ProfileFlag> {
    let mut flags = Vec::new();

    let highest = areas
        .iter()
        .map(|score| score.percent)
        .fold(f64::MIN, f64::max);
    let lowest = areas
        .iter()
        .map(|score| score.percent)
        .fold(f64::MAX, f64::min);
    let threshold = options.low_spread_threshold_points;

    if rank_groups.len() == 1 {
        flags.push(ProfileFlag {
            code: FlagCode::Flat,
            message: "All six interest areas received the same score, so these answers do not \
                      point to any area more than another. No Holland code or career match can \
                      be drawn from them; talking the results over with a counselor, or taking \
                      the profiler again later, may show clearer interests."
                .to_owned(),
        });
    } else if highest - lowest < threshold {
        flags.push(ProfileFlag {
            code: FlagCode::LowSpread,
            message: format!(
                "The six interest areas are within {threshold} percentage points of each other, \
                 so small changes in the answers could reorder them. Treat the Holland code \
                 and the career matches as tentative."
            ),
        });
    }

    let unanswered: u32 = areas
        .iter()
        .map(|score| u32::from(score.unanswered_items))
        .sum();
    if unanswered > 0 {
        flags.push(ProfileFlag {
            code: FlagCode::Incomplete,
            message: format!(
                "{unanswered} items were left unanswered. Each area is scored as a percentage \
                 of the items answered in it, so areas still compare fairly, but the scores \
                 rest on fewer answers."
            ),
        });
    }

    flags
}
