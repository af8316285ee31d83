//! When a failed request is sent again, and after how long.
//!
//! The rules of the best SDKs: two retries by default; connection errors,
//! timeouts, 408, 409 `REQUEST_IN_PROGRESS`, 429 and 500, 502, 503, 504 are
//! retried, other statuses are not; only safe methods, and unsafe ones that
//! carry an `Idempotency-Key`, are retried at all. The wait doubles from
//! 0.5 s up to 8 s, less up to a quarter of jitter, unless the server sent
//! `Retry-After` (seconds or an HTTP date; `retry-after-ms` too), which is
//! honoured up to a cap: past the cap the error is returned instead.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

/// How a client retries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (default 2, so 3 attempts).
    pub max_retries: u32,
    /// The wait before the first retry (default 0.5 s); it doubles each time.
    pub initial_backoff: Duration,
    /// The longest computed wait (default 8 s).
    pub max_backoff: Duration,
    /// The longest `Retry-After` honoured (default 60 s); a longer one ends
    /// the retries and returns the error.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 2,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(8),
            max_retry_after: Duration::from_secs(60),
        }
    }
}

/// What went wrong with one attempt, as far as retrying is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure<'a> {
    /// The connection failed or the attempt timed out.
    Transport,
    /// The server answered with this status, error code and `Retry-After`
    /// (and `retry-after-ms`) header values.
    Status {
        status: u16,
        code: Option<&'a str>,
        retry_after: Option<&'a str>,
        retry_after_ms: Option<&'a str>,
    },
}

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    RetryAfter(Duration),
    GiveUp,
}

impl RetryPolicy {
    /// Never retry.
    pub fn none() -> Self {
        RetryPolicy {
            max_retries: 0,
            ..RetryPolicy::default()
        }
    }

    /// Whether a request may be sent twice: safe methods, or any method
    /// with an idempotency key the server deduplicates by.
    pub fn may_retry(method: &str, has_idempotency_key: bool) -> bool {
        has_idempotency_key
            || matches!(
                method.to_ascii_uppercase().as_str(),
                "GET" | "HEAD" | "OPTIONS" | "TRACE"
            )
    }

    /// Whether a status is worth another attempt.
    pub fn is_retryable_status(status: u16, code: Option<&str>) -> bool {
        match status {
            408 | 429 | 500 | 502 | 503 | 504 => true,
            // A conflict is transient only while another attempt runs.
            409 => code.is_none_or(|code| code == "REQUEST_IN_PROGRESS"),
            _ => false,
        }
    }

    /// The decision after `retries_done` retries failed with `failure`.
    pub fn next(&self, retries_done: u32, failure: Failure<'_>, now: SystemTime) -> Next {
        if retries_done >= self.max_retries {
            return Next::GiveUp;
        }
        let told = match failure {
            Failure::Transport => None,
            Failure::Status {
                status,
                code,
                retry_after,
                retry_after_ms,
            } => {
                if !RetryPolicy::is_retryable_status(status, code) {
                    return Next::GiveUp;
                }
                retry_after_ms
                    .and_then(parse_retry_after_ms)
                    .or_else(|| retry_after.and_then(|value| parse_retry_after(value, now)))
            }
        };
        match told {
            Some(wait) if wait > self.max_retry_after => Next::GiveUp,
            Some(wait) => Next::RetryAfter(wait),
            None => Next::RetryAfter(self.backoff(retries_done, jitter())),
        }
    }

    /// The computed wait before retry `retries_done + 1`: doubling from the
    /// initial backoff, capped, less up to 25% (`jitter` in `0.0..1.0`).
    pub fn backoff(&self, retries_done: u32, jitter: f64) -> Duration {
        let doubled = self
            .initial_backoff
            .saturating_mul(2u32.saturating_pow(retries_done.min(30)));
        let capped = doubled.min(self.max_backoff);
        capped.mul_f64(1.0 - 0.25 * jitter.clamp(0.0, 1.0))
    }
}

