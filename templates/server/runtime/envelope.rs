//! The response envelope: `{"success", "data", "pagination"?, "meta"}` for
//! success and `{"success": false, "error", "meta"}` for errors.

use axum::http::header::{HeaderValue, CONTENT_TYPE, RETRY_AFTER};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::runtime::error::{ApiError, ErrorDetail, HandlerError};

/// `meta` of every envelope.
#[derive(Debug, Clone, Serialize)]
pub struct Meta {
    pub request_id: String,
    /// When the response was made, RFC 3339 in UTC.
    pub timestamp: String,
}

impl Meta {
    pub fn now(request_id: &str) -> Self {
        Meta {
            request_id: request_id.to_string(),
            timestamp: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        }
    }
}

#[derive(Serialize)]
struct Success<'a, T, P> {
    success: bool,
    data: &'a T,
    #[serde(skip_serializing_if = "Option::is_none")]
    pagination: Option<&'a P>,
    meta: Meta,
}

#[derive(Serialize)]
struct Failure<'a> {
    success: bool,
    error: ErrorBody<'a>,
    meta: Meta,
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    code: &'a str,
    message: &'a str,
    details: &'a [ErrorDetail],
    #[serde(skip_serializing_if = "Option::is_none")]
    retry_after: Option<u64>,
}

/// `page` pagination: what the list envelope reports for a page.
#[derive(Debug, Clone, Serialize)]
pub struct PagePagination {
    pub page: u64,
    pub per_page: u64,
    pub total: u64,
    pub total_pages: u64,
}

impl PagePagination {
    pub fn new(page: u64, per_page: u64, total: u64) -> Self {
        PagePagination {
            page,
            per_page,
            total,
            total_pages: total.div_ceil(per_page.max(1)),
        }
    }
}

/// `cursor` pagination: what the list envelope reports for a page.
#[derive(Debug, Clone, Serialize)]
pub struct CursorPagination {
    pub limit: u64,
    pub has_more: bool,
    pub next_cursor: Option<String>,
}

/// A JSON response with the given status.
pub fn json<T: Serialize>(status: StatusCode, body: &T) -> Response {
    match serde_json::to_vec(body) {
        Ok(bytes) => (
            status,
            [(CONTENT_TYPE, HeaderValue::from_static("application/json"))],
            bytes,
        )
            .into_response(),
        Err(error) => {
            tracing::error!(%error, "a response body could not be serialized");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// `{"success": true, "data": ..., "meta": ...}`.
pub fn success<T: Serialize>(status: StatusCode, data: &T, request_id: &str) -> Response {
    json(
        status,
        &Success::<T, ()> {
            success: true,
            data,
            pagination: None,
            meta: Meta::now(request_id),
        },
    )
}

/// `{"success": true, "data": [...], "pagination": ..., "meta": ...}`.
pub fn list<T: Serialize, P: Serialize>(
    status: StatusCode,
    data: &T,
    pagination: &P,
    request_id: &str,
) -> Response {
    json(
        status,
        &Success {
            success: true,
            data,
            pagination: Some(pagination),
            meta: Meta::now(request_id),
        },
    )
}

/// `{"success": false, "error": <error>, "meta": ...}` for an error response a
/// handler declared (its `error` is the spec's error schema).
pub fn failure<E: Serialize>(status: StatusCode, error: &E, request_id: &str) -> Response {
    #[derive(Serialize)]
    struct Declared<'a, E> {
        success: bool,
        error: &'a E,
        meta: Meta,
    }
    json(
        status,
        &Declared {
            success: false,
            error,
            meta: Meta::now(request_id),
        },
    )
}

/// The error envelope, with the error's status and headers.
pub fn error(error: &ApiError, request_id: &str) -> Response {
    let body = Failure {
        success: false,
        error: ErrorBody {
            code: &error.code,
            message: &error.message,
            details: &error.details,
            retry_after: error.retry_after,
        },
        meta: Meta::now(request_id),
    };
    let mut response = json(error.status, &body);
    response.headers_mut().extend(error.headers.clone());
    if let Some(seconds) = error.retry_after {
        response
            .headers_mut()
            .insert(RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}

/// The `500` for a handler that returned an error, which is logged: its
/// text may hold details the client must not see.
pub fn handler_failed(error: &HandlerError, request_id: &str) -> Response {
    tracing::error!("the handler failed: {error}");
    self::error(&ApiError::internal(), request_id)
}
