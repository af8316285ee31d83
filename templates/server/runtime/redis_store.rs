//! The Redis backend, for replicas that must share limits and idempotency
//! records. Every operation is one round trip running one Lua script, so it
//! is atomic; every key expires by itself.
//!
//! The connection is made on first use and remade after failures, so the
//! server starts and keeps serving while Redis is away: rate limits then
//! fail open, idempotent operations fail closed (`503`).
//!
//! It is the crate's `redis` feature, on by default. What the rate limiter
//! and the idempotency store run on it is in `redis_limits.rs` and
//! `redis_idempotency.rs`.

#![cfg(feature = "redis")]

use std::sync::Arc;
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{Script, Value};
use tokio::sync::OnceCell;

use crate::runtime::clock::Throttle;
use crate::runtime::digest::push_hex;

/// At most one warning about an unreachable Redis per this many microseconds.
const WARNING_INTERVAL: u64 = 10_000_000;

/// A shared Redis connection and the scripts that run on it.
pub struct RedisStore {
    /// `Err` for a URL that does not parse: every call then fails.
    client: Result<redis::Client, String>,
    connection: OnceCell<ConnectionManager>,
    /// Starts every key.
    pub(crate) prefix: String,
    timeout: Duration,
    warnings: Throttle,
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStore")
            .field("prefix", &self.prefix)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl RedisStore {
    /// Checks the URL; connects on first use. `prefix` starts every key;
    /// `timeout` bounds each round trip.
    pub fn new(url: &str, prefix: &str, timeout: Duration) -> Arc<Self> {
        let client = redis::Client::open(url).map_err(|error| error.to_string());
        if let Err(error) = &client {
            tracing::error!("the Redis URL is not usable: {error}");
        }
        Arc::new(RedisStore {
            client,
            connection: OnceCell::new(),
            prefix: prefix.to_string(),
            timeout,
            warnings: Throttle::every(WARNING_INTERVAL),
        })
    }

    async fn connection(&self) -> Result<ConnectionManager, String> {
        let timeout = self.timeout;
        let client = self.client.as_ref().map_err(String::clone)?;
        self.connection
            .get_or_try_init(|| async {
                let client = client.clone();
                let config = ConnectionManagerConfig::new()
                    .set_connection_timeout(Some(timeout))
                    .set_response_timeout(Some(timeout))
                    .set_number_of_retries(1)
                    .set_max_delay(Duration::from_secs(1));
                ConnectionManager::new_lazy_with_config(client, config)
            })
            .await
            .cloned()
            .map_err(|error| error.to_string())
    }

    /// A key name: the prefix, then `parts`, then `digest` in hexadecimal.
    /// Built by appending: every request names one or more keys.
    pub(crate) fn key_name(&self, parts: &[&str], digest: &[u8]) -> String {
        let length = parts.iter().map(|part| part.len()).sum::<usize>();
        let mut key = String::with_capacity(self.prefix.len() + length + 2 * digest.len());
        key.push_str(&self.prefix);
        for part in parts {
            key.push_str(part);
        }
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
        let mut connection = self.connection().await?;
        let mut invocation = script.prepare_invoke();
        for key in keys {
            invocation.key(key);
        }
        for arg in args {
            invocation.arg(arg.as_slice());
        }
        match tokio::time::timeout(self.timeout, invocation.invoke_async(&mut connection)).await {
            Ok(result) => result.map_err(|error| error.to_string()),
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
