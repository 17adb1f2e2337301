//! Parsers for the O*NET database files that matching needs.
//!
//! Each parser takes the whole file as text, checks the header row, and returns one plain
//! record per data row with its 1-based line number. Errors name the file, the line and the
//! problem, such as `Interests.txt line 42: expected 9 tab-separated fields, found 7`.
//! [`OnetRelease::combine`](super::release::OnetRelease::combine) joins the four results.

use std::fmt;

use serde::Serialize;
use utoipa::ToSchema;

use super::clusters::legacy_cluster_by_onet_name;
use super::riasec::RiasecArea;

/// File name of the occupation list in an O*NET release.
pub const OCCUPATION_DATA_FILE: &str = "Occupation Data.txt";
/// File name of the interest ratings in an O*NET release.
pub const INTERESTS_FILE: &str = "Interests.txt";
/// File name of the job zones in an O*NET release.
pub const JOB_ZONES_FILE: &str = "Job Zones.txt";
/// File name of O*NET OnLine's export of occupations by legacy career cluster.
pub const CAREER_CLUSTERS_FILE: &str = "All_Career_Clusters.csv";

/// Scale ID of the occupational interest ratings (1–7) in `Interests.txt`.
const OCCUPATIONAL_INTERESTS_SCALE: &str = "OI";

/// Lowest and highest value of the `OI` scale.
const INTEREST_RATING_RANGE: std::ops::RangeInclusive<f64> = 1.0..=7.0;

/// Job zones run from 1 (little or no preparation) to 5 (extensive preparation).
const JOB_ZONE_RANGE: std::ops::RangeInclusive<u8> = 1..=5;

/// Separator between the several clusters, or pathways, of one row of the cluster export.
const LIST_SEPARATOR: &str = "; ";

/// A problem in an O*NET file, located by file name and 1-based line number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnetParseError {
    /// File name within the release, such as `Interests.txt`.
    pub file: &'static str,
    /// 1-based line number, where line 1 is the header row.
    pub line: usize,
    /// Description of the problem on that line.
    pub message: String,
}

impl fmt::Display for OnetParseError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            formatter,
            "{} line {}: {}",
            self.file, self.line, self.message
        )
    }
}

impl std::error::Error for OnetParseError {}

impl OnetParseError {
    pub(super) fn new(file: &'static str, line: usize, message: impl Into<String>) -> Self {
        Self {
            file,
            line,
            message: message.into(),
        }
    }
}

/// One row of `Occupation Data.txt`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OccupationRow {
    /// 1-based line number in the file.
    pub line: usize,
    /// O*NET-SOC code, such as `15-1252.00`.
    pub code: String,
    /// Occupation title.
    pub title: String,
    /// One-paragraph description of the work.
    pub description: String,
}

/// One occupational interest rating (scale `OI`) from `Interests.txt`.
#[derive(Debug, Clone, PartialEq)]
pub struct InterestRow {
    /// 1-based line number in the file.
    pub line: usize,
    /// O*NET-SOC code.
    pub code: String,
    /// Interest area rated.
    pub area: RiasecArea,
    /// Rating from 1 (the area hardly describes the work) to 7 (it describes it strongly).
    pub rating: f64,
}

/// One row of `Job Zones.txt`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobZoneRow {
    /// 1-based line number in the file.
    pub line: usize,
    /// O*NET-SOC code.
    pub code: String,
    /// Job zone from 1 (little or no preparation needed) to 5 (extensive preparation needed).
    pub job_zone: u8,
}

/// One row of `All_Career_Clusters.csv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CareerClusterRow {
    /// 1-based line number in the file.
    pub line: usize,
    /// O*NET-SOC code.
    pub code: String,
    /// Legacy cluster and pathway pairs. A row lists several when an occupation belongs to
    /// more than one pathway.
    pub assignments: Vec<ClusterAssignment>,
}

/// One legacy cluster and pathway that an occupation belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ClusterAssignment {
    /// Key of the legacy cluster in [`LEGACY_CLUSTERS`](super::clusters::LEGACY_CLUSTERS).
    pub cluster_key: &'static str,
    /// Pathway name as written by O*NET, such as `Programming and Software Development`.
    pub pathway: String,
}

/// Parses `Occupation Data.txt` (tab-separated: code, title, description).
pub fn parse_occupation_data(text: &str) -> Result<Vec<OccupationRow>, OnetParseError> {
    let file = OCCUPATION_DATA_FILE;
    let mut rows = Vec::new();

    for (line, fields) in
        tab_separated_rows(file, text, &["O*NET-SOC Code", "Title", "Description"])?
    {
        let code = soc_code(file, line, fields[0])?;
        rows.push(OccupationRow {
            line,
            code,
            title: fields[1].to_owned(),
            description: fields[2].to_owned(),
        });
    }
    Ok(rows)
}

