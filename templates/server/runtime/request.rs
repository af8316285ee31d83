//! Reading a request's body (JSON, text, bytes), checked against the schema,
//! and every problem of a request (parameters and body) answered together.

use axum::body::{Body, Bytes};
use axum::http::header::CONTENT_TYPE;
use axum::http::HeaderMap;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::runtime::error::{ApiError, ErrorDetail, Location};
use crate::runtime::params::{details, params, Param, RawRequest};
use crate::types::validation::FromJson;

/// Every problem found in a request's parameters and body, answered together.
#[derive(Debug, Default)]
pub struct Problems(Vec<ErrorDetail>);

impl Problems {
    /// The parameters, or `None` with their problems recorded.
    pub fn params<P: FromJson>(&mut self, raw: &RawRequest<'_>, spec: &[Param]) -> Option<P> {
        params(raw, spec).map_err(|found| self.0.extend(found)).ok()
    }

    /// What a body reader read: `Some` of the body (itself `None` when an
    /// optional body is absent), `None` with its problems recorded, or the
    /// error for a body refused outright (`413`, `415`, `INVALID_JSON`).
    pub fn body<B>(
        &mut self,
        read: Result<Option<B>, BodyError>,
    ) -> Result<Option<Option<B>>, Box<ApiError>> {
        match read {
            Ok(body) => Ok(Some(body)),
            Err(BodyError::Rejected(error)) => Err(error),
            Err(BodyError::Invalid(found)) => {
                self.0.extend(found);
                Ok(None)
            }
        }
    }

    /// `400 VALIDATION_ERROR` with every problem.
    pub fn into_error(self) -> ApiError {
        ApiError::validation(self.0)
    }
}

/// Why a body was not accepted.
#[derive(Debug)]
pub enum BodyError {
    /// Refused outright (415, 413, `INVALID_JSON`).
    Rejected(Box<ApiError>),
    /// JSON that breaks the schema; reported with the parameters' failures.
    Invalid(Vec<ErrorDetail>),
}

/// Whether a `Content-Type` is JSON (`application/json`, `application/*+json`).
pub fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .map(|value| {
            value
                .split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        })
        .is_some_and(|essence| {
            essence == "application/json"
                || (essence.starts_with("application/") && essence.ends_with("+json"))
        })
}

/// Reads a JSON body of at most `limit` bytes. `Ok(None)` for an absent
/// optional body; `object_required` for a body whose schema is an object.
pub fn json_body<T: FromJson>(
    headers: &HeaderMap,
    body: &Bytes,
    required: bool,
    object_required: bool,
) -> Result<Option<T>, BodyError> {
    let Some(value) = json_value(headers, body, required)? else {
        return Ok(None);
    };
    if object_required && !value.is_object() {
        return Err(BodyError::Rejected(Box::new(ApiError::invalid_json(
            "The body must be a JSON object.",
        ))));
    }
    checked(value)
}

/// A body read as JSON, checked against `T`'s schema, then decoded: every
/// problem is a detail of the `400`.
pub fn checked<T: FromJson>(value: Value) -> Result<Option<T>, BodyError> {
    T::from_json(value)
        .map(Some)
        .map_err(|errors| BodyError::Invalid(details(errors, |_| Location::Body)))
}

/// A body read as JSON whose schema has no model of its own, decoded with
/// serde: a mismatch is one detail for the body.
pub fn decoded<T: DeserializeOwned>(value: Value) -> Result<Option<T>, BodyError> {
    serde_json::from_value(value)
        .map(Some)
        .map_err(|_| unreadable(String::new(), "does not match the schema".into(), "type"))
}

/// Reads a JSON body whose schema has no model of its own (an array, a
/// scalar): decoded with serde, so a mismatch is one detail for the body.
pub fn json_value_body<T: DeserializeOwned>(
    headers: &HeaderMap,
    body: &Bytes,
    required: bool,
) -> Result<Option<T>, BodyError> {
    match json_value(headers, body, required)? {
        Some(value) => decoded(value),
        None => Ok(None),
    }
}

/// Reads a `text/*` body.
pub fn text_body(
    headers: &HeaderMap,
    body: &Bytes,
    required: bool,
) -> Result<Option<String>, BodyError> {
    let Some(bytes) = present(headers, body, required)? else {
        return Ok(None);
    };
    let is_text = headers
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.trim_start().to_ascii_lowercase().starts_with("text/"));
    if !is_text {
        return Err(BodyError::Rejected(Box::new(ApiError::new(
            axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
            "The body must be sent as text.",
        ))));
    }
    String::from_utf8(bytes.to_vec()).map(Some).map_err(|_| {
        BodyError::Invalid(vec![ErrorDetail {
            field: String::new(),
            location: Location::Body,
            message: "must be UTF-8 text".to_string(),
            code: "type".into(),
        }])
    })
}

