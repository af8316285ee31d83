//! The in-memory idempotency store does not turn into an outage when it is
//! full: the oldest completed records make room for new keys (records in
//! flight stay), unless it is configured to refuse.

use std::sync::Arc;

use axum::body::Bytes;
use axum::http::HeaderValue;
use payments_app::PaymentsApi;
use payments_server::runtime::config::{Backend, MemoryBounds, WhenFull};
use payments_server::runtime::digest::SlotTag;
use payments_server::runtime::idempotency_records::{
    Claim, Fingerprint, ScopeKey, StoreError, StoredResponse,
};
use payments_server::runtime::memory_idempotency::MemoryIdempotency;
use payments_server::runtime::rate_limit::QuotaOverrides;
use payments_server::{router, ServerConfig};
use reqwest::StatusCode;
use serde_json::{json, Value};

const SECOND: u64 = 1_000_000;
const DAY: u64 = 86_400 * SECOND;

/// A key whose first byte picks its shard: keys `(shard, n)` and `(shard, m)`
/// share one.
fn key(shard: u8, n: u8) -> ScopeKey {
    let mut bytes = [0; 32];
    bytes[0] = shard;
    bytes[1] = n;
    ScopeKey {
        digest: bytes,
        slot: SlotTag([0; 4]),
    }
}

fn fingerprint(n: u8) -> Fingerprint {
    Fingerprint([n; 32])
}

fn response(body: &'static str) -> Arc<StoredResponse> {
    Arc::new(StoredResponse {
        status: 201,
        content_type: Some(HeaderValue::from_static("application/json")),
        location: None,
        body: Bytes::from_static(body.as_bytes()),
    })
}

/// Claims `key` and completes it at `now`.
fn run(
    store: &MemoryIdempotency,
    key: &ScopeKey,
    body: &'static str,
    now: u64,
) -> Result<(), StoreError> {
    let claim = store.claim(key, &fingerprint(1), 7, 10 * SECOND, now)?;
    assert!(matches!(claim, Claim::Claimed), "{claim:?}");
    assert!(store.complete(key, &fingerprint(1), 7, response(body), DAY, now)?);
    Ok(())
}

fn replays(store: &MemoryIdempotency, key: &ScopeKey, now: u64) -> Option<Bytes> {
    match store.claim(key, &fingerprint(1), 8, 10 * SECOND, now) {
        Ok(Claim::Replay(stored)) => Some(stored.body.clone()),
        _ => None,
    }
}

/// 64 keys for 64 shards: one record per shard.
const ONE_PER_SHARD: usize = 64;

#[test]
fn the_oldest_completed_records_make_room_for_new_keys() {
    let store = MemoryIdempotency::new(ONE_PER_SHARD, 1 << 20, WhenFull::Evict);
    run(&store, &key(3, 0), "first", SECOND).unwrap();
    run(&store, &key(3, 1), "second", 2 * SECOND).unwrap();
    run(&store, &key(3, 2), "third", 3 * SECOND).unwrap();
    assert_eq!(store.evicted(), 2);
    // The newest replays; the older ones are gone, so their retries run again.
    assert_eq!(
        replays(&store, &key(3, 2), 4 * SECOND).as_deref(),
        Some(&b"third"[..])
    );
    assert_eq!(replays(&store, &key(3, 0), 4 * SECOND), None);
    // Other shards are untouched.
    run(&store, &key(4, 0), "elsewhere", 5 * SECOND).unwrap();
    assert_eq!(
        store.evicted(),
        3,
        "the replay check above claimed key 0 again"
    );
}

#[test]
fn a_flood_of_new_keys_is_always_taken_and_recent_ones_replay() {
    let store = MemoryIdempotency::new(ONE_PER_SHARD * 4, 1 << 20, WhenFull::Evict);
    for round in 0..20u8 {
        for shard in 0..64u8 {
            run(
                &store,
                &key(shard, round),
                "charge",
                u64::from(round) * SECOND,
            )
            .unwrap();
        }
    }
    // Four records per shard: the last four rounds replay, the first does not.
    for round in 16..20u8 {
        assert!(
            replays(&store, &key(9, round), 30 * SECOND).is_some(),
            "round {round}"
        );
    }
    assert!(replays(&store, &key(9, 0), 30 * SECOND).is_none());
}

#[test]
fn records_in_flight_are_never_dropped() {
    let store = MemoryIdempotency::new(ONE_PER_SHARD, 1 << 20, WhenFull::Evict);
    let held = store
        .claim(&key(5, 0), &fingerprint(1), 7, 10 * SECOND, SECOND)
        .unwrap();
    assert!(matches!(held, Claim::Claimed));
    // Its shard has no completed record to drop.
    let refused = store.claim(&key(5, 1), &fingerprint(1), 8, 10 * SECOND, SECOND);
    assert!(matches!(refused, Err(StoreError::Full)), "{refused:?}");
    assert!(matches!(
        store.claim(&key(5, 0), &fingerprint(1), 9, 10 * SECOND, 2 * SECOND),
        Ok(Claim::InFlight)
    ));
}

