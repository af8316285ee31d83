//! Parameters on the wire: path segments, query pairs and header values,
//! written the way OpenAPI's default styles say (`simple` for paths and
//! headers, `form` with `explode` for the query).

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde::Serialize;
use serde_json::Value;

use std::borrow::Cow;

use crate::runtime::transport::{Body, TransportError};

/// A path parameter as one percent-encoded segment: `a b/c` -> `a%20b%2Fc`.
pub fn segment(value: impl Serialize) -> String {
    percent_encode(&simple(&to_json(&value)))
}

/// Adds a query parameter: nothing for `None`, one pair per item of an
/// array and per member of an object (`form`, exploded).
pub fn query<T: Serialize + ?Sized>(pairs: &mut Vec<(String, String)>, name: &str, value: &T) {
    match to_json(value) {
        Value::Null => {}
        Value::Array(items) => {
            for item in items.iter().filter(|item| !item.is_null()) {
                pairs.push((name.to_string(), scalar(item)));
            }
        }
        Value::Object(members) => {
            for (key, member) in members.iter().filter(|(_, member)| !member.is_null()) {
                pairs.push((key.clone(), scalar(member)));
            }
        }
        other => pairs.push((name.to_string(), scalar(&other))),
    }
}

/// Adds a query parameter whose list is one value joined by `separator`
/// (`form` not exploded: `,`; `spaceDelimited`: ` `; `pipeDelimited`: `|`).
pub fn query_joined<T: Serialize + ?Sized>(
    pairs: &mut Vec<(String, String)>,
    name: &str,
    value: &T,
    separator: &str,
) {
    match to_json(value) {
        Value::Null => {}
        Value::Array(items) => {
            let items: Vec<String> = items.iter().filter(|i| !i.is_null()).map(scalar).collect();
            pairs.push((name.to_string(), items.join(separator)));
        }
        other => pairs.push((name.to_string(), simple(&other))),
    }
}

/// Adds a `deepObject` query parameter: `filter[status]=open` per member.
pub fn deep_object<T: Serialize + ?Sized>(pairs: &mut Vec<(String, String)>, name: &str, value: &T) {
    match to_json(value) {
        Value::Object(members) => {
            for (key, member) in members.iter().filter(|(_, member)| !member.is_null()) {
                pairs.push((format!("{name}[{key}]"), scalar(member)));
            }
        }
        Value::Null => {}
        other => pairs.push((name.to_string(), scalar(&other))),
    }
}

/// A `label` path parameter: `.5`, `.a.b` (exploded) or `.a,b`.
pub fn label(value: impl Serialize, explode: bool) -> String {
    let items = items(&to_json(&value));
    format!(".{}", items.join(if explode { "." } else { "," }))
}

/// A `matrix` path parameter: `;id=5`, `;id=a;id=b` (exploded) or `;id=a,b`.
pub fn matrix(name: &str, value: impl Serialize, explode: bool) -> String {
    let items = items(&to_json(&value));
    let name = percent_encode(name);
    if explode {
        items.iter().map(|item| format!(";{name}={item}")).collect()
    } else {
        format!(";{name}={}", items.join(","))
    }
}

/// A value's items, each percent-encoded: one for a scalar.
fn items(value: &Value) -> Vec<String> {
    match value {
        Value::Array(items) => items.iter().map(|item| percent_encode(&scalar(item))).collect(),
        other => vec![percent_encode(&scalar(other))],
    }
}

/// Sets a header parameter, unless the value is `None`.
pub fn header<T: Serialize + ?Sized>(
    headers: &mut HeaderMap,
    name: &str,
    value: &T,
) -> Result<(), TransportError> {
    let value = to_json(value);
    if value.is_null() {
        return Ok(());
    }
    let invalid = || TransportError::Request(format!("the `{name}` header is not valid in HTTP"));
    let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| invalid())?;
    let value = HeaderValue::from_str(&simple(&value)).map_err(|_| invalid())?;
    headers.insert(name, value);
    Ok(())
}

/// Adds a cookie parameter, unless the value is `None`.
pub fn cookie<T: Serialize + ?Sized>(cookies: &mut Vec<String>, name: &str, value: &T) {
    let value = to_json(value);
    if !value.is_null() {
        cookies.push(format!("{name}={}", percent_encode(&simple(&value))));
    }
}

/// Sends the cookie parameters in one `Cookie` header.
pub fn cookies(headers: &mut HeaderMap, cookies: &[String]) -> Result<(), TransportError> {
    if !cookies.is_empty() {
        header(headers, "cookie", &cookies.join("; "))?;
    }
    Ok(())
}

