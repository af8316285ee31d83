//! The flagship app on the generated server, over a real socket, held to
//! the flagship contract: envelopes, validation, errors, tenants, pagination.

use std::collections::BTreeSet;

use payments_app::PaymentsApi;
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

async fn start() -> Server {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let api = PaymentsApi::new([KEY_A.into(), KEY_B.into()]);
    // These tests are about the API, not its limits: raise them as a load test would.
    let mut config = ServerConfig::default();
    config.rate_limits.overrides =
        QuotaOverrides::parse("default=100000/60,burst=100000/1").unwrap();
    let app = router(api, config);
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Server {
        base: format!("http://{address}"),
        client: reqwest::Client::new(),
    }
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

#[tokio::test]
async fn health_is_public_and_enveloped() {
    let server = start().await;
    let reply = server.call(Method::GET, "/health", None, None).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body["success"], true);
    assert_eq!(reply.body["data"], json!({"status": "ok"}));
    let request_id = reply.header("x-request-id").unwrap();
    assert_eq!(reply.body["meta"]["request_id"], request_id);
    assert!(reply.body["meta"]["timestamp"]
        .as_str()
        .unwrap()
        .ends_with('Z'));
}

#[tokio::test]
async fn the_effective_document_is_served() {
    let server = start().await;
    let reply = server.call(Method::GET, "/openapi.json", None, None).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.header("x-request-id").is_some());
    let document = &reply.body;
    assert_eq!(document["openapi"], "3.0.3");
    assert!(document["paths"]["/openapi.json"]["get"].is_object());
    // Envelopes and the layer's own responses are explicit.
    assert_eq!(
        document["servers"],
        json!([{"url": "https://api.example.com"}])
    );
    assert!(document["paths"]["/health"]["get"].is_object());
    let create = &document["paths"]["/v1/users"]["post"]["responses"];
    assert_eq!(
        create["201"]["content"]["application/json"]["schema"]["required"],
        json!(["success", "data", "meta"])
    );
    assert!(create["413"].is_object() && create["415"].is_object() && create["500"].is_object());
    assert!(create["201"]["headers"]["Location"].is_object());
    assert!(create["401"]["headers"]["WWW-Authenticate"].is_object());
}

#[tokio::test]
async fn request_ids_are_kept_when_sane_and_made_otherwise() {
    let server = start().await;
    let with = |id: &str| {
        server
            .client
            .get(format!("{}/health", server.base))
            .header("X-Request-ID", id.to_string())
    };
    let kept = server.raw(with("trace-42")).await;
    assert_eq!(kept.header("x-request-id"), Some("trace-42"));
    assert_eq!(kept.body["meta"]["request_id"], "trace-42");
    let replaced = server.raw(with(&"x".repeat(201))).await;
    assert_ne!(
        replaced.header("x-request-id"),
        Some("x".repeat(201).as_str())
    );
    let a = server.get("/health", KEY_A).await;
    let b = server.get("/health", KEY_A).await;
    assert_ne!(a.header("x-request-id"), b.header("x-request-id"));
}

#[tokio::test]
async fn credentials_are_required_on_v1() {
    let server = start().await;
    for key in [None, Some("wrong")] {
        let reply = server.call(Method::GET, "/v1/users", key, None).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
        assert_eq!(reply.code(), "UNAUTHORIZED");
        assert!(reply
            .header("www-authenticate")
            .unwrap()
            .starts_with("ApiKey"));
        assert_eq!(reply.body["error"]["details"], json!([]));
    }
}

