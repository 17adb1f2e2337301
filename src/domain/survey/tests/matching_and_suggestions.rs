use super::{score_short_form, short_form_answers};
use crate::domain::survey::{
    BandThresholds, ClusterAssignment, FRAMEWORK_2024_CLUSTERS, FieldErrorCode, LEGACY_CLUSTERS,
    MatchBand, MatchError, MatchOptions, Occupation, OnetRelease, match_occupations,
    suggest_clusters_without_onet,
};

fn occupation(
    code: &str,
    interests: [f64; 6],
    job_zone: u8,
    cluster_key: &'static str,
) -> Occupation {
    Occupation {
        code: code.to_owned(),
        title: format!("Occupation {code}"),
        description: String::new(),
        interests: Some(interests),
        job_zone: Some(job_zone),
        clusters: vec![ClusterAssignment {
            cluster_key,
            pathway: format!("Pathway of {cluster_key}"),
        }],
    }
}

/// Student scores used below: R 20, I 40, A 10, S 10, E 0, C 20 (mean 100 / 6).
const STUDENT: [f64; 6] = [20.0, 40.0, 10.0, 10.0, 0.0, 20.0];

/// Occupations with correlations to `STUDENT` known in advance: an exact shape match (1.0),
/// a mirror image (-1.0), a flat rating set (no correlation) and two in between.
fn release() -> OnetRelease {
    OnetRelease {
        occupations: vec![
            // STUDENT / 10 + 1: same shape, correlation 1.0.
            occupation(
                "19-0001.00",
                [3.0, 5.0, 2.0, 2.0, 1.0, 3.0],
                5,
                "science_technology_engineering_mathematics",
            ),
            // Negated shape: correlation -1.0.
            occupation("41-0001.00", [5.0, 3.0, 6.0, 6.0, 7.0, 5.0], 2, "marketing"),
            // Flat ratings: skipped.
            occupation(
                "43-0001.00",
                [4.0; 6],
                2,
                "business_management_administration",
            ),
            // High I and C, low E: strongly positive but below 1.
            occupation(
                "15-0001.00",
                [2.0, 6.0, 2.0, 2.0, 2.0, 5.0],
                4,
                "information_technology",
            ),
            // Same ratings, other cluster and zone.
            occupation(
                "17-0001.00",
                [2.0, 6.0, 2.0, 2.0, 2.0, 5.0],
                3,
                "science_technology_engineering_mathematics",
            ),
            Occupation {
                interests: None,
                ..occupation("99-0001.00", [1.0; 6], 1, "marketing")
            },
        ],
    }
}

#[test]
fn occupations_rank_by_correlation() {
    let report =
        match_occupations(&release(), &STUDENT, &MatchOptions::default()).expect("valid request");

    let codes: Vec<&str> = report
        .occupations
        .iter()
        .map(|found| found.code.as_str())
        .collect();
    // Equal correlations are ordered by code.
    assert_eq!(codes, ["19-0001.00", "15-0001.00", "17-0001.00"]);
    assert!((report.occupations[0].correlation - 1.0).abs() < 1e-12);
    assert_eq!(report.occupations[0].band, MatchBand::Best);
    assert_eq!(
        report.occupations[1].correlation,
        report.occupations[2].correlation
    );
}

#[test]
fn bands_follow_thresholds() {
    let thresholds = BandThresholds::default();

    assert_eq!(thresholds.band(0.7), Some(MatchBand::Best));
    assert_eq!(thresholds.band(0.69), Some(MatchBand::Great));
    assert_eq!(thresholds.band(0.5), Some(MatchBand::Great));
    assert_eq!(thresholds.band(0.3), Some(MatchBand::Good));
    assert_eq!(thresholds.band(0.29), None);
}