/// `user:password` in base64, for HTTP Basic credentials.
pub fn basic_credentials(user: &str, password: &str) -> String {
    const ALPHABET: &[u8; 64] =
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let input = format!("{user}:{password}");
    let mut output = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.as_bytes().chunks(3) {
        let bytes = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let triple = u32::from_be_bytes([0, bytes[0], bytes[1], bytes[2]]);
        for index in 0..4 {
            if index <= chunk.len() {
                let sextet = (triple >> (18 - 6 * index)) & 0x3f;
                output.push(char::from(ALPHABET[sextet as usize]));
            } else {
                output.push('=');
            }
        }
    }
    output
}

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
    Ok(Body {
        content_type: Cow::Borrowed("application/x-www-form-urlencoded"),
        bytes: text.into_bytes(),
    })
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
    Ok(Body {
        content_type: Cow::Owned(format!("multipart/form-data; boundary={boundary}")),
        bytes,
    })
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

fn to_json<T: Serialize + ?Sized>(value: &T) -> Value {
    // Parameter types are generated from the spec: strings, numbers,
    // booleans, enums and arrays or maps of them, which always serialize.
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// `simple` style: arrays and objects as comma-separated lists.
fn simple(value: &Value) -> String {
    match value {
        Value::Array(items) => items.iter().map(scalar).collect::<Vec<_>>().join(","),
        Value::Object(members) => members
            .iter()
            .flat_map(|(key, member)| [key.clone(), scalar(member)])
            .collect::<Vec<_>>()
            .join(","),
        other => scalar(other),
    }
}

fn scalar(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Percent-encodes all but RFC 3986's unreserved characters.
fn percent_encode(text: &str) -> String {
    let mut encoded = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
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

    #[test]
    fn query_and_path_styles() {
        let mut pairs = Vec::new();
        query_joined(&mut pairs, "ids", &[1, 2], ",");
        query_joined(&mut pairs, "words", &["a b", "c"], " ");
        query_joined(&mut pairs, "names", &["x", "y"], "|");
        deep_object(&mut pairs, "filter", &serde_json::json!({"status": "open", "gone": null}));
        let pairs: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
        assert_eq!(pairs, ["ids=1,2", "words=a b c", "names=x|y", "filter[status]=open"]);
        assert_eq!(label(["a", "b/c"], true), ".a.b%2Fc");
        assert_eq!(label(["a", "b"], false), ".a,b");
        assert_eq!(label(5, false), ".5");
        assert_eq!(matrix("id", [1, 2], true), ";id=1;id=2");
        assert_eq!(matrix("id", [1, 2], false), ";id=1,2");
        assert_eq!(matrix("id", "x y", false), ";id=x%20y");
    }

    #[test]
    fn path_segments_are_percent_encoded() {
        assert_eq!(segment("a b/c?d"), "a%20b%2Fc%3Fd");
        assert_eq!(segment(42_i64), "42");
        assert_eq!(segment("ch_Ab9~"), "ch_Ab9~");
        assert_eq!(segment("é"), "%C3%A9");
        assert_eq!(segment(["a", "b"]), "a%2Cb");
    }

    #[test]
    fn query_pairs_follow_form_explode() {
        let mut pairs = Vec::new();
        query(&mut pairs, "page", &Some(2));
        query(&mut pairs, "missing", &None::<i32>);
        query(&mut pairs, "tag", &["a", "b"]);
        query(&mut pairs, "flag", &true);
        let expected = [("page", "2"), ("tag", "a"), ("tag", "b"), ("flag", "true")];
        let expected: Vec<(String, String)> = expected
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        assert_eq!(pairs, expected);
    }

    #[test]
    fn headers_and_cookies() {
        let mut headers = HeaderMap::new();
        header(&mut headers, "x-trace", &Some("abc")).unwrap();
        header(&mut headers, "x-none", &None::<String>).unwrap();
        assert_eq!(headers.len(), 1);
        assert!(header(&mut headers, "x-bad", "line\nbreak").is_err());
        let mut cookies = Vec::new();
        cookie(&mut cookies, "session", "a b");
        assert_eq!(cookies, ["session=a%20b"]);
    }

    #[test]
    fn basic_credentials_are_base64() {
        assert_eq!(basic_credentials("Aladdin", "open sesame"), "QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
        assert_eq!(basic_credentials("a", ""), "YTo=");
        assert_eq!(basic_credentials("ab", "c"), "YWI6Yw==");
    }
}
