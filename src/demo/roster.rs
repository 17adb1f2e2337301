//! Fictional students: names from short lists, KIDS ids in a range no real student has, and
//! the career interest each one starts from.

use rand::Rng;
use rand::rngs::StdRng;
use serde_json::{Value, json};

use crate::domain::survey::RiasecArea;

const FIRST_NAMES: [&str; 24] = [
    "Avery", "Blake", "Carmen", "Dakota", "Elena", "Finn", "Grace", "Hector", "Isla", "Jonah",
    "Kira", "Luis", "Maya", "Noah", "Olivia", "Parker", "Quinn", "Rosa", "Samir", "Tessa", "Uriel",
    "Violet", "Wyatt", "Zoe",
];

const LAST_NAMES: [&str; 20] = [
    "Alder",
    "Birch",
    "Cedar",
    "Dunmore",
    "Elmwood",
    "Fairfield",
    "Greenway",
    "Hollis",
    "Ironwood",
    "Juniper",
    "Kestrel",
    "Larkin",
    "Meadows",
    "Northcott",
    "Oakley",
    "Prairie",
    "Quarry",
    "Redfern",
    "Stillwater",
    "Thornton",
];

/// Students per grade, grades 8 to 12.
pub const STUDENTS_PER_GRADE: u32 = 60;

/// A student of the demo district and the facts the rest of the loader builds on.
pub struct DemoStudent {
    pub kids_id: String,
    pub school_id: &'static str,
    pub grade_level: i32,
    pub graduation_year: i32,
    /// The interest area the student's survey answers favour.
    pub interest: RiasecArea,
}

/// Returns the KIDS id of the `number`th demo student (from 1). Every id starts with 9999,
/// a prefix outside the range KSDE assigns, so no demo id names a real student.
pub fn kids_id(number: u32) -> String {
    format!("9999{number:06}")
}

/// Builds the roster: [`STUDENTS_PER_GRADE`] students in each of grades 8 to 12 of
/// `school_year`, grade 8 at the middle school and the others split between the high schools.
pub fn students(rng: &mut StdRng, school_year: i32) -> Vec<DemoStudent> {
    let mut students = Vec::new();
    for number in 1..=5 * STUDENTS_PER_GRADE {
        let grade_level = 8 + i32::try_from((number - 1) / STUDENTS_PER_GRADE).unwrap_or(0);
        let school_id = match (grade_level, number % 3) {
            (8, _) => super::MIDDLE_SCHOOL,
            (_, 0) => super::SECOND_HIGH_SCHOOL,
            _ => super::HIGH_SCHOOL,
        };
        students.push(DemoStudent {
            kids_id: kids_id(number),
            school_id,
            grade_level,
            graduation_year: school_year + 12 - grade_level,
            interest: RiasecArea::ALL[rng.gen_range(0..RiasecArea::ALL.len())],
        });
    }
    students
}

/// Builds the body of `POST /v1/students:bulk` for the roster.
pub fn bulk_body(rng: &mut StdRng, students: &[DemoStudent]) -> Value {
    let items: Vec<Value> = students
        .iter()
        .enumerate()
        .map(|(index, student)| {
            json!({
                "studentUniqueId": student.kids_id,
                "sisId": format!("PD-{:05}", index + 1),
                "schoolId": student.school_id,
                "gradeLevel": student.grade_level,
                "graduationYear": student.graduation_year,
                "firstName": FIRST_NAMES[rng.gen_range(0..FIRST_NAMES.len())],
                "lastName": LAST_NAMES[rng.gen_range(0..LAST_NAMES.len())],
            })
        })
        .collect();
    Value::Array(items)
}
