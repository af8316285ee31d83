//! Server settings with sensible defaults, overridable from the environment.

use std::time::Duration;

use crate::runtime::listener::ListenerConfig;

// @if state
use crate::runtime::clock::Clock;
// @end
// @if cursors
use crate::runtime::cursor::CursorCodec;
// @end
// @if idempotency
use crate::runtime::idempotency;
// @end
// @if limits
use crate::runtime::rate_limit::QuotaOverrides;
// @end

/// How the generated router behaves. `ServerConfig::default()` suits local
/// use; `ServerConfig::from_env()` reads the variables documented on each field.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Largest accepted request body (`BODY_LIMIT_BYTES`, default 1 MiB).
    pub body_limit: usize,
    /// Largest streamed body: a binary body the spec does not bound, which
    /// the handler reads as it arrives (`STREAM_LIMIT_BYTES`, default 1 GiB).
    pub stream_limit: u64,
    /// How long a request may take before `503 REQUEST_TIMEOUT`
    /// (`REQUEST_TIMEOUT_SECS`, default 30).
    pub request_timeout: Duration,
    /// Header read and keep-alive timeouts and the connection cap, for
    /// [`serve`](crate::serve).
    pub listener: ListenerConfig,
    /// Counts requests and serves them at `GET /metrics` for Prometheus
    /// (`METRICS=true`, default off); see [`metrics`](crate::runtime::metrics).
    pub metrics: bool,
    // @if cursors
    /// Signs pagination cursors (`CURSOR_SECRET`). Without it a random key is
    /// made at startup, so cursors do not survive a restart or cross replicas.
    pub cursors: CursorCodec,
    // @end
    // @if state
    /// Where rate-limit counters and idempotency records live: in memory
    /// (the default) or in Redis when `REDIS_URL` is set.
    pub backend: Backend,
    // @end
    // @if limits
    pub rate_limits: RateLimitSettings,
    // @end
    // @if idempotency
    pub idempotency: IdempotencySettings,
    // @end
    // @if state
    /// The time the limiter and the idempotency store go by (tests replace it).
    pub clock: Clock,
    // @end
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            body_limit: 1024 * 1024,
            stream_limit: 1024 * 1024 * 1024,
            request_timeout: Duration::from_secs(30),
            listener: ListenerConfig::default(),
            metrics: false,
            // @if cursors
            cursors: CursorCodec::new(random_key()),
            // @end
            // @if state
            backend: Backend::Memory(MemoryBounds::default()),
            clock: Clock::system(),
            // @end
            // @if limits
            rate_limits: RateLimitSettings::default(),
            // @end
            // @if idempotency
            idempotency: IdempotencySettings::default(),
            // @end
        }
    }
}

// @if state
/// Where the state of the rate limiter and of idempotency keys is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Backend {
    /// In this process: right for one replica, lost on restart.
    Memory(MemoryBounds),
    /// In Redis, shared by every replica that uses the same URL and prefix
    /// (with the crate's `redis` feature, on by default).
    #[cfg(feature = "redis")]
    Redis {
        /// `REDIS_URL`, such as `redis://127.0.0.1:6379`.
        url: String,
        /// Starts every key (`REDIS_KEY_PREFIX`, default `<crate name>:`).
        key_prefix: String,
        /// The longest wait for one answer (`REDIS_TIMEOUT_MS`, default 500):
        /// past it, limits fail open and idempotent requests get `503`.
        timeout: Duration,
    },
}

/// How much the in-memory backend may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemoryBounds {
    // @if limits
    /// Rate-limit keys tracked (`RATE_LIMIT_MAX_KEYS`, default 1,000,000);
    /// past it the least recently seen are forgotten.
    pub rate_limit_keys: usize,
    // @end
    // @if idempotency
    /// Idempotency keys kept (`IDEMPOTENCY_MAX_KEYS`, default 100,000).
    pub idempotency_keys: usize,
    /// Bytes of stored responses (`IDEMPOTENCY_MAX_BYTES`, default 256 MiB).
    pub idempotency_bytes: usize,
    /// What happens when either bound is reached by unexpired records
    /// (`IDEMPOTENCY_WHEN_FULL=evict|refuse`, default `evict`).
    pub idempotency_when_full: WhenFull,
    // @end
}

