//! What the rate limiter and idempotency layer cost per request, on each
//! backend, against the same router with both layers off. Requests go
//! through the router in process (no sockets), so the figures are the
//! middleware's own cost plus the app's, not the network's.
//!
//! Run with `scripts/bench-middleware.sh` (a release build). Figures are
//! ratios against the "off" baseline measured in the same run.

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::Request;
use payments_app::PaymentsApi;
use payments_server::runtime::config::Backend;
use payments_server::runtime::rate_limit::QuotaOverrides;
use payments_server::{router, ServerConfig};
use tower::ServiceExt;

const KEY: &str = "bench-key";

#[derive(Clone, Copy, PartialEq)]
enum Setup {
    Off,
    Memory,
    Redis,
}

impl Setup {
    fn name(self) -> &'static str {
        match self {
            Setup::Off => "layers off",
            Setup::Memory => "memory",
            Setup::Redis => "redis",
        }
    }

    fn config(self) -> ServerConfig {
        let mut config = ServerConfig::default();
        // The limiter counts every request but never refuses one.
        config.rate_limits.overrides =
            QuotaOverrides::parse("default=1000000000/60,burst=1000000000/1").unwrap();
        match self {
            Setup::Off => {
                config.rate_limits.enabled = false;
                config.idempotency.enabled = false;
            }
            Setup::Memory => {}
            Setup::Redis => {
                config.backend = Backend::Redis {
                    url: std::env::var("REDIS_URL")
                        .unwrap_or_else(|_| "redis://127.0.0.1:6379".to_string()),
                    key_prefix: format!("bench:{}:", std::process::id()),
                    timeout: Duration::from_secs(2),
                };
            }
        }
        config
    }
}

fn list_users() -> Request<Body> {
    Request::get("/v1/users")
        .header("x-api-key", KEY)
        .body(Body::empty())
        .unwrap()
}

fn create_charge(n: usize) -> Request<Body> {
    Request::post("/v1/charges")
        .header("x-api-key", KEY)
        .header("content-type", "application/json")
        .header("idempotency-key", format!("bench-{n}"))
        .body(Body::from(
            r#"{"amount": 1999, "currency": "USD", "source": "tok_visa"}"#,
        ))
        .unwrap()
}

/// Builds the `n`th request of a workload.
type MakeRequest = fn(usize) -> Request<Body>;

/// Mean time per request over `count` sequential requests, after a warm-up.
async fn measure(setup: Setup, count: usize, make: MakeRequest) -> Duration {
    let app = router(PaymentsApi::new([KEY.into()]), setup.config());
    for n in 0..count / 10 {
        let response = app.clone().oneshot(make(usize::MAX - n)).await.unwrap();
        assert!(response.status().is_success(), "{}", response.status());
    }
    let start = Instant::now();
    for n in 0..count {
        let response = app.clone().oneshot(make(n)).await.unwrap();
        assert!(response.status().is_success(), "{}", response.status());
    }
    start.elapsed() / count as u32
}

/// Wall time per request with `tasks` clients sending at once: what the
/// server sustains, where Redis round trips overlap on one connection.
async fn measure_concurrent(
    setup: Setup,
    count: usize,
    tasks: usize,
    make: MakeRequest,
) -> Duration {
    let app = router(PaymentsApi::new([KEY.into()]), setup.config());
    let per_task = count / tasks;
    let start = Instant::now();
    let mut handles = Vec::new();
    for task in 0..tasks {
        let app = app.clone();
        handles.push(tokio::spawn(async move {
            for n in 0..per_task {
                let request = make(count + task * per_task + n);
                let response = app.clone().oneshot(request).await.unwrap();
                assert!(response.status().is_success(), "{}", response.status());
            }
        }));
    }
    for handle in handles {
        handle.await.unwrap();
    }
    start.elapsed() / (per_task * tasks) as u32
}

#[tokio::main]
async fn main() {
    let count: usize = std::env::var("BENCH_REQUESTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(20_000);
    let redis = tokio::net::TcpStream::connect("127.0.0.1:6379")
        .await
        .is_ok()
        || std::env::var("REDIS_URL").is_ok();
    let setups: Vec<Setup> = [Setup::Off, Setup::Memory, Setup::Redis]
        .into_iter()
        .filter(|setup| *setup != Setup::Redis || redis)
        .collect();
    println!("{count} requests per row, through the router in process\n");
    println!("| request | backend | one at a time | vs off | 32 at once | vs off |");
    println!("|---|---|---|---|---|---|");
    let workloads: [(&str, MakeRequest); 2] = [
        ("GET /v1/users (limits)", |_| list_users()),
        ("POST /v1/charges (limits + idempotency)", create_charge),
    ];
    let micros = |d: Duration| d.as_secs_f64() * 1e6;
    for (label, make) in workloads {
        let mut baseline = None;
        for &setup in &setups {
            let sequential = measure(setup, count, make).await;
            let concurrent = measure_concurrent(setup, count, 32, make).await;
            let (base_sequential, base_concurrent) =
                *baseline.get_or_insert((sequential, concurrent));
            println!(
                "| {label} | {} | {:.1} µs | {:.2}x | {:.1} µs | {:.2}x |",
                setup.name(),
                micros(sequential),
                micros(sequential) / micros(base_sequential),
                micros(concurrent),
                micros(concurrent) / micros(base_concurrent),
            );
        }
    }
}
