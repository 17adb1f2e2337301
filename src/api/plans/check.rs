//! Checks of a plan body against the catalog and the plan rules, and the bookkeeping that
//! a stored body needs: ids for new items, the courses it uses, its counselor.

use std::collections::{HashMap, HashSet};

use super::model::{CourseEntry, EntrySource, EntryStatus, ParticipantRole, PlanBody};
use crate::domain::plan::{Attempt, check_entry_timing, repeated_entries};
use crate::error::{ApiError, FieldError};
use crate::store::courses::CourseRow;

/// A plan body ready to store.
#[derive(Debug)]
pub struct CheckedPlan {
    pub body: PlanBody,
    /// Catalog courses the plan uses.
    pub course_ids: Vec<String>,
    /// Staff id of the first counselor among the participants.
    pub counselor: Option<String>,
}

/// Returns the catalog course ids a body refers to, for loading them before [`check`].
pub fn referenced_courses(body: &PlanBody) -> Vec<String> {
    let mut ids: Vec<String> = body
        .courses
        .iter()
        .filter_map(|entry| entry.course_id.clone())
        .chain(
            body.work_based_learning
                .iter()
                .filter_map(|w| w.related_course_id.clone()),
        )
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

fn assign_ids<T>(items: &mut [T], id: impl Fn(&mut T) -> &mut Option<String>) {
    for item in items {
        let slot = id(item);
        if slot.is_none() {
            *slot = Some(crate::store::new_id());
        }
    }
}

fn course_key(entry: &CourseEntry) -> String {
    match (&entry.course_id, &entry.transfer) {
        (Some(id), _) => format!("course:{id}"),
        (None, Some(transfer)) => format!(
            "transfer:{}:{}",
            transfer.sced_code,
            transfer.title.to_lowercase()
        ),
        (None, None) => String::new(),
    }
}

/// Checks `body` and fills in its server-side parts. `catalog` holds the district's courses
/// that the body refers to, by id; `schools` says whether the body's school exists.
pub fn check(
    mut body: PlanBody,
    catalog: &HashMap<String, CourseRow>,
    school_exists: bool,
) -> Result<CheckedPlan, ApiError> {
    let mut errors = Vec::new();

    if body.school_id.is_some() && !school_exists {
        errors.push(FieldError::body(
            "/schoolId",
            "unknown",
            "schoolId does not name a school of the plan's district",
        ));
    }

    let mut attempts = Vec::with_capacity(body.courses.len());
    for (index, entry) in body.courses.iter().enumerate() {
        let pointer = format!("/courses/{index}");
        match (&entry.course_id, &entry.transfer) {
            (Some(_), Some(_)) | (None, None) => errors.push(FieldError::body(
                pointer.clone(),
                "one_of",
                "a course entry needs exactly one of courseId (a catalog course) and transfer (a course from elsewhere)",
            )),
            (Some(course_id), None) => match catalog.get(course_id) {
                None => errors.push(FieldError::body(
                    format!("{pointer}/courseId"),
                    "unknown",
                    format!("course {course_id} is not in the district's catalog"),
                )),
                Some(course) if !course.active && entry.status == EntryStatus::Planned => errors.push(FieldError::body(
                    format!("{pointer}/courseId"),
                    "inactive",
                    format!("course {} is no longer offered; plan another course", course.course_code),
                )),
                Some(_) => {}
            },
            (None, Some(_)) => {}
        }

        if let Err((field, message)) =
            check_entry_timing(body.graduation_year, entry.school_year, entry.grade_level)
        {
            errors.push(FieldError::body(
                format!("{pointer}/{field}"),
                "range",
                message,
            ));
        }

        let repeatable = entry
            .course_id
            .as_ref()
            .and_then(|id| catalog.get(id))
            .is_some_and(|course| course.repeatable);
        let attempt = match entry.status {
            EntryStatus::Failed | EntryStatus::Withdrawn => Attempt::NotCounting,
            _ => Attempt::Counting,
        };
        // Only catalog courses say whether they may be repeated; a transfer course is never
        // flagged here (the audit still reports a second pass of the same course).
        let key = if entry.course_id.is_some() {
            course_key(entry)
        } else {
            format!("entry:{index}")
        };
        attempts.push((key, repeatable, attempt));
    }
    for index in repeated_entries(&attempts) {
        errors.push(FieldError::body(
            format!("/courses/{index}/courseId"),
            "repeated",
            "this course is not repeatable and the plan already has a passing or planned entry for it",
        ));
    }

    let asset_types: HashSet<String> = crate::domain::audit::builtin_asset_lists()
        .into_iter()
        .flat_map(|list| list.assets.into_iter().map(|asset| asset.key))
        .collect();
    for (index, asset) in body.postsecondary_assets.iter().enumerate() {
        if !asset_types.contains(&asset.kind) {
            errors.push(FieldError::body(
                format!("/postsecondaryAssets/{index}/type"),
                "unknown",
                format!(
                    "{} is not a postsecondary asset type of the state list; GET /v1/rule-sets/ks-state-2028 names the list",
                    asset.kind
                ),
            ));
        }
    }

    for (index, experience) in body.work_based_learning.iter().enumerate() {
        if let Some(course_id) = experience
            .related_course_id
            .as_ref()
            .filter(|id| !catalog.contains_key(*id))
        {
            errors.push(FieldError::body(
                format!("/workBasedLearning/{index}/relatedCourseId"),
                "unknown",
                format!("course {course_id} is not in the district's catalog"),
            ));
        }
        if experience
            .end_date
            .is_some_and(|end| end < experience.start_date)
        {
            errors.push(FieldError::body(
                format!("/workBasedLearning/{index}/endDate"),
                "range",
                "endDate must not be before startDate",
            ));
        }
    }

    if !errors.is_empty() {
        errors.sort_by(|a, b| a.pointer.cmp(&b.pointer));
        return Err(ApiError::validation(errors));
    }

    assign_ids(&mut body.courses, |e| &mut e.id);
    assign_ids(&mut body.work_based_learning, |e| &mut e.id);
    assign_ids(&mut body.postsecondary_assets, |e| &mut e.id);
    assign_ids(&mut body.goals, |e| &mut e.id);
    assign_ids(&mut body.portfolio, |e| &mut e.id);

    let counselor = body
        .participants
        .iter()
        .find(|p| p.role == ParticipantRole::Counselor)
        .and_then(|p| p.staff_id.clone());
    let course_ids = referenced_courses(&body);
    Ok(CheckedPlan {
        body,
        course_ids,
        counselor,
    })
}

/// Returns the top-level sections of a plan body that differ between two bodies.
pub fn changed_sections(before: Option<&PlanBody>, after: &PlanBody) -> Vec<String> {
    let after = serde_json::to_value(after).unwrap_or_default();
    let before = before
        .and_then(|b| serde_json::to_value(b).ok())
        .unwrap_or_default();
    let mut changed: Vec<String> = after
        .as_object()
        .map(|fields| {
            fields
                .iter()
                .filter(|(name, value)| before.get(name.as_str()) != Some(*value))
                .map(|(name, _)| name.clone())
                .collect()
        })
        .unwrap_or_default();
    changed.sort();
    changed
}

/// Replaces the SIS-transcript entries of `body` with `transcript`, keeping every other
/// entry except planned ones that a transcript entry now covers (the same course in the same
/// school year). A transcript entry that matches a previous one keeps its id.
pub fn sync_transcript(body: &mut PlanBody, transcript: Vec<CourseEntry>) {
    let previous_ids: HashMap<(String, i32), String> = body
        .courses
        .iter()
        .filter(|e| e.source == EntrySource::SisTranscript)
        .filter_map(|e| e.id.clone().map(|id| ((course_key(e), e.school_year), id)))
        .collect();
    let covered: HashSet<(String, i32)> = transcript
        .iter()
        .map(|e| (course_key(e), e.school_year))
        .collect();

    body.courses.retain(|entry| {
        entry.source != EntrySource::SisTranscript
            && !(entry.status == EntryStatus::Planned
                && covered.contains(&(course_key(entry), entry.school_year)))
    });
    for mut entry in transcript {
        entry.source = EntrySource::SisTranscript;
        if entry.id.is_none() {
            entry.id = previous_ids
                .get(&(course_key(&entry), entry.school_year))
                .cloned();
        }
        body.courses.push(entry);
    }
}
