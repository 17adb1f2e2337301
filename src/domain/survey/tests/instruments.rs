use crate::domain::survey::{
    AnswerScale, FieldErrorCode, Instrument, InstrumentKind, Item, RiasecArea, UnansweredPolicy,
    interest_profiler_short_form, validate_district_instrument, validate_instrument,
};

/// A valid district instrument: one item per area in RIASEC order, answered 1–5.
pub(super) fn six_item_instrument() -> Instrument {
    Instrument {
        id: "usd259-interests".to_owned(),
        version: "2025-1".to_owned(),
        title: "Career Interests Check".to_owned(),
        kind: InstrumentKind::District,
        scale: AnswerScale { min: 1, max: 5 },
        items: RiasecArea::ALL
            .into_iter()
            .enumerate()
            .map(|(index, area)| Item {
                number: u16::try_from(index + 1).expect("six items fit in u16"),
                area,
                reverse_keyed: false,
                text: Some(format!("I would enjoy {} work.", area.name())),
                language: Some("en".to_owned()),
            })
            .collect(),
        unanswered_policy: UnansweredPolicy::Reject,
        license: None,
        credit: None,
        source: None,
    }
}

#[test]
fn short_form_key_pairs_items_by_area() {
    let instrument = interest_profiler_short_form();

    assert_eq!(instrument.items.len(), 60);
    assert_eq!(instrument.scale, AnswerScale { min: 1, max: 5 });
    assert_eq!(instrument.unanswered_policy, UnansweredPolicy::Reject);
    let expected = [
        (1, RiasecArea::Realistic),
        (2, RiasecArea::Realistic),
        (3, RiasecArea::Investigative),
        (4, RiasecArea::Investigative),
        (5, RiasecArea::Artistic),
        (8, RiasecArea::Social),
        (9, RiasecArea::Enterprising),
        (12, RiasecArea::Conventional),
        (13, RiasecArea::Realistic),
        (14, RiasecArea::Realistic),
        (59, RiasecArea::Conventional),
        (60, RiasecArea::Conventional),
    ];
    for (number, area) in expected {
        assert_eq!(instrument.items[number - 1].area, area, "item {number}");
    }
    for area in RiasecArea::ALL {
        let count = instrument
            .items
            .iter()
            .filter(|item| item.area == area)
            .count();
        assert_eq!(count, 10, "{} items", area.name());
    }
}

#[test]
fn short_form_ships_no_item_text() {
    let instrument = interest_profiler_short_form();

    assert!(instrument.items.iter().all(|item| item.text.is_none()));
    assert!(instrument.items.iter().all(|item| !item.reverse_keyed));
    assert!(
        instrument
            .credit
            .is_some_and(|credit| credit.contains("USDOL/ETA"))
    );
    assert!(
        instrument
            .source
            .is_some_and(|source| source.contains("O*NET Resource Center"))
    );
}

#[test]
fn short_form_passes_validation() {
    assert_eq!(validate_instrument(&interest_profiler_short_form()), Ok(()));
}

#[test]
fn district_instrument_passes_validation() {
    assert_eq!(validate_district_instrument(&six_item_instrument()), Ok(()));
}

#[test]
fn district_validation_rejects_builtin_kind() {
    let mut instrument = six_item_instrument();
    instrument.kind = InstrumentKind::Builtin;

    let errors = validate_district_instrument(&instrument).expect_err("builtin kind must fail");

    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].pointer, "/kind");
    assert_eq!(errors[0].code, FieldErrorCode::Invalid);
}

#[test]
fn gap_in_item_numbers_points_at_item() {
    let mut instrument = six_item_instrument();
    instrument.items[3].number = 5;

    let errors = validate_instrument(&instrument).expect_err("numbering gap must fail");

    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].pointer, "/items/3/number");
    assert_eq!(errors[0].code, FieldErrorCode::Sequence);
}

#[test]
fn missing_area_is_reported_by_name() {
    let mut instrument = six_item_instrument();
    instrument.items[5].area = RiasecArea::Realistic;

    let errors = validate_instrument(&instrument).expect_err("missing area must fail");

    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].pointer, "/items");
    assert_eq!(errors[0].code, FieldErrorCode::Missing);
    assert!(
        errors[0].message.contains("Conventional"),
        "{}",
        errors[0].message
    );
}

#[test]
fn inverted_scale_is_rejected() {
    let mut instrument = six_item_instrument();
    instrument.scale = AnswerScale { min: 5, max: 1 };

    let errors = validate_instrument(&instrument).expect_err("inverted scale must fail");

    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].pointer, "/scale/max");
    assert_eq!(errors[0].code, FieldErrorCode::Range);
}

#[test]
fn scale_wider_than_eleven_points_is_rejected() {
    let mut instrument = six_item_instrument();
    instrument.scale = AnswerScale { min: 0, max: 11 };

    let errors = validate_instrument(&instrument).expect_err("12-point scale must fail");

    assert_eq!(errors[0].pointer, "/scale/max");
    instrument.scale = AnswerScale { min: 0, max: 10 };
    assert_eq!(validate_instrument(&instrument), Ok(()));
}

#[test]
fn item_text_needs_language() {
    let mut instrument = six_item_instrument();
    instrument.items[2].language = None;
    instrument.items[4].text = Some("  ".to_owned());

    let errors = validate_instrument(&instrument).expect_err("text problems must fail");
    let pointers: Vec<&str> = errors.iter().map(|error| error.pointer.as_str()).collect();

    assert_eq!(pointers, ["/items/2/language", "/items/4/text"]);
}

#[test]
fn blank_identity_fields_are_each_reported() {
    let mut instrument = six_item_instrument();
    instrument.id = String::new();
    instrument.title = " ".to_owned();

    let errors = validate_instrument(&instrument).expect_err("blank fields must fail");
    let pointers: Vec<&str> = errors.iter().map(|error| error.pointer.as_str()).collect();

    assert_eq!(pointers, ["/id", "/title"]);
}

#[test]
fn max_missing_must_be_below_item_count() {
    let mut instrument = six_item_instrument();
    instrument.unanswered_policy = UnansweredPolicy::ScoreAsMissing { max_missing: 6 };

    let errors = validate_instrument(&instrument).expect_err("maxMissing 6 of 6 must fail");

    assert_eq!(errors[0].pointer, "/unansweredPolicy/maxMissing");
    assert_eq!(errors[0].code, FieldErrorCode::Range);
}

#[test]
fn instrument_json_uses_camel_case_and_tagged_policy() {
    let mut instrument = six_item_instrument();
    instrument.unanswered_policy = UnansweredPolicy::ScoreAsMissing { max_missing: 2 };

    let json = serde_json::to_value(&instrument).expect("instrument serializes");

    assert_eq!(json["kind"], "district");
    assert_eq!(json["items"][0]["area"], "R");
    assert_eq!(json["items"][0]["reverseKeyed"], false);
    assert_eq!(
        json["unansweredPolicy"],
        serde_json::json!({"policy": "score_as_missing", "maxMissing": 2})
    );
    let round_trip: Instrument = serde_json::from_value(json).expect("instrument deserializes");
    assert_eq!(round_trip, instrument);
}
