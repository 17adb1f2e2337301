//! Career-interest instruments, survey responses and the imported O*NET release.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::error::{ApiError, ErrorCode, FieldError};
use crate::store::changes::NewChange;
use crate::store::schema::{instruments, onet_releases, survey_responses};

pub const RESOURCE_TYPE: &str = "survey_response";

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = instruments, treat_none_as_default_value = false)]
pub struct InstrumentRow {
    pub district_id: String,
    pub id: String,
    pub version: String,
    /// The instrument as JSON.
    pub document: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = survey_responses, treat_none_as_default_value = false)]
pub struct ResponseRow {
    pub district_id: String,
    pub id: String,
    pub student_id: String,
    pub instrument_id: String,
    pub instrument_version: String,
    pub administered_on: NaiveDate,
    pub grade_level: i32,
    /// The answers as sent: a JSON array or a compact digit string.
    pub answers: String,
    /// First Holland code of the result, for reports.
    pub holland_code: String,
    pub created_at: NaiveDateTime,
}

impl ResponseRow {
    /// Builds the change-feed event for this row.
    pub fn change(&self) -> NewChange {
        NewChange {
            district_id: self.district_id.clone(),
            resource_type: RESOURCE_TYPE,
            resource_id: self.id.clone(),
            natural_key: serde_json::json!({
                "districtId": self.district_id,
                "studentId": self.student_id,
                "instrumentId": self.instrument_id,
                "administeredOn": self.administered_on,
            }),
            operation: "upsert",
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = onet_releases, treat_none_as_default_value = false)]
pub struct ReleaseRow {
    pub id: String,
    /// O*NET database release, such as `29.3`.
    pub release: String,
    pub occupation_count: i32,
    /// The occupations as JSON.
    pub occupations: String,
    pub imported_at: NaiveDateTime,
}

fn duplicate_response(error: diesel::result::Error) -> ApiError {
    use diesel::result::{DatabaseErrorKind, Error};
    match &error {
        Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => ApiError::new(
            ErrorCode::Conflict,
            "the student already has a response to this instrument on this date",
        )
        .with_errors(vec![FieldError::body(
            "/administeredOn",
            "duplicate",
            "a student has one response per instrument and date",
        )]),
        _ => ApiError::from(error),
    }
}

crate::store::for_each_backend! {
    /// Stores a new instrument version; 409 when that version exists.
    pub fn create_instrument(conn: &mut Conn, row: &InstrumentRow) -> Result<(), ApiError> {
        diesel::insert_into(instruments::table)
            .values(row)
            .execute(conn)
            .map_err(|error| match error {
                diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _) => {
                    ApiError::new(
                        ErrorCode::Conflict,
                        format!("instrument {} version {} exists; versions are immutable, so post the change as a new version", row.id, row.version),
                    )
                    .with_errors(vec![FieldError::body("/version", "duplicate", "this version already exists")])
                }
                other => ApiError::from(other),
            })?;
        Ok(())
    }

    /// Lists the versions of the districts' instruments, newest first within each id.
    pub fn list_instruments(conn: &mut Conn, district_ids: &[String]) -> Result<Vec<InstrumentRow>, ApiError> {
        Ok(instruments::table
            .filter(instruments::district_id.eq_any(district_ids))
            .order((instruments::id.asc(), instruments::created_at.desc()))
            .select(InstrumentRow::as_select())
            .load(conn)?)
    }

    /// Finds an instrument version, or the newest version when `version` is `None`.
    pub fn find_instrument(
        conn: &mut Conn,
        district_ids: &[String],
        id: &str,
        version: Option<&str>,
    ) -> Result<Option<InstrumentRow>, ApiError> {
        let mut query = instruments::table
            .filter(instruments::district_id.eq_any(district_ids))
            .filter(instruments::id.eq(id))
            .order(instruments::created_at.desc())
            .select(InstrumentRow::as_select())
            .into_boxed();
        if let Some(version) = version {
            query = query.filter(instruments::version.eq(version));
        }
        Ok(query.first(conn).optional()?)
    }

    /// Stores a survey response and records the change.
    pub fn create_response(conn: &mut Conn, row: &ResponseRow) -> Result<(), ApiError> {
        diesel::insert_into(survey_responses::table)
            .values(row)
            .execute(conn)
            .map_err(duplicate_response)?;
        q::changes::record(conn, vec![row.change()])
    }

