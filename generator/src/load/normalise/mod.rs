//! Brings a raw document into the shape the typed parse expects.
//!
//! 3.0.x passes through unchanged; OpenAPI 3.1 is rewritten into the 3.0
//! shape (`type: [X, "null"]` to `nullable`, `const` to a one-value `enum`,
//! `$defs` to components...), so nothing after this stage needs to know
//! which version a spec was written in.

mod distribute;
mod document31;
mod repair;
mod schema31;
mod walk;

use std::path::Path;

use serde_json::Value;

use crate::diagnostics::{Diagnostic, Diagnostics};

/// The OpenAPI versions specforge reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    V30,
    V31,
}

/// `document` as the typed parse reads it: in the 3.0 shape, its schemas'
/// small mistakes mended, with warnings for what was lost on the way.
pub fn for_parse(path: &Path, version: Version, document: &mut Value) -> Diagnostics {
    let mut warnings = match version {
        Version::V30 => Diagnostics::new(),
        Version::V31 => document31::downgrade(path, document),
    };
    repair::repair(path, document, &mut warnings);
    distribute::distribute(document);
    explicit_explode(document);
    warnings
}

/// `explode` defaults to true for `style: form` (the default style), but
/// openapiv3 reads an absent `explode` as false: say it explicitly in every
/// request body's `encoding`.
fn explicit_explode(document: &mut Value) {
    if let Some(paths) = document.get_mut("paths").and_then(Value::as_object_mut) {
        for item in paths.values_mut().filter_map(Value::as_object_mut) {
            item.values_mut()
                .filter_map(|operation| operation.get_mut("requestBody"))
                .for_each(explicit_explode_in);
        }
    }
    if let Some(bodies) = document
        .pointer_mut("/components/requestBodies")
        .and_then(Value::as_object_mut)
    {
        bodies.values_mut().for_each(explicit_explode_in);
    }
}

fn explicit_explode_in(body: &mut Value) {
    let Some(content) = body.get_mut("content").and_then(Value::as_object_mut) else {
        return;
    };
    for media in content.values_mut() {
        let Some(encoding) = media.get_mut("encoding").and_then(Value::as_object_mut) else {
            continue;
        };
        for entry in encoding.values_mut().filter_map(Value::as_object_mut) {
            let form = entry.get("style").is_none_or(|style| style == "form");
            if form && !entry.contains_key("explode") {
                entry.insert("explode".into(), Value::Bool(true));
            }
        }
    }
}

/// The version `document` declares, or an error when specforge cannot read it.
pub fn version(path: &Path, document: &Value) -> Result<Version, Diagnostic> {
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
            "Swagger {} documents are not supported; specforge reads OpenAPI 3.0 and 3.1",
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
        return Ok(Version::V30);
    }
    if version_text.starts_with("3.1.") || version_text == "3.1" {
        return Ok(Version::V31);
    }
    Err(
        Diagnostic::error(format!("unsupported OpenAPI version `{version_text}`"))
            .in_file(path)
            .at_pointer("#/openapi")
            .with_hint("specforge reads OpenAPI 3.0.x and 3.1.x documents"),
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
