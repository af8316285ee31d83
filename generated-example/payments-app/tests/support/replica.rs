//! App processes for the tests that share state between replicas: started
//! on a free port against a shared backend, killed when dropped.

// Each test file uses its own part of this module.
#![allow(dead_code)]

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::Value;

use super::redis_support;

/// The API key every replica accepts.
pub const KEY: &str = "replica-key";

/// What replicas share their limits and idempotency keys through.
#[derive(Debug, Clone)]
pub enum Shared {
    /// The Redis at `REDIS_URL`.
    Redis,
    /// A Redis Cluster, through these seed nodes.
    Cluster(Vec<String>),
}

/// Redis and the Redis Cluster, each when it answers (always under
/// `CI=true`).
pub async fn shared_backends() -> Vec<Shared> {
    let mut backends = Vec::new();
    if redis_support::available().await {
        backends.push(Shared::Redis);
    }
    if let Some(nodes) = tokio::task::spawn_blocking(redis_support::cluster_nodes)
        .await
        .unwrap()
    {
        backends.push(Shared::Cluster(nodes));
    }
    backends
}

/// One app process; killed when dropped.
pub struct Replica {
    pub base: String,
    process: Child,
}

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

async fn free_port() -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    listener.local_addr().unwrap().port()
}

/// An app process on `shared`, its keys under `prefix`, with `rate_limits`
/// (`RATE_LIMITS`); returns once it answers.
pub async fn replica(shared: &Shared, prefix: &str, rate_limits: &str) -> Replica {
    let backend = match shared {
        Shared::Redis => ("REDIS_URL", redis_support::url()),
        Shared::Cluster(nodes) => ("REDIS_CLUSTER_NODES", nodes.join(",")),
    };
    app(&[
        backend,
        ("REDIS_KEY_PREFIX", prefix.to_string()),
        ("RATE_LIMITS", rate_limits.to_string()),
    ])
    .await
}

/// An app process with `variables` besides its address and [`KEY`];
/// returns once it answers.
pub async fn app(variables: &[(&str, String)]) -> Replica {
    let port = free_port().await;
    let process = Command::new(env!("CARGO_BIN_EXE_payments-app"))
        .env("BIND_ADDR", format!("127.0.0.1:{port}"))
        .env("PAYMENTS_API_KEYS", KEY)
        .env("RUST_LOG", "error")
        .envs(variables.iter().map(|(name, value)| (name, value)))
        .stdout(Stdio::null())
        .spawn()
        .expect("the app starts");
    let mut replica = Replica {
        base: format!("http://127.0.0.1:{port}"),
        process,
    };
    let client = reqwest::Client::new();
    for _ in 0..200 {
        if client
            .get(format!("{}/health", replica.base))
            .send()
            .await
            .is_ok()
        {
            return replica;
        }
        if let Ok(Some(status)) = replica.process.try_wait() {
            panic!("the app exited before answering: {status}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the app at {} never answered", replica.base);
}

impl Replica {
    /// `kill -9`: no shutdown, no goodbye to its clients or its database.
    pub fn kill(mut self) {
        self.process.kill().expect("the app is killed");
        let _ = self.process.wait();
    }
}

/// How many charges `replica` holds (each replica has its own store),
/// walking every page.
pub async fn charges_on(client: &reqwest::Client, replica: &Replica) -> usize {
    let mut count = 0;
    let mut cursor: Option<String> = None;
    loop {
        let mut request = client
            .get(format!("{}/v1/charges", replica.base))
            .query(&[("limit", "100")])
            .header("X-API-Key", KEY);
        if let Some(cursor) = &cursor {
            request = request.query(&[("cursor", cursor)]);
        }
        let page: Value = request.send().await.unwrap().json().await.unwrap();
        count += page["data"].as_array().unwrap().len();
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => return count,
        }
    }
}

/// What one charge with an idempotency key answered.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: StatusCode,
    /// Whether it carried `Idempotency-Replay: true`.
    pub replay: bool,
    /// Whether the limiter reported on it (`RateLimit`).
    pub limited: bool,
    pub body: String,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }
}

/// `POST /v1/charges` with `body` (JSON) on the app at `base`, under
/// `Idempotency-Key: key`.
pub async fn charge(client: &reqwest::Client, base: &str, key: &str, body: &str) -> Answer {
    let response = client
        .post(format!("{base}/v1/charges"))
        .header("X-API-Key", KEY)
        .header("Idempotency-Key", key)
        .header("Content-Type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .expect("the app answers");
    Answer {
        status: response.status(),
        replay: response
            .headers()
            .get("idempotency-replay")
            .is_some_and(|value| value == "true"),
        limited: response.headers().contains_key("ratelimit"),
        body: response.text().await.unwrap(),
    }
}