impl Default for MemoryBounds {
    fn default() -> Self {
        MemoryBounds {
            // @if limits
            rate_limit_keys: 1_000_000,
            // @end
            // @if idempotency
            idempotency_keys: 100_000,
            idempotency_bytes: 256 * 1024 * 1024,
            idempotency_when_full: WhenFull::Evict,
            // @end
        }
    }
}

// @if idempotency
/// What the in-memory idempotency store does when it is full of unexpired
/// records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WhenFull {
    /// Drop the oldest completed records to make room, with a warning in
    /// the log: a retry of one of them runs again. Records in flight stay.
    Evict,
    /// Answer new keys `503 SERVICE_UNAVAILABLE` until records expire.
    Refuse,
}

impl std::str::FromStr for WhenFull {
    type Err = ();

    fn from_str(text: &str) -> Result<Self, ()> {
        match text {
            "evict" => Ok(WhenFull::Evict),
            "refuse" => Ok(WhenFull::Refuse),
            _ => Err(()),
        }
    }
}

// @end
// @end
// @if limits
/// How the rate limiter behaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimitSettings {
    /// `false` turns every limit off (no counting, no headers).
    pub enabled: bool,
    /// Quotas in place of the spec's (`RATE_LIMITS`, such as
    /// `default=1000/60,default:pro=5000/60,burst=50/1`).
    pub overrides: QuotaOverrides,
    /// How many proxies in front of the server append to `X-Forwarded-For`
    /// (`TRUSTED_PROXY_HOPS`, default 0: the peer address is the client's).
    pub trusted_proxy_hops: usize,
}

impl Default for RateLimitSettings {
    fn default() -> Self {
        RateLimitSettings {
            enabled: true,
            overrides: QuotaOverrides::default(),
            trusted_proxy_hops: 0,
        }
    }
}

// @end
// @if idempotency
/// How idempotency keys behave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdempotencySettings {
    /// `false` ignores `Idempotency-Key` everywhere.
    pub enabled: bool,
    /// Retention and lock timeout in place of the spec's
    /// (`IDEMPOTENCY_RETENTION_SECS`, `IDEMPOTENCY_LOCK_TIMEOUT_SECS`).
    pub overrides: idempotency::Overrides,
}

impl Default for IdempotencySettings {
    fn default() -> Self {
        IdempotencySettings {
            enabled: true,
            overrides: idempotency::Overrides::default(),
        }
    }
}

