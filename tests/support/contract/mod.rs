//! The flagship app on the generated server, over a real socket, held to
//! the flagship contract: envelopes, validation, errors, tenants, pagination.
//! Run on each store by a test file that says where the data lives
//! (`crate::backing`): tests/e2e.rs in memory, tests/e2e_postgres.rs in
//! Postgres. The protocol's rules are in `protocol.rs`, the resources'
//! behaviour in `resources.rs`; this module starts the app and talks to it.

mod protocol;
mod resources;

use std::collections::BTreeSet;

use payments_app::{PaymentsApi, PaymentsV2Api};
use std::sync::atomic::{AtomicU64, Ordering};

use payments_server::runtime::rate_limit::QuotaOverrides;
use payments_server::{router, ServerConfig};
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const KEY_A: &str = "key-a";
const KEY_B: &str = "key-b";

struct Server {
    base: String,
    client: reqwest::Client,
}

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Value,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// `(field, location, code)` of every detail of an error envelope.
    fn details(&self) -> Vec<(String, String, String)> {
        self.body["error"]["details"]
            .as_array()
            .expect("details is always present")
            .iter()
            .map(|d| {
                let text = |key: &str| d[key].as_str().unwrap_or_default().to_string();
                (text("field"), text("location"), text("code"))
            })
            .collect()
    }

    fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or_default()
    }
}

fn triples(expected: &[(&str, &str, &str)]) -> Vec<(String, String, String)> {
    expected
        .iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect()
}

/// The app on a fresh store of the kind `crate::backing` makes; `None`
/// when that store is not there to test (never under `CI=true`).
async fn start() -> Option<Server> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    // These tests are about the API, not its limits: raise them as a load test would.
    let mut config = ServerConfig::default();
    config.rate_limits.overrides =
        QuotaOverrides::parse("default=100000/60,burst=100000/1").unwrap();
    let store = crate::backing(&mut config).await?;
    let api = PaymentsApi::over(PaymentsV2Api::with_store(
        [KEY_A.into(), KEY_B.into()],
        store,
    ));
    let app = router(api, config);
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Some(Server {
        base: format!("http://{address}"),
        client: reqwest::Client::new(),
    })
}

impl Server {
    async fn raw(&self, request: reqwest::RequestBuilder) -> Reply {
        let response = request.send().await.expect("the server answers");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.unwrap();
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| panic!("not JSON: {:?}", String::from_utf8_lossy(&bytes)))
        };
        Reply {
            status,
            headers,
            body,
        }
    }

    async fn call(
        &self,
        method: Method,
        path: &str,
        key: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let method_is_post = method == Method::POST;
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        if let Some(key) = key {
            request = request.header("X-API-Key", key);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        if method_is_post {
            // A fresh key per call: required on creations, ignored elsewhere.
            static NEXT: AtomicU64 = AtomicU64::new(0);
            let key = format!("e2e-{}", NEXT.fetch_add(1, Ordering::Relaxed));
            request = request.header("Idempotency-Key", key);
        }
        self.raw(request).await
    }

    async fn get(&self, path: &str, key: &str) -> Reply {
        self.call(Method::GET, path, Some(key), None).await
    }

    async fn post(&self, path: &str, key: &str, body: Value) -> Reply {
        self.call(Method::POST, path, Some(key), Some(body)).await
    }

    async fn user(&self, key: &str, name: &str, email: &str) -> i64 {
        let reply = self
            .post(
                "/v1/users",
                key,
                json!({"name": name, "email": email, "password": "correct horse"}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        reply.body["data"]["id"].as_i64().unwrap()
    }

    async fn charge(&self, key: &str, amount: i64) -> Value {
        let reply = self
            .post(
                "/v1/charges",
                key,
                json!({"amount": amount, "currency": "USD", "source": "tok_visa"}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        reply.body["data"].clone()
    }
}
