//! The document's own information: whom to ask, what it is, where it runs.

use serde_json::Value;

use super::{Found, Rule};
use crate::lint::config::Level;

pub const INFO_CONTACT: Rule = Rule {
    id: "info-contact",
    rationale: "Users of an API need someone to ask.",
    default: Level::Warning,
    check: |document, found| {
        if document.root.pointer("/info/contact").is_none() {
            found.push(Found::new(
                "#/info",
                "`info` has no `contact`",
                "add `contact` with a name, URL or email",
            ));
        }
    },
};

pub const INFO_DESCRIPTION: Rule = Rule {
    id: "info-description",
    rationale: "The description is the first thing a new user reads.",
    default: Level::Warning,
    check: |document, found| {
        let described = document
            .root
            .pointer("/info/description")
            .and_then(Value::as_str)
            .is_some_and(|text| !text.trim().is_empty());
        if !described {
            found.push(Found::new(
                "#/info",
                "`info` has no description",
                "add `info.description`",
            ));
        }
    },
};

pub const SERVERS: Rule = Rule {
    id: "oas3-api-servers",
    rationale: "Clients need a base URL, and the base path is where routes start.",
    default: Level::Warning,
    check: |document, found| {
        let servers = document.root.get("servers").and_then(Value::as_array);
        if servers.is_none_or(|servers| servers.is_empty()) {
            found.push(Found::new(
                "#",
                "the document declares no `servers`",
                "add `servers` with the API's URL",
            ));
        }
    },
};
