use crate::domain::survey::{
    OnetFiles, OnetRelease, RiasecArea, onet_database_credit, parse_career_clusters,
    parse_interests, parse_job_zones, parse_occupation_data,
};

const OCCUPATION_HEADER: &str = "O*NET-SOC Code\tTitle\tDescription";
const INTERESTS_HEADER: &str = "O*NET-SOC Code\tTitle\tElement ID\tElement Name\tScale ID\tScale Name\tData Value\tDate\tDomain Source";
const JOB_ZONES_HEADER: &str = "O*NET-SOC Code\tTitle\tJob Zone\tDate\tDomain Source";
const CLUSTERS_HEADER: &str = "Career Cluster,Career Pathway,Code,Occupation";

/// Six `OI` rows and one `IH` row for `code`, ratings in RIASEC order.
fn interest_lines(code: &str, ratings: [f64; 6]) -> String {
    let mut lines = String::new();
    for (area, rating) in RiasecArea::ALL.into_iter().zip(ratings) {
        lines.push_str(&format!(
            "{code}\tTitle\t1.B.1.x\t{}\tOI\tOccupational Interests\t{rating}\t11/2023\tMachine Learning\n",
            area.name()
        ));
    }
    lines.push_str(&format!(
        "{code}\tTitle\t1.B.2.a\tFirst Interest High-Point\tIH\tInterest High-Point\t2.00\t11/2023\tMachine Learning\n"
    ));
    lines
}

#[test]
fn occupation_data_rows_parse_with_line_numbers() {
    let text = format!(
        "{OCCUPATION_HEADER}\r\n15-1252.00\tSoftware Developers\tResearch, design, and develop software.\r\n"
    );

    let rows = parse_occupation_data(&text).expect("valid file");

    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].line, 2);
    assert_eq!(rows[0].code, "15-1252.00");
    assert_eq!(rows[0].title, "Software Developers");
    assert_eq!(
        rows[0].description,
        "Research, design, and develop software."
    );
}

#[test]
fn short_interest_row_names_file_and_line() {
    let text = format!(
        "{INTERESTS_HEADER}\n{}11-1011.00\tChief Executives\t1.B.1.a\tRealistic\tOI\tOccupational Interests\t1.3\n",
        interest_lines("15-1252.00", [2.0, 6.0, 3.0, 2.0, 3.0, 5.0])
    );

    let error = parse_interests(&text).expect_err("7 fields must fail");

    assert_eq!(
        error.to_string(),
        "Interests.txt line 9: expected 9 tab-separated fields, found 7"
    );
}

#[test]
fn interests_keep_only_oi_ratings() {
    let text = format!(
        "{INTERESTS_HEADER}\n{}",
        interest_lines("15-1252.00", [2.0, 6.0, 3.0, 2.0, 3.0, 5.0])
    );

    let rows = parse_interests(&text).expect("valid file");

    assert_eq!(rows.len(), 6);
    assert_eq!(rows[1].area, RiasecArea::Investigative);
    assert_eq!(rows[1].rating, 6.0);
    assert_eq!(rows[1].line, 3);
}

#[test]
fn interest_rating_outside_scale_is_rejected() {
    let text = format!(
        "{INTERESTS_HEADER}\n{}",
        interest_lines("15-1252.00", [2.0, 8.5, 3.0, 2.0, 3.0, 5.0])
    );

    let error = parse_interests(&text).expect_err("8.5 is off the 1–7 scale");

    assert_eq!(error.file, "Interests.txt");
    assert_eq!(error.line, 3);
    assert!(error.message.contains("'8.5'"), "{}", error.message);
}

#[test]
fn wrong_header_is_rejected() {
    let error = parse_job_zones(&format!("{OCCUPATION_HEADER}\n")).expect_err("wrong file");

    assert_eq!(error.file, "Job Zones.txt");
    assert_eq!(error.line, 1);
    assert!(
        error.message.contains("expected header columns"),
        "{}",
        error.message
    );
}

#[test]
fn empty_file_is_rejected() {
    let error = parse_occupation_data("").expect_err("no header");

    assert_eq!(
        error.to_string(),
        "Occupation Data.txt line 1: file is empty; expected a header row"
    );
}

