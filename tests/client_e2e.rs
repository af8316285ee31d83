//! The generated typed client against the flagship app over a real socket:
//! every operation, every declared error as its typed variant, tenants,
//! both pagination walks, and the retry that meets an idempotent replay.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body as AxumBody;
use axum::extract::{Request, State};
use axum::response::Response as AxumResponse;
use payments_app::PaymentsApi;
use payments_client::types::{ChargeCreate, RefundCreate, RefundReason, UserCreate, UserUpdate};
use payments_client::{
    Client, CreateChargeError, CreateRefundError, CreateUserError, DeleteUserError, Error,
    GetChargeError, GetUserError, ListChargesError, ListChargesOptions, ListUsersError,
    ListUsersOptions, RequestOptions, RetryPolicy, TryStreamExt, UpdateUserError,
};
use payments_server::runtime::rate_limit::QuotaOverrides;
use payments_server::{router, ServerConfig};

const KEY_A: &str = "key-a";
const KEY_B: &str = "key-b";
const KEY_WALK: &str = "key-walk";
/// A well-formed charge id that no charge has.
const MISSING_CHARGE: &str = "ch_000000000000000000000000";

/// The flagship app with limits raised, as a load test would: these tests
/// are about the API, not its limits.
async fn start(limits: &str) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let api = PaymentsApi::new([KEY_A.into(), KEY_B.into(), KEY_WALK.into()]);
    let mut config = ServerConfig::default();
    config.rate_limits.overrides = QuotaOverrides::parse(limits).unwrap();
    let app = router(api, config);
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{address}")
}

fn client(base_url: &str, key: &str) -> Client {
    Client::builder()
        .base_url(base_url)
        .api_key_auth(key)
        .retry_policy(RetryPolicy {
            initial_backoff: Duration::from_millis(10),
            ..RetryPolicy::default()
        })
        .build()
        .expect("a valid client")
}

fn new_user(name: &str) -> UserCreate {
    UserCreate {
        name: name.to_string(),
        email: format!("{}@example.com", name.to_lowercase()),
        password: Some("correct horse".to_string()),
    }
}

fn new_charge(amount: i64) -> ChargeCreate {
    ChargeCreate {
        amount,
        currency: "EUR".to_string(),
        source: "tok_visa".to_string(),
        customer_id: None,
        description: None,
        metadata: None,
    }
}

/// The declared error of a failed call, or a panic saying what else it was.
fn api_error<E: payments_client::runtime::response::OperationError>(error: Error<E>) -> E {
    assert!(
        error.request_id().is_some(),
        "every error carries a request id: {error}"
    );
    match error {
        Error::Api(api) => api.error,
        other => panic!("expected a declared error, got {other}"),
    }
}

