//! Tests against a real O*NET release, read from the directory in `IPS_TEST_ONET_DIR`
//! (O*NET 29.3 text files plus `All_Career_Clusters.csv`). Without the variable each test
//! prints that it skipped and passes.

use crate::domain::survey::{
    LEGACY_CLUSTERS, MatchOptions, MatchReport, OnetFiles, OnetRelease, RiasecArea,
    match_occupations,
};

fn load_release(test: &str) -> Option<OnetRelease> {
    let Ok(directory) = std::env::var("IPS_TEST_ONET_DIR") else {
        println!("{test}: skipped because IPS_TEST_ONET_DIR is not set");
        return None;
    };
    let read = |name: &str| {
        let path = std::path::Path::new(&directory).join(name);
        std::fs::read_to_string(&path)
            .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()))
    };

    let occupation_data = read("Occupation Data.txt");
    let interests = read("Interests.txt");
    let job_zones = read("Job Zones.txt");
    let career_clusters = read("All_Career_Clusters.csv");
    let release = OnetRelease::parse(OnetFiles {
        occupation_data: &occupation_data,
        interests: &interests,
        job_zones: &job_zones,
        career_clusters: &career_clusters,
    });
    match release {
        Ok(release) => Some(release),
        Err(error) => panic!("real O*NET release failed to parse: {error}"),
    }
}

fn top_codes(report: &MatchReport, count: usize) -> Vec<&str> {
    report
        .occupations
        .iter()
        .take(count)
        .map(|found| found.code.as_str())
        .collect()
}

/// Counts codes in the given SOC major groups, such as `"17-"` for architecture and
/// engineering.
fn count_in_groups(codes: &[&str], groups: &[&str]) -> usize {
    codes
        .iter()
        .filter(|code| groups.iter().any(|group| code.starts_with(group)))
        .count()
}

#[test]
fn real_release_parses_all_four_files() {
    let Some(release) = load_release("real_release_parses_all_four_files") else {
        return;
    };

    let occupations = &release.occupations;
    let rated = occupations
        .iter()
        .filter(|found| found.interests.is_some())
        .count();
    let zoned = occupations
        .iter()
        .filter(|found| found.job_zone.is_some())
        .count();
    let clustered = occupations
        .iter()
        .filter(|found| !found.clusters.is_empty())
        .count();
    // O*NET 29.3: 1,016 occupations, 923 with interest ratings and job zones, 1,011 in the
    // cluster export.
    assert_eq!(occupations.len(), 1016);
    assert_eq!(rated, 923);
    assert_eq!(zoned, 923);
    assert_eq!(clustered, 1011);

    let developers = occupations
        .iter()
        .find(|found| found.code == "15-1252.00")
        .expect("Software Developers are listed");
    assert_eq!(developers.title, "Software Developers");
    assert_eq!(developers.job_zone, Some(4));
    assert!(
        developers
            .clusters
            .iter()
            .any(|assignment| assignment.cluster_key == "information_technology")
    );
}

#[test]
fn investigative_realistic_profile_ranks_scientists_and_engineers() {
    let Some(release) =
        load_release("investigative_realistic_profile_ranks_scientists_and_engineers")
    else {
        return;
    };
    // Percent scores: R 35, I 40, A 10, S 10, E 5, C 15.
    let scores = [35.0, 40.0, 10.0, 10.0, 5.0, 15.0];

    let report = match_occupations(&release, &scores, &MatchOptions::default()).expect("valid");
    let top = top_codes(&report, 20);

    for code in [
        "17-2031.00", // Bioengineers and Biomedical Engineers
        "19-1021.00", // Biochemists and Biophysicists
        "19-2042.00", // Geoscientists, Except Hydrologists and Geographers
        "19-2032.00", // Materials Scientists
        "17-2131.00", // Materials Engineers
        "19-2011.00", // Astronomers
    ] {
        assert!(top.contains(&code), "{code} missing from top 20: {top:?}");
    }
    // 17- is architecture and engineering, 19- life, physical and social science.
    assert!(count_in_groups(&top, &["17-", "19-"]) >= 18, "{top:?}");
    // 25- is education, 27- arts, design, entertainment and media.
    assert_eq!(count_in_groups(&top, &["25-", "27-"]), 0, "{top:?}");
    assert_eq!(
        report.clusters[0].cluster_key,
        "science_technology_engineering_mathematics"
    );
}

