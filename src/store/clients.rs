//! API clients (OAuth2 client-credentials clients).

use diesel::prelude::*;

use crate::error::ApiError;
use crate::store::schema::api_clients;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = api_clients, treat_none_as_default_value = false)]
pub struct ClientRow {
    pub id: String,
    pub name: String,
    /// Argon2id PHC string; the secret itself is never stored.
    pub secret_hash: String,
    /// Space-separated scopes.
    pub scopes: String,
    /// Space-separated district ids.
    pub districts: String,
    pub created_at: chrono::NaiveDateTime,
    pub revoked_at: Option<chrono::NaiveDateTime>,
}

impl ClientRow {
    pub fn scope_list(&self) -> Vec<String> {
        self.scopes.split_whitespace().map(str::to_owned).collect()
    }

    pub fn district_list(&self) -> Vec<String> {
        self.districts
            .split_whitespace()
            .map(str::to_owned)
            .collect()
    }
}

crate::store::for_each_backend! {
    pub fn insert(conn: &mut Conn, row: &ClientRow) -> Result<(), ApiError> {
        diesel::insert_into(api_clients::table).values(row).execute(conn)?;
        Ok(())
    }

    pub fn find(conn: &mut Conn, id: &str) -> Result<Option<ClientRow>, ApiError> {
        Ok(api_clients::table
            .find(id)
            .select(ClientRow::as_select())
            .first(conn)
            .optional()?)
    }

    pub fn list(conn: &mut Conn) -> Result<Vec<ClientRow>, ApiError> {
        Ok(api_clients::table
            .order(api_clients::created_at.asc())
            .select(ClientRow::as_select())
            .load(conn)?)
    }

    /// Marks a client revoked; returns false when no active client has that id.
    pub fn revoke(conn: &mut Conn, id: &str) -> Result<bool, ApiError> {
        let updated = diesel::update(
            api_clients::table
                .find(id)
                .filter(api_clients::revoked_at.is_null()),
        )
        .set(api_clients::revoked_at.eq(crate::store::now()))
        .execute(conn)?;
        Ok(updated == 1)
    }

    /// Reports whether the client exists and is not revoked.
    pub fn is_active(conn: &mut Conn, id: &str) -> Result<bool, ApiError> {
        let revoked: Option<Option<chrono::NaiveDateTime>> = api_clients::table
            .find(id)
            .select(api_clients::revoked_at)
            .first(conn)
            .optional()?;
        Ok(matches!(revoked, Some(None)))
    }
}
