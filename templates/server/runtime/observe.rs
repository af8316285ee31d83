//! What the access log says of each request: which operation it was for,
//! who asked, and how it ended. The guard writes one event per request
//! with the target [`ACCESS_LOG`] (`<crate>::access`), at `INFO`.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::MatchedPath;
use axum::http::{HeaderName, Method, StatusCode};
use axum::response::Response;
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
pub struct Operations(Arc<[RouteOperation]>);

impl Operations {
    /// The spec's operations (`types::operations::ALL`) and `builtin`, the
    /// routes the router adds itself.
    pub fn new(builtin: &[RouteOperation]) -> Self {
        let mut table: Vec<RouteOperation> = ALL
            .iter()
            .map(|operation| RouteOperation::new(operation.path, operation.method, operation.id))
            .chain(builtin.iter().copied())
            .collect();
        table.sort_by(|a, b| (a.route, a.method).cmp(&(b.route, b.method)));
        Operations(table.into())
    }

    pub fn table(&self) -> &[RouteOperation] {
        &self.0
    }

    /// The index in [`table`](Self::table) of the operation a request was
    /// routed to; `None` for the router's 404 and 405 answers. `HEAD` is
    /// its route's `GET` unless the spec has it.
    pub fn find(&self, route: Option<&MatchedPath>, method: &Method) -> Option<usize> {
        let route = route?.as_str();
        let find = |method: &str| {
            self.0
                .binary_search_by(|entry| (entry.route, entry.method).cmp(&(route, method)))
                .ok()
        };
        find(method.as_str()).or_else(|| match *method == Method::HEAD {
            true => find(Method::GET.as_str()),
            false => None,
        })
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