#[test]
fn job_zone_filter_limits_occupations_and_clusters() {
    let options = MatchOptions {
        job_zones: vec![3, 4],
        ..MatchOptions::default()
    };

    let report = match_occupations(&release(), &STUDENT, &options).expect("valid request");

    let codes: Vec<&str> = report
        .occupations
        .iter()
        .map(|found| found.code.as_str())
        .collect();
    assert_eq!(codes, ["15-0001.00", "17-0001.00"]);
    let stem = report
        .clusters
        .iter()
        .find(|cluster| cluster.cluster_key == "science_technology_engineering_mathematics")
        .expect("STEM keeps its zone-3 occupation");
    assert_eq!(stem.occupation_count, 1);
}

#[test]
fn cluster_filter_keeps_cluster_members() {
    let options = MatchOptions {
        cluster_key: Some("information_technology".to_owned()),
        ..MatchOptions::default()
    };

    let report = match_occupations(&release(), &STUDENT, &options).expect("valid request");

    let codes: Vec<&str> = report
        .occupations
        .iter()
        .map(|found| found.code.as_str())
        .collect();
    assert_eq!(codes, ["15-0001.00"]);
    // Cluster ranking still covers every cluster with a rated occupation.
    assert_eq!(report.clusters.len(), 3);
}

#[test]
fn cluster_score_is_mean_of_top_k() {
    let options = MatchOptions {
        cluster_top_k: 2,
        ..MatchOptions::default()
    };

    let report = match_occupations(&release(), &STUDENT, &options).expect("valid request");

    let second = report.occupations[1].correlation;
    let expected_stem = (1.0 + second) / 2.0;
    let keys: Vec<&str> = report
        .clusters
        .iter()
        .map(|cluster| cluster.cluster_key.as_str())
        .collect();
    assert_eq!(
        keys,
        [
            "science_technology_engineering_mathematics",
            "information_technology",
            "marketing"
        ]
    );
    let stem = &report.clusters[0];
    assert!((stem.score - expected_stem).abs() < 1e-12, "{}", stem.score);
    assert_eq!(stem.top_occupations.len(), 2);
    assert_eq!(stem.top_occupations[0].code, "19-0001.00");
    assert_eq!(report.clusters[2].band, None);
    assert!((report.clusters[2].score + 1.0).abs() < 1e-12);
    assert_eq!(report.pathways.len(), 3);
    assert_eq!(
        report.pathways[0].cluster_key,
        "science_technology_engineering_mathematics"
    );
}

#[test]
fn limit_caps_occupation_count() {
    let options = MatchOptions {
        limit: 1,
        ..MatchOptions::default()
    };

    let report = match_occupations(&release(), &STUDENT, &options).expect("valid request");

    assert_eq!(report.occupations.len(), 1);
}

#[test]
fn flat_profile_cannot_be_matched() {
    let error = match_occupations(&release(), &[25.0; 6], &MatchOptions::default())
        .expect_err("flat profile");

    assert_eq!(error, MatchError::FlatProfile);
}

#[test]
fn invalid_options_list_every_pointer() {
    let options = MatchOptions {
        job_zones: vec![0, 3],
        cluster_key: Some("digital_technology".to_owned()),
        thresholds: BandThresholds {
            best: 0.5,
            great: 0.6,
            good: 1.5,
        },
        limit: 0,
        cluster_top_k: 0,
    };

    let Err(MatchError::InvalidOptions(errors)) = match_occupations(&release(), &STUDENT, &options)
    else {
        panic!("invalid options were accepted");
    };
    let pointers: Vec<&str> = errors.iter().map(|error| error.pointer.as_str()).collect();

    assert_eq!(
        pointers,
        [
            "/jobZones/0",
            "/clusterKey",
            "/thresholds/good",
            "/thresholds",
            "/limit",
            "/clusterTopK"
        ]
    );
    assert_eq!(errors[0].code, FieldErrorCode::Range);
}

