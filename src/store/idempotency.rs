//! Stored outcomes of POST requests sent with an `Idempotency-Key`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::error::ApiError;
use crate::store::schema::idempotency_keys;

/// How long a key is remembered.
pub const RETENTION: chrono::TimeDelta = chrono::TimeDelta::hours(24);

/// How long a request may hold a key before a retry may take it over. A request still running
/// after this long has almost certainly died with its process. Taking over is safe because a
/// create commits only together with the completion of its own claim (see [`complete`]).
pub const LOCK_TIMEOUT: chrono::TimeDelta = chrono::TimeDelta::seconds(60);

pub const STATE_IN_PROGRESS: &str = "in_progress";
pub const STATE_COMPLETED: &str = "completed";

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = idempotency_keys, treat_none_as_default_value = false)]
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

/// A key held by one running request.
///
/// `locked_at` identifies the claim: a key is taken over only [`LOCK_TIMEOUT`] after its last
/// claim, so every later claim of the same key has a later `locked_at`.
#[derive(Debug, Clone)]
pub struct ClaimedKey {
    pub client_id: String,
    pub key: String,
    pub locked_at: NaiveDateTime,
}

/// Result of a request's attempt to claim its key.
#[derive(Debug)]
pub enum Claim {
    /// The key is new (or expired, or abandoned): the request may run.
    Acquired(ClaimedKey),
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
            // Delete only the row that was read: if its request completed or another retry
            // took the key over in the meantime, this deletes nothing and the key stays busy.
            let deleted = diesel::delete(
                idempotency_keys::table
                    .find((client_id, key))
                    .filter(idempotency_keys::state.eq(&row.state))
                    .filter(idempotency_keys::locked_at.eq(row.locked_at)),
            )
            .execute(conn)?;
            if deleted == 0 {
                return Ok(Claim::InProgress);
            }
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
            Ok(Claim::Acquired(ClaimedKey {
                client_id: client_id.to_owned(),
                key: key.to_owned(),
                locked_at: now,
            }))
        } else {
            Ok(Claim::InProgress)
        }
    }

    /// Stores the response of a completed request under its claimed key.
    ///
    /// Call it in the transaction that creates the record, so that the record and the stored
    /// response commit together. Fails with `idempotency_key_in_use` when the claim was taken
    /// over by a retry, which rolls the create back.
    pub fn complete(
        conn: &mut Conn,
        claimed: &ClaimedKey,
        response: &StoredResponse,
    ) -> Result<(), ApiError> {
        let updated = diesel::update(
            idempotency_keys::table
                .find((&claimed.client_id, &claimed.key))
                .filter(idempotency_keys::state.eq(STATE_IN_PROGRESS))
                .filter(idempotency_keys::locked_at.eq(claimed.locked_at)),
        )
        .set((
                idempotency_keys::state.eq(STATE_COMPLETED),
                idempotency_keys::response_status.eq(i32::from(response.status)),
                idempotency_keys::response_body.eq(&response.body),
                idempotency_keys::response_etag.eq(&response.etag),
            idempotency_keys::response_location.eq(&response.location),
        ))
        .execute(conn)?;
        if updated == 0 {
            return Err(ApiError::idempotency_key_in_use());
        }
        Ok(())
    }

    /// Forgets a claimed key whose request failed, so that a retry runs again. A key that a
    /// retry took over in the meantime stays with that retry.
    pub fn release(conn: &mut Conn, claimed: &ClaimedKey) -> Result<(), ApiError> {
        diesel::delete(
            idempotency_keys::table
                .find((&claimed.client_id, &claimed.key))
                .filter(idempotency_keys::state.eq(STATE_IN_PROGRESS))
                .filter(idempotency_keys::locked_at.eq(claimed.locked_at)),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;
    use crate::store::{Pool, PoolOptions, Store};

    fn response() -> StoredResponse {
        StoredResponse {
            status: 201,
            body: "{}".to_owned(),
            etag: None,
            location: Some("/v1/students/1".to_owned()),
        }
    }

    #[test]
    fn stalled_request_cannot_complete_after_takeover() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let path = dir.path().join("ips.sqlite3").display().to_string();
        let options = PoolOptions {
            max_size: 1,
            acquire_timeout: std::time::Duration::from_secs(5),
        };
        let store = Store::connect(&path, &options).expect("store");
        store.migrate().expect("migrate");
        let Pool::Sqlite(pool) = store.pool() else {
            panic!("a file path opens SQLite");
        };
        let conn = &mut pool.get().expect("connection");

        let Claim::Acquired(first) = sqlite::claim(conn, "client", "key", "hash").expect("claim")
        else {
            panic!("a new key is acquired");
        };
        // The first request stalls for longer than the lock timeout.
        let stalled = ClaimedKey {
            locked_at: first.locked_at - LOCK_TIMEOUT,
            ..first
        };
        diesel::update(idempotency_keys::table)
            .set(idempotency_keys::locked_at.eq(stalled.locked_at))
            .execute(conn)
            .expect("age the claim");
        let Claim::Acquired(retry) = sqlite::claim(conn, "client", "key", "hash").expect("claim")
        else {
            panic!("an abandoned key is taken over");
        };

        let error = sqlite::complete(conn, &stalled, &response()).expect_err("claim was lost");
        assert_eq!(error.code(), ErrorCode::IdempotencyKeyInUse);
        sqlite::release(conn, &stalled).expect("release");
        sqlite::complete(conn, &retry, &response()).expect("the retry completes");
        let replay = sqlite::claim(conn, "client", "key", "hash").expect("claim");
        assert!(matches!(replay, Claim::Replay(_)), "{replay:?}");
    }
}
