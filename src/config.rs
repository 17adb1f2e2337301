//! Command line and environment configuration. Every option is also an `IPS_…` variable.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};

use crate::telemetry::LogFormat;

/// Shortest accepted token-signing secret, in bytes (HS256 keys should be at least 256 bits).
const MIN_SECRET_BYTES: usize = 32;

/// File name of the generated token-signing secret inside the data directory.
const SECRET_FILE: &str = "jwt-secret";

/// ips-api: the headless engine for Kansas Individual Plans of Study.
#[derive(Debug, Parser)]
#[command(name = "ips-api", version, about, long_about = None)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalOptions,
    #[command(flatten)]
    pub serve: ServeOptions,
    /// Command to run; `serve` when omitted.
    #[command(subcommand)]
    pub command: Option<Command>,
}

fn parse_secret(value: &str) -> Result<SecretString, String> {
    Ok(SecretString::from(value.to_owned()))
}

/// Options every command uses.
#[derive(Debug, Args)]
pub struct GlobalOptions {
    /// Directory for the embedded SQLite database and the generated token-signing secret.
    #[arg(long, env = "IPS_DATA_DIR", default_value = "./data", global = true)]
    pub data_dir: PathBuf,

    /// Database URL: `postgres://user:password@host:5432/db` for PostgreSQL, or a SQLite file
    /// path. Default: `<data-dir>/ips.sqlite3`.
    #[arg(long, env = "IPS_DATABASE_URL", global = true, hide_env_values = true, value_parser = parse_secret)]
    pub database_url: Option<SecretString>,

    /// Maximum open database connections.
    #[arg(long, env = "IPS_DB_POOL_SIZE", default_value_t = 16, global = true)]
    pub db_pool_size: u32,

    /// Seconds a request waits for a free database connection before it gets 503.
    #[arg(
        long,
        env = "IPS_DB_ACQUIRE_TIMEOUT_SECONDS",
        default_value_t = 5,
        global = true
    )]
    pub db_acquire_timeout_seconds: u64,

    /// Log format.
    #[arg(
        long,
        env = "IPS_LOG_FORMAT",
        value_enum,
        default_value = "pretty",
        global = true
    )]
    pub log_format: LogFormat,

    /// Log filter in `RUST_LOG` syntax, such as `info` or `ips_api=debug,info`.
    #[arg(long, env = "IPS_LOG", default_value = "info", global = true)]
    pub log: String,
}

impl GlobalOptions {
    /// Returns the database URL, defaulting to a SQLite file in the data directory.
    pub fn database_url(&self) -> SecretString {
        match &self.database_url {
            Some(url) => url.clone(),
            None => SecretString::from(self.data_dir.join("ips.sqlite3").display().to_string()),
        }
    }

    pub fn pool_options(&self) -> crate::store::PoolOptions {
        crate::store::PoolOptions {
            max_size: self.db_pool_size.max(1),
            acquire_timeout: Duration::from_secs(self.db_acquire_timeout_seconds.max(1)),
        }
    }
}

