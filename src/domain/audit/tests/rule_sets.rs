//! Built-in rule sets, validation errors and overlay resolution.

use super::super::{
    ClassRange, Jurisdiction, RuleSet, RuleSetRef, Status, audit, builtin_asset_lists,
    builtin_rule_sets, resolve, validate,
};
use super::fixtures::{builtin, class_of_2027_record, completed, input, requirement};

fn pointers(errors: &[super::super::RuleError]) -> Vec<&str> {
    errors.iter().map(|error| error.pointer.as_str()).collect()
}

fn overlay(changes: serde_json::Value) -> RuleSet {
    serde_json::from_value(serde_json::json!({
        "id": "usd-259-2027",
        "version": 1,
        "title": "Wichita USD 259 graduation requirements",
        "jurisdiction": "district",
        "graduatingClasses": {"to": 2027},
        "extends": {"id": "ks-state-2027", "version": 1},
        "changes": changes,
    }))
    .expect("valid overlay")
}

#[test]
fn builtin_rule_sets_validate() {
    let rule_sets = builtin_rule_sets();
    assert_eq!(rule_sets.len(), 3);
    for rule_set in &rule_sets {
        assert_eq!(validate(rule_set), Ok(()), "{}", rule_set.id);
    }
}

#[test]
fn builtin_asset_list_has_state_board_assets() {
    let lists = builtin_asset_lists();
    assert_eq!(lists.len(), 1);
    assert_eq!(lists[0].id, "ks-postsecondary-assets-2024");
    assert_eq!(lists[0].assets.len(), 21);
    assert!(
        lists[0]
            .assets
            .iter()
            .any(|asset| asset.key == "ctso_officer")
    );
}

#[test]
fn rule_set_round_trips_through_json() {
    let rule_set = builtin("ks-regents-precollege");
    let json = serde_json::to_string(&rule_set).expect("serializable");
    let parsed: RuleSet = serde_json::from_str(&json).expect("parsable");
    assert_eq!(parsed, rule_set);
}

#[test]
fn nested_minimum_above_parent_points_to_parent() {
    let mut value = serde_json::to_value(builtin("ks-state-2027")).expect("serializable");
    value["requirements"][2]["children"][0]["credits"] = serde_json::json!(4);
    let rule_set: RuleSet = serde_json::from_value(value).expect("parsable");

    let errors = validate(&rule_set).expect_err("invalid");
    assert_eq!(pointers(&errors), vec!["/requirements/2/credits"]);
    assert!(
        errors[0].message.contains("nested minimums need 4 units"),
        "{}",
        errors[0].message
    );
}

#[test]
fn duplicate_key_points_to_second_use() {
    let mut value = serde_json::to_value(builtin("ks-state-2028")).expect("serializable");
    value["requirements"][0]["children"][0]["key"] = serde_json::json!("fine_arts");
    let rule_set: RuleSet = serde_json::from_value(value).expect("parsable");

    let errors = validate(&rule_set).expect_err("invalid");
    assert_eq!(pointers(&errors), vec!["/requirements/7/key"]);
}

#[test]
fn invalid_nodes_carry_pointers() {
    let mut value = serde_json::to_value(builtin("ks-regents-precollege")).expect("serializable");
    value["requirements"][1]["branches"][0]["requirements"][0]["selector"]["all"][0]["subject_area"]
        [0] = serde_json::json!("2");
    value["requirements"][5]["minimum"] = serde_json::json!(5.0);
    value["requirements"]
        .as_array_mut()
        .expect("array")
        .push(serde_json::json!({
            "key": "two_of_none", "title": "Bad group", "kind": "n_of", "count": 3,
            "of": [{"key": "assets_bad", "title": "Assets", "kind": "assets", "count": 1,
                    "list": "ks-postsecondary-assets-2024", "from": ["moon_landing"]}]
        }));
    let rule_set: RuleSet = serde_json::from_value(value).expect("parsable");

    let errors = validate(&rule_set).expect_err("invalid");
    assert_eq!(
        pointers(&errors),
        vec![
            "/requirements/1/branches/0/requirements/0/selector/all/0/subject_area/0",
            "/requirements/5/minimum",
            "/requirements/6/count",
            "/requirements/6/of/0/from/0",
        ]
    );
}

#[test]
fn third_decimal_place_in_rule_set_is_rejected() {
    let mut value = serde_json::to_value(builtin("ks-state-2027")).expect("serializable");
    value["totalCredits"] = serde_json::json!(21.005);
    let error = serde_json::from_value::<RuleSet>(value).expect_err("invalid");
    assert!(error.to_string().contains("two decimal places"), "{error}");
}

