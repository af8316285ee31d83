//! The flagship app serving v1 and v2 from one process over one store
//! (`payments_app::router`), each version driven by its own generated
//! client: what one version writes the other reads (a user's `name` is v2's
//! `full_name`), v1 pages users by number and v2 by cursor, v1 says it is
//! deprecated and v2 does not, and each serves its own document.

use std::time::Duration;

use payments_app::PaymentsV2Api;
use payments_v2_client::types as v2;
use payments_v2_client::TryStreamExt;
use reqwest::StatusCode;
use serde_json::Value;

const KEY: &str = "key-versions";
const OTHER_KEY: &str = "key-other";

/// Both versions on a real socket, limits raised: these tests are about
/// the versions, not their limits.
async fn start() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let mut v1 = payments_server::ServerConfig {
        metrics: true,
        ..Default::default()
    };
    v1.rate_limits.overrides = payments_server::runtime::rate_limit::QuotaOverrides::parse(
        "default=100000/60,burst=100000/1",
    )
    .unwrap();
    let mut v2 = payments_v2_server::ServerConfig {
        metrics: true,
        ..Default::default()
    };
    v2.rate_limits.overrides = payments_v2_server::runtime::rate_limit::QuotaOverrides::parse(
        "default=100000/60,burst=100000/1",
    )
    .unwrap();
    let app = payments_app::router(PaymentsV2Api::new([KEY.into(), OTHER_KEY.into()]), v1, v2);
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{address}")
}

fn v1_client(base: &str, key: &str) -> payments_client::Client {
    payments_client::Client::builder()
        .base_url(base)
        .api_key_auth(key)
        .build()
        .unwrap()
}

fn v2_client(base: &str, key: &str) -> payments_v2_client::Client {
    payments_v2_client::Client::builder()
        .base_url(base)
        .api_key_auth(key)
        .retry_policy(payments_v2_client::RetryPolicy {
            initial_backoff: Duration::from_millis(10),
            ..Default::default()
        })
        .build()
        .unwrap()
}

fn charge() -> v2::ChargeCreate {
    v2::ChargeCreate {
        amount: 5000,
        currency: "EUR".to_string(),
        source: "tok_visa".to_string(),
        customer_id: None,
        description: None,
        metadata: None,
    }
}

#[tokio::test]
async fn what_one_version_writes_the_other_reads() {
    let base = start().await;
    let v1 = v1_client(&base, KEY);
    let v2 = v2_client(&base, KEY);

    // A user created through v1 has v2's `full_name`, and back.
    let ada = v1
        .create_user(&payments_client::types::UserCreate {
            name: "Ada Lovelace".to_string(),
            email: "ada@example.com".to_string(),
            password: Some("correct horse".to_string()),
        })
        .await
        .unwrap();
    assert_eq!(
        ada.meta.headers["location"],
        format!("/v1/users/{}", ada.data.id)
    );
    let seen = v2.get_user(ada.data.id).await.unwrap().data;
    assert_eq!(
        (seen.full_name.as_str(), seen.email.as_str()),
        ("Ada Lovelace", "ada@example.com")
    );
    let grace = v2
        .create_user(&v2::UserCreate {
            full_name: "Grace Hopper".to_string(),
            email: "grace@example.com".to_string(),
            password: Some("correct horse".to_string()),
        })
        .await
        .unwrap();
    assert_eq!(
        grace.meta.headers["location"],
        format!("/v2/users/{}", grace.data.id)
    );
    let renamed = v1
        .update_user(
            grace.data.id,
            &payments_client::types::UserUpdate {
                name: Some("Rear Admiral Hopper".to_string()),
                email: None,
            },
        )
        .await
        .unwrap()
        .data;
    assert_eq!(renamed.name, "Rear Admiral Hopper");
    assert_eq!(
        v2.get_user(grace.data.id).await.unwrap().data.full_name,
        "Rear Admiral Hopper"
    );

    // v1 pages by number with a total, sorting by its own field names.
    let page = v1
        .list_users(payments_client::ListUsersOptions {
            sort: Some("-name".to_string()),
            per_page: Some(1),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(page.pagination.total, 2);
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.items[0].name, "Rear Admiral Hopper");

    // A charge made through v2 is refunded through v1 and seen by both.
    let made = v2.create_charge(&charge()).await.unwrap().data;
    let refund = v1
        .create_refund(
            &made.id,
            &payments_client::types::RefundCreate {
                amount: Some(2000),
                reason: Some(payments_client::types::RefundReason::RequestedByCustomer),
            },
        )
        .await
        .unwrap()
        .data;
    assert_eq!(refund.charge_id, made.id);
    assert_eq!(
        v2.get_charge(&made.id).await.unwrap().data.amount_refunded,
        2000
    );
    let listed = v1
        .list_charges_all(payments_client::ListChargesOptions::default())
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].amount_refunded, 2000);

    // Tenants stay apart in both versions.
    let other = v2_client(&base, OTHER_KEY);
    assert!(other.get_user(ada.data.id).await.is_err());
    assert!(v1_client(&base, OTHER_KEY)
        .get_charge(&made.id)
        .await
        .is_err());
}

