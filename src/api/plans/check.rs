//! Checks of a plan body against the catalog and the plan rules, and the bookkeeping that
//! a stored body needs: ids for new items, the courses it uses, its counselor.

use std::collections::{HashMap, HashSet};

use super::model::{
    Artifact, CourseEntry, EntrySource, EntryStatus, Goal, ParticipantRole, PlanBody,
    PostsecondaryAsset, WorkBasedLearning,
};
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

/// A plan item with a server-assigned id.
trait Identified: PartialEq {
    fn id_slot(&mut self) -> &mut Option<String>;
    fn id(&self) -> Option<&String>;
}

macro_rules! identified {
    ($($item:ty),*) => {$(
        impl Identified for $item {
            fn id_slot(&mut self) -> &mut Option<String> {
                &mut self.id
            }
            fn id(&self) -> Option<&String> {
                self.id.as_ref()
            }
        }
    )*};
}
identified!(
    CourseEntry,
    WorkBasedLearning,
    PostsecondaryAsset,
    Goal,
    Artifact
);

fn assign_ids<T: Identified>(items: &mut [T]) {
    for item in items {
        let slot = item.id_slot();
        if slot.is_none() {
            *slot = Some(crate::store::new_id());
        }
    }
}

/// Gives each item of `incoming` without an id the id of a `stored` item that equals it but
/// for the id, each stored item at most once. The search starts after the previous match, so
/// a list sent in its stored order costs one comparison per item.
fn carry_list_ids<T: Identified>(incoming: &mut [T], stored: &[T]) {
    let mut used = vec![false; stored.len()];
    let mut start = 0;
    for item in incoming.iter_mut().filter(|item| item.id().is_none()) {
        for offset in 0..stored.len() {
            let index = (start + offset) % stored.len();
            if used[index] {
                continue;
            }
            *item.id_slot() = stored[index].id().cloned();
            if *item == stored[index] {
                used[index] = true;
                start = index + 1;
                break;
            }
            *item.id_slot() = None;
        }
    }
}

/// Keeps the ids of a stored plan's items in a resent body that omits them, so that sending
/// the same plan again is recognised as unchanged and unchanged items keep their ids.
pub fn carry_ids(incoming: &mut PlanBody, stored: &PlanBody) {
    carry_list_ids(&mut incoming.courses, &stored.courses);
    carry_list_ids(
        &mut incoming.work_based_learning,
        &stored.work_based_learning,
    );
    carry_list_ids(
        &mut incoming.postsecondary_assets,
        &stored.postsecondary_assets,
    );
    carry_list_ids(&mut incoming.goals, &stored.goals);
    carry_list_ids(&mut incoming.portfolio, &stored.portfolio);
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

    assign_ids(&mut body.courses);
    assign_ids(&mut body.work_based_learning);
    assign_ids(&mut body.postsecondary_assets);
    assign_ids(&mut body.goals);
    assign_ids(&mut body.portfolio);

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
