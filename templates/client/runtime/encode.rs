//! Parameters on the wire: path segments, query pairs and header values,
//! written the way OpenAPI's default styles say (`simple` for paths and
//! headers, `form` with `explode` for the query).

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde::Serialize;
use serde_json::Value;

use crate::runtime::transport::TransportError;

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

pub(crate) fn to_json<T: Serialize + ?Sized>(value: &T) -> Value {
    // Parameter types are generated from the spec: strings, numbers,
    // booleans, enums and arrays or maps of them, which always serialize.
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// `simple` style: arrays and objects as comma-separated lists.
pub(crate) fn simple(value: &Value) -> String {
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

pub(crate) fn scalar(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Percent-encodes all but RFC 3986's unreserved characters.
pub(crate) fn percent_encode(text: &str) -> String {
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
