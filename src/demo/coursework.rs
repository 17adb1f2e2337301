//! Plan bodies of the demo students: a grade 8–12 course plan that follows the student's
//! career interest, with the sections a plan gains as the student moves through high school.

use std::collections::HashMap;

use chrono::NaiveDate;
use rand::Rng;
use rand::rngs::StdRng;
use serde_json::{Value, json};

use super::roster::DemoStudent;
use crate::domain::survey::RiasecArea;

/// A career pathway a student may follow: its cluster (legacy KSDE name), the catalog's CTE
/// courses from introductory to application level, and where it leads.
struct Track {
    interest: RiasecArea,
    cluster: &'static str,
    pathway: Option<&'static str>,
    courses: [&'static str; 3],
    /// O*NET-SOC code of a typical target occupation.
    occupation: &'static str,
    postsecondary: &'static str,
    institution: Option<&'static str>,
    /// A fictional local employer for work-based learning.
    employer: &'static str,
}

const TRACKS: [Track; 9] = [
    Track {
        interest: RiasecArea::Realistic,
        cluster: "Transportation, Distribution & Logistics",
        pathway: Some("Mobile Equipment Maintenance"),
        courses: ["AUTOINTRO", "AUTOMECH", "AUTOSERV"],
        occupation: "49-3023.00",
        postsecondary: "technical_certificate",
        institution: Some("WSU Tech"),
        employer: "Prairie Demo Auto Repair",
    },
    Track {
        interest: RiasecArea::Realistic,
        cluster: "Architecture & Construction",
        pathway: Some("Construction & Design"),
        courses: ["CONSTEXPL", "CONSTRUCT", "CARPENTRY"],
        occupation: "47-2031.00",
        postsecondary: "apprenticeship",
        institution: None,
        employer: "Bluestem Demo Builders",
    },
    Track {
        interest: RiasecArea::Investigative,
        cluster: "Science, Technology, Engineering & Mathematics",
        pathway: Some("Engineering & Applied Mathematics"),
        courses: ["ENGRINTRO", "ENGRPRIN", "ENGRDESIGN"],
        occupation: "17-2141.00",
        postsecondary: "four_year_college",
        institution: Some("Wichita State University"),
        employer: "Prairie Demo Aerostructures",
    },
    Track {
        interest: RiasecArea::Investigative,
        cluster: "Information Technology",
        pathway: Some("Programming & Software Development"),
        courses: ["CSP", "PROG", "APCSA"],
        occupation: "15-1252.00",
        postsecondary: "four_year_college",
        institution: Some("Kansas State University"),
        employer: "Prairie Demo Software Cooperative",
    },
    Track {
        interest: RiasecArea::Social,
        cluster: "Health Science",
        pathway: Some("Health Science"),
        courses: ["HSEXPLORE", "MEDTERM", "CNA"],
        occupation: "29-1141.00",
        postsecondary: "four_year_college",
        institution: Some("Fort Hays State University"),
        employer: "Prairie Demo Regional Hospital",
    },
    Track {
        interest: RiasecArea::Social,
        cluster: "Education & Training",
        pathway: Some("Teaching/Training"),
        courses: ["CHILDDEV", "TEACHPROF", "EARLYCHILD"],
        occupation: "25-2021.00",
        postsecondary: "four_year_college",
        institution: Some("Emporia State University"),
        employer: "Prairie Demo Elementary School",
    },
    Track {
        interest: RiasecArea::Artistic,
        cluster: "Arts, Audio/Video Technology & Communications",
        pathway: Some("Digital Media"),
        courses: ["DIGMEDIA", "JOURN", "YEARBOOK"],
        occupation: "27-1024.00",
        postsecondary: "two_year_college",
        institution: Some("Johnson County Community College"),
        employer: "Prairie Demo Gazette",
    },
    Track {
        interest: RiasecArea::Enterprising,
        cluster: "Business Management & Administration",
        pathway: Some("Business Entrepreneurship & Management"),
        courses: ["BUSPRIN", "ACCOUNTING", "ENTREPREN"],
        occupation: "11-1021.00",
        postsecondary: "four_year_college",
        institution: Some("Pittsburg State University"),
        employer: "Prairie Demo Cooperative Bank",
    },
    Track {
        interest: RiasecArea::Conventional,
        cluster: "Agriculture, Food & Natural Resources",
        pathway: Some("Plant Systems"),
        courses: ["AGINTRO", "PLANTSCI", "AGMECH"],
        occupation: "11-9013.00",
        postsecondary: "workforce",
        institution: None,
        employer: "Prairie Demo Grain Elevator",
    },
];

/// How far a plan has come, which decides what it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// A grade-8 plan opened this year: grade-8 courses and a first look at grade 9.
    Started,
    /// A full plan through grade 12 with the courses the state and Regents rules ask for.
    OnTrack,
    /// A plan with failed courses that nobody has planned to make up.
    Behind,
}