#[tokio::test]
async fn v2_walks_users_by_cursor_without_skipping_or_repeating() {
    let base = start().await;
    let v2 = v2_client(&base, KEY);
    let mut created = Vec::new();
    for n in 0..7 {
        let user = v2
            .create_user(&v2::UserCreate {
                full_name: format!("User {n}"),
                email: format!("user{n}@example.com"),
                password: Some("correct horse".to_string()),
            })
            .await
            .unwrap()
            .data;
        created.push(user.id);
    }
    let first = v2
        .list_users(payments_v2_client::ListUsersOptions {
            limit: Some(3),
            sort: Some("-full_name".to_string()),
            ..Default::default()
        })
        .await
        .unwrap();
    let names: Vec<&str> = first.items.iter().map(|u| u.full_name.as_str()).collect();
    assert_eq!(names, ["User 6", "User 5", "User 4"]);
    // A user deleted and one created mid-walk move nothing the walk has left.
    let deleted = first.items[2].id;
    v2.delete_user(deleted).await.unwrap();
    v2.create_user(&v2::UserCreate {
        full_name: "User 0a".to_string(),
        email: "user0a@example.com".to_string(),
        password: Some("correct horse".to_string()),
    })
    .await
    .unwrap();
    let rest = v2
        .list_users_stream(payments_v2_client::ListUsersOptions {
            limit: Some(3),
            sort: Some("-full_name".to_string()),
            cursor: first.pagination.next_cursor.clone(),
            ..Default::default()
        })
        .try_collect::<Vec<_>>()
        .await
        .unwrap();
    let names: Vec<&str> = rest.iter().map(|u| u.full_name.as_str()).collect();
    assert_eq!(names, ["User 3", "User 2", "User 1", "User 0a", "User 0"]);
}

async fn get(url: &str, key: Option<&str>) -> reqwest::Response {
    let request = reqwest::Client::new().get(url);
    let request = match key {
        Some(key) => request.header("x-api-key", key),
        None => request,
    };
    request.send().await.unwrap()
}

#[tokio::test]
async fn v1_says_it_is_deprecated_and_v2_does_not() {
    let base = start().await;
    for (url, key) in [
        (format!("{base}/v1/users"), Some(KEY)),
        // Answers of the generated layer too.
        (format!("{base}/v1/users"), None),
        (format!("{base}/v1/users/not-a-number"), Some(KEY)),
    ] {
        let response = get(&url, key).await;
        let headers = response.headers();
        assert_eq!(headers["deprecation"], "@1796083200", "{url}");
        assert_eq!(headers["sunset"], "Fri, 31 Dec 2027 23:59:59 GMT");
        assert_eq!(
            headers["link"],
            "<https://api.example.com/docs/migrating-to-v2>; rel=\"deprecation\"; type=\"text/html\""
        );
    }
    for url in [format!("{base}/v2/users"), format!("{base}/health")] {
        let response = get(&url, Some(KEY)).await;
        assert_eq!(response.status(), StatusCode::OK, "{url}");
        assert!(response.headers().get("deprecation").is_none(), "{url}");
        assert!(response.headers().get("sunset").is_none(), "{url}");
    }
}

#[tokio::test]
async fn each_version_serves_its_own_document_and_docs() {
    let base = start().await;
    let v1: Value = get(&format!("{base}/openapi.json"), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v1["info"]["version"], "1.0.0");
    assert!(v1["paths"].get("/v1/users").is_some());
    assert!(v1["paths"].get("/v2/users").is_none());
    let v2: Value = get(&format!("{base}/v2/openapi.json"), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v2["info"]["version"], "2.0.0");
    assert!(v2["paths"].get("/v2/users").is_some());
    assert!(v2["paths"].get("/v1/users").is_none());
    for page in ["/docs", "/v2/docs"] {
        let response = get(&format!("{base}{page}"), None).await;
        assert_eq!(response.status(), StatusCode::OK, "{page}");
        assert!(response.text().await.unwrap().contains("swagger-ui"));
    }
}

#[tokio::test]
async fn what_neither_version_routes_gets_the_envelope() {
    let base = start().await;
    let response = get(&format!("{base}/v3/users"), Some(KEY)).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert!(response.headers().get("x-request-id").is_some());
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "NOT_FOUND");
    let response = reqwest::Client::new()
        .put(format!("{base}/v2/users"))
        .header("x-api-key", KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "METHOD_NOT_ALLOWED");
}

#[tokio::test]
async fn v2_keeps_its_own_idempotency_keys_and_metrics() {
    let base = start().await;
    let v2 = v2_client(&base, KEY);
    let keyed = v2.with_options(
        payments_v2_client::RequestOptions::default().idempotency_key("versions-once"),
    );
    let first = keyed.create_charge(&charge()).await.unwrap();
    let again = keyed.create_charge(&charge()).await.unwrap();
    assert!(again.meta.replayed);
    assert_eq!(again.data.id, first.data.id);

    let metrics = get(&format!("{base}/metrics"), None)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        metrics
            .lines()
            .any(|line| line.starts_with("http_server_requests_total{")
                && line.contains("operation=\"createCharge\"")
                && line.contains("api=\"v2\"")),
        "{metrics}"
    );
}
