//! The `ips-api` command line: serve, migrate, client, district and school administration,
//! and the OpenAPI document.

use std::time::Duration;

use anyhow::Context;
use clap::Parser;
use secrecy::ExposeSecret;

use ips_api::config::{
    Cli, ClientCommand, Command, DemoCommand, DistrictCommand, ImportCommand, SchoolCommand,
};
use ips_api::store::Store;
use ips_api::{AppState, admin, auth, telemetry};

/// How often expired idempotency keys are deleted.
const PURGE_INTERVAL: Duration = Duration::from_secs(3600);

/// Time a client has to send the request line and headers before the connection is closed
/// with 408. The body is bounded by the request time limit instead.
const CLIENT_REQUEST_TIMEOUT: Duration = Duration::from_secs(5);

/// Time a client has to close a connection after its response before it is dropped.
const CLIENT_DISCONNECT_TIMEOUT: Duration = Duration::from_secs(1);

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let log = match cli.command {
        // The demo loader sends about a thousand requests in-process; one access-log line
        // each would bury its output.
        Some(Command::Demo(_)) => format!("{},ips_api::telemetry=warn", cli.global.log),
        _ => cli.global.log.clone(),
    };
    telemetry::init(cli.global.log_format, &log);

    match cli.command.as_ref().unwrap_or(&Command::Serve) {
        Command::Openapi => {
            let document = ips_api::openapi_document()
                .to_pretty_json()
                .context("failed to render the OpenAPI document")?;
            println!("{document}");
            Ok(())
        }
        Command::Serve => serve(&cli),
        Command::Migrate => {
            let store = open_store(&cli)?;
            report_migrations(&store)
        }
        Command::Client(command) => {
            let store = open_store(&cli)?;
            store.migrate()?;
            client(&store, command)
        }
        Command::District(DistrictCommand::Create { id, name }) => {
            let store = open_store(&cli)?;
            store.migrate()?;
            admin::create_district(&store, id, name)?;
            println!("district {id} saved");
            Ok(())
        }
        Command::Import(ImportCommand::Onet { dir, release }) => {
            let store = open_store(&cli)?;
            store.migrate()?;
            let release = release.clone().unwrap_or_else(|| release_name(dir));
            let count = admin::import_onet(&store, dir, &release)?;
            println!("imported O*NET {release}: {count} occupations");
            Ok(())
        }
        Command::Demo(DemoCommand::Load) => {
            let store = open_store(&cli)?;
            store.migrate()?;
            demo_load(&store)
        }
        Command::School(SchoolCommand::Create { district, id, name }) => {
            let store = open_store(&cli)?;
            store.migrate()?;
            admin::create_school(&store, district, id, name)?;
            println!("school {id} of district {district} saved");
            Ok(())
        }
    }
}

/// Derives a release name from a directory such as `onet-29.3` or `db_29_3_text`.
fn release_name(dir: &std::path::Path) -> String {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name = name.trim_start_matches("onet-").trim_start_matches("db_");
    if name.is_empty() {
        "unknown".to_owned()
    } else {
        name.to_owned()
    }
}

fn open_store(cli: &Cli) -> anyhow::Result<Store> {
    let url = cli.global.database_url();
    Store::connect(url.expose_secret(), &cli.global.pool_options())
}

fn report_migrations(store: &Store) -> anyhow::Result<()> {
    let applied = store.migrate()?;
    if applied.is_empty() {
        tracing::info!(database = store.backend().name(), "no pending migrations");
    } else {
        tracing::info!(database = store.backend().name(), migrations = ?applied, "applied migrations");
    }
    Ok(())
}

