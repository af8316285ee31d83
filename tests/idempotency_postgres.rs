//! The Postgres idempotency store itself (`runtime/postgres_idempotency.rs`
//! of `tests/specs/guards.yaml`'s server): what a handler writes in the
//! lent transaction commits with the record or not at all, replicas that
//! start together make the table once, expired records are deleted, and an
//! unreachable database refuses keyed requests. The Postgres at
//! `DATABASE_URL` (default `postgres://postgres@127.0.0.1:5432/test`);
//! under `CI=true` it must answer.

#[path = "support/guards.rs"]
mod guards_support;
#[path = "support/postgres.rs"]
mod postgres_support;
#[path = "support/redis.rs"]
mod redis_support;

use std::sync::Arc;
use std::time::Duration;

use guards_server::runtime::config::PostgresSettings;
use guards_server::runtime::idempotency_records::{Claim, Fingerprint, ScopeKey, StoredResponse};
use guards_server::runtime::postgres_idempotency::{PostgresIdempotency, Transaction};
use guards_server::ServerConfig;
use reqwest::{Method, StatusCode};
use serde_json::json;

/// A store on a table of its own, and a scratch table for a handler's rows.
async fn store(test: &str) -> Option<(Arc<PostgresIdempotency>, tokio_postgres::Client, String)> {
    if !postgres_support::available().await {
        return None;
    }
    let db = postgres_support::connect().await.unwrap();
    let mut settings = PostgresSettings::new(&postgres_support::url());
    settings.table = postgres_support::unique_table(test);
    let rows = format!("{}_rows", postgres_support::unique_table(test));
    db.batch_execute(&format!("CREATE TABLE {rows} (note text NOT NULL)"))
        .await
        .unwrap();
    Some((PostgresIdempotency::new(&settings), db, rows))
}

fn fingerprint(body: &str) -> Fingerprint {
    Fingerprint::new(&Method::POST, "/orders", body.as_bytes())
}

fn response(body: &str) -> StoredResponse {
    StoredResponse {
        status: 201,
        content_type: None,
        location: None,
        body: axum::body::Bytes::copy_from_slice(body.as_bytes()),
    }
}

async fn claim(
    store: &Arc<PostgresIdempotency>,
    scope: &ScopeKey,
    token: u64,
) -> (Claim, Option<Transaction>) {
    store
        .claim(scope, &fingerprint("b"), token, Duration::from_secs(30))
        .await
        .expect("Postgres answers")
}

/// A handler's write, in the lent transaction.
async fn write(transaction: &Transaction, rows: &str, note: &str) {
    transaction
        .client()
        .await
        .execute(&format!("INSERT INTO {rows} (note) VALUES ($1)"), &[&note])
        .await
        .unwrap();
}

async fn notes(db: &tokio_postgres::Client, rows: &str) -> Vec<String> {
    db.query(&format!("SELECT note FROM {rows} ORDER BY note"), &[])
        .await
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect()
}

#[tokio::test]
async fn a_handlers_writes_commit_with_the_record_or_not_at_all() {
    let Some((store, db, rows)) = store("atomic").await else {
        return;
    };
    let scope = ScopeKey::new("alice", "atomic");

    // Abandoned (a 5xx, a panic): the write rolls back and the key is free.
    let (claimed, transaction) = claim(&store, &scope, 1).await;
    assert!(matches!(claimed, Claim::Claimed));
    let transaction = transaction.expect("a claim lends its transaction");
    write(&transaction, &rows, "abandoned").await;
    let (busy, none) = claim(&store, &scope, 2).await;
    assert!(matches!(busy, Claim::InFlight) && none.is_none());
    store.abandon(transaction, &scope, 1).await.unwrap();
    assert!(notes(&db, &rows).await.is_empty(), "nothing committed");

    // Completed: the write and the record commit together.
    let (claimed, transaction) = claim(&store, &scope, 3).await;
    assert!(
        matches!(claimed, Claim::Claimed),
        "the abandoned key is free"
    );
    let transaction = transaction.unwrap();
    write(&transaction, &rows, "kept").await;
    assert!(
        notes(&db, &rows).await.is_empty(),
        "not visible before the commit"
    );
    let stored = store
        .complete(
            transaction,
            &scope,
            3,
            &response("first"),
            Duration::from_secs(60),
        )
        .await
        .unwrap();
    assert!(stored);
    assert_eq!(notes(&db, &rows).await, ["kept"]);
    match claim(&store, &scope, 4).await.0 {
        Claim::Replay(replayed) => assert_eq!(&replayed.body[..], b"first"),
        _ => panic!("a completed key replays"),
    }
    let other = store
        .claim(&scope, &fingerprint("other"), 5, Duration::from_secs(30))
        .await
        .unwrap();
    assert!(
        matches!(other.0, Claim::Mismatch),
        "another body is refused"
    );
}

