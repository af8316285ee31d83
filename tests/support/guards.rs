//! What the tests of the generated rate limiter and idempotency layer
//! share: the API under test (`tests/specs/guards.yaml`), the backends to
//! run on, and a server on a real socket with a client for it.

// Each test file uses its own part of this module.
#![allow(dead_code)]

use std::borrow::Cow;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use guards_server::operations::*;
use guards_server::runtime::config::{Backend, PostgresSettings};
use guards_server::runtime::rate_limit::QuotaOverrides;
use guards_server::types::Receipt;
use guards_server::{router, Api, Context, Credentials, HandlerError, Identity, ServerConfig};
use reqwest::StatusCode;
use serde_json::Value;

use super::{postgres_support, redis_support};

// ---------------------------------------------------------------------------
// The API under test: counts how often each note ran.

#[derive(Clone, Default)]
pub struct Runs(Arc<Mutex<HashMap<String, i64>>>);

impl Runs {
    fn next(&self, note: &str) -> i64 {
        let mut runs = self.0.lock().unwrap();
        let run = runs.entry(note.to_string()).or_default();
        *run += 1;
        *run
    }

    pub fn of(&self, note: &str) -> i64 {
        self.0
            .lock()
            .unwrap()
            .get(note)
            .copied()
            .unwrap_or_default()
    }
}

pub struct Guards {
    pub runs: Runs,
}

pub struct Member {
    key: String,
    tier: Option<String>,
}

impl Identity for Member {
    fn identity(&self) -> Cow<'_, str> {
        Cow::Borrowed(&self.key)
    }

    fn tier(&self) -> Option<&str> {
        self.tier.as_deref()
    }
}

impl Guards {
    async fn run(&self, order: &guards_server::types::Order) -> Result<Receipt, HandlerError> {
        let run = self.runs.next(&order.note);
        if let Some(delay) = order.delay_ms {
            tokio::time::sleep(Duration::from_millis(delay as u64)).await;
        }
        if order.fail_first == Some(true) && run == 1 {
            return Err(HandlerError::new("the first run fails"));
        }
        if order.panic_first == Some(true) && run == 1 {
            panic!("the first run panics");
        }
        Ok(Receipt {
            note: order.note.clone(),
            run,
        })
    }
}

impl Api for Guards {
    type Principal = Member;

    async fn authenticate(&self, credentials: Credentials) -> Option<Member> {
        let Credentials::ApiKey { key, .. } = credentials else {
            return None;
        };
        let tier = match key.as_str() {
            "alice" | "bob" => None,
            "gold" => Some("gold".to_string()),
            _ => return None,
        };
        Some(Member { key, tier })
    }

    async fn create_order(
        &self,
        _: Context<Member>,
        request: CreateOrderRequest,
    ) -> Result<CreateOrderResponse, HandlerError> {
        let receipt = self.run(&request.body).await?;
        if request.body.decline == Some(true) {
            return Ok(CreateOrderResponse::PaymentRequired(receipt));
        }
        let location = Some(format!("/orders/{}", receipt.note));
        Ok(CreateOrderResponse::Created {
            body: receipt,
            location,
        })
    }

    async fn start_job(
        &self,
        _: Context<Member>,
        request: StartJobRequest,
    ) -> Result<StartJobResponse, HandlerError> {
        Ok(StartJobResponse::Accepted(self.run(&request.body).await?))
    }

    async fn create_public_order(
        &self,
        _: Context<()>,
        request: CreatePublicOrderRequest,
    ) -> Result<CreatePublicOrderResponse, HandlerError> {
        Ok(CreatePublicOrderResponse::Created(
            self.run(&request.body).await?,
        ))
    }

    async fn ping(&self, _: Context<()>, _: PingRequest) -> Result<PingResponse, HandlerError> {
        Ok(PingResponse::NoContent)
    }

    async fn by_header(
        &self,
        _: Context<Member>,
        _: ByHeaderRequest,
    ) -> Result<ByHeaderResponse, HandlerError> {
        Ok(ByHeaderResponse::NoContent)
    }

    async fn bucket(
        &self,
        _: Context<Member>,
        _: BucketRequest,
    ) -> Result<BucketResponse, HandlerError> {
        Ok(BucketResponse::NoContent)
    }

