//! What the app tells its operators: one JSON access-log line per request
//! (`LOG_FORMAT=json`) and Prometheus metrics at `GET /metrics`, read off a
//! real app process over a real socket.

use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use axum::body::Body;
use axum::http::Request;
use payments_app::{ApiKey, PaymentsApi};
use payments_server::{router, ServerConfig};
use reqwest::StatusCode;
use serde_json::{json, Value};
use tower::ServiceExt;

const KEY: &str = "observed-key";

/// The app, killed when dropped.
struct App {
    base: String,
    process: Child,
}

impl Drop for App {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

impl App {
    /// Stops the app and returns what it logged.
    fn log(mut self) -> Vec<Value> {
        let _ = self.process.kill();
        let _ = self.process.wait();
        let mut text = String::new();
        let mut stdout = self.process.stdout.take().expect("stdout is piped");
        stdout.read_to_string(&mut text).unwrap();
        assert!(!text.contains(KEY), "the API key reached the log:\n{text}");
        text.lines()
            .map(|line| serde_json::from_str(line).unwrap_or_else(|_| panic!("not JSON: {line}")))
            .collect()
    }
}

async fn start(variables: &[(&str, &str)]) -> App {
    let port = {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        listener.local_addr().unwrap().port()
    };
    let mut command = Command::new(env!("CARGO_BIN_EXE_payments-app"));
    command
        .env("BIND_ADDR", format!("127.0.0.1:{port}"))
        .env("PAYMENTS_API_KEYS", KEY)
        .env_remove("REDIS_URL")
        .env_remove("METRICS")
        .env_remove("LOG_FORMAT")
        .stdout(Stdio::piped());
    for (name, value) in variables {
        command.env(name, value);
    }
    let app = App {
        base: format!("http://127.0.0.1:{port}"),
        process: command.spawn().expect("the app starts"),
    };
    let client = reqwest::Client::new();
    for _ in 0..200 {
        if client
            .get(format!("{}/health", app.base))
            .send()
            .await
            .is_ok()
        {
            return app;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the app at {} never answered", app.base);
}

/// A request's status and request id.
async fn send(request: reqwest::RequestBuilder) -> (StatusCode, String) {
    let response = request.send().await.unwrap();
    let id = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_string();
    (response.status(), id)
}

/// The access-log event of the request with id `request_id`.
fn access_event<'a>(log: &'a [Value], request_id: &str) -> &'a Value {
    let events: Vec<&Value> = log
        .iter()
        .filter(|event| event["target"] == "payments_server::access")
        .filter(|event| event["span"]["request_id"] == request_id)
        .collect();
    assert_eq!(
        events.len(),
        1,
        "one access event for {request_id}: {log:#?}"
    );
    events[0]
}

#[tokio::test]
async fn every_request_is_logged_once_with_what_happened() {
    let app = start(&[
        ("LOG_FORMAT", "json"),
        ("RUST_LOG", "warn,payments_server::access=info"),
        ("RATE_LIMITS", "default=6/60"),
    ])
    .await;
    let client = reqwest::Client::new();
    let url = |path: &str| format!("{}{path}", app.base);
    let (status, missing_user) =
        send(client.get(url("/v1/users/999999")).header("X-API-Key", KEY)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let charge = |amount: u32| {
        client
            .post(url("/v1/charges"))
            .header("X-API-Key", KEY)
            .header("Idempotency-Key", "observed-charge")
            .json(&json!({"amount": amount, "currency": "USD", "source": "tok_visa"}))
    };
    let (status, original) = send(charge(1999)).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, replayed) = send(charge(1999)).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, reused) = send(charge(2999)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, unauthenticated) = send(client.get(url("/v1/users"))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, unrouted) = send(client.get(url("/no/such/route"))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let mut refused = None;
    for _ in 0..10 {
        let (status, id) = send(client.get(url("/v1/users")).header("X-API-Key", KEY)).await;
        if status == StatusCode::TOO_MANY_REQUESTS {
            refused = Some(id);
            break;
        }
    }
    let refused = refused.expect("a limit of 6 per minute refuses within 10 requests");
    let log = app.log();

    let event = access_event(&log, &missing_user);
    let span = &event["span"];
    assert_eq!(span["method"], "GET");
    assert_eq!(span["route"], "/v1/users/{user_id}");
    assert_eq!(span["operation"], "getUser");
    let principal = span["principal"].as_str().unwrap();
    assert!(
        principal.starts_with("t_"),
        "the tenant id, not the key: {principal}"
    );
    assert_eq!(event["level"], "INFO");
    assert_eq!(event["fields"]["status"], 404);
    assert!(event["fields"]["latency_ms"].as_f64().unwrap() > 0.0);
    assert_eq!(event["fields"]["replayed"], false);
    assert_eq!(event["fields"]["rate_limit"], "allowed");

    let event = access_event(&log, &original);
    assert_eq!(event["span"]["route"], "/v1/charges");
    assert_eq!(event["span"]["operation"], "createCharge");
    assert_eq!(event["span"]["principal"], principal);
    assert_eq!(event["fields"]["status"], 201);
    assert_eq!(event["fields"]["replayed"], false);
    let event = access_event(&log, &replayed);
    assert_eq!(event["fields"]["status"], 201);
    assert_eq!(event["fields"]["replayed"], true);
    assert_eq!(access_event(&log, &reused)["fields"]["status"], 422);

    let event = access_event(&log, &unauthenticated);
    assert_eq!(event["span"]["operation"], "listUsers");
    assert_eq!(
        event["span"].get("principal"),
        None,
        "no one was authenticated"
    );
    assert_eq!(event["fields"]["status"], 401);

    let event = access_event(&log, &unrouted);
    assert_eq!(event["span"].get("route"), None);
    assert_eq!(event["span"].get("operation"), None);
    assert_eq!(event["fields"]["status"], 404);
    assert_eq!(event["fields"].get("rate_limit"), None);

    let event = access_event(&log, &refused);
    assert_eq!(event["fields"]["status"], 429);
    assert_eq!(event["fields"]["rate_limit"], "refused");
}

/// The value of the series `name` (with its labels, as Prometheus writes
/// them) in a scrape; `None` when absent.
fn series(scrape: &str, name: &str) -> Option<f64> {
    scrape
        .lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(' '))
        .map(|value| value.parse().unwrap())
}

