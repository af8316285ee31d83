//! The generated idempotency layer, on both backends, through a real router
//! on a real socket (`tests/specs/guards.yaml`), and how it meets the rate
//! limiter. The Redis half runs against `REDIS_URL` (default
//! `redis://127.0.0.1:6379`); under `CI=true` it must.

#[path = "support/guards.rs"]
mod guards_support;
#[path = "support/postgres.rs"]
mod postgres_support;
#[path = "support/redis.rs"]
mod redis_support;

use std::sync::Arc;
use std::time::Duration;

use guards_server::runtime::clock::{Clock, ManualClock};
use reqwest::StatusCode;
use serde_json::json;

use guards_support::{config, serve, stores, unlimited, Reply, Store};

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
        // Both ran (the lock was too short for the handler).
        let late = first.await.unwrap();
        let replay = server.order("alice", "stale", &slow).await;
        assert_eq!(replay.header("idempotency-replay"), Some("true"));
        assert_eq!(server.runs.of("slow"), 2);
        if let Store::Postgres = store {
            // The first cannot commit: the key is no longer its own, so its
            // writes roll back and the request that took over is the one kept.
            assert_eq!(late.status, StatusCode::CONFLICT, "{store:?}");
            assert_eq!(late.code(), "REQUEST_IN_PROGRESS");
            assert_eq!(replay.bytes, takeover.bytes);
        } else {
            // The response stored is the first to complete.
            assert_eq!(late.status, StatusCode::CREATED);
            assert_eq!(replay.bytes, late.bytes);
        }
    }
}

// ---------------------------------------------------------------------------
// Rate limits and keys together: one check, before the claim.

#[tokio::test]
async fn limits_count_every_request_and_come_before_the_key() {
    for store in stores().await {
        let clock = ManualClock::starting_at(1_000_000_000);
        let mut config = config(&store, "admission");
        config.clock = Clock::manual(clock.clone());
        let server = serve(config).await;
        let remaining = |reply: &Reply| {
            let rate = reply.header("ratelimit").unwrap_or_default().to_string();
            let burst = rate.split(", ").find(|p| p.starts_with("\"burst\""));
            burst.map(str::to_string).unwrap_or(rate)
        };

        // Requests that fail before their key is claimed still count.
        let invalid = server.order("alice", "k1", &json!({"note": ""})).await;
        assert_eq!(invalid.status, StatusCode::BAD_REQUEST, "{store:?}");
        assert!(
            remaining(&invalid).starts_with("\"burst\";r=2"),
            "{store:?}"
        );
        let keyless = server
            .post("/orders", "alice", None, &json!({"note": "a"}))
            .await;
        assert_eq!(keyless.code(), "MISSING_IDEMPOTENCY_KEY");
        assert!(
            remaining(&keyless).starts_with("\"burst\";r=1"),
            "{store:?}"
        );
        let first = server.order("alice", "k1", &json!({"note": "a"})).await;
        assert_eq!(first.status, StatusCode::CREATED, "{store:?}");
        assert!(remaining(&first).starts_with("\"burst\";r=0"), "{store:?}");

        // Out of quota, the limit answers first: before the missing key,
        // before the replay.
        let keyless = server
            .post("/orders", "alice", None, &json!({"note": "a"}))
            .await;
        assert_eq!(keyless.status, StatusCode::TOO_MANY_REQUESTS, "{store:?}");
        let replay = server.order("alice", "k1", &json!({"note": "a"})).await;
        assert_eq!(replay.status, StatusCode::TOO_MANY_REQUESTS, "{store:?}");
        assert_eq!(replay.header("idempotency-replay"), None);
        // A refused request claims nothing: its key runs once there is quota.
        let refused = server.order("alice", "k2", &json!({"note": "b"})).await;
        assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS, "{store:?}");

        clock.advance(Duration::from_secs(1));
        let replay = server.order("alice", "k1", &json!({"note": "a"})).await;
        assert_eq!(replay.status, StatusCode::CREATED, "{store:?}");
        assert_eq!(replay.header("idempotency-replay"), Some("true"));
        assert!(remaining(&replay).starts_with("\"burst\";r=2"), "{store:?}");
        let second = server.order("alice", "k2", &json!({"note": "b"})).await;
        assert_eq!(second.status, StatusCode::CREATED, "{store:?}");
        assert_eq!(second.header("idempotency-replay"), None);
        assert_eq!((server.runs.of("a"), server.runs.of("b")), (1, 1));
    }
}
