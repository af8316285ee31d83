//! `ServerConfig::from_env`: the settings the environment overrides, each
//! variable documented on the field it sets.

use std::time::Duration;

use crate::runtime::config::ServerConfig;
// @if state
use crate::runtime::config::Backend;
// @end
// @if idempotency
use crate::runtime::config::IdempotencySettings;
#[cfg(feature = "postgres")]
use crate::runtime::config::PostgresSettings;
// @end
// @if cursors
use crate::runtime::cursor::CursorCodec;
// @end
// @if docs
use crate::runtime::docs::Docs;
// @end
// @if jwt
use crate::runtime::jwt::{JwtKeyError, JwtVerifier};
// @end
// @if limits
use crate::runtime::rate_limit::QuotaOverrides;
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
        if let Ok(prefix) = std::env::var("BUILTIN_ROUTES_PREFIX") {
            // A path to nest under: `/v2`, not `v2` or `/v2/`.
            let valid = prefix.starts_with('/') && !prefix.ends_with('/') && !prefix.contains('{');
            if !valid && !prefix.is_empty() {
                return Err(ConfigError {
                    variable: "BUILTIN_ROUTES_PREFIX",
                    value: prefix,
                });
            }
            config.builtin_routes_prefix = prefix;
        }
        // @if docs
        config.docs = docs_from_env()?;
        // @end
        // @if cursors
        if let Ok(secret) = std::env::var("CURSOR_SECRET") {
            config.cursors = CursorCodec::new(secret.into_bytes());
        }
        // @end
        // @if state
        if let Some(backend) = redis_from_env()? {
            config.backend = backend;
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
            Backend::Redis { .. } | Backend::RedisCluster { .. } => {}
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
        postgres_from_env(&mut config.idempotency)?;
        // @end
        // @if jwt
        config.jwt = jwt_from_env()?;
        // @end
        Ok(config)
    }
}

// @if docs
/// `DOCS=off` turns the page off; `DOCS_ASSETS_DIR` serves Swagger UI from
/// a local copy of `swagger-ui-dist`.
fn docs_from_env() -> Result<Docs, ConfigError> {
    match std::env::var("DOCS").as_deref() {
        Ok("off") => return Ok(Docs::Off),
        Ok("cdn") | Err(_) => {}
        Ok(other) => {
            return Err(ConfigError {
                variable: "DOCS",
                value: other.to_string(),
            })
        }
    }
    match std::env::var("DOCS_ASSETS_DIR") {
        Ok(directory) => Docs::vendored(&directory).map_err(|error| ConfigError {
            variable: "DOCS_ASSETS_DIR",
            value: format!("{directory} (no Swagger UI files there: {error})"),
        }),
        Err(_) => Ok(Docs::Cdn),
    }
}

// @end
// @if idempotency
/// `IDEMPOTENCY_DATABASE_URL`, with `IDEMPOTENCY_TABLE`,
/// `IDEMPOTENCY_DATABASE_POOL` and `IDEMPOTENCY_DATABASE_TIMEOUT_MS`.
#[cfg(feature = "postgres")]
fn postgres_from_env(settings: &mut IdempotencySettings) -> Result<(), ConfigError> {
    let Ok(url) = std::env::var("IDEMPOTENCY_DATABASE_URL") else {
        return Ok(());
    };
    if url.parse::<tokio_postgres::Config>().is_err() {
        return Err(ConfigError {
            variable: "IDEMPOTENCY_DATABASE_URL",
            value: url,
        });
    }
    let mut postgres = PostgresSettings::new(&url);
    if let Ok(table) = std::env::var("IDEMPOTENCY_TABLE") {
        if !PostgresSettings::valid_table(&table) {
            return Err(ConfigError {
                variable: "IDEMPOTENCY_TABLE",
                value: format!("{table} (lower-case letters, digits and _, at most 48)"),
            });
        }
        postgres.table = table;
    }
    if let Some(size) = variable("IDEMPOTENCY_DATABASE_POOL")? {
        postgres.pool_size = size;
    }
    if let Some(millis) = variable("IDEMPOTENCY_DATABASE_TIMEOUT_MS")? {
        postgres.timeout = Duration::from_millis(millis);
    }
    settings.postgres = Some(postgres);
    Ok(())
}

/// Built without Postgres: better to refuse than to keep keys elsewhere.
#[cfg(not(feature = "postgres"))]
fn postgres_from_env(_: &mut IdempotencySettings) -> Result<(), ConfigError> {
    match std::env::var("IDEMPOTENCY_DATABASE_URL") {
        Ok(url) => Err(ConfigError {
            variable: "IDEMPOTENCY_DATABASE_URL",
            value: format!("{url} (this server was built without the `postgres` feature)"),
        }),
        Err(_) => Ok(()),
    }
}

