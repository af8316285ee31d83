//! `X-Request-ID`: kept when the client sends a sane one, made otherwise,
//! echoed on every response (by the guard) and carried in its tracing span.

use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use axum::http::header::HeaderValue;
use axum::http::{Extensions, HeaderMap, HeaderName};

pub static X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The id of the request being served, in the request's extensions.
/// Cloning it is cheap: every layer and the handler's context share one
/// allocation.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct RequestId(Arc<str>);

impl RequestId {
    /// The client's `X-Request-ID` when it is acceptable, a new random one
    /// (32 hex digits) otherwise.
    pub fn read_or_make(headers: &HeaderMap) -> Self {
        let sent = headers
            .get(&X_REQUEST_ID)
            .and_then(|value| value.to_str().ok())
            .filter(|value| is_acceptable(value));
        match sent {
            Some(id) => RequestId(Arc::from(id)),
            None => {
                let mut buffer = uuid::Uuid::encode_buffer();
                let id = uuid::Uuid::new_v4().simple().encode_lower(&mut buffer);
                RequestId(Arc::from(&*id))
            }
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The id as a header value (acceptable ids always are one).
    pub fn header_value(&self) -> Option<HeaderValue> {
        HeaderValue::from_str(&self.0).ok()
    }
}

impl Deref for RequestId {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for RequestId {
    fn from(id: &str) -> Self {
        RequestId(Arc::from(id))
    }
}

impl From<String> for RequestId {
    fn from(id: String) -> Self {
        RequestId(Arc::from(id))
    }
}

/// 1 to 200 visible ASCII characters; anything else is replaced.
pub fn is_acceptable(value: &str) -> bool {
    (1..=200).contains(&value.len()) && value.bytes().all(|b| b.is_ascii_graphic())
}

/// The request id from extensions (set by the guard, which wraps
/// everything); empty outside a request the guard saw.
pub fn of(extensions: &Extensions) -> RequestId {
    extensions.get::<RequestId>().cloned().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acceptable_ids() {
        assert!(is_acceptable("abc-123"));
        assert!(is_acceptable(&"x".repeat(200)));
        assert!(!is_acceptable(""));
        assert!(!is_acceptable(&"x".repeat(201)));
        assert!(!is_acceptable("has space"));
        assert!(!is_acceptable("tab\t"));
        assert!(!is_acceptable("é"));
    }

    #[test]
    fn a_sane_id_is_kept_and_a_missing_one_made() {
        let mut headers = HeaderMap::new();
        headers.insert(&X_REQUEST_ID, HeaderValue::from_static("req-42"));
        assert_eq!(RequestId::read_or_make(&headers).as_str(), "req-42");
        headers.insert(&X_REQUEST_ID, HeaderValue::from_static("has space"));
        let made = RequestId::read_or_make(&headers);
        assert_eq!(made.len(), 32);
        assert!(made.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_ne!(made, RequestId::read_or_make(&HeaderMap::new()));
    }
}
