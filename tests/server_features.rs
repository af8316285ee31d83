//! The generated server on what the flagship does not use (tests/specs/http-features.yaml):
//! basic, bearer, query and cookie credentials, header and cookie parameters,
//! optional bodies, several success responses, no envelope, declared headers,
//! panics, handler errors, time limits and deprecation headers.

use std::time::Duration;

use http_features_server::{router, ServerConfig};
use reqwest::StatusCode;
use serde_json::{json, Value};

#[path = "support/features_api.rs"]
mod features_api;

use features_api::Features;

async fn start() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let config = ServerConfig {
        request_timeout: Duration::from_millis(300),
        // The spec has its own `/metrics`, which metrics must not take over.
        metrics: true,
        ..ServerConfig::default()
    };
    tokio::spawn(async move {
        axum::serve(listener, router(Features, config))
            .await
            .unwrap()
    });
    format!("http://{address}")
}

async fn send(request: reqwest::RequestBuilder) -> (StatusCode, reqwest::header::HeaderMap, Value) {
    let response = request.send().await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.bytes().await.unwrap();
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).unwrap()
    };
    (status, headers, body)
}

fn details(body: &Value) -> Vec<(String, String, String)> {
    body["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let text = |key: &str| d[key].as_str().unwrap().to_string();
            (text("field"), text("location"), text("code"))
        })
        .collect()
}

