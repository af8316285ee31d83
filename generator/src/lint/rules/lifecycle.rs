//! What keeps an API usable as it grows and changes: paginated lists,
//! idempotency keys, rate limits, versions, and dated deprecations.

use serde_json::Value;

use super::{Found, Rule};
use crate::document::{Document, OperationRef};
use crate::lint::config::Level;

/// The names of the operation's parameters in `location`, resolved.
fn parameter_names<'a>(
    document: &Document<'a>,
    operation: &OperationRef<'a>,
    location: &str,
) -> Vec<String> {
    operation
        .parameters()
        .map(|parameter| document.resolve(parameter))
        .filter(|parameter| parameter.get("in").and_then(Value::as_str) == Some(location))
        .filter_map(|parameter| parameter.get("name").and_then(Value::as_str))
        .map(str::to_ascii_lowercase)
        .collect()
}

pub const LIST_PAGINATED: Rule = Rule {
    id: "list-paginated",
    rationale:
        "A list that returns everything at once grows until it times out; page it from the start.",
    default: Level::Warning,
    check: |document, found| {
        const PAGING: [&str; 7] = [
            "limit",
            "per_page",
            "page_size",
            "cursor",
            "page",
            "offset",
            "starting_after",
        ];
        for operation in document.operations() {
            if operation.method != "get" {
                continue;
            }
            let Some((_, response)) = operation.responses().find(|(status, _)| *status == "200")
            else {
                continue;
            };
            let response = document.resolve(response);
            let Some(schema) = response.pointer("/content/application~1json/schema") else {
                continue;
            };
            if document.resolve(schema).get("type").and_then(Value::as_str) != Some("array") {
                continue;
            }
            let paged = operation.node.contains_key("x-pagination")
                || parameter_names(document, &operation, "query")
                    .iter()
                    .any(|name| PAGING.contains(&name.as_str()));
            if !paged {
                found.push(Found::new(
                    &operation.pointer,
                    format!("{} returns a list without pagination", operation.label()),
                    "declare `x-pagination` (cursor style for lists that grow without bound)",
                ));
            }
        }
    },
};

pub const LIST_CURSOR_PAGINATION: Rule = Rule {
    id: "list-cursor-pagination",
    rationale: "Page numbers skip and repeat items as a growing list shifts; cursors do not.",
    default: Level::Warning,
    check: |document, found| {
        for operation in document.operations() {
            if operation.method != "get" {
                continue;
            }
            let declared = operation.node.get("x-pagination");
            let style = declared
                .and_then(|p| p.get("style"))
                .and_then(Value::as_str);
            let bounded = declared
                .and_then(|p| p.get("bounded"))
                .and_then(Value::as_bool)
                == Some(true);
            let query = parameter_names(document, &operation, "query");
            let numbered = style == Some("page")
                || (declared.is_none()
                    && query.iter().any(|name| name == "page" || name == "offset")
                    && !query.iter().any(|name| name == "cursor"));
            if numbered && !bounded {
                found.push(Found::new(
                    &operation.pointer,
                    format!("{} pages by number", operation.label()),
                    "page a list that grows without bound by cursor (`x-pagination: {style: cursor}`), or say it stays small with `bounded: true`",
                ));
            }
        }
    },
};

pub const IDEMPOTENCY_KEY: Rule = Rule {
    id: "idempotency-key",
    rationale: "A client that retries a POST or PATCH after a timeout must not do it twice.",
    default: Level::Warning,
    check: |document, found| {
        for operation in document.operations() {
            if !matches!(operation.method, "post" | "patch") {
                continue;
            }
            let takes_key = operation.node.contains_key("x-idempotency")
                || parameter_names(document, &operation, "header")
                    .iter()
                    .any(|name| name == "idempotency-key");
            if !takes_key {
                found.push(Found::new(
                    &operation.pointer,
                    format!("{} takes no `Idempotency-Key`", operation.label()),
                    "declare `x-idempotency` (`required: false` keeps keys optional)",
                ));
            }
        }
    },
};

pub const RATE_LIMITED: Rule = Rule {
    id: "rate-limited",
    rationale:
        "Every operation has a limit, and clients learn it from `429` and the `RateLimit` headers.",
    default: Level::Warning,
    check: |document, found| {
        if document.root.get("x-rate-limit").is_some() {
            return;
        }
        for operation in document.operations() {
            let limited = operation.node.contains_key("x-rate-limit")
                || operation.responses().any(|(status, _)| status == "429");
            if !limited {
                found.push(Found::new(
                    &operation.pointer,
                    format!(
                        "{} has no rate limit and documents no 429",
                        operation.label()
                    ),
                    "declare `x-rate-limit` at the top or on the operation (`false` to exempt it)",
                ));
            }
        }
    },
};

/// Whether a URL or path names a version: a segment `v` and digits.
fn has_version(text: &str) -> bool {
    text.split('/').any(|segment| {
        segment.len() > 1
            && segment.starts_with('v')
            && segment[1..].chars().all(|c| c.is_ascii_digit())
    })
}

pub const VERSION_IN_PATH: Rule = Rule {
    id: "version-in-path",
    rationale: "A version in the URL (`/v1`) lets a second version be served beside the first.",
    default: Level::Warning,
    check: |document, found| {
        let servers = document.root.get("servers").and_then(Value::as_array);
        let in_servers = servers
            .into_iter()
            .flatten()
            .filter_map(|server| server.get("url").and_then(Value::as_str))
            .any(has_version);
        // Operational routes (`/health`) may stand outside the versions.
        let in_paths = document.paths().any(|(path, _, _)| has_version(path));
        if !in_servers && !in_paths {
            found.push(Found::new(
                if servers.is_some() { "#/servers" } else { "#" },
                "no server URL or path names a version",
                "put the major version in the server URL (`https://api.example.com/v1`)",
            ));
        }
    },
};

pub const DEPRECATION_DATES: Rule = Rule {
    id: "deprecation-dates",
    rationale: "Clients plan a migration from the date a deprecation began and the date the operation goes.",
    default: Level::Warning,
    check: |document, found| {
        for operation in document.operations() {
            if operation.node.get("deprecated").and_then(Value::as_bool) != Some(true) {
                continue;
            }
            for extension in ["x-deprecated-at", "x-sunset"] {
                if !operation.node.contains_key(extension) {
                    found.push(Found::new(
                        &operation.pointer,
                        format!("{} is deprecated without `{extension}`", operation.label()),
                        format!("add `{extension}` with an HTTP date; the server sends it as a header"),
                    ));
                }
            }
        }
    },
};