    /// Stores many responses; those whose natural key exists are skipped. Returns the ids of
    /// the rows inserted.
    pub fn insert_responses(conn: &mut Conn, rows: &[ResponseRow]) -> Result<Vec<String>, ApiError> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let inserted: Vec<String> = diesel::insert_into(survey_responses::table)
            .values(rows)
            .on_conflict((
                survey_responses::district_id,
                survey_responses::student_id,
                survey_responses::instrument_id,
                survey_responses::administered_on,
            ))
            .do_nothing()
            .returning(survey_responses::id)
            .get_results(conn)?;
        let inserted_set: std::collections::HashSet<&str> = inserted.iter().map(String::as_str).collect();
        let changes = rows
            .iter()
            .filter(|row| inserted_set.contains(row.id.as_str()))
            .map(ResponseRow::change)
            .collect();
        q::changes::record(conn, changes)?;
        Ok(inserted)
    }

    /// Finds a survey response by id within the given districts.
    pub fn find_response(conn: &mut Conn, district_ids: &[String], id: &str) -> Result<Option<ResponseRow>, ApiError> {
        Ok(crate::store::in_districts!(survey_responses::district_id, district_ids, |in_district| survey_responses::table
            .filter(in_district)
            .filter(survey_responses::id.eq(id))
            .select(ResponseRow::as_select())
            .first(conn)
            .optional())?)
    }

    /// Lists a student's responses in the order they were administered.
    pub fn student_responses(conn: &mut Conn, district_id: &str, student_id: &str) -> Result<Vec<ResponseRow>, ApiError> {
        Ok(survey_responses::table
            .filter(survey_responses::district_id.eq(district_id))
            .filter(survey_responses::student_id.eq(student_id))
            .order((survey_responses::administered_on.asc(), survey_responses::id.asc()))
            .select(ResponseRow::as_select())
            .load(conn)?)
    }

    /// Finds existing responses by natural key: `(student id, instrument id, date)`.
    pub fn responses_of_students(
        conn: &mut Conn,
        district_id: &str,
        student_ids: &[String],
    ) -> Result<Vec<ResponseRow>, ApiError> {
        Ok(survey_responses::table
            .filter(survey_responses::district_id.eq(district_id))
            .filter(survey_responses::student_id.eq_any(student_ids))
            .select(ResponseRow::as_select())
            .load(conn)?)
    }

    /// Replaces the imported O*NET release with `row` in the current transaction, so that
    /// readers see the old release or the new one, never a mix.
    pub fn replace_release(conn: &mut Conn, row: &ReleaseRow) -> Result<(), ApiError> {
        diesel::delete(onet_releases::table).execute(conn)?;
        diesel::insert_into(onet_releases::table).values(row).execute(conn)?;
        Ok(())
    }

    /// Returns the id and release name of the imported O*NET release, if any.
    pub fn current_release(conn: &mut Conn) -> Result<Option<(String, String)>, ApiError> {
        Ok(onet_releases::table
            .select((onet_releases::id, onet_releases::release))
            .first(conn)
            .optional()?)
    }

    /// Loads the imported O*NET release with its occupations.
    pub fn load_release(conn: &mut Conn) -> Result<Option<ReleaseRow>, ApiError> {
        Ok(onet_releases::table
            .select(ReleaseRow::as_select())
            .first(conn)
            .optional()?)
    }
}

/// An occupation as stored: the domain record with its cluster keys as plain strings.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct StoredOccupation {
    code: String,
    title: String,
    description: String,
    interests: Option<[f64; 6]>,
    job_zone: Option<u8>,
    clusters: Vec<(String, String)>,
}

/// Encodes a release's occupations as JSON for storage.
pub fn encode_occupations(
    release: &crate::domain::survey::OnetRelease,
) -> Result<String, ApiError> {
    let stored: Vec<StoredOccupation> = release
        .occupations
        .iter()
        .map(|o| StoredOccupation {
            code: o.code.clone(),
            title: o.title.clone(),
            description: o.description.clone(),
            interests: o.interests,
            job_zone: o.job_zone,
            clusters: o
                .clusters
                .iter()
                .map(|c| (c.cluster_key.to_owned(), c.pathway.clone()))
                .collect(),
        })
        .collect();
    serde_json::to_string(&stored).map_err(ApiError::internal)
}

/// Decodes stored occupations; cluster keys that are not legacy cluster keys are dropped.
pub fn decode_occupations(json: &str) -> Result<crate::domain::survey::OnetRelease, ApiError> {
    use crate::domain::survey::{ClusterAssignment, LEGACY_CLUSTERS, Occupation, OnetRelease};

    let stored: Vec<StoredOccupation> = serde_json::from_str(json).map_err(ApiError::internal)?;
    let occupations = stored
        .into_iter()
        .map(|o| Occupation {
            code: o.code,
            title: o.title,
            description: o.description,
            interests: o.interests,
            job_zone: o.job_zone,
            clusters: o
                .clusters
                .into_iter()
                .filter_map(|(key, pathway)| {
                    LEGACY_CLUSTERS
                        .iter()
                        .find(|cluster| cluster.key == key)
                        .map(|cluster| ClusterAssignment {
                            cluster_key: cluster.key,
                            pathway,
                        })
                })
                .collect(),
        })
        .collect();
    Ok(OnetRelease { occupations })
}
