//! `/v1/students`: students of the caller's districts, keyed by the Kansas KIDS id.

mod bulk;
mod handlers;

pub use bulk::*;
pub use handlers::*;

use std::borrow::Cow;

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::{Validate, ValidationError};

use crate::domain::identifiers::{is_kids_id, is_school_id};
use crate::store::students::{StudentFields, StudentRow};

/// Whether the student is currently enrolled.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StudentStatus {
    #[default]
    Active,
    Inactive,
}

impl StudentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            StudentStatus::Active => "active",
            StudentStatus::Inactive => "inactive",
        }
    }

    fn from_stored(value: &str) -> StudentStatus {
        if value == "inactive" {
            StudentStatus::Inactive
        } else {
            StudentStatus::Active
        }
    }
}

fn validate_kids_id(value: &str) -> Result<(), ValidationError> {
    if is_kids_id(value) {
        Ok(())
    } else {
        Err(ValidationError::new("pattern").with_message(Cow::Borrowed(
            "studentUniqueId must be the 10-digit Kansas KIDS identifier",
        )))
    }
}

pub(crate) fn validate_school_id(value: &str) -> Result<(), ValidationError> {
    if is_school_id(value) {
        Ok(())
    } else {
        Err(ValidationError::new("pattern").with_message(Cow::Borrowed(
            "schoolId must be the 4-digit KSDE building number",
        )))
    }
}

/// The writable fields of a student, for create, replace and bulk upsert.
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(example = json!({
    "districtId": "D0259",
    "studentUniqueId": "1234567890",
    "sisId": "S-004512",
    "schoolId": "1234",
    "gradeLevel": 9,
    "graduationYear": 2030,
    "status": "active",
    "firstName": "Avery",
    "lastName": "Lopez"
}))]
pub struct StudentInput {
    /// KSDE district id such as `D0259`. May be omitted when the client acts for one district.
    #[schema(pattern = "^D[0-9]{4}$", example = "D0259")]
    pub district_id: Option<String>,
    /// Kansas KIDS state student identifier: 10 digits. Unique within the district.
    #[validate(custom(function = "validate_kids_id"))]
    #[schema(
        pattern = "^[0-9]{10}$",
        min_length = 10,
        max_length = 10,
        example = "1234567890"
    )]
    pub student_unique_id: String,
    /// The district SIS's own student id. Unique within the district.
    #[validate(length(min = 1, max = 64, message = "sisId must be 1 to 64 characters"))]
    #[schema(min_length = 1, max_length = 64)]
    pub sis_id: Option<String>,
    /// The OneRoster `sourcedId` of the student. Unique within the district.
    #[validate(length(min = 1, max = 255, message = "sourcedId must be 1 to 255 characters"))]
    #[schema(min_length = 1, max_length = 255)]
    pub sourced_id: Option<String>,
    /// KSDE building number of the student's school, 4 digits; the school must exist.
    #[validate(custom(function = "validate_school_id"))]
    #[schema(pattern = "^[0-9]{4}$", example = "1234")]
    pub school_id: Option<String>,
    /// Current grade level, 6 to 12.
    #[validate(range(min = 6, max = 12, message = "gradeLevel must be between 6 and 12"))]
    #[schema(minimum = 6, maximum = 12)]
    pub grade_level: Option<i32>,
    /// Expected graduation year: the school year (named by its ending year) of graduation.
    #[validate(range(
        min = 2000,
        max = 2100,
        message = "graduationYear must be between 2000 and 2100"
    ))]
    #[schema(minimum = 2000, maximum = 2100, example = 2030)]
    pub graduation_year: i32,
    /// Defaults to `active`.
    #[serde(default)]
    pub status: StudentStatus,
    #[validate(length(min = 1, max = 100, message = "firstName must be 1 to 100 characters"))]
    #[schema(min_length = 1, max_length = 100)]
    pub first_name: Option<String>,
    #[validate(length(min = 1, max = 100, message = "middleName must be 1 to 100 characters"))]
    #[schema(min_length = 1, max_length = 100)]
    pub middle_name: Option<String>,
    #[validate(length(min = 1, max = 100, message = "lastName must be 1 to 100 characters"))]
    #[schema(min_length = 1, max_length = 100)]
    pub last_name: Option<String>,
}

impl StudentInput {
    /// Returns the validated fields, without the district.
    pub fn fields(&self) -> StudentFields {
        StudentFields {
            student_unique_id: self.student_unique_id.clone(),
            sis_id: self.sis_id.clone(),
            sourced_id: self.sourced_id.clone(),
            school_id: self.school_id.clone(),
            grade_level: self.grade_level,
            graduation_year: self.graduation_year,
            status: self.status.as_str().to_owned(),
            first_name: self.first_name.clone(),
            middle_name: self.middle_name.clone(),
            last_name: self.last_name.clone(),
        }
    }
}