#[tokio::test]
async fn metrics_count_requests_refusals_and_replays() {
    let app = start(&[("RUST_LOG", "warn"), ("RATE_LIMITS", "default=6/60")]).await;
    let client = reqwest::Client::new();
    let url = |path: &str| format!("{}{path}", app.base);
    for _ in 0..2 {
        send(client.get(url("/v1/users/999999")).header("X-API-Key", KEY)).await;
    }
    // An original, its replay, and the key reused for another amount.
    for amount in [1999, 1999, 2999] {
        send(
            client
                .post(url("/v1/charges"))
                .header("X-API-Key", KEY)
                .header("Idempotency-Key", "metered-charge")
                .json(&json!({"amount": amount, "currency": "USD", "source": "tok_visa"})),
        )
        .await;
    }
    // The sixth request of the window passes, the seventh is refused.
    for _ in 0..2 {
        send(client.get(url("/v1/users")).header("X-API-Key", KEY)).await;
    }
    send(client.get(url("/no/such/route"))).await;
    let response = client.get(url("/metrics")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain; version=0.0.4"));
    let scrape = response.text().await.unwrap();
    let value =
        |name: &str| series(&scrape, name).unwrap_or_else(|| panic!("{name} in:\n{scrape}"));
    let requests = |operation: &str, class: &str| {
        value(&format!(
            "http_server_requests_total{{operation=\"{operation}\",status_class=\"{class}\"}}"
        ))
    };
    assert_eq!(requests("getUser", "4xx"), 2.0);
    assert_eq!(
        value(
            r#"http_server_request_duration_seconds_count{operation="getUser",status_class="4xx"}"#
        ),
        2.0
    );
    assert_eq!(
        value(
            r#"http_server_request_duration_seconds_bucket{operation="getUser",status_class="4xx",le="+Inf"}"#
        ),
        2.0
    );
    assert_eq!(requests("createCharge", "2xx"), 2.0);
    assert_eq!(requests("createCharge", "4xx"), 1.0);
    assert_eq!(requests("listUsers", "2xx"), 1.0);
    assert_eq!(requests("listUsers", "4xx"), 1.0);
    assert_eq!(requests("unmatched", "4xx"), 1.0);
    // `/health` answered the start-up probe.
    assert!(requests("getHealth", "2xx") >= 1.0);
    assert_eq!(
        value(r#"rate_limit_rejections_total{policy="default"}"#),
        1.0
    );
    assert_eq!(value("idempotency_replays_total"), 1.0);
    assert_eq!(
        value(r#"idempotency_conflicts_total{reason="key_reused"}"#),
        1.0
    );
    assert_eq!(series(&scrape, "backend_errors_total"), None);
}

#[tokio::test]
async fn an_unreachable_redis_counts_as_backend_errors() {
    // A port nothing listens on: limits fail open, idempotent requests 503.
    let app = start(&[
        ("RUST_LOG", "error"),
        ("REDIS_URL", "redis://127.0.0.1:9"),
        ("REDIS_TIMEOUT_MS", "200"),
    ])
    .await;
    let client = reqwest::Client::new();
    let (status, _) = send(
        client
            .get(format!("{}/v1/users", app.base))
            .header("X-API-Key", KEY),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "limits fail open");
    let scrape = client
        .get(format!("{}/metrics", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let errors = series(&scrape, r#"backend_errors_total{backend="redis"}"#);
    assert!(errors.is_some_and(|count| count >= 1.0), "{scrape}");
}

#[tokio::test]
async fn metrics_stay_off_unless_configured() {
    let app = start(&[("RUST_LOG", "warn"), ("METRICS", "false")]).await;
    let response = reqwest::get(format!("{}/metrics", app.base)).await.unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let envelope: Value = response.json().await.unwrap();
    assert_eq!(envelope["error"]["code"], "NOT_FOUND");

    // The generated crate's default: off.
    assert!(!ServerConfig::default().metrics);
    let keys = [ApiKey {
        key: KEY.to_string(),
        tier: None,
    }];
    let app = router(PaymentsApi::new(keys), ServerConfig::default());
    let request = Request::get("/metrics").body(Body::empty()).unwrap();
    let response = app.oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}
