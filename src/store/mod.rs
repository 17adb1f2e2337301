//! Storage: diesel over SQLite (embedded default) or PostgreSQL.
//!
//! Every query function is written once and compiled for each backend: a module body wrapped in
//! [`for_each_backend!`] becomes `sqlite` and `pg` submodules whose `Conn` type is the concrete
//! diesel connection. Batch inserts and `ON CONFLICT` therefore work on both backends, which a
//! `MultiConnection` enum cannot offer. Callers pick the backend once per request with
//! [`read!`] or [`write!`], which run one transaction on a blocking thread, or [`lookup!`].
//!
//! Insertable rows set `treat_none_as_default_value = false`, because no column has a default
//! other than NULL. On SQLite, diesel splits a batch insert into one statement per row when
//! any value may be `DEFAULT`.

pub mod changes;
pub mod clients;
pub mod courses;
pub mod districts;
pub mod idempotency;
pub mod plans;
pub mod reports;
pub mod reviews;
pub mod rule_sets;
pub mod schema;
pub mod students;
pub mod surveys;

use std::path::Path;
use std::time::Duration;

use anyhow::Context;
use diesel::connection::SimpleConnection;
use diesel::r2d2::{ConnectionManager, CustomizeConnection};
use diesel::{PgConnection, SqliteConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::error::ApiError;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Wraps a module body so that it is compiled once per backend, as `sqlite` and `pg`.
///
/// Inside the body, `Conn` is the backend's connection type and `q` is the matching module
/// of [`sqlite`] or [`pg`], so one aggregate's queries can call another's.
macro_rules! for_each_backend {
    ($($body:item)*) => {
        pub mod sqlite {
            #![allow(unused_imports)]
            use super::*;
            use $crate::store::sqlite as q;
            pub type Conn = ::diesel::SqliteConnection;
            $($body)*
        }
        pub mod pg {
            #![allow(unused_imports)]
            use super::*;
            use $crate::store::pg as q;
            pub type Conn = ::diesel::PgConnection;
            $($body)*
        }
    };
}
pub(crate) use for_each_backend;

/// Runs `$query` with `$filter` bound to a filter of `$column` on `$district_ids`: equality
/// when there is one district, `IN`/`= ANY` when there are several.
///
/// Equality gives a statement whose SQL never changes, so diesel prepares it once per
/// connection on both backends; SQLite's `IN (?, …)` has as many parameters as districts and
/// is parsed again for every call. The query is compiled once per form.
macro_rules! in_districts {
    ($column:expr, $district_ids:expr, |$filter:ident| $query:expr) => {{
        match &$district_ids[..] {
            [district_id] => {
                let $filter = ::diesel::ExpressionMethods::eq($column, district_id);
                $query
            }
            district_ids => {
                let $filter = ::diesel::ExpressionMethods::eq_any($column, district_ids);
                $query
            }
        }
    }};
}
pub(crate) use in_districts;

/// The SQLite instantiation of every query module.
pub mod sqlite {
    pub use super::changes::sqlite as changes;
    pub use super::clients::sqlite as clients;
    pub use super::courses::sqlite as courses;
    pub use super::districts::sqlite as districts;
    pub use super::idempotency::sqlite as idempotency;
    pub use super::plans::sqlite as plans;
    pub use super::reports::sqlite as reports;
    pub use super::reviews::sqlite as reviews;
    pub use super::rule_sets::sqlite as rule_sets;
    pub use super::students::sqlite as students;
    pub use super::surveys::sqlite as surveys;
}

/// The PostgreSQL instantiation of every query module.
pub mod pg {
    pub use super::changes::pg as changes;
    pub use super::clients::pg as clients;
    pub use super::courses::pg as courses;
    pub use super::districts::pg as districts;
    pub use super::idempotency::pg as idempotency;
    pub use super::plans::pg as plans;
    pub use super::reports::pg as reports;
    pub use super::reviews::pg as reviews;
    pub use super::rule_sets::pg as rule_sets;
    pub use super::students::pg as students;
    pub use super::surveys::pg as surveys;
}

/// Runs `$body` with a pooled connection of the store's backend, on the calling thread.
///
/// `$conn` is bound to `&mut SqliteConnection` or `&mut PgConnection` and `$q` to the matching
/// query modules. The body is compiled twice, once per backend.
macro_rules! with_conn {
    ($store:expr, |$conn:ident, $q:ident| $body:expr) => {{
        match $store.pool() {
            $crate::store::Pool::Sqlite(pool) => {
                let mut pooled = pool.get().map_err($crate::error::ApiError::from)?;
                let $conn: &mut ::diesel::SqliteConnection = &mut pooled;
                #[allow(unused_imports)]
                use $crate::store::sqlite as $q;
                $body
            }
            $crate::store::Pool::Postgres(pool) => {
                let mut pooled = pool.get().map_err($crate::error::ApiError::from)?;
                let $conn: &mut ::diesel::PgConnection = &mut pooled;
                #[allow(unused_imports)]
                use $crate::store::pg as $q;
                $body
            }
        }
    }};
}
pub(crate) use with_conn;

/// Runs `$body` in a read-only transaction on a blocking thread and awaits the result.
macro_rules! read {
    ($store:expr, |$conn:ident, $q:ident| $body:expr) => {{
        let store = $store.clone();
        $crate::store::blocking(move || {
            $crate::store::with_conn!(store, |pooled, $q| {
                $crate::store::Transactional::read_transaction(pooled, |$conn| $body)
            })
        })
        .await
    }};
}
pub(crate) use read;

/// Runs a lookup of a few rows by key, without the transaction that [`read!`] opens, and
/// awaits the result.
///
/// On SQLite, when the pool has a free connection, the lookup runs on the calling thread,
/// because an indexed read of an embedded database takes less time than handing the work to
/// a blocking thread and waking the worker again. When no connection is free, and always on
/// PostgreSQL, whose reads wait on the network, it runs on a blocking thread. Use [`read!`]
/// for anything that may read many rows.
macro_rules! lookup {
    ($store:expr, |$conn:ident, $q:ident| $body:expr) => {{
        let store = $store.clone();
        let idle = match store.pool() {
            $crate::store::Pool::Sqlite(pool) => pool.try_get(),
            $crate::store::Pool::Postgres(_) => None,
        };
        match idle {
            Some(mut pooled) => {
                let $conn: &mut ::diesel::SqliteConnection = &mut pooled;
                #[allow(unused_imports)]
                use $crate::store::sqlite as $q;
                $body
            }
            None => {
                $crate::store::blocking(move || $crate::store::with_conn!(store, |$conn, $q| $body))
                    .await
            }
        }
    }};
}
pub(crate) use lookup;

/// Runs `$body` in a write transaction on a blocking thread and awaits the result.
///
/// SQLite write transactions start with `BEGIN IMMEDIATE`, so a transaction that reads before
/// it writes waits for the write lock (up to `busy_timeout`) instead of failing on upgrade.
macro_rules! write {
    ($store:expr, |$conn:ident, $q:ident| $body:expr) => {{
        let store = $store.clone();
        $crate::store::blocking(move || {
            $crate::store::with_conn!(store, |pooled, $q| {
                $crate::store::Transactional::write_transaction(pooled, |$conn| $body)
            })
        })
        .await
    }};
}
pub(crate) use write;

/// Opens the kind of transaction each backend needs.
///
/// On PostgreSQL, statements in a transaction are planned for their actual parameters
/// (`plan_cache_mode = force_custom_plan`). diesel keeps prepared statements per connection,
/// and after five executions PostgreSQL may switch one to a generic plan that ignores the
/// parameter values. For the `= ANY(…)` key lookups of bulk upserts, a generic plan made while
/// a table was still small scans the whole table, and 50,000 new students took 41 s instead of
/// about 4 s. Lookups by primary key run outside transactions ([`lookup!`]) and keep generic
/// plans, which skip planning.
pub trait Transactional {
    fn read_transaction<T, F>(&mut self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut Self) -> Result<T, ApiError>;

    fn write_transaction<T, F>(&mut self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut Self) -> Result<T, ApiError>;
}

impl Transactional for SqliteConnection {
    fn read_transaction<T, F>(&mut self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut Self) -> Result<T, ApiError>,
    {
        diesel::Connection::transaction(self, f)
    }

    fn write_transaction<T, F>(&mut self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut Self) -> Result<T, ApiError>,
    {
        self.immediate_transaction(f)
    }
}

impl Transactional for PgConnection {
    fn read_transaction<T, F>(&mut self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut Self) -> Result<T, ApiError>,
    {
        custom_plan_transaction(self, f)
    }

    fn write_transaction<T, F>(&mut self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut Self) -> Result<T, ApiError>,
    {
        custom_plan_transaction(self, f)
    }
}

/// Runs `f` in a PostgreSQL transaction whose statements get custom plans.
fn custom_plan_transaction<T, F>(conn: &mut PgConnection, f: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut PgConnection) -> Result<T, ApiError>,
{
    diesel::Connection::transaction(conn, |conn| {
        conn.batch_execute("SET LOCAL plan_cache_mode = force_custom_plan")?;
        f(conn)
    })
}

/// Runs blocking database work off the async executor, inside the caller's span and with the
/// caller's log subscriber, so that its log lines carry the request id.
pub async fn blocking<T, F>(work: F) -> Result<T, ApiError>
where
    F: FnOnce() -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    let span = tracing::Span::current();
    let dispatch = tracing::dispatcher::get_default(Clone::clone);
    tokio::task::spawn_blocking(move || {
        tracing::dispatcher::with_default(&dispatch, || span.in_scope(work))
    })
    .await
    .map_err(ApiError::internal)?
}

