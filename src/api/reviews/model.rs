//! Plan reviews as the API reads and writes them.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::{Validate, ValidationError};

use crate::domain::review::ReviewKind;

/// Role of a person at a review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReviewRole {
    Student,
    Counselor,
    Teacher,
    ParentGuardian,
    Administrator,
    Other,
}

/// A person invited to a review, and whether they attended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReviewParticipant {
    pub role: ReviewRole,
    #[validate(length(min = 1, max = 200, message = "name must be 1 to 200 characters"))]
    #[schema(min_length = 1, max_length = 200)]
    pub name: Option<String>,
    /// Staff id in the district's systems, for staff members.
    #[validate(length(min = 1, max = 64, message = "staffId must be 1 to 64 characters"))]
    #[schema(min_length = 1, max_length = 64)]
    pub staff_id: Option<String>,
    pub attended: bool,
}

/// An action agreed at a review.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NextStep {
    #[validate(length(min = 1, max = 2000, message = "text must be 1 to 2000 characters"))]
    #[schema(min_length = 1, max_length = 2000)]
    pub text: String,
    /// Person responsible for the step, such as `student` or a staff name.
    #[validate(length(min = 1, max = 200, message = "owner must be 1 to 200 characters"))]
    #[schema(min_length = 1, max_length = 200)]
    pub owner: String,
    /// On or after the review date.
    pub due_date: Option<chrono::NaiveDate>,
}

/// Channel of the family's acknowledgement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AcknowledgementMethod {
    Signature,
    InPerson,
    Electronic,
}

/// Whether and how a parent or guardian acknowledged the review.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FamilyAcknowledgement {
    pub acknowledged: bool,
    /// Required when `acknowledged` is true.
    pub method: Option<AcknowledgementMethod>,
    /// When the family acknowledged; required when `acknowledged` is true.
    pub at: Option<chrono::DateTime<chrono::Utc>>,
}

fn validate_decisions(decisions: &[String]) -> Result<(), ValidationError> {
    if decisions
        .iter()
        .all(|d| (1..=2000).contains(&d.chars().count()))
    {
        Ok(())
    } else {
        Err(ValidationError::new("length")
            .with_message(Cow::Borrowed("each decision must be 1 to 2000 characters")))
    }
}

/// The content of a review.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(example = json!({
    "date": "2026-10-06",
    "kind": "fall",
    "participants": [
        {"role": "student", "attended": true},
        {"role": "counselor", "staffId": "T-2231", "name": "J. Rivera", "attended": true},
        {"role": "parent_guardian", "name": "A. Lopez", "attended": true}
    ],
    "summary": "Reviewed grade 10 courses and the health-science focus.",
    "decisions": ["Add Anatomy and Physiology in grade 11"],
    "nextSteps": [{"text": "Schedule a job shadow at Wesley Medical Center", "owner": "student", "dueDate": "2026-12-01"}],
    "familyAcknowledgement": {"acknowledged": true, "method": "in_person", "at": "2026-10-06T15:30:00Z"},
    "planRevision": 3
}))]
pub struct ReviewBody {
    /// Day the review was held; not in the future and not before the plan was created. It
    /// sets the review's school year.
    pub date: chrono::NaiveDate,
    /// Must be one of the kinds the effective review policy allows.
    pub kind: ReviewKind,
    /// Everyone invited; at least one participant must have the role `student`.
    #[validate(
        length(min = 1, max = 30, message = "participants must list 1 to 30 people"),
        nested
    )]
    pub participants: Vec<ReviewParticipant>,
    #[validate(length(min = 1, max = 4000, message = "summary must be 1 to 4000 characters"))]
    #[schema(min_length = 1, max_length = 4000)]
    pub summary: String,
    /// Decisions and changes made to the plan.
    #[serde(default)]
    #[validate(
        length(max = 50, message = "decisions may list at most 50 decisions"),
        custom(function = "validate_decisions")
    )]
    pub decisions: Vec<String>,
    #[serde(default)]
    #[validate(
        length(max = 50, message = "nextSteps may list at most 50 steps"),
        nested
    )]
    pub next_steps: Vec<NextStep>,
    #[validate(nested)]
    pub family_acknowledgement: Option<FamilyAcknowledgement>,
    /// Plan revision that was reviewed; default the plan's current revision.
    #[validate(range(min = 1, message = "planRevision must be 1 or more"))]
    #[schema(minimum = 1)]
    pub plan_revision: Option<i32>,
}

/// A correction of a review: the full corrected content and the reason for the change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(example = json!({
    "reason": "The parent attended by phone; the first record left her out.",
    "review": {
        "date": "2026-10-06",
        "kind": "fall",
        "participants": [{"role": "student", "attended": true}, {"role": "parent_guardian", "attended": true}],
        "summary": "Reviewed grade 10 courses and the health-science focus."
    }
}))]
pub struct AmendmentBody {
    /// Explanation of what changed and why.
    #[validate(length(min = 1, max = 2000, message = "reason must be 1 to 2000 characters"))]
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
    /// The corrected review; `planRevision` defaults to that of the amended review.
    #[validate(nested)]
    pub review: ReviewBody,
}

/// A stored review. Reviews never change: a correction is a new review that `amends` this one.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "id": "0193a1f4-2a10-7c39-9d55-2f0b8f3f1a77",
    "districtId": "D0259",
    "planId": "0193a1f3-0b1e-7c39-9d55-2f0b8f3f1a77",
    "schoolYear": 2027,
    "date": "2026-10-06",
    "kind": "fall",
    "participants": [{"role": "student", "name": null, "staffId": null, "attended": true}],
    "summary": "Reviewed grade 10 courses and the health-science focus.",
    "decisions": [],
    "nextSteps": [],
    "familyAcknowledgement": null,
    "planRevision": 3,
    "amends": null,
    "reason": null,
    "amendedBy": null,
    "createdBy": "0193a1f0-1111-7c39-9d55-2f0b8f3f1a77",
    "createdAt": "2026-10-06T16:02:11.402Z"
}))]
pub struct Review {
    pub id: String,
    pub district_id: String,
    pub plan_id: String,
    /// School year of `date`, named by the calendar year in which it ends.
    pub school_year: i32,
    #[serde(flatten)]
    pub body: ReviewBody,
    /// Id of the review this one corrects.
    pub amends: Option<String>,
    /// Reason for the correction, on an amendment.
    pub reason: Option<String>,
    /// Id of the review that corrects this one; compliance counts only the latest correction.
    pub amended_by: Option<String>,
    /// Client id of the API client that recorded the review.
    pub created_by: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// A page of reviews.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"items": [], "nextCursor": null}))]
pub struct ReviewPage {
    pub items: Vec<Review>,
    /// Pass as `cursor` to get the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}
