//! The Redis backend, for replicas that must share limits and idempotency
//! records. Every operation is one round trip running one Lua script, so it
//! is atomic; every key expires by itself.
//!
//! The connection is made on first use and remade after failures, so the
//! server starts and keeps serving while Redis is away: rate limits then
//! fail open, idempotent operations fail closed (`503`).
//!
//! On a Redis Cluster every key carries its subject's slot tag (`{…}`):
//! the counters of one principal and its idempotency records live in one
//! slot, so one script can take them all.
//!
//! It is the crate's `redis` feature, on by default. What the rate limiter
//! and the idempotency store run on it is in `redis_limits.rs` and
//! `redis_idempotency.rs`.

#![cfg(feature = "redis")]

use std::sync::Arc;
use std::time::Duration;

use redis::aio::{ConnectionLike, ConnectionManager, ConnectionManagerConfig};
use redis::cluster::ClusterClient;
use redis::cluster_async::ClusterConnection;
use redis::{Script, Value};
use tokio::sync::OnceCell;

use crate::runtime::clock::Throttle;
use crate::runtime::digest::{push_hex, SlotTag};

/// At most one warning about an unreachable Redis per this many microseconds.
const WARNING_INTERVAL: u64 = 10_000_000;

/// A shared Redis connection and the scripts that run on it.
pub struct RedisStore {
    /// `Err` for a URL that does not parse: every call then fails.
    client: Result<Client, String>,
    connection: OnceCell<Connection>,
    /// Starts every key.
    pub(crate) prefix: String,
    timeout: Duration,
    warnings: Throttle,
}

/// One Redis, or the seed nodes of a Redis Cluster (boxed: made once,
/// and twice the size of the other).
enum Client {
    Node(redis::Client),
    Cluster(Box<ClusterClient>),
}

/// Both follow failures by themselves: the node's reconnects, the
/// cluster's follows `MOVED` and `ASK` and reloads the slot map after a
/// failover.
#[derive(Clone)]
enum Connection {
    Node(ConnectionManager),
    Cluster(ClusterConnection),
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStore")
            .field("prefix", &self.prefix)
            .field("timeout", &self.timeout)
            .field("cluster", &self.is_cluster())
            .finish_non_exhaustive()
    }
}

impl RedisStore {
    /// Checks the URL; connects on first use. `prefix` starts every key;
    /// `timeout` bounds each round trip.
    pub fn new(url: &str, prefix: &str, timeout: Duration) -> Arc<Self> {
        let client = redis::Client::open(url)
            .map(Client::Node)
            .map_err(|error| error.to_string());
        Self::with_client(client, prefix, timeout)
    }

    /// The same on a Redis Cluster, found through any of `nodes` (URLs).
    pub fn cluster(nodes: &[String], prefix: &str, timeout: Duration) -> Arc<Self> {
        let client = ClusterClient::builder(nodes.iter().map(String::as_str))
            .connection_timeout(timeout)
            .response_timeout(timeout)
            // Few retries: the request waits for them, and a limit that
            // cannot be checked in time is better skipped than late.
            .retries(2)
            .min_retry_wait(10)
            .max_retry_wait(100)
            .build()
            .map(|client| Client::Cluster(Box::new(client)))
            .map_err(|error| error.to_string());
        Self::with_client(client, prefix, timeout)
    }

    fn with_client(client: Result<Client, String>, prefix: &str, timeout: Duration) -> Arc<Self> {
        if let Err(error) = &client {
            tracing::error!("the Redis address is not usable: {error}");
        }
        Arc::new(RedisStore {
            client,
            connection: OnceCell::new(),
            prefix: prefix.to_string(),
            timeout,
            warnings: Throttle::every(WARNING_INTERVAL),
        })
    }

    /// Whether keys of one script must share a slot.
    pub(crate) fn is_cluster(&self) -> bool {
        matches!(self.client, Ok(Client::Cluster(_)))
    }

    /// The connection, made on first use. A cluster's is made by reading
    /// the slot map from a seed node; until one answers, every call tries
    /// again.
    async fn connection(&self) -> Result<Connection, String> {
        let timeout = self.timeout;
        let client = self.client.as_ref().map_err(String::clone)?;
        self.connection
            .get_or_try_init(|| async {
                match client {
                    Client::Node(client) => {
                        let config = ConnectionManagerConfig::new()
                            .set_connection_timeout(Some(timeout))
                            .set_response_timeout(Some(timeout))
                            .set_number_of_retries(1)
                            .set_max_delay(Duration::from_secs(1));
                        ConnectionManager::new_lazy_with_config(client.clone(), config)
                            .map(Connection::Node)
                    }
                    Client::Cluster(client) => {
                        client.get_async_connection().await.map(Connection::Cluster)
                    }
                }
            })
            .await
            .cloned()
            .map_err(|error| error.to_string())
    }

    /// A key name: the prefix, `kind`, the slot tag between braces, a
    /// colon and `digest` in hexadecimal (`<prefix>idem:{1a2b3c4d}:…`).
    /// Built by appending: every request names one or more keys.
    pub(crate) fn key_name(&self, kind: &[&str], slot: SlotTag, digest: &[u8]) -> String {
        let length = kind.iter().map(|part| part.len()).sum::<usize>();
        let mut key = String::with_capacity(self.prefix.len() + length + 11 + 2 * digest.len());
        key.push_str(&self.prefix);
        for part in kind {
            key.push_str(part);
        }
        key.push('{');
        push_hex(&mut key, &slot.0);
        key.push_str("}:");
        push_hex(&mut key, digest);
        key
    }

    /// Runs a script within the timeout. A failure counts in
    /// `backend_errors_total`.
    pub(crate) async fn run(
        &self,
        script: &Script,
        keys: &[String],
        args: &[Vec<u8>],
    ) -> Result<Value, String> {
        let outcome = self.invoke(script, keys, args).await;
        if outcome.is_err() {
            metrics::counter!("backend_errors_total", "backend" => "redis").increment(1);
        }
        outcome
    }

    async fn invoke(
        &self,
        script: &Script,
        keys: &[String],
        args: &[Vec<u8>],
    ) -> Result<Value, String> {
        let mut invocation = script.prepare_invoke();
        for key in keys {
            invocation.key(key);
        }
        for arg in args {
            invocation.arg(arg.as_slice());
        }
        // The connection too: a cluster's is made by asking a seed node.
        let call = async {
            match self.connection().await? {
                Connection::Node(mut node) => call(&invocation, &mut node).await,
                Connection::Cluster(mut cluster) => call(&invocation, &mut cluster).await,
            }
        };
        match tokio::time::timeout(self.timeout, call).await {
            Ok(result) => result,
            Err(_) => Err("no answer in time".to_string()),
        }
    }

    /// Logs a warning, at most once per interval.
    pub fn warn(&self, message: &str) {
        if self.warnings.ready() {
            tracing::warn!("{message}");
        }
    }
}

async fn call(
    invocation: &redis::ScriptInvocation<'_>,
    connection: &mut impl ConnectionLike,
) -> Result<Value, String> {
    invocation
        .invoke_async(connection)
        .await
        .map_err(|error| error.to_string())
}