#[test]
fn job_zone_outside_1_to_5_is_rejected() {
    let text = format!(
        "{JOB_ZONES_HEADER}\n15-1252.00\tSoftware Developers\t4\t08/2023\tAnalyst\n15-1253.00\tTesters\t6\t08/2023\tAnalyst\n"
    );

    let error = parse_job_zones(&text).expect_err("zone 6 does not exist");

    assert_eq!(error.line, 3);
    assert!(error.message.contains("'6'"), "{}", error.message);
}

#[test]
fn malformed_soc_code_is_rejected() {
    let text = format!("{OCCUPATION_HEADER}\n15-1252\tSoftware Developers\tWrite software.\n");

    let error = parse_occupation_data(&text).expect_err("code lacks .00");

    assert_eq!(error.line, 2);
    assert!(error.message.contains("'15-1252'"), "{}", error.message);
}

#[test]
fn quoted_csv_fields_keep_commas_and_quotes() {
    let text = format!(
        "{CLUSTERS_HEADER}\n\"Agriculture, Food & Natural Resources\",Agribusiness Systems,13-1021.00,\"Buyers and Purchasing Agents, \"\"Farm\"\" Products\"\n"
    );

    let rows = parse_career_clusters(&text).expect("valid file");

    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].code, "13-1021.00");
    assert_eq!(rows[0].assignments.len(), 1);
    assert_eq!(
        rows[0].assignments[0].cluster_key,
        "agriculture_food_natural_resources"
    );
    assert_eq!(rows[0].assignments[0].pathway, "Agribusiness Systems");
}

#[test]
fn csv_row_with_two_clusters_pairs_pathways() {
    let text = format!(
        "{CLUSTERS_HEADER}\n\"Health Science; Science, Technology, Engineering & Mathematics\",Biotechnology Research and Development; Engineering and Technology,17-2031.00,Bioengineers and Biomedical Engineers\n"
    );

    let rows = parse_career_clusters(&text).expect("valid file");
    let pairs: Vec<(&str, &str)> = rows[0]
        .assignments
        .iter()
        .map(|assignment| (assignment.cluster_key, assignment.pathway.as_str()))
        .collect();

    assert_eq!(
        pairs,
        [
            ("health_science", "Biotechnology Research and Development"),
            (
                "science_technology_engineering_mathematics",
                "Engineering and Technology"
            ),
        ]
    );
}

#[test]
fn csv_pathway_count_must_match_clusters() {
    let text = format!(
        "{CLUSTERS_HEADER}\nFinance; Marketing,Banking Services,13-2072.00,Loan Officers\n"
    );

    let error = parse_career_clusters(&text).expect_err("two clusters, one pathway");

    assert_eq!(error.file, "All_Career_Clusters.csv");
    assert_eq!(error.line, 2);
    assert!(
        error.message.contains("2 clusters but 1 pathways"),
        "{}",
        error.message
    );
}

#[test]
fn csv_unknown_cluster_is_rejected() {
    let text =
        format!("{CLUSTERS_HEADER}\nDigital Technology,Software,15-1252.00,Software Developers\n");

    let error = parse_career_clusters(&text).expect_err("2024 name is not a legacy name");

    assert!(
        error.message.contains("'Digital Technology'"),
        "{}",
        error.message
    );
}

#[test]
fn csv_unclosed_quote_is_rejected() {
    let text = format!("{CLUSTERS_HEADER}\n\"Finance,Banking Services,13-2072.00,Loan Officers\n");

    let error = parse_career_clusters(&text).expect_err("quote never closes");

    assert_eq!(error.line, 2);
    assert!(
        error.message.contains("no closing quote"),
        "{}",
        error.message
    );
}

#[test]
fn csv_wrong_field_count_is_rejected() {
    let text = format!("{CLUSTERS_HEADER}\nFinance,Banking Services,13-2072.00\n");

    let error = parse_career_clusters(&text).expect_err("three fields");

    assert_eq!(
        error.to_string(),
        "All_Career_Clusters.csv line 2: expected 4 comma-separated fields, found 3"
    );
}