// @end
impl ServerConfig {
    /// The defaults, with any of the variables named on the fields that are
    /// set. A variable that does not parse is an error.
    pub fn from_env() -> Result<Self, ConfigError> {
        let mut config = ServerConfig::default();
        if let Some(bytes) = variable("BODY_LIMIT_BYTES")? {
            config.body_limit = bytes;
        }
        if let Some(bytes) = variable("STREAM_LIMIT_BYTES")? {
            config.stream_limit = bytes;
        }
        if let Some(seconds) = variable::<u64>("REQUEST_TIMEOUT_SECS")? {
            config.request_timeout = Duration::from_secs(seconds);
        }
        if let Some(seconds) = variable::<u64>("HEADER_READ_TIMEOUT_SECS")? {
            config.listener.header_read_timeout = Duration::from_secs(seconds);
        }
        if let Some(seconds) = variable::<u64>("KEEP_ALIVE_TIMEOUT_SECS")? {
            config.listener.keep_alive_timeout = Duration::from_secs(seconds);
        }
        if let Some(connections) = variable("MAX_CONNECTIONS")? {
            config.listener.max_connections = connections;
        }
        if let Some(metrics) = variable("METRICS")? {
            config.metrics = metrics;
        }
        // @if cursors
        if let Ok(secret) = std::env::var("CURSOR_SECRET") {
            config.cursors = CursorCodec::new(secret.into_bytes());
        }
        // @end
        // @if state
        #[cfg(not(feature = "redis"))]
        if let Ok(url) = std::env::var("REDIS_URL") {
            // Built without Redis: better to refuse than to run unshared.
            return Err(ConfigError {
                variable: "REDIS_URL",
                value: format!("{url} (this server was built without the `redis` feature)"),
            });
        }
        #[cfg(feature = "redis")]
        if let Ok(url) = std::env::var("REDIS_URL") {
            if redis::Client::open(url.as_str()).is_err() {
                return Err(ConfigError {
                    variable: "REDIS_URL",
                    value: url,
                });
            }
            config.backend = Backend::Redis {
                url,
                key_prefix: std::env::var("REDIS_KEY_PREFIX").unwrap_or_else(|_| default_prefix()),
                timeout: Duration::from_millis(variable("REDIS_TIMEOUT_MS")?.unwrap_or(500)),
            };
        }
        match &mut config.backend {
            Backend::Memory(bounds) => {
                // @if limits
                if let Some(keys) = variable("RATE_LIMIT_MAX_KEYS")? {
                    bounds.rate_limit_keys = keys;
                }
                // @end
                // @if idempotency
                if let Some(keys) = variable("IDEMPOTENCY_MAX_KEYS")? {
                    bounds.idempotency_keys = keys;
                }
                if let Some(bytes) = variable("IDEMPOTENCY_MAX_BYTES")? {
                    bounds.idempotency_bytes = bytes;
                }
                if let Some(when_full) = variable("IDEMPOTENCY_WHEN_FULL")? {
                    bounds.idempotency_when_full = when_full;
                }
                // @end
            }
            #[cfg(feature = "redis")]
            Backend::Redis { .. } => {}
        }
        // @end
        // @if limits
        if let Ok(text) = std::env::var("RATE_LIMITS") {
            config.rate_limits.overrides =
                QuotaOverrides::parse(&text).map_err(|_| ConfigError {
                    variable: "RATE_LIMITS",
                    value: text,
                })?;
        }
        if let Some(hops) = variable("TRUSTED_PROXY_HOPS")? {
            config.rate_limits.trusted_proxy_hops = hops;
        }
        // @end
        // @if idempotency
        let overrides = &mut config.idempotency.overrides;
        if let Some(seconds) = variable("IDEMPOTENCY_RETENTION_SECS")? {
            overrides.retention = Some(Duration::from_secs(seconds));
        }
        if let Some(seconds) = variable("IDEMPOTENCY_LOCK_TIMEOUT_SECS")? {
            overrides.lock_timeout = Some(Duration::from_secs(seconds));
        }
        // @end
        Ok(config)
    }
}

// @if state
/// Keys of different APIs on one Redis stay apart.
#[cfg(feature = "redis")]
fn default_prefix() -> String {
    format!("{}:", env!("CARGO_PKG_NAME"))
}

// @end
fn variable<T: std::str::FromStr>(name: &'static str) -> Result<Option<T>, ConfigError> {
    match std::env::var(name) {
        Ok(text) => text.trim().parse().map(Some).map_err(|_| ConfigError {
            variable: name,
            value: text,
        }),
        Err(_) => Ok(None),
    }
}

// @if cursors
fn random_key() -> Vec<u8> {
    let mut key = uuid::Uuid::new_v4().as_bytes().to_vec();
    key.extend_from_slice(uuid::Uuid::new_v4().as_bytes());
    key
}

// @end
/// An environment variable that does not hold what its name promises.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub variable: &'static str,
    pub value: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} has the invalid value {:?}",
            self.variable, self.value
        )
    }
}

impl std::error::Error for ConfigError {}
