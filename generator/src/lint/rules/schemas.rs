//! Schemas: described, one property casing, and nothing declared unused.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{Found, Rule};
use crate::document::pointer;
use crate::lint::config::Level;

pub const SCHEMA_DESCRIPTION: Rule = Rule {
    id: "schema-description",
    rationale: "A named schema's description becomes the generated type's documentation.",
    default: Level::Warning,
    check: |document, found| {
        for (name, schema) in document.components("schemas") {
            let described = schema
                .get("description")
                .and_then(Value::as_str)
                .is_some_and(|text| !text.trim().is_empty())
                || schema.get("$ref").is_some();
            if !described {
                found.push(Found::new(
                    pointer(&["components", "schemas", name]),
                    format!("schema `{name}` has no description"),
                    "add a `description`",
                ));
            }
        }
    },
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Casing {
    Snake,
    Camel,
    Kebab,
    Pascal,
}

impl Casing {
    /// The casing of a name of two words or more; one word says nothing.
    fn of(name: &str) -> Option<Casing> {
        let upper = name.chars().any(|c| c.is_ascii_uppercase());
        let starts_upper = name.starts_with(|c: char| c.is_ascii_uppercase());
        match (name.contains('_'), name.contains('-'), upper) {
            (true, false, false) => Some(Casing::Snake),
            (false, true, false) => Some(Casing::Kebab),
            (false, false, true) if starts_upper => Some(Casing::Pascal),
            (false, false, true) => Some(Casing::Camel),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Casing::Snake => "snake_case",
            Casing::Camel => "camelCase",
            Casing::Kebab => "kebab-case",
            Casing::Pascal => "PascalCase",
        }
    }
}

pub const PROPERTY_CASING: Rule = Rule {
    id: "property-casing",
    rationale: "Clients map every property the same way when the API spells them one way.",
    default: Level::Warning,
    check: |document, found| {
        let mut properties: Vec<(String, String, Casing)> = Vec::new();
        for (schema_name, schema) in document.components("schemas") {
            let Some(fields) = schema.get("properties").and_then(Value::as_object) else {
                continue;
            };
            for property in fields.keys() {
                if let Some(casing) = Casing::of(property) {
                    let at =
                        pointer(&["components", "schemas", schema_name, "properties", property]);
                    properties.push((at, property.clone(), casing));
                }
            }
        }
        let mut counts: BTreeMap<Casing, usize> = BTreeMap::new();
        for (_, _, casing) in &properties {
            *counts.entry(*casing).or_default() += 1;
        }
        let Some((&usual, _)) = counts
            .iter()
            .max_by_key(|(casing, count)| (**count, std::cmp::Reverse(**casing)))
        else {
            return;
        };
        for (at, property, casing) in properties {
            if casing != usual {
                found.push(Found::new(
                    at,
                    format!(
                        "property `{property}` is {}, most properties are {}",
                        casing.name(),
                        usual.name()
                    ),
                    format!("spell it in {}", usual.name()),
                ));
            }
        }
    },
};

/// Component kinds referenced by `$ref`; security schemes are named by requirements instead.
const REFERENCED_KINDS: [&str; 6] = [
    "schemas",
    "responses",
    "parameters",
    "requestBodies",
    "headers",
    "examples",
];

pub const UNUSED_COMPONENT: Rule = Rule {
    id: "oas3-unused-component",
    rationale: "A component nothing refers to is dead weight, or a reference someone forgot.",
    default: Level::Warning,
    check: |document, found| {
        let references = crate::load::references(document.root);
        for kind in REFERENCED_KINDS {
            for (name, _) in document.components(kind) {
                let target = pointer(&["components", kind, name]);
                if !references.contains(&target) {
                    found.push(Found::new(
                        &target,
                        format!("`{name}` under `components/{kind}` is never referenced"),
                        "refer to it with `$ref`, or remove it",
                    ));
                }
            }
        }
    },
};
