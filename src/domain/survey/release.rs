//! An O*NET release joined into one record per occupation.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use utoipa::ToSchema;

use super::onet::{
    CAREER_CLUSTERS_FILE, CareerClusterRow, ClusterAssignment, INTERESTS_FILE, InterestRow,
    JOB_ZONES_FILE, JobZoneRow, OCCUPATION_DATA_FILE, OccupationRow, OnetParseError,
    parse_career_clusters, parse_interests, parse_job_zones, parse_occupation_data,
};
use super::riasec::RiasecArea;

/// Builds the attribution that must be displayed with anything derived from the O*NET
/// database, which is licensed under CC BY 4.0. `release` is the database version, such as
/// `29.3`.
pub fn onet_database_credit(release: &str) -> String {
    format!(
        "This product includes information from the O*NET {release} Database by the U.S. \
         Department of Labor, Employment and Training Administration (USDOL/ETA). Used under \
         the CC BY 4.0 license. O*NET® is a trademark of USDOL/ETA."
    )
}

/// One occupation with the data that matching uses.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Occupation {
    /// O*NET-SOC code, such as `15-1252.00`.
    pub code: String,
    /// Occupation title.
    pub title: String,
    /// One-paragraph description of the work.
    pub description: String,
    /// Occupational interest ratings (1–7) in RIASEC order. Absent for occupations O*NET has
    /// not rated, which matching skips.
    pub interests: Option<[f64; 6]>,
    /// Job zone from 1 (little or no preparation) to 5 (extensive preparation), when rated.
    pub job_zone: Option<u8>,
    /// Legacy career clusters and pathways the occupation belongs to.
    pub clusters: Vec<ClusterAssignment>,
}

/// The text of the four O*NET files a release is built from.
#[derive(Debug, Clone, Copy)]
pub struct OnetFiles<'a> {
    /// Content of `Occupation Data.txt`.
    pub occupation_data: &'a str,
    /// Content of `Interests.txt`.
    pub interests: &'a str,
    /// Content of `Job Zones.txt`.
    pub job_zones: &'a str,
    /// Content of `All_Career_Clusters.csv`.
    pub career_clusters: &'a str,
}

/// Occupations of one O*NET release, in the order of `Occupation Data.txt`.
#[derive(Debug, Clone, PartialEq)]
pub struct OnetRelease {
    /// One record per O*NET-SOC code.
    pub occupations: Vec<Occupation>,
}

impl OnetRelease {
    /// Parses the four files and combines them with [`OnetRelease::combine`].
    pub fn parse(files: OnetFiles<'_>) -> Result<OnetRelease, OnetParseError> {
        let occupations = parse_occupation_data(files.occupation_data)?;
        let interests = parse_interests(files.interests)?;
        let job_zones = parse_job_zones(files.job_zones)?;
        let clusters = parse_career_clusters(files.career_clusters)?;
        OnetRelease::combine(occupations, interests, job_zones, clusters)
    }

    /// Joins parsed rows by O*NET-SOC code.
    ///
    /// Errors name the file and line of a row whose code is not in `Occupation Data.txt`, a
    /// repeated occupation, rating or job zone, and the first rating row of an occupation that
    /// lacks some of its six `OI` ratings. An occupation listed more than once in the cluster
    /// export gets the assignments of every row.
    pub fn combine(
        occupation_rows: Vec<OccupationRow>,
        interest_rows: Vec<InterestRow>,
        job_zone_rows: Vec<JobZoneRow>,
        cluster_rows: Vec<CareerClusterRow>,
    ) -> Result<OnetRelease, OnetParseError> {
        let mut index_by_code: HashMap<String, usize> = HashMap::new();
        let mut occupations = Vec::with_capacity(occupation_rows.len());
        for row in occupation_rows {
            if index_by_code
                .insert(row.code.clone(), occupations.len())
                .is_some()
            {
                return Err(OnetParseError::new(
                    OCCUPATION_DATA_FILE,
                    row.line,
                    format!("occupation {} is listed twice", row.code),
                ));
            }
            occupations.push(Occupation {
                code: row.code,
                title: row.title,
                description: row.description,
                interests: None,
                job_zone: None,
                clusters: Vec::new(),
            });
        }

        let lookup = |file: &'static str, line: usize, code: &str| {
            index_by_code.get(code).copied().ok_or_else(|| {
                OnetParseError::new(
                    file,
                    line,
                    format!("occupation {code} is not in {OCCUPATION_DATA_FILE}"),
                )
            })
        };

        // Ratings per occupation, with the line of each occupation's first rating row.
        let mut ratings: BTreeMap<usize, ([Option<f64>; 6], usize)> = BTreeMap::new();
        for row in &interest_rows {
            let index = lookup(INTERESTS_FILE, row.line, &row.code)?;
            let (values, _) = ratings.entry(index).or_insert(([None; 6], row.line));
            let slot = &mut values[row.area.index()];
            if slot.is_some() {
                return Err(OnetParseError::new(
                    INTERESTS_FILE,
                    row.line,
                    format!(
                        "occupation {} has a second {} rating",
                        row.code,
                        row.area.name()
                    ),
                ));
            }
            *slot = Some(row.rating);
        }
        for (index, (values, first_line)) in ratings {
            let missing: Vec<&str> = RiasecArea::ALL
                .into_iter()
                .filter(|area| values[area.index()].is_none())
                .map(RiasecArea::name)
                .collect();
            if !missing.is_empty() {
                return Err(OnetParseError::new(
                    INTERESTS_FILE,
                    first_line,
                    format!(
                        "occupation {} has no OI rating for {}",
                        occupations[index].code,
                        missing.join(", ")
                    ),
                ));
            }
            occupations[index].interests = Some(values.map(|value| value.unwrap_or_default()));
        }

        for row in job_zone_rows {
            let index = lookup(JOB_ZONES_FILE, row.line, &row.code)?;
            let occupation = &mut occupations[index];
            if occupation.job_zone.is_some() {
                return Err(OnetParseError::new(
                    JOB_ZONES_FILE,
                    row.line,
                    format!("occupation {} has a second job zone", row.code),
                ));
            }
            occupation.job_zone = Some(row.job_zone);
        }

        for row in cluster_rows {
            let index = lookup(CAREER_CLUSTERS_FILE, row.line, &row.code)?;
            let clusters = &mut occupations[index].clusters;
            for assignment in row.assignments {
                if !clusters.contains(&assignment) {
                    clusters.push(assignment);
                }
            }
        }

        Ok(OnetRelease { occupations })
    }
}
