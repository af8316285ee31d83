//! The `Idempotency-Key` header: one value, bare or as a structured-field
//! string (`"abc"`), printable, at most 255 characters.

use axum::http::header::HeaderName;
use axum::http::{HeaderMap, StatusCode};

use crate::runtime::error::ApiError;

static IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");

/// The longest key accepted.
pub const MAX_KEY_LENGTH: usize = 255;

/// Reads `Idempotency-Key`: bare or as a structured-field string (`"abc"`).
pub fn read_key(headers: &HeaderMap) -> Result<Option<String>, Box<ApiError>> {
    let mut values = headers.get_all(&IDEMPOTENCY_KEY).iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(invalid_key("Send one Idempotency-Key header, not several."));
    }
    let text = value
        .to_str()
        .map_err(|_| invalid_key("The Idempotency-Key must be printable ASCII."))?;
    let key = match text.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
        Some(quoted) => quoted.replace("\\\"", "\"").replace("\\\\", "\\"),
        None => text.to_string(),
    };
    if key.is_empty() {
        return Err(invalid_key("The Idempotency-Key must not be empty."));
    }
    if key.chars().count() > MAX_KEY_LENGTH {
        return Err(invalid_key(
            "The Idempotency-Key must be at most 255 characters.",
        ));
    }
    if key.chars().any(char::is_control) {
        return Err(invalid_key(
            "The Idempotency-Key must not contain control characters.",
        ));
    }
    Ok(Some(key))
}

fn invalid_key(message: &str) -> Box<ApiError> {
    Box::new(ApiError::new(
        StatusCode::BAD_REQUEST,
        "INVALID_IDEMPOTENCY_KEY",
        message,
    ))
}