/// Outcome of a bulk upsert for one item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UpsertOutcome {
    /// A new record with this id.
    Created(String),
    /// An existing record, changed; its id.
    Updated(String),
    /// An existing record that already had these values; its id.
    Unchanged(String),
    Failed(Vec<crate::error::FieldError>),
}

/// Database engine of a store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// A connection pool of one backend.
pub enum Pool {
    Sqlite(r2d2::Pool<ConnectionManager<SqliteConnection>>),
    Postgres(r2d2::Pool<ConnectionManager<PgConnection>>),
}

/// Pool settings.
#[derive(Debug, Clone)]
pub struct PoolOptions {
    /// Maximum open connections.
    pub max_size: u32,
    /// How long a request waits for a free connection before it gets 503.
    pub acquire_timeout: Duration,
}

/// The database handle shared by all requests. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    pool: std::sync::Arc<Pool>,
}

impl Store {
    /// Connects to `url`: `postgres://…`/`postgresql://…`, or a SQLite file path (optionally
    /// prefixed with `sqlite://`). A new SQLite file and its directory are created.
    pub fn connect(url: &str, options: &PoolOptions) -> anyhow::Result<Store> {
        let pool = if is_postgres_url(url) {
            let manager = ConnectionManager::<PgConnection>::new(url);
            // No background replenishment (`min_idle` 0): r2d2 would otherwise open a
            // connection on a pool thread after each checkout, and a command that exits during
            // that connect crashes inside libpq's process teardown.
            // A restart of PostgreSQL leaves every pooled connection dead without notice.
            // Checking each connection with `SELECT 1` at checkout costs one round trip, and
            // in return the pool replaces dead connections instead of failing a request with
            // each of them.
            let pool = r2d2::Pool::builder()
                .max_size(options.max_size)
                .min_idle(Some(0))
                .connection_timeout(options.acquire_timeout)
                .test_on_check_out(true)
                .build(manager)
                .context("failed to connect to PostgreSQL")?;
            Pool::Postgres(pool)
        } else {
            let path = sqlite_path(url);
            if let Some(dir) = Path::new(path)
                .parent()
                .filter(|d| !d.as_os_str().is_empty() && !d.exists())
            {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("failed to create directory {}", dir.display()))?;
                // The database holds student records: keep a new data directory private.
                #[cfg(unix)]
                std::fs::set_permissions(dir, std::os::unix::fs::PermissionsExt::from_mode(0o700))
                    .with_context(|| format!("failed to restrict {}", dir.display()))?;
            }
            // WAL mode is stored in the database file; switching once here, before the pool
            // opens its connections, avoids racing connections that all try to switch.
            let mut conn = <SqliteConnection as diesel::Connection>::establish(path)
                .with_context(|| format!("failed to open SQLite database {path}"))?;
            conn.batch_execute("PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL;")
                .with_context(|| format!("failed to enable WAL mode on {path}"))?;
            drop(conn);

            let manager = ConnectionManager::<SqliteConnection>::new(path);
            let pool = r2d2::Pool::builder()
                .max_size(options.max_size)
                .min_idle(Some(0))
                .connection_timeout(options.acquire_timeout)
                .test_on_check_out(false)
                .connection_customizer(Box::new(SqlitePragmas))
                .build(manager)
                .with_context(|| format!("failed to open SQLite database {path}"))?;
            Pool::Sqlite(pool)
        };
        Ok(Store {
            pool: std::sync::Arc::new(pool),
        })
    }

    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    pub fn backend(&self) -> Backend {
        match *self.pool {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    /// Applies pending migrations and returns the versions it applied.
    pub fn migrate(&self) -> anyhow::Result<Vec<String>> {
        let migrations = self.migrations();
        let applied = || -> Result<anyhow::Result<Vec<String>>, ApiError> {
            Ok(with_conn!(self, |conn, _q| apply_migrations(
                conn, migrations
            )))
        };
        applied().map_err(|e| anyhow::anyhow!("failed to connect to the database: {e}"))?
    }

    /// Reports whether every embedded migration has been applied.
    pub fn migrations_current(&self) -> Result<bool, ApiError> {
        with_conn!(self, |conn, _q| {
            conn.has_pending_migration(self.migrations())
                .map(|pending| !pending)
                .map_err(|e| ApiError::internal(anyhow::anyhow!("{e}")))
        })
    }

    /// Runs `SELECT 1` to check that the database responds.
    pub fn ping(&self) -> Result<(), ApiError> {
        with_conn!(self, |conn, _q| {
            conn.batch_execute("SELECT 1").map_err(ApiError::from)
        })
    }

    fn migrations(&self) -> EmbeddedMigrations {
        match self.backend() {
            Backend::Sqlite => SQLITE_MIGRATIONS,
            Backend::Postgres => POSTGRES_MIGRATIONS,
        }
    }
}

fn apply_migrations<C>(conn: &mut C, migrations: EmbeddedMigrations) -> anyhow::Result<Vec<String>>
where
    C: MigrationHarness<C::Backend> + diesel::Connection,
{
    let applied = conn
        .run_pending_migrations(migrations)
        .map_err(|e| anyhow::anyhow!("failed to apply migrations: {e}"))?;
    Ok(applied.iter().map(|v| v.to_string()).collect())
}

/// Reports whether `url` selects PostgreSQL.
pub fn is_postgres_url(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

fn sqlite_path(url: &str) -> &str {
    url.strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url)
}

/// Per-connection SQLite settings: wait up to 10 s for a lock instead of failing with
/// `SQLITE_BUSY`, enforce foreign keys (off by default in SQLite), and keep temporary files
/// in memory. Each bulk chunk inserts inside a savepoint, and SQLite otherwise writes its
/// rollback journal to a temporary file page by page, which took a third of the CPU profile
/// of a 50,000-student import. The journal holds only the pages that one chunk changes.
#[derive(Debug)]
struct SqlitePragmas;

impl CustomizeConnection<SqliteConnection, diesel::r2d2::Error> for SqlitePragmas {
    fn on_acquire(&self, conn: &mut SqliteConnection) -> Result<(), diesel::r2d2::Error> {
        conn.batch_execute(
            "PRAGMA busy_timeout = 10000;
             PRAGMA synchronous = NORMAL;
             PRAGMA foreign_keys = ON;
             PRAGMA temp_store = MEMORY;",
        )
        .map_err(diesel::r2d2::Error::QueryError)
    }
}

/// Returns the current time, truncated to microseconds so that both backends store the same value.
pub fn now() -> chrono::NaiveDateTime {
    let now = chrono::Utc::now().naive_utc();
    chrono::Timelike::with_nanosecond(&now, now.and_utc().timestamp_subsec_micros() * 1000)
        .unwrap_or(now)
}

/// Generates a time-ordered (v7) UUID as a lowercase hyphenated string.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}
