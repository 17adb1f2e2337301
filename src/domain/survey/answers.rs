//! Answer sheets: parsing and validation of one student's answers against an instrument.

use serde::Deserialize;
use utoipa::ToSchema;

use super::instrument::{Instrument, UnansweredPolicy};
use super::{FieldError, FieldErrorCode};

/// Character that marks an unanswered item in the compact form.
const UNANSWERED_MARK: char = '?';

/// A student's answers in either of two accepted forms.
///
/// - An array with one entry per item, in item order: the answer code, or `null` for an
///   unanswered item, such as `[5, 3, null, 1, …]`.
/// - A compact string in the style of O*NET's answer strings, one character per item: the
///   answer code as a digit, or `?` for an unanswered item, such as `"53?1…"`. Every digit is
///   an answer code, `0` included, so `0` on a 1–5 scale is rejected as out of range rather
///   than read as unanswered. The compact form therefore only fits scales whose codes are 0–9.
///
/// Errors point at `/answers/<index>` with a 0-based index in both forms, so item 18 is
/// `/answers/17`. In the compact form the index counts characters.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum AnswerInput {
    /// One answer code or `null` per item.
    List(Vec<Option<i64>>),
    /// One digit or `?` per item.
    Compact(String),
}

/// Validates answers against `instrument` and returns one answer code per item, `None` where
/// the item was left unanswered.
///
/// Errors, each with a JSON pointer under `/answers`:
/// - `count` when the number of answers differs from the number of items (reported alone);
/// - `invalid` for a compact-form character that is neither a digit nor `?`;
/// - `range` for a code outside the instrument's scale;
/// - `missing` for each unanswered item under the `reject` policy, or once at `/answers`
///   when more items than `maxMissing` are unanswered, or when every item of an area is
///   unanswered so that area cannot be scored.
pub fn parse_answers(
    instrument: &Instrument,
    answers: &AnswerInput,
) -> Result<Vec<Option<u8>>, Vec<FieldError>> {
    let raw = match answers {
        AnswerInput::List(codes) => codes.iter().map(|code| Ok(*code)).collect::<Vec<_>>(),
        AnswerInput::Compact(text) => text.chars().map(decode_compact_char).collect(),
    };

    if raw.len() != instrument.items.len() {
        return Err(vec![FieldError::new(
            "/answers",
            FieldErrorCode::Count,
            format!(
                "expected {} answers, one per item of {}, but found {}",
                instrument.items.len(),
                instrument.id,
                raw.len()
            ),
        )]);
    }

    let mut errors = Vec::new();
    let mut codes = Vec::with_capacity(raw.len());
    for (index, entry) in raw.into_iter().enumerate() {
        let pointer = format!("/answers/{index}");
        let item_number = index + 1;
        match entry {
            Err(character) => {
                errors.push(FieldError::new(
                    pointer,
                    FieldErrorCode::Invalid,
                    format!(
                        "item {item_number}: '{character}' is not an answer; use a digit or '{UNANSWERED_MARK}' for unanswered"
                    ),
                ));
                codes.push(None);
            }
            Ok(None) => {
                if instrument.unanswered_policy == UnansweredPolicy::Reject {
                    errors.push(FieldError::new(
                        pointer,
                        FieldErrorCode::Missing,
                        format!(
                            "item {item_number} is unanswered; every item of {} must be answered",
                            instrument.id
                        ),
                    ));
                }
                codes.push(None);
            }
            Ok(Some(code)) => {
                let scale = instrument.scale;
                if scale.contains(code) {
                    // The scale check bounds the code to the scale's u8 range.
                    codes.push(u8::try_from(code).ok());
                } else {
                    errors.push(FieldError::new(
                        pointer,
                        FieldErrorCode::Range,
                        format!(
                            "item {item_number}: answer {code} is outside the scale {}–{}",
                            scale.min, scale.max
                        ),
                    ));
                    codes.push(None);
                }
            }
        }
    }

    if errors.is_empty() {
        check_missing_allowance(instrument, &codes, &mut errors);
    }

    if errors.is_empty() {
        Ok(codes)
    } else {
        Err(errors)
    }
}

/// Decodes one compact-form character: a digit is an answer code, `?` is unanswered.
fn decode_compact_char(character: char) -> Result<Option<i64>, char> {
    if character == UNANSWERED_MARK {
        return Ok(None);
    }
    match character.to_digit(10) {
        Some(digit) => Ok(Some(i64::from(digit))),
        None => Err(character),
    }
}

/// Applies the `score_as_missing` limits: at most `maxMissing` blanks, and at least one
/// answered item per area so that every area has a score.
fn check_missing_allowance(
    instrument: &Instrument,
    codes: &[Option<u8>],
    errors: &mut Vec<FieldError>,
) {
    let UnansweredPolicy::ScoreAsMissing { max_missing } = instrument.unanswered_policy else {
        return;
    };

    let missing = codes.iter().filter(|code| code.is_none()).count();
    if missing > usize::from(max_missing) {
        errors.push(FieldError::new(
            "/answers",
            FieldErrorCode::Missing,
            format!(
                "{missing} items are unanswered but {} accepts at most {max_missing}",
                instrument.id
            ),
        ));
    }

    for area in super::riasec::RiasecArea::ALL {
        let answered = instrument
            .items
            .iter()
            .zip(codes)
            .any(|(item, code)| item.area == area && code.is_some());
        if !answered {
            errors.push(FieldError::new(
                "/answers",
                FieldErrorCode::Missing,
                format!(
                    "no {} item is answered, so that area cannot be scored",
                    area.name()
                ),
            ));
        }
    }
}
