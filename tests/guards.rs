//! The generated rate limiter, on both backends: the algorithms against a
//! clock the test moves, and the limits through a real router on a real
//! socket (`tests/specs/guards.yaml`). The Redis half runs against
//! `REDIS_URL` (default `redis://127.0.0.1:6379`); under `CI=true` it must.

#[path = "support/guards.rs"]
mod guards_support;
#[path = "support/postgres.rs"]
mod postgres_support;
#[path = "support/redis.rs"]
mod redis_support;

use std::time::Duration;

use guards_server::runtime::algorithms::{self, Algorithm, Quota, State};
use guards_server::runtime::clock::{Clock, ManualClock};
use guards_server::runtime::rate_limit::{KeySource, Policy, QuotaOverrides, Subject};
use reqwest::StatusCode;
use serde_json::json;

use guards_support::{config, serve, stores};

// ---------------------------------------------------------------------------
// The algorithms, against a clock the test moves.

const SECOND: u64 = 1_000_000;

/// Runs `check` for each time, keeping state as the limiter would.
fn replay(algorithm: Algorithm, quota: Quota, times: &[u64]) -> Vec<(bool, u64, u64)> {
    let mut state: Option<State> = None;
    times
        .iter()
        .map(|&now| {
            let outcome = algorithms::check(algorithm, quota, state, now);
            if outcome.verdict.allowed {
                state = Some(outcome.state);
            }
            let v = outcome.verdict;
            (v.allowed, v.remaining, v.reset_after)
        })
        .collect()
}

fn allowed(results: &[(bool, u64, u64)]) -> Vec<bool> {
    results.iter().map(|r| r.0).collect()
}

#[test]
fn gcra_lets_exactly_the_burst_through_then_one_per_interval() {
    let quota = Quota {
        requests: 3,
        window_seconds: 1,
    };
    let t = 1_000 * SECOND;
    let results = replay(Algorithm::Gcra, quota, &[t, t, t, t]);
    assert_eq!(allowed(&results), [true, true, true, false]);
    assert_eq!(
        results.iter().map(|r| r.1).collect::<Vec<_>>(),
        [2, 1, 0, 0],
        "remaining counts down"
    );
    // The refused request learns the wait: about one emission interval.
    let wait = results[3].2;
    assert!((333_000..=333_334).contains(&wait), "{wait}");
    // It is exact: refused a microsecond before, then one passes, and only one.
    let results = replay(
        Algorithm::Gcra,
        quota,
        &[t, t, t, t + wait - 1, t + wait, t + wait],
    );
    assert_eq!(allowed(&results), [true, true, true, false, true, false]);
}

#[test]
fn gcra_banks_nothing_during_a_long_idle() {
    // governor's `does_not_allow_one_extra_cell_after_longer_interval`.
    let quota = Quota {
        requests: 2,
        window_seconds: 1,
    };
    let t = 5 * SECOND;
    let later = t + 3_600 * SECOND;
    let results = replay(Algorithm::Gcra, quota, &[t, t, later, later, later]);
    assert_eq!(allowed(&results), [true, true, true, true, false]);
    // governor's `rejects_too_many`: after the burst, the next is refused
    // until exactly one interval has passed.
    let results = replay(Algorithm::Gcra, quota, &[t, t, t + 1, t + SECOND / 2]);
    assert_eq!(allowed(&results), [true, true, false, true]);
}

#[test]
fn fixed_windows_reset_at_the_edge_and_allow_the_double_burst() {
    let quota = Quota {
        requests: 2,
        window_seconds: 10,
    };
    let start = 100 * SECOND; // a window boundary
    let end = start + 10 * SECOND;
    let results = replay(
        Algorithm::FixedWindow,
        quota,
        &[end - 1, end - 1, end - 1, end, end, end],
    );
    // The warning of the seed: four requests within a microsecond of the edge.
    assert_eq!(allowed(&results), [true, true, false, true, true, false]);
    assert_eq!(results[2].2, 1, "the refusal waits for the window's end");
}

#[test]
fn sliding_windows_weigh_the_previous_window() {
    let quota = Quota {
        requests: 2,
        window_seconds: 10,
    };
    let start = 100 * SECOND;
    let next = start + 10 * SECOND;
    let results = replay(
        Algorithm::SlidingWindow,
        quota,
        &[
            start,
            start,
            start + 1,
            next,
            next + 5 * SECOND,
            next + 5 * SECOND,
        ],
    );
    // At the edge the previous window still counts fully; halfway, half.
    assert_eq!(allowed(&results), [true, true, false, false, true, false]);
    // The refusal at the edge is told to wait until it would pass.
    let wait = results[3].2;
    assert_eq!(wait, 5 * SECOND);
}

