//! Two instances of the app on one Redis behave as one server: a charge
//! retried across both runs once, and a limit of N per window holds for both
//! together. Real processes, real sockets, the Redis at `REDIS_URL` (default
//! `redis://127.0.0.1:6379`); under `CI=true` a missing Redis fails the test.

#[path = "../../../tests/support/redis.rs"]
mod redis_support;

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{json, Value};

const KEY: &str = "replica-key";

/// One app process; killed when dropped.
struct Replica {
    base: String,
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

async fn replica(prefix: &str, rate_limits: &str) -> Replica {
    let port = free_port().await;
    let process = Command::new(env!("CARGO_BIN_EXE_payments-app"))
        .env("BIND_ADDR", format!("127.0.0.1:{port}"))
        .env("PAYMENTS_API_KEYS", KEY)
        .env("REDIS_URL", redis_support::url())
        .env("REDIS_KEY_PREFIX", prefix)
        .env("RATE_LIMITS", rate_limits)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .expect("the app starts");
    let replica = Replica {
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
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the replica at {} never answered", replica.base);
}

async fn charges_on(client: &reqwest::Client, replica: &Replica) -> usize {
    let reply: Value = client
        .get(format!("{}/v1/charges?limit=100", replica.base))
        .header("X-API-Key", KEY)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    reply["data"].as_array().unwrap().len()
}

#[tokio::test]
async fn one_key_split_across_replicas_charges_once() {
    if !redis_support::available().await {
        return;
    }
    let prefix = redis_support::unique_prefix("replicas-once");
    let limits = "default=100000/60,burst=100000/1";
    let replicas = [
        replica(&prefix, limits).await,
        replica(&prefix, limits).await,
    ];
    let client = reqwest::Client::new();
    let body = json!({"amount": 1999, "currency": "USD", "source": "tok_visa"});
    let requests = (0..30).map(|n| {
        let url = format!("{}/v1/charges", replicas[n % 2].base);
        let request = client
            .post(url)
            .header("X-API-Key", KEY)
            .header("Idempotency-Key", "split-key")
            .json(&body);
        tokio::spawn(async move {
            let response = request.send().await.unwrap();
            let status = response.status();
            let replay = response.headers().contains_key("idempotency-replay");
            (status, replay, response.bytes().await.unwrap())
        })
    });
    let mut replies = Vec::new();
    for request in requests {
        replies.push(request.await.unwrap());
    }
    let originals: Vec<_> = replies
        .iter()
        .filter(|(status, replay, _)| *status == StatusCode::CREATED && !replay)
        .collect();
    assert_eq!(originals.len(), 1, "exactly one request ran the charge");
    for (status, _, bytes) in &replies {
        match *status {
            StatusCode::CREATED => assert_eq!(bytes, &originals[0].2),
            StatusCode::CONFLICT => {}
            other => panic!("unexpected {other}"),
        }
    }
    let total = charges_on(&client, &replicas[0]).await + charges_on(&client, &replicas[1]).await;
    assert_eq!(total, 1, "one charge exists across both replicas");
    // Later retries on either replica replay it.
    for replica in &replicas {
        let response = client
            .post(format!("{}/v1/charges", replica.base))
            .header("X-API-Key", KEY)
            .header("Idempotency-Key", "split-key")
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        assert_eq!(response.headers()["idempotency-replay"], "true");
        assert_eq!(response.bytes().await.unwrap(), originals[0].2);
    }
}

#[tokio::test]
async fn a_limit_holds_for_both_replicas_together() {
    if !redis_support::available().await {
        return;
    }
    let prefix = redis_support::unique_prefix("replicas-limit");
    // 6 per minute, shared: the fourth request on each replica is refused.
    let limits = "default=6/60";
    let replicas = [
        replica(&prefix, limits).await,
        replica(&prefix, limits).await,
    ];
    let client = reqwest::Client::new();
    let mut statuses = Vec::new();
    let mut remaining = Vec::new();
    for n in 0..10 {
        let response = client
            .get(format!("{}/v1/users", replicas[n % 2].base))
            .header("X-API-Key", KEY)
            .send()
            .await
            .unwrap();
        statuses.push(response.status());
        remaining.push(
            response.headers()["x-ratelimit-remaining"]
                .to_str()
                .unwrap()
                .to_string(),
        );
    }
    let allowed = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    assert_eq!(allowed, 6, "{statuses:?}");
    assert!(statuses[6..]
        .iter()
        .all(|s| *s == StatusCode::TOO_MANY_REQUESTS));
    assert_eq!(remaining[..6], ["5", "4", "3", "2", "1", "0"]);
}
