//! PostgreSQL stopped and started again under load: requests fail fast with 503, readiness
//! turns 503, and the running service recovers by itself. A restart between two requests
//! fails none of them.
//!
//! The test runs its own PostgreSQL cluster in a temporary directory on a free port, so it
//! never disturbs the server that other tests share.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::server::{Response, Server, ServerConfig, free_port};
use crate::support::student;

/// Upper bound for one request while the database is down. The service waits at most
/// `IPS_DB_ACQUIRE_TIMEOUT_SECONDS` (1 here) for a connection, so this only catches hangs.
const FAIL_FAST_BOUND: Duration = Duration::from_secs(10);

/// Connections of the service's pool, all of them used before the outage.
const POOL_SIZE: usize = 8;

/// A PostgreSQL cluster of this test, listening on 127.0.0.1 only, removed when dropped.
struct PrivateCluster {
    bin_dir: PathBuf,
    dir: tempfile::TempDir,
    port: u16,
}

impl PrivateCluster {
    /// Creates and starts a cluster with the newest PostgreSQL installed under
    /// `/usr/lib/postgresql`. Returns `None` when that fails, which fails the test under CI.
    fn start() -> Option<PrivateCluster> {
        match PrivateCluster::create() {
            Ok(cluster) => Some(cluster),
            Err(reason) if std::env::var_os("CI").is_some() => {
                panic!("a private PostgreSQL cluster is required under CI: {reason}")
            }
            Err(reason) => {
                eprintln!("PostgreSQL outage test skipped: {reason}");
                None
            }
        }
    }

    fn create() -> Result<PrivateCluster, String> {
        let bin_dir = newest_postgres_bin_dir()?;
        let dir = tempfile::tempdir().map_err(|error| format!("temporary directory: {error}"))?;
        let cluster = PrivateCluster {
            bin_dir,
            dir,
            port: free_port(),
        };
        if running_as_root() {
            // initdb rejects root, so the cluster belongs to the postgres user.
            run(Command::new("chown")
                .arg("postgres:")
                .arg(cluster.dir.path()))?;
        }
        cluster.run_tool(
            "initdb",
            &[
                "--pgdata",
                &cluster.data_dir(),
                "--username",
                "postgres",
                "--auth",
                "trust",
                "--no-sync",
            ],
        )?;
        cluster.pg_ctl_start()?;
        Ok(cluster)
    }

    fn data_dir(&self) -> String {
        self.dir.path().join("data").display().to_string()
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// Runs a PostgreSQL program, as the postgres user when the test runs as root.
    fn run_tool(&self, program: &str, args: &[&str]) -> Result<(), String> {
        let program = self.bin_dir.join(program);
        let mut command = if running_as_root() {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(&program);
            command
        } else {
            Command::new(&program)
        };
        command.args(args).current_dir(self.dir.path());
        run(&mut command)
    }

    fn pg_ctl_start(&self) -> Result<(), String> {
        let options = format!(
            "-p {} -c listen_addresses=127.0.0.1 -k {} -c fsync=off",
            self.port,
            self.dir.path().display()
        );
        let log = self.dir.path().join("postgres.log").display().to_string();
        self.run_tool(
            "pg_ctl",
            &[
                "start",
                "--wait",
                "--pgdata",
                &self.data_dir(),
                "--log",
                &log,
                "--options",
                &options,
            ],
        )
    }

    fn stop(&self, mode: &str) -> Result<(), String> {
        self.run_tool(
            "pg_ctl",
            &[
                "stop",
                "--wait",
                "--pgdata",
                &self.data_dir(),
                "--mode",
                mode,
            ],
        )
    }
}

impl Drop for PrivateCluster {
    fn drop(&mut self) {
        let _ = self.stop("immediate");
    }
}

fn newest_postgres_bin_dir() -> Result<PathBuf, String> {
    let root = Path::new("/usr/lib/postgresql");
    let entries = std::fs::read_dir(root)
        .map_err(|error| format!("no PostgreSQL installation in {}: {error}", root.display()))?;
    entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let version: u32 = entry.file_name().to_str()?.parse().ok()?;
            let bin_dir = entry.path().join("bin");
            bin_dir
                .join("initdb")
                .exists()
                .then_some((version, bin_dir))
        })
        .max()
        .map(|(_, bin_dir)| bin_dir)
        .ok_or_else(|| format!("no initdb under {}/*/bin", root.display()))
}

fn running_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|output| output.stdout.starts_with(b"0\n"))
}