fn client(store: &Store, command: &ClientCommand) -> anyhow::Result<()> {
    match command {
        ClientCommand::Create {
            name,
            districts,
            scopes,
        } => {
            let client = admin::create_client(store, name, districts, scopes)?;
            print_client(&client);
        }
        ClientCommand::List => {
            for client in admin::list_clients(store)? {
                let state = if client.revoked_at.is_some() {
                    "revoked"
                } else {
                    "active"
                };
                println!(
                    "{}\t{}\t{}\tdistricts={}\tscopes={}",
                    client.id, client.name, state, client.districts, client.scopes
                );
            }
        }
        ClientCommand::Revoke { id } => {
            admin::revoke_client(store, id)?;
            println!("client {id} revoked");
        }
    }
    Ok(())
}

/// Prints a new client as shell assignments, so that `eval "$(…)"` keeps it in variables.
fn print_client(client: &admin::NewClient) {
    println!("client_id={}", client.id);
    println!("client_secret={}", client.secret);
    println!("scopes='{}'", client.scopes.join(" "));
    println!("districts='{}'", client.districts.join(" "));
    eprintln!("Store the secret now: it is not shown again and only its hash is kept.");
}

fn demo_load(store: &Store) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let today = chrono::Utc::now().date_naive();
    let loaded = actix_web::rt::System::new().block_on(ips_api::demo::load(store, today))?;
    eprintln!(
        "loaded district {} in {:.1} s: {} schools, {} courses, {} students, {} plans, {} survey responses, {} reviews",
        ips_api::demo::DISTRICT_ID,
        started.elapsed().as_secs_f64(),
        loaded.schools,
        loaded.courses,
        loaded.students,
        loaded.plans,
        loaded.survey_responses,
        loaded.reviews
    );
    print_client(&loaded.client);
    Ok(())
}

fn serve(cli: &Cli) -> anyhow::Result<()> {
    let store = open_store(cli)?;
    report_migrations(&store)?;

    let options = &cli.serve;
    let secret = options.resolve_jwt_secret(&cli.global.data_dir)?;
    let state = actix_web::web::Data::new(AppState {
        store: store.clone(),
        tokens: auth::TokenKeys::new(&auth::jwt::TokenSettings {
            secret,
            issuer: options.jwt_issuer.clone(),
            audience: options.jwt_audience.clone(),
            lifetime: Duration::from_secs(options.token_lifetime_seconds.max(60)),
        }),
        limits: options.limits(),
        metrics: telemetry::Metrics::new()?,
        onet: Default::default(),
        active_clients: auth::ActiveClients::new(Duration::from_secs(
            options.revocation_check_seconds,
        )),
        rate_limits: options.rate_limits(),
    });

    let workers = if options.workers == 0 {
        std::thread::available_parallelism().map_or(2, |n| n.get())
    } else {
        options.workers
    };
    let bind = options.bind.clone();

    actix_web::rt::System::new().block_on(async move {
        actix_web::rt::spawn(purge_idempotency_keys(store.clone()));

        let server = actix_web::HttpServer::new(move || ips_api::app(state.clone()))
            .workers(workers)
            .client_request_timeout(CLIENT_REQUEST_TIMEOUT)
            .client_disconnect_timeout(CLIENT_DISCONNECT_TIMEOUT)
            .bind(&bind)
            .with_context(|| format!("failed to listen on {bind}"))?;
        tracing::info!(
            address = %bind,
            database = store.backend().name(),
            workers,
            "ips-api listening; API document at /openapi.json, browsable at /docs/"
        );
        server.run().await?;
        tracing::info!("ips-api stopped");
        Ok(())
    })
}

async fn purge_idempotency_keys(store: Store) {
    let mut interval = actix_web::rt::time::interval(PURGE_INTERVAL);
    loop {
        interval.tick().await;
        let store = store.clone();
        let purged =
            actix_web::rt::task::spawn_blocking(move || admin::purge_idempotency_keys(&store))
                .await;
        match purged {
            Ok(Ok(count)) if count > 0 => tracing::info!(count, "purged expired idempotency keys"),
            Ok(Ok(_)) => {}
            Ok(Err(error)) => tracing::warn!(
                error = format!("{error:#}"),
                "failed to purge idempotency keys"
            ),
            Err(error) => tracing::warn!(%error, "idempotency key purge task failed"),
        }
    }
}