#[tokio::test]
async fn a_request_whose_lock_was_taken_over_cannot_commit() {
    let Some((store, db, rows)) = store("takeover").await else {
        return;
    };
    let scope = ScopeKey::new("alice", "takeover");
    let short = Duration::from_millis(200);
    let (_, slow) = store
        .claim(&scope, &fingerprint("b"), 1, short)
        .await
        .unwrap();
    let slow = slow.unwrap();
    write(&slow, &rows, "slow").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    // The holder looks dead: its lock expired, another request takes over.
    let (claimed, fast) = store
        .claim(&scope, &fingerprint("b"), 2, short)
        .await
        .unwrap();
    assert!(matches!(claimed, Claim::Claimed));
    let fast = fast.unwrap();
    write(&fast, &rows, "fast").await;
    let kept = store
        .complete(fast, &scope, 2, &response("fast"), Duration::from_secs(60))
        .await
        .unwrap();
    assert!(kept);
    // The first finishes late: its token is gone, so it rolls back.
    let late = store
        .complete(slow, &scope, 1, &response("slow"), Duration::from_secs(60))
        .await
        .unwrap();
    assert!(!late, "the late request's record is not stored");
    assert_eq!(
        notes(&db, &rows).await,
        ["fast"],
        "only the holder's write is kept"
    );
}

/// A request cancelled inside its transaction (a client that hung up)
/// drops the handle unfinished; its connection goes back to the pool with
/// the transaction open, and must not carry it into the next request.
#[tokio::test]
async fn a_connection_comes_back_from_a_cancelled_request_without_its_transaction() {
    if !postgres_support::available().await {
        return;
    }
    let db = postgres_support::connect().await.unwrap();
    let mut settings = PostgresSettings::new(&postgres_support::url());
    settings.table = postgres_support::unique_table("cancelled");
    // One connection, so the next request gets the same one.
    settings.pool_size = 1;
    let store = PostgresIdempotency::new(&settings);
    let rows = format!("{}_rows", settings.table);
    db.batch_execute(&format!("CREATE TABLE {rows} (note text NOT NULL)"))
        .await
        .unwrap();

    let cancelled = ScopeKey::new("alice", "cancelled");
    let (_, transaction) = claim(&store, &cancelled, 1).await;
    let transaction = transaction.unwrap();
    write(&transaction, &rows, "cancelled").await;
    drop(transaction);

    let next = ScopeKey::new("alice", "next");
    let (claimed, transaction) = claim(&store, &next, 2).await;
    assert!(matches!(claimed, Claim::Claimed));
    let transaction = transaction.unwrap();
    write(&transaction, &rows, "next").await;
    let stored = store
        .complete(
            transaction,
            &next,
            2,
            &response("next"),
            Duration::from_secs(60),
        )
        .await
        .unwrap();
    assert!(stored);
    assert_eq!(
        notes(&db, &rows).await,
        ["next"],
        "the cancelled write never commits"
    );
}

#[tokio::test]
async fn replicas_starting_together_make_the_table_once() {
    if !postgres_support::available().await {
        return;
    }
    let mut settings = PostgresSettings::new(&postgres_support::url());
    settings.table = postgres_support::unique_table("together");
    let claims = (0..4u64).map(|token| {
        let store = PostgresIdempotency::new(&settings);
        tokio::spawn(async move {
            let scope = ScopeKey::new("alice", &format!("together-{token}"));
            store
                .claim(&scope, &fingerprint("b"), token, Duration::from_secs(30))
                .await
                .map(|(claim, _)| matches!(claim, Claim::Claimed))
        })
    });
    for claim in claims {
        assert_eq!(claim.await.unwrap(), Ok(true));
    }
}

#[tokio::test]
async fn expired_records_are_deleted() {
    if !postgres_support::available().await {
        return;
    }
    let db = postgres_support::connect().await.unwrap();
    let mut settings = PostgresSettings::new(&postgres_support::url());
    settings.table = postgres_support::unique_table("expiry");
    let store = PostgresIdempotency::new(&settings);
    for (key, retention) in [("brief", 1), ("kept", 60_000)] {
        let scope = ScopeKey::new("alice", key);
        let (_, transaction) = claim(&store, &scope, 1).await;
        let retention = Duration::from_millis(retention);
        let response = response(key);
        let stored = store
            .complete(transaction.unwrap(), &scope, 1, &response, retention)
            .await
            .unwrap();
        assert!(stored);
    }
    tokio::time::sleep(Duration::from_millis(50)).await;
    // Deleted now, or already by the minutely task the first connection started.
    let deleted = store.delete_expired().await.unwrap();
    assert!(deleted <= 1, "{deleted}");
    let left: i64 = db
        .query_one(&format!("SELECT count(*) FROM {}", settings.table), &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(left, 1, "the brief record is gone, the kept one stays");
    let scope = ScopeKey::new("alice", "kept");
    assert!(matches!(claim(&store, &scope, 2).await.0, Claim::Replay(_)));
    let scope = ScopeKey::new("alice", "brief");
    assert!(matches!(claim(&store, &scope, 3).await.0, Claim::Claimed));
}

#[tokio::test]
async fn an_unreachable_database_refuses_keyed_requests() {
    let mut config = ServerConfig::default();
    // Nothing listens on port 1.
    let mut settings = PostgresSettings::new("postgres://postgres@127.0.0.1:1/test");
    settings.timeout = Duration::from_millis(300);
    config.idempotency.postgres = Some(settings);
    let server = guards_support::serve(config).await;
    let refused = server.order("alice", "k", &json!({"note": "n"})).await;
    assert_eq!(refused.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(refused.code(), "SERVICE_UNAVAILABLE");
    assert_eq!(server.runs.of("n"), 0);
    // Operations without a key need no store.
    let job = server
        .post("/jobs", "alice", None, &json!({"note": "j"}))
        .await;
    assert_eq!(job.status, StatusCode::ACCEPTED);
}
