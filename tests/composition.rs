//! The generated router composes with tower-http layers a team adds, served
//! by the generated `serve` over a real socket: the CORS layer answers a
//! preflight and marks responses, the compression layer gzips bodies for
//! clients that accept it, and the generated layers' headers (request id,
//! rate limits) and envelope come through both.

use std::io::Read;
use std::net::SocketAddr;

use axum::http::{header, HeaderName, HeaderValue, Method};
use payments_app::{ApiKey, PaymentsApi};
use payments_server::{router, serve, ListenerConfig, ServerConfig};
use reqwest::StatusCode;
use tower_http::compression::CompressionLayer;
use tower_http::cors::CorsLayer;

const ORIGIN: &str = "https://app.example.com";
const KEY: &str = "key-a";

async fn start() -> SocketAddr {
    let cors = CorsLayer::new()
        .allow_origin([HeaderValue::from_static(ORIGIN)])
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([
            header::CONTENT_TYPE,
            HeaderName::from_static("x-api-key"),
            HeaderName::from_static("idempotency-key"),
        ])
        .expose_headers([
            HeaderName::from_static("x-request-id"),
            HeaderName::from_static("ratelimit"),
        ]);
    let app = router(
        PaymentsApi::new([ApiKey::from(KEY)]),
        ServerConfig::default(),
    )
    .layer(CompressionLayer::new())
    .layer(cors);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(serve(
        listener,
        app,
        ListenerConfig::default(),
        std::future::pending(),
    ));
    address
}

fn header<'a>(response: &'a reqwest::Response, name: &str) -> Option<&'a str> {
    response
        .headers()
        .get(name)
        .and_then(|value| value.to_str().ok())
}

#[tokio::test]
async fn a_cors_preflight_is_answered_by_the_cors_layer() {
    let address = start().await;
    let client = reqwest::Client::new();
    let preflight = client
        .request(Method::OPTIONS, format!("http://{address}/v1/charges"))
        .header("Origin", ORIGIN)
        .header("Access-Control-Request-Method", "POST")
        .header(
            "Access-Control-Request-Headers",
            "content-type, x-api-key, idempotency-key",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(preflight.status(), StatusCode::OK);
    assert_eq!(
        header(&preflight, "access-control-allow-origin"),
        Some(ORIGIN)
    );
    let methods = header(&preflight, "access-control-allow-methods").unwrap();
    assert!(methods.contains("POST"), "{methods}");
    let headers = header(&preflight, "access-control-allow-headers").unwrap();
    assert!(headers.contains("idempotency-key"), "{headers}");

    // The real request then carries the CORS headers beside the generated ones.
    let listed = client
        .get(format!("http://{address}/v1/users"))
        .header("Origin", ORIGIN)
        .header("X-API-Key", KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.status(), StatusCode::OK);
    assert_eq!(header(&listed, "access-control-allow-origin"), Some(ORIGIN));
    let exposed = header(&listed, "access-control-expose-headers").unwrap();
    assert!(exposed.contains("x-request-id"), "{exposed}");
    assert!(header(&listed, "x-request-id").is_some());
    assert!(header(&listed, "ratelimit").is_some());

    // Another origin gets no CORS headers (the browser then refuses it).
    let other = client
        .get(format!("http://{address}/v1/users"))
        .header("Origin", "https://evil.example")
        .header("X-API-Key", KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(header(&other, "access-control-allow-origin"), None);
}

#[tokio::test]
async fn responses_are_gzipped_for_clients_that_accept_it() {
    let address = start().await;
    let client = reqwest::Client::new();
    let url = format!("http://{address}/openapi.json");
    let gzipped = client
        .get(&url)
        .header("Accept-Encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(gzipped.status(), StatusCode::OK);
    assert_eq!(header(&gzipped, "content-encoding"), Some("gzip"));
    assert!(header(&gzipped, "x-request-id").is_some());
    let compressed = gzipped.bytes().await.unwrap();
    let mut text = String::new();
    flate2::read::GzDecoder::new(&compressed[..])
        .read_to_string(&mut text)
        .unwrap();
    let document: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(document["info"]["title"], "Payments API");

    // Without Accept-Encoding the same document comes as it is, and larger.
    let plain = client.get(&url).send().await.unwrap();
    assert_eq!(header(&plain, "content-encoding"), None);
    let plain = plain.bytes().await.unwrap();
    assert_eq!(plain.len(), text.len());
    assert!(
        compressed.len() < plain.len() / 2,
        "{} of {}",
        compressed.len(),
        plain.len()
    );

    // An error envelope from the generated layers is compressed the same way.
    let unauthorized = client
        .get(format!("http://{address}/v1/users"))
        .header("Accept-Encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(unauthorized.status(), StatusCode::UNAUTHORIZED);
    let compressed = unauthorized.bytes().await.unwrap();
    let mut text = String::new();
    flate2::read::GzDecoder::new(&compressed[..])
        .read_to_string(&mut text)
        .unwrap();
    assert!(text.contains("\"success\":false"), "{text}");
}
