//! Operations: methods that match their meaning, and ids, descriptions and
//! tags for the people and tools that read the spec.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::{Found, Rule};
use crate::lint::config::Level;

pub const NO_BODY_ON_READ: Rule = Rule {
    id: "no-body-on-read",
    rationale: "GET and HEAD requests have no body that proxies and caches keep.",
    default: Level::Error,
    check: |document, found| {
        for operation in document.operations() {
            if matches!(operation.method, "get" | "head")
                && operation.node.contains_key("requestBody")
            {
                found.push(Found::new(
                    format!("{}/requestBody", operation.pointer),
                    format!("{} has a request body", operation.label()),
                    "take the input as query parameters, or use POST for a search",
                ));
            }
        }
    },
};

pub const POST_THAT_READS: Rule = Rule {
    id: "post-that-reads",
    rationale:
        "An operation that only reads is a GET, which clients may retry and caches may keep.",
    default: Level::Warning,
    check: |document, found| {
        for operation in document.operations() {
            let reads = operation
                .operation_id()
                .map(|id| {
                    let id = id.to_ascii_lowercase();
                    ["get", "list", "fetch", "read", "find"]
                        .iter()
                        .any(|verb| id.starts_with(verb))
                })
                .unwrap_or(false);
            if operation.method == "post" && reads && !operation.node.contains_key("requestBody") {
                found.push(Found::new(
                    &operation.pointer,
                    format!("{} reads without a body, by its id", operation.label()),
                    "make it a GET",
                ));
            }
        }
    },
};

pub const OPERATION_ID: Rule = Rule {
    id: "operation-operationId",
    rationale: "Generated clients and servers name their methods by operationId.",
    default: Level::Warning,
    check: |document, found| {
        for operation in document.operations() {
            if operation.operation_id().is_none_or(str::is_empty) {
                found.push(Found::new(
                    &operation.pointer,
                    format!("{} has no operationId", operation.label()),
                    "add an `operationId` such as `listUsers`",
                ));
            }
        }
    },
};

pub const OPERATION_ID_UNIQUE: Rule = Rule {
    id: "operation-operationId-unique",
    rationale: "Two operations with one id become one method name, or a build error.",
    default: Level::Error,
    check: |document, found| {
        let mut seen: BTreeMap<String, String> = BTreeMap::new();
        for operation in document.operations() {
            let Some(id) = operation.operation_id() else {
                continue;
            };
            let id = id.to_string();
            let label = operation.label();
            if let Some(first) = seen.get(&id) {
                found.push(Found::new(
                    format!("{}/operationId", operation.pointer),
                    format!("operationId `{id}` of {label} is also {first}'s"),
                    "give each operation its own id",
                ));
            } else {
                seen.insert(id, label);
            }
        }
    },
};

pub const OPERATION_DESCRIPTION: Rule = Rule {
    id: "operation-description",
    rationale: "A description says what an operation does beyond its name, for docs and for clients' doc comments.",
    default: Level::Warning,
    check: |document, found| {
        for operation in document.operations() {
            let described = operation
                .node
                .get("description")
                .and_then(Value::as_str)
                .is_some_and(|text| !text.trim().is_empty());
            if !described {
                found.push(Found::new(
                    &operation.pointer,
                    format!("{} has no description", operation.label()),
                    "add a `description` (a `summary` is its title, not its description)",
                ));
            }
        }
    },
};

pub const OPERATION_TAGS: Rule = Rule {
    id: "operation-tags",
    rationale: "Tags group operations in docs, and split large generated crates into modules.",
    default: Level::Warning,
    check: |document, found| {
        for operation in document.operations() {
            let tagged = operation
                .node
                .get("tags")
                .and_then(Value::as_array)
                .is_some_and(|tags| !tags.is_empty());
            if !tagged {
                found.push(Found::new(
                    &operation.pointer,
                    format!("{} has no tags", operation.label()),
                    "add `tags` naming its area",
                ));
            }
        }
    },
};

pub const TAG_DEFINED: Rule = Rule {
    id: "operation-tag-defined",
    rationale: "A tag declared at the top has a description; a typo makes a second group.",
    default: Level::Warning,
    check: |document, found| {
        let declared: BTreeSet<&str> = document
            .root
            .get("tags")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|tag| tag.get("name").and_then(Value::as_str))
            .collect();
        for operation in document.operations() {
            let tags = operation.node.get("tags").and_then(Value::as_array);
            for (index, tag) in tags.into_iter().flatten().enumerate() {
                let Some(tag) = tag.as_str() else { continue };
                if !declared.contains(tag) {
                    found.push(Found::new(
                        format!("{}/tags/{index}", operation.pointer),
                        format!("tag `{tag}` of {} is not declared", operation.label()),
                        format!("declare `{tag}` with a description under the top-level `tags`"),
                    ));
                }
            }
        }
    },
};
