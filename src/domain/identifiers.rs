//! Kansas identifier formats.

/// Reports whether `value` is a Kansas KIDS state student identifier: exactly 10 ASCII digits.
pub fn is_kids_id(value: &str) -> bool {
    value.len() == 10 && value.bytes().all(|b| b.is_ascii_digit())
}

/// Reports whether `value` is a KSDE district id such as `D0259` (USD 259).
pub fn is_district_id(value: &str) -> bool {
    value.len() == 5 && value.starts_with('D') && value.bytes().skip(1).all(|b| b.is_ascii_digit())
}

/// Reports whether `value` is a KSDE building (school) number: exactly 4 ASCII digits.
pub fn is_school_id(value: &str) -> bool {
    value.len() == 4 && value.bytes().all(|b| b.is_ascii_digit())
}

/// Reports whether `value` can be a client-chosen id, which appears in URL paths and `Location`
/// headers: 1 to 64 ASCII letters, digits, `.`, `_` or `-`, starting with a letter or digit,
/// such as `usd259-2028`. The OpenAPI schemas of such ids carry the same rule as a pattern.
pub fn is_client_chosen_id(value: &str) -> bool {
    let mut bytes = value.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_alphanumeric())
        && value.len() <= 64
        && bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// The message for an id that [`is_client_chosen_id`] rejects.
pub const CLIENT_CHOSEN_ID_RULE: &str = "must be 1 to 64 ASCII letters, digits, '.', '_' or '-', starting with a letter or digit, such as usd259-2028";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kids_id_needs_ten_digits() {
        assert!(is_kids_id("1234567890"));
        assert!(!is_kids_id("123456789"));
        assert!(!is_kids_id("12345678901"));
        assert!(!is_kids_id("12345678a0"));
        assert!(!is_kids_id("１２３４５６７８９０"));
    }

    #[test]
    fn district_id_is_d_and_four_digits() {
        assert!(is_district_id("D0259"));
        assert!(!is_district_id("d0259"));
        assert!(!is_district_id("D259"));
        assert!(!is_district_id("0259"));
    }

    #[test]
    fn school_id_is_four_digits() {
        assert!(is_school_id("1234"));
        assert!(!is_school_id("123"));
        assert!(!is_school_id("12a4"));
    }

    #[test]
    fn client_chosen_ids() {
        assert!(is_client_chosen_id("ks-state-2028"));
        assert!(is_client_chosen_id("usd259.v2_draft"));
        assert!(!is_client_chosen_id(""));
        assert!(!is_client_chosen_id("-leading"));
        assert!(!is_client_chosen_id("has space"));
        assert!(!is_client_chosen_id("a/b"));
        assert!(!is_client_chosen_id("\u{10}"));
        assert!(!is_client_chosen_id(&"a".repeat(65)));
    }
}
