//! Credit amounts: integer hundredths of a Carnegie unit inside the engine, decimal numbers with
//! at most two places in JSON (`0.5` is 50 hundredths).

use serde::{Deserialize, Deserializer, Serializer};

/// Hundredths of a unit of credit in one unit.
pub const HUNDREDTHS_PER_UNIT: u32 = 100;

/// Parses a JSON credit amount into hundredths, rejecting negative values, more than two
/// decimal places and amounts above 10,000 units.
pub fn parse(value: f64) -> Result<u32, String> {
    if !value.is_finite() || value < 0.0 {
        return Err(format!(
            "credits must be a non-negative number, got {value}"
        ));
    }
    if value > 10_000.0 {
        return Err(format!("credits must be at most 10000 units, got {value}"));
    }

    let scaled = value * f64::from(HUNDREDTHS_PER_UNIT);
    let rounded = scaled.round();
    if (scaled - rounded).abs() > 1e-6 {
        return Err(format!(
            "credits allow at most two decimal places, got {value}"
        ));
    }
    // The range check above keeps `rounded` within 0..=1_000_000, so the cast is exact.
    Ok(rounded as u32)
}

/// Converts hundredths to the decimal number written to JSON.
pub fn to_units(hundredths: u32) -> f64 {
    f64::from(hundredths) / f64::from(HUNDREDTHS_PER_UNIT)
}

/// Formats hundredths for explanations: `400` is "4", `350` is "3.5", `25` is "0.25".
pub fn format(hundredths: u32) -> String {
    let whole = hundredths / HUNDREDTHS_PER_UNIT;
    let fraction = hundredths % HUNDREDTHS_PER_UNIT;
    if fraction == 0 {
        format!("{whole}")
    } else if fraction.is_multiple_of(10) {
        format!("{whole}.{}", fraction / 10)
    } else {
        format!("{whole}.{fraction:02}")
    }
}

/// Serializes hundredths as a decimal number of units.
pub fn serialize<S: Serializer>(hundredths: &u32, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_f64(to_units(*hundredths))
}

/// Deserializes a decimal number of units into hundredths.
pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u32, D::Error> {
    let value = f64::deserialize(deserializer)?;
    parse(value).map_err(serde::de::Error::custom)
}

/// The same conversion for optional credit fields; use with `#[serde(default)]`.
pub mod option {
    use serde::{Deserialize, Deserializer, Serializer};

    /// Serializes `Some(hundredths)` as a decimal number and `None` as `null`.
    pub fn serialize<S: Serializer>(value: &Option<u32>, serializer: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(hundredths) => serializer.serialize_some(&super::to_units(*hundredths)),
            None => serializer.serialize_none(),
        }
    }

    /// Deserializes an optional decimal number of units into hundredths.
    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<u32>, D::Error> {
        let value = Option::<f64>::deserialize(deserializer)?;
        value
            .map(super::parse)
            .transpose()
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Serialize, serde::Deserialize, PartialEq)]
    struct Amount {
        #[serde(with = "super")]
        credits: u32,
        #[serde(default, with = "super::option")]
        earned: Option<u32>,
    }

    #[test]
    fn half_unit_reads_as_fifty() {
        let amount: Amount = serde_json::from_str(r#"{"credits": 0.5}"#).expect("valid");
        assert_eq!(amount.credits, 50);
        assert_eq!(amount.earned, None);
    }

    #[test]
    fn two_places_are_exact() {
        for (text, expected) in [
            ("0.25", 25),
            ("3.75", 375),
            ("21", 2100),
            ("0.1", 10),
            ("1.15", 115),
        ] {
            let amount: Amount =
                serde_json::from_str(&format!(r#"{{"credits": {text}}}"#)).expect("valid");
            assert_eq!(amount.credits, expected, "parsing {text}");
        }
    }

    #[test]
    fn third_decimal_place_is_rejected() {
        let error = serde_json::from_str::<Amount>(r#"{"credits": 0.333}"#).expect_err("invalid");
        assert!(error.to_string().contains("two decimal places"), "{error}");
    }

    #[test]
    fn negative_credits_are_rejected() {
        let error = serde_json::from_str::<Amount>(r#"{"credits": -1}"#).expect_err("invalid");
        assert!(error.to_string().contains("non-negative"), "{error}");
    }

    #[test]
    fn hundredths_write_as_units() {
        let amount = Amount {
            credits: 50,
            earned: Some(125),
        };
        let json = serde_json::to_string(&amount).expect("serializable");
        assert_eq!(json, r#"{"credits":0.5,"earned":1.25}"#);
    }

    #[test]
    fn format_trims_zeros() {
        assert_eq!(format(400), "4");
        assert_eq!(format(350), "3.5");
        assert_eq!(format(25), "0.25");
        assert_eq!(format(5), "0.05");
    }
}