/// Options of the HTTP server.
#[derive(Debug, Args)]
pub struct ServeOptions {
    /// Address and port to listen on.
    #[arg(
        long,
        env = "IPS_BIND",
        default_value = "127.0.0.1:8080",
        global = true
    )]
    pub bind: String,

    /// HTTP worker threads; 0 means one per CPU core.
    #[arg(long, env = "IPS_WORKERS", default_value_t = 0, global = true)]
    pub workers: usize,

    /// Token-signing secret, at least 32 bytes. Default: a random secret generated on first
    /// run into `<data-dir>/jwt-secret`. Replicas must share one secret.
    #[arg(long, env = "IPS_JWT_SECRET", hide_env_values = true, value_parser = parse_secret, global = true)]
    pub jwt_secret: Option<SecretString>,

    /// The `iss` claim of issued tokens, required on presented ones.
    #[arg(long, env = "IPS_JWT_ISSUER", default_value = "ips-api", global = true)]
    pub jwt_issuer: String,

    /// The `aud` claim of issued tokens, required on presented ones.
    #[arg(
        long,
        env = "IPS_JWT_AUDIENCE",
        default_value = "ips-api",
        global = true
    )]
    pub jwt_audience: String,

    /// Lifetime of access tokens in seconds.
    #[arg(
        long,
        env = "IPS_TOKEN_LIFETIME_SECONDS",
        default_value_t = 1800,
        global = true
    )]
    pub token_lifetime_seconds: u64,

    /// Seconds a client, once confirmed not revoked, is trusted without checking again; a
    /// revoked client's tokens stop working within this many seconds. 0 checks every request.
    #[arg(
        long,
        env = "IPS_REVOCATION_CHECK_SECONDS",
        default_value_t = 2,
        global = true
    )]
    pub revocation_check_seconds: u64,

    /// Largest accepted JSON request body, in bytes.
    #[arg(
        long,
        env = "IPS_MAX_BODY_BYTES",
        default_value_t = 1_048_576,
        global = true
    )]
    pub max_body_bytes: usize,

    /// Largest accepted bulk (NDJSON or JSON array) request body, in bytes.
    #[arg(
        long,
        env = "IPS_MAX_BULK_BYTES",
        default_value_t = 67_108_864,
        global = true
    )]
    pub max_bulk_bytes: usize,

    /// Requests per second one API client may send on average, counted per replica; 0
    /// turns the limit off. Past it, requests get 429 with Retry-After.
    #[arg(
        long,
        env = "IPS_RATE_LIMIT_PER_SECOND",
        default_value_t = 100,
        global = true
    )]
    pub rate_limit_per_second: u32,

    /// Requests one API client may send at once after an idle period, above the
    /// per-second rate.
    #[arg(
        long,
        env = "IPS_RATE_LIMIT_BURST",
        default_value_t = 200,
        global = true
    )]
    pub rate_limit_burst: u32,

    /// Token requests per minute for one client id at POST /oauth/token, counted per
    /// replica, also the largest burst; 0 turns the limit off.
    #[arg(
        long,
        env = "IPS_TOKEN_RATE_LIMIT_PER_MINUTE",
        default_value_t = 30,
        global = true
    )]
    pub token_rate_limit_per_minute: u32,

    /// Seconds a request may take after its headers arrive, body reading included, before
    /// it gets 503. Bulk requests have their own limit.
    #[arg(
        long,
        env = "IPS_REQUEST_TIMEOUT_SECONDS",
        default_value_t = 30,
        global = true
    )]
    pub request_timeout_seconds: u64,

    /// Seconds a bulk request (`POST /v1/…:bulk`) may take before it gets 503.
    #[arg(
        long,
        env = "IPS_BULK_REQUEST_TIMEOUT_SECONDS",
        default_value_t = 300,
        global = true
    )]
    pub bulk_request_timeout_seconds: u64,
}

impl ServeOptions {
    /// Returns the body size and request time limits.
    pub fn limits(&self) -> crate::Limits {
        crate::Limits {
            max_body_bytes: self.max_body_bytes,
            max_bulk_bytes: self.max_bulk_bytes,
            request_timeout: Duration::from_secs(self.request_timeout_seconds.max(1)),
            bulk_request_timeout: Duration::from_secs(self.bulk_request_timeout_seconds.max(1)),
        }
    }

    /// Returns the rate limits of API requests and of the token endpoint.
    pub fn rate_limits(&self) -> crate::auth::RateLimits {
        crate::auth::RateLimits::new(
            crate::auth::Quota {
                per_second: f64::from(self.rate_limit_per_second),
                burst: self.rate_limit_burst,
            },
            crate::auth::Quota {
                per_second: f64::from(self.token_rate_limit_per_minute) / 60.0,
                burst: self.token_rate_limit_per_minute,
            },
        )
    }

    /// Returns the configured token-signing secret, or the one in the data directory
    /// (generated on first run).
    pub fn resolve_jwt_secret(&self, data_dir: &Path) -> anyhow::Result<SecretString> {
        if let Some(secret) = &self.jwt_secret {
            anyhow::ensure!(
                secret.expose_secret().len() >= MIN_SECRET_BYTES,
                "IPS_JWT_SECRET must be at least {MIN_SECRET_BYTES} bytes"
            );
            return Ok(secret.clone());
        }
        load_or_generate_secret(&data_dir.join(SECRET_FILE))
    }
}

