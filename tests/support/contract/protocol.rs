//! The protocol: envelopes, the served document, request ids, credentials,
//! validation, the error table and the rate limits.

use super::*;

#[tokio::test]
async fn health_is_public_and_enveloped() {
    let Some(server) = start().await else {
        return;
    };
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
    let Some(server) = start().await else {
        return;
    };
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
    let Some(server) = start().await else {
        return;
    };
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
    let Some(server) = start().await else {
        return;
    };
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
async fn every_invalid_field_is_reported_at_once() {
    let Some(server) = start().await else {
        return;
    };
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
    let Some(server) = start().await else {
        return;
    };
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
