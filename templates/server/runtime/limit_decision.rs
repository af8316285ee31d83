//! What the limiter decided for one request, and the headers that report
//! it: `RateLimit-Policy` and `RateLimit` (the IETF draft's structured
//! fields) and the `X-RateLimit-*` trio clients already read.

use axum::body::Bytes;
use axum::http::header::{HeaderName, HeaderValue};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use crate::runtime::algorithms::{Quota, Verdict};
use crate::runtime::envelope;
use crate::runtime::error::ApiError;

static RATELIMIT_POLICY: HeaderName = HeaderName::from_static("ratelimit-policy");
static RATELIMIT: HeaderName = HeaderName::from_static("ratelimit");
static X_RATELIMIT_LIMIT: HeaderName = HeaderName::from_static("x-ratelimit-limit");
static X_RATELIMIT_REMAINING: HeaderName = HeaderName::from_static("x-ratelimit-remaining");
static X_RATELIMIT_RESET: HeaderName = HeaderName::from_static("x-ratelimit-reset");

/// One policy's answer.
#[derive(Debug, Clone, Copy)]
pub struct PolicyStatus {
    pub name: &'static str,
    pub quota: Quota,
    pub verdict: Verdict,
}

impl PolicyStatus {
    /// Whole seconds until more quota, rounded up.
    fn reset_seconds(&self) -> u64 {
        self.verdict.reset_after.div_ceil(1_000_000)
    }
}

/// The two numbers of a policy's item in `RateLimit-Policy` or `RateLimit`.
type ItemNumbers = fn(&PolicyStatus) -> (u64, u64);

/// The answer for a request: one status per policy (none when unlimited).
#[derive(Debug, Clone, Default)]
pub struct Decision {
    /// When the decision was made (Unix microseconds).
    pub now: u64,
    pub statuses: Vec<PolicyStatus>,
}

impl Decision {
    pub fn allowed(&self) -> bool {
        self.statuses.iter().all(|status| status.verdict.allowed)
    }

    /// Seconds until every refusing policy would allow the request: rounded
    /// up, never 0, never before any refusing policy's `t`.
    pub fn retry_after(&self) -> Option<u64> {
        self.statuses
            .iter()
            .filter(|status| !status.verdict.allowed)
            .map(PolicyStatus::reset_seconds)
            .max()
            .map(|seconds| seconds.max(1))
    }

    /// `429 RATE_LIMIT_EXCEEDED` with `Retry-After` and `error.retry_after`.
    pub fn refusal(&self) -> ApiError {
        let mut error = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "RATE_LIMIT_EXCEEDED",
            "Too many requests; retry after the number of seconds in Retry-After.",
        );
        error.retry_after = Some(self.retry_after().unwrap_or(1));
        error
    }

    /// The `429` response, with every rate-limit header.
    pub fn refuse(&self, request_id: &str) -> Response {
        self.apply(envelope::error(&self.refusal(), request_id))
    }

    /// Adds the rate-limit headers to a response.
    pub fn apply(&self, mut response: Response) -> Response {
        self.write_headers(response.headers_mut());
        response
    }

    /// Writes `RateLimit-Policy`, `RateLimit` and `X-RateLimit-*`. This
    /// runs on every response, so the five values are written into one
    /// buffer they share: two allocations instead of five.
    pub fn write_headers(&self, headers: &mut HeaderMap) {
        if self.statuses.is_empty() {
            return;
        }
        let mut text = Vec::with_capacity(48 + 64 * self.statuses.len());
        let mut number = itoa::Buffer::new();
        let mut ends = [0; 5];
        // `RateLimit-Policy` and `RateLimit`: one item per policy.
        let items: [(&str, &str, ItemNumbers); 2] = [
            (";q=", ";w=", |s| (s.quota.requests, s.quota.window_seconds)),
            (";r=", ";t=", |s| (s.verdict.remaining, s.reset_seconds())),
        ];
        for (end, (first, second, numbers)) in ends.iter_mut().zip(items) {
            for (index, s) in self.statuses.iter().enumerate() {
                let values = numbers(s);
                if index > 0 {
                    text.extend_from_slice(b", ");
                }
                for piece in ["\"", s.name, "\"", first, number.format(values.0), second] {
                    text.extend_from_slice(piece.as_bytes());
                }
                text.extend_from_slice(number.format(values.1).as_bytes());
            }
            *end = text.len();
        }
        // The legacy headers describe the policy closest to running out.
        let tightest = self
            .statuses
            .iter()
            .min_by_key(|s| {
                (
                    s.verdict.remaining,
                    std::cmp::Reverse(s.verdict.reset_after),
                )
            })
            .expect("at least one status");
        let reset = (self.now + tightest.verdict.reset_after).div_ceil(1_000_000);
        let legacy = [tightest.quota.requests, tightest.verdict.remaining, reset];
        for (end, value) in ends[2..].iter_mut().zip(legacy) {
            text.extend_from_slice(number.format(value).as_bytes());
            *end = text.len();
        }
        let text = Bytes::from(text);
        let names = [
            &RATELIMIT_POLICY,
            &RATELIMIT,
            &X_RATELIMIT_LIMIT,
            &X_RATELIMIT_REMAINING,
            &X_RATELIMIT_RESET,
        ];
        headers.reserve(names.len());
        let mut start = 0;
        for (name, end) in names.into_iter().zip(ends) {
            // A policy name a header cannot carry leaves its headers out.
            if let Ok(value) = HeaderValue::from_maybe_shared(text.slice(start..end)) {
                headers.insert(name.clone(), value);
            }
            start = end;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(name: &'static str, remaining: u64) -> PolicyStatus {
        PolicyStatus {
            name,
            quota: Quota {
                requests: 100,
                window_seconds: 60,
            },
            verdict: Verdict {
                allowed: true,
                remaining,
                reset_after: 1_500_000,
            },
        }
    }

    #[test]
    fn headers_describe_every_policy_and_the_tightest() {
        let decision = Decision {
            now: 10_000_000,
            statuses: vec![status("default", 98), status("burst", 4)],
        };
        let mut headers = HeaderMap::new();
        decision.write_headers(&mut headers);
        assert_eq!(
            headers["ratelimit-policy"],
            "\"default\";q=100;w=60, \"burst\";q=100;w=60"
        );
        assert_eq!(
            headers["ratelimit"],
            "\"default\";r=98;t=2, \"burst\";r=4;t=2"
        );
        assert_eq!(headers["x-ratelimit-limit"], "100");
        assert_eq!(headers["x-ratelimit-remaining"], "4");
        assert_eq!(headers["x-ratelimit-reset"], "12");
    }

    #[test]
    fn long_values_are_whole() {
        let names: Vec<&'static str> = (0..20)
            .map(|n| &*Box::leak(format!("policy-number-{n}").into_boxed_str()))
            .collect();
        let decision = Decision {
            now: 0,
            statuses: names.iter().map(|name| status(name, 1)).collect(),
        };
        let mut headers = HeaderMap::new();
        decision.write_headers(&mut headers);
        let policies = headers["ratelimit-policy"].to_str().unwrap();
        assert!(policies.len() > 256);
        assert_eq!(policies.matches(";q=100;w=60").count(), 20);
        assert!(policies.ends_with("\"policy-number-19\";q=100;w=60"));
    }
}
