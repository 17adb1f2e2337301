//! Request rate limits per API client: one token bucket per key, held in this process.
//!
//! Each replica keeps its own buckets, so behind a load balancer with N replicas one client
//! may reach up to N times the configured rate.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use actix_web::http::header;

use crate::error::{ApiError, ErrorCode};

/// Largest number of keys with a bucket of their own. Past it, new keys share one overflow
/// bucket until idle buckets are dropped, so memory stays bounded whatever keys arrive.
const MAX_BUCKETS: usize = 10_000;

/// How often buckets that have refilled completely are dropped.
const SWEEP_INTERVAL: Duration = Duration::from_secs(60);

/// How often they are dropped while the table is full, which bounds the cost of sweeping
/// when many keys arrive at once.
const FULL_SWEEP_INTERVAL: Duration = Duration::from_secs(1);

/// A sustained rate with a burst allowance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quota {
    /// Requests admitted per second on average; 0 turns the limit off.
    pub per_second: f64,
    /// Requests admitted at once after an idle period (the bucket size), at least 1.
    pub burst: u32,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

impl Bucket {
    fn full(quota: &Quota, now: Instant) -> Bucket {
        Bucket {
            tokens: quota.capacity(),
            updated: now,
        }
    }

    /// Adds the tokens earned since the last update, up to the bucket size.
    fn refill(&mut self, quota: &Quota, now: Instant) {
        let earned = now.saturating_duration_since(self.updated).as_secs_f64() * quota.per_second;
        self.tokens = (self.tokens + earned).min(quota.capacity());
        self.updated = now;
    }

    /// Reports whether the bucket would be full at `now`, so that dropping it changes nothing.
    fn is_refilled(&self, quota: &Quota, now: Instant) -> bool {
        let mut copy = *self;
        copy.refill(quota, now);
        copy.tokens >= quota.capacity()
    }

    /// Takes one token, or returns how long until one is available.
    fn take(&mut self, quota: &Quota, now: Instant) -> Result<(), Duration> {
        self.refill(quota, now);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            return Ok(());
        }
        Err(Duration::from_secs_f64(
            (1.0 - self.tokens) / quota.per_second,
        ))
    }
}

impl Quota {
    fn capacity(&self) -> f64 {
        f64::from(self.burst.max(1))
    }

    fn is_unlimited(&self) -> bool {
        self.per_second <= 0.0
    }
}

struct Buckets {
    by_key: HashMap<String, Bucket>,
    overflow: Bucket,
    last_sweep: Instant,
}

/// Token buckets keyed by client id (or another caller key), under one quota.
pub struct RateLimiter {
    quota: Quota,
    buckets: Mutex<Buckets>,
}

impl RateLimiter {
    pub fn new(quota: Quota) -> RateLimiter {
        let now = Instant::now();
        RateLimiter {
            quota,
            buckets: Mutex::new(Buckets {
                by_key: HashMap::new(),
                overflow: Bucket::full(&quota, now),
                last_sweep: now,
            }),
        }
    }

    /// Admits one request of `key`, or fails with 429 and a `Retry-After` header.
    pub fn admit(&self, key: &str) -> Result<(), ApiError> {
        self.take(key, Instant::now())
            .map_err(|wait| self.rejection(wait))
    }

    fn take(&self, key: &str, now: Instant) -> Result<(), Duration> {
        if self.quota.is_unlimited() {
            return Ok(());
        }
        let mut buckets = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
        let quota = self.quota;

        let interval = if buckets.by_key.len() >= MAX_BUCKETS {
            FULL_SWEEP_INTERVAL
        } else {
            SWEEP_INTERVAL
        };
        if now.saturating_duration_since(buckets.last_sweep) >= interval {
            buckets
                .by_key
                .retain(|_, bucket| !bucket.is_refilled(&quota, now));
            buckets.last_sweep = now;
        }

        if let Some(bucket) = buckets.by_key.get_mut(key) {
            return bucket.take(&quota, now);
        }
        if buckets.by_key.len() >= MAX_BUCKETS {
            return buckets.overflow.take(&quota, now);
        }
        let mut bucket = Bucket::full(&quota, now);
        let taken = bucket.take(&quota, now);
        buckets.by_key.insert(key.to_owned(), bucket);
        taken
    }