fn run(command: &mut Command) -> Result<(), String> {
    let output = command
        .output()
        .map_err(|error| format!("failed to run {command:?}: {error}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{command:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

/// Sends one request and checks that it returned within [`FAIL_FAST_BOUND`].
fn timed_get(server: &Server, path: &str, token: Option<&str>) -> Response {
    let started = Instant::now();
    let reply = server
        .get(path, token)
        .unwrap_or_else(|error| panic!("GET {path} got no response: {error}"));
    assert!(
        started.elapsed() < FAIL_FAST_BOUND,
        "GET {path} took {:?}",
        started.elapsed()
    );
    reply
}

fn assert_unavailable(reply: &Response, request: &str) {
    assert_eq!(reply.status, 503, "{request}: {}", reply.text);
    assert_eq!(
        reply.body["code"], "service_unavailable",
        "{request}: {}",
        reply.text
    );
    assert_eq!(reply.body["status"], 503, "{request} has a problem body");
}

/// Sends `count` reads of `path` at once, so that the pool hands out as many connections,
/// and returns their statuses.
fn concurrent_reads(server: &Server, path: &str, token: &str, count: usize) -> Vec<u16> {
    std::thread::scope(|scope| {
        let readers: Vec<_> = (0..count)
            .map(|_| scope.spawn(|| timed_get(server, path, Some(token)).status))
            .collect();
        readers
            .into_iter()
            .map(|reader| reader.join().expect("reader thread"))
            .collect()
    })
}

/// Polls `path` until it returns 200 or `deadline` passes.
fn wait_for_200(server: &Server, path: &str, token: Option<&str>, deadline: Instant) -> Response {
    loop {
        let reply = timed_get(server, path, token);
        if reply.status == 200 || Instant::now() > deadline {
            return reply;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn postgres_restart_fails_fast_and_recovers() {
    let Some(cluster) = PrivateCluster::start() else {
        return;
    };
    let data_dir = tempfile::tempdir().expect("data directory");
    let mut config = ServerConfig::new(data_dir.path(), &cluster.url());
    config
        .extra_env
        .push(("IPS_DB_ACQUIRE_TIMEOUT_SECONDS", "1".to_owned()));
    config
        .extra_env
        .push(("IPS_DB_POOL_SIZE", POOL_SIZE.to_string()));
    let (client_id, client_secret) = config.prepare();
    let server = Arc::new(Server::start(&config));
    let token = server.token(&client_id, &client_secret);

    let created = server
        .call(
            "POST",
            "/v1/students",
            Some(&token),
            Some((
                "application/json",
                &json!(student("4000000001")).to_string(),
            )),
        )
        .expect("create a student");
    assert_eq!(created.status, 201, "{}", created.text);
    let path = format!("/v1/students/{}", created.body["id"].as_str().expect("id"));
    assert_eq!(timed_get(&server, "/health/ready", None).status, 200);
    // Fill the pool with connections that the outage will leave stale.
    let warm_up = concurrent_reads(&server, &path, &token, POOL_SIZE);
    assert!(warm_up.iter().all(|status| *status == 200), "{warm_up:?}");

    // Steady reads from another thread for the whole test; each must be 200 or 503.
    let running = Arc::new(AtomicBool::new(true));
    let traffic = {
        let (server, path, token, running) =
            (server.clone(), path.clone(), token.clone(), running.clone());
        std::thread::spawn(move || {
            let mut statuses = Vec::new();
            while running.load(Ordering::Relaxed) {
                statuses.push(timed_get(&server, &path, Some(&token)).status);
                std::thread::sleep(Duration::from_millis(20));
            }
            statuses
        })
    };
    std::thread::sleep(Duration::from_millis(300));

    cluster.stop("fast").expect("stop PostgreSQL");
    for attempt in 0..5 {
        assert_unavailable(
            &timed_get(&server, &path, Some(&token)),
            &format!("read {attempt} while PostgreSQL is down"),
        );
    }
    assert_unavailable(
        &timed_get(&server, "/health/ready", None),
        "readiness while PostgreSQL is down",
    );

    cluster.pg_ctl_start().expect("start PostgreSQL again");
    let deadline = Instant::now() + Duration::from_secs(30);
    let ready = wait_for_200(&server, "/health/ready", None, deadline);
    assert_eq!(
        ready.status, 200,
        "readiness after PostgreSQL returned: {}",
        ready.text
    );
    for round in 0..3 {
        let statuses = concurrent_reads(&server, &path, &token, POOL_SIZE);
        assert!(
            statuses.iter().all(|status| *status == 200),
            "reads of round {round} after recovery: {statuses:?}"
        );
    }

    running.store(false, Ordering::Relaxed);
    let statuses = traffic.join().expect("traffic thread");
    assert!(
        statuses
            .iter()
            .all(|status| *status == 200 || *status == 503),
        "background reads got {statuses:?}"
    );
    assert!(statuses.contains(&503), "no background read saw the outage");
    assert_eq!(
        statuses.last(),
        Some(&200),
        "background reads did not recover"
    );

    // A restart between two requests: the pool still contains connections to the old server
    // process, and none of them may reach a request.
    let warm_up = concurrent_reads(&server, &path, &token, POOL_SIZE);
    assert!(warm_up.iter().all(|status| *status == 200), "{warm_up:?}");
    cluster.stop("fast").expect("stop PostgreSQL");
    cluster.pg_ctl_start().expect("start PostgreSQL again");
    let ready = timed_get(&server, "/health/ready", None);
    assert_eq!(
        ready.status, 200,
        "readiness right after the restart: {}",
        ready.text
    );
    let statuses = concurrent_reads(&server, &path, &token, POOL_SIZE);
    assert!(
        statuses.iter().all(|status| *status == 200),
        "reads right after the restart: {statuses:?}"
    );
}