#[tokio::test]
async fn users_lifecycle() {
    let server = start().await;
    let created = server
        .post(
            "/v1/users",
            KEY_A,
            json!({"name": "Ada", "email": "ada@example.com", "password": "12345678"}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED);
    let id = created.body["data"]["id"].as_i64().unwrap();
    assert_eq!(
        created.header("location"),
        Some(format!("/v1/users/{id}").as_str())
    );
    assert!(
        created.body["data"].get("password").is_none(),
        "write-only fields are never returned"
    );

    let fetched = server.get(&format!("/v1/users/{id}"), KEY_A).await;
    assert_eq!(fetched.body["data"]["email"], "ada@example.com");

    let patched = server
        .call(
            Method::PATCH,
            &format!("/v1/users/{id}"),
            Some(KEY_A),
            Some(json!({"name": "Ada L."})),
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK);
    assert_eq!(patched.body["data"]["name"], "Ada L.");
    let unchanged = server
        .call(
            Method::PATCH,
            &format!("/v1/users/{id}"),
            Some(KEY_A),
            Some(json!({})),
        )
        .await;
    assert_eq!(unchanged.status, StatusCode::OK);
    assert_ne!(
        unchanged.body["data"]["updated_at"],
        created.body["data"]["updated_at"]
    );

    let duplicate = server
        .post(
            "/v1/users",
            KEY_A,
            json!({"name": "Eve", "email": "ada@example.com", "password": "12345678"}),
        )
        .await;
    assert_eq!(duplicate.status, StatusCode::BAD_REQUEST);
    assert_eq!(duplicate.code(), "VALIDATION_ERROR");
    assert_eq!(duplicate.details()[0].0, "email");

    let deleted = server
        .call(
            Method::DELETE,
            &format!("/v1/users/{id}"),
            Some(KEY_A),
            None,
        )
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert_eq!(deleted.body, Value::Null, "204 has an empty body");
    let gone = server.get(&format!("/v1/users/{id}"), KEY_A).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    assert_eq!(gone.code(), "USER_NOT_FOUND");
}

#[tokio::test]
async fn tenants_do_not_see_each_other() {
    let server = start().await;
    let id = server.user(KEY_A, "Ada", "ada@example.com").await;
    let other = server.get(&format!("/v1/users/{id}"), KEY_B).await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    assert_eq!(
        server.get("/v1/users", KEY_B).await.body["pagination"]["total"],
        0
    );
    // The same email is free in another tenant.
    server.user(KEY_B, "Ada", "ada@example.com").await;
    let charge = server.charge(KEY_A, 500).await;
    let hidden = server
        .get(
            &format!("/v1/charges/{}", charge["id"].as_str().unwrap()),
            KEY_B,
        )
        .await;
    assert_eq!(hidden.code(), "CHARGE_NOT_FOUND");
}

#[tokio::test]
async fn every_invalid_field_is_reported_at_once() {
    let server = start().await;
    let body = server
        .post(
            "/v1/users",
            KEY_A,
            json!({"name": 123, "email": "not-an-email", "password": "short"}),
        )
        .await;
    assert_eq!(body.status, StatusCode::BAD_REQUEST);
    assert_eq!(body.code(), "VALIDATION_ERROR");
    assert_eq!(
        body.details(),
        triples(&[
            ("name", "body", "type"),
            ("email", "body", "format"),
            ("password", "body", "min_length"),
        ])
    );
    let query = server
        .get("/v1/users?page=0&per_page=101&sort=age&search=", KEY_A)
        .await;
    assert_eq!(
        query.details(),
        triples(&[
            ("page", "query", "minimum"),
            ("per_page", "query", "maximum"),
            ("sort", "query", "pattern"),
            ("search", "query", "min_length"),
        ])
    );
    let undecodable = server.get("/v1/users/%FF", KEY_A).await;
    assert_eq!(undecodable.status, StatusCode::BAD_REQUEST);
    assert_eq!(undecodable.details(), triples(&[("", "path", "type")]));
    let path = server.get("/v1/users/zero", KEY_A).await;
    assert_eq!(path.details(), triples(&[("user_id", "path", "type")]));
    // Query and body failures together.
    let charge = server.get("/v1/charges/nope", KEY_A).await;
    assert_eq!(
        charge.details(),
        triples(&[("charge_id", "path", "pattern")])
    );
    let refund = server
        .post(
            "/v1/charges/nope/refunds",
            KEY_A,
            json!({"amount": 0, "reason": "bored"}),
        )
        .await;
    assert_eq!(
        refund.details(),
        triples(&[
            ("charge_id", "path", "pattern"),
            ("amount", "body", "minimum"),
            ("reason", "body", "enum"),
        ])
    );
}

#[tokio::test]
async fn the_generated_layer_answers_every_row_of_the_error_table() {
    let server = start().await;
    let url = format!("{}/v1/users", server.base);

    let not_json = server
        .raw(
            server
                .client
                .post(&url)
                .header("X-API-Key", KEY_A)
                .header("Content-Type", "application/json")
                .body("{nope"),
        )
        .await;
    assert_eq!(
        (not_json.status, not_json.code()),
        (StatusCode::BAD_REQUEST, "INVALID_JSON")
    );

    let not_object = server.post("/v1/users", KEY_A, json!(["a"])).await;
    assert_eq!(not_object.code(), "INVALID_JSON");

    let text = server
        .raw(
            server
                .client
                .post(&url)
                .header("X-API-Key", KEY_A)
                .header("Content-Type", "text/plain")
                .body("hi"),
        )
        .await;
    assert_eq!(
        (text.status, text.code()),
        (StatusCode::UNSUPPORTED_MEDIA_TYPE, "UNSUPPORTED_MEDIA_TYPE")
    );

    let big = format!("{{\"name\": \"{}\"}}", "x".repeat(2 * 1024 * 1024));
    let too_large = server
        .raw(
            server
                .client
                .post(&url)
                .header("X-API-Key", KEY_A)
                .header("Content-Type", "application/json")
                .body(big),
        )
        .await;
    assert_eq!(
        (too_large.status, too_large.code()),
        (StatusCode::PAYLOAD_TOO_LARGE, "PAYLOAD_TOO_LARGE")
    );

    let unknown = server.get("/v2/nothing", KEY_A).await;
    assert_eq!(
        (unknown.status, unknown.code()),
        (StatusCode::NOT_FOUND, "NOT_FOUND")
    );

    let wrong_method = server
        .call(Method::PUT, "/v1/users", Some(KEY_A), None)
        .await;
    assert_eq!(
        (wrong_method.status, wrong_method.code()),
        (StatusCode::METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED")
    );
    let allow = wrong_method.header("allow").unwrap();
    assert!(allow.contains("GET") && allow.contains("POST"), "{allow}");

    let cursor = server.get("/v1/charges?cursor=not-ours", KEY_A).await;
    assert_eq!(
        (cursor.status, cursor.code()),
        (StatusCode::BAD_REQUEST, "INVALID_CURSOR")
    );

    for reply in [
        &not_json,
        &text,
        &too_large,
        &unknown,
        &wrong_method,
        &cursor,
    ] {
        assert_eq!(reply.body["success"], false);
        assert!(reply.header("x-request-id").is_some());
        assert_eq!(
            reply.body["meta"]["request_id"],
            reply.header("x-request-id").unwrap()
        );
    }
}

#[tokio::test]
async fn user_pages_count_and_sort() {
    let server = start().await;
    for (name, email) in [
        ("carol", "c@x.io"),
        ("alice", "a@x.io"),
        ("bob", "b@x.io"),
        ("Alicia", "d@x.io"),
        ("dave", "e@x.io"),
    ] {
        server.user(KEY_A, name, email).await;
    }
    let first = server.get("/v1/users?per_page=2&sort=name", KEY_A).await;
    assert_eq!(
        first.body["pagination"],
        json!({"page": 1, "per_page": 2, "total": 5, "total_pages": 3})
    );
    let names = |reply: &Reply| -> Vec<String> {
        reply.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["name"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(names(&first), ["Alicia", "alice"]);
    let last = server
        .get("/v1/users?per_page=2&page=3&sort=name", KEY_A)
        .await;
    assert_eq!(names(&last), ["dave"]);
    let past = server.get("/v1/users?per_page=2&page=9", KEY_A).await;
    assert_eq!(past.body["data"], json!([]));
    assert_eq!(past.body["pagination"]["total"], 5);
    let descending = server
        .get("/v1/users?sort=-email&per_page=100", KEY_A)
        .await;
    assert_eq!(
        names(&descending),
        ["dave", "Alicia", "carol", "bob", "alice"]
    );
    let search = server.get("/v1/users?search=ALI", KEY_A).await;
    assert_eq!(names(&search).len(), 2);
    let defaults = server.get("/v1/users", KEY_A).await;
    assert_eq!(defaults.body["pagination"]["per_page"], 20);
    assert_eq!(
        names(&defaults)[0],
        "carol",
        "created_at ascending by default"
    );
}

#[tokio::test]
async fn charges_refunds_and_declines() {
    let server = start().await;
    let customer = server.user(KEY_A, "Ada", "ada@example.com").await;
    let created = server
        .post(
            "/v1/charges",
            KEY_A,
            json!({"amount": 2000, "currency": "EUR", "source": "tok_visa", "customer_id": customer, "metadata": {"order": "7"}}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED);
    let charge = &created.body["data"];
    assert!(charge["id"].as_str().unwrap().starts_with("ch_"));
    assert_eq!(charge["status"], "succeeded");
    assert_eq!(
        charge["description"],
        Value::Null,
        "nullable fields are present as null"
    );
    let id = charge["id"].as_str().unwrap();

    let declined = server
        .post(
            "/v1/charges",
            KEY_A,
            json!({"amount": 2000, "currency": "EUR", "source": "tok_chargeDeclined"}),
        )
        .await;
    assert_eq!(
        (declined.status, declined.code()),
        (StatusCode::PAYMENT_REQUIRED, "CARD_DECLINED")
    );
    let no_customer = server
        .post(
            "/v1/charges",
            KEY_A,
            json!({"amount": 2000, "currency": "EUR", "source": "tok", "customer_id": 999}),
        )
        .await;
    assert_eq!(no_customer.code(), "USER_NOT_FOUND");

    let partial = server
        .post(
            &format!("/v1/charges/{id}/refunds"),
            KEY_A,
            json!({"amount": 500}),
        )
        .await;
    assert_eq!(partial.status, StatusCode::CREATED);
    assert!(partial.body["data"]["id"]
        .as_str()
        .unwrap()
        .starts_with("re_"));
    assert_eq!(partial.body["data"]["reason"], Value::Null);
    let too_much = server
        .post(
            &format!("/v1/charges/{id}/refunds"),
            KEY_A,
            json!({"amount": 1501}),
        )
        .await;
    assert_eq!(too_much.code(), "VALIDATION_ERROR");
    let rest = server
        .post(
            &format!("/v1/charges/{id}/refunds"),
            KEY_A,
            json!({"reason": "requested_by_customer"}),
        )
        .await;
    assert_eq!(rest.body["data"]["amount"], 1500);
    let after = server.get(&format!("/v1/charges/{id}"), KEY_A).await;
    assert_eq!(after.body["data"]["amount_refunded"], 2000);
    assert_eq!(after.body["data"]["refunded"], true);
}

#[tokio::test]
async fn a_cursor_walk_sees_every_charge_once_while_charges_are_created() {
    let server = start().await;
    let mut expected = BTreeSet::new();
    for amount in 0..25 {
        expected.insert(
            server.charge(KEY_A, 100 + amount).await["id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let path = match &cursor {
            Some(cursor) => format!("/v1/charges?limit=10&cursor={cursor}"),
            None => "/v1/charges?limit=10".to_string(),
        };
        let page = server.get(&path, KEY_A).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        pages += 1;
        let items = page.body["data"].as_array().unwrap();
        assert!(!items.is_empty(), "no empty trailing page");
        seen.extend(items.iter().map(|c| c["id"].as_str().unwrap().to_string()));
        // New charges arrive during the walk; they are newer than the cursor.
        server.charge(KEY_A, 999).await;
        let pagination = &page.body["pagination"];
        assert_eq!(pagination["limit"], 10);
        if pagination["has_more"] == false {
            assert_eq!(pagination["next_cursor"], Value::Null);
            break;
        }
        cursor = Some(pagination["next_cursor"].as_str().unwrap().to_string());
    }
    assert_eq!(pages, 3);
    let unique: BTreeSet<String> = seen.iter().cloned().collect();
    assert_eq!(unique.len(), seen.len(), "a charge was seen twice");
    assert_eq!(unique, expected);

    // A walk of exactly full pages ends on the last full one.
    let exact = server.get("/v1/charges?limit=100", KEY_A).await;
    let total = exact.body["data"].as_array().unwrap().len();
    let full = server
        .get(&format!("/v1/charges?limit={total}"), KEY_A)
        .await;
    assert_eq!(full.body["pagination"]["has_more"], false);
    assert_eq!(full.body["pagination"]["next_cursor"], Value::Null);
    let filtered = server.get("/v1/charges?status=failed", KEY_A).await;
    assert_eq!(filtered.body["data"], json!([]));
}

/// The flagship's own limits, as the spec declares them: 100 a minute per
/// key (1,000 for `pro` keys) and a burst guard of 10 a second on charges.
#[tokio::test]
async fn the_flagship_limits_apply_per_key_and_tier() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let keys = [
        payments_app::ApiKey::from(KEY_A),
        payments_app::ApiKey::parse("key-pro:pro").unwrap(),
    ];
    let app = router(PaymentsApi::new(keys), ServerConfig::default())
        .into_make_service_with_connect_info::<std::net::SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let server = Server {
        base: format!("http://{address}"),
        client: reqwest::Client::new(),
    };

    let health = server.call(Method::GET, "/health", None, None).await;
    assert!(
        health.header("ratelimit").is_none(),
        "health is never limited"
    );

    let users = server.get("/v1/users", KEY_A).await;
    assert_eq!(
        users.header("ratelimit-policy"),
        Some("\"default\";q=100;w=60")
    );
    assert_eq!(users.header("x-ratelimit-remaining"), Some("99"));
    let pro = server.get("/v1/users", "key-pro").await;
    assert_eq!(
        pro.header("ratelimit-policy"),
        Some("\"default\";q=1000;w=60")
    );

    let charge = json!({"amount": 500, "currency": "USD", "source": "tok_visa"});
    let mut statuses = Vec::new();
    for _ in 0..11 {
        let reply = server.post("/v1/charges", KEY_A, charge.clone()).await;
        statuses.push(reply.status);
        if reply.status == StatusCode::TOO_MANY_REQUESTS {
            assert_eq!(reply.code(), "RATE_LIMIT_EXCEEDED");
            assert_eq!(reply.header("retry-after"), Some("1"));
            assert_eq!(reply.body["error"]["retry_after"], 1);
            assert_eq!(
                reply.header("ratelimit-policy"),
                Some("\"default\";q=100;w=60, \"burst\";q=10;w=1")
            );
            assert!(reply
                .header("ratelimit")
                .unwrap()
                .contains("\"burst\";r=0;t=1"));
        }
    }
    // Ten pass at once; the eleventh within the same second is refused
    // (the burst guard refills one every 100 ms, so allow for a slow run).
    let created = statuses
        .iter()
        .filter(|s| **s == StatusCode::CREATED)
        .count();
    assert!((10..=11).contains(&created), "{statuses:?}");
    assert!(statuses[..10].iter().all(|s| *s == StatusCode::CREATED));
}