fn small_release_files() -> (String, String, String, String) {
    let occupations = format!(
        "{OCCUPATION_HEADER}\n15-1252.00\tSoftware Developers\tWrite software.\n27-2012.00\tProducers and Directors\tProduce shows.\n99-9999.00\tUnrated Workers\tNo ratings.\n"
    );
    let interests = format!(
        "{INTERESTS_HEADER}\n{}{}",
        interest_lines("15-1252.00", [2.0, 6.0, 3.0, 2.0, 3.0, 5.0]),
        interest_lines("27-2012.00", [1.5, 2.0, 6.5, 3.0, 5.5, 3.0])
    );
    let job_zones = format!(
        "{JOB_ZONES_HEADER}\n15-1252.00\tSoftware Developers\t4\t08/2023\tAnalyst\n27-2012.00\tProducers and Directors\t4\t08/2023\tAnalyst\n"
    );
    let clusters = format!(
        "{CLUSTERS_HEADER}\nInformation Technology,Programming and Software Development,15-1252.00,Software Developers\n\"Arts, Audio/Video Technology & Communications\",Performing Arts,27-2012.00,Producers and Directors\n"
    );
    (occupations, interests, job_zones, clusters)
}

#[test]
fn release_combines_four_files() {
    let (occupations, interests, job_zones, clusters) = small_release_files();

    let release = OnetRelease::parse(OnetFiles {
        occupation_data: &occupations,
        interests: &interests,
        job_zones: &job_zones,
        career_clusters: &clusters,
    })
    .expect("consistent files");

    assert_eq!(release.occupations.len(), 3);
    let developer = &release.occupations[0];
    assert_eq!(developer.interests, Some([2.0, 6.0, 3.0, 2.0, 3.0, 5.0]));
    assert_eq!(developer.job_zone, Some(4));
    assert_eq!(developer.clusters[0].cluster_key, "information_technology");
    let unrated = &release.occupations[2];
    assert_eq!(unrated.interests, None);
    assert_eq!(unrated.job_zone, None);
    assert!(unrated.clusters.is_empty());
}

#[test]
fn release_rejects_rating_for_unknown_occupation() {
    let (occupations, _, job_zones, clusters) = small_release_files();
    let interests = format!(
        "{INTERESTS_HEADER}\n{}",
        interest_lines("11-1011.00", [2.0, 6.0, 3.0, 2.0, 3.0, 5.0])
    );

    let error = OnetRelease::parse(OnetFiles {
        occupation_data: &occupations,
        interests: &interests,
        job_zones: &job_zones,
        career_clusters: &clusters,
    })
    .expect_err("11-1011.00 is not in the occupation list");

    assert_eq!(
        error.to_string(),
        "Interests.txt line 2: occupation 11-1011.00 is not in Occupation Data.txt"
    );
}

#[test]
fn release_rejects_incomplete_rating_set() {
    let (occupations, _, job_zones, clusters) = small_release_files();
    let full = interest_lines("15-1252.00", [2.0, 6.0, 3.0, 2.0, 3.0, 5.0]);
    let without_social: String = full
        .lines()
        .filter(|line| !line.contains("\tSocial\t"))
        .map(|line| format!("{line}\n"))
        .collect();
    let interests = format!("{INTERESTS_HEADER}\n{without_social}");

    let error = OnetRelease::parse(OnetFiles {
        occupation_data: &occupations,
        interests: &interests,
        job_zones: &job_zones,
        career_clusters: &clusters,
    })
    .expect_err("Social rating is missing");

    assert_eq!(error.line, 2);
    assert!(
        error.message.contains("no OI rating for Social"),
        "{}",
        error.message
    );
}

#[test]
fn release_rejects_second_job_zone() {
    let (occupations, interests, job_zones, clusters) = small_release_files();
    let job_zones = format!("{job_zones}15-1252.00\tSoftware Developers\t3\t08/2023\tAnalyst\n");

    let error = OnetRelease::parse(OnetFiles {
        occupation_data: &occupations,
        interests: &interests,
        job_zones: &job_zones,
        career_clusters: &clusters,
    })
    .expect_err("duplicate job zone");

    assert_eq!(error.file, "Job Zones.txt");
    assert_eq!(error.line, 4);
}

#[test]
fn credit_names_release_and_licence() {
    let credit = onet_database_credit("29.3");

    assert!(credit.contains("O*NET 29.3 Database"), "{credit}");
    assert!(credit.contains("CC BY 4.0"), "{credit}");
}