#[tokio::test]
async fn every_operation_round_trips() {
    let base = start("default=100000/60,burst=100000/1").await;
    let client = client(&base, KEY_A);

    let health = client.get_health().await.unwrap();
    assert_eq!(health.data.status, "ok");
    assert!(health.meta.request_id.is_some());
    assert_eq!(health.meta.attempts, 1);

    let created = client.create_user(&new_user("Ada")).await.unwrap();
    assert_eq!(created.meta.status, 201);
    let ada = created.into_data();
    assert_eq!(ada.name, "Ada");
    assert_eq!(client.get_user(ada.id).await.unwrap().data, ada);

    let renamed = client
        .update_user(
            ada.id,
            &UserUpdate {
                name: Some("Ada L.".to_string()),
                email: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(renamed.name, "Ada L.");
    assert_eq!(renamed.email, ada.email);

    let page = client
        .list_users(ListUsersOptions {
            search: Some("ada".to_string()),
            ..ListUsersOptions::default()
        })
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.pagination.total, 1);
    assert_eq!(page.pagination.page, 1);
    let limits = page.meta.rate_limits();
    assert_eq!(limits[0].policy, "default");
    assert_eq!(limits[0].quota, Some(100_000));

    let charge = client
        .create_charge(&ChargeCreate {
            customer_id: Some(ada.id),
            description: Some("Tea".to_string()),
            ..new_charge(1250)
        })
        .await
        .unwrap();
    assert_eq!(charge.meta.status, 201);
    assert!(!charge.meta.replayed);
    assert!(
        charge.meta.idempotency_key.is_some(),
        "the client made an Idempotency-Key"
    );
    let charge = charge.into_data();
    assert_eq!(charge.amount, 1250);
    assert_eq!(client.get_charge(&charge.id).await.unwrap().data, charge);

    let refund = client
        .create_refund(
            &charge.id,
            &RefundCreate {
                amount: Some(250),
                reason: Some(RefundReason::RequestedByCustomer),
            },
        )
        .await
        .unwrap();
    assert_eq!(refund.amount, 250);
    assert_eq!(refund.charge_id, charge.id);
    let after = client.get_charge(&charge.id).await.unwrap();
    assert_eq!(after.amount_refunded, 250);

    let charges = client
        .list_charges(ListChargesOptions {
            customer_id: Some(ada.id),
            ..ListChargesOptions::default()
        })
        .await
        .unwrap();
    assert_eq!(charges.items.len(), 1);
    assert!(!charges.pagination.has_more);

    let deleted = client.delete_user(ada.id).await.unwrap();
    assert_eq!(deleted.meta.status, 204);
}

#[tokio::test]
async fn every_declared_error_is_its_typed_variant() {
    let base = start("default=100000/60,burst=100000/1").await;
    let client = client(&base, KEY_A);
    let anonymous = Client::new(&base);
    let ada = client.create_user(&new_user("Grace")).await.unwrap().data;

    // 400, with every failed rule in `details`.
    let error = client
        .list_users(ListUsersOptions {
            per_page: Some(0),
            search: Some(String::new()),
            ..ListUsersOptions::default()
        })
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some("VALIDATION_ERROR"));
    let ListUsersError::BadRequest(body) = api_error(error) else {
        panic!("a 400")
    };
    let fields: BTreeSet<&str> = body.details.iter().map(|d| d.field.as_str()).collect();
    assert_eq!(fields, BTreeSet::from(["per_page", "search"]));

    // 401 without credentials.
    let error = anonymous
        .list_users(ListUsersOptions::default())
        .await
        .unwrap_err();
    assert!(
        matches!(api_error(error), ListUsersError::Unauthorized(body) if body.code == "UNAUTHORIZED")
    );

    // 401 from every operation that needs a key, each its own variant.
    let charge_id = client
        .create_charge(&new_charge(500))
        .await
        .unwrap()
        .data
        .id;
    let update = UserUpdate {
        name: None,
        email: None,
    };
    let refund = RefundCreate {
        amount: None,
        reason: None,
    };
    macro_rules! unauthorized {
        ($call:expr, $variant:path) => {
            let error = $call.await.unwrap_err();
            assert_eq!(error.code(), Some("UNAUTHORIZED"));
            assert!(matches!(api_error(error), $variant(_)));
        };
    }
    unauthorized!(
        anonymous.create_user(&new_user("Nobody")),
        CreateUserError::Unauthorized
    );
    unauthorized!(anonymous.get_user(ada.id), GetUserError::Unauthorized);
    unauthorized!(
        anonymous.update_user(ada.id, &update),
        UpdateUserError::Unauthorized
    );
    unauthorized!(anonymous.delete_user(ada.id), DeleteUserError::Unauthorized);
    unauthorized!(
        anonymous.list_charges(ListChargesOptions::default()),
        ListChargesError::Unauthorized
    );
    unauthorized!(
        anonymous.create_charge(&new_charge(500)),
        CreateChargeError::Unauthorized
    );
    unauthorized!(
        anonymous.get_charge(&charge_id),
        GetChargeError::Unauthorized
    );
    unauthorized!(
        anonymous.create_refund(&charge_id, &refund),
        CreateRefundError::Unauthorized
    );

    // A bad email on update.
    let bad_email = UserUpdate {
        name: None,
        email: Some("not an email".to_string()),
    };
    let error = client.update_user(ada.id, &bad_email).await.unwrap_err();
    assert!(
        matches!(api_error(error), UpdateUserError::BadRequest(body) if body.details[0].field == "email")
    );

    // 400 on a taken email; 404s of each resource.
    let error = client.create_user(&new_user("Grace")).await.unwrap_err();
    assert!(
        matches!(api_error(error), CreateUserError::BadRequest(body) if body.details[0].field == "email")
    );
    let error = client.get_user(999_999).await.unwrap_err();
    assert!(
        matches!(api_error(error), GetUserError::NotFound(body) if body.code == "USER_NOT_FOUND")
    );
    let error = client.get_user(0).await.unwrap_err();
    assert!(
        matches!(api_error(error), GetUserError::BadRequest(body) if body.details[0].location == "path")
    );
    let error = client
        .update_user(
            999_999,
            &UserUpdate {
                name: None,
                email: None,
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(api_error(error), UpdateUserError::NotFound(_)));
    let error = client.delete_user(999_999).await.unwrap_err();
    assert!(matches!(api_error(error), DeleteUserError::NotFound(_)));
    let error = client.get_charge(MISSING_CHARGE).await.unwrap_err();
    assert!(
        matches!(api_error(error), GetChargeError::NotFound(body) if body.code == "CHARGE_NOT_FOUND")
    );

    // Charges: a decline is a 402, an unknown customer a 404, a bad amount a 400.
    let declined = ChargeCreate {
        source: "tok_chargeDeclined".to_string(),
        ..new_charge(500)
    };
    let error = client.create_charge(&declined).await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(402));
    assert!(
        matches!(api_error(error), CreateChargeError::PaymentRequired(body) if body.code == "CARD_DECLINED")
    );
    let stranger = ChargeCreate {
        customer_id: Some(999_999),
        ..new_charge(500)
    };
    let error = client.create_charge(&stranger).await.unwrap_err();
    assert!(matches!(api_error(error), CreateChargeError::NotFound(_)));
    let error = client.create_charge(&new_charge(1)).await.unwrap_err();
    assert!(
        matches!(api_error(error), CreateChargeError::BadRequest(body) if body.details[0].field == "amount")
    );

    // Refunds: more than remains is a 400; an unknown charge a 404.
    let charge = client.create_charge(&new_charge(500)).await.unwrap().data;
    let too_much = RefundCreate {
        amount: Some(501),
        reason: None,
    };
    let error = client
        .create_refund(&charge.id, &too_much)
        .await
        .unwrap_err();
    assert!(matches!(api_error(error), CreateRefundError::BadRequest(_)));
    let error = client
        .create_refund(MISSING_CHARGE, &too_much)
        .await
        .unwrap_err();
    assert!(matches!(api_error(error), CreateRefundError::NotFound(_)));

    // A cursor the server did not issue.
    let error = client
        .list_charges(ListChargesOptions {
            cursor: Some("forged".to_string()),
            ..ListChargesOptions::default()
        })
        .await
        .unwrap_err();
    assert!(
        matches!(api_error(error), ListChargesError::BadRequest(body) if body.code == "INVALID_CURSOR")
    );

    // The generated layer's own errors: a reused key with another body (422)
    // and a body over the size limit (413).
    let keyed = client.with_options(RequestOptions::default().idempotency_key("order-1"));
    keyed.create_charge(&new_charge(700)).await.unwrap();
    let error = keyed.create_charge(&new_charge(800)).await.unwrap_err();
    assert!(
        matches!(api_error(error), CreateChargeError::UnprocessableEntity(body) if body.code == "IDEMPOTENCY_KEY_REUSED")
    );
    let huge = UserCreate {
        name: "x".repeat(2 << 20),
        ..new_user("Huge")
    };
    let error = client.create_user(&huge).await.unwrap_err();
    assert!(
        matches!(api_error(error), CreateUserError::PayloadTooLarge(body) if body.code == "PAYLOAD_TOO_LARGE")
    );
    let _ = ada;
}

