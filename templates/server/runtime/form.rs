//! Reading an `application/x-www-form-urlencoded` body into the operation's
//! model, with the same checks and error envelope as a JSON body.
//!
//! Arrays arrive in any of the ways clients write them: repeated keys
//! (`tag=a&tag=b`, OpenAPI's default), brackets (`tag[]=a`, `tag[0]=a`) or,
//! for properties whose `encoding` says `explode: false`, commas
//! (`tag=a,b`). Objects use brackets (`metadata[order_id]=6735`).

use std::collections::HashMap;

use axum::body::Bytes;
use axum::http::HeaderMap;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::runtime::request::{
    checked, decoded, present, require_media_type, unreadable, BodyError,
};
use crate::types::form::FormShape;
use crate::types::validation::FromJson;

/// How deep brackets may nest (`a[b][c][d]`...); deeper keys are refused.
const MAX_DEPTH: usize = 8;

/// Reads a form body. `comma_separated` names the properties whose arrays
/// are written `a,b,c`.
pub fn form_body<T: FromJson + FormShape>(
    headers: &HeaderMap,
    body: &Bytes,
    required: bool,
    comma_separated: &[&str],
) -> Result<Option<T>, BodyError> {
    match shaped::<T>(headers, body, required, comma_separated)? {
        Some(value) => checked(value),
        None => Ok(None),
    }
}

/// Reads a form body whose schema has no model of its own (a map of
/// values): typed by the shape `S`, then decoded with serde, so a mismatch
/// is one detail for the body.
pub fn form_value_body<S: FormShape, T: DeserializeOwned>(
    headers: &HeaderMap,
    body: &Bytes,
    required: bool,
) -> Result<Option<T>, BodyError> {
    match shaped::<S>(headers, body, required, &[])? {
        Some(value) => decoded(value),
        None => Ok(None),
    }
}

/// The form as a JSON tree typed by the shape `S`; `None` for an absent optional body.
fn shaped<S: FormShape>(
    headers: &HeaderMap,
    body: &Bytes,
    required: bool,
    comma_separated: &[&str],
) -> Result<Option<Value>, BodyError> {
    let Some(bytes) = present(headers, body, required)? else {
        return Ok(None);
    };
    require_media_type(headers, "application/x-www-form-urlencoded")?;
    let mut value = parse(bytes, comma_separated)
        .map_err(|message| unreadable(String::new(), message, "form"))?;
    S::coerce(&mut value);
    Ok(Some(value))
}

/// The form as a JSON tree of strings: `serde_qs` reads the brackets, after
/// repeated plain keys and comma lists are rewritten as bracket lists.
fn parse(bytes: &[u8], comma_separated: &[&str]) -> Result<Value, String> {
    let pairs: Vec<(String, String)> = form_urlencoded::parse(bytes).into_owned().collect();
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for (key, _) in &pairs {
        *counts.entry(key.as_str()).or_default() += 1;
    }
    let mut rewritten = form_urlencoded::Serializer::new(String::new());
    for (key, value) in &pairs {
        let plain = !key.contains('[');
        if plain && comma_separated.contains(&key.as_str()) {
            for item in value.split(',') {
                rewritten.append_pair(&format!("{key}[]"), item);
            }
        } else if plain && counts[key.as_str()] > 1 {
            rewritten.append_pair(&format!("{key}[]"), value);
        } else {
            rewritten.append_pair(key, value);
        }
    }
    let text = rewritten.finish();
    serde_qs::Config::new(MAX_DEPTH, false)
        .deserialize_str::<Map<String, Value>>(&text)
        .map(Value::Object)
        .map_err(|error| format!("is not a form: {error}"))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn brackets_repeated_keys_and_commas_make_one_tree() {
        let form = b"amount=5&metadata[order_id]=6735&expand[]=customer&expand[]=invoice\
            &items[0][price]=5&items[1][price]=6&tag=a&tag=b&ids=1,2&note=a%20b+c";
        assert_eq!(
            parse(form, &["ids"]).unwrap(),
            json!({
                "amount": "5",
                "metadata": {"order_id": "6735"},
                "expand": ["customer", "invoice"],
                "items": [{"price": "5"}, {"price": "6"}],
                "tag": ["a", "b"],
                "ids": ["1", "2"],
                "note": "a b c",
            })
        );
    }

    #[test]
    fn a_key_used_as_both_a_value_and_an_object_is_refused() {
        assert!(parse(b"a=1&a[b]=2", &[]).is_err());
    }
}
