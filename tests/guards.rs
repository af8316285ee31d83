//! The generated rate limiter and idempotency layer, on both backends, through
//! a real router on a real socket (`tests/specs/guards.yaml`), plus the
//! algorithms against a clock the test moves. The Redis half runs against
//! `REDIS_URL` (default `redis://127.0.0.1:6379`); under `CI=true` it must.

#[path = "support/redis.rs"]
mod redis_support;

use std::borrow::Cow;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use guards_server::operations::*;
use guards_server::runtime::algorithms::{self, Algorithm, Quota, State};
use guards_server::runtime::clock::{Clock, ManualClock};
use guards_server::runtime::config::Backend;
use guards_server::runtime::idempotency_records::{Fingerprint, ScopeKey};
use guards_server::runtime::rate_limit::{KeySource, Policy, QuotaOverrides, Subject};
use guards_server::runtime::redis_store::RedisStore;
use guards_server::types::Receipt;
use guards_server::{router, Api, Context, Credentials, HandlerError, Identity, ServerConfig};
use reqwest::StatusCode;
use serde_json::{json, Value};

// ---------------------------------------------------------------------------
// The API under test: counts how often each note ran.

#[derive(Clone, Default)]
struct Runs(Arc<Mutex<HashMap<String, i64>>>);

impl Runs {
    fn next(&self, note: &str) -> i64 {
        let mut runs = self.0.lock().unwrap();
        let run = runs.entry(note.to_string()).or_default();
        *run += 1;
        *run
    }

    fn of(&self, note: &str) -> i64 {
        self.0
            .lock()
            .unwrap()
            .get(note)
            .copied()
            .unwrap_or_default()
    }
}

struct Guards {
    runs: Runs,
}

struct Member {
    key: String,
    tier: Option<String>,
}

impl Identity for Member {
    fn identity(&self) -> Cow<'_, str> {
        Cow::Borrowed(&self.key)
    }

    fn tier(&self) -> Option<&str> {
        self.tier.as_deref()
    }
}

impl Guards {
    async fn run(&self, order: &guards_server::types::Order) -> Result<Receipt, HandlerError> {
        let run = self.runs.next(&order.note);
        if let Some(delay) = order.delay_ms {
            tokio::time::sleep(Duration::from_millis(delay as u64)).await;
        }
        if order.fail_first == Some(true) && run == 1 {
            return Err(HandlerError::new("the first run fails"));
        }
        if order.panic_first == Some(true) && run == 1 {
            panic!("the first run panics");
        }
        Ok(Receipt {
            note: order.note.clone(),
            run,
        })
    }
}

impl Api for Guards {
    type Principal = Member;

    async fn authenticate(&self, credentials: Credentials) -> Option<Member> {
        let Credentials::ApiKey { key, .. } = credentials else {
            return None;
        };
        let tier = match key.as_str() {
            "alice" | "bob" => None,
            "gold" => Some("gold".to_string()),
            _ => return None,
        };
        Some(Member { key, tier })
    }

    async fn create_order(
        &self,
        _: Context<Member>,
        request: CreateOrderRequest,
    ) -> Result<CreateOrderResponse, HandlerError> {
        let receipt = self.run(&request.body).await?;
        if request.body.decline == Some(true) {
            return Ok(CreateOrderResponse::PaymentRequired(receipt));
        }
        let location = Some(format!("/orders/{}", receipt.note));
        Ok(CreateOrderResponse::Created {
            body: receipt,
            location,
        })
    }

    async fn start_job(
        &self,
        _: Context<Member>,
        request: StartJobRequest,
    ) -> Result<StartJobResponse, HandlerError> {
        Ok(StartJobResponse::Accepted(self.run(&request.body).await?))
    }

    async fn create_public_order(
        &self,
        _: Context<()>,
        request: CreatePublicOrderRequest,
    ) -> Result<CreatePublicOrderResponse, HandlerError> {
        Ok(CreatePublicOrderResponse::Created(
            self.run(&request.body).await?,
        ))
    }

    async fn ping(&self, _: Context<()>, _: PingRequest) -> Result<PingResponse, HandlerError> {
        Ok(PingResponse::NoContent)
    }

    async fn by_header(
        &self,
        _: Context<Member>,
        _: ByHeaderRequest,
    ) -> Result<ByHeaderResponse, HandlerError> {
        Ok(ByHeaderResponse::NoContent)
    }

