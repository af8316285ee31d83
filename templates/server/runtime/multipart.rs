//! Reading a `multipart/form-data` body into the operation's model, with
//! the same checks and error envelope as a JSON body.
//!
//! Each part is named after a property: files (binary properties) keep
//! their bytes, objects and lists of objects are JSON documents, and the
//! rest is text, typed by the schema as form values are. A name sent
//! several times (`tag`, or `tag[]`) is a list.

use std::collections::HashMap;

use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Multipart};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, Request};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::runtime::request::{
    checked, decoded, present, require_media_type, unreadable, BodyError,
};
use crate::types::form::FormShape;
use crate::types::validation::FromJson;

/// How a property's part is read, when it is not plain text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartKind {
    /// A file: its bytes.
    Binary,
    /// Several files under one name.
    BinaryList,
    /// A JSON document (an object, or a list of objects).
    Json,
}

/// Reads a multipart body; `kinds` names the parts that are not text.
pub async fn multipart_body<T: FromJson + FormShape>(
    headers: &HeaderMap,
    body: &Bytes,
    required: bool,
    kinds: &[(&str, PartKind)],
) -> Result<Option<T>, BodyError> {
    match shaped::<T>(headers, body, required, kinds).await? {
        Some(value) => checked(value),
        None => Ok(None),
    }
}

/// Reads a multipart body whose schema has no model of its own (a map of
/// values): every part is text, typed by the shape `S`, then decoded with
/// serde, so a mismatch is one detail for the body.
pub async fn multipart_value_body<S: FormShape, T: DeserializeOwned>(
    headers: &HeaderMap,
    body: &Bytes,
    required: bool,
) -> Result<Option<T>, BodyError> {
    match shaped::<S>(headers, body, required, &[]).await? {
        Some(value) => decoded(value),
        None => Ok(None),
    }
}

/// The parts as a JSON object typed by the shape `S`; `None` for an absent optional body.
async fn shaped<S: FormShape>(
    headers: &HeaderMap,
    body: &Bytes,
    required: bool,
    kinds: &[(&str, PartKind)],
) -> Result<Option<Value>, BodyError> {
    if present(headers, body, required)?.is_none() {
        return Ok(None);
    }
    require_media_type(headers, "multipart/form-data")?;
    let mut value = read(headers, body.clone(), kinds)
        .await
        .map_err(|(part, message)| unreadable(part, message, "multipart"))?;
    S::coerce(&mut value);
    Ok(Some(value))
}

/// The parts as one JSON object; an error names the part at fault.
async fn read(
    headers: &HeaderMap,
    body: Bytes,
    kinds: &[(&str, PartKind)],
) -> Result<Value, (String, String)> {
    let mut request = Request::new(Body::from(body));
    if let Some(content_type) = headers.get(CONTENT_TYPE) {
        request
            .headers_mut()
            .insert(CONTENT_TYPE, content_type.clone());
    }
    let mut multipart = Multipart::from_request(request, &())
        .await
        .map_err(|rejection| {
            (
                String::new(),
                format!("is not a multipart body: {rejection}"),
            )
        })?;
    // Each name's values in arrival order; names in order of first arrival.
    let mut parts: Vec<(String, Option<PartKind>, Vec<Value>)> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    loop {
        let field = multipart
            .next_field()
            .await
            .map_err(|error| (String::new(), format!("is not a multipart body: {error}")))?;
        let Some(field) = field else {
            break;
        };
        let name = field.name().unwrap_or_default();
        let name = name.strip_suffix("[]").unwrap_or(name).to_string();
        let kind = kinds
            .iter()
            .find(|(part, _)| *part == name)
            .map(|(_, kind)| *kind);
        let bytes = field
            .bytes()
            .await
            .map_err(|error| (name.clone(), format!("could not be read: {error}")))?;
        let value = match kind {
            Some(PartKind::Binary | PartKind::BinaryList) => {
                Value::Array(bytes.iter().map(|byte| Value::from(*byte)).collect())
            }
            Some(PartKind::Json) => serde_json::from_slice(&bytes)
                .map_err(|_| (name.clone(), "is not valid JSON".to_string()))?,
            None => Value::String(String::from_utf8_lossy(&bytes).into_owned()),
        };
        match index.get(&name) {
            Some(&at) => parts[at].2.push(value),
            None => {
                index.insert(name.clone(), parts.len());
                parts.push((name, kind, vec![value]));
            }
        }
    }
    let mut members = Map::new();
    for (name, kind, mut values) in parts {
        let value = if kind == Some(PartKind::BinaryList) || values.len() > 1 {
            Value::Array(values)
        } else {
            values.remove(0)
        };
        members.insert(name, value);
    }
    Ok(Value::Object(members))
}
