//! The Payments API on the generated servers: users and charges per API
//! key, kept in memory, served as v2 and as v1 (deprecated), a thin
//! compatibility layer over v2. Written by hand; only the `payments-*` and
//! `payments-v2-*` crates are generated.

mod store;
mod v1;
mod v2;

use std::borrow::Cow;
use std::convert::Infallible;
use std::sync::Arc;
use std::task::{Context, Poll};

use sha2::{Digest, Sha256};
use tower_service::Service;

pub use store::{MemoryStore, PostgresStore, Store, StoreError};
pub use v1::PaymentsApi;
pub use v2::PaymentsV2Api;

/// The key used when `PAYMENTS_API_KEYS` is not set: for local use only.
pub const DEFAULT_API_KEY: &str = "local-dev-key";

/// An accepted API key and its pricing tier (`free`, `pro`, `enterprise`),
/// which picks its rate limits; a key without a tier gets the default quota.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKey {
    pub key: String,
    pub tier: Option<String>,
}

impl ApiKey {
    /// `key` or `key:tier`.
    pub fn parse(text: &str) -> Option<Self> {
        let (key, tier) = match text.trim().split_once(':') {
            Some((key, tier)) => (key.trim(), Some(tier.trim().to_string())),
            None => (text.trim(), None),
        };
        (!key.is_empty()).then(|| ApiKey {
            key: key.to_string(),
            tier: tier.filter(|tier| !tier.is_empty()),
        })
    }
}

impl From<&str> for ApiKey {
    /// A key without a tier.
    fn from(key: &str) -> Self {
        ApiKey {
            key: key.to_string(),
            tier: None,
        }
    }
}

/// Where the app listens, which keys it accepts, and where it keeps its data.
#[derive(Debug, Clone)]
pub struct AppConfig {
    pub bind_addr: String,
    pub api_keys: Vec<ApiKey>,
    /// `DATABASE_URL`: users, charges and refunds in Postgres, in the
    /// schema `DATABASE_SCHEMA` (default `payments`), and both versions'
    /// idempotency records beside them; `None` keeps everything in memory.
    pub database: Option<(String, String)>,
}

impl AppConfig {
    /// `BIND_ADDR` (default `127.0.0.1:8080`) and `PAYMENTS_API_KEYS`
    /// (comma-separated `key` or `key:tier`, default [`DEFAULT_API_KEY`]).
    pub fn from_env() -> Self {
        let api_keys = std::env::var("PAYMENTS_API_KEYS")
            .ok()
            .map(|keys| {
                keys.split(',')
                    .filter_map(ApiKey::parse)
                    .collect::<Vec<_>>()
            })
            .filter(|keys| !keys.is_empty())
            .unwrap_or_else(|| vec![ApiKey::from(DEFAULT_API_KEY)]);
        let database = std::env::var("DATABASE_URL").ok().map(|url| {
            let schema =
                std::env::var("DATABASE_SCHEMA").unwrap_or_else(|_| "payments".to_string());
            (url, schema)
        });
        AppConfig {
            bind_addr: std::env::var("BIND_ADDR").unwrap_or_else(|_| "127.0.0.1:8080".to_string()),
            api_keys,
            database,
        }
    }
}

/// The tenant an API key stands for: its id and its tier. The key itself
/// is not kept: the tenant is what logs, rate limits and idempotency keys
/// see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tenant {
    /// `t_` and 16 hex digits of the key's SHA-256: the same for one key
    /// on every replica and after restarts, and safe to log. Shared, so
    /// authenticating a request copies no text.
    pub id: Arc<str>,
    pub tier: Option<String>,
}

/// A tenant's id: names the key without revealing it.
pub fn tenant_id(key: &str) -> String {
    let digest = Sha256::digest(key.as_bytes());
    let first: [u8; 8] = digest[..8].try_into().expect("a SHA-256 has 32 bytes");
    format!("t_{:016x}", u64::from_be_bytes(first))
}

impl payments_server::Identity for Tenant {
    fn identity(&self) -> Cow<'_, str> {
        Cow::Borrowed(&self.id)
    }

    fn tier(&self) -> Option<&str> {
        self.tier.as_deref()
    }
}

impl payments_v2_server::Identity for Tenant {
    fn identity(&self) -> Cow<'_, str> {
        Cow::Borrowed(&self.id)
    }

    fn tier(&self) -> Option<&str> {
        self.tier.as_deref()
    }
}

/// Both versions in one router, over one store: v2 takes every path under
/// `/v2/` (its document and docs page included, which it serves under
/// `/v2`), and v1 (deprecated) everything else, as its contract says: its
/// operations, `GET /health`, `GET /openapi.json`, `GET /metrics` and the
/// 404 of unknown paths. v1's router installs the metrics recorder, so
/// `/metrics` has v2's request series too, labelled `api="v2"`. Each
/// router keeps its own layers, rate limits and idempotency keys, as its
/// spec says.
///
/// `payments_server::serve` serves it as it is; [`router`] puts it in an
/// axum router, for `axum::serve` and for tests.
pub fn versions(
    v2: PaymentsV2Api,
    v1_config: payments_server::ServerConfig,
    mut v2_config: payments_v2_server::ServerConfig,
) -> Versions {
    v2_config.builtin_routes_prefix = "/v2".to_string();
    v2_config.metric_labels.push(("api", "v2".to_string()));
    let v1 = payments_server::router(PaymentsApi::over(v2.clone()), v1_config);
    let v2 = payments_v2_server::router(v2, v2_config);
    Versions { v1, v2 }
}

/// [`versions`] in an axum router: three allocations a request more than
/// serving it as it is (`tests/allocations.rs`), for the router's boxed
/// fallback.
pub fn router(
    v2: PaymentsV2Api,
    v1_config: payments_server::ServerConfig,
    v2_config: payments_v2_server::ServerConfig,
) -> axum::Router {
    axum::Router::new().fallback_service(versions(v2, v1_config, v2_config))
}

/// Sends each request to its version's router whole: neither nested nor
/// routed here, so each router matches the path as its spec spells it and
/// its access log and metrics name the route (`/v2/users`).
#[derive(Clone)]
pub struct Versions {
    v1: axum::Router,
    v2: axum::Router,
}

impl Service<axum::extract::Request> for Versions {
    type Response = axum::response::Response;
    type Error = Infallible;
    type Future = <axum::Router as Service<axum::extract::Request>>::Future;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        // A router is always ready.
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: axum::extract::Request) -> Self::Future {
        if request.uri().path().starts_with("/v2/") {
            self.v2.call(request)
        } else {
            self.v1.call(request)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tenant_id_names_its_key_without_revealing_it() {
        let id = tenant_id("local-dev-key");
        assert_eq!(id, tenant_id("local-dev-key"), "stable");
        assert_ne!(id, tenant_id("local-dev-key2"));
        assert!(id.starts_with("t_") && id.len() == 18, "{id}");
        assert!(id[2..].bytes().all(|b| b.is_ascii_hexdigit()), "{id}");
        assert!(!id.contains("local-dev-key"));
        let tenant = Tenant {
            id: id.clone().into(),
            tier: None,
        };
        assert_eq!(payments_server::Identity::identity(&tenant), id);
        assert!(!format!("{tenant:?}").contains("local-dev-key"));
    }
}