/// `Retry-After` as delay-seconds or an HTTP date (RFC 9110 section 10.2.3).
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// The non-standard `retry-after-ms` some servers send.
pub fn parse_retry_after_ms(value: &str) -> Option<Duration> {
    let millis: f64 = value.trim().parse().ok()?;
    (millis.is_finite() && millis >= 0.0).then(|| Duration::from_secs_f64(millis / 1000.0))
}

/// A number in `0.0..1.0` that differs from call to call, so that clients
/// that failed together do not retry together.
fn jitter() -> f64 {
    static CALLS: AtomicU64 = AtomicU64::new(0);
    let hash = RandomState::new().hash_one(CALLS.fetch_add(1, Ordering::Relaxed));
    (hash >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(status: u16) -> Failure<'static> {
        Failure::Status {
            status,
            code: None,
            retry_after: None,
            retry_after_ms: None,
        }
    }

    #[test]
    fn retries_what_is_transient_and_nothing_else() {
        let policy = RetryPolicy::default();
        let now = SystemTime::now();
        for code in [408, 409, 429, 500, 502, 503, 504] {
            assert!(
                matches!(policy.next(0, status(code), now), Next::RetryAfter(_)),
                "{code}"
            );
        }
        for code in [400, 401, 403, 404, 405, 413, 415, 422, 501] {
            assert_eq!(policy.next(0, status(code), now), Next::GiveUp, "{code}");
        }
        let reused = Failure::Status {
            status: 409,
            code: Some("CONFLICT"),
            retry_after: None,
            retry_after_ms: None,
        };
        assert_eq!(policy.next(0, reused, now), Next::GiveUp);
        assert!(matches!(
            policy.next(1, Failure::Transport, now),
            Next::RetryAfter(_)
        ));
        assert_eq!(policy.next(2, Failure::Transport, now), Next::GiveUp);
        assert_eq!(
            RetryPolicy::none().next(0, Failure::Transport, now),
            Next::GiveUp
        );
    }

    #[test]
    fn only_safe_or_keyed_requests_are_retried() {
        assert!(RetryPolicy::may_retry("GET", false));
        assert!(RetryPolicy::may_retry("head", false));
        assert!(!RetryPolicy::may_retry("POST", false));
        assert!(!RetryPolicy::may_retry("DELETE", false));
        assert!(RetryPolicy::may_retry("POST", true));
    }

    #[test]
    fn backoff_doubles_to_the_cap_less_jitter() {
        let policy = RetryPolicy {
            max_retries: 10,
            ..RetryPolicy::default()
        };
        let waits: Vec<u128> = (0..6).map(|n| policy.backoff(n, 0.0).as_millis()).collect();
        assert_eq!(waits, [500, 1000, 2000, 4000, 8000, 8000]);
        assert_eq!(policy.backoff(0, 1.0), Duration::from_millis(375));
        for _ in 0..100 {
            let value = jitter();
            assert!((0.0..1.0).contains(&value));
        }
    }

    #[test]
    fn retry_after_is_honoured_up_to_its_cap() {
        let policy = RetryPolicy::default();
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let told = |retry_after: Option<&str>, retry_after_ms: Option<&str>| {
            policy.next(
                0,
                Failure::Status {
                    status: 429,
                    code: None,
                    retry_after,
                    retry_after_ms,
                },
                now,
            )
        };
        assert_eq!(
            told(Some("3"), None),
            Next::RetryAfter(Duration::from_secs(3))
        );
        assert_eq!(
            told(Some("2"), Some("1500")),
            Next::RetryAfter(Duration::from_millis(1500))
        );
        let date = httpdate::fmt_http_date(now + Duration::from_secs(7));
        assert_eq!(
            told(Some(&date), None),
            Next::RetryAfter(Duration::from_secs(7))
        );
        let past = httpdate::fmt_http_date(now - Duration::from_secs(7));
        assert_eq!(told(Some(&past), None), Next::RetryAfter(Duration::ZERO));
        assert_eq!(told(Some("3600"), None), Next::GiveUp);
        assert!(matches!(told(Some("soon"), None), Next::RetryAfter(_)));
    }
}
