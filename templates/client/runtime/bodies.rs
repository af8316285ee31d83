//! Request bodies besides JSON: `application/x-www-form-urlencoded` and
//! `multipart/form-data`, written from a model the way the spec's
//! `encoding` says.

use std::borrow::Cow;

use serde::Serialize;
use serde_json::Value;

use crate::runtime::encode::{percent_encode, scalar, simple, to_json};
use crate::runtime::transport::{Body, TransportError};

/// How a form body writes one property's arrays (the spec's `encoding`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormStyle {
    /// `tag=a&tag=b`: `style: form`, exploded (OpenAPI's default).
    Repeated,
    /// `tag=a,b`: `style: form, explode: false`.
    Comma,
    /// `tag[]=a&tag[]=b`: `style: deepObject`.
    Brackets,
}

/// A model as an `application/x-www-form-urlencoded` body. Arrays of
/// scalars follow their property's style (`Repeated` unless `styles` says
/// otherwise); objects, and everything inside them, use brackets:
/// `metadata[order_id]=6735`, `items[0][price]=5`, `items[0][tags][]=a`.
pub fn form<T: Serialize + ?Sized>(
    value: &T,
    styles: &[(&str, FormStyle)],
) -> Result<Body, TransportError> {
    let Value::Object(members) = to_json(value) else {
        return Err(TransportError::Request("a form body must be an object".into()));
    };
    let mut pairs: Vec<(String, String)> = Vec::new();
    for (key, member) in &members {
        let style = styles
            .iter()
            .find(|(name, _)| name == key)
            .map_or(FormStyle::Repeated, |(_, style)| *style);
        match (member, style) {
            (Value::Array(items), FormStyle::Repeated) if items.iter().all(is_scalar) => {
                pairs.extend(items.iter().map(|item| (key.clone(), scalar(item))));
            }
            (Value::Array(items), FormStyle::Comma) if items.iter().all(is_scalar) => {
                pairs.push((key.clone(), simple(member)));
            }
            _ => bracketed(&mut pairs, key, member),
        }
    }
    let text = pairs
        .iter()
        .map(|(key, value)| format!("{}={}", percent_encode(key), percent_encode(value)))
        .collect::<Vec<_>>()
        .join("&");
    Ok(Body::new(
        Cow::Borrowed("application/x-www-form-urlencoded"),
        text.into_bytes(),
    ))
}

/// `prefix[key]=...` for objects, `prefix[]=` for scalars in a list and
/// `prefix[0][key]=` for objects in one; `null`s are left out.
fn bracketed(pairs: &mut Vec<(String, String)>, prefix: &str, value: &Value) {
    match value {
        Value::Null => {}
        Value::Object(members) => {
            for (key, member) in members {
                bracketed(pairs, &format!("{prefix}[{key}]"), member);
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                if is_scalar(item) {
                    bracketed(pairs, &format!("{prefix}[]"), item);
                } else {
                    bracketed(pairs, &format!("{prefix}[{index}]"), item);
                }
            }
        }
        scalar_value => pairs.push((prefix.to_string(), scalar(scalar_value))),
    }
}

/// How a property travels in a multipart body, when it is not text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartKind {
    /// A file: the bytes of a binary property.
    Binary,
    /// Several files under one name.
    BinaryList,
    /// An object, or a list of objects, as a JSON document.
    Json,
}

/// A model as a `multipart/form-data` body: one part per property that is
/// set, files for binary ones (named after the property), JSON documents
/// for objects, text for the rest; a list of text values is one part each.
pub fn multipart<T: Serialize + ?Sized>(
    value: &T,
    kinds: &[(&str, PartKind)],
) -> Result<Body, TransportError> {
    let Value::Object(members) = to_json(value) else {
        return Err(TransportError::Request("a multipart body must be an object".into()));
    };
    let boundary = format!("boundary-{}", uuid::Uuid::new_v4().simple());
    let mut bytes = Vec::new();
    for (name, member) in &members {
        let kind = kinds
            .iter()
            .find(|(part, _)| part == name)
            .map(|(_, kind)| *kind);
        match (kind, member) {
            (_, Value::Null) => {}
            (Some(PartKind::Binary), file) => part(&mut bytes, &boundary, name, Part::File, &file_bytes(file)),
            (Some(PartKind::BinaryList), Value::Array(files)) => {
                for file in files {
                    part(&mut bytes, &boundary, name, Part::File, &file_bytes(file));
                }
            }
            (Some(_), document) => {
                let json = serde_json::to_vec(document)
                    .map_err(|error| TransportError::Request(error.to_string()))?;
                part(&mut bytes, &boundary, name, Part::Json, &json);
            }
            (None, Value::Array(items)) => {
                for item in items.iter().filter(|item| !item.is_null()) {
                    part(&mut bytes, &boundary, name, Part::Text, scalar(item).as_bytes());
                }
            }
            (None, text) => part(&mut bytes, &boundary, name, Part::Text, scalar(text).as_bytes()),
        }
    }
    bytes.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    Ok(Body::new(
        Cow::Owned(format!("multipart/form-data; boundary={boundary}")),
        bytes,
    ))
}

/// What one part holds, which its headers say.
enum Part {
    /// `filename` and `application/octet-stream`.
    File,
    /// `application/json`.
    Json,
    /// No headers: text.
    Text,
}

fn part(out: &mut Vec<u8>, boundary: &str, name: &str, kind: Part, content: &[u8]) {
    let name = name.replace('"', "%22");
    let mut head = format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"");
    match kind {
        Part::File => head.push_str(&format!(
            "; filename=\"{name}\"\r\nContent-Type: application/octet-stream"
        )),
        Part::Json => head.push_str("\r\nContent-Type: application/json"),
        Part::Text => {}
    }
    head.push_str("\r\n\r\n");
    out.extend_from_slice(head.as_bytes());
    out.extend_from_slice(content);
    out.extend_from_slice(b"\r\n");
}

/// A binary property's bytes (serde writes `Vec<u8>` as a list of numbers).
fn file_bytes(value: &Value) -> Vec<u8> {
    value
        .as_array()
        .map(|items| items.iter().filter_map(|b| b.as_u64().map(|b| b as u8)).collect())
        .unwrap_or_default()
}

fn is_scalar(value: &Value) -> bool {
    !value.is_array() && !value.is_object()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_use_repeated_keys_commas_or_brackets() {
        let value = serde_json::json!({
            "amount": 5,
            "metadata": {"order_id": "6735"},
            "expand": ["customer", "invoice"],
            "tags": ["a", "b"],
            "ids": [1, 2],
            "items": [{"price": 5, "name": "a b&c"}],
            "gone": null,
        });
        let styles = [("expand", FormStyle::Brackets), ("ids", FormStyle::Comma)];
        let body = form(&value, &styles).unwrap();
        assert_eq!(body.content_type, "application/x-www-form-urlencoded");
        // Pairs in the order of the JSON object, which depends on serde_json's features.
        let text = String::from_utf8(body.bytes).unwrap();
        let mut pairs: Vec<&str> = text.split('&').collect();
        pairs.sort();
        assert_eq!(
            pairs,
            [
                "amount=5",
                "expand%5B%5D=customer",
                "expand%5B%5D=invoice",
                "ids=1%2C2",
                "items%5B0%5D%5Bname%5D=a%20b%26c",
                "items%5B0%5D%5Bprice%5D=5",
                "metadata%5Border_id%5D=6735",
                "tags=a",
                "tags=b",
            ]
        );
    }
}
