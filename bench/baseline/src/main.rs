//! The ceiling for the generated server: the flagship's hot routes written by
//! hand in axum, with the same JSON shapes and the same kind of in-memory
//! data (typed date-times included), and nothing else but API-key auth and
//! a request id. No validation, no rate limits, no idempotency keys: what the
//! generated app costs beyond this is the price of its layers.
//!
//! `BIND_ADDR` (default `127.0.0.1:8081`) and `PAYMENTS_API_KEYS`
//! (comma-separated, default `local-dev-key`) configure it, as they do the
//! flagship app. `scripts/bench-server.sh` runs both under load.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Clone, Serialize)]
struct User {
    id: i64,
    name: String,
    email: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

#[derive(Deserialize)]
struct UserCreate {
    name: String,
    email: String,
}

#[derive(Clone, Serialize)]
struct Charge {
    id: String,
    amount: i64,
    currency: String,
    status: &'static str,
    source: String,
    customer_id: Option<i64>,
    description: Option<String>,
    metadata: BTreeMap<String, String>,
    amount_refunded: i64,
    refunded: bool,
    created_at: DateTime<Utc>,
}

#[derive(Deserialize)]
struct ChargeCreate {
    amount: i64,
    currency: String,
    source: String,
    customer_id: Option<i64>,
    description: Option<String>,
    #[serde(default)]
    metadata: BTreeMap<String, String>,
}

#[derive(Deserialize)]
struct PageQuery {
    page: Option<u64>,
    per_page: Option<u64>,
}

/// `{"success": true, "data": ..., "pagination"?: ..., "meta": ...}`
#[derive(Serialize)]
struct Success<'a, T> {
    success: bool,
    data: T,
    #[serde(skip_serializing_if = "Option::is_none")]
    pagination: Option<Pagination>,
    meta: Meta<'a>,
}

#[derive(Serialize)]
struct Pagination {
    page: u64,
    per_page: u64,
    total: u64,
    total_pages: u64,
}

/// `{"success": false, "error": {"code", "message"}, "meta": ...}`
#[derive(Serialize)]
struct Failure<'a> {
    success: bool,
    error: ErrorBody<'a>,
    meta: Meta<'a>,
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    code: &'a str,
    message: &'a str,
}

#[derive(Serialize)]
struct Meta<'a> {
    request_id: &'a str,
    timestamp: DateTime<Utc>,
}

impl<'a> Meta<'a> {
    fn now(request_id: &'a str) -> Self {
        Meta {
            request_id,
            timestamp: Utc::now(),
        }
    }
}

#[derive(Default)]
struct Tenant {
    users: BTreeMap<i64, User>,
    next_user_id: i64,
    charges: Vec<Charge>,
}

struct App {
    keys: Vec<String>,
    tenants: Mutex<HashMap<String, Tenant>>,
}

