//! Plan reviews (append-only) and versioned review policies.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::error::{ApiError, ErrorCode, FieldError};
use crate::store::changes::NewChange;
use crate::store::schema::{plan_reviews, review_policies};

pub const RESOURCE_TYPE: &str = "review";

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = plan_reviews, treat_none_as_default_value = false)]
pub struct ReviewRow {
    pub district_id: String,
    pub id: String,
    pub plan_id: String,
    pub plan_revision: i32,
    pub held_on: NaiveDate,
    pub school_year: i32,
    pub kind: String,
    /// Whether a parent or guardian attended, copied from the participants for compliance.
    pub family_attended: bool,
    /// Id of the review this one amends.
    pub amends: Option<String>,
    /// Reason for the amendment.
    pub reason: Option<String>,
    /// The review body as JSON.
    pub document: String,
    /// Client id of the API client that recorded the review.
    pub created_by: String,
    pub created_at: NaiveDateTime,
}

impl ReviewRow {
    /// Builds the change-feed event for this row.
    pub fn change(&self) -> NewChange {
        NewChange {
            district_id: self.district_id.clone(),
            resource_type: RESOURCE_TYPE,
            resource_id: self.id.clone(),
            natural_key: serde_json::json!({
                "districtId": self.district_id,
                "planId": self.plan_id,
                "reviewId": self.id,
            }),
            operation: "upsert",
        }
    }
}

/// The columns of a review that compliance reads.
#[derive(Debug, Clone, PartialEq, Queryable)]
pub struct ReviewFacts {
    pub plan_id: String,
    pub id: String,
    pub amends: Option<String>,
    pub held_on: NaiveDate,
    pub family_attended: bool,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = review_policies, treat_none_as_default_value = false)]
pub struct PolicyRow {
    pub district_id: String,
    pub id: String,
    /// The school the policy applies to, or `None` for the whole district.
    pub school_id: Option<String>,
    pub version: i32,
    /// The policy as JSON.
    pub document: String,
    pub created_by: String,
    pub created_at: NaiveDateTime,
}

/// Filters for listing a plan's reviews; `None` means no filter.
#[derive(Debug, Clone, Default)]
pub struct ReviewFilter {
    pub school_year: Option<i32>,
    pub kind: Option<String>,
}

fn is_unique_violation(error: &diesel::result::Error) -> bool {
    matches!(
        error,
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)
    )
}