/// Reads a body as raw bytes, whatever its content type.
pub fn bytes_body(
    headers: &HeaderMap,
    body: &Bytes,
    required: bool,
) -> Result<Option<Vec<u8>>, BodyError> {
    Ok(present(headers, body, required)?.map(|bytes| bytes.to_vec()))
}

/// A binary body held to its schema's `maxLength`, in bytes.
pub fn at_most(body: Option<Vec<u8>>, max: usize) -> Result<Option<Vec<u8>>, BodyError> {
    match body {
        Some(bytes) if bytes.len() > max => Err(BodyError::Invalid(vec![ErrorDetail {
            field: String::new(),
            location: Location::Body,
            message: format!("must be at most {max} bytes"),
            code: "maxLength".into(),
        }])),
        body => Ok(body),
    }
}

/// A JSON body as a value: `415` unless JSON, `INVALID_JSON` unless it parses.
fn json_value(
    headers: &HeaderMap,
    body: &Bytes,
    required: bool,
) -> Result<Option<Value>, BodyError> {
    let Some(bytes) = present(headers, body, required)? else {
        return Ok(None);
    };
    if !is_json(headers) {
        return Err(BodyError::Rejected(Box::new(
            ApiError::unsupported_media_type(),
        )));
    }
    serde_json::from_slice(bytes).map(Some).map_err(|_| {
        BodyError::Rejected(Box::new(ApiError::invalid_json(
            "The body is not valid JSON.",
        )))
    })
}

/// Which of an operation's content types (lower-case essences such as
/// `application/json` or `text/*`) the request's `Content-Type` is, as an
/// index into `accepted`; `415` naming them when it is none. A request
/// without a `Content-Type` goes to the first, whose reader tells an absent
/// optional body from a missing one.
pub fn media_choice(headers: &HeaderMap, accepted: &[&str]) -> Result<usize, BodyError> {
    let Some(value) = headers.get(CONTENT_TYPE) else {
        return Ok(0);
    };
    let essence = value
        .to_str()
        .unwrap_or_default()
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    if let Some(index) = accepted.iter().position(|a| media_matches(a, &essence)) {
        return Ok(index);
    }
    let names = match accepted {
        [] => String::new(),
        [one] => (*one).to_string(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    };
    Err(BodyError::Rejected(Box::new(ApiError::new(
        axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "UNSUPPORTED_MEDIA_TYPE",
        format!("The body must be sent as {names}."),
    ))))
}

/// Whether a request's media type is the accepted one: equal, within a
/// `type/*` range, or a `+json` type where JSON is accepted.
fn media_matches(accepted: &str, essence: &str) -> bool {
    accepted == essence
        || accepted == "*/*"
        || accepted
            .strip_suffix("/*")
            .is_some_and(|kind| essence.split('/').next() == Some(kind))
        || (accepted == "application/json"
            && essence.starts_with("application/")
            && essence.ends_with("+json"))
}

/// Reads the whole body, at most `limit` bytes (`413` past it).
pub async fn read_body(body: Body, limit: usize) -> Result<Bytes, ApiError> {
    axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| ApiError::payload_too_large(limit))
}

/// `415` unless the `Content-Type` is `media_type` (parameters aside).
pub fn require_media_type(headers: &HeaderMap, media_type: &str) -> Result<(), BodyError> {
    let matches = headers
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case(media_type));
    if matches {
        return Ok(());
    }
    Err(BodyError::Rejected(Box::new(ApiError::new(
        axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "UNSUPPORTED_MEDIA_TYPE",
        format!("The body must be sent as {media_type}."),
    ))))
}

/// One detail for a body that cannot be read as its media type at all.
pub fn unreadable(field: String, message: String, code: &'static str) -> BodyError {
    BodyError::Invalid(vec![ErrorDetail {
        field,
        location: Location::Body,
        message,
        code: code.into(),
    }])
}

/// The body, or `None` for an absent optional body.
pub fn present<'a>(
    headers: &HeaderMap,
    bytes: &'a Bytes,
    required: bool,
) -> Result<Option<&'a Bytes>, BodyError> {
    if bytes.is_empty() && !headers.contains_key(CONTENT_TYPE) {
        return if required {
            Err(BodyError::Rejected(Box::new(ApiError::invalid_json(
                "A body is required.",
            ))))
        } else {
            Ok(None)
        };
    }
    Ok(Some(bytes))
}