#[test]
fn token_buckets_refill_evenly() {
    let quota = Quota {
        requests: 2,
        window_seconds: 10,
    };
    let t = 7 * SECOND;
    let results = replay(
        Algorithm::TokenBucket,
        quota,
        &[t, t, t, t + 5 * SECOND, t + 5 * SECOND],
    );
    assert_eq!(allowed(&results), [true, true, false, true, false]);
    assert_eq!(results[2].2, 5 * SECOND, "one token takes 5 s");
}

/// The Redis script is a port of `algorithms.rs`: the same requests at the
/// same times get the same verdicts from both backends.
#[tokio::test]
async fn both_backends_give_the_algorithms_verdicts() {
    for store in stores().await {
        for (algorithm, requests, window) in [
            (Algorithm::Gcra, 3, 1),
            (Algorithm::FixedWindow, 2, 10),
            (Algorithm::SlidingWindow, 2, 10),
            (Algorithm::TokenBucket, 2, 10),
        ] {
            let clock = ManualClock::starting_at(1_000 * SECOND);
            let mut config = config(&store, "algorithms");
            config.clock = Clock::manual(clock.clone());
            let limiter = config.layers().limiter;
            let policy = Policy {
                name: "test",
                quota: Quota {
                    requests,
                    window_seconds: window,
                },
                key: KeySource::Principal,
                algorithm,
                tiers: &[],
            };
            let headers = reqwest::header::HeaderMap::new();
            let subject = Subject {
                principal: Some(("someone", None)),
                client_ip: None,
                headers: &headers,
            };
            let steps = [
                0,
                0,
                0,
                1,
                SECOND / 3,
                4 * SECOND,
                5 * SECOND,
                0,
                30 * SECOND,
                0,
            ];
            let mut times = Vec::new();
            let mut seen = Vec::new();
            for step in steps {
                clock.advance(Duration::from_micros(step));
                times.push(clock.now_micros());
                let decision = limiter.check(&[policy], &subject).await;
                let verdict = decision.statuses[0].verdict;
                seen.push((verdict.allowed, verdict.remaining, verdict.reset_after));
            }
            let expected = replay(algorithm, policy.quota, &times);
            assert_eq!(seen, expected, "{algorithm:?} on {store:?}");
        }
    }
}

// ---------------------------------------------------------------------------
// Rate limits through the router.

#[tokio::test]
async fn limits_report_every_policy_and_refuse_with_429() {
    for store in stores().await {
        let server = serve(config(&store, "headers")).await;
        for n in 0..3 {
            let reply = server
                .order("alice", &format!("k{n}"), &json!({"note": format!("n{n}")}))
                .await;
            assert_eq!(reply.status, StatusCode::CREATED, "{store:?}");
            assert_eq!(
                reply.header("ratelimit-policy"),
                Some("\"default\";q=5;w=60, \"burst\";q=3;w=1")
            );
            let rate = reply.header("ratelimit").unwrap();
            assert!(
                rate.starts_with(&format!("\"default\";r={};t=", 4 - n)),
                "{rate}"
            );
            assert!(
                rate.contains(&format!("\"burst\";r={};t=1", 2 - n)),
                "{rate}"
            );
            // The legacy headers describe the tighter policy: the burst guard.
            assert_eq!(reply.header("x-ratelimit-limit"), Some("3"));
            assert_eq!(
                reply.header("x-ratelimit-remaining"),
                Some((2 - n).to_string().as_str())
            );
            let reset: u64 = reply.header("x-ratelimit-reset").unwrap().parse().unwrap();
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_secs();
            assert!(reset >= now && reset <= now + 2, "{reset} vs {now}");
        }
        let refused = server
            .order("alice", "k-refused", &json!({"note": "refused"}))
            .await;
        assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(refused.code(), "RATE_LIMIT_EXCEEDED");
        assert_eq!(refused.header("retry-after"), Some("1"));
        assert_eq!(refused.json()["error"]["retry_after"], 1);
        assert_eq!(refused.json()["success"], false);
        assert!(refused
            .header("ratelimit")
            .unwrap()
            .contains("\"burst\";r=0;t=1"));
        assert!(refused.header("x-request-id").is_some());
        // Another principal has its own counters.
        let other = server.order("bob", "k0", &json!({"note": "bob"})).await;
        assert_eq!(other.status, StatusCode::CREATED);
        // The refusal ran nothing and stored nothing: the same key runs later.
        assert_eq!(server.runs.of("refused"), 0);
        tokio::time::sleep(Duration::from_millis(1_100)).await;
        let retried = server
            .order("alice", "k-refused", &json!({"note": "refused"}))
            .await;
        assert_eq!(retried.status, StatusCode::CREATED, "{store:?}");
        assert_eq!(retried.header("idempotency-replay"), None);
        assert_eq!(server.runs.of("refused"), 1);
        // Errors after the limiter carry the headers too.
        let invalid = server.order("bob", "k1", &json!({"note": ""})).await;
        assert_eq!(invalid.status, StatusCode::BAD_REQUEST);
        assert!(invalid.header("ratelimit").is_some());
        // Before it (authentication) they do not.
        let unauthorized = server.order("mallory", "k1", &json!({"note": "x"})).await;
        assert_eq!(unauthorized.status, StatusCode::UNAUTHORIZED);
        assert!(unauthorized.header("ratelimit").is_none());
    }
}

