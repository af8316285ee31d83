//! Heap allocations per request, counted in process: a regression in the
//! generated glue (a clone per hop, a `format!` per byte) shows here as a
//! count, where a throughput benchmark only shows noise. The router is
//! called directly (no socket, no hyper), on one thread, after a warm-up,
//! so the count is the same on every run. `scripts/bench-server.py`
//! measures speed; this pins the allocations the speed work removed.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::convert::Infallible;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use payments_app::{ApiKey, PaymentsApi, PaymentsV2Api};
use payments_server::runtime::algorithms::Quota;
use payments_server::{router, ServerConfig};
use tower::ServiceExt;

/// Counts the allocations of the thread that asks for them.
struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|count| count.set(count.get() + 1));
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        unsafe { System.dealloc(pointer, layout) }
    }

    unsafe fn realloc(&self, pointer: *mut u8, layout: Layout, size: usize) -> *mut u8 {
        ALLOCATIONS.with(|count| count.set(count.get() + 1));
        unsafe { System.realloc(pointer, layout, size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const KEY: &str = "allocation-key";

fn app() -> Router {
    let mut config = ServerConfig {
        // As the app runs: requests counted for `GET /metrics`.
        metrics: true,
        ..ServerConfig::default()
    };
    // High enough that the limiter counts every request and refuses none.
    for policy in ["default", "burst"] {
        let quota = Quota {
            requests: 1_000_000_000,
            window_seconds: 60,
        };
        config.rate_limits.overrides.set(policy, None, quota);
    }
    let keys = [ApiKey {
        key: KEY.to_string(),
        tier: None,
    }];
    router(PaymentsApi::new(keys), config)
}

/// Both versions, as the app serves them, quotas raised alike.
fn both_versions() -> payments_app::Versions {
    let quota = Quota {
        requests: 1_000_000_000,
        window_seconds: 60,
    };
    let mut v1 = ServerConfig {
        metrics: true,
        ..ServerConfig::default()
    };
    let mut v2 = payments_v2_server::ServerConfig {
        metrics: true,
        ..Default::default()
    };
    for policy in ["default", "burst"] {
        v1.rate_limits.overrides.set(policy, None, quota);
        let quota = payments_v2_server::runtime::algorithms::Quota {
            requests: quota.requests,
            window_seconds: quota.window_seconds,
        };
        v2.rate_limits.overrides.set(policy, None, quota);
    }
    let keys = [ApiKey {
        key: KEY.to_string(),
        tier: None,
    }];
    payments_app::versions(PaymentsV2Api::new(keys), v1, v2)
}

fn request(method: &str, uri: &str, idempotency_key: Option<String>, body: &str) -> Request<Body> {
    let mut builder = Request::builder()
        .method(method)
        .uri(uri)
        .header("x-api-key", KEY);
    if !body.is_empty() {
        builder = builder.header("content-type", "application/json");
    }
    if let Some(key) = idempotency_key {
        builder = builder.header("idempotency-key", key);
    }
    builder.body(Body::from(body.to_string())).unwrap()
}

/// The average allocations of `rounds` requests that `make` builds (built
/// outside the count), after as many again to warm up.
async fn allocations_per_request<S>(
    app: &S,
    rounds: u64,
    expected: StatusCode,
    make: impl Fn(u64) -> Request<Body>,
) -> u64
where
    S: tower::Service<Request<Body>, Response = axum::response::Response, Error = Infallible>
        + Clone,
{
    let mut counted = 0;
    for round in 0..rounds * 2 {
        let request = make(round);
        let before = ALLOCATIONS.with(Cell::get);
        let response = app.clone().oneshot(request).await.unwrap();
        let after = ALLOCATIONS.with(Cell::get);
        assert_eq!(response.status(), expected);
        if round >= rounds {
            counted += after - before;
        }
    }
    counted / rounds
}

const CHARGE: &str = r#"{"amount":1000,"currency":"USD","source":"tok_visa"}"#;

#[tokio::test(flavor = "current_thread")]
async fn the_hot_routes_allocate_no_more_than_they_did() {
    let app = app();
    let user = r#"{"name":"Ada","email":"ada@example.com","password":"correct horse"}"#;
    let created = app
        .clone()
        .oneshot(request("POST", "/v1/users", Some("user".into()), user))
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);

    let get = allocations_per_request(&app, 50, StatusCode::OK, |_| {
        request("GET", "/v1/users/1", None, "")
    })
    .await;
    let fresh = allocations_per_request(&app, 50, StatusCode::CREATED, |n| {
        request("POST", "/v1/charges", Some(format!("fresh-{n}")), CHARGE)
    })
    .await;
    let replay = allocations_per_request(&app, 50, StatusCode::CREATED, |_| {
        request("POST", "/v1/charges", Some("replayed".into()), CHARGE)
    })
    .await;
    let health = allocations_per_request(&app, 50, StatusCode::OK, |_| {
        request("GET", "/health", None, "")
    })
    .await;
    println!("allocations per request: GET user {get}, fresh charge {fresh}, replay {replay}, health {health}");
    // The counts of this commit, with a little room: a change that needs
    // more should say why in its commit, and raise these.
    for (what, count, bound) in [
        ("GET /v1/users/1", get, GET_USER),
        ("POST /v1/charges with a fresh key", fresh, FRESH_CHARGE),
        ("POST /v1/charges replayed", replay, REPLAYED_CHARGE),
        ("GET /health", health, HEALTH),
    ] {
        assert!(
            count <= bound,
            "{what}: {count} allocations per request, more than {bound}"
        );
    }
}

// Measured at this commit: 31, 42, 33 and 19, the same in debug and
// release builds and on every run (a fresh charge's 42 includes two owned
// rate-limit keys: its limits are checked after the request's parts have
// moved on to the handler). The figures `perf` gives for the running
// server also count hyper's and the socket's.
const GET_USER: u64 = 34;
// A fresh charge's `201` names it in `Location` since the spec declares
// one (two allocations: the path, and the stored response's copy).
const FRESH_CHARGE: u64 = 47;
// v1's deprecation headers (`x-deprecation`) cost nothing to add, but a
// replay's header map, already full of the stored response's headers, grows
// once for them (two allocations).
const REPLAYED_CHARGE: u64 = 38;
const HEALTH: u64 = 21;

#[tokio::test(flavor = "current_thread")]
async fn serving_both_versions_costs_each_next_to_nothing() {
    let alone = app();
    let both = both_versions();
    let user = r#"{"name":"Ada","email":"ada@example.com","password":"correct horse"}"#;
    let created = [
        alone
            .clone()
            .oneshot(request("POST", "/v1/users", None, user))
            .await,
        both.clone()
            .oneshot(request("POST", "/v1/users", None, user))
            .await,
    ];
    for created in created {
        assert_eq!(created.unwrap().status(), StatusCode::CREATED);
    }
    let get = |path: &'static str| move |_| request("GET", path, None, "");
    let v1_alone = allocations_per_request(&alone, 50, StatusCode::OK, get("/v1/users/1")).await;
    let v1 = allocations_per_request(&both, 50, StatusCode::OK, get("/v1/users/1")).await;
    let v2 = allocations_per_request(&both, 50, StatusCode::OK, get("/v2/users/1")).await;
    println!("allocations per GET user: v1 alone {v1_alone}, v1 beside v2 {v1}, v2 {v2}");
    // Choosing the version's router costs nothing (in an axum router, its
    // boxed fallback cost three).
    assert!(v1 <= v1_alone, "v1 beside v2: {v1}, alone {v1_alone}");
    // v2 has no deprecation headers and no conversion to do.
    assert!(v2 <= v1, "v2 {v2}, v1 {v1}");
}