/// A student as stored.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "id": "0193a1f2-6c1e-7c39-9d55-2f0b8f3f1a77",
    "districtId": "D0259",
    "studentUniqueId": "1234567890",
    "sisId": "S-004512",
    "sourcedId": null,
    "schoolId": "1234",
    "gradeLevel": 9,
    "graduationYear": 2030,
    "status": "active",
    "firstName": "Avery",
    "middleName": null,
    "lastName": "Lopez",
    "revision": 1,
    "createdAt": "2026-09-01T14:03:11.402Z",
    "updatedAt": "2026-09-01T14:03:11.402Z"
}))]
pub struct Student {
    /// Server-assigned id (UUID v7).
    pub id: String,
    pub district_id: String,
    pub student_unique_id: String,
    pub sis_id: Option<String>,
    pub sourced_id: Option<String>,
    pub school_id: Option<String>,
    pub grade_level: Option<i32>,
    pub graduation_year: i32,
    pub status: StudentStatus,
    pub first_name: Option<String>,
    pub middle_name: Option<String>,
    pub last_name: Option<String>,
    /// Revision number; the ETag is this number in quotes.
    pub revision: i32,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

impl From<StudentRow> for Student {
    fn from(row: StudentRow) -> Student {
        Student {
            id: row.id,
            district_id: row.district_id,
            student_unique_id: row.student_unique_id,
            sis_id: row.sis_id,
            sourced_id: row.sourced_id,
            school_id: row.school_id,
            grade_level: row.grade_level,
            graduation_year: row.graduation_year,
            status: StudentStatus::from_stored(&row.status),
            first_name: row.first_name,
            middle_name: row.middle_name,
            last_name: row.last_name,
            revision: row.revision,
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
        }
    }
}

/// A page of students.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "items": [{
        "id": "0193a1f2-6c1e-7c39-9d55-2f0b8f3f1a77",
        "districtId": "D0259",
        "studentUniqueId": "1234567890",
        "sisId": "S-004512",
        "sourcedId": null,
        "schoolId": "1234",
        "gradeLevel": 9,
        "graduationYear": 2030,
        "status": "active",
        "firstName": "Avery",
        "middleName": null,
        "lastName": "Lopez",
        "revision": 1,
        "createdAt": "2026-09-01T14:03:11.402Z",
        "updatedAt": "2026-09-01T14:03:11.402Z"
    }],
    "nextCursor": "azE6MDE5M2ExZjItNmMxZS03YzM5LTlkNTUtMmYwYjhmM2YxYTc3"
}))]
pub struct StudentPage {
    pub items: Vec<Student>,
    /// Pass as `cursor` to get the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// Filters and paging for `GET /v1/students`.
#[derive(Debug, Clone, Deserialize, Validate, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct StudentListQuery {
    /// Only this district (one of the client's).
    #[param(pattern = "^D[0-9]{4}$")]
    pub district_id: Option<String>,
    /// Only students of this school.
    #[validate(custom(function = "validate_school_id"))]
    #[param(pattern = "^[0-9]{4}$")]
    pub school_id: Option<String>,
    #[validate(range(min = 6, max = 12, message = "gradeLevel must be between 6 and 12"))]
    #[param(minimum = 6, maximum = 12)]
    pub grade_level: Option<i32>,
    #[validate(range(
        min = 2000,
        max = 2100,
        message = "graduationYear must be between 2000 and 2100"
    ))]
    #[param(minimum = 2000, maximum = 2100)]
    pub graduation_year: Option<i32>,
    pub status: Option<StudentStatus>,
    /// Natural-key lookup by KIDS id.
    #[validate(custom(function = "validate_kids_id"))]
    #[param(pattern = "^[0-9]{10}$")]
    pub student_unique_id: Option<String>,
    /// Lookup by the SIS's student id.
    pub sis_id: Option<String>,
    /// Lookup by OneRoster `sourcedId`.
    pub sourced_id: Option<String>,
    /// Only students changed at or after this time (RFC 3339).
    pub updated_since: Option<chrono::DateTime<chrono::Utc>>,
    /// Page size, 1 to 1000; default 100.
    #[validate(range(min = 1, max = 1000, message = "limit must be between 1 and 1000"))]
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
    /// `nextCursor` of the previous page.
    pub cursor: Option<String>,
}
