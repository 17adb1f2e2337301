//! Career-interest surveys: instruments, responses with their scored results, the student's
//! history, and O*NET occupation and cluster matches.

mod bulk;
mod instruments;
mod matches;
pub(crate) mod responses;

pub use bulk::*;
pub use instruments::*;
pub use matches::*;
pub use responses::*;

use std::sync::{Arc, Mutex};

use crate::domain::survey::{
    self, AnswerInput, Instrument, InterestProfile, OnetRelease, ScoringOptions,
};
use crate::error::{ApiError, FieldError};
use crate::store::surveys::{InstrumentRow, ResponseRow};

/// The decoded O*NET release of this process, keyed by the stored release id, so that a new
/// import is picked up on the next request.
#[derive(Default)]
pub struct OnetCache {
    current: Mutex<Option<(String, Arc<OnetRelease>)>>,
}

impl OnetCache {
    /// Returns the cached release when its id is `id`.
    pub fn get(&self, id: &str) -> Option<Arc<OnetRelease>> {
        let current = self.current.lock().ok()?;
        current
            .as_ref()
            .filter(|(cached, _)| cached == id)
            .map(|(_, release)| release.clone())
    }

    /// Caches `release` under `id`.
    pub fn put(&self, id: String, release: Arc<OnetRelease>) {
        if let Ok(mut current) = self.current.lock() {
            *current = Some((id, release));
        }
    }
}

/// Converts the survey module's field errors into the service's.
fn field_errors(errors: Vec<survey::FieldError>) -> Vec<FieldError> {
    errors
        .into_iter()
        .map(|e| {
            let code = serde_json::to_value(e.code)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_else(|| "invalid".to_owned());
            FieldError::body(e.pointer, &code, e.message)
        })
        .collect()
}

/// Decodes a stored instrument version.
fn decode_instrument(row: &InstrumentRow) -> Result<Instrument, ApiError> {
    serde_json::from_str(&row.document).map_err(ApiError::internal)
}

/// Scores stored or submitted answers with `instrument`.
fn score(
    instrument: &Instrument,
    answers: &serde_json::Value,
) -> Result<InterestProfile, ApiError> {
    let input: AnswerInput = serde_json::from_value(answers.clone()).map_err(|_| {
        ApiError::invalid_field(
            "/answers",
            "type",
            "answers must be an array of answer codes (null for unanswered) or a string of digits with ? for unanswered",
        )
    })?;
    survey::score_answers(instrument, &input, &ScoringOptions::default())
        .map_err(|errors| ApiError::validation(field_errors(errors)))
}

/// Builds the row of a new response scored as `profile`, with a new id.
fn response_row(
    district_id: String,
    student_id: String,
    instrument: &Instrument,
    administered_on: chrono::NaiveDate,
    grade_level: i32,
    answers: &serde_json::Value,
    profile: &InterestProfile,
) -> ResponseRow {
    ResponseRow {
        district_id,
        id: crate::store::new_id(),
        student_id,
        instrument_id: instrument.id.clone(),
        instrument_version: instrument.version.clone(),
        administered_on,
        grade_level,
        answers: answers.to_string(),
        holland_code: profile
            .holland_code
            .codes
            .first()
            .cloned()
            .unwrap_or_default(),
        created_at: crate::store::now(),
    }
}

/// Re-scores a stored response with its instrument version.
fn stored_profile(instrument: &Instrument, row: &ResponseRow) -> Result<InterestProfile, ApiError> {
    let answers: serde_json::Value =
        serde_json::from_str(&row.answers).map_err(ApiError::internal)?;
    score(instrument, &answers).map_err(|error| {
        ApiError::internal(anyhow::anyhow!("stored answers no longer score: {error}"))
    })
}