#[test]
fn the_byte_bound_evicts_too_but_never_for_a_response_that_cannot_fit() {
    // 64 shards of 90 bytes each; a stored response counts its body, its
    // content type (16 bytes here) and 64 bytes besides.
    let store = MemoryIdempotency::new(1_000, 64 * 90, WhenFull::Evict);
    run(&store, &key(6, 0), "12345", SECOND).unwrap();
    run(&store, &key(6, 1), "6789", 2 * SECOND).unwrap();
    assert_eq!(store.evicted(), 1);
    assert!(replays(&store, &key(6, 1), 3 * SECOND).is_some());
    // Eleven bytes of body fit no shard: refused, and nothing is dropped for it.
    let claim = store
        .claim(&key(6, 2), &fingerprint(1), 7, 10 * SECOND, 4 * SECOND)
        .unwrap();
    assert!(matches!(claim, Claim::Claimed));
    let too_big = store.complete(
        &key(6, 2),
        &fingerprint(1),
        7,
        response("12345678901"),
        DAY,
        4 * SECOND,
    );
    assert!(matches!(too_big, Err(StoreError::Full)));
    assert!(replays(&store, &key(6, 1), 5 * SECOND).is_some());
}

#[test]
fn refusing_keeps_a_full_store_closed_to_new_keys() {
    let store = MemoryIdempotency::new(ONE_PER_SHARD, 1 << 20, WhenFull::Refuse);
    run(&store, &key(7, 0), "kept", SECOND).unwrap();
    let refused = store.claim(&key(7, 1), &fingerprint(1), 8, 10 * SECOND, 2 * SECOND);
    assert!(matches!(refused, Err(StoreError::Full)), "{refused:?}");
    assert_eq!(store.evicted(), 0);
    assert!(replays(&store, &key(7, 0), 3 * SECOND).is_some());
    // Expired records still make room.
    run(&store, &key(7, 1), "later", 2 * DAY).unwrap();
}

#[test]
fn the_setting_reads_evict_or_refuse() {
    assert_eq!("evict".parse(), Ok(WhenFull::Evict));
    assert_eq!("refuse".parse(), Ok(WhenFull::Refuse));
    assert!("drop".parse::<WhenFull>().is_err());
    let defaults = MemoryBounds::default();
    assert_eq!(defaults.idempotency_when_full, WhenFull::Evict);
}

/// The flagship app with room for 64 idempotency records (one per shard).
async fn small_app(when_full: WhenFull) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let mut config = ServerConfig {
        backend: Backend::Memory(MemoryBounds {
            idempotency_keys: ONE_PER_SHARD,
            idempotency_when_full: when_full,
            ..MemoryBounds::default()
        }),
        ..ServerConfig::default()
    };
    config.rate_limits.overrides =
        QuotaOverrides::parse("default=100000/60,burst=100000/1").unwrap();
    let app = router(PaymentsApi::new(["key-a".into()]), config);
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{address}")
}

async fn create_charge(
    client: &reqwest::Client,
    base: &str,
    key: &str,
) -> (StatusCode, Value, bool) {
    let response = client
        .post(format!("{base}/v1/charges"))
        .header("X-API-Key", "key-a")
        .header("Idempotency-Key", key)
        .json(&json!({"amount": 1000, "currency": "USD", "source": "tok_visa"}))
        .send()
        .await
        .unwrap();
    let status = response.status();
    let replayed = response.headers().contains_key("idempotency-replay");
    (status, response.json().await.unwrap(), replayed)
}

#[tokio::test]
async fn a_full_store_keeps_taking_payments_and_replays_recent_ones() {
    let base = small_app(WhenFull::Evict).await;
    let client = reqwest::Client::new();
    let mut last = Value::Null;
    for n in 0..500 {
        let (status, body, replayed) = create_charge(&client, &base, &format!("fill-{n}")).await;
        assert_eq!(status, StatusCode::CREATED, "key {n}: {body}");
        assert!(!replayed);
        last = body;
    }
    let (status, body, replayed) = create_charge(&client, &base, "fill-499").await;
    assert_eq!(status, StatusCode::CREATED);
    assert!(replayed, "the newest key replays");
    assert_eq!(body["data"]["id"], last["data"]["id"]);
}

#[tokio::test]
async fn a_full_store_set_to_refuse_answers_503() {
    let base = small_app(WhenFull::Refuse).await;
    let client = reqwest::Client::new();
    let mut statuses = Vec::new();
    for n in 0..500 {
        statuses.push(
            create_charge(&client, &base, &format!("refuse-{n}"))
                .await
                .0,
        );
    }
    assert!(statuses.contains(&StatusCode::SERVICE_UNAVAILABLE));
    assert!(statuses
        .iter()
        .all(|s| *s == StatusCode::CREATED || *s == StatusCode::SERVICE_UNAVAILABLE));
}