/// Reads the secret file, or creates it with owner-only permissions.
fn load_or_generate_secret(path: &Path) -> anyhow::Result<SecretString> {
    if path.exists() {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("failed to read {}", path.display()))?;
        let secret = text.trim().to_owned();
        anyhow::ensure!(
            secret.len() >= MIN_SECRET_BYTES,
            "{} holds fewer than {MIN_SECRET_BYTES} bytes; delete it to generate a new secret",
            path.display()
        );
        return Ok(SecretString::from(secret));
    }

    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("failed to create {}", dir.display()))?;
    }
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let secret: String = bytes.iter().map(|b| format!("{b:02x}")).collect();

    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .with_context(|| format!("failed to create {}", path.display()))?;
    file.write_all(secret.as_bytes())?;
    tracing::info!(
        path = %path.display(),
        "generated a new token-signing secret (owner-only permissions); set IPS_JWT_SECRET to share one secret between replicas"
    );
    Ok(SecretString::from(secret))
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Apply migrations and serve HTTP (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Manage API clients.
    #[command(subcommand)]
    Client(ClientCommand),
    /// Manage districts.
    #[command(subcommand)]
    District(DistrictCommand),
    /// Manage schools.
    #[command(subcommand)]
    School(SchoolCommand),
    /// Import reference data.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Print the OpenAPI document as JSON.
    Openapi,
    /// Load demonstration data.
    #[command(subcommand)]
    Demo(DemoCommand),
}

/// Demonstration data commands.
#[derive(Debug, Subcommand)]
pub enum DemoCommand {
    /// Fill the database with the fictional district D0999: schools, a course catalog,
    /// 300 students with plans, survey results and reviews. Prints an API client for it in
    /// the format of `client create`. Fails when D0999 already exists.
    Load,
}

/// Reference-data imports.
#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Import an O*NET database release directory (the text files of the O*NET Resource
    /// Center download plus All_Career_Clusters.csv) and replace the previous release.
    Onet {
        /// The release directory.
        dir: PathBuf,
        /// Release name shown with the O*NET credit, such as 29.3. Default: the directory
        /// name without a leading `onet-` or `db_`.
        #[arg(long)]
        release: Option<String>,
    },
}

/// API client commands.
#[derive(Debug, Subcommand)]
pub enum ClientCommand {
    /// Create a client and print its id and secret. The secret is shown only once.
    Create {
        /// A name for the client, such as the vendor or script that uses it.
        #[arg(long)]
        name: String,
        /// A district the client may act for, such as D0259; repeat for several.
        #[arg(long = "district", required = true)]
        districts: Vec<String>,
        /// A scope to grant, such as students:read; repeat for several, or `all`.
        #[arg(long = "scope", required = true)]
        scopes: Vec<String>,
    },
    /// List clients (never their secrets).
    List,
    /// Revoke a client: its tokens stop working within IPS_REVOCATION_CHECK_SECONDS.
    Revoke {
        /// The client id.
        id: String,
    },
}

/// District commands.
#[derive(Debug, Subcommand)]
pub enum DistrictCommand {
    /// Create a district, or rename it when it exists.
    Create {
        /// KSDE district id, such as D0259.
        #[arg(long)]
        id: String,
        /// Display name, such as "Wichita USD 259".
        #[arg(long)]
        name: String,
    },
}

/// School commands.
#[derive(Debug, Subcommand)]
pub enum SchoolCommand {
    /// Create a school, or rename it when it exists.
    Create {
        /// The district, such as D0259; it must exist.
        #[arg(long)]
        district: String,
        /// KSDE building number, 4 digits.
        #[arg(long)]
        id: String,
        /// Display name.
        #[arg(long)]
        name: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_secret_is_reused_and_private() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join(SECRET_FILE);
        let first = load_or_generate_secret(&path).expect("generate");
        let second = load_or_generate_secret(&path).expect("reload");
        assert_eq!(first.expose_secret(), second.expose_secret());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path)
                .expect("metadata")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn cli_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
