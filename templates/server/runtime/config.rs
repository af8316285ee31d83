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
// @if docs
use crate::runtime::docs::Docs;
// @end
// @if jwt
use crate::runtime::jwt::JwtVerifier;
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
    /// Labels added to every request series (`[("api", "v2".into())]`),
    /// to tell apart the APIs one process serves; none by default.
    pub metric_labels: Vec<(&'static str, String)>,
    /// Where the routes the router adds beside the spec's operations
    /// (`/openapi.json`, `/docs`, `/metrics`) are served: at the root (the
    /// default) or under this prefix (`/v2` serves `/v2/openapi.json`), so
    /// that routers of several APIs can share one server
    /// (`BUILTIN_ROUTES_PREFIX`, a path such as `/v2`).
    pub builtin_routes_prefix: String,
    // @if docs
    /// `GET /docs`, Swagger UI over `/openapi.json`: from the CDN (the
    /// default), from the `swagger-ui-dist` files in `DOCS_ASSETS_DIR`, or
    /// not at all (`DOCS=off`).
    pub docs: Docs,
    // @end
    // @if jwt
    /// Verifies the tokens of `bearerFormat: JWT` schemes; `None` passes
    /// them to `authenticate` unverified. From the environment: `JWT_SECRET`
    /// (HS256, or `JWT_ALGORITHM=HS384|HS512`) or `JWT_PUBLIC_KEY` /
    /// `JWT_PUBLIC_KEY_FILE` (a PEM public key, with `JWT_ALGORITHM=RS256|ES256`),
    /// `JWT_LEEWAY_SECS` (default 30), `JWT_ISSUER`, `JWT_AUDIENCE` and
    /// `JWT_TIER_CLAIM` (the claim holding the principal's tier).
    pub jwt: Option<JwtVerifier>,
    // @end
    // @if cursors
    /// Signs pagination cursors (`CURSOR_SECRET`). Without it a random key is
    /// made at startup, so cursors do not survive a restart or cross replicas.
    pub cursors: CursorCodec,
    // @end
    // @if state
    /// Where rate-limit counters and idempotency records live: in memory
    /// (the default), in Redis when `REDIS_URL` is set, or in a Redis
    /// Cluster when `REDIS_CLUSTER_NODES` is.
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
            metric_labels: Vec::new(),
            builtin_routes_prefix: String::new(),
            // @if docs
            docs: Docs::Cdn,
            // @end
            // @if jwt
            jwt: None,
            // @end
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
    /// In a Redis Cluster, shared as with [`Backend::Redis`]. Each key
    /// carries its subject's hash tag, so one request's keys share a slot;
    /// the connection follows `MOVED`/`ASK` and finds the new master after
    /// a failover (while one is missing, its keys fail as Redis down does).
    #[cfg(feature = "redis")]
    RedisCluster {
        /// Seed nodes, any of which describes the cluster
        /// (`REDIS_CLUSTER_NODES`, comma-separated: `redis://10.0.0.1:6379,...`).
        nodes: Vec<String>,
        /// As for [`Backend::Redis`] (`REDIS_KEY_PREFIX`); without braces,
        /// which would put every key in one slot.
        key_prefix: String,
        /// As for [`Backend::Redis`] (`REDIS_TIMEOUT_MS`, default 500).
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencySettings {
    /// `false` ignores `Idempotency-Key` everywhere.
    pub enabled: bool,
    /// Retention and lock timeout in place of the spec's
    /// (`IDEMPOTENCY_RETENTION_SECS`, `IDEMPOTENCY_LOCK_TIMEOUT_SECS`).
    pub overrides: idempotency::Overrides,
    /// Keeps the records in Postgres instead of the [`Backend`], and lends
    /// each idempotent operation the transaction its record commits in
    /// (with the crate's `postgres` feature; `IDEMPOTENCY_DATABASE_URL`).
    #[cfg(feature = "postgres")]
    pub postgres: Option<PostgresSettings>,
}

impl Default for IdempotencySettings {
    fn default() -> Self {
        IdempotencySettings {
            enabled: true,
            overrides: idempotency::Overrides::default(),
            #[cfg(feature = "postgres")]
            postgres: None,
        }
    }
}

/// Where the Postgres idempotency store keeps its records.
#[cfg(feature = "postgres")]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostgresSettings {
    /// `IDEMPOTENCY_DATABASE_URL`, such as
    /// `postgres://app@10.0.0.5:5432/payments` (no TLS).
    pub url: String,
    /// The table, created if missing (`IDEMPOTENCY_TABLE`, default
    /// `<crate name>_idempotency` with `_` for `-`): lower-case letters,
    /// digits and `_`, as it is written into the statements.
    pub table: String,
    /// Connections kept (`IDEMPOTENCY_DATABASE_POOL`, default 16): one per
    /// idempotent request in flight.
    pub pool_size: usize,
    /// The longest wait for a connection or an answer
    /// (`IDEMPOTENCY_DATABASE_TIMEOUT_MS`, default 2000): past it the
    /// request gets `503`.
    pub timeout: Duration,
}

#[cfg(feature = "postgres")]
impl PostgresSettings {
    /// The defaults for the database at `url`.
    pub fn new(url: &str) -> Self {
        PostgresSettings {
            url: url.to_string(),
            table: format!("{}_idempotency", env!("CARGO_PKG_NAME").replace('-', "_")),
            pool_size: 16,
            timeout: Duration::from_millis(2000),
        }
    }

    /// Whether `table` can be written into a statement as it is.
    pub fn valid_table(table: &str) -> bool {
        let mut chars = table.chars();
        chars
            .next()
            .is_some_and(|first| first.is_ascii_lowercase() || first == '_')
            && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            && table.len() <= 48
    }
}

// @end
// @if cursors
fn random_key() -> Vec<u8> {
    let mut key = uuid::Uuid::new_v4().as_bytes().to_vec();
    key.extend_from_slice(uuid::Uuid::new_v4().as_bytes());
    key
}

// @end
