//! Exactly once across crashes, with the app's data and idempotency records
//! in Postgres: a charge and its stored response commit in one transaction,
//! so an app killed (`SIGKILL`) after the commit replays the charge when
//! the retry comes, and one killed inside the transaction leaves nothing,
//! so the retry runs it once. Real processes, the Postgres at
//! `DATABASE_URL` (default `postgres://postgres@127.0.0.1:5432/test`) and,
//! for the limits of the replicas test, the Redis at `REDIS_URL`; under
//! `CI=true` a missing one fails the tests.

#[path = "../../../tests/support/postgres.rs"]
mod postgres_support;
#[path = "../../../tests/support/redis.rs"]
mod redis_support;
#[path = "support/replica.rs"]
mod support;

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::json;
use tokio::io::AsyncWriteExt;

use support::{app, charge, Replica, KEY};

const BODY: &str = r#"{"amount": 4200, "currency": "EUR", "source": "tok_visa"}"#;

/// The app on Postgres, its data in `schema`, idempotency locks held
/// `lock_timeout` seconds.
async fn on_postgres(schema: &str, lock_timeout: u64) -> Replica {
    app(&[
        ("DATABASE_URL", postgres_support::url()),
        ("DATABASE_SCHEMA", schema.to_string()),
        ("IDEMPOTENCY_LOCK_TIMEOUT_SECS", lock_timeout.to_string()),
        (
            "RATE_LIMITS",
            "default=100000/60,burst=100000/1".to_string(),
        ),
    ])
    .await
}

/// A schema no other run uses, and the key this test's charges use.
fn names(test: &str) -> (String, String) {
    let schema = postgres_support::unique_table(test);
    let key = format!("{schema}-key");
    (schema, key)
}

async fn charges_in(db: &tokio_postgres::Client, schema: &str) -> i64 {
    db.query_one(&format!("SELECT count(*) FROM {schema}.charges"), &[])
        .await
        .unwrap()
        .get(0)
}

