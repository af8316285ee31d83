//! What the generated client costs per call over a hand-written reqwest
//! call of the same request (with the same 60 s timeout), decoding the same
//! typed body. Both talk to the
//! flagship app on a local socket (rate limits and idempotency off, so the
//! server's work is the same for both); the difference is the client's:
//! building the call, the retry loop, response metadata, typed decoding.
//!
//! Run with `scripts/bench-client.sh` (a release build). Figures are ratios
//! against the hand-written baseline measured in the same run.

use std::time::{Duration, Instant};

use payments_app::PaymentsApi;
use payments_client::types::{Charge, ChargeCreate, User, UserCreate};
use payments_client::{Client, ListUsersOptions};
use payments_server::{router, ServerConfig};
use serde::Deserialize;

const KEY: &str = "bench-key";

#[derive(Deserialize)]
struct Success<T> {
    data: T,
}

async fn start() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let mut config = ServerConfig::default();
    config.rate_limits.enabled = false;
    config.idempotency.enabled = false;
    let app = router(PaymentsApi::new([KEY.into()]), config);
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{address}")
}

fn charge() -> ChargeCreate {
    ChargeCreate {
        amount: 1999,
        currency: "USD".into(),
        source: "tok_visa".into(),
        customer_id: None,
        description: None,
        metadata: None,
    }
}

/// Mean time per call over `count` sequential calls.
async fn measure<F, Fut>(count: usize, call: &mut F) -> Duration
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let start = Instant::now();
    for n in 0..count {
        call(n).await;
    }
    start.elapsed() / count as u32
}

/// The median over rounds of the mean time per call of each side, the two
/// sides taking turns so that drift (warm caches, a busy machine) falls on
/// both alike.
async fn compare<R, RF, T, TF>(count: usize, mut raw: R, mut typed: T) -> (Duration, Duration)
where
    R: FnMut(usize) -> RF,
    RF: std::future::Future<Output = ()>,
    T: FnMut(usize) -> TF,
    TF: std::future::Future<Output = ()>,
{
    const ROUNDS: usize = 7;
    measure(count / 10, &mut raw).await;
    measure(count / 10, &mut typed).await;
    let mut raws = Vec::new();
    let mut typeds = Vec::new();
    for _ in 0..ROUNDS {
        raws.push(measure(count / ROUNDS, &mut raw).await);
        typeds.push(measure(count / ROUNDS, &mut typed).await);
    }
    raws.sort();
    typeds.sort();
    (raws[ROUNDS / 2], typeds[ROUNDS / 2])
}

#[tokio::main]
async fn main() {
    let count: usize = std::env::var("BENCH_REQUESTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(5_000);
    let base = start().await;
    // A hand-written client worth comparing with sets a timeout too.
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap();
    let client = Client::builder()
        .base_url(&base)
        .api_key_auth(KEY)
        .build()
        .unwrap();
    let user = client
        .create_user(&UserCreate {
            name: "Bench".into(),
            email: "bench@example.com".into(),
            password: Some("correct horse".into()),
        })
        .await
        .unwrap()
        .into_data();
    let user_url = format!("{base}/v1/users/{}", user.id);
    let users_url = format!("{base}/v1/users");
    let charges_url = format!("{base}/v1/charges");
    let body = charge();

    let (raw_get, typed_get) = compare(
        count,
        |_| async {
            let response = http
                .get(&user_url)
                .header("x-api-key", KEY)
                .send()
                .await
                .unwrap();
            assert!(response.status().is_success());
            let bytes = response.bytes().await.unwrap();
            let _: User = serde_json::from_slice::<Success<User>>(&bytes)
                .unwrap()
                .data;
        },
        |_| async {
            client.get_user(user.id).await.unwrap();
        },
    )
    .await;

    let (raw_list, typed_list) = compare(
        count,
        |_| async {
            let response = http
                .get(&users_url)
                .header("x-api-key", KEY)
                .send()
                .await
                .unwrap();
            assert!(response.status().is_success());
            let bytes = response.bytes().await.unwrap();
            let _: Vec<User> = serde_json::from_slice::<Success<Vec<User>>>(&bytes)
                .unwrap()
                .data;
        },
        |_| async {
            client
                .list_users(ListUsersOptions::default())
                .await
                .unwrap();
        },
    )
    .await;

    let (raw_post, typed_post) = compare(
        count,
        |n| {
            let (http, url, body) = (&http, &charges_url, &body);
            async move {
                let response = http
                    .post(url)
                    .header("x-api-key", KEY)
                    .header("idempotency-key", format!("bench-{n}"))
                    .json(body)
                    .send()
                    .await
                    .unwrap();
                assert!(response.status().is_success());
                let bytes = response.bytes().await.unwrap();
                let _: Charge = serde_json::from_slice::<Success<Charge>>(&bytes)
                    .unwrap()
                    .data;
            }
        },
        |_| async {
            client.create_charge(&body).await.unwrap();
        },
    )
    .await;

    println!("{count} calls per side and row, one at a time, in 7 alternating rounds (medians), to the flagship app on a local socket\n");
    println!("| call | hand-written reqwest | generated client | ratio |");
    println!("|---|---|---|---|");
    let micros = |d: Duration| d.as_secs_f64() * 1e6;
    for (label, raw, typed) in [
        ("GET /v1/users/{id}", raw_get, typed_get),
        ("GET /v1/users (a page)", raw_list, typed_list),
        ("POST /v1/charges (with a key)", raw_post, typed_post),
    ] {
        println!(
            "| {label} | {:.1} µs | {:.1} µs | {:.2}x |",
            micros(raw),
            micros(typed),
            micros(typed) / micros(raw)
        );
    }
}
