//! Stored outcomes of POST requests sent with an `Idempotency-Key`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::error::ApiError;
use crate::store::schema::idempotency_keys;

/// How long a key is remembered.
pub const RETENTION: chrono::TimeDelta = chrono::TimeDelta::hours(24);

/// How long a request may hold a key before a retry may take it over. A request still running
/// after this long has almost certainly died with its process.
pub const LOCK_TIMEOUT: chrono::TimeDelta = chrono::TimeDelta::seconds(60);

pub const STATE_IN_PROGRESS: &str = "in_progress";
pub const STATE_COMPLETED: &str = "completed";

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = idempotency_keys)]
pub struct KeyRow {
    pub client_id: String,
    pub idempotency_key: String,
    pub request_hash: String,
    pub state: String,
    pub response_status: Option<i32>,
    pub response_body: Option<String>,
    pub response_etag: Option<String>,
    pub response_location: Option<String>,
    pub created_at: NaiveDateTime,
    pub locked_at: NaiveDateTime,
}

/// A stored response to replay.
#[derive(Debug, Clone)]
pub struct StoredResponse {
    pub status: u16,
    pub body: String,
    pub etag: Option<String>,
    pub location: Option<String>,
}

/// Result of a request's attempt to claim its key.
#[derive(Debug)]
pub enum Claim {
    /// The key is new (or expired, or abandoned): the request may run.
    Acquired,
    /// The same request already completed: replay its response.
    Replay(StoredResponse),
    /// The same request is still running.
    InProgress,
    /// The key was used with a different request body.
    Mismatch,
}

crate::store::for_each_backend! {
    /// Claims `key` for a request whose body hashes to `request_hash`.
    pub fn claim(
        conn: &mut Conn,
        client_id: &str,
        key: &str,
        request_hash: &str,
    ) -> Result<Claim, ApiError> {
        let now = crate::store::now();
        let existing: Option<KeyRow> = idempotency_keys::table
            .find((client_id, key))
            .select(KeyRow::as_select())
            .first(conn)
            .optional()?;

        if let Some(row) = existing {
            let expired = row.created_at + RETENTION <= now;
            let abandoned = row.state == STATE_IN_PROGRESS && row.locked_at + LOCK_TIMEOUT <= now;
            if !expired {
                if row.request_hash != request_hash {
                    return Ok(Claim::Mismatch);
                }
                if row.state == STATE_COMPLETED {
                    return Ok(Claim::Replay(StoredResponse {
                        status: u16::try_from(row.response_status.unwrap_or(200))
                            .unwrap_or(200),
                        body: row.response_body.unwrap_or_default(),
                        etag: row.response_etag,
                        location: row.response_location,
                    }));
                }
                if !abandoned {
                    return Ok(Claim::InProgress);
                }
            }
            diesel::delete(idempotency_keys::table.find((client_id, key))).execute(conn)?;
        }

        let inserted = diesel::insert_into(idempotency_keys::table)
            .values(KeyRow {
                client_id: client_id.to_owned(),
                idempotency_key: key.to_owned(),
                request_hash: request_hash.to_owned(),
                state: STATE_IN_PROGRESS.to_owned(),
                response_status: None,
                response_body: None,
                response_etag: None,
                response_location: None,
                created_at: now,
                locked_at: now,
            })
            .on_conflict_do_nothing()
            .execute(conn)?;
        if inserted == 1 {
            Ok(Claim::Acquired)
        } else {
            Ok(Claim::InProgress)
        }
    }

    /// Stores the response of a completed request under its key.
    pub fn complete(
        conn: &mut Conn,
        client_id: &str,
        key: &str,
        response: &StoredResponse,
    ) -> Result<(), ApiError> {
        diesel::update(idempotency_keys::table.find((client_id, key)))
            .set((
                idempotency_keys::state.eq(STATE_COMPLETED),
                idempotency_keys::response_status.eq(i32::from(response.status)),
                idempotency_keys::response_body.eq(&response.body),
                idempotency_keys::response_etag.eq(&response.etag),
                idempotency_keys::response_location.eq(&response.location),
            ))
            .execute(conn)?;
        Ok(())
    }

    /// Forgets a key whose request failed, so that a retry runs again.
    pub fn release(conn: &mut Conn, client_id: &str, key: &str) -> Result<(), ApiError> {
        diesel::delete(
            idempotency_keys::table
                .find((client_id, key))
                .filter(idempotency_keys::state.eq(STATE_IN_PROGRESS)),
        )
        .execute(conn)?;
        Ok(())
    }

    /// Deletes keys older than the retention period; returns how many.
    pub fn purge_expired(conn: &mut Conn) -> Result<usize, ApiError> {
        let cutoff = crate::store::now() - RETENTION;
        Ok(diesel::delete(idempotency_keys::table.filter(idempotency_keys::created_at.lt(cutoff)))
            .execute(conn)?)
    }
}
