//! Aggregate queries for reports: counts grouped by school, computed inside the database.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::dsl::{count_star, exists};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Nullable, Text};

use crate::error::ApiError;
use crate::store::plans::STATUS_ACTIVE;
use crate::store::schema::{plans, survey_responses};

/// The plans a report covers: active plans of one district, optionally of one graduating
/// class and one school.
#[derive(Debug, Clone)]
pub struct PlanScope {
    pub district_ids: Vec<String>,
    pub school_id: Option<String>,
    pub graduation_year: Option<i32>,
}

/// The columns of a plan that compliance reads.
#[derive(Debug, Clone, PartialEq, Queryable)]
pub struct PlanFacts {
    pub district_id: String,
    pub id: String,
    pub student_id: String,
    pub school_id: Option<String>,
    pub created_at: NaiveDateTime,
}

/// A count of one school; `school_id` is `None` for plans without a school.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchoolCount {
    pub school_id: Option<String>,
    pub count: i64,
}

/// How many postsecondary assets of one type the plans of one school list.
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName)]
pub struct AssetCount {
    #[diesel(sql_type = Nullable<Text>)]
    pub school_id: Option<String>,
    #[diesel(sql_type = Text)]
    pub asset_type: String,
    #[diesel(sql_type = BigInt)]
    pub count: i64,
}

/// SQL that differs between the backends because it reads the JSON plan document.
pub trait JsonDialect {
    /// Counts postsecondary assets by school and type. Binds: district id, graduating class
    /// (nullable).
    const ASSET_COUNTS: &'static str;
}

impl JsonDialect for diesel::SqliteConnection {
    const ASSET_COUNTS: &'static str = "\
        SELECT p.school_id AS school_id, \
               COALESCE(json_extract(a.value, '$.type'), '') AS asset_type, \
               COUNT(*) AS count \
        FROM plans p, json_each(p.document, '$.postsecondaryAssets') a \
        WHERE p.district_id = ?1 AND p.status = 'active' \
          AND (?2 IS NULL OR p.graduation_year = ?2) \
        GROUP BY p.school_id, asset_type \
        ORDER BY p.school_id, asset_type";
}

impl JsonDialect for diesel::PgConnection {
    const ASSET_COUNTS: &'static str = "\
        SELECT p.school_id AS school_id, \
               COALESCE(a.value ->> 'type', '') AS asset_type, \
               COUNT(*) AS count \
        FROM plans p \
        CROSS JOIN LATERAL jsonb_array_elements(p.document::jsonb -> 'postsecondaryAssets') AS a(value) \
        WHERE p.district_id = $1 AND p.status = 'active' \
          AND ($2::integer IS NULL OR p.graduation_year = $2) \
        GROUP BY p.school_id, asset_type \
        ORDER BY p.school_id, asset_type";
}

fn school_counts(rows: Vec<(Option<String>, i64)>) -> Vec<SchoolCount> {
    rows.into_iter()
        .map(|(school_id, count)| SchoolCount { school_id, count })
        .collect()
}

crate::store::for_each_backend! {
    /// Lists the compliance columns of active plans in id order after `after_id`.
    pub fn active_plans(
        conn: &mut Conn,
        scope: &PlanScope,
        after_id: Option<&str>,
        limit: i64,
    ) -> Result<Vec<PlanFacts>, ApiError> {
        let mut query = plans::table
            .filter(plans::district_id.eq_any(&scope.district_ids))
            .filter(plans::status.eq(STATUS_ACTIVE))
            .select((
                plans::district_id,
                plans::id,
                plans::student_id,
                plans::school_id,
                plans::created_at,
            ))
            .order(plans::id.asc())
            .limit(limit)
            .into_boxed();
        if let Some(after_id) = after_id {
            query = query.filter(plans::id.gt(after_id));
        }
        if let Some(school_id) = &scope.school_id {
            query = query.filter(plans::school_id.eq(school_id));
        }
        if let Some(year) = scope.graduation_year {
            query = query.filter(plans::graduation_year.eq(year));
        }
        Ok(query.load(conn)?)
    }

    /// Counts active plans by school.
    pub fn plan_counts(conn: &mut Conn, scope: &PlanScope) -> Result<Vec<SchoolCount>, ApiError> {
        let mut query = plans::table
            .filter(plans::district_id.eq_any(&scope.district_ids))
            .filter(plans::status.eq(STATUS_ACTIVE))
            .group_by(plans::school_id)
            .select((plans::school_id, count_star()))
            .into_boxed();
        if let Some(year) = scope.graduation_year {
            query = query.filter(plans::graduation_year.eq(year));
        }
        Ok(school_counts(query.load(conn)?))
    }

    /// Counts active plans with a career focus by school.
    pub fn career_focus_counts(conn: &mut Conn, scope: &PlanScope) -> Result<Vec<SchoolCount>, ApiError> {
        let mut query = plans::table
            .filter(plans::district_id.eq_any(&scope.district_ids))
            .filter(plans::status.eq(STATUS_ACTIVE))
            .filter(plans::has_career_focus.eq(true))
            .group_by(plans::school_id)
            .select((plans::school_id, count_star()))
            .into_boxed();
        if let Some(year) = scope.graduation_year {
            query = query.filter(plans::graduation_year.eq(year));
        }
        Ok(school_counts(query.load(conn)?))
    }

    /// Counts active plans whose student has a survey response administered between `from`
    /// and `to` (inclusive), by school.
    pub fn survey_counts(
        conn: &mut Conn,
        scope: &PlanScope,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<SchoolCount>, ApiError> {
        let surveyed = survey_responses::table
            .filter(survey_responses::district_id.eq(plans::district_id))
            .filter(survey_responses::student_id.eq(plans::student_id))
            .filter(survey_responses::administered_on.between(from, to));
        let mut query = plans::table
            .filter(plans::district_id.eq_any(&scope.district_ids))
            .filter(plans::status.eq(STATUS_ACTIVE))
            .filter(exists(surveyed))
            .group_by(plans::school_id)
            .select((plans::school_id, count_star()))
            .into_boxed();
        if let Some(year) = scope.graduation_year {
            query = query.filter(plans::graduation_year.eq(year));
        }
        Ok(school_counts(query.load(conn)?))
    }

    /// Counts the postsecondary assets of active plans by school and asset type.
    pub fn asset_counts(
        conn: &mut Conn,
        district_id: &str,
        graduation_year: Option<i32>,
    ) -> Result<Vec<AssetCount>, ApiError> {
        Ok(diesel::sql_query(<Conn as JsonDialect>::ASSET_COUNTS)
            .bind::<Text, _>(district_id)
            .bind::<Nullable<Integer>, _>(graduation_year)
            .load(conn)?)
    }
}
