//! Reads one document from disk into a JSON value, with located syntax errors.

use std::path::Path;

use serde_json::{Map, Number, Value};

use crate::diagnostics::Diagnostic;

/// Reads and parses `path` as JSON (by extension or leading `{`) or YAML.
pub fn read_document(path: &Path) -> Result<Value, Diagnostic> {
    let text = std::fs::read_to_string(path).map_err(|error| {
        Diagnostic::error(format!(
            "cannot read `{}`: {}",
            path.display(),
            io_reason(&error)
        ))
        .in_file(path)
        .with_hint("check the path; it is resolved against the current directory")
    })?;
    parse_text(path, &text)
}

/// Parses text that was read from `path` (the path names the file in diagnostics).
pub fn parse_text(path: &Path, text: &str) -> Result<Value, Diagnostic> {
    if text.trim().is_empty() {
        return Err(Diagnostic::error("the file is empty")
            .in_file(path)
            .with_hint("an OpenAPI document starts with `openapi: 3.0.3`, `info` and `paths`"));
    }
    let looks_like_json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
        || text.trim_start().starts_with('{');
    if looks_like_json {
        serde_json::from_str(text).map_err(|error| {
            Diagnostic::error(format!(
                "invalid JSON: {}",
                strip_position(&error.to_string())
            ))
            .in_file(path)
            .at_position(error.line(), error.column())
            .with_hint("fix the syntax at this position")
        })
    } else {
        let mut yaml: serde_yaml::Value = serde_yaml::from_str(text).map_err(|error| {
            let mut diagnostic = Diagnostic::error(format!(
                "invalid YAML: {}",
                strip_position(&error.to_string())
            ))
            .in_file(path)
            .with_hint("fix the syntax at this position");
            if let Some(location) = error.location() {
                diagnostic = diagnostic.at_position(location.line(), location.column());
            }
            diagnostic
        })?;
        yaml.apply_merge().map_err(|error| {
            Diagnostic::error(format!("invalid YAML merge key: {error}")).in_file(path)
        })?;
        yaml_to_json(yaml).map_err(|message| Diagnostic::error(message).in_file(path))
    }
}

/// Converts YAML to JSON. Non-string keys (`200:` for a response code) become strings.
fn yaml_to_json(value: serde_yaml::Value) -> Result<Value, String> {
    Ok(match value {
        serde_yaml::Value::Null => Value::Null,
        serde_yaml::Value::Bool(b) => Value::Bool(b),
        serde_yaml::Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::Number(i.into())
            } else if let Some(u) = n.as_u64() {
                Value::Number(u.into())
            } else {
                let f = n.as_f64().unwrap_or(f64::NAN);
                Number::from_f64(f)
                    .map(Value::Number)
                    .ok_or_else(|| format!("the number `{n}` cannot be represented in JSON"))?
            }
        }
        serde_yaml::Value::String(s) => Value::String(s),
        serde_yaml::Value::Sequence(items) => Value::Array(
            items
                .into_iter()
                .map(yaml_to_json)
                .collect::<Result<_, _>>()?,
        ),
        serde_yaml::Value::Mapping(mapping) => {
            let mut object = Map::with_capacity(mapping.len());
            for (key, value) in mapping {
                object.insert(key_to_string(key)?, yaml_to_json(value)?);
            }
            Value::Object(object)
        }
        serde_yaml::Value::Tagged(tagged) => yaml_to_json(tagged.value)?,
    })
}

fn key_to_string(key: serde_yaml::Value) -> Result<String, String> {
    match key {
        serde_yaml::Value::String(s) => Ok(s),
        serde_yaml::Value::Number(n) => Ok(n.to_string()),
        serde_yaml::Value::Bool(b) => Ok(b.to_string()),
        serde_yaml::Value::Null => Ok("null".to_string()),
        serde_yaml::Value::Tagged(tagged) => key_to_string(tagged.value),
        other => Err(format!(
            "a mapping key must be a string, found {}",
            serde_yaml::to_string(&other).unwrap_or_default().trim()
        )),
    }
}

/// serde's messages end in "at line X column Y"; the diagnostic shows that itself.
fn strip_position(message: &str) -> String {
    match message.find(" at line ") {
        Some(index) => message[..index].to_string(),
        None => message.to_string(),
    }
}

fn io_reason(error: &std::io::Error) -> String {
    match error.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        std::io::ErrorKind::InvalidData => "the file is not UTF-8 text".to_string(),
        _ => error.to_string(),
    }
}
