//! The layers of the generated router (rate limiter, idempotency store),
//! built from a [`ServerConfig`]: in memory, or sharing one connection to
//! Redis or a Redis Cluster; idempotency records in Postgres when it is set.

// @if idempotency
use crate::runtime::idempotency::{Idempotency, IdempotencyStore};
use crate::runtime::memory_idempotency::MemoryIdempotency;
#[cfg(feature = "postgres")]
use crate::runtime::postgres_idempotency::PostgresIdempotency;
// @end
// @if limits
use crate::runtime::memory_limits::MemoryLimiter;
use crate::runtime::rate_limit::{LimitStore, Limiter};
// @end
use crate::runtime::config::{Backend, MemoryBounds, ServerConfig};
#[cfg(feature = "redis")]
use crate::runtime::redis_store::RedisStore;

impl ServerConfig {
    /// The layers this configuration asks for. With Redis they share one
    /// connection.
    pub fn layers(&self) -> Layers {
        let connection = match &self.backend {
            Backend::Memory(bounds) => Connection::Memory(bounds),
            #[cfg(feature = "redis")]
            Backend::Redis {
                url,
                key_prefix,
                timeout,
            } => Connection::Redis(RedisStore::new(url, key_prefix, *timeout)),
            #[cfg(feature = "redis")]
            Backend::RedisCluster {
                nodes,
                key_prefix,
                timeout,
            } => Connection::Redis(RedisStore::cluster(nodes, key_prefix, *timeout)),
        };
        Layers {
            // @if limits
            limiter: self.limiter(&connection),
            // @end
            // @if idempotency
            idempotency: self.idempotency(&connection),
            // @end
        }
    }
    // @if limits

    fn limiter(&self, connection: &Connection<'_>) -> Limiter {
        let store = match connection {
            _ if !self.rate_limits.enabled => LimitStore::Off,
            Connection::Memory(bounds) => {
                LimitStore::Memory(MemoryLimiter::new(bounds.rate_limit_keys))
            }
            #[cfg(feature = "redis")]
            Connection::Redis(store) => LimitStore::Redis(store.clone()),
        };
        Limiter::new(
            store,
            self.rate_limits.overrides.clone(),
            self.rate_limits.trusted_proxy_hops,
            self.clock.clone(),
        )
    }
    // @end
    // @if idempotency

    fn idempotency(&self, connection: &Connection<'_>) -> Idempotency {
        #[cfg(feature = "postgres")]
        if let (true, Some(settings)) = (self.idempotency.enabled, &self.idempotency.postgres) {
            let store = IdempotencyStore::Postgres(PostgresIdempotency::new(settings));
            return Idempotency::new(store, self.idempotency.overrides, self.clock.clone());
        }
        let store = match connection {
            _ if !self.idempotency.enabled => IdempotencyStore::Off,
            Connection::Memory(bounds) => IdempotencyStore::Memory(MemoryIdempotency::new(
                bounds.idempotency_keys,
                bounds.idempotency_bytes,
                bounds.idempotency_when_full,
            )),
            #[cfg(feature = "redis")]
            Connection::Redis(store) => IdempotencyStore::Redis(store.clone()),
        };
        Idempotency::new(store, self.idempotency.overrides, self.clock.clone())
    }
    // @end
}

/// The layers of the generated router, built from one configuration.
pub struct Layers {
    // @if limits
    pub limiter: Limiter,
    // @end
    // @if idempotency
    pub idempotency: Idempotency,
    // @end
}

/// The backend's connection, made once for every layer.
enum Connection<'a> {
    Memory(&'a MemoryBounds),
    #[cfg(feature = "redis")]
    Redis(std::sync::Arc<RedisStore>),
}