fn track_for(rng: &mut StdRng, interest: RiasecArea) -> &'static Track {
    let matching: Vec<&Track> = TRACKS.iter().filter(|t| t.interest == interest).collect();
    if matching.is_empty() {
        &TRACKS[rng.gen_range(0..TRACKS.len())]
    } else {
        matching[rng.gen_range(0..matching.len())]
    }
}

/// Course codes by grade for a student: the academic core plus the track's CTE courses.
/// `advanced` students take Algebra I in grade 8; `college` students take chemistry, physics,
/// Spanish and a fourth mathematics unit in grade 12, as the Regents curriculum asks.
fn course_codes(
    track: &Track,
    advanced: bool,
    college: bool,
    fine_art: &'static str,
) -> Vec<(i32, Vec<&'static str>)> {
    let (math9, math10, math11, math12) = match (advanced, college) {
        (true, _) => ("GEOM", "ALG2", "PRECALC", "APCALC"),
        (false, true) => ("ALG1", "GEOM", "ALG2", "PRECALC"),
        (false, false) => ("ALG1", "GEOM", "ALG2", "STATS"),
    };
    let (science10, science11) = if college {
        ("CHEM", "PHYS")
    } else {
        ("EARTHSPACE", "ENVSCI")
    };
    let second_art = if matches!(fine_art, "BAND" | "CHOIR") {
        vec![fine_art]
    } else {
        vec!["CREATWRIT", "DEBATE"]
    };
    let (language11, language12) = if college {
        ("SPAN1", "SPAN2")
    } else {
        ("LEAD", "WEIGHTS")
    };

    let mut grade8 = vec!["ELA8", "SCI8", "SS8", "PE8", "MUSIC8", "CAREER8"];
    grade8.push(if advanced { "ALG1" } else { "MATH8" });
    let mut grade10 = vec![
        "ENG10",
        math10,
        science10,
        "USHIST",
        "SPEECH",
        "WEIGHTS",
        track.courses[1],
    ];
    grade10.extend(second_art);
    vec![
        (8, grade8),
        (
            9,
            vec![
                "ENG9",
                math9,
                "BIO",
                "WHIST",
                "PE",
                "HEALTH",
                fine_art,
                track.courses[0],
            ],
        ),
        (10, grade10),
        (
            11,
            vec![
                "ENG11",
                math11,
                science11,
                "KSHIST",
                "PSYCH",
                "PFIN",
                language11,
                track.courses[2],
            ],
        ),
        (
            12,
            vec!["ENG12", math12, "USGOV", "ECON", language12, "CONSMATH"],
        ),
    ]
}

const MARKS: [&str; 7] = ["A", "A-", "B+", "B", "B-", "C+", "C"];

