//! Matching operations across the two documents, and the changes that
//! belong to an operation as a whole: removed, added, renamed, deprecated,
//! and the specforge extensions that change how it is called.

use std::collections::HashMap;

use serde_json::Value;

use super::collect::Collector;
use super::{checks, messages, parameters, security};
use crate::document::{Document, OperationRef};

/// Compares every operation of the old document with its match in the new.
pub(super) fn compare(c: &mut Collector<'_>) {
    let (old_document, new_document) = (c.old, c.new);
    let old = keyed(old_document);
    let new = keyed(new_document);
    let new_by_key: HashMap<&str, &OperationRef> =
        new.iter().map(|(key, op)| (key.as_str(), op)).collect();
    let old_keys: HashMap<&str, ()> = old.iter().map(|(key, _)| (key.as_str(), ())).collect();
    for (key, old_op) in &old {
        let label = old_op.label();
        match new_by_key.get(key.as_str()) {
            Some(new_op) => c.for_operation(&label, |c| operation(c, old_op, new_op)),
            None => c.for_operation(&label, |c| {
                let was_deprecated = old_op.node.get("deprecated") == Some(&Value::Bool(true));
                let message = if was_deprecated {
                    format!("`{label}` removed (it was deprecated)")
                } else {
                    format!("`{label}` removed")
                };
                let new_at = new_document
                    .paths()
                    .find(|(path, _, _)| template(path) == template(old_op.path))
                    .map_or_else(|| "#/paths".to_string(), |(_, _, pointer)| pointer);
                c.report(
                    &checks::OPERATION_REMOVED,
                    message,
                    Some(&old_op.pointer),
                    Some(&new_at),
                );
            }),
        }
    }
    for (key, new_op) in &new {
        if !old_keys.contains_key(key.as_str()) {
            let label = new_op.label();
            c.for_operation(&label, |c| {
                c.report(
                    &checks::OPERATION_ADDED,
                    format!("`{label}` added"),
                    None,
                    Some(&new_op.pointer),
                );
            });
        }
    }
}

/// The operations of a document by `METHOD template`, the template's
/// parameter names left out (`/users/{id}` matches `/users/{user_id}`).
/// Two paths of one document that differ only in parameter names keep
/// their own names, so neither is lost.
fn keyed<'a>(document: Document<'a>) -> Vec<(String, OperationRef<'a>)> {
    let operations = document.operations();
    let mut seen_paths: HashMap<String, Vec<&str>> = HashMap::new();
    for op in &operations {
        let paths = seen_paths.entry(template(op.path)).or_default();
        if !paths.contains(&op.path) {
            paths.push(op.path);
        }
    }
    operations
        .into_iter()
        .map(|op| {
            let normal = template(op.path);
            let path = if seen_paths[&normal].len() > 1 {
                op.path.to_string()
            } else {
                normal
            };
            (format!("{} {path}", op.method), op)
        })
        .collect()
}

/// A path template with its parameter names left out: `/users/{}`.
fn template(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut in_parameter = false;
    for ch in path.chars() {
        match ch {
            '{' => {
                in_parameter = true;
                out.push_str("{}");
            }
            '}' => in_parameter = false,
            _ if in_parameter => {}
            _ => out.push(ch),
        }
    }
    out
}

fn operation(c: &mut Collector<'_>, old: &OperationRef<'_>, new: &OperationRef<'_>) {
    if let (Some(old_id), Some(new_id)) = (old.operation_id(), new.operation_id()) {
        if old_id != new_id {
            c.report(
                &checks::OPERATION_ID_CHANGED,
                format!("operationId changed from `{old_id}` to `{new_id}`"),
                Some(&format!("{}/operationId", old.pointer)),
                Some(&format!("{}/operationId", new.pointer)),
            );
        }
    }
    let deprecated = |op: &OperationRef<'_>| op.node.get("deprecated") == Some(&Value::Bool(true));
    if !deprecated(old) && deprecated(new) {
        c.report(
            &checks::OPERATION_DEPRECATED,
            format!("`{}` deprecated", new.label()),
            Some(&old.pointer),
            Some(&format!("{}/deprecated", new.pointer)),
        );
    }
    security::compare(c, old, new);
    extensions(c, old, new);
    parameters::compare(c, old, new);
    messages::request_body(c, old, new);
    messages::responses(c, old, new);
}