#[tokio::test]
async fn rate_limits_reach_the_caller_typed_with_retry_after() {
    let base = start("default=100000/60,burst=1/60").await;
    let client =
        client(&base, KEY_A).with_options(RequestOptions::default().retry(RetryPolicy::none()));
    client.create_charge(&new_charge(500)).await.unwrap();
    let error = client.create_charge(&new_charge(500)).await.unwrap_err();
    let retry_after = error.body().and_then(|body| body.retry_after);
    assert!(matches!(retry_after, Some(1..=60)), "{retry_after:?}");
    assert!(matches!(
        api_error(error),
        CreateChargeError::TooManyRequests(body) if body.code == "RATE_LIMIT_EXCEEDED"
    ));
}

#[tokio::test]
async fn tenants_do_not_see_each_other() {
    let base = start("default=100000/60,burst=100000/1").await;
    let a = client(&base, KEY_A);
    let b = client(&base, KEY_B);
    let user = a.create_user(&new_user("Alan")).await.unwrap().data;
    let charge = a.create_charge(&new_charge(900)).await.unwrap().data;
    assert!(matches!(
        api_error(b.get_user(user.id).await.unwrap_err()),
        GetUserError::NotFound(_)
    ));
    assert!(matches!(
        api_error(b.get_charge(&charge.id).await.unwrap_err()),
        GetChargeError::NotFound(_)
    ));
    assert!(b
        .list_users_all(ListUsersOptions::default())
        .await
        .unwrap()
        .is_empty());
    assert!(b
        .list_charges_all(ListChargesOptions::default())
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn streams_walk_every_page_and_never_past_the_end() {
    let app = start("default=100000/60,burst=100000/1").await;
    let (base, log) = proxy(app, false).await;
    let client = client(&base, KEY_WALK);
    let lists = |path: &str| {
        log.lock()
            .unwrap()
            .iter()
            .filter(|line| line.starts_with(path))
            .count()
    };
    let mut names = BTreeSet::new();
    for index in 0..7 {
        let name = format!("Walker{index}");
        client.create_user(&new_user(&name)).await.unwrap();
        names.insert(name);
    }

    // Pages of 3: 3 + 3 + 1, three requests, the short page ends the walk.
    let options = ListUsersOptions {
        per_page: Some(3),
        ..ListUsersOptions::default()
    };
    let users: Vec<_> = client
        .list_users_stream(options.clone())
        .try_collect()
        .await
        .unwrap();
    let seen: BTreeSet<String> = users.iter().map(|u| u.name.clone()).collect();
    assert_eq!(users.len(), 7);
    assert_eq!(seen, names);
    assert_eq!(lists("GET /v1/users"), 3);

    // Pages of 7 hold all: one request, `total_pages` ends the walk.
    let everyone = client
        .list_users_all(ListUsersOptions {
            per_page: Some(7),
            ..options.clone()
        })
        .await
        .unwrap();
    assert_eq!(everyone.len(), 7);
    assert_eq!(lists("GET /v1/users"), 3 + 1);

    // Cursor pages of 2 over 6 charges: 2 + 2 + 2, and no empty fourth page.
    let mut ids = BTreeSet::new();
    for amount in 0..6 {
        ids.insert(
            client
                .create_charge(&new_charge(100 + amount))
                .await
                .unwrap()
                .data
                .id,
        );
    }
    let mut stream = std::pin::pin!(client.list_charges_stream(ListChargesOptions {
        limit: Some(2),
        ..ListChargesOptions::default()
    }));
    let mut walked = Vec::new();
    while let Some(charge) = stream.try_next().await.unwrap() {
        walked.push(charge.id);
    }
    assert_eq!(walked.len(), 6);
    assert_eq!(walked.iter().cloned().collect::<BTreeSet<_>>(), ids);
    assert_eq!(lists("GET /v1/charges"), 3);

    // A walk stops at its first error, and yields it.
    let forged = client.list_charges_stream(ListChargesOptions {
        cursor: Some("forged".to_string()),
        ..ListChargesOptions::default()
    });
    let result: Result<Vec<_>, _> = forged.try_collect().await;
    assert_eq!(result.unwrap_err().code(), Some("INVALID_CURSOR"));
}

/// `METHOD /path?query` of every request a proxy forwarded.
type Log = Arc<Mutex<Vec<String>>>;

/// Forwards every request to the app and logs it. With `stall`, it holds
/// the answer to the first `POST /v1/charges` past the client's timeout:
/// the charge is made, the client never hears of it.
async fn proxy(upstream: String, stall: bool) -> (String, Log) {
    #[derive(Clone)]
    struct Proxy {
        upstream: String,
        http: reqwest::Client,
        stall: bool,
        charges: Arc<AtomicUsize>,
        log: Log,
    }
    async fn forward(State(proxy): State<Proxy>, request: Request) -> AxumResponse {
        let (parts, body) = request.into_parts();
        proxy
            .log
            .lock()
            .unwrap()
            .push(format!("{} {}", parts.method, parts.uri));
        let body = axum::body::to_bytes(body, usize::MAX).await.unwrap();
        let url = format!("{}{}", proxy.upstream, parts.uri);
        let mut headers = parts.headers.clone();
        headers.remove("host");
        let answer = proxy
            .http
            .request(parts.method.clone(), url)
            .headers(headers)
            .body(body)
            .send()
            .await
            .unwrap();
        let is_charge = parts.method == "POST" && parts.uri.path() == "/v1/charges";
        if proxy.stall && is_charge && proxy.charges.fetch_add(1, Ordering::SeqCst) == 0 {
            tokio::time::sleep(Duration::from_millis(1500)).await;
        }
        let mut response = AxumResponse::builder().status(answer.status());
        for (name, value) in answer.headers() {
            response = response.header(name, value);
        }
        response
            .body(AxumBody::from(answer.bytes().await.unwrap()))
            .unwrap()
    }
    let log = Log::default();
    let proxy = Proxy {
        upstream,
        http: reqwest::Client::new(),
        stall,
        charges: Arc::new(AtomicUsize::new(0)),
        log: log.clone(),
    };
    let app = axum::Router::new().fallback(forward).with_state(proxy);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{address}"), log)
}

/// The seed's story: the first attempt times out after the server made the
/// charge; the retry, with the same key, gets the stored response as an
/// ordinary success; exactly one charge exists.
#[tokio::test]
async fn a_timed_out_charge_is_retried_into_its_replay_and_made_once() {
    let app = start("default=100000/60,burst=100000/1").await;
    let (proxy, log) = proxy(app.clone(), true).await;
    let client = Client::builder()
        .base_url(&proxy)
        .api_key_auth(KEY_A)
        .timeout(Duration::from_millis(500))
        .retry_policy(RetryPolicy {
            initial_backoff: Duration::from_millis(10),
            ..RetryPolicy::default()
        })
        .build()
        .unwrap();

    let charge = client.create_charge(&new_charge(4200)).await.unwrap();
    assert_eq!(charge.meta.attempts, 2, "the first attempt timed out");
    assert!(charge.meta.replayed, "the retry got the stored response");
    assert_eq!(charge.meta.status, 201);
    assert_eq!(charge.amount, 4200);
    assert_eq!(
        log.lock()
            .unwrap()
            .iter()
            .filter(|l| l.as_str() == "POST /v1/charges")
            .count(),
        2
    );

    let direct = self::client(&app, KEY_A);
    let charges = direct
        .list_charges_all(ListChargesOptions::default())
        .await
        .unwrap();
    assert_eq!(charges.len(), 1, "exactly one charge was made");
    assert_eq!(charges[0].id, charge.id);
}

#[tokio::test]
async fn builder_refuses_values_that_are_not_http() {
    let error = Client::builder()
        .api_key_auth("line\nbreak")
        .build()
        .unwrap_err();
    assert!(error.to_string().contains("X-API-Key") || error.to_string().contains("x-api-key"));
    assert_eq!(payments_client::DEFAULT_BASE_URL, "https://api.example.com");
    assert_eq!(
        Client::builder().build().unwrap().base_url(),
        "https://api.example.com"
    );
}
