//! The outer guard of every request: the request id, a time limit, caught
//! panics, the envelope for the router's own 404 and 405 answers, the access
//! log and the request metrics.
//!
//! A hand-written tower service, not `middleware::from_fn`: it runs on every
//! request, and a concrete future spares the boxed future, the boxed inner
//! service and the clones that `from_fn` costs per call.

use std::convert::Infallible;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request};
use axum::http::header::ALLOW;
use axum::http::StatusCode;
use axum::response::Response;
use futures_util::future::CatchUnwind;
use futures_util::FutureExt;
use pin_project_lite::pin_project;
use tokio::time::Timeout;
use tower_layer::Layer;
use tower_service::Service;
use tracing::instrument::Instrumented;
use tracing::Instrument;

use crate::runtime::envelope;
use crate::runtime::error::ApiError;
use crate::runtime::metrics::RequestMetrics;
use crate::runtime::observe::{self, Operations};
use crate::runtime::request_id::{self, RequestId, X_REQUEST_ID};

/// Wraps each route in a [`Guard`]; the router applies it outermost.
#[derive(Debug, Clone)]
pub struct GuardLayer {
    timeout: Duration,
    operations: Operations,
    metrics: Option<Arc<RequestMetrics>>,
}

impl GuardLayer {
    /// A guard that answers `503 REQUEST_TIMEOUT` when a request runs past
    /// `timeout`, and names in the access log the operation `operations`
    /// has for the request's route and method.
    pub fn new(timeout: Duration, operations: Operations) -> Self {
        GuardLayer {
            timeout,
            operations,
            metrics: None,
        }
    }

    /// Also counts each request in `metrics`.
    pub fn with_metrics(mut self, metrics: Option<RequestMetrics>) -> Self {
        self.metrics = metrics.map(Arc::new);
        self
    }
}

impl<S> Layer<S> for GuardLayer {
    type Service = Guard<S>;

    fn layer(&self, inner: S) -> Guard<S> {
        Guard {
            inner,
            timeout: self.timeout,
            operations: self.operations.clone(),
            metrics: self.metrics.clone(),
        }
    }
}

/// The guard around one route: see the module's documentation.
#[derive(Debug, Clone)]
pub struct Guard<S> {
    inner: S,
    timeout: Duration,
    operations: Operations,
    metrics: Option<Arc<RequestMetrics>>,
}

impl<S> Service<Request> for Guard<S>
where
    S: Service<Request, Response = Response, Error = Infallible>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = GuardFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request) -> Self::Future {
        let request_id = RequestId::read_or_make(request.headers());
        request.extensions_mut().insert(request_id.clone());
        let span = observe::request_span(&request_id, request.method());
        // Observed: logged or counted. Otherwise nothing here costs a thing.
        let observed = !span.is_disabled() || self.metrics.is_some();
        let mut operation = None;
        if observed {
            let route = request.extensions().get::<MatchedPath>();
            operation = self.operations.find(route, request.method());
            if let Some(route) = route {
                span.record("route", route.as_str());
            }
            if let Some(index) = operation {
                span.record("operation", self.operations.table()[index].operation);
            }
        }
        let observer = observed.then(|| Observer {
            started: Instant::now(),
            operation,
            metrics: self.metrics.clone(),
        });
        let inner = span.in_scope(|| self.inner.call(request));
        GuardFuture {
            inner: AssertUnwindSafe(tokio::time::timeout(self.timeout, inner))
                .catch_unwind()
                .instrument(span),
            request_id,
            timeout: self.timeout,
            observer,
        }
    }
}

/// What the guard notes of a request it logs or counts.
struct Observer {
    started: Instant,
    /// Its index in the router's operations.
    operation: Option<usize>,
    metrics: Option<Arc<RequestMetrics>>,
}

pin_project! {
    /// The response of a guarded route, or the guard's own answer.
    pub struct GuardFuture<F> {
        #[pin]
        inner: Instrumented<CatchUnwind<AssertUnwindSafe<Timeout<F>>>>,
        request_id: RequestId,
        timeout: Duration,
        observer: Option<Observer>,
    }
}

impl<F> Future for GuardFuture<F>
where
    F: Future<Output = Result<Response, Infallible>>,
{
    type Output = Result<Response, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        let outcome = ready!(this.inner.as_mut().poll(cx));
        let request_id = &*this.request_id;
        let mut response = match outcome {
            Ok(Ok(Ok(response))) if response.status() == StatusCode::METHOD_NOT_ALLOWED => {
                // The router's own 405 has an `Allow` header and no body.
                let allow = response.headers().get(ALLOW).cloned();
                let error = match allow {
                    Some(allow) => ApiError::method_not_allowed(allow),
                    None => ApiError::new(
                        StatusCode::METHOD_NOT_ALLOWED,
                        "METHOD_NOT_ALLOWED",
                        "Method not allowed.",
                    ),
                };
                envelope::error(&error, request_id)
            }
            Ok(Ok(Ok(response))) => response,
            Ok(Ok(Err(infallible))) => match infallible {},
            Ok(Err(_elapsed)) => {
                let _span = this.inner.as_ref().get_ref().span().enter();
                tracing::warn!(timeout = ?this.timeout, "request timed out");
                envelope::error(&ApiError::timeout(), request_id)
            }
            Err(panic) => {
                let reason = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "a non-string panic payload".to_string());
                let _span = this.inner.as_ref().get_ref().span().enter();
                tracing::error!(%reason, "handler panicked");
                envelope::error(&ApiError::internal(), request_id)
            }
        };
        if let Some(value) = this.request_id.header_value() {
            response.headers_mut().insert(X_REQUEST_ID.clone(), value);
        }
        if let Some(observer) = this.observer.take() {
            let latency = observer.started.elapsed();
            if let Some(metrics) = &observer.metrics {
                metrics.record(observer.operation, response.status(), latency);
            }
            let span = this.inner.as_ref().get_ref().span();
            if !span.is_disabled() {
                let _span = span.enter();
                observe::log_response(&response, latency);
            }
        }
        Poll::Ready(Ok(response))
    }
}

/// Unknown routes: `404 NOT_FOUND` in the envelope.
pub async fn not_found(request: Request) -> Response {
    envelope::error(
        &ApiError::not_found(),
        &request_id::of(request.extensions()),
    )
}
