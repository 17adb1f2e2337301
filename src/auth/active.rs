//! A short-lived, per-process record of clients confirmed active, so that a burst of requests
//! from one client checks its revocation once per interval instead of once per request.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Largest number of clients remembered; the record is cleared when it grows past this.
const MAX_CLIENTS: usize = 10_000;

/// Clients recently confirmed not revoked. With an interval of zero every request checks.
pub struct ActiveClients {
    interval: Duration,
    confirmed: Mutex<HashMap<String, Instant>>,
}

impl ActiveClients {
    /// Remembers a confirmation for `interval`; a revoked client's tokens stop working at the
    /// latest that long after `ips-api client revoke`.
    pub fn new(interval: Duration) -> ActiveClients {
        ActiveClients {
            interval,
            confirmed: Mutex::new(HashMap::new()),
        }
    }

    /// Reports whether `client_id` was confirmed active within the interval.
    pub fn recently_confirmed(&self, client_id: &str) -> bool {
        if self.interval.is_zero() {
            return false;
        }
        self.confirmed
            .lock()
            .ok()
            .and_then(|confirmed| confirmed.get(client_id).copied())
            .is_some_and(|at| at.elapsed() < self.interval)
    }

    /// Records that `client_id` is active now.
    pub fn confirm(&self, client_id: &str) {
        if self.interval.is_zero() {
            return;
        }
        if let Ok(mut confirmed) = self.confirmed.lock() {
            if confirmed.len() >= MAX_CLIENTS {
                confirmed.clear();
            }
            confirmed.insert(client_id.to_owned(), Instant::now());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_interval_never_remembers() {
        let clients = ActiveClients::new(Duration::ZERO);
        clients.confirm("a");
        assert!(!clients.recently_confirmed("a"));
    }

    #[test]
    fn confirmation_is_remembered_within_interval() {
        let clients = ActiveClients::new(Duration::from_secs(3600));
        assert!(!clients.recently_confirmed("a"));
        clients.confirm("a");
        assert!(clients.recently_confirmed("a"));
        assert!(!clients.recently_confirmed("b"));
    }
}
