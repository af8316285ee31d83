//! `X-Request-ID`: kept when the client sends a sane one, made otherwise,
//! echoed on every response and carried in the tracing span.

use axum::extract::Request;
use axum::http::header::HeaderValue;
use axum::http::HeaderName;
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

pub static X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The id of the request being served, in the request's extensions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(pub String);

/// 1 to 200 visible ASCII characters; anything else is replaced.
pub fn is_acceptable(value: &str) -> bool {
    (1..=200).contains(&value.len()) && value.bytes().all(|b| b.is_ascii_graphic())
}

pub async fn layer(mut request: Request, next: Next) -> Response {
    let id = request
        .headers()
        .get(&X_REQUEST_ID)
        .and_then(|value| value.to_str().ok())
        .filter(|value| is_acceptable(value))
        .map(str::to_string)
        .unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string());
    request.extensions_mut().insert(RequestId(id.clone()));
    let span = tracing::info_span!(
        "request",
        request_id = %id,
        method = %request.method(),
        path = %request.uri().path()
    );
    let mut response = next.run(request).instrument(span).await;
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(X_REQUEST_ID.clone(), value);
    }
    response
}

/// The request id from extensions (set by [`layer`], which wraps everything).
pub fn of(extensions: &axum::http::Extensions) -> String {
    extensions
        .get::<RequestId>()
        .map(|id| id.0.clone())
        .unwrap_or_default()
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
}
