//! Responses: 201 with `Location` on create, 204 on delete, one error format.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::{Found, Rule};
use crate::document::{Document, OperationRef};
use crate::lint::config::Level;

/// Whether a path names a collection: its last segment is not a parameter.
fn is_collection(path: &str) -> bool {
    path.rsplit('/')
        .next()
        .is_some_and(|last| !last.is_empty() && !last.starts_with('{'))
}

/// The collections whose items have a GET (`/users` for `GET /users/{id}`):
/// where a new item's `Location` can point.
fn collections_with_item_routes<'a>(document: &Document<'a>) -> BTreeSet<&'a str> {
    document
        .operations()
        .iter()
        .filter(|operation| operation.method == "get")
        .filter_map(|operation| operation.path.rsplit_once('/'))
        .filter(|(_, last)| last.starts_with('{') && last.ends_with('}'))
        .map(|(collection, _)| collection)
        .collect()
}

fn successes<'a>(operation: &'a OperationRef<'_>) -> Vec<&'a str> {
    operation
        .responses()
        .map(|(status, _)| status)
        .filter(|status| status.starts_with('2'))
        .collect()
}

pub const CREATE_201: Rule = Rule {
    id: "create-returns-201",
    rationale:
        "A POST that adds to a collection answers `201 Created` with the new resource's `Location`.",
    default: Level::Warning,
    check: |document, found| {
        let addressable = collections_with_item_routes(document);
        for operation in document.operations() {
            if operation.method != "post" || !is_collection(operation.path) {
                continue;
            }
            let successes = successes(&operation);
            // 202 (accepted for later) and actions that create nothing are left alone.
            if successes.contains(&"202") || successes.contains(&"204") || successes.is_empty() {
                continue;
            }
            match operation.responses().find(|(status, _)| *status == "201") {
                None => found.push(Found::new(
                    format!("{}/responses", operation.pointer),
                    format!(
                        "{} creates in a collection but does not answer 201",
                        operation.label()
                    ),
                    "answer `201` with a `Location` header naming the new resource",
                )),
                // A `Location` needs somewhere to point: a GET of one item.
                Some(_) if !addressable.contains(operation.path) => {}
                Some((_, response)) => {
                    let response = document.resolve(response);
                    let has_location = response
                        .get("headers")
                        .and_then(Value::as_object)
                        .is_some_and(|headers| {
                            headers
                                .keys()
                                .any(|name| name.eq_ignore_ascii_case("location"))
                        });
                    if !has_location {
                        found.push(Found::new(
                            format!("{}/responses/201", operation.pointer),
                            format!("the 201 of {} has no `Location` header", operation.label()),
                            "declare `headers: {Location: ...}` with the new resource's path",
                        ));
                    }
                }
            }
        }
    },
};

pub const DELETE_204: Rule = Rule {
    id: "delete-returns-204",
    rationale: "A DELETE answers `204 No Content`: there is nothing left to return.",
    default: Level::Warning,
    check: |document, found| {
        for operation in document.operations() {
            let successes = successes(&operation);
            if operation.method == "delete"
                && !successes.is_empty()
                && !successes.contains(&"204")
                && !successes.contains(&"202")
            {
                found.push(Found::new(
                    format!("{}/responses", operation.pointer),
                    format!(
                        "{} answers {} rather than 204",
                        operation.label(),
                        successes.join(", ")
                    ),
                    "answer `204` with no body",
                ));
            }
        }
    },
};

pub const ONE_ERROR_SCHEMA: Rule = Rule {
    id: "one-error-schema",
    rationale: "Clients parse every error with one type; the envelope's error schema, or one schema for all.",
    default: Level::Warning,
    check: |document, found| {
        // With `x-envelope`, every error body is the envelope's error: nothing to compare.
        if document.root.get("x-envelope").is_some() {
            return;
        }
        let mut schemas: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for operation in document.operations() {
            for (status, response) in operation.responses() {
                if !(status.starts_with('4') || status.starts_with('5')) {
                    continue;
                }
                let response = document.resolve(response);
                let Some(schema) = response.pointer("/content/application~1json/schema") else { continue };
                let name = match schema.get("$ref").and_then(Value::as_str) {
                    Some(reference) => reference.to_string(),
                    None => "an inline schema".to_string(),
                };
                schemas.entry(name).or_default().push(format!("{}/responses/{status}", operation.pointer));
            }
        }
        if schemas.len() < 2 {
            return;
        }
        let (common, _) = schemas.iter().max_by_key(|(_, uses)| uses.len()).map(|(name, uses)| (name.clone(), uses.len())).unwrap_or_default();
        for (name, uses) in &schemas {
            if *name == common {
                continue;
            }
            for pointer in uses {
                found.push(Found::new(
                    pointer,
                    format!("this error's body is {name}, most errors' is {common}"),
                    format!("answer errors with {common}"),
                ));
            }
        }
    },
};

pub const SUCCESS_RESPONSE: Rule = Rule {
    id: "operation-success-response",
    rationale: "Every operation says what success looks like.",
    default: Level::Warning,
    check: |document, found| {
        for operation in document.operations() {
            let ok = operation.responses().any(|(status, _)| {
                status.starts_with('2')
                    || status.starts_with('3')
                    || status == "2XX"
                    || status == "3XX"
            });
            if !ok {
                found.push(Found::new(
                    format!("{}/responses", operation.pointer),
                    format!("{} declares no 2xx or 3xx response", operation.label()),
                    "declare the success response",
                ));
            }
        }
    },
};