#[test]
fn options_deserialize_with_defaults() {
    let options: MatchOptions =
        serde_json::from_str(r#"{"jobZones": [4, 5]}"#).expect("partial options parse");

    assert_eq!(options.job_zones, [4, 5]);
    assert_eq!(options.limit, 20);
    assert_eq!(options.cluster_top_k, 5);
    assert_eq!(options.thresholds, BandThresholds::default());
}

#[test]
fn options_reject_unknown_field() {
    let result = serde_json::from_str::<MatchOptions>(r#"{"jobZone": [4]}"#);

    assert!(result.is_err());
}

#[test]
fn reference_lists_have_expected_sizes_and_unique_keys() {
    assert_eq!(LEGACY_CLUSTERS.len(), 16);
    assert_eq!(FRAMEWORK_2024_CLUSTERS.len(), 14);

    let mut keys: Vec<&str> = LEGACY_CLUSTERS
        .iter()
        .chain(&FRAMEWORK_2024_CLUSTERS)
        .map(|cluster| cluster.key)
        .collect();
    for key in &keys {
        let snake = key
            .bytes()
            .all(|byte| byte.is_ascii_lowercase() || byte == b'_');
        assert!(snake, "{key} is not lower_snake_case");
    }
    keys.sort_unstable();
    keys.dedup();
    assert_eq!(keys.len(), 30);
}

#[test]
fn every_cluster_has_riasec_areas() {
    for cluster in LEGACY_CLUSTERS.iter().chain(&FRAMEWORK_2024_CLUSTERS) {
        let areas = crate::domain::survey::suggestions::cluster_areas(cluster.key);
        assert!(
            (1..=2).contains(&areas.len()),
            "{} has {} areas",
            cluster.key,
            areas.len()
        );
    }
}

#[test]
fn suggestions_follow_holland_code() {
    // I 40, R 30, A 20, others lower: code IRA, weights I 3, R 2, A 1.
    let profile = score_short_form(short_form_answers([
        [4; 10], [5; 10], [3; 10], [2; 10], [1; 10], [1; 10],
    ]));

    let suggestions = suggest_clusters_without_onet(&profile).expect("profile has a code");

    // Agriculture (R, I): 2 + 3 / 2 = 3.5. STEM (I): 3. Health Science (S, I) and
    // Information Technology (C, I): 0 + 3 / 2 = 1.5. Arts (A, E): 1. Education (S, A): 0.5.
    let legacy: Vec<(&str, f64)> = suggestions
        .legacy
        .iter()
        .map(|suggestion| (suggestion.cluster_key.as_str(), suggestion.score))
        .collect();
    assert_eq!(
        legacy,
        [
            ("agriculture_food_natural_resources", 3.5),
            ("science_technology_engineering_mathematics", 3.0),
            ("architecture_construction", 2.0),
            ("manufacturing", 2.0),
            ("transportation_distribution_logistics", 2.0),
            ("health_science", 1.5),
            ("information_technology", 1.5),
            ("arts_av_technology_communications", 1.0),
            ("education_training", 0.5),
        ]
    );
    assert_eq!(suggestions.framework2024[0].cluster_key, "agriculture");
    assert_eq!(
        suggestions.framework2024[1].cluster_key,
        "energy_natural_resources"
    );
}

#[test]
fn suggestions_share_weight_within_tie() {
    // S 40, then A and E tied at 30: weights S 3, A 1.5, E 1.5.
    let profile = score_short_form(short_form_answers([
        [1; 10], [1; 10], [4; 10], [5; 10], [4; 10], [2; 10],
    ]));

    let suggestions = suggest_clusters_without_onet(&profile).expect("profile has a code");

    // Education (S, A): 3 + 0.75. Human Services (S, E): 3 + 0.75. Health Science (S, I): 3.
    assert_eq!(suggestions.legacy[0].cluster_key, "education_training");
    assert_eq!(suggestions.legacy[0].score, 3.75);
    assert_eq!(suggestions.legacy[1].cluster_key, "human_services");
    assert_eq!(suggestions.legacy[1].score, 3.75);
    assert_eq!(suggestions.legacy[2].cluster_key, "health_science");
    assert_eq!(suggestions.legacy[2].score, 3.0);
}

#[test]
fn flat_profile_gets_no_suggestions() {
    let profile = score_short_form(vec![Some(2); 60]);

    let error = suggest_clusters_without_onet(&profile).expect_err("flat profile");

    assert_eq!(error, MatchError::FlatProfile);
}
