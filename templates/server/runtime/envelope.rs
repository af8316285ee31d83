//! The response envelope: `{"success", "data", "pagination"?, "meta"}` for
//! success and `{"success": false, "error", "meta"}` for errors.

use axum::body::Body;
use axum::http::header::{HeaderValue, CONTENT_TYPE, RETRY_AFTER};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::runtime::error::{ApiError, ErrorDetail, HandlerError, NotImplemented};

/// `meta` of every envelope.
#[derive(Debug, Clone, Serialize)]
pub struct Meta<'a> {
    pub request_id: &'a str,
    /// When the response was made, RFC 3339 in UTC to the millisecond.
    pub timestamp: Timestamp,
}

impl<'a> Meta<'a> {
    pub fn now(request_id: &'a str) -> Self {
        Meta {
            request_id,
            timestamp: Timestamp(chrono::Utc::now()),
        }
    }
}

/// A moment written as `2026-12-02T21:20:00.123Z`, digit by digit: every
/// response carries one, and chrono's formatting machinery costs more than
/// the rest of a small envelope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timestamp(pub chrono::DateTime<chrono::Utc>);

impl Timestamp {
    /// The text, in a buffer on the stack.
    pub fn text(&self) -> [u8; 24] {
        use chrono::{Datelike, Timelike};
        // One conversion to the calendar: each of chrono's accessors on a
        // `DateTime` converts again.
        let moment = self.0.naive_utc();
        let (date, time) = (moment.date(), moment.time());
        let mut text = *b"0000-00-00T00:00:00.000Z";
        let mut put = |at: usize, width: usize, mut value: u32| {
            for index in (at..at + width).rev() {
                text[index] = b'0' + (value % 10) as u8;
                value /= 10;
            }
        };
        put(0, 4, date.year().clamp(0, 9999) as u32);
        put(5, 2, date.month());
        put(8, 2, date.day());
        put(11, 2, time.hour());
        put(14, 2, time.minute());
        put(17, 2, time.second());
        // A leap second's fraction runs past 999.
        put(20, 3, (time.nanosecond() / 1_000_000).min(999));
        text
    }
}

impl Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let text = self.text();
        serializer.serialize_str(std::str::from_utf8(&text).unwrap_or_default())
    }
}

#[derive(Serialize)]
struct Success<'a, T, P> {
    success: bool,
    data: &'a T,
    #[serde(skip_serializing_if = "Option::is_none")]
    pagination: Option<&'a P>,
    meta: Meta<'a>,
}

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

/// An operation's response value, as HTTP. (Paginated lists take their
/// page or cursor too, so theirs is a method of their own.)
pub trait IntoHttp {
    /// The HTTP response for this value; `request_id` goes in the envelope.
    fn into_http(self, request_id: &str) -> Response;
}

/// A JSON response with the given status.
pub fn json<T: Serialize>(status: StatusCode, body: &T) -> Response {
    // Most envelopes fit: one allocation rather than a series of doublings.
    let mut bytes = Vec::with_capacity(512);
    match serde_json::to_writer(&mut bytes, body) {
        Ok(()) => {
            let mut response = Response::new(Body::from(bytes));
            *response.status_mut() = status;
            let headers = response.headers_mut();
            // Room for what the layers add (rate limits, request id, length):
            // the map is allocated once, not regrown on the way out.
            headers.reserve(12);
            headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            response
        }
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
        meta: Meta<'a>,
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
/// text may hold details the client must not see. An operation not
/// implemented yet is `501 NOT_IMPLEMENTED` instead.
pub fn handler_failed(error: &HandlerError, request_id: &str) -> Response {
    if let Some(NotImplemented(operation)) = error.downcast_ref() {
        let error = ApiError::new(
            StatusCode::NOT_IMPLEMENTED,
            "NOT_IMPLEMENTED",
            format!("The operation `{operation}` is not implemented yet."),
        );
        return self::error(&error, request_id);
    }
    tracing::error!("the handler failed: {error}");
    self::error(&ApiError::internal(), request_id)
}

#[cfg(test)]
mod tests {
    use super::Timestamp;

    #[test]
    fn timestamps_are_written_as_chrono_writes_them() {
        for text in [
            "2026-12-02T21:20:00.123Z",
            "0999-01-05T03:04:05.000Z",
            "2024-02-29T23:59:59.999Z",
        ] {
            let moment: chrono::DateTime<chrono::Utc> = text.parse().unwrap();
            assert_eq!(
                moment.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                text
            );
            assert_eq!(
                std::str::from_utf8(&Timestamp(moment).text()).unwrap(),
                text
            );
        }
    }
}
