//! Credits as integer hundredths, so that adding 0.1 and 0.2 units is exact.
//!
//! JSON carries credits as decimal numbers with at most two places (0.25, 0.5, 1); the
//! service stores and adds them as hundredths.

/// Converts a decimal credit value into hundredths, rejecting more than two decimal places,
/// negative values and values above `max_units`.
pub fn to_hundredths(value: f64, max_units: f64) -> Result<i32, String> {
    if value > max_units {
        return Err(format!("credits must be at most {max_units}, not {value}"));
    }
    let hundredths = super::audit::credits::parse(value)?;
    i32::try_from(hundredths)
        .map_err(|_| format!("credits must be at most {max_units}, not {value}"))
}

/// Converts hundredths back into the decimal value sent in JSON.
pub fn from_hundredths(hundredths: i32) -> f64 {
    f64::from(hundredths) / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_two_place_decimals_exactly() {
        assert_eq!(to_hundredths(0.5, 4.0), Ok(50));
        assert_eq!(to_hundredths(0.25, 4.0), Ok(25));
        assert_eq!(to_hundredths(1.0, 4.0), Ok(100));
        assert_eq!(to_hundredths(0.1 + 0.2, 4.0), Ok(30));
        assert_eq!(from_hundredths(75), 0.75);
    }

    #[test]
    fn rejects_three_places_negative_and_too_large() {
        assert!(to_hundredths(0.333, 4.0).is_err());
        assert!(to_hundredths(-1.0, 4.0).is_err());
        assert!(to_hundredths(5.0, 4.0).is_err());
        assert!(to_hundredths(f64::NAN, 4.0).is_err());
    }
}
