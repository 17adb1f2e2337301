//! The real `ips-api` binary as a separate process on 127.0.0.1, for tests that kill it or
//! take its database away. [`crate::support::TestApp`] cannot do that in-process.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::DISTRICT;

/// The binary under test, built by cargo for integration tests.
const BINARY: &str = env!("CARGO_BIN_EXE_ips-api");

/// How long a client waits for any response. Bounds a hang, never measures speed.
pub const CLIENT_TIMEOUT: Duration = Duration::from_secs(30);

/// A response read by [`Server::call`].
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub body: Value,
    pub text: String,
}

/// Environment of the binary: data directory, database and signing secret, shared by the
/// admin commands and `serve`.
pub struct ServerConfig {
    pub data_dir: PathBuf,
    pub database_url: String,
    /// Extra `IPS_…` variables for `serve`.
    pub extra_env: Vec<(&'static str, String)>,
}

impl ServerConfig {
    pub fn new(data_dir: &Path, database_url: &str) -> ServerConfig {
        ServerConfig {
            data_dir: data_dir.to_owned(),
            database_url: database_url.to_owned(),
            extra_env: Vec::new(),
        }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(BINARY);
        command
            .args(args)
            .env("IPS_DATA_DIR", &self.data_dir)
            .env("IPS_DATABASE_URL", &self.database_url)
            .env("IPS_JWT_SECRET", "real-binary-test-secret-0123456789abcdef")
            .env("IPS_LOG", "warn");
        command
    }

    /// Runs an admin command and returns its standard output.
    fn admin(&self, args: &[&str]) -> String {
        let output = self
            .command(args)
            .output()
            .unwrap_or_else(|error| panic!("failed to run {BINARY} {args:?}: {error}"));
        assert!(
            output.status.success(),
            "{args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// Migrates the database, creates [`DISTRICT`] with school 1234 and a client with every
    /// scope, and returns the client's id and secret.
    pub fn prepare(&self) -> (String, String) {
        self.admin(&["migrate"]);
        self.admin(&[
            "district",
            "create",
            "--id",
            DISTRICT,
            "--name",
            "Test District",
        ]);
        self.admin(&[
            "school",
            "create",
            "--district",
            DISTRICT,
            "--id",
            "1234",
            "--name",
            "North High",
        ]);
        let credentials = self.admin(&[
            "client",
            "create",
            "--name",
            "crash test",
            "--district",
            DISTRICT,
            "--scope",
            "all",
        ]);
        let value = |name: &str| {
            credentials
                .lines()
                .find_map(|line| line.strip_prefix(name))
                .unwrap_or_else(|| panic!("no {name} in client create output: {credentials}"))
                .to_owned()
        };
        (value("client_id="), value("client_secret="))
    }
}

/// A running `ips-api serve`, killed when dropped.
pub struct Server {
    child: Child,
    pub base_url: String,
    agent: ureq::Agent,
}

impl Server {
    /// Starts `serve` on a free port and waits until `/health/live` returns 200.
    pub fn start(config: &ServerConfig) -> Server {
        let port = free_port();
        let mut command = config.command(&["serve"]);
        command
            .env("IPS_BIND", format!("127.0.0.1:{port}"))
            .envs(config.extra_env.iter().map(|(name, value)| (name, value)))
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        let child = command
            .spawn()
            .unwrap_or_else(|error| panic!("failed to start {BINARY} serve: {error}"));
        let server = Server {
            child,
            base_url: format!("http://127.0.0.1:{port}"),
            agent: ureq::AgentBuilder::new().timeout(CLIENT_TIMEOUT).build(),
        };

        let deadline = Instant::now() + Duration::from_secs(30);
        while server.get("/health/live", None).map(|r| r.status) != Ok(200) {
            assert!(
                Instant::now() < deadline,
                "the server on {} did not start",
                server.base_url
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        server
    }

    /// Sends SIGKILL, so the process stops without any cleanup, and waits for it.
    pub fn kill(&mut self) {
        self.child.kill().expect("SIGKILL the server");
        self.child.wait().expect("wait for the killed server");
    }

    /// Gets a bearer token for a client.
    pub fn token(&self, client_id: &str, client_secret: &str) -> String {
        let reply = self
            .agent
            .post(&format!("{}/oauth/token", self.base_url))
            .send_form(&[
                ("grant_type", "client_credentials"),
                ("client_id", client_id),
                ("client_secret", client_secret),
            ]);
        let reply = read(reply).expect("token response");
        assert_eq!(reply.status, 200, "{}", reply.text);
        reply.body["access_token"]
            .as_str()
            .expect("access_token")
            .to_owned()
    }

    /// Sends a request; returns the response for every status, or the transport error.
    pub fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<(&str, &str)>,
    ) -> Result<Response, String> {
        let mut request = self
            .agent
            .request(method, &format!("{}{path}", self.base_url));
        if let Some(token) = token {
            request = request.set("Authorization", &format!("Bearer {token}"));
        }
        let reply = match body {
            Some((content_type, body)) => {
                request.set("Content-Type", content_type).send_string(body)
            }
            None => request.call(),
        };
        read(reply)
    }

    pub fn get(&self, path: &str, token: Option<&str>) -> Result<Response, String> {
        self.call("GET", path, token, None)
    }

    /// Reads every page of a list or of the change feed, following `nextCursor` or
    /// `nextAfter`.
    pub fn get_all(&self, path: &str, token: &str) -> Vec<Value> {
        let mut items = Vec::new();
        let mut page_path = path.to_owned();
        loop {
            let page = self.get(&page_path, Some(token)).expect("list page");
            assert_eq!(page.status, 200, "{page_path}: {}", page.text);
            let page_items = page.body["items"].as_array().expect("items");
            items.extend(page_items.iter().cloned());
            let separator = if path.contains('?') { '&' } else { '?' };
            if let Some(cursor) = page.body["nextCursor"].as_str() {
                page_path = format!("{path}{separator}cursor={cursor}");
            } else if page.body["hasMore"] == true {
                page_path = format!("{path}{separator}after={}", page.body["nextAfter"]);
            } else {
                return items;
            }
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn read(reply: Result<ureq::Response, ureq::Error>) -> Result<Response, String> {
    let reply = match reply {
        Ok(reply) | Err(ureq::Error::Status(_, reply)) => reply,
        Err(ureq::Error::Transport(error)) => return Err(error.to_string()),
    };
    let status = reply.status();
    let text = reply.into_string().map_err(|error| error.to_string())?;
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Ok(Response { status, body, text })
}

/// Returns a port on 127.0.0.1 that was free a moment ago.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free port on 127.0.0.1")
}