    async fn free(&self, _: Context<Member>, _: FreeRequest) -> Result<FreeResponse, HandlerError> {
        Ok(FreeResponse::NoContent)
    }
}

// ---------------------------------------------------------------------------
// Backends and servers.

#[derive(Debug, Clone)]
pub enum Store {
    Memory,
    Redis,
    /// A Redis Cluster, through these seed nodes.
    RedisCluster(Vec<String>),
    /// Idempotency records in Postgres (limits in memory).
    Postgres,
}

/// The backends to run a test on: memory always, Redis, the Redis Cluster
/// and Postgres when they answer (always under `CI=true`).
pub async fn stores() -> Vec<Store> {
    let mut stores = vec![Store::Memory];
    stores.extend(shared_stores().await);
    if postgres_support::available().await {
        stores.push(Store::Postgres);
    }
    stores
}

/// The backends replicas can share: Redis and the Redis Cluster.
pub async fn shared_stores() -> Vec<Store> {
    let mut stores = Vec::new();
    if redis_support::available().await {
        stores.push(Store::Redis);
    }
    if let Some(nodes) = tokio::task::spawn_blocking(redis_support::cluster_nodes)
        .await
        .unwrap()
    {
        stores.push(Store::RedisCluster(nodes));
    }
    stores
}

pub fn config(store: &Store, test: &str) -> ServerConfig {
    let mut config = ServerConfig {
        backend: backend(store, &redis_support::unique_prefix(test)),
        ..ServerConfig::default()
    };
    if let Store::Postgres = store {
        let mut postgres = PostgresSettings::new(&postgres_support::url());
        postgres.table = postgres_support::unique_table(test);
        config.idempotency.postgres = Some(postgres);
    }
    config
}

/// `store` as a backend whose keys start with `key_prefix`.
pub fn backend(store: &Store, key_prefix: &str) -> Backend {
    let timeout = Duration::from_millis(500);
    let key_prefix = key_prefix.to_string();
    match store {
        Store::Memory | Store::Postgres => ServerConfig::default().backend,
        Store::Redis => Backend::Redis {
            url: redis_support::url(),
            key_prefix,
            timeout,
        },
        Store::RedisCluster(nodes) => Backend::RedisCluster {
            nodes: nodes.clone(),
            key_prefix,
            timeout,
        },
    }
}

/// The same, with limits too high to get in the way.
pub fn unlimited(store: &Store, test: &str) -> ServerConfig {
    let mut config = config(store, test);
    config.rate_limits.overrides =
        QuotaOverrides::parse("default=100000/60,burst=100000/1").unwrap();
    config
}

pub struct Server {
    pub base: String,
    pub client: reqwest::Client,
    pub runs: Runs,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub bytes: Vec<u8>,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.bytes).unwrap_or(Value::Null)
    }

    pub fn code(&self) -> String {
        self.json()["error"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }
}

pub async fn serve(config: ServerConfig) -> Server {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let runs = Runs::default();
    let app = router(Guards { runs: runs.clone() }, config)
        .into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Server {
        base: format!("http://{address}"),
        client: reqwest::Client::new(),
        runs,
    }
}

impl Server {
    pub async fn send(&self, request: reqwest::RequestBuilder) -> Reply {
        let response = request.send().await.expect("the server answers");
        Reply {
            status: response.status(),
            headers: response.headers().clone(),
            bytes: response.bytes().await.unwrap().to_vec(),
        }
    }

    pub async fn get(&self, path: &str, key: Option<&str>, headers: &[(&str, &str)]) -> Reply {
        let mut request = self.client.get(format!("{}{path}", self.base));
        if let Some(key) = key {
            request = request.header("X-Key", key);
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        self.send(request).await
    }

    pub async fn post(
        &self,
        path: &str,
        key: &str,
        idempotency: Option<&str>,
        body: &Value,
    ) -> Reply {
        let mut request = self
            .client
            .post(format!("{}{path}", self.base))
            .header("X-Key", key)
            .json(body);
        if let Some(idempotency) = idempotency {
            request = request.header("Idempotency-Key", idempotency);
        }
        self.send(request).await
    }

    pub async fn order(&self, key: &str, idempotency: &str, body: &Value) -> Reply {
        self.post("/orders", key, Some(idempotency), body).await
    }
}