/// Parses `Interests.txt`, keeping the six `OI` ratings per occupation and skipping the
/// high-point rows (scales `IH` and `IL`).
pub fn parse_interests(text: &str) -> Result<Vec<InterestRow>, OnetParseError> {
    let file = INTERESTS_FILE;
    let header = [
        "O*NET-SOC Code",
        "Title",
        "Element ID",
        "Element Name",
        "Scale ID",
        "Scale Name",
        "Data Value",
        "Date",
        "Domain Source",
    ];
    let mut rows = Vec::new();

    for (line, fields) in tab_separated_rows(file, text, &header)? {
        if fields[4] != OCCUPATIONAL_INTERESTS_SCALE {
            continue;
        }

        let code = soc_code(file, line, fields[0])?;
        let Some(area) = RiasecArea::from_name(fields[3]) else {
            return Err(OnetParseError::new(
                file,
                line,
                format!(
                    "element name '{}' is not one of Realistic, Investigative, Artistic, Social, Enterprising, Conventional",
                    fields[3]
                ),
            ));
        };
        let rating = match fields[6].parse::<f64>() {
            Ok(value) if INTEREST_RATING_RANGE.contains(&value) => value,
            _ => {
                return Err(OnetParseError::new(
                    file,
                    line,
                    format!("data value '{}' is not a rating from 1 to 7", fields[6]),
                ));
            }
        };

        rows.push(InterestRow {
            line,
            code,
            area,
            rating,
        });
    }
    Ok(rows)
}

/// Parses `Job Zones.txt` (tab-separated: code, title, job zone, date, domain source).
pub fn parse_job_zones(text: &str) -> Result<Vec<JobZoneRow>, OnetParseError> {
    let file = JOB_ZONES_FILE;
    let header = [
        "O*NET-SOC Code",
        "Title",
        "Job Zone",
        "Date",
        "Domain Source",
    ];
    let mut rows = Vec::new();

    for (line, fields) in tab_separated_rows(file, text, &header)? {
        let code = soc_code(file, line, fields[0])?;
        let job_zone = match fields[2].parse::<u8>() {
            Ok(zone) if JOB_ZONE_RANGE.contains(&zone) => zone,
            _ => {
                return Err(OnetParseError::new(
                    file,
                    line,
                    format!("job zone '{}' is not a whole number from 1 to 5", fields[2]),
                ));
            }
        };
        rows.push(JobZoneRow {
            line,
            code,
            job_zone,
        });
    }
    Ok(rows)
}

/// Parses `All_Career_Clusters.csv` (comma-separated with quoted fields: cluster, pathway,
/// code, occupation title).
///
/// A row may list several clusters and, in the same order, as many pathways, each list joined
/// by `"; "`. Cluster names must be legacy cluster names as in [`LEGACY_CLUSTERS`].
/// Quoted fields may contain commas and doubled quotes but not line breaks.
///
/// [`LEGACY_CLUSTERS`]: super::clusters::LEGACY_CLUSTERS
pub fn parse_career_clusters(text: &str) -> Result<Vec<CareerClusterRow>, OnetParseError> {
    let file = CAREER_CLUSTERS_FILE;
    let header = ["Career Cluster", "Career Pathway", "Code", "Occupation"];
    let mut rows = Vec::new();

    let mut lines = numbered_lines(text);

    let header_content = header_line(file, lines.next())?;
    let found =
        split_csv_line(header_content).map_err(|problem| OnetParseError::new(file, 1, problem))?;
    check_header(file, &found, &header)?;

    for (line, content) in lines {
        let fields =
            split_csv_line(content).map_err(|problem| OnetParseError::new(file, line, problem))?;
        if fields.len() != header.len() {
            return Err(field_count_error(
                file,
                line,
                "comma-separated",
                header.len(),
                fields.len(),
            ));
        }

        let code = soc_code(file, line, &fields[2])?;
        let clusters: Vec<&str> = fields[0].split(LIST_SEPARATOR).collect();
        let pathways: Vec<&str> = fields[1].split(LIST_SEPARATOR).collect();
        if clusters.len() != pathways.len() {
            return Err(OnetParseError::new(
                file,
                line,
                format!(
                    "{} clusters but {} pathways; each cluster needs the pathway in the same position",
                    clusters.len(),
                    pathways.len()
                ),
            ));
        }

        let mut assignments = Vec::with_capacity(clusters.len());
        for (cluster, pathway) in clusters.into_iter().zip(pathways) {
            let Some(reference) = legacy_cluster_by_onet_name(cluster) else {
                return Err(OnetParseError::new(
                    file,
                    line,
                    format!("'{cluster}' is not one of the 16 legacy career cluster names"),
                ));
            };
            assignments.push(ClusterAssignment {
                cluster_key: reference.key,
                pathway: pathway.to_owned(),
            });
        }

        rows.push(CareerClusterRow {
            line,
            code,
            assignments,
        });
    }

    Ok(rows)
}

