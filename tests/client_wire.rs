//! What the generated client puts on the wire, and how it reads answers,
//! for `tests/specs/client-wire.yaml`: every parameter location, every kind
//! of credential, text and binary bodies, an empty success, successes of
//! different shapes, a status range and `default`.

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use client_wire_client::types::{Item, Problem, Receipt};
use client_wire_client::{
    Client, Error, FindItemError, GetNoteError, GetNoteOptions, PutItemSuccess,
};

/// One request as the server saw it.
#[derive(Debug, Clone)]
struct Seen {
    method: Method,
    path: String,
    query: String,
    headers: HeaderMap,
    body: Bytes,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

type Log = Arc<Mutex<Vec<Seen>>>;

fn json(status: StatusCode, text: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        text.to_string(),
    )
        .into_response()
}

/// Records the request, then answers by path: the last path segment often
/// chooses the status, so each test can ask for the answer it needs.
async fn answer(State(log): State<Log>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, usize::MAX).await.unwrap();
    let path = parts.uri.path().to_string();
    log.lock().unwrap().push(Seen {
        method: parts.method.clone(),
        path: path.clone(),
        query: parts.uri.query().unwrap_or_default().to_string(),
        headers: parts.headers.clone(),
        body: body.clone(),
    });
    match (parts.method.as_str(), path.as_str()) {
        ("GET", "/api/items/418/notes/teapot") => {
            json(StatusCode::IM_A_TEAPOT, r#"{"reason": "short and stout"}"#)
        }
        ("GET", p) if p.starts_with("/api/items/") && p.contains("/notes/") => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "text/plain")],
            "the note",
        )
            .into_response(),
        ("GET", "/api/items/1") => json(StatusCode::OK, r#"{"id": 1, "name": "one"}"#),
        ("GET", "/api/items/2") => StatusCode::NO_CONTENT.into_response(),
        ("GET", "/api/items/3") => json(StatusCode::BAD_GATEWAY, r#"{"reason": "upstream"}"#),
        ("GET", "/api/items/4") => {
            tokio::time::sleep(std::time::Duration::from_secs(5)).await;
            StatusCode::NO_CONTENT.into_response()
        }
        ("PUT", "/api/items/1") => json(StatusCode::OK, r#"{"id": 1, "name": "renamed"}"#),
        ("PUT", "/api/items/9") => json(StatusCode::CREATED, r#"{"accepted": true}"#),
        ("POST", "/api/upload") => StatusCode::ACCEPTED.into_response(),
        ("POST", "/api/echo") => {
            (StatusCode::OK, [(header::CONTENT_TYPE, "text/plain")], body).into_response()
        }
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn start() -> (String, Log) {
    let log = Log::default();
    let app = Router::new().fallback(answer).with_state(log.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{address}"), log)
}

fn last(log: &Log) -> Seen {
    log.lock()
        .unwrap()
        .last()
        .cloned()
        .expect("a request was made")
}

#[tokio::test]
async fn parameters_go_where_the_spec_says() {
    let (base, log) = start().await;
    let client = Client::builder()
        .base_url(&base)
        .bearer("t0ken")
        .build()
        .unwrap();
    let tags = ["red".to_string(), "two words".to_string()];
    let note = client
        .get_note(
            7,
            "a b/c?",
            &tags,
            "trace-1",
            GetNoteOptions {
                limit: Some(5),
                theme: Some("dark".into()),
            },
        )
        .await
        .unwrap();
    assert_eq!(note.data, "the note");
    let seen = last(&log);
    assert_eq!(seen.method, Method::GET);
    assert_eq!(seen.path, "/api/items/7/notes/a%20b%2Fc%3F");
    assert_eq!(seen.query, "tag=red&tag=two+words&limit=5");
    assert_eq!(seen.header("x-trace"), Some("trace-1"));
    assert_eq!(seen.header("cookie"), Some("theme=dark"));
    assert_eq!(seen.header("authorization"), Some("Bearer t0ken"));
    assert!(seen
        .header("user-agent")
        .unwrap()
        .starts_with("client-wire-client/"));

    // Optional parameters left out are not sent at all.
    client
        .get_note(7, "n", &[], "trace-2", GetNoteOptions::default())
        .await
        .unwrap();
    let seen = last(&log);
    assert_eq!(seen.query, "");
    assert_eq!(seen.header("cookie"), None);
}

#[tokio::test]
async fn answers_decode_by_status() {
    let (base, _log) = start().await;
    let client = Client::builder().base_url(&base).build().unwrap();

    // A range: any 4xx is the `4XX` variant, with its declared body.
    let error = client
        .get_note(418, "teapot", &[], "t", GetNoteOptions::default())
        .await
        .unwrap_err();
    assert_eq!(
        error.api_error(),
        Some(&GetNoteError::Status4xx(Problem {
            reason: "short and stout".into()
        }))
    );

    // `200` with a body or `204` without one: an `Option`.
    let found = client.find_item(1).await.unwrap();
    assert_eq!(
        found.data,
        Some(Item {
            id: 1,
            name: "one".into()
        })
    );
    let missing = client.find_item(2).await.unwrap();
    assert_eq!(missing.data, None);
    assert_eq!(missing.meta.status, 204);

    // `default` takes any other status (retries off: a 502 would be retried
    // after the backoff, and answered the same).
    let error = client
        .with_options(
            client_wire_client::RequestOptions::default()
                .retry(client_wire_client::RetryPolicy::none()),
        )
        .find_item(3)
        .await
        .unwrap_err();
    assert!(matches!(
        error.api_error(),
        Some(FindItemError::Other(Problem { reason })) if reason == "upstream"
    ));

    // Successes of different shapes: an enum by status.
    let item = Item {
        id: 1,
        name: "renamed".into(),
    };
    let replaced = client.put_item(1, &item).await.unwrap();
    assert!(matches!(&replaced.data, PutItemSuccess::Ok(body) if *body == item));
    let created = client.put_item(9, &item).await.unwrap();
    assert!(matches!(
        created.data,
        PutItemSuccess::Created(Receipt { accepted: true })
    ));
}

#[tokio::test]
async fn every_kind_of_credential_and_body() {
    let (base, log) = start().await;

    let basic = Client::builder()
        .base_url(&base)
        .basic("Aladdin", "open sesame")
        .build()
        .unwrap();
    basic.upload(&[0, 159, 146, 150]).await.unwrap();
    let seen = last(&log);
    assert_eq!(
        seen.header("authorization"),
        Some("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==")
    );
    assert_eq!(
        seen.header("content-type"),
        Some("application/octet-stream")
    );
    assert_eq!(seen.body.as_ref(), &[0, 159, 146, 150]);

    let by_query = Client::builder()
        .base_url(&base)
        .query_key("k 1")
        .build()
        .unwrap();
    let echoed = by_query.echo_text(Some("hello")).await.unwrap();
    assert_eq!(echoed.data, "hello");
    let seen = last(&log);
    assert_eq!(seen.query, "key=k+1");
    assert_eq!(seen.header("content-type"), Some("text/plain"));

    let by_cookie = Client::builder()
        .base_url(&base)
        .cookie_key("s3ss")
        .build()
        .unwrap();
    let echoed = by_cookie.echo_text(None).await.unwrap();
    assert_eq!(echoed.data, "");
    let seen = last(&log);
    assert_eq!(seen.header("cookie"), Some("session=s3ss"));
    assert_eq!(
        seen.header("content-type"),
        None,
        "no body, no content type"
    );

    // Headers of the caller's own, on every request.
    let custom = Client::builder()
        .base_url(&base)
        .user_agent("wire-test/1")
        .default_header("x-tenant", "acme")
        .build()
        .unwrap();
    custom.echo_text(None).await.unwrap();
    let seen = last(&log);
    assert_eq!(seen.header("user-agent"), Some("wire-test/1"));
    assert_eq!(seen.header("x-tenant"), Some("acme"));
}

#[tokio::test]
async fn per_call_options_override_the_client() {
    let (base, log) = start().await;
    let client = Client::builder().base_url(&base).build().unwrap();
    let hasty = client.with_options(
        client_wire_client::RequestOptions::default()
            .timeout(std::time::Duration::from_millis(100))
            .retry(client_wire_client::RetryPolicy {
                max_retries: 1,
                initial_backoff: std::time::Duration::from_millis(1),
                ..client_wire_client::RetryPolicy::default()
            })
            .header(
                header::HeaderName::from_static("x-call"),
                header::HeaderValue::from_static("hasty"),
            ),
    );
    match hasty.find_item(4).await {
        Err(Error::Timeout { attempts }) => assert_eq!(attempts, 2, "one retry, then the error"),
        other => panic!("a timeout, got {other:?}"),
    }
    assert_eq!(last(&log).header("x-call"), Some("hasty"));
    // The client itself is unchanged.
    client.find_item(1).await.unwrap();
    assert_eq!(last(&log).header("x-call"), None);
}

#[tokio::test]
async fn a_spec_without_a_host_needs_a_base_url() {
    let error = Client::builder().build().unwrap_err();
    assert!(error.to_string().contains("base_url"), "{error}");
    let error = Client::builder()
        .base_url("http://localhost")
        .default_header("bad header", "x")
        .build()
        .unwrap_err();
    assert!(error.to_string().contains("bad header"), "{error}");
    match Client::new("http://127.0.0.1:1").find_item(1).await {
        Err(Error::Connection { attempts, .. }) => assert_eq!(attempts, 3, "GETs are retried"),
        other => panic!("a connection error, got {other:?}"),
    }
}
