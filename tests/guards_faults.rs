//! The generated rate limiter and idempotency layer when Redis fails: a
//! replica that dies holding a key, Redis unreachable at start, Redis lost
//! and back mid-run. Runs against `REDIS_URL` (default
//! `redis://127.0.0.1:6379`); under `CI=true` it must.

#[path = "support/guards.rs"]
mod guards_support;
#[path = "support/postgres.rs"]
mod postgres_support;
#[path = "support/redis.rs"]
mod redis_support;

use std::net::SocketAddr;
use std::time::Duration;

use guards_server::runtime::config::Backend;
use guards_server::runtime::idempotency_records::{Fingerprint, ScopeKey};
use guards_server::runtime::redis_store::RedisStore;
use guards_server::ServerConfig;
use reqwest::StatusCode;
use serde_json::json;

use guards_support::{backend, serve, shared_stores, unlimited, Store};

// ---------------------------------------------------------------------------
// Redis faults.

#[tokio::test]
async fn a_replica_that_died_holding_a_key_blocks_it_until_the_lock_expires() {
    for store in shared_stores().await {
        a_replica_died_holding_a_key(&store).await;
    }
}

async fn a_replica_died_holding_a_key(store: &Store) {
    let prefix = redis_support::unique_prefix("crash");
    let mut config = unlimited(store, "crash");
    config.backend = backend(store, &prefix);
    let server = serve(config).await;
    // Another replica claims the key the way the router does, then dies.
    let timeout = Duration::from_millis(500);
    let replica = match store {
        Store::RedisCluster(nodes) => RedisStore::cluster(nodes, &prefix, timeout),
        _ => RedisStore::new(&redis_support::url(), &prefix, timeout),
    };
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
    assert_eq!(blocked.status, StatusCode::CONFLICT, "{store:?}");
    assert_eq!(server.runs.of("orphan"), 0);
    tokio::time::sleep(Duration::from_millis(900)).await;
    let retried = server.order("alice", "orphan", &body).await;
    assert_eq!(retried.status, StatusCode::CREATED);
    assert_eq!(server.runs.of("orphan"), 1);
}

#[tokio::test]
async fn redis_unreachable_at_start_fails_limits_open_and_keys_closed() {
    // Nothing listens on port 1.
    let nowhere = "redis://127.0.0.1:1".to_string();
    let timeout = Duration::from_millis(300);
    let key_prefix = "unreachable:".to_string();
    for backend in [
        Backend::Redis {
            url: nowhere.clone(),
            key_prefix: key_prefix.clone(),
            timeout,
        },
        Backend::RedisCluster {
            nodes: vec![nowhere],
            key_prefix,
            timeout,
        },
    ] {
        unreachable_at_start(backend).await;
    }
}

async fn unreachable_at_start(backend: Backend) {
    let config = ServerConfig {
        backend,
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