/// Lines with 1-based numbers, a leading byte-order mark removed and blank lines skipped.
/// `str::lines` also removes a `\r` before each line break.
fn numbered_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.strip_prefix('\u{feff}')
        .unwrap_or(text)
        .lines()
        .enumerate()
        .map(|(index, content)| (index + 1, content))
        .filter(|(_, content)| !content.trim().is_empty())
}

/// Checks the header row of a tab-separated file and returns the data rows, each checked to
/// have as many fields as the header.
fn tab_separated_rows<'a>(
    file: &'static str,
    text: &'a str,
    header: &[&str],
) -> Result<Vec<(usize, Vec<&'a str>)>, OnetParseError> {
    let mut lines = numbered_lines(text);

    let header_content = header_line(file, lines.next())?;
    let found: Vec<&str> = header_content.split('\t').collect();
    check_header(file, &found, header)?;

    let mut rows = Vec::new();
    for (line, content) in lines {
        let fields: Vec<&str> = content.split('\t').collect();
        if fields.len() != header.len() {
            return Err(field_count_error(
                file,
                line,
                "tab-separated",
                header.len(),
                fields.len(),
            ));
        }
        rows.push((line, fields));
    }
    Ok(rows)
}

/// Returns the content of line 1, which must be a header row.
fn header_line<'a>(
    file: &'static str,
    first: Option<(usize, &'a str)>,
) -> Result<&'a str, OnetParseError> {
    match first {
        Some((1, content)) => Ok(content),
        Some(_) => Err(OnetParseError::new(
            file,
            1,
            "line 1 is blank; expected a header row",
        )),
        None => Err(OnetParseError::new(
            file,
            1,
            "file is empty; expected a header row",
        )),
    }
}

fn check_header<S: AsRef<str>>(
    file: &'static str,
    found: &[S],
    expected: &[&str],
) -> Result<(), OnetParseError> {
    let matches = found.len() == expected.len()
        && found
            .iter()
            .zip(expected)
            .all(|(name, wanted)| name.as_ref() == *wanted);
    if matches {
        return Ok(());
    }

    let found: Vec<&str> = found.iter().map(AsRef::as_ref).collect();
    Err(OnetParseError::new(
        file,
        1,
        format!(
            "expected header columns [{}], found [{}]; is this the right file?",
            expected.join(", "),
            found.join(", ")
        ),
    ))
}

fn field_count_error(
    file: &'static str,
    line: usize,
    kind: &str,
    expected: usize,
    found: usize,
) -> OnetParseError {
    OnetParseError::new(
        file,
        line,
        format!("expected {expected} {kind} fields, found {found}"),
    )
}

/// Checks an O*NET-SOC code of the form `15-1252.00` and returns it owned.
fn soc_code(file: &'static str, line: usize, value: &str) -> Result<String, OnetParseError> {
    let bytes = value.as_bytes();
    let well_formed = bytes.len() == 10
        && bytes
            .iter()
            .enumerate()
            .all(|(position, byte)| match position {
                2 => *byte == b'-',
                7 => *byte == b'.',
                _ => byte.is_ascii_digit(),
            });
    if well_formed {
        Ok(value.to_owned())
    } else {
        Err(OnetParseError::new(
            file,
            line,
            format!("'{value}' is not an O*NET-SOC code of the form 15-1252.00"),
        ))
    }
}

/// Splits one CSV line (RFC 4180 quoting: `"a, b"` and `""` for a quote inside quotes).
fn split_csv_line(line: &str) -> Result<Vec<String>, String> {
    let mut fields = Vec::new();
    let mut chars = line.chars().peekable();

    loop {
        let mut field = String::new();

        if chars.peek() == Some(&'"') {
            chars.next();
            loop {
                match chars.next() {
                    Some('"') if chars.peek() == Some(&'"') => {
                        chars.next();
                        field.push('"');
                    }
                    Some('"') => break,
                    Some(character) => field.push(character),
                    None => {
                        return Err(format!(
                            "quoted field {} has no closing quote",
                            fields.len() + 1
                        ));
                    }
                }
            }
            match chars.next() {
                None => {
                    fields.push(field);
                    return Ok(fields);
                }
                Some(',') => fields.push(field),
                Some(character) => {
                    return Err(format!(
                        "unexpected '{character}' after the closing quote of field {}",
                        fields.len() + 1
                    ));
                }
            }
            continue;
        }

        loop {
            match chars.next() {
                None => {
                    fields.push(field);
                    return Ok(fields);
                }
                Some(',') => break,
                Some('"') => {
                    return Err(format!(
                        "quote inside unquoted field {}; quote the whole field",
                        fields.len() + 1
                    ));
                }
                Some(character) => field.push(character),
            }
        }
        fields.push(field);
    }
}
