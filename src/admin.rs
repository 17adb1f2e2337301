//! Operator commands behind the command line: clients, districts and schools.

use std::collections::BTreeSet;

use anyhow::{Context, bail};

use crate::auth::Scope;
use crate::auth::secret::{generate_secret, hash_secret};
use crate::domain::identifiers::{is_district_id, is_school_id};
use crate::error::ApiError;
use crate::store::Store;
use crate::store::clients::ClientRow;
use crate::store::districts::{DistrictRow, SchoolRow};

pub(crate) fn run<T>(work: impl FnOnce() -> Result<T, ApiError>) -> anyhow::Result<T> {
    work().map_err(|error| match error.source_error() {
        Some(source) => anyhow::anyhow!("{error}: {source:#}"),
        None => anyhow::anyhow!("{error}"),
    })
}

/// A newly created client with its one-time secret.
pub struct NewClient {
    pub id: String,
    pub secret: String,
    pub scopes: Vec<String>,
    pub districts: Vec<String>,
}

/// Parses scope arguments; `all` grants every scope.
pub fn parse_scopes(values: &[String]) -> anyhow::Result<Vec<String>> {
    let mut scopes = BTreeSet::new();
    for value in values
        .iter()
        .flat_map(|v| v.split([',', ' ']))
        .filter(|v| !v.is_empty())
    {
        if value == "all" {
            scopes.extend(Scope::ALL);
        } else {
            scopes.insert(value.parse::<Scope>().map_err(anyhow::Error::msg)?);
        }
    }
    Ok(scopes.into_iter().map(|s| s.as_str().to_owned()).collect())
}

/// Creates an API client for existing districts and returns its secret once.
pub fn create_client(
    store: &Store,
    name: &str,
    districts: &[String],
    scopes: &[String],
) -> anyhow::Result<NewClient> {
    let scopes = parse_scopes(scopes)?;
    if scopes.is_empty() {
        bail!("give at least one --scope");
    }
    let mut district_ids: Vec<String> = districts.to_vec();
    district_ids.sort();
    district_ids.dedup();
    for id in &district_ids {
        let exists = run(|| {
            crate::store::with_conn!(store, |conn, q| q::districts::district_exists(conn, id))
        })?;
        if !exists {
            bail!(
                "district {id} does not exist; create it first with `ips-api district create --id {id} --name NAME`"
            );
        }
    }

    let secret = generate_secret();
    let row = ClientRow {
        id: crate::store::new_id(),
        name: name.to_owned(),
        secret_hash: hash_secret(&secret)?,
        scopes: scopes.join(" "),
        districts: district_ids.join(" "),
        created_at: crate::store::now(),
        revoked_at: None,
    };
    run(|| crate::store::with_conn!(store, |conn, q| q::clients::insert(conn, &row)))?;
    Ok(NewClient {
        id: row.id,
        secret,
        scopes,
        districts: district_ids,
    })
}

/// Lists every client.
pub fn list_clients(store: &Store) -> anyhow::Result<Vec<ClientRow>> {
    run(|| crate::store::with_conn!(store, |conn, q| q::clients::list(conn)))
}

/// Revokes a client.
pub fn revoke_client(store: &Store, id: &str) -> anyhow::Result<()> {
    let revoked = run(|| crate::store::with_conn!(store, |conn, q| q::clients::revoke(conn, id)))?;
    if !revoked {
        bail!("no active client has the id {id}; `ips-api client list` shows the clients");
    }
    Ok(())
}

/// Creates or renames a district.
pub fn create_district(store: &Store, id: &str, name: &str) -> anyhow::Result<()> {
    if !is_district_id(id) {
        bail!(
            "district id {id:?} is invalid; use D followed by the 4-digit USD number, such as D0259"
        );
    }
    let row = DistrictRow {
        id: id.to_owned(),
        name: name.to_owned(),
        created_at: crate::store::now(),
    };
    run(|| crate::store::with_conn!(store, |conn, q| q::districts::upsert_district(conn, &row)))
}

/// Creates or renames a school of an existing district.
pub fn create_school(store: &Store, district_id: &str, id: &str, name: &str) -> anyhow::Result<()> {
    if !is_school_id(id) {
        bail!("school id {id:?} is invalid; use the 4-digit KSDE building number");
    }
    let exists = run(|| {
        crate::store::with_conn!(store, |conn, q| q::districts::district_exists(
            conn,
            district_id
        ))
    })?;
    if !exists {
        bail!(
            "district {district_id} does not exist; create it first with `ips-api district create`"
        );
    }
    let row = SchoolRow {
        district_id: district_id.to_owned(),
        id: id.to_owned(),
        name: name.to_owned(),
        created_at: crate::store::now(),
    };
    run(|| crate::store::with_conn!(store, |conn, q| q::districts::upsert_school(conn, &row)))
        .context("failed to create the school")
}

/// Deletes idempotency keys past their retention period; returns how many.
pub fn purge_idempotency_keys(store: &Store) -> anyhow::Result<usize> {
    run(|| crate::store::with_conn!(store, |conn, q| q::idempotency::purge_expired(conn)))
}

/// File names of an O*NET release directory that the import reads.
const ONET_FILES: [&str; 4] = [
    "Occupation Data.txt",
    "Interests.txt",
    "Job Zones.txt",
    "All_Career_Clusters.csv",
];

/// Imports an O*NET release directory and replaces the previous release in one transaction.
/// A file that fails to parse leaves the previous release in place; the error names the file
/// and line. Returns the number of occupations imported.
pub fn import_onet(store: &Store, dir: &std::path::Path, release: &str) -> anyhow::Result<usize> {
    use crate::domain::survey::{OnetFiles, OnetRelease};
    use crate::store::surveys::{ReleaseRow, encode_occupations};

    let mut texts = Vec::with_capacity(ONET_FILES.len());
    for name in ONET_FILES {
        let path = dir.join(name);
        let text = std::fs::read_to_string(&path).with_context(|| {
            format!(
                "failed to read {}; is {} an O*NET release directory?",
                path.display(),
                dir.display()
            )
        })?;
        texts.push(text);
    }
    let parsed = OnetRelease::parse(OnetFiles {
        occupation_data: &texts[0],
        interests: &texts[1],
        job_zones: &texts[2],
        career_clusters: &texts[3],
    })
    .map_err(|error| anyhow::anyhow!("{error}"))?;

    let count = parsed.occupations.len();
    let row = ReleaseRow {
        id: crate::store::new_id(),
        release: release.to_owned(),
        occupation_count: i32::try_from(count)?,
        occupations: run(|| encode_occupations(&parsed))?,
        imported_at: crate::store::now(),
    };
    run(|| {
        crate::store::with_conn!(store, |pooled, q| {
            crate::store::Transactional::write_transaction(pooled, |conn| {
                q::surveys::replace_release(conn, &row)
            })
        })
    })?;
    Ok(count)
}