    async fn bucket(
        &self,
        _: Context<Member>,
        _: BucketRequest,
    ) -> Result<BucketResponse, HandlerError> {
        Ok(BucketResponse::NoContent)
    }

    async fn free(&self, _: Context<Member>, _: FreeRequest) -> Result<FreeResponse, HandlerError> {
        Ok(FreeResponse::NoContent)
    }
}

// ---------------------------------------------------------------------------
// Backends and servers.

#[derive(Debug, Clone)]
enum Store {
    Memory,
    Redis,
}

/// The backends to run a test on: memory always, Redis when it answers
/// (always under `CI=true`).
async fn stores() -> Vec<Store> {
    let mut stores = vec![Store::Memory];
    if redis_support::available().await {
        stores.push(Store::Redis);
    }
    stores
}

fn config(store: &Store, test: &str) -> ServerConfig {
    let mut config = ServerConfig::default();
    if let Store::Redis = store {
        config.backend = Backend::Redis {
            url: redis_support::url(),
            key_prefix: redis_support::unique_prefix(test),
            timeout: Duration::from_millis(500),
        };
    }
    config
}

/// The same, with limits too high to get in the way.
fn unlimited(store: &Store, test: &str) -> ServerConfig {
    let mut config = config(store, test);
    config.rate_limits.overrides =
        QuotaOverrides::parse("default=100000/60,burst=100000/1").unwrap();
    config
}

struct Server {
    base: String,
    client: reqwest::Client,
    runs: Runs,
}

struct Reply {
    status: StatusCode,
    headers: reqwest::header::HeaderMap,
    bytes: Vec<u8>,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.bytes).unwrap_or(Value::Null)
    }

    fn code(&self) -> String {
        self.json()["error"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }
}

async fn serve(config: ServerConfig) -> Server {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let runs = Runs::default();
    let app = router(Guards { runs: runs.clone() }, config)
        .into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Server {
        base: format!("http://{address}"),
        client: reqwest::Client::new(),
        runs,
    }
}

impl Server {
    async fn send(&self, request: reqwest::RequestBuilder) -> Reply {
        let response = request.send().await.expect("the server answers");
        Reply {
            status: response.status(),
            headers: response.headers().clone(),
            bytes: response.bytes().await.unwrap().to_vec(),
        }
    }