#[test]
fn artistic_social_profile_ranks_arts_and_teaching() {
    let Some(release) = load_release("artistic_social_profile_ranks_arts_and_teaching") else {
        return;
    };
    // Percent scores: R 5, I 15, A 40, S 35, E 15, C 5.
    let scores = [5.0, 15.0, 40.0, 35.0, 15.0, 5.0];

    let report = match_occupations(&release, &scores, &MatchOptions::default()).expect("valid");
    let top = top_codes(&report, 20);

    for code in [
        "29-1129.01", // Art Therapists
        "25-1121.00", // Art, Drama, and Music Teachers, Postsecondary
        "27-2011.00", // Actors
        "27-2042.00", // Musicians and Singers
        "25-3021.00", // Self-Enrichment Teachers
        "25-2021.00", // Elementary School Teachers, Except Special Education
    ] {
        assert!(top.contains(&code), "{code} missing from top 20: {top:?}");
    }
    assert!(count_in_groups(&top, &["25-", "27-"]) >= 15, "{top:?}");
    assert_eq!(count_in_groups(&top, &["17-", "19-"]), 0, "{top:?}");
    let leading: Vec<&str> = report
        .clusters
        .iter()
        .take(2)
        .map(|cluster| cluster.cluster_key.as_str())
        .collect();
    assert_eq!(
        leading,
        ["arts_av_technology_communications", "education_training"]
    );
}

#[test]
fn job_zone_filter_applies_to_real_release() {
    let Some(release) = load_release("job_zone_filter_applies_to_real_release") else {
        return;
    };
    let options = MatchOptions {
        job_zones: vec![1, 2],
        ..MatchOptions::default()
    };

    let report =
        match_occupations(&release, &[35.0, 40.0, 10.0, 10.0, 5.0, 15.0], &options).expect("valid");

    assert!(!report.occupations.is_empty());
    assert!(
        report
            .occupations
            .iter()
            .all(|found| matches!(found.job_zone, Some(1 | 2)))
    );
}

/// Recomputes the legacy cluster areas used for suggestions without O*NET data: areas whose
/// mean cluster rating is more than 0.3 population standard deviations above the mean of all
/// rated occupations, at most two, strongest first.
#[test]
fn legacy_cluster_areas_match_real_ratings() {
    let Some(release) = load_release("legacy_cluster_areas_match_real_ratings") else {
        return;
    };
    let rated: Vec<_> = release
        .occupations
        .iter()
        .filter_map(|found| found.interests.map(|ratings| (found, ratings)))
        .collect();
    let count = rated.len() as f64;
    let mean: Vec<f64> = (0..6)
        .map(|area| rated.iter().map(|(_, ratings)| ratings[area]).sum::<f64>() / count)
        .collect();
    let deviation: Vec<f64> = (0..6)
        .map(|area| {
            let squares: f64 = rated
                .iter()
                .map(|(_, ratings)| (ratings[area] - mean[area]).powi(2))
                .sum();
            (squares / count).sqrt()
        })
        .collect();

    for cluster in &LEGACY_CLUSTERS {
        let members: Vec<[f64; 6]> = rated
            .iter()
            .filter(|(found, _)| {
                found
                    .clusters
                    .iter()
                    .any(|assignment| assignment.cluster_key == cluster.key)
            })
            .map(|(_, ratings)| *ratings)
            .collect();
        let size = members.len() as f64;
        let mut elevated: Vec<(RiasecArea, f64)> = RiasecArea::ALL
            .into_iter()
            .map(|area| {
                let index = area.index();
                let cluster_mean = members.iter().map(|ratings| ratings[index]).sum::<f64>() / size;
                (area, (cluster_mean - mean[index]) / deviation[index])
            })
            .filter(|(_, standardized)| *standardized > 0.3)
            .collect();
        elevated.sort_by(|first, second| second.1.total_cmp(&first.1));
        let expected: Vec<RiasecArea> = elevated.iter().take(2).map(|(area, _)| *area).collect();

        let used = crate::domain::survey::suggestions::cluster_areas(cluster.key);
        assert_eq!(used, expected.as_slice(), "{}: {elevated:?}", cluster.key);
    }
}