    fn rejection(&self, wait: Duration) -> ApiError {
        // Retry-After takes whole seconds; rounding up never invites an early retry.
        let seconds = wait.as_secs_f64().ceil().max(1.0);
        ApiError::new(
            ErrorCode::RateLimited,
            format!(
                "this client exceeded its rate limit of {} requests per second (bursts of {}); retry after {seconds} seconds",
                self.quota.per_second,
                self.quota.burst.max(1)
            ),
        )
        .with_header(header::RETRY_AFTER, &seconds.to_string())
    }

    #[cfg(test)]
    fn bucket_count(&self) -> usize {
        self.buckets
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .by_key
            .len()
    }
}

/// The limiters of the API: one for requests with a bearer token, keyed by its client id,
/// and one for the token endpoint, keyed by the client id that the request names.
///
/// The token endpoint is keyed by client id rather than by remote address because behind a
/// load balancer every request arrives from the balancer's address. The cost is that anyone
/// who has a client id can use up that client's token requests for a while, though not the
/// tokens it already holds.
pub struct RateLimits {
    pub api: RateLimiter,
    pub token: RateLimiter,
}

impl RateLimits {
    pub fn new(api: Quota, token: Quota) -> RateLimits {
        RateLimits {
            api: RateLimiter::new(api),
            token: RateLimiter::new(token),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const QUOTA: Quota = Quota {
        per_second: 2.0,
        burst: 3,
    };

    #[test]
    fn burst_is_admitted_then_rejected() {
        let limiter = RateLimiter::new(QUOTA);
        let now = Instant::now();
        for _ in 0..3 {
            assert_eq!(limiter.take("a", now), Ok(()));
        }
        let wait = limiter.take("a", now).expect_err("bucket empty");
        assert_eq!(wait, Duration::from_millis(500));
    }

    #[test]
    fn tokens_refill_at_the_rate() {
        let limiter = RateLimiter::new(QUOTA);
        let now = Instant::now();
        for _ in 0..3 {
            limiter.take("a", now).expect("burst");
        }
        assert!(limiter.take("a", now + Duration::from_millis(400)).is_err());
        assert_eq!(limiter.take("a", now + Duration::from_millis(500)), Ok(()));
    }

    #[test]
    fn keys_have_separate_buckets() {
        let limiter = RateLimiter::new(QUOTA);
        let now = Instant::now();
        for _ in 0..3 {
            limiter.take("a", now).expect("burst");
        }
        assert!(limiter.take("a", now).is_err());
        assert_eq!(limiter.take("b", now), Ok(()));
    }

    #[test]
    fn zero_rate_admits_everything() {
        let limiter = RateLimiter::new(Quota {
            per_second: 0.0,
            burst: 1,
        });
        let now = Instant::now();
        for _ in 0..100 {
            assert_eq!(limiter.take("a", now), Ok(()));
        }
    }

    #[test]
    fn refilled_buckets_are_dropped_on_sweep() {
        let limiter = RateLimiter::new(QUOTA);
        let now = Instant::now();
        limiter.take("idle", now).expect("first request");
        limiter.take("busy", now).expect("first request");
        let later = now + SWEEP_INTERVAL;
        for _ in 0..3 {
            limiter.take("busy", later).expect("burst");
        }
        assert_eq!(limiter.bucket_count(), 1, "only the busy bucket remains");
    }

    #[test]
    fn keys_past_the_maximum_share_one_bucket() {
        let limiter = RateLimiter::new(QUOTA);
        let now = Instant::now();
        for n in 0..MAX_BUCKETS {
            limiter
                .take(&format!("client-{n}"), now)
                .expect("first request");
        }
        for _ in 0..3 {
            limiter.take("new-1", now).expect("overflow burst");
        }
        assert!(
            limiter.take("new-2", now).is_err(),
            "new keys share one bucket"
        );
        assert_eq!(limiter.bucket_count(), MAX_BUCKETS);
    }

    #[test]
    fn rejection_rounds_retry_after_up() {
        let limiter = RateLimiter::new(QUOTA);
        let error = limiter.rejection(Duration::from_millis(1200));
        assert_eq!(error.code(), ErrorCode::RateLimited);
        let response = error.render(None, None);
        assert_eq!(
            response
                .headers()
                .get(header::RETRY_AFTER)
                .map(|v| v.as_bytes()),
            Some(&b"2"[..])
        );
    }
}
