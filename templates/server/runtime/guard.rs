//! The outer guard of every request: a time limit, caught panics, and the
//! envelope for the router's own 404 and 405 answers.

use std::panic::AssertUnwindSafe;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::header::ALLOW;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;
use futures_util::FutureExt;

use crate::runtime::envelope;
use crate::runtime::error::ApiError;
use crate::runtime::request_id;

pub async fn layer(State(timeout): State<Duration>, request: Request, next: Next) -> Response {
    let request_id = request_id::of(request.extensions());
    let outcome = AssertUnwindSafe(tokio::time::timeout(timeout, next.run(request)))
        .catch_unwind()
        .await;
    match outcome {
        Ok(Ok(response)) if response.status() == StatusCode::METHOD_NOT_ALLOWED => {
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
            envelope::error(&error, &request_id)
        }
        Ok(Ok(response)) => response,
        Ok(Err(_elapsed)) => {
            tracing::warn!(?timeout, "request timed out");
            envelope::error(&ApiError::timeout(), &request_id)
        }
        Err(panic) => {
            let reason = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a non-string panic payload".to_string());
            tracing::error!(%reason, "handler panicked");
            envelope::error(&ApiError::internal(), &request_id)
        }
    }
}

/// Unknown routes: `404 NOT_FOUND` in the envelope.
pub async fn not_found(request: Request) -> Response {
    envelope::error(
        &ApiError::not_found(),
        &request_id::of(request.extensions()),
    )
}