crate::store::for_each_backend! {
    /// Inserts a review and records its change event. A second amendment of the same review
    /// gets 409, because a review's amendments form one chain.
    pub fn create(conn: &mut Conn, row: &ReviewRow) -> Result<(), ApiError> {
        diesel::insert_into(plan_reviews::table)
            .values(row)
            .execute(conn)
            .map_err(|error| {
                if is_unique_violation(&error) {
                    ApiError::new(
                        ErrorCode::Conflict,
                        "the review was amended concurrently; read its amendedBy review and amend that one",
                    )
                } else {
                    ApiError::from(error)
                }
            })?;
        q::changes::record(conn, vec![row.change()])
    }

    /// Finds a review by id within the given districts.
    pub fn find(conn: &mut Conn, district_ids: &[String], id: &str) -> Result<Option<ReviewRow>, ApiError> {
        Ok(crate::store::in_districts!(plan_reviews::district_id, district_ids, |in_district| plan_reviews::table
            .filter(in_district)
            .filter(plan_reviews::id.eq(id))
            .select(ReviewRow::as_select())
            .first(conn)
            .optional())?)
    }

    /// Returns the ids of the amendments of `review_ids` as (amended id, amendment id) pairs.
    pub fn amendments_of(
        conn: &mut Conn,
        district_id: &str,
        review_ids: &[String],
    ) -> Result<Vec<(String, String)>, ApiError> {
        let rows: Vec<(Option<String>, String)> = plan_reviews::table
            .filter(plan_reviews::district_id.eq(district_id))
            .filter(plan_reviews::amends.eq_any(review_ids))
            .select((plan_reviews::amends, plan_reviews::id))
            .load(conn)?;
        Ok(rows
            .into_iter()
            .filter_map(|(amends, id)| amends.map(|amends| (amends, id)))
            .collect())
    }

    /// Lists a plan's reviews in id (creation) order after `after_id`.
    pub fn list_for_plan(
        conn: &mut Conn,
        district_id: &str,
        plan_id: &str,
        filter: &ReviewFilter,
        after_id: Option<&str>,
        limit: i64,
    ) -> Result<Vec<ReviewRow>, ApiError> {
        let mut query = plan_reviews::table
            .filter(plan_reviews::district_id.eq(district_id))
            .filter(plan_reviews::plan_id.eq(plan_id))
            .select(ReviewRow::as_select())
            .order(plan_reviews::id.asc())
            .limit(limit)
            .into_boxed();
        if let Some(after_id) = after_id {
            query = query.filter(plan_reviews::id.gt(after_id));
        }
        if let Some(year) = filter.school_year {
            query = query.filter(plan_reviews::school_year.eq(year));
        }
        if let Some(kind) = &filter.kind {
            query = query.filter(plan_reviews::kind.eq(kind));
        }
        Ok(query.load(conn)?)
    }

    /// Loads the compliance columns of every review of `plan_ids`, in one query.
    pub fn facts_for_plans(
        conn: &mut Conn,
        district_ids: &[String],
        plan_ids: &[String],
    ) -> Result<Vec<ReviewFacts>, ApiError> {
        Ok(plan_reviews::table
            .filter(plan_reviews::district_id.eq_any(district_ids))
            .filter(plan_reviews::plan_id.eq_any(plan_ids))
            .select((
                plan_reviews::plan_id,
                plan_reviews::id,
                plan_reviews::amends,
                plan_reviews::held_on,
                plan_reviews::family_attended,
            ))
            .load(conn)?)
    }

    /// Stores `row` as the next policy version of its district or school and returns that
    /// version. 409 when a concurrent write took the same version.
    pub fn create_policy(conn: &mut Conn, row: &PolicyRow) -> Result<i32, ApiError> {
        let current = current_policy_version(conn, &row.district_id, row.school_id.as_deref())?;
        let stored = PolicyRow { version: current + 1, ..row.clone() };
        diesel::insert_into(review_policies::table)
            .values(&stored)
            .execute(conn)
            .map_err(|error| {
                if is_unique_violation(&error) {
                    ApiError::new(
                        ErrorCode::Conflict,
                        "another client stored a policy version at the same time; read the policy and retry",
                    )
                    .with_errors(vec![FieldError::body("/schoolId", "duplicate", "this policy version already exists")])
                } else {
                    ApiError::from(error)
                }
            })?;
        Ok(stored.version)
    }

    /// Returns the newest stored policy version of a district (`school_id` `None`) or of a
    /// school, or 0 when none is stored.
    pub fn current_policy_version(
        conn: &mut Conn,
        district_id: &str,
        school_id: Option<&str>,
    ) -> Result<i32, ApiError> {
        let mut query = review_policies::table
            .filter(review_policies::district_id.eq(district_id))
            .select(diesel::dsl::max(review_policies::version))
            .into_boxed();
        query = match school_id {
            Some(school_id) => query.filter(review_policies::school_id.eq(school_id)),
            None => query.filter(review_policies::school_id.is_null()),
        };
        Ok(query.first::<Option<i32>>(conn)?.unwrap_or(0))
    }

    /// Lists the policies of the districts, newest version first.
    pub fn policies(conn: &mut Conn, district_ids: &[String]) -> Result<Vec<PolicyRow>, ApiError> {
        Ok(review_policies::table
            .filter(review_policies::district_id.eq_any(district_ids))
            .order(review_policies::version.desc())
            .select(PolicyRow::as_select())
            .load(conn)?)
    }
}
