//! Errors as the API reports them: a status, a stable code, a message and,
//! for validation failures, one detail per broken rule.

use std::borrow::Cow;

use axum::http::header::{HeaderName, HeaderValue};
use axum::http::{HeaderMap, StatusCode};
use serde::Serialize;

/// Where a failing request value was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Location {
    Body,
    Query,
    Path,
    Header,
    Cookie,
}

/// One broken rule: `{"field": "email", "location": "body", "message": "...", "code": "format"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorDetail {
    /// The path inside its location: `email`, `per_page`, `items[2].name`.
    pub field: String,
    pub location: Location,
    pub message: String,
    /// The rule: `required`, `type`, `format`, `min_length`, `maximum`, ...
    pub code: Cow<'static, str>,
}

/// An error response: rendered as the error envelope with its status.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    /// Stable and UPPER_SNAKE_CASE, for programs: `USER_NOT_FOUND`.
    pub code: Cow<'static, str>,
    /// For people; never internals.
    pub message: String,
    pub details: Vec<ErrorDetail>,
    /// Seconds until a retry may succeed (rate limits).
    pub retry_after: Option<u64>,
    /// Extra response headers, such as `Allow` or `WWW-Authenticate`.
    pub headers: HeaderMap,
}

impl ApiError {
    pub fn new(
        status: StatusCode,
        code: impl Into<Cow<'static, str>>,
        message: impl Into<String>,
    ) -> Self {
        ApiError {
            status,
            code: code.into(),
            message: message.into(),
            details: Vec::new(),
            retry_after: None,
            headers: HeaderMap::new(),
        }
    }

    pub fn with_header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.insert(name, value);
        self
    }

    /// `400 VALIDATION_ERROR` listing every failure.
    pub fn validation(details: Vec<ErrorDetail>) -> Self {
        let count = details.len();
        let message = if count == 1 {
            "The request has 1 invalid value.".to_string()
        } else {
            format!("The request has {count} invalid values.")
        };
        ApiError {
            details,
            ..ApiError::new(StatusCode::BAD_REQUEST, "VALIDATION_ERROR", message)
        }
    }

    /// `400 VALIDATION_ERROR` for a path whose parameters do not decode.
    pub fn invalid_path() -> Self {
        ApiError::validation(vec![ErrorDetail {
            field: String::new(),
            location: Location::Path,
            message: "is not valid UTF-8 once percent-decoded".to_string(),
            code: "type".into(),
        }])
    }

    /// `400 INVALID_JSON`: the body is not JSON, or not the JSON value required.
    pub fn invalid_json(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, "INVALID_JSON", message)
    }

    pub fn unsupported_media_type() -> Self {
        ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
            "The body must be sent as application/json.",
        )
    }

    pub fn payload_too_large(limit: usize) -> Self {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "PAYLOAD_TOO_LARGE",
            format!("The body is larger than the limit of {limit} bytes."),
        )
    }

    pub fn not_found() -> Self {
        ApiError::new(StatusCode::NOT_FOUND, "NOT_FOUND", "No such route.")
    }

    pub fn method_not_allowed(allow: HeaderValue) -> Self {
        ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "METHOD_NOT_ALLOWED",
            "This route does not support the method.",
        )
        .with_header(axum::http::header::ALLOW, allow)
    }

    /// `401 UNAUTHORIZED` with a `WWW-Authenticate` challenge naming the scheme.
    pub fn unauthorized(challenge: &'static str) -> Self {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "UNAUTHORIZED",
            "Missing or invalid credentials.",
        )
        .with_header(
            axum::http::header::WWW_AUTHENTICATE,
            HeaderValue::from_static(challenge),
        )
    }

    pub fn invalid_cursor() -> Self {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "INVALID_CURSOR",
            "The cursor was not issued by this server.",
        )
    }

    /// `500 INTERNAL_ERROR`; what went wrong is logged, not sent.
    pub fn internal() -> Self {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "INTERNAL_ERROR",
            "Something went wrong on our side.",
        )
    }

    /// `503 REQUEST_TIMEOUT`: the handler did not answer in time.
    pub fn timeout() -> Self {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "REQUEST_TIMEOUT",
            "The request took too long; try again.",
        )
    }
}

/// What an `Api` method returns: one of the operation's declared
/// responses, or a [`HandlerError`].
pub type HandlerResult<T> = Result<T, HandlerError>;

/// What a handler returns when it cannot produce a declared response: the
/// client gets `500 INTERNAL_ERROR` and the log gets this, with the request id.
#[derive(Debug)]
pub struct HandlerError(Box<dyn std::error::Error + Send + Sync>);

impl HandlerError {
    pub fn new(error: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        HandlerError(error.into())
    }

    /// The error of an operation not written yet (`operation` is its
    /// `operationId`): answered `501 NOT_IMPLEMENTED` in the envelope
    /// rather than `500`. `specforge init` writes handlers that return it.
    pub fn not_implemented(operation: &'static str) -> Self {
        HandlerError(Box::new(NotImplemented(operation)))
    }

    /// The error it holds, if it is an `E`.
    pub fn downcast_ref<E: std::error::Error + 'static>(&self) -> Option<&E> {
        self.0.downcast_ref()
    }
}

impl std::fmt::Display for HandlerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl<E: std::error::Error + Send + Sync + 'static> From<E> for HandlerError {
    fn from(error: E) -> Self {
        HandlerError(Box::new(error))
    }
}

/// An operation without a handler yet, named by its `operationId`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotImplemented(pub &'static str);

impl std::fmt::Display for NotImplemented {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the operation `{}` is not implemented yet", self.0)
    }
}

impl std::error::Error for NotImplemented {}
