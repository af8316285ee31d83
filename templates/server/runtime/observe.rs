//! What the access log says of each request: which operation it was for,
//! who asked, and how it ended. The guard writes one event per request
//! with the target [`ACCESS_LOG`] (`<crate>::access`), at `INFO`. Also the
//! table of the router's routes, built-in ones included, and where those
//! are mounted.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::MatchedPath;
use axum::http::{HeaderName, Method, StatusCode};
use axum::response::Response;
use axum::Router;
use tracing::Span;

use crate::runtime::context::Identity;
use crate::types::operations::ALL;

/// The target of the access log and its request spans: enable it with
/// `RUST_LOG=<crate>::access=info`.
pub const ACCESS_LOG: &str = concat!(env!("CARGO_CRATE_NAME"), "::access");

/// Marks a replayed idempotent response; the idempotency layer sets it.
pub(crate) static IDEMPOTENCY_REPLAY: HeaderName = HeaderName::from_static("idempotency-replay");
static RATE_LIMIT: HeaderName = HeaderName::from_static("ratelimit");

/// One route and method the router serves, and the operation behind it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RouteOperation {
    /// The route template, as axum's [`MatchedPath`] has it.
    pub route: &'static str,
    pub method: &'static str,
    /// The spec's `operationId`, or the name of a route the router adds
    /// itself (`openapi_document`, `metrics`, `docs`).
    pub operation: &'static str,
}

impl RouteOperation {
    pub const fn new(route: &'static str, method: &'static str, operation: &'static str) -> Self {
        RouteOperation {
            route,
            method,
            operation,
        }
    }
}

/// The operations of a router, sorted by route and then method so that a
/// request's is found by binary search. Built once per router, from the
/// types crate's catalog of the spec's operations.
#[derive(Debug, Clone)]
pub struct Operations {
    table: Arc<[RouteOperation]>,
    /// Where the built-in routes are mounted (`""`: at the root).
    builtins_prefix: Arc<str>,
}

impl Operations {
    /// The spec's operations (`types::operations::ALL`) and `builtin`, the
    /// routes the router adds itself, mounted under `builtins_prefix`.
    pub fn new(builtin: &[RouteOperation], builtins_prefix: &str) -> Self {
        let mut table: Vec<RouteOperation> = ALL
            .iter()
            .map(|operation| RouteOperation::new(operation.path, operation.method, operation.id))
            .chain(builtin.iter().copied())
            .collect();
        table.sort_by(|a, b| (a.route, a.method).cmp(&(b.route, b.method)));
        Operations {
            table: table.into(),
            builtins_prefix: builtins_prefix.into(),
        }
    }

    pub fn table(&self) -> &[RouteOperation] {
        &self.table
    }

    /// The index in [`table`](Self::table) of the operation a request was
    /// routed to; `None` for the router's 404 and 405 answers. `HEAD` is
    /// its route's `GET` unless the spec has it.
    pub fn find(&self, route: Option<&MatchedPath>, method: &Method) -> Option<usize> {
        let route = route?.as_str();
        self.find_route(route, method).or_else(|| {
            // A built-in route mounted under its prefix.
            let prefix = &*self.builtins_prefix;
            let inner = route.strip_prefix(prefix).filter(|_| !prefix.is_empty())?;
            self.find_route(inner, method)
        })
    }

    fn find_route(&self, route: &str, method: &Method) -> Option<usize> {
        let find = |method: &str| {
            self.table
                .binary_search_by(|entry| (entry.route, entry.method).cmp(&(route, method)))
                .ok()
        };
        find(method.as_str()).or_else(|| match *method == Method::HEAD {
            true => find(Method::GET.as_str()),
            false => None,
        })
    }
}

/// `router` with `builtins`, the routes the router adds itself, at the
/// root or nested under `prefix` (`/v2`).
pub fn mount_builtins<S>(router: Router<S>, builtins: Router<S>, prefix: &str) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    match prefix {
        "" | "/" => router.merge(builtins),
        prefix => router.nest(prefix, builtins),
    }
}

/// The request span of the guard: the request id and method now; route and
/// operation once routed; the principal once authenticated.
pub fn request_span(request_id: &str, method: &Method) -> Span {
    tracing::info_span!(
        target: ACCESS_LOG,
        "request",
        request_id,
        method = method.as_str(),
        route = tracing::field::Empty,
        operation = tracing::field::Empty,
        principal = tracing::field::Empty,
    )
}

/// Records on the current request span whom the request is from: the
/// principal's identity, never its credentials. Costs nothing when the
/// access log is off.
pub fn record_principal<P: Identity>(principal: &P) {
    let span = Span::current();
    if !span.is_disabled() {
        span.record("principal", &*principal.identity());
    }
}

/// The access-log event, written within the request's span.
pub fn log_response(response: &Response, latency: Duration) {
    let headers = response.headers();
    let status = response.status();
    let rate_limit = if status == StatusCode::TOO_MANY_REQUESTS {
        Some("refused")
    } else if headers.contains_key(&RATE_LIMIT) {
        Some("allowed")
    } else {
        None
    };
    tracing::info!(
        target: ACCESS_LOG,
        status = status.as_u16(),
        // Whole microseconds: `0.187`, not `0.18729900000000002`.
        latency_ms = latency.as_micros() as f64 / 1000.0,
        replayed = headers.contains_key(&IDEMPOTENCY_REPLAY),
        rate_limit,
        "request answered"
    );
}