#[tokio::test]
async fn basic_bearer_query_and_cookie_credentials() {
    let base = start().await;
    let client = reqwest::Client::new();
    let (status, _, body) = send(
        client
            .get(format!("{base}/basic"))
            .basic_auth("ada", Some("open sesame")),
    )
    .await;
    assert_eq!(
        (status, body),
        (StatusCode::OK, json!({"principal": "basic:ada"})),
        "no envelope: the declared body"
    );
    let (status, headers, body) = send(
        client
            .get(format!("{base}/basic"))
            .basic_auth("ada", Some("wrong")),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(headers["www-authenticate"]
        .to_str()
        .unwrap()
        .starts_with("Basic"));
    assert_eq!(body["error"]["code"], "UNAUTHORIZED");

    let (status, _, body) = send(
        client
            .get(format!("{base}/bearer"))
            .bearer_auth("good-token"),
    )
    .await;
    assert_eq!(
        (status, body["principal"].clone()),
        (StatusCode::OK, json!("bearer"))
    );
    let (status, headers, _) = send(client.get(format!("{base}/bearer")).bearer_auth("bad")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(headers["www-authenticate"]
        .to_str()
        .unwrap()
        .starts_with("Bearer"));

    let (_, _, body) = send(client.get(format!("{base}/keys?api_key=good-key"))).await;
    assert_eq!(body["principal"], "QueryKey");
    let (_, _, body) = send(
        client
            .get(format!("{base}/keys"))
            .header("Cookie", "other=1; session=good-key"),
    )
    .await;
    assert_eq!(body["principal"], "CookieKey");
    let (status, _, _) = send(client.get(format!("{base}/keys?api_key=bad"))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn path_query_header_and_cookie_parameters() {
    let base = start().await;
    let client = reqwest::Client::new();
    let id = "67e55044-10b1-426f-9247-bb680e5fe0c8";
    let (status, headers, body) = send(
        client
            .get(format!("{base}/items/{id}?tags=a&tags=b&verbose=true"))
            .header("X-Trace", "abc")
            .header("Cookie", "theme=dark"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body,
        json!({"id": id, "trace": "abc", "theme": "dark", "tags": ["a", "b"], "verbose": true})
    );
    assert_eq!(headers["x-item-version"], "3");

    let (_, _, body) = send(
        client
            .get(format!("{base}/items/{id}"))
            .header("X-Trace", "abc"),
    )
    .await;
    assert_eq!(body["verbose"], false, "the default applies");

    let (status, _, body) = send(
        client
            .get(format!(
                "{base}/items/not-a-uuid?tags=1&tags=2&tags=3&tags=4&verbose=maybe"
            ))
            .header("Cookie", "theme=blue"),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["code"], "VALIDATION_ERROR");
    let expected = [
        ("item_id", "path", "format"),
        ("X-Trace", "header", "required"),
        ("theme", "cookie", "enum"),
        ("tags", "query", "max_items"),
        ("verbose", "query", "type"),
    ];
    let expected: Vec<_> = expected
        .iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect();
    let mut found = details(&body);
    found.sort();
    let mut expected = expected;
    expected.sort();
    assert_eq!(found, expected);

    let (status, _, body) = send(
        client
            .get(format!("{base}/items/00000000-0000-0000-0000-000000000000"))
            .header("X-Trace", "abc"),
    )
    .await;
    assert_eq!(
        (status, body),
        (StatusCode::NOT_FOUND, json!({"title": "no such item"}))
    );
}

#[tokio::test]
async fn optional_bodies_and_several_success_responses() {
    let base = start().await;
    let client = reqwest::Client::new();
    let (status, _, body) = send(
        client
            .post(format!("{base}/notes"))
            .json(&json!({"text": "hi"})),
    )
    .await;
    assert_eq!((status, body), (StatusCode::CREATED, json!({"text": "hi"})));
    let (status, _, body) = send(client.post(format!("{base}/notes"))).await;
    assert_eq!(
        (status, body),
        (StatusCode::ACCEPTED, json!({"queued": true}))
    );
    let (status, _, body) = send(
        client
            .post(format!("{base}/notes"))
            .json(&json!({"text": ""})),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        details(&body),
        [(
            "text".to_string(),
            "body".to_string(),
            "min_length".to_string()
        )]
    );
}

#[tokio::test]
async fn text_bodies_are_sent_as_text() {
    let base = start().await;
    let client = reqwest::Client::new();
    let response = client
        .post(format!("{base}/echo"))
        .header("Content-Type", "text/plain; charset=utf-8")
        .body("héllo")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "text/plain");
    assert_eq!(response.text().await.unwrap(), "héllo");
    let (status, _, body) = send(client.post(format!("{base}/echo")).json(&json!("hi"))).await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            json!("UNSUPPORTED_MEDIA_TYPE")
        )
    );
}

#[tokio::test]
async fn panics_errors_and_slow_handlers_answer_with_the_envelope() {
    let base = start().await;
    let client = reqwest::Client::new();
    for path in ["/panic", "/fail"] {
        let response = client.get(format!("{base}{path}")).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let request_id = response.headers()["x-request-id"]
            .to_str()
            .unwrap()
            .to_string();
        let text = response.text().await.unwrap();
        for secret in ["boom", "/secret", "database", "10.0.0.7"] {
            assert!(!text.contains(secret), "{path} leaked {secret}: {text}");
        }
        let body: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(body["error"]["code"], "INTERNAL_ERROR");
        assert_eq!(body["meta"]["request_id"], request_id);
    }
    let started = std::time::Instant::now();
    let (status, _, body) = send(client.get(format!("{base}/slow"))).await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (StatusCode::SERVICE_UNAVAILABLE, json!("REQUEST_TIMEOUT"))
    );
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "the time limit applies"
    );
    // The server is still serving.
    let (status, _, _) = send(client.post(format!("{base}/notes"))).await;
    assert_eq!(status, StatusCode::ACCEPTED);
}

#[tokio::test]
async fn deprecated_operations_send_deprecation_and_sunset() {
    let base = start().await;
    let (status, headers, _) = send(reqwest::Client::new().get(format!("{base}/legacy"))).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(headers["deprecation"], "@1767225600");
    assert_eq!(headers["sunset"], "Sat, 31 Dec 2033 23:59:59 GMT");
}

#[tokio::test]
async fn a_spec_with_its_own_metrics_route_keeps_it() {
    let base = start().await;
    let response = reqwest::get(format!("{base}/metrics")).await.unwrap();
    assert_eq!(
        response.status(),
        StatusCode::NO_CONTENT,
        "the spec's handler answered"
    );
}
