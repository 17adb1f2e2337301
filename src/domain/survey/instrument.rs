//! Interest instruments: the built-in O*NET Interest Profiler Short Form and district-defined
//! RIASEC questionnaires, with the validation a district instrument must pass.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::riasec::RiasecArea;
use super::{FieldError, FieldErrorCode};
use crate::domain::identifiers::{CLIENT_CHOSEN_ID_RULE, is_client_chosen_id};

/// Origin of an instrument.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InstrumentKind {
    /// Shipped with the service, such as the O*NET Interest Profiler Short Form.
    Builtin,
    /// Written by a district and validated by [`validate_district_instrument`].
    District,
}

/// Range of answer codes, inclusive at both ends. The lowest code scores 0 points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AnswerScale {
    /// Code of the least favourable answer, such as 1 for "Strongly Dislike".
    pub min: u8,
    /// Code of the most favourable answer, such as 5 for "Strongly Like".
    pub max: u8,
}

impl AnswerScale {
    /// Greatest number of answer points a scale may have. Likert-type interest items use 2 to 7.
    pub const MAX_POINTS: u8 = 11;

    /// Points one item can contribute: `max - min`.
    pub fn item_max_score(self) -> u16 {
        u16::from(self.max.saturating_sub(self.min))
    }

    /// Reports whether `code` is an answer code on this scale.
    pub fn contains(self, code: i64) -> bool {
        (i64::from(self.min)..=i64::from(self.max)).contains(&code)
    }
}

/// Treatment of unanswered items when a response is scored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "policy", rename_all = "snake_case")]
pub enum UnansweredPolicy {
    /// Every item must be answered.
    #[schema(title = "RejectUnanswered")]
    Reject,
    /// Up to `max_missing` items may be left blank. Each area is then scored over its answered
    /// items, and its percent of maximum is taken over those items only.
    #[schema(title = "ScoreAsMissing")]
    // Renamed per variant because utoipa ignores serde's `rename_all_fields`.
    #[serde(rename_all = "camelCase")]
    ScoreAsMissing {
        /// Largest number of unanswered items accepted in one response.
        max_missing: u16,
    },
}

/// One questionnaire item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Item {
    /// Position in the questionnaire, counting from 1.
    pub number: u16,
    /// Interest area the item measures.
    pub area: RiasecArea,
    /// Whether a high answer code signals low interest, so the item's score is `max - code`.
    pub reverse_keyed: bool,
    /// Item wording shown to students. Absent when the wording is not stored by this service.
    pub text: Option<String>,
    /// BCP 47 language tag of `text`, such as `en` or `es`.
    pub language: Option<String>,
}

/// A RIASEC interest questionnaire and its scoring key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Instrument {
    /// Stable identifier, such as `onet-ip-sf`.
    #[schema(pattern = "^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    pub id: String,
    /// Version of the questionnaire and its key. Results record the version they were scored with.
    pub version: String,
    /// Title shown to students.
    pub title: String,
    /// Origin of the instrument: shipped with the service or written by a district.
    pub kind: InstrumentKind,
    /// Answer codes every item accepts.
    pub scale: AnswerScale,
    /// Items in questionnaire order.
    pub items: Vec<Item>,
    /// Treatment of unanswered items.
    pub unanswered_policy: UnansweredPolicy,
    /// Licence terms of the questionnaire.
    pub license: Option<String>,
    /// Attribution that must be displayed with the questionnaire and its results.
    pub credit: Option<String>,
    /// Source of the official item wording and documentation.
    pub source: Option<String>,
}

/// Identifier of the built-in Short Form.
const SHORT_FORM_ID: &str = "onet-ip-sf";

/// Number of Short Form items, 10 per area.
const SHORT_FORM_ITEMS: u16 = 60;

/// Builds the O*NET Interest Profiler Short Form scoring key.
///
/// The Short Form has 60 items answered Strongly Dislike (1), Dislike (2), Unsure (3), Like (4)
/// or Strongly Like (5), scored 0–4 with no reverse-keyed items. Items run in pairs by area:
/// 1–2 Realistic, 3–4 Investigative, 5–6 Artistic, 7–8 Social, 9–10 Enterprising,
/// 11–12 Conventional, and the cycle repeats up to 59–60 Conventional, so each raw area score
/// is 0–40. No item text is stored because the Interest Profiler licence forbids changed wording,
/// so a front end shows the official items unchanged.
pub fn interest_profiler_short_form() -> Instrument {
    let items = (1..=SHORT_FORM_ITEMS)
        .map(|number| Item {
            number,
            area: RiasecArea::ALL[usize::from((number - 1) / 2 % 6)],
            reverse_keyed: false,
            text: None,
            language: None,
        })
        .collect();

    Instrument {
        id: SHORT_FORM_ID.to_owned(),
        version: "1".to_owned(),
        title: "O*NET Interest Profiler Short Form".to_owned(),
        kind: InstrumentKind::Builtin,
        scale: AnswerScale { min: 1, max: 5 },
        items,
        unanswered_policy: UnansweredPolicy::Reject,
        license: Some(
            "O*NET Interest Profiler licence: the questionnaire may be used unchanged; \
             changed item wording is not allowed."
                .to_owned(),
        ),
        // TODO: replace with the exact credit line from the licence that accompanies the
        // Interest Profiler download before the instrument is shown to students.
        credit: Some(
            "O*NET Interest Profiler Short Form by the National Center for O*NET Development \
             for the U.S. Department of Labor, Employment and Training Administration \
             (USDOL/ETA). O*NET® is a trademark of USDOL/ETA."
                .to_owned(),
        ),
        source: Some(
            "Official item wording, answer sheets and documentation are published by the \
             O*NET Resource Center."
                .to_owned(),
        ),
    }
}

