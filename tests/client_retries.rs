//! The generated client's transport against a server that fails on purpose:
//! how many attempts, with which idempotency key, after how long.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;
use payments_client::runtime::retry::RetryPolicy;
use payments_client::runtime::transport::{Body, Call, Transport, TransportError};
use reqwest::Method;

/// Per path: the idempotency keys of every attempt, in order.
#[derive(Clone, Default)]
struct Seen(Arc<Mutex<HashMap<String, Vec<Option<String>>>>>);

impl Seen {
    fn keys(&self, path: &str) -> Vec<Option<String>> {
        self.0
            .lock()
            .unwrap()
            .get(path)
            .cloned()
            .unwrap_or_default()
    }
}

/// `/flaky/{failures}/{status}`: answers `status` to the first `failures`
/// attempts, then `201`. `?retry_after=` and `?code=` shape the failures;
/// `/slow/{millis}` stalls its first attempt.
async fn flaky(
    State(seen): State<Seen>,
    Path((failures, status)): Path<(usize, u16)>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let query: HashMap<&str, &str> = uri
        .query()
        .unwrap_or_default()
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .collect();
    let attempt = record(&seen, &format!("/flaky/{failures}/{status}"), &headers);
    if attempt > failures {
        return (StatusCode::CREATED, "{\"ok\":true}").into_response();
    }
    let code = query.get("code").copied().unwrap_or("FAILED");
    let body = format!("{{\"success\":false,\"error\":{{\"code\":\"{code}\"}}}}");
    let mut response = (StatusCode::from_u16(status).unwrap(), body).into_response();
    if let Some(seconds) = query.get("retry_after") {
        response
            .headers_mut()
            .insert("retry-after", seconds.parse().unwrap());
    }
    response
}

async fn slow(State(seen): State<Seen>, Path(millis): Path<u64>, headers: HeaderMap) -> Response {
    if record(&seen, &format!("/slow/{millis}"), &headers) == 1 {
        tokio::time::sleep(Duration::from_millis(millis)).await;
    }
    (StatusCode::OK, "{}").into_response()
}

/// Records an attempt; returns its number (1 for the first).
fn record(seen: &Seen, path: &str, headers: &HeaderMap) -> usize {
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let mut seen = seen.0.lock().unwrap();
    let attempts = seen.entry(path.to_string()).or_default();
    attempts.push(key);
    attempts.len()
}

async fn serve() -> (Transport, Seen) {
    let seen = Seen::default();
    let app = Router::new()
        .route("/flaky/{failures}/{status}", any(flaky))
        .route("/slow/{millis}", any(slow))
        .with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let mut transport = Transport::new(&format!("http://{address}/"));
    // Short waits keep the test fast; the defaults are tested in retry.rs.
    transport.retry.initial_backoff = Duration::from_millis(10);
    (transport, seen)
}

fn post(path: &str, idempotent: bool) -> Call {
    Call {
        method: Method::POST,
        path: path.to_string(),
        body: Some(Body::json(&serde_json::json!({})).unwrap()),
        idempotent,
        ..Call::default()
    }
}

#[tokio::test]
async fn retries_reuse_one_idempotency_key() {
    let (transport, seen) = serve().await;
    let answer = transport.send(post("/flaky/2/503", true)).await.unwrap();
    assert_eq!(answer.status, 201);
    assert_eq!(answer.attempts, 3);
    let keys = seen.keys("/flaky/2/503");
    assert_eq!(keys.len(), 3);
    let key = keys[0].clone().expect("a key is sent");
    assert_eq!(key.len(), 36, "a UUID: {key}");
    assert!(keys.iter().all(|k| k.as_deref() == Some(key.as_str())));
    assert_eq!(answer.idempotency_key.as_deref(), Some(key.as_str()));

    // A caller's own key is used as is, and a key makes any method retryable.
    let mut call = post("/flaky/1/500", false);
    call.idempotency_key = Some("caller-key".into());
    let answer = transport.send(call).await.unwrap();
    assert_eq!(answer.attempts, 2);
    assert_eq!(
        seen.keys("/flaky/1/500"),
        vec![Some("caller-key".into()); 2]
    );
}

#[tokio::test]
async fn gives_up_after_two_retries_and_never_retries_other_4xx() {
    let (transport, seen) = serve().await;
    let answer = transport.send(post("/flaky/5/502", true)).await.unwrap();
    assert_eq!((answer.status.as_u16(), answer.attempts), (502, 3));

    for status in [400, 404, 422] {
        let path = format!("/flaky/1/{status}");
        let answer = transport.send(post(&path, true)).await.unwrap();
        assert_eq!((answer.status.as_u16(), answer.attempts), (status, 1));
        assert_eq!(seen.keys(&path).len(), 1);
    }
    // A conflict is retried only while the first request is in progress.
    let answer = transport
        .send(post("/flaky/1/409?code=REQUEST_IN_PROGRESS", true))
        .await
        .unwrap();
    assert_eq!((answer.status.as_u16(), answer.attempts), (201, 2));
    let answer = transport
        .send(post("/flaky/2/409?code=OTHER", true))
        .await
        .unwrap();
    assert_eq!((answer.status.as_u16(), answer.attempts), (409, 1));
    // An unsafe method without a key is never sent twice.
    let answer = transport.send(post("/flaky/1/503", false)).await.unwrap();
    assert_eq!((answer.status.as_u16(), answer.attempts), (503, 1));
    // Per-call override.
    let mut call = post("/flaky/1/504", true);
    call.retry = Some(RetryPolicy::none());
    assert_eq!(transport.send(call).await.unwrap().attempts, 1);
}

#[tokio::test]
async fn retry_after_is_honoured_up_to_the_cap() {
    let (mut transport, _) = serve().await;
    let started = Instant::now();
    let answer = transport
        .send(post("/flaky/1/429?retry_after=1", true))
        .await
        .unwrap();
    assert_eq!((answer.status.as_u16(), answer.attempts), (201, 2));
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );

    transport.retry.max_retry_after = Duration::from_secs(2);
    let started = Instant::now();
    let answer = transport
        .send(post("/flaky/1/503?retry_after=30", true))
        .await
        .unwrap();
    assert_eq!((answer.status.as_u16(), answer.attempts), (503, 1));
    assert!(started.elapsed() < Duration::from_secs(1));
}

#[tokio::test]
async fn timeouts_and_refused_connections_are_retried() {
    let (mut transport, seen) = serve().await;
    transport.timeout = Duration::from_millis(200);
    let call = Call {
        path: "/slow/1000".into(),
        ..Call::default()
    };
    let answer = transport.send(call).await.unwrap();
    assert_eq!((answer.status.as_u16(), answer.attempts), (200, 2));
    assert_eq!(seen.keys("/slow/1000").len(), 2);

    // Nothing listens on port 1.
    let mut refused = Transport::new("http://127.0.0.1:1");
    refused.retry.initial_backoff = Duration::from_millis(10);
    let error = refused.send(Call::default()).await.unwrap_err();
    assert!(
        matches!(error, TransportError::Connection { attempts: 3, .. }),
        "{error}"
    );
    let mut slow = transport.clone();
    slow.timeout = Duration::from_millis(50);
    let error = slow
        .send(Call {
            path: "/slow/300".into(),
            retry: Some(RetryPolicy::none()),
            ..Call::default()
        })
        .await
        .unwrap_err();
    assert!(
        matches!(error, TransportError::Timeout { attempts: 1 }),
        "{error}"
    );
}