impl App {
    fn tenant(&self) -> MutexGuard<'_, HashMap<String, Tenant>> {
        self.tenants
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The caller's API key, if it is one of ours, and the request id (the
/// client's `X-Request-ID`, else a new UUID).
fn caller(app: &App, headers: &HeaderMap) -> (Option<String>, String) {
    let key = headers
        .get("x-api-key")
        .and_then(|value| value.to_str().ok())
        .filter(|key| app.keys.iter().any(|known| known == key))
        .map(str::to_string);
    let request_id = headers
        .get("x-request-id")
        .and_then(|value| value.to_str().ok())
        .map(str::to_string)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    (key, request_id)
}

fn answer(status: StatusCode, request_id: &str, body: impl Serialize) -> Response {
    let mut response = (status, Json(body)).into_response();
    if let Ok(value) = HeaderValue::from_str(request_id) {
        response.headers_mut().insert("x-request-id", value);
    }
    response
}

fn success(status: StatusCode, request_id: &str, data: impl Serialize) -> Response {
    let body = Success {
        success: true,
        data,
        pagination: None,
        meta: Meta::now(request_id),
    };
    answer(status, request_id, body)
}

fn failure(status: StatusCode, request_id: &str, code: &str, message: &str) -> Response {
    let body = Failure {
        success: false,
        error: ErrorBody { code, message },
        meta: Meta::now(request_id),
    };
    answer(status, request_id, body)
}

fn unauthorized(request_id: &str) -> Response {
    failure(
        StatusCode::UNAUTHORIZED,
        request_id,
        "UNAUTHORIZED",
        "An API key is required.",
    )
}

async fn health(headers: HeaderMap, State(app): State<Arc<App>>) -> Response {
    let (_, request_id) = caller(&app, &headers);
    #[derive(Serialize)]
    struct Health {
        status: &'static str,
    }
    success(StatusCode::OK, &request_id, Health { status: "ok" })
}

async fn get_user(
    headers: HeaderMap,
    State(app): State<Arc<App>>,
    Path(user_id): Path<i64>,
) -> Response {
    let (key, request_id) = caller(&app, &headers);
    let Some(key) = key else {
        return unauthorized(&request_id);
    };
    let user = app
        .tenant()
        .get(&key)
        .and_then(|tenant| tenant.users.get(&user_id).cloned());
    match user {
        Some(user) => success(StatusCode::OK, &request_id, user),
        None => failure(
            StatusCode::NOT_FOUND,
            &request_id,
            "USER_NOT_FOUND",
            "No such user.",
        ),
    }
}

async fn list_users(
    headers: HeaderMap,
    State(app): State<Arc<App>>,
    Query(query): Query<PageQuery>,
) -> Response {
    let (key, request_id) = caller(&app, &headers);
    let Some(key) = key else {
        return unauthorized(&request_id);
    };
    let page = query.page.unwrap_or(1).max(1);
    let per_page = query.per_page.unwrap_or(20).clamp(1, 100);
    let (users, total): (Vec<User>, u64) = {
        let tenants = app.tenant();
        match tenants.get(&key) {
            Some(tenant) => (
                tenant
                    .users
                    .values()
                    .skip(((page - 1) * per_page) as usize)
                    .take(per_page as usize)
                    .cloned()
                    .collect(),
                tenant.users.len() as u64,
            ),
            None => (Vec::new(), 0),
        }
    };
    let body = Success {
        success: true,
        data: users,
        pagination: Some(Pagination {
            page,
            per_page,
            total,
            total_pages: total.div_ceil(per_page),
        }),
        meta: Meta::now(&request_id),
    };
    answer(StatusCode::OK, &request_id, body)
}

async fn create_user(
    headers: HeaderMap,
    State(app): State<Arc<App>>,
    Json(create): Json<UserCreate>,
) -> Response {
    let (key, request_id) = caller(&app, &headers);
    let Some(key) = key else {
        return unauthorized(&request_id);
    };
    let user = {
        let mut tenants = app.tenant();
        let tenant = tenants.entry(key).or_default();
        tenant.next_user_id += 1;
        let now = Utc::now();
        let user = User {
            id: tenant.next_user_id,
            name: create.name,
            email: create.email,
            created_at: now,
            updated_at: now,
        };
        tenant.users.insert(user.id, user.clone());
        user
    };
    let location = format!("/v1/users/{}", user.id);
    let mut response = success(StatusCode::CREATED, &request_id, user);
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert("location", value);
    }
    response
}

async fn create_charge(
    headers: HeaderMap,
    State(app): State<Arc<App>>,
    Json(create): Json<ChargeCreate>,
) -> Response {
    let (key, request_id) = caller(&app, &headers);
    let Some(key) = key else {
        return unauthorized(&request_id);
    };
    let hex = uuid::Uuid::new_v4().simple().to_string();
    let charge = Charge {
        id: format!("ch_{}", &hex[..24]),
        amount: create.amount,
        currency: create.currency,
        status: "succeeded",
        source: create.source,
        customer_id: create.customer_id,
        description: create.description,
        metadata: create.metadata,
        amount_refunded: 0,
        refunded: false,
        created_at: Utc::now(),
    };
    app.tenant()
        .entry(key)
        .or_default()
        .charges
        .push(charge.clone());
    success(StatusCode::CREATED, &request_id, charge)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let bind = std::env::var("BIND_ADDR").unwrap_or_else(|_| "127.0.0.1:8081".to_string());
    let keys = std::env::var("PAYMENTS_API_KEYS").unwrap_or_else(|_| "local-dev-key".to_string());
    let app = Arc::new(App {
        keys: keys
            .split(',')
            .map(|key| key.split(':').next().unwrap_or(key).to_string())
            .collect(),
        tenants: Mutex::default(),
    });
    let router = Router::new()
        .route("/health", get(health))
        .route("/v1/users", get(list_users).post(create_user))
        .route("/v1/users/{user_id}", get(get_user))
        .route("/v1/charges", axum::routing::post(create_charge))
        .with_state(app);
    let listener = tokio::net::TcpListener::bind(&bind).await?;
    println!("the baseline serves on {}", listener.local_addr()?);
    axum::serve(listener, router).await?;
    Ok(())
}