/// Validates a district-defined instrument: its kind must be `district` and its structure must
/// pass [`validate_instrument`]. Errors carry JSON pointers into the instrument document.
pub fn validate_district_instrument(instrument: &Instrument) -> Result<(), Vec<FieldError>> {
    let mut errors = Vec::new();

    if instrument.kind != InstrumentKind::District {
        errors.push(FieldError::new(
            "/kind",
            FieldErrorCode::Invalid,
            "a district instrument must have kind \"district\"",
        ));
    }

    if let Err(structure_errors) = validate_instrument(instrument) {
        errors.extend(structure_errors);
    }

    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// Validates an instrument's structure and returns every problem found.
///
/// Rules:
/// - the id is a client-chosen id (see [`is_client_chosen_id`]);
/// - version and title are not blank;
/// - the scale has `min < max` and at most [`AnswerScale::MAX_POINTS`] points;
/// - items are numbered 1..=n in list order;
/// - every RIASEC area has at least one item;
/// - item text, when present, is not blank and has a language tag;
/// - the allowed number of unanswered items is smaller than the number of items.
pub fn validate_instrument(instrument: &Instrument) -> Result<(), Vec<FieldError>> {
    let mut errors = Vec::new();

    if !is_client_chosen_id(&instrument.id) {
        errors.push(FieldError::new(
            "/id",
            FieldErrorCode::Invalid,
            format!("id {CLIENT_CHOSEN_ID_RULE}"),
        ));
    }
    for (pointer, value) in [
        ("/version", &instrument.version),
        ("/title", &instrument.title),
    ] {
        if value.trim().is_empty() {
            errors.push(FieldError::new(
                pointer,
                FieldErrorCode::Missing,
                format!("{} must not be blank", &pointer[1..]),
            ));
        }
    }

    validate_scale(instrument.scale, &mut errors);
    validate_items(&instrument.items, &mut errors);

    if let UnansweredPolicy::ScoreAsMissing { max_missing } = instrument.unanswered_policy
        && usize::from(max_missing) >= instrument.items.len()
    {
        errors.push(FieldError::new(
            "/unansweredPolicy/maxMissing",
            FieldErrorCode::Range,
            format!(
                "maxMissing is {max_missing} but must be smaller than the number of items ({})",
                instrument.items.len()
            ),
        ));
    }

    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

fn validate_scale(scale: AnswerScale, errors: &mut Vec<FieldError>) {
    if scale.min >= scale.max {
        errors.push(FieldError::new(
            "/scale/max",
            FieldErrorCode::Range,
            format!(
                "scale max ({}) must be greater than scale min ({})",
                scale.max, scale.min
            ),
        ));
        return;
    }

    let points = scale.max - scale.min + 1;
    if points > AnswerScale::MAX_POINTS {
        errors.push(FieldError::new(
            "/scale/max",
            FieldErrorCode::Range,
            format!(
                "scale {}–{} has {points} answer points; at most {} are allowed",
                scale.min,
                scale.max,
                AnswerScale::MAX_POINTS
            ),
        ));
    }
}

fn validate_items(items: &[Item], errors: &mut Vec<FieldError>) {
    if items.is_empty() {
        errors.push(FieldError::new(
            "/items",
            FieldErrorCode::Count,
            "an instrument needs at least one item for each of the six RIASEC areas",
        ));
        return;
    }

    for (index, item) in items.iter().enumerate() {
        let expected = index + 1;
        if usize::from(item.number) != expected {
            errors.push(FieldError::new(
                format!("/items/{index}/number"),
                FieldErrorCode::Sequence,
                format!(
                    "item at position {expected} has number {}; items must be numbered 1, 2, 3, … in order",
                    item.number
                ),
            ));
        }

        if let Some(text) = &item.text {
            if text.trim().is_empty() {
                errors.push(FieldError::new(
                    format!("/items/{index}/text"),
                    FieldErrorCode::Missing,
                    format!("item {expected} has blank text; omit text or give the wording"),
                ));
            }
            if item
                .language
                .as_deref()
                .is_none_or(|tag| tag.trim().is_empty())
            {
                errors.push(FieldError::new(
                    format!("/items/{index}/language"),
                    FieldErrorCode::Missing,
                    format!("item {expected} has text but no language tag such as \"en\""),
                ));
            }
        }
    }

    for area in RiasecArea::ALL {
        if !items.iter().any(|item| item.area == area) {
            errors.push(FieldError::new(
                "/items",
                FieldErrorCode::Missing,
                format!(
                    "no item measures the {} area; every RIASEC area needs at least one item",
                    area.name()
                ),
            ));
        }
    }
}
