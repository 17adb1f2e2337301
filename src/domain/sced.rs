//! SCED (School Courses for the Exchange of Data, NCES) course identifiers.
//!
//! A SCED course code has 5 digits: a 2-digit subject area and a 3-digit course number. The
//! full 12-character identifier adds a 1-character course level, 4 characters of available
//! credit (such as `1.00`) and a 2-character sequence (`34` is part 3 of 4). Kansas KCCMS state
//! course codes follow the same 5-digit pattern.

/// Subject areas of SCED version 12, by their 2-digit code. Area 06 (Foreign Language and
/// Literature) is retired in favour of 24.
pub const SUBJECT_AREAS: [(&str, &str); 24] = [
    ("01", "English Language and Literature"),
    ("02", "Mathematics"),
    ("03", "Life and Physical Sciences"),
    ("04", "Social Sciences and History"),
    ("05", "Visual and Performing Arts"),
    ("06", "Foreign Language and Literature (retired)"),
    ("07", "Religious Education and Theology"),
    ("08", "Physical, Health, and Safety Education"),
    ("09", "Military Science"),
    ("10", "Information Technology"),
    ("11", "Communication and Audio/Visual Technology"),
    ("12", "Business and Marketing"),
    ("13", "Manufacturing"),
    ("14", "Health Care Sciences"),
    ("15", "Public, Protective, and Government Service"),
    ("16", "Hospitality and Tourism"),
    ("17", "Architecture and Construction"),
    ("18", "Agriculture, Food, and Natural Resources"),
    ("19", "Human Services"),
    ("20", "Transportation, Distribution and Logistics"),
    ("21", "Engineering and Technology"),
    ("22", "Miscellaneous"),
    ("23", "Nonsubject Specific"),
    ("24", "World Languages"),
];

/// Subject area 25 appears in SCED version 12 for a small set of newer codes without a
/// published name.
const NEWER_AREA: &str = "25";

/// Course levels of the SCED identifier.
pub const LEVELS: [(char, &str); 6] = [
    ('B', "basic"),
    ('G', "general"),
    ('E', "enriched"),
    ('H', "honors"),
    ('C', "college credit"),
    ('X', "no specified level"),
];

/// Returns the name of a 2-digit subject area, or `None` for an unknown area.
pub fn subject_area_name(area: &str) -> Option<&'static str> {
    if area == NEWER_AREA {
        return Some("Newer SCED codes");
    }
    SUBJECT_AREAS
        .iter()
        .find(|(code, _)| *code == area)
        .map(|(_, name)| *name)
}

/// Checks a 5-digit SCED course code and explains what is wrong with an invalid one.
pub fn check_code(code: &str) -> Result<(), String> {
    if code.len() != 5 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "SCED code {code:?} must be 5 digits: a 2-digit subject area and a 3-digit course number"
        ));
    }
    if subject_area_name(&code[..2]).is_none() {
        return Err(format!(
            "SCED code {code:?} has the unknown subject area {}",
            &code[..2]
        ));
    }
    Ok(())
}

/// Checks a course level letter (`B`, `G`, `E`, `H`, `C` or `X`).
pub fn check_level(level: &str) -> Result<(), String> {
    let mut chars = level.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) if LEVELS.iter().any(|(l, _)| *l == c) => Ok(()),
        _ => Err(format!(
            "SCED level {level:?} must be one of B (basic), G (general), E (enriched), H (honors), C (college credit) or X (no specified level)"
        )),
    }
}

/// Checks the 4-character available credit of a SCED identifier, such as `1.00` or `0.50`.
pub fn check_available_credit(credit: &str) -> Result<(), String> {
    let bytes = credit.as_bytes();
    let valid = bytes.len() == 4
        && bytes[0].is_ascii_digit()
        && bytes[1] == b'.'
        && bytes[2].is_ascii_digit()
        && bytes[3].is_ascii_digit();
    if valid {
        Ok(())
    } else {
        Err(format!(
            "SCED available credit {credit:?} must look like 1.00 or 0.50"
        ))
    }
}

/// Checks a 2-digit sequence such as `34` (part 3 of 4): both digits from 1 and the part no
/// greater than the total.
pub fn check_sequence(sequence: &str) -> Result<(), String> {
    let bytes = sequence.as_bytes();
    let valid =
        bytes.len() == 2 && bytes.iter().all(|b| (b'1'..=b'9').contains(b)) && bytes[0] <= bytes[1];
    if valid {
        Ok(())
    } else {
        Err(format!(
            "SCED sequence {sequence:?} must be two digits, the part then the number of parts, such as 12 or 34"
        ))
    }
}

/// The parts of a full 12-character SCED identifier such as `02052G1.0012`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identifier {
    pub code: String,
    pub level: String,
    pub available_credit: String,
    pub sequence: String,
}

/// Parses a full 12-character SCED identifier.
pub fn parse_identifier(identifier: &str) -> Result<Identifier, String> {
    if identifier.len() != 12 || !identifier.is_ascii() {
        return Err(format!(
            "SCED identifier {identifier:?} must have 12 characters: code, level, available credit and sequence, such as 02052G1.0012"
        ));
    }
    let parsed = Identifier {
        code: identifier[..5].to_owned(),
        level: identifier[5..6].to_owned(),
        available_credit: identifier[6..10].to_owned(),
        sequence: identifier[10..].to_owned(),
    };
    check_code(&parsed.code)?;
    check_level(&parsed.level)?;
    check_available_credit(&parsed.available_credit)?;
    check_sequence(&parsed.sequence)?;
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_needs_five_digits_and_known_area() {
        assert!(check_code("02052").is_ok());
        assert!(check_code("25001").is_ok());
        assert!(check_code("0205").is_err());
        assert!(check_code("0205A").is_err());
        assert!(check_code("99001").is_err());
    }

    #[test]
    fn identifier_splits_into_parts() {
        let parsed = parse_identifier("02052G1.0012").expect("valid identifier");
        assert_eq!(parsed.code, "02052");
        assert_eq!(parsed.level, "G");
        assert_eq!(parsed.available_credit, "1.00");
        assert_eq!(parsed.sequence, "12");
    }

    #[test]
    fn identifier_rejects_bad_parts() {
        assert!(parse_identifier("02052Q1.0012").is_err(), "level");
        assert!(parse_identifier("02052G1,0012").is_err(), "credit");
        assert!(
            parse_identifier("02052G1.0043").is_err(),
            "sequence part after total"
        );
        assert!(parse_identifier("02052G1.00").is_err(), "length");
    }

    #[test]
    fn subject_area_names() {
        assert_eq!(subject_area_name("02"), Some("Mathematics"));
        assert_eq!(subject_area_name("26"), None);
    }
}