    async fn get(&self, path: &str, key: Option<&str>, headers: &[(&str, &str)]) -> Reply {
        let mut request = self.client.get(format!("{}{path}", self.base));
        if let Some(key) = key {
            request = request.header("X-Key", key);
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        self.send(request).await
    }

    async fn post(&self, path: &str, key: &str, idempotency: Option<&str>, body: &Value) -> Reply {
        let mut request = self
            .client
            .post(format!("{}{path}", self.base))
            .header("X-Key", key)
            .json(body);
        if let Some(idempotency) = idempotency {
            request = request.header("Idempotency-Key", idempotency);
        }
        self.send(request).await
    }

    async fn order(&self, key: &str, idempotency: &str, body: &Value) -> Reply {
        self.post("/orders", key, Some(idempotency), body).await
    }
}

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

// ---------------------------------------------------------------------------
// Idempotency through the router.

#[tokio::test]
async fn idempotency_replays_refuses_and_scopes() {
    for store in stores().await {
        let server = serve(unlimited(&store, "idempotency")).await;
        let body = json!({"note": "first"});
        let original = server.order("alice", "key-1", &body).await;
        assert_eq!(original.status, StatusCode::CREATED, "{store:?}");
        assert_eq!(original.header("idempotency-replay"), None);

        // Replayed byte for byte, with the original status and headers.
        let replay = server.order("alice", "key-1", &body).await;
        assert_eq!(replay.status, StatusCode::CREATED);
        assert_eq!(replay.bytes, original.bytes);
        assert_eq!(replay.header("idempotency-replay"), Some("true"));
        assert_eq!(replay.header("location"), Some("/orders/first"));
        assert_eq!(
            replay.header("content-type"),
            original.header("content-type")
        );
        assert_ne!(
            replay.header("x-request-id"),
            original.header("x-request-id")
        );
        assert_eq!(server.runs.of("first"), 1);

        // The structured-field form is the same key.
        let quoted = server.order("alice", "\"key-1\"", &body).await;
        assert_eq!(quoted.header("idempotency-replay"), Some("true"));

        // Same key, other body or other path: 422.
        let other_body = server
            .order("alice", "key-1", &json!({"note": "second"}))
            .await;
        assert_eq!(other_body.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(other_body.code(), "IDEMPOTENCY_KEY_REUSED");
        let other_path = server.post("/jobs", "alice", Some("key-1"), &body).await;
        assert_eq!(other_path.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(server.runs.of("second"), 0);

        // Another tenant's identical key is its own.
        let bob = server.order("bob", "key-1", &body).await;
        assert_eq!(bob.status, StatusCode::CREATED);
        assert_eq!(bob.header("idempotency-replay"), None);
        assert_eq!(server.runs.of("first"), 2);

        // Missing and malformed keys.
        let missing = server.post("/orders", "alice", None, &body).await;
        assert_eq!(missing.status, StatusCode::BAD_REQUEST);
        assert_eq!(missing.code(), "MISSING_IDEMPOTENCY_KEY");
        for bad in [String::new(), "x".repeat(256), "tab\there".to_string()] {
            let reply = server.order("alice", &bad, &body).await;
            assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{bad:?}");
            assert_eq!(reply.code(), "INVALID_IDEMPOTENCY_KEY", "{bad:?}");
        }
        let longest = server
            .order("alice", &"y".repeat(255), &json!({"note": "long"}))
            .await;
        assert_eq!(longest.status, StatusCode::CREATED);

        // An optional key: absent runs every time, present replays.
        let job = json!({"note": "job"});
        server.post("/jobs", "alice", None, &job).await;
        server.post("/jobs", "alice", None, &job).await;
        assert_eq!(server.runs.of("job"), 2);
        let keyed = server.post("/jobs", "alice", Some("job-key"), &job).await;
        let again = server.post("/jobs", "alice", Some("job-key"), &job).await;
        assert_eq!(keyed.status, StatusCode::ACCEPTED);
        assert_eq!(again.header("idempotency-replay"), Some("true"));
        assert_eq!(server.runs.of("job"), 3);

        // Public operations key by client address.
        let public = json!({"note": "public"});
        let request = || {
            server
                .client
                .post(format!("{}/public-orders", server.base))
                .header("Idempotency-Key", "p-1")
                .json(&public)
        };
        let first = server.send(request()).await;
        let second = server.send(request()).await;
        assert_eq!(first.status, StatusCode::CREATED, "{store:?}");
        assert_eq!(second.header("idempotency-replay"), Some("true"));
        assert_eq!(server.runs.of("public"), 1);

        // Operations without x-idempotency (and GET, DELETE) ignore the header.
        for _ in 0..2 {
            let free = server
                .get("/free", Some("alice"), &[("Idempotency-Key", "")])
                .await;
            assert_eq!(free.status, StatusCode::NO_CONTENT);
            assert_eq!(free.header("idempotency-replay"), None);
        }

        // A business error below 500 is stored and replayed.
        let declined = json!({"note": "declined", "decline": true});
        let first = server.order("alice", "decline", &declined).await;
        let second = server.order("alice", "decline", &declined).await;
        assert_eq!(first.status, StatusCode::PAYMENT_REQUIRED);
        assert_eq!(second.status, StatusCode::PAYMENT_REQUIRED);
        assert_eq!(second.bytes, first.bytes);
        assert_eq!(server.runs.of("declined"), 1);
    }
}

#[tokio::test]
async fn failures_before_and_during_the_handler_store_nothing() {
    for store in stores().await {
        let server = serve(unlimited(&store, "failures")).await;
        // A validation failure leaves the key free for a corrected request.
        let invalid = server.order("alice", "fix-me", &json!({"note": ""})).await;
        assert_eq!(invalid.status, StatusCode::BAD_REQUEST);
        let fixed = server
            .order("alice", "fix-me", &json!({"note": "fixed"}))
            .await;
        assert_eq!(fixed.status, StatusCode::CREATED, "{store:?}");

        // A 5xx releases the key: the retry runs again.
        let flaky = json!({"note": "flaky", "fail_first": true});
        let failed = server.order("alice", "flaky", &flaky).await;
        assert_eq!(failed.status, StatusCode::INTERNAL_SERVER_ERROR);
        let retried = server.order("alice", "flaky", &flaky).await;
        assert_eq!(retried.status, StatusCode::CREATED, "{store:?}");
        assert_eq!(retried.json()["run"], 2);

        // So does a panic.
        let crashy = json!({"note": "crashy", "panic_first": true});
        let crashed = server.order("alice", "crashy", &crashy).await;
        assert_eq!(crashed.status, StatusCode::INTERNAL_SERVER_ERROR);
        let mut retried = server.order("alice", "crashy", &crashy).await;
        // The release of a dropped claim runs on its own task.
        for _ in 0..20 {
            if retried.status != StatusCode::CONFLICT {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
            retried = server.order("alice", "crashy", &crashy).await;
        }
        assert_eq!(retried.status, StatusCode::CREATED, "{store:?}");
        assert_eq!(retried.json()["run"], 2);
    }
}

#[tokio::test]
async fn fifty_concurrent_requests_with_one_key_run_once() {
    for store in stores().await {
        let server = Arc::new(serve(unlimited(&store, "concurrency")).await);
        let body = json!({"note": "once", "delay_ms": 300});
        let requests = (0..50).map(|_| {
            let server = Arc::clone(&server);
            let body = body.clone();
            tokio::spawn(async move { server.order("alice", "the-key", &body).await })
        });
        let mut replies = Vec::new();
        for request in requests {
            replies.push(request.await.unwrap());
        }
        assert_eq!(server.runs.of("once"), 1, "{store:?}");
        let originals: Vec<&Reply> = replies
            .iter()
            .filter(|r| r.status == StatusCode::CREATED && r.header("idempotency-replay").is_none())
            .collect();
        assert_eq!(originals.len(), 1);
        for reply in &replies {
            match reply.status {
                StatusCode::CREATED => assert_eq!(reply.bytes, originals[0].bytes),
                StatusCode::CONFLICT => assert_eq!(reply.code(), "REQUEST_IN_PROGRESS"),
                other => panic!("unexpected {other} on {store:?}"),
            }
        }
        let after = server.order("alice", "the-key", &body).await;
        assert_eq!(after.header("idempotency-replay"), Some("true"));
        assert_eq!(after.bytes, originals[0].bytes);
    }
}

#[tokio::test]
async fn a_stale_lock_is_taken_over_after_its_timeout() {
    for store in stores().await {
        let mut config = unlimited(&store, "stale");
        config.idempotency.overrides.lock_timeout = Some(Duration::from_millis(500));
        let server = Arc::new(serve(config).await);
        let slow = json!({"note": "slow", "delay_ms": 1500});
        let first = {
            let server = Arc::clone(&server);
            let slow = slow.clone();
            tokio::spawn(async move { server.order("alice", "stale", &slow).await })
        };
        tokio::time::sleep(Duration::from_millis(150)).await;
        let busy = server.order("alice", "stale", &slow).await;
        assert_eq!(busy.status, StatusCode::CONFLICT, "{store:?}");
        tokio::time::sleep(Duration::from_millis(600)).await;
        // The holder looks dead: the lock expired, a retry takes the key over.
        let takeover = server.order("alice", "stale", &slow).await;
        assert_eq!(takeover.status, StatusCode::CREATED, "{store:?}");
        assert_eq!(takeover.json()["run"], 2);
        // Both ran (the lock was too short for the handler); the response
        // stored is the first to complete, and later retries replay it.
        let late = first.await.unwrap();
        assert_eq!(late.status, StatusCode::CREATED);
        let replay = server.order("alice", "stale", &slow).await;
        assert_eq!(replay.header("idempotency-replay"), Some("true"));
        assert_eq!(replay.bytes, late.bytes);
        assert_eq!(server.runs.of("slow"), 2);
    }
}

// ---------------------------------------------------------------------------
// Redis faults.

#[tokio::test]
async fn a_replica_that_died_holding_a_key_blocks_it_until_the_lock_expires() {
    if !redis_support::available().await {
        return;
    }
    let prefix = redis_support::unique_prefix("crash");
    let mut config = unlimited(&Store::Redis, "crash");
    config.backend = Backend::Redis {
        url: redis_support::url(),
        key_prefix: prefix.clone(),
        timeout: Duration::from_millis(500),
    };
    let server = serve(config).await;
    // Another replica claims the key the way the router does, then dies.
    let replica = RedisStore::new(&redis_support::url(), &prefix, Duration::from_millis(500));
    let body = json!({"note": "orphan"});
    let bytes = serde_json::to_vec(&body).unwrap();
    let claim = replica
        .claim(
            &ScopeKey::new("alice", "orphan"),
            &Fingerprint::new(&reqwest::Method::POST, "/orders", &bytes),
            42,
            Duration::from_millis(800),
        )
        .await
        .unwrap();
    assert!(matches!(
        claim,
        guards_server::runtime::idempotency_records::Claim::Claimed
    ));
    drop(replica);
    let blocked = server.order("alice", "orphan", &body).await;
    assert_eq!(blocked.status, StatusCode::CONFLICT);
    assert_eq!(server.runs.of("orphan"), 0);
    tokio::time::sleep(Duration::from_millis(900)).await;
    let retried = server.order("alice", "orphan", &body).await;
    assert_eq!(retried.status, StatusCode::CREATED);
    assert_eq!(server.runs.of("orphan"), 1);
}

#[tokio::test]
async fn redis_unreachable_at_start_fails_limits_open_and_keys_closed() {
    let config = ServerConfig {
        backend: Backend::Redis {
            // Nothing listens on port 1.
            url: "redis://127.0.0.1:1".to_string(),
            key_prefix: "unreachable:".to_string(),
            timeout: Duration::from_millis(300),
        },
        ..ServerConfig::default()
    };
    let server = serve(config).await;
    for _ in 0..10 {
        let open = server.get("/bucket", Some("alice"), &[]).await;
        assert_eq!(open.status, StatusCode::NO_CONTENT, "limits fail open");
        assert!(open.header("ratelimit").is_none());
    }
    let closed = server.order("alice", "k", &json!({"note": "n"})).await;
    assert_eq!(closed.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(closed.code(), "SERVICE_UNAVAILABLE");
    assert_eq!(server.runs.of("n"), 0);
    // Operations without a key need no store.
    let job = server
        .post("/jobs", "alice", None, &json!({"note": "j"}))
        .await;
    assert_eq!(job.status, StatusCode::ACCEPTED);
}

/// A TCP proxy in front of Redis that the test can cut and restore.
struct Proxy {
    address: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl Proxy {
    async fn start(address: Option<SocketAddr>) -> Proxy {
        let bind = address.unwrap_or_else(|| "127.0.0.1:0".parse().unwrap());
        let listener = tokio::net::TcpListener::bind(bind).await.unwrap();
        let address = listener.local_addr().unwrap();
        let task = tokio::spawn(async move {
            let mut connections = tokio::task::JoinSet::new();
            loop {
                let Ok((mut inbound, _)) = listener.accept().await else {
                    return;
                };
                connections.spawn(async move {
                    if let Ok(mut outbound) =
                        tokio::net::TcpStream::connect(redis_support::address()).await
                    {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
            }
        });
        Proxy { address, task }
    }

    /// Stops accepting and drops every connection (the JoinSet aborts them).
    fn cut(self) -> SocketAddr {
        self.task.abort();
        self.address
    }
}

#[tokio::test]
async fn redis_lost_mid_run_fails_safe_and_recovers() {
    if !redis_support::available().await {
        return;
    }
    let proxy = Proxy::start(None).await;
    let config = ServerConfig {
        backend: Backend::Redis {
            url: format!("redis://{}", proxy.address),
            key_prefix: redis_support::unique_prefix("proxy"),
            timeout: Duration::from_millis(300),
        },
        ..ServerConfig::default()
    };
    let server = serve(config).await;
    let up = server
        .order("alice", "before", &json!({"note": "before"}))
        .await;
    assert_eq!(up.status, StatusCode::CREATED);
    assert!(up.header("ratelimit").is_some());

    let address = proxy.cut();
    tokio::time::sleep(Duration::from_millis(100)).await;
    for n in 0..5 {
        let open = server.get("/bucket", Some("bob"), &[]).await;
        assert_eq!(open.status, StatusCode::NO_CONTENT, "limits fail open");
        let closed = server
            .order("alice", &format!("during-{n}"), &json!({"note": "during"}))
            .await;
        assert_eq!(closed.status, StatusCode::SERVICE_UNAVAILABLE);
    }
    assert_eq!(server.runs.of("during"), 0);

    let _proxy = Proxy::start(Some(address)).await;
    let mut recovered = None;
    for _ in 0..50 {
        let reply = server
            .order("alice", "after", &json!({"note": "after"}))
            .await;
        if reply.status == StatusCode::CREATED {
            recovered = Some(reply);
            break;
        }
        assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let recovered = recovered.expect("service comes back with Redis");
    assert!(recovered.header("ratelimit").is_some());
    let replay = server
        .order("alice", "before", &json!({"note": "before"}))
        .await;
    assert_eq!(replay.header("idempotency-replay"), Some("true"));
}
