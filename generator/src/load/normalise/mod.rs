//! Brings a raw document into the shape the typed parse expects.
//!
//! Today that means checking the version: 3.0.x passes through unchanged.
//! OpenAPI 3.1 will be rewritten into the 3.0 shape here (`type: [X, "null"]`
//! to `nullable`, `const` to a one-value `enum`), so nothing after this stage
//! needs to know which version a spec was written in.

use std::path::Path;

use serde_json::Value;

use crate::diagnostics::Diagnostic;

/// Checks that `document` is an OpenAPI 3.0 document.
pub fn normalise(path: &Path, document: &mut Value) -> Result<(), Diagnostic> {
    let object = document.as_object().ok_or_else(|| {
        Diagnostic::error(format!(
            "not an OpenAPI document: the top level is {}, not a mapping",
            describe(document)
        ))
        .in_file(path)
        .at_pointer("#")
        .with_hint("an OpenAPI document is a mapping that starts with `openapi: 3.0.3`")
    })?;
    if let Some(swagger) = object.get("swagger") {
        return Err(Diagnostic::error(format!(
            "Swagger {} documents are not supported; specforge reads OpenAPI 3.0",
            scalar_text(swagger)
        ))
        .in_file(path)
        .at_pointer("#/swagger")
        .with_hint(
            "convert the document to OpenAPI 3.0 first (for example with swagger2openapi)",
        ));
    }
    let version = object.get("openapi").ok_or_else(|| {
        Diagnostic::error("not an OpenAPI document: it has no `openapi` field")
            .in_file(path)
            .at_pointer("#")
            .with_hint("add `openapi: 3.0.3` at the top level")
    })?;
    let version_text = scalar_text(version);
    if version_text.starts_with("3.0.") || version_text == "3.0" {
        return Ok(());
    }
    let hint = if version_text.starts_with("3.1") {
        "OpenAPI 3.1 is not supported yet; write the document as 3.0.3 (`nullable: true` instead of `type: [X, \"null\"]`)"
    } else {
        "specforge reads OpenAPI 3.0.x documents"
    };
    Err(
        Diagnostic::error(format!("unsupported OpenAPI version `{version_text}`"))
            .in_file(path)
            .at_pointer("#/openapi")
            .with_hint(hint),
    )
}

fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn describe(value: &Value) -> &'static str {
    match value {
        Value::Null => "empty",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a sequence",
        Value::Object(_) => "a mapping",
    }
}