/// Builds the plan of `student` at `stage`, as of `today` in `school_year`. `courses` maps
/// catalog course codes to ids and `credits` to their credit.
pub fn plan_body(
    rng: &mut StdRng,
    student: &DemoStudent,
    stage: Stage,
    courses: &HashMap<String, (String, f64)>,
    school_year: i32,
    today: NaiveDate,
    survey_response_id: Option<&str>,
) -> anyhow::Result<Value> {
    let track = track_for(rng, student.interest);
    let advanced = rng.gen_bool(0.25);
    let college = track.postsecondary.ends_with("college") || rng.gen_bool(0.3);
    let fine_art = ["BAND", "CHOIR", "ART1", "THEATER"][rng.gen_range(0..4)];
    let last_grade = match stage {
        Stage::Started => 9,
        Stage::OnTrack | Stage::Behind => 12,
    };

    let mut entries = Vec::new();
    let mut failed = 0;
    for (grade, codes) in course_codes(track, advanced, college, fine_art) {
        if grade > last_grade {
            break;
        }
        let year = student.graduation_year - (12 - grade);
        let mut half_credits = 0;
        for code in codes {
            // A plan just started looks ahead only at grade-9 English and mathematics.
            let core = code.starts_with("ENG") || code == "ALG1" || code == "GEOM";
            if stage == Stage::Started && grade == 9 && !core {
                continue;
            }
            let (course_id, credit) = courses
                .get(code)
                .ok_or_else(|| anyhow::anyhow!("the demo catalog has no course {code}"))?;
            let term = if *credit < 1.0 {
                half_credits += 1;
                if half_credits % 2 == 1 {
                    "fall"
                } else {
                    "spring"
                }
            } else {
                "full_year"
            };
            let mut entry = json!({
                "courseId": course_id,
                "schoolYear": year,
                "term": term,
                "gradeLevel": grade,
            });
            if year < school_year {
                // A student behind failed the core course of the first full year and the
                // English course of the second, and nothing makes them up.
                let fails = stage == Stage::Behind
                    && failed < 2
                    && ((grade == 9 && code == "ALG1") || (grade == 10 && code == "ENG10"));
                if fails {
                    failed += 1;
                    entry["status"] = json!("failed");
                    entry["mark"] = json!("F");
                    entry["creditsEarned"] = json!(0);
                } else {
                    entry["status"] = json!("completed");
                    entry["mark"] = json!(MARKS[rng.gen_range(0..MARKS.len())]);
                }
                entry["source"] = json!("sis_transcript");
            } else if year == school_year {
                entry["status"] = json!("in_progress");
                entry["source"] = json!("sis_transcript");
            } else {
                // A student behind has planned only the English courses ahead.
                if stage == Stage::Behind && !code.starts_with("ENG") {
                    continue;
                }
                entry["status"] = json!("planned");
                entry["source"] = json!("counselor");
            }
            entries.push(entry);
        }
    }

    let mut body = json!({
        "studentId": null,
        "graduationYear": student.graduation_year,
        "schoolId": student.school_id,
        "courses": entries,
        "participants": [
            {"role": "student"},
            {"role": "counselor", "staffId": counselor_of(student), "name": "Demo Counselor"},
        ],
        "goals": [{
            "category": "academic",
            "text": format!("Finish the {} courses with a B average", track.cluster),
            "status": "in_progress",
        }],
    });

    if stage != Stage::Started || survey_response_id.is_some() {
        body["careerFocus"] = json!([{
            "framework": "legacy_16",
            "cluster": track.cluster,
            "pathway": track.pathway,
            "surveyResponseId": survey_response_id,
            "rationale": "Chosen with the counselor after the career-interest survey.",
        }]);
    }

    if student.grade_level >= 10 {
        body["postsecondaryPlan"] = json!({
            "pathway": track.postsecondary,
            "targetInstitution": track.institution,
            "targetOccupation": track.occupation,
        });
        body["workBasedLearning"] = json!([{
            "type": "job_shadow",
            "organization": track.employer,
            "startDate": date_in_year(school_year - (student.grade_level - 10) , 10, 20, today),
            "hours": 4,
            "relatedCourseId": courses.get(track.courses[1]).map(|(id, _)| id),
        }]);
    }
    if student.grade_level >= 11 && stage == Stage::OnTrack {
        if let Some(experiences) = body["workBasedLearning"].as_array_mut() {
            experiences.push(json!({
                "type": "internship",
                "organization": track.employer,
                "startDate": date_in_year(school_year, 9, 1, today),
                "hours": 60,
                "supervisor": "Demo Supervisor",
            }));
        }
        body["postsecondaryAssets"] = json!([
            {"type": "community_service_40_hours", "date": date_in_year(school_year - 1, 4, 30, today)},
            {"type": "two_activities_or_athletics", "date": date_in_year(school_year - 1, 5, 15, today)},
        ]);
    }
    Ok(body)
}

/// Returns the staff id of the counselor of a student's school.
pub fn counselor_of(student: &DemoStudent) -> String {
    format!("PD-C{}", student.school_id)
}

/// Returns `month`/`day` in the calendar half of `school_year` it falls in, or `today` when
/// that day has not come yet.
pub fn date_in_year(school_year: i32, month: u32, day: u32, today: NaiveDate) -> NaiveDate {
    let year = if month >= crate::domain::school_year::FIRST_MONTH {
        school_year - 1
    } else {
        school_year
    };
    NaiveDate::from_ymd_opt(year, month, day)
        .unwrap_or(today)
        .min(today)
}