// @end
// @if jwt
/// The JWT verifier, if `JWT_SECRET`, `JWT_PUBLIC_KEY` or
/// `JWT_PUBLIC_KEY_FILE` is set: see [`ServerConfig::jwt`].
fn jwt_from_env() -> Result<Option<JwtVerifier>, ConfigError> {
    let algorithm = match std::env::var("JWT_ALGORITHM") {
        Ok(name) => match name.trim().parse() {
            Ok(algorithm) => algorithm,
            Err(_) => {
                return Err(ConfigError {
                    variable: "JWT_ALGORITHM",
                    value: name,
                })
            }
        },
        Err(_) => jsonwebtoken::Algorithm::HS256,
    };
    let invalid = |variable: &'static str| {
        move |error: JwtKeyError| ConfigError {
            variable,
            value: format!("({error})"),
        }
    };
    let mut verifier = if let Ok(secret) = std::env::var("JWT_SECRET") {
        JwtVerifier::hmac(algorithm, secret.as_bytes()).map_err(invalid("JWT_SECRET"))?
    } else if let Ok(pem) = std::env::var("JWT_PUBLIC_KEY") {
        JwtVerifier::public_key(algorithm, pem.as_bytes()).map_err(invalid("JWT_PUBLIC_KEY"))?
    } else if let Ok(path) = std::env::var("JWT_PUBLIC_KEY_FILE") {
        let pem = std::fs::read(&path).map_err(|error| ConfigError {
            variable: "JWT_PUBLIC_KEY_FILE",
            value: format!("{path} ({error})"),
        })?;
        JwtVerifier::public_key(algorithm, &pem).map_err(invalid("JWT_PUBLIC_KEY_FILE"))?
    } else {
        return Ok(None);
    };
    if let Some(seconds) = variable::<u64>("JWT_LEEWAY_SECS")? {
        verifier = verifier.leeway(Duration::from_secs(seconds));
    }
    if let Ok(issuer) = std::env::var("JWT_ISSUER") {
        verifier = verifier.issuer(&issuer);
    }
    if let Ok(audience) = std::env::var("JWT_AUDIENCE") {
        verifier = verifier.audience(&audience);
    }
    if let Ok(claim) = std::env::var("JWT_TIER_CLAIM") {
        verifier = verifier.tier_claim(&claim);
    }
    Ok(Some(verifier))
}

// @end

// @if state
/// `REDIS_URL` (one Redis) or `REDIS_CLUSTER_NODES` (a cluster's seed
/// nodes), with `REDIS_KEY_PREFIX` and `REDIS_TIMEOUT_MS`; `None` when
/// neither is set.
#[cfg(feature = "redis")]
fn redis_from_env() -> Result<Option<Backend>, ConfigError> {
    let backend = match (
        std::env::var("REDIS_URL"),
        std::env::var("REDIS_CLUSTER_NODES"),
    ) {
        (Err(_), Err(_)) => return Ok(None),
        (Ok(_), Ok(nodes)) => {
            return Err(ConfigError {
                variable: "REDIS_CLUSTER_NODES",
                value: format!("{nodes} (REDIS_URL is set too: keep the one you mean)"),
            })
        }
        (Ok(url), Err(_)) => {
            if redis::Client::open(url.as_str()).is_err() {
                return Err(ConfigError {
                    variable: "REDIS_URL",
                    value: url,
                });
            }
            let (key_prefix, timeout) = redis_settings()?;
            Backend::Redis {
                url,
                key_prefix,
                timeout,
            }
        }
        (Err(_), Ok(list)) => {
            let nodes: Vec<String> = list
                .split(',')
                .map(str::trim)
                .filter(|node| !node.is_empty())
                .map(str::to_string)
                .collect();
            let unusable = nodes.is_empty()
                || nodes
                    .iter()
                    .any(|node| redis::Client::open(node.as_str()).is_err());
            if unusable {
                return Err(ConfigError {
                    variable: "REDIS_CLUSTER_NODES",
                    value: list,
                });
            }
            let (key_prefix, timeout) = redis_settings()?;
            if key_prefix.contains(['{', '}']) {
                return Err(ConfigError {
                    variable: "REDIS_KEY_PREFIX",
                    value: format!("{key_prefix} (braces would put every key in one slot)"),
                });
            }
            Backend::RedisCluster {
                nodes,
                key_prefix,
                timeout,
            }
        }
    };
    Ok(Some(backend))
}

/// `REDIS_KEY_PREFIX` and `REDIS_TIMEOUT_MS`, for either Redis.
#[cfg(feature = "redis")]
fn redis_settings() -> Result<(String, Duration), ConfigError> {
    let key_prefix = std::env::var("REDIS_KEY_PREFIX").unwrap_or_else(|_| default_prefix());
    let timeout = Duration::from_millis(variable("REDIS_TIMEOUT_MS")?.unwrap_or(500));
    Ok((key_prefix, timeout))
}

/// Built without Redis: better to refuse than to run unshared.
#[cfg(not(feature = "redis"))]
fn redis_from_env() -> Result<Option<Backend>, ConfigError> {
    for name in ["REDIS_URL", "REDIS_CLUSTER_NODES"] {
        if let Ok(value) = std::env::var(name) {
            return Err(ConfigError {
                variable: name,
                value: format!("{value} (this server was built without the `redis` feature)"),
            });
        }
    }
    Ok(None)
}

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
