//! Reads one document from disk into a JSON value, with located syntax errors.

use std::path::Path;

use serde_json::Value;

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
        super::yaml::to_json(text).map_err(|error| {
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
        })
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