#[tokio::test]
async fn tiers_pick_the_quota_and_configuration_overrides_it() {
    for store in stores().await {
        let server = serve(config(&store, "tiers")).await;
        let gold = server.get("/bucket", Some("gold"), &[]).await;
        assert_eq!(
            gold.header("ratelimit-policy"),
            Some("\"default\";q=50;w=60, \"bucket\";q=2;w=10")
        );
        let plain = server.get("/bucket", Some("alice"), &[]).await;
        assert!(plain
            .header("ratelimit-policy")
            .unwrap()
            .starts_with("\"default\";q=5;w=60"));

        let mut overridden = config(&store, "tiers-overridden");
        overridden.rate_limits.overrides =
            QuotaOverrides::parse("default=9/30, default:gold=70/60, bucket=4/20").unwrap();
        let server = serve(overridden).await;
        let gold = server.get("/bucket", Some("gold"), &[]).await;
        assert_eq!(
            gold.header("ratelimit-policy"),
            Some("\"default\";q=70;w=60, \"bucket\";q=4;w=20")
        );
        let plain = server.get("/bucket", Some("alice"), &[]).await;
        assert_eq!(
            plain.header("ratelimit-policy"),
            Some("\"default\";q=9;w=30, \"bucket\";q=4;w=20")
        );
    }
}

/// Waits until the next fixed 10 s window is at least 2 s away, so that a
/// short sequence of requests stays within one window.
async fn away_from_a_window_edge() {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis();
    let left = 10_000 - now % 10_000;
    if left < 2_000 {
        tokio::time::sleep(Duration::from_millis(left as u64 + 50)).await;
    }
}

#[tokio::test]
async fn client_addresses_come_from_the_peer_unless_a_proxy_is_trusted() {
    for store in stores().await {
        away_from_a_window_edge().await;
        let server = serve(config(&store, "ip")).await;
        for _ in 0..2 {
            let reply = server
                .get("/ping", None, &[("x-forwarded-for", "10.0.0.1")])
                .await;
            assert_eq!(reply.status, StatusCode::NO_CONTENT);
        }
        // A forged X-Forwarded-For does not dodge the limit.
        let dodged = server
            .get("/ping", None, &[("x-forwarded-for", "10.9.9.9")])
            .await;
        assert_eq!(dodged.status, StatusCode::TOO_MANY_REQUESTS, "{store:?}");
        assert!(dodged
            .header("ratelimit")
            .unwrap()
            .contains("\"per-ip\";r=0"));

        away_from_a_window_edge().await;
        let mut trusting = config(&store, "ip-trusted");
        trusting.rate_limits.trusted_proxy_hops = 1;
        let server = serve(trusting).await;
        let from = |ip: &'static str| [("x-forwarded-for", ip)];
        for _ in 0..2 {
            let reply = server
                .get("/ping", None, &from("client-spoof, 10.0.0.1"))
                .await;
            assert_eq!(reply.status, StatusCode::NO_CONTENT);
        }
        let third = server.get("/ping", None, &from("10.0.0.1")).await;
        assert_eq!(third.status, StatusCode::TOO_MANY_REQUESTS);
        let other = server.get("/ping", None, &from("10.0.0.2")).await;
        assert_eq!(other.status, StatusCode::NO_CONTENT);
    }
}

#[tokio::test]
async fn header_keys_and_exemptions() {
    for store in stores().await {
        let server = serve(config(&store, "header")).await;
        for _ in 0..2 {
            let reply = server
                .get("/by-header", Some("alice"), &[("X-Client", "a")])
                .await;
            assert_eq!(reply.status, StatusCode::NO_CONTENT);
        }
        let third = server
            .get("/by-header", Some("alice"), &[("X-Client", "a")])
            .await;
        assert_eq!(third.status, StatusCode::TOO_MANY_REQUESTS);
        let retry: u64 = third.header("retry-after").unwrap().parse().unwrap();
        // A sliding window may need up to one and a half windows to let one more in.
        assert!((1..=15).contains(&retry), "{retry}");
        let other = server
            .get("/by-header", Some("alice"), &[("X-Client", "b")])
            .await;
        assert_eq!(other.status, StatusCode::NO_CONTENT);

        for _ in 0..20 {
            let free = server.get("/free", Some("bob"), &[]).await;
            assert_eq!(free.status, StatusCode::NO_CONTENT);
            assert!(free.header("ratelimit").is_none());
            assert!(free.header("x-ratelimit-limit").is_none());
        }
    }
}