#[test]
fn too_many_alternatives_are_rejected() {
    let mut value = serde_json::to_value(builtin("ks-state-2027")).expect("serializable");
    let members: Vec<serde_json::Value> = (0..10)
        .map(|index| serde_json::json!({"key": format!("m{index}"), "title": "m", "kind": "courses", "credits": 0.5}))
        .collect();
    value["requirements"].as_array_mut().expect("array").push(
        serde_json::json!({"key": "five_of_ten", "title": "Five of ten", "kind": "n_of", "count": 5, "of": members}),
    );
    let rule_set: RuleSet = serde_json::from_value(value).expect("parsable");

    let errors = validate(&rule_set).expect_err("invalid");
    assert_eq!(pointers(&errors), vec!["/requirements"]);
    assert!(
        errors[0].message.contains("252 combinations"),
        "{}",
        errors[0].message
    );
}

#[test]
fn overlay_raises_total_and_adds_requirement() {
    let district = overlay(serde_json::json!([
        {"op": "set_total_credits", "credits": 23},
        {"op": "add", "requirement": {"key": "computer_literacy", "title": "Computer literacy",
            "kind": "courses", "credits": 0.5, "selector": {"subject_area": ["10"]}}}
    ]));
    let resolved = resolve(&builtin("ks-state-2027"), &district).expect("resolves");

    assert_eq!(resolved.id, "usd-259-2027");
    assert_eq!(resolved.jurisdiction, Jurisdiction::District);
    assert_eq!(resolved.total_credits, Some(2300));
    assert_eq!(resolved.requirements.len(), 8);
    assert_eq!(
        resolved.extends,
        Some(RuleSetRef {
            id: "ks-state-2027".into(),
            version: 1
        })
    );

    // The state record has 21 units, so 2 of the district's 23 are still missing. Its computer
    // science course gives ½ unit to computer literacy, which leaves electives ½ unit short.
    let result = audit(&resolved, &input(2027, class_of_2027_record())).expect("valid");
    let total = result.total.clone().expect("total");
    assert_eq!((total.credits.earned, total.credits.remaining), (2100, 200));
    assert_eq!(
        requirement(&result, "computer_literacy").status,
        Status::Met
    );
    assert_eq!(requirement(&result, "electives").credits.earned, 550);
    assert_eq!(result.status, Status::AtRisk);
}

#[test]
fn overlay_replaces_and_drops_by_key() {
    let district = overlay(serde_json::json!([
        {"op": "replace", "key": "science_laboratory", "requirement": {"key": "science_laboratory",
            "title": "Two laboratory units", "kind": "courses", "credits": 2,
            "selector": {"attribute": ["laboratory_science"]}}},
        {"op": "drop", "key": "fine_arts"},
        {"op": "add", "requirement": {"key": "fine_arts_or_cte", "title": "Fine arts or CTE",
            "kind": "courses", "credits": 1, "selector": {"any": [{"subject_area": ["05"]}, {"attribute": ["cte_technical"]}]}}}
    ]));
    let resolved = resolve(&builtin("ks-state-2027"), &district).expect("resolves");

    let keys: Vec<&str> = resolved
        .requirements
        .iter()
        .map(|requirement| requirement.key.as_str())
        .collect();
    assert!(!keys.contains(&"fine_arts"));
    assert!(keys.contains(&"fine_arts_or_cte"));
    let result = audit(
        &resolved,
        &input(2027, vec![completed("bio", "03051", 100)]),
    )
    .expect("valid");
    assert_eq!(
        requirement(&result, "science_laboratory").credits.required,
        200
    );
}

#[test]
fn overlay_errors_point_to_change() {
    let district = overlay(serde_json::json!([
        {"op": "drop", "key": "fine_arts"},
        {"op": "drop", "key": "latin"}
    ]));
    let errors = resolve(&builtin("ks-state-2027"), &district).expect_err("invalid");
    assert_eq!(pointers(&errors), vec!["/changes/1/key"]);

    let mut wrong_base = overlay(serde_json::json!([]));
    wrong_base.extends = Some(RuleSetRef {
        id: "ks-state-2028".into(),
        version: 1,
    });
    let errors = resolve(&builtin("ks-state-2027"), &wrong_base).expect_err("invalid");
    assert_eq!(pointers(&errors), vec!["/extends"]);

    let errors = validate(&district).expect_err("unresolved overlay");
    assert_eq!(pointers(&errors), vec!["/changes"]);
}

#[test]
fn class_range_is_inclusive() {
    let range = ClassRange {
        from: Some(2028),
        to: None,
    };
    assert!(range.contains(2028));
    assert!(range.contains(2040));
    assert!(!range.contains(2027));
}