/// Sends the charge and never reads the answer: the client that lost it.
async fn send_unanswered(replica: &Replica, key: &str) -> tokio::net::TcpStream {
    let address = replica.base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let request = format!(
        "POST /v1/charges HTTP/1.1\r\nHost: {address}\r\nX-API-Key: {KEY}\r\n\
         Idempotency-Key: {key}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n{BODY}",
        BODY.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    stream
}

/// How many sessions run a statement like `pattern` (waiting for a lock,
/// if `waiting`).
async fn sessions(db: &tokio_postgres::Client, pattern: &str, waiting: bool) -> i64 {
    db.query_one(
        "SELECT count(*) FROM pg_stat_activity
         WHERE query LIKE $1 AND (NOT $2 OR wait_event_type = 'Lock')",
        &[&pattern, &waiting],
    )
    .await
    .unwrap()
    .get(0)
}

async fn until(what: &str, mut check: impl AsyncFnMut() -> bool) {
    let started = Instant::now();
    while !check().await {
        assert!(started.elapsed() < Duration::from_secs(20), "never: {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn killed_after_the_commit_the_retry_replays_the_one_charge() {
    if !postgres_support::available().await {
        return;
    }
    let db = postgres_support::connect().await.unwrap();
    let (schema, key) = names("after_commit");
    let first = on_postgres(&schema, 30).await;
    let _unanswered = send_unanswered(&first, &key).await;
    // Committed: the charge is there, and with it its stored response.
    until("the charge commits", async || {
        charges_in(&db, &schema).await == 1
    })
    .await;
    first.kill();

    let second = on_postgres(&schema, 30).await;
    let client = reqwest::Client::new();
    let answer = charge(&client, &second.base, &key, BODY).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    assert!(
        answer.replay,
        "the retry replays what the killed app committed"
    );
    let id: String = db
        .query_one(&format!("SELECT id FROM {schema}.charges"), &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(answer.json()["data"]["id"], json!(id));
    assert_eq!(charges_in(&db, &schema).await, 1, "exactly one charge");
}

#[tokio::test]
async fn killed_inside_the_transaction_nothing_commits_and_the_retry_runs_once() {
    if !postgres_support::available().await {
        return;
    }
    let db = postgres_support::connect().await.unwrap();
    let (schema, key) = names("in_transaction");
    let first = on_postgres(&schema, 1).await;
    // Holds the handler inside its transaction: its insert waits for this lock.
    let mut blocker = postgres_support::connect().await.unwrap();
    let lock = blocker.transaction().await.unwrap();
    lock.batch_execute(&format!("LOCK TABLE {schema}.charges IN EXCLUSIVE MODE"))
        .await
        .unwrap();
    let _unanswered = send_unanswered(&first, &key).await;
    let insert = format!("INSERT INTO {schema}.charges%");
    until("the handler waits inside its transaction", async || {
        sessions(&db, &insert, true).await == 1
    })
    .await;
    first.kill();
    lock.rollback().await.unwrap();
    // Postgres rolls the dead app's transaction back once it sees the
    // connection gone.
    until("the dead app's transaction ends", async || {
        sessions(&db, &insert, false).await == 0
    })
    .await;
    assert_eq!(charges_in(&db, &schema).await, 0, "nothing committed");

    // The claim outlives the process until its lock times out (1 s), then
    // the retry takes the key over and runs once.
    let second = on_postgres(&schema, 1).await;
    let client = reqwest::Client::new();
    let mut answers = Vec::new();
    let created = loop {
        let answer = charge(&client, &second.base, &key, BODY).await;
        match answer.status {
            StatusCode::CONFLICT => answers.push(answer.status),
            StatusCode::CREATED => break answer,
            other => panic!("the retry answered {other}: {}", answer.body),
        }
        assert!(answers.len() < 200, "the dead app's claim never expired");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(!created.replay, "the retry ran the charge itself");
    assert_eq!(charges_in(&db, &schema).await, 1, "exactly one charge");
    let replayed = charge(&client, &second.base, &key, BODY).await;
    assert_eq!(
        (replayed.status, replayed.replay),
        (StatusCode::CREATED, true)
    );
    assert_eq!(replayed.json()["data"]["id"], created.json()["data"]["id"]);
}

#[tokio::test]
async fn fifty_requests_with_one_key_across_two_processes_charge_once() {
    if !postgres_support::available().await || !redis_support::available().await {
        return;
    }
    let db = postgres_support::connect().await.unwrap();
    let (schema, key) = names("fifty");
    // Limits on Redis, keys and data in Postgres: each where it belongs.
    let variables = [
        ("DATABASE_URL", postgres_support::url()),
        ("DATABASE_SCHEMA", schema.clone()),
        ("REDIS_URL", redis_support::url()),
        ("REDIS_KEY_PREFIX", redis_support::unique_prefix("fifty")),
        (
            "RATE_LIMITS",
            "default=100000/60,burst=100000/1".to_string(),
        ),
    ];
    let replicas = [app(&variables).await, app(&variables).await];
    let client = reqwest::Client::new();
    let requests = (0..50).map(|n| {
        let client = client.clone();
        let base = replicas[n % 2].base.clone();
        let key = key.clone();
        tokio::spawn(async move { charge(&client, &base, &key, BODY).await })
    });
    let mut replies = Vec::new();
    for request in requests {
        replies.push(request.await.unwrap());
    }
    let originals: Vec<_> = replies
        .iter()
        .filter(|answer| answer.status == StatusCode::CREATED && !answer.replay)
        .collect();
    assert_eq!(originals.len(), 1, "exactly one request ran the charge");
    for answer in &replies {
        assert!(answer.limited, "the limits on Redis counted the request");
        match answer.status {
            StatusCode::CREATED => assert_eq!(answer.body, originals[0].body),
            StatusCode::CONFLICT => {}
            other => panic!("unexpected {other}: {}", answer.body),
        }
    }
    assert_eq!(
        charges_in(&db, &schema).await,
        1,
        "one charge across both processes"
    );
}