/// The specforge extensions that change the wire contract.
fn extensions(c: &mut Collector<'_>, old: &OperationRef<'_>, new: &OperationRef<'_>) {
    let located = |op: &OperationRef<'_>, key: &str| match op.node.get(key) {
        Some(_) => format!("{}/{key}", op.pointer),
        None => op.pointer.clone(),
    };
    let (old_pages, new_pages) = (pagination(old), pagination(new));
    if old_pages != new_pages {
        let describe = |pages: &Option<String>| pages.clone().unwrap_or_else(|| "none".into());
        c.report(
            &checks::PAGINATION_CHANGED,
            format!(
                "pagination changed from {} to {}",
                describe(&old_pages),
                describe(&new_pages)
            ),
            Some(&located(old, "x-pagination")),
            Some(&located(new, "x-pagination")),
        );
    }
    let (old_keys, new_keys) = (idempotency(old), idempotency(new));
    let check = match (old_keys, new_keys) {
        (None | Some(false), Some(true)) => Some((
            &checks::IDEMPOTENCY_KEY_REQUIRED,
            "an `Idempotency-Key` header is now required",
        )),
        (Some(_), None) => Some((
            &checks::IDEMPOTENCY_REMOVED,
            "`Idempotency-Key` no longer makes retries safe",
        )),
        (None, Some(false)) => Some((
            &checks::IDEMPOTENCY_ADDED,
            "an optional `Idempotency-Key` header is now honoured",
        )),
        _ => None,
    };
    if let Some((check, message)) = check {
        c.report(
            check,
            message.to_string(),
            Some(&located(old, "x-idempotency")),
            Some(&located(new, "x-idempotency")),
        );
    }
    let (old_envelope, new_envelope) = (enveloped(c.old, old), enveloped(c.new, new));
    if old_envelope != new_envelope {
        let state = if new_envelope { "on" } else { "off" };
        let at = |document: Document<'_>, op: &OperationRef<'_>| match op.node.get("x-envelope") {
            Some(_) => format!("{}/x-envelope", op.pointer),
            None if document.root.get("x-envelope").is_some() => "#/x-envelope".to_string(),
            None => "#".to_string(),
        };
        c.report(
            &checks::ENVELOPE_CHANGED,
            format!("the response envelope is now {state}"),
            Some(&at(c.old, old)),
            Some(&at(c.new, new)),
        );
    }
}

/// `x-pagination` as clients meet it: the style and its parameter names.
fn pagination(op: &OperationRef<'_>) -> Option<String> {
    let object = op.node.get("x-pagination")?.as_object()?;
    let param = |key: &str, default: &str| {
        object
            .get(key)
            .and_then(Value::as_str)
            .unwrap_or(default)
            .to_string()
    };
    match object.get("style").and_then(Value::as_str)? {
        "page" => Some(format!(
            "page numbers (`{}`, `{}`)",
            param("page-param", "page"),
            param("per-page-param", "per_page")
        )),
        "cursor" => Some(format!(
            "cursors (`{}`, `{}`)",
            param("cursor-param", "cursor"),
            param("limit-param", "limit")
        )),
        other => Some(format!("`{other}`")),
    }
}

/// `x-idempotency`: `None` when off, else whether the key is required.
fn idempotency(op: &OperationRef<'_>) -> Option<bool> {
    match op.node.get("x-idempotency")? {
        Value::Bool(true) => Some(true),
        Value::Object(object) => Some(
            object
                .get("required")
                .and_then(Value::as_bool)
                .unwrap_or(true),
        ),
        _ => None,
    }
}

/// Whether the operation's bodies are wrapped in the `x-envelope` envelope.
fn enveloped(document: Document<'_>, op: &OperationRef<'_>) -> bool {
    document
        .root
        .get("x-envelope")
        .is_some_and(Value::is_object)
        && op.node.get("x-envelope") != Some(&Value::Bool(false))
}
