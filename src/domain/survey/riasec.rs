//! The six Holland (RIASEC) interest areas and the profile correlation used to compare them.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One of Holland's six interest areas, written as its initial letter in JSON.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
pub enum RiasecArea {
    #[serde(rename = "R")]
    Realistic,
    #[serde(rename = "I")]
    Investigative,
    #[serde(rename = "A")]
    Artistic,
    #[serde(rename = "S")]
    Social,
    #[serde(rename = "E")]
    Enterprising,
    #[serde(rename = "C")]
    Conventional,
}

impl RiasecArea {
    /// The six areas in RIASEC order, which is also the order of every six-value score array.
    pub const ALL: [RiasecArea; 6] = [
        RiasecArea::Realistic,
        RiasecArea::Investigative,
        RiasecArea::Artistic,
        RiasecArea::Social,
        RiasecArea::Enterprising,
        RiasecArea::Conventional,
    ];

    /// Position of the area in [`RiasecArea::ALL`] (0 for Realistic … 5 for Conventional).
    pub fn index(self) -> usize {
        self as usize
    }

    /// Initial letter, as used in Holland codes.
    pub fn letter(self) -> char {
        match self {
            RiasecArea::Realistic => 'R',
            RiasecArea::Investigative => 'I',
            RiasecArea::Artistic => 'A',
            RiasecArea::Social => 'S',
            RiasecArea::Enterprising => 'E',
            RiasecArea::Conventional => 'C',
        }
    }

    /// Full name, spelled as in O*NET's `Element Name` column.
    pub fn name(self) -> &'static str {
        match self {
            RiasecArea::Realistic => "Realistic",
            RiasecArea::Investigative => "Investigative",
            RiasecArea::Artistic => "Artistic",
            RiasecArea::Social => "Social",
            RiasecArea::Enterprising => "Enterprising",
            RiasecArea::Conventional => "Conventional",
        }
    }

    /// Looks up an area by its full name, as written in O*NET's `Element Name` column.
    pub fn from_name(name: &str) -> Option<RiasecArea> {
        RiasecArea::ALL.into_iter().find(|area| area.name() == name)
    }
}

/// Reason why a correlation between two six-score profiles cannot be computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CorrelationUnavailable {
    /// The first profile has the same score in all six areas, so it has no shape to compare.
    FirstProfileFlat,
    /// The second profile has the same score in all six areas.
    SecondProfileFlat,
}

impl CorrelationUnavailable {
    /// Plain-English explanation a front end can show.
    pub fn message(self) -> &'static str {
        match self {
            CorrelationUnavailable::FirstProfileFlat
            | CorrelationUnavailable::SecondProfileFlat => {
                "A profile with the same score in all six areas has no high or low points, \
                 so it cannot be compared with another profile."
            }
        }
    }
}

/// Computes the Pearson correlation of two six-value profiles in RIASEC order.
///
/// The result lies in -1.0..=1.0 and ignores each profile's level and spread, so a 0–40 raw
/// score profile compares directly with O*NET's 1–7 occupational ratings. A profile whose six
/// values are all equal has zero variance, which leaves the correlation undefined.
pub fn pearson_correlation(
    first: &[f64; 6],
    second: &[f64; 6],
) -> Result<f64, CorrelationUnavailable> {
    // Testing equality directly avoids treating a rounding residue in the variance as a shape.
    if is_flat(first) {
        return Err(CorrelationUnavailable::FirstProfileFlat);
    }
    if is_flat(second) {
        return Err(CorrelationUnavailable::SecondProfileFlat);
    }

    let first_mean = first.iter().sum::<f64>() / 6.0;
    let second_mean = second.iter().sum::<f64>() / 6.0;

    let mut covariance = 0.0;
    let mut first_variance = 0.0;
    let mut second_variance = 0.0;
    for (x, y) in first.iter().zip(second) {
        let dx = x - first_mean;
        let dy = y - second_mean;
        covariance += dx * dy;
        first_variance += dx * dx;
        second_variance += dy * dy;
    }

    let correlation = covariance / (first_variance.sqrt() * second_variance.sqrt());
    Ok(correlation.clamp(-1.0, 1.0))
}

fn is_flat(values: &[f64; 6]) -> bool {
    values.iter().all(|value| *value == values[0])
}
