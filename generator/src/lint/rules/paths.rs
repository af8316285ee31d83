//! Paths name resources: plural nouns in kebab-case, no verbs.

use super::{Found, Rule};
use crate::document::literal_segments;
use crate::lint::config::Level;

pub const KEBAB_CASE: Rule = Rule {
    id: "paths-kebab-case",
    rationale: "One spelling for every URL: lowercase words joined by hyphens.",
    default: Level::Warning,
    check: |document, found| {
        for (path, _, pointer) in document.paths() {
            for segment in literal_segments(path) {
                if !is_kebab(segment) && !segment.contains('.') {
                    found.push(Found::new(
                        &pointer,
                        format!("path segment `{segment}` of `{path}` is not kebab-case"),
                        format!("write it as `{}`", to_kebab(segment)),
                    ));
                }
            }
        }
    },
};

pub const PLURAL_RESOURCES: Rule = Rule {
    id: "paths-plural-resources",
    rationale:
        "A collection is named by a plural noun, and one of its items by the collection and an id.",
    default: Level::Warning,
    check: |document, found| {
        for (path, _, pointer) in document.paths() {
            let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
            for pair in segments.windows(2) {
                let (name, next) = (pair[0], pair[1]);
                if next.starts_with('{') && !name.starts_with('{') && !is_plural(name) {
                    found.push(Found::new(
                        &pointer,
                        format!("`{name}` in `{path}` names a collection but is not plural"),
                        format!("use the plural, such as `{name}s`"),
                    ));
                }
            }
        }
    },
};

/// Words that are verbs when they start a segment: `/getUser`, `/users/{id}/create`.
const VERBS: [&str; 16] = [
    "get", "create", "update", "delete", "remove", "list", "fetch", "add", "set", "make", "do",
    "edit", "modify", "retrieve", "insert", "put",
];

pub const NO_VERBS: Rule = Rule {
    id: "paths-no-verbs",
    rationale: "The method is the verb; the path names the resource it acts on.",
    default: Level::Warning,
    check: |document, found| {
        for (path, _, pointer) in document.paths() {
            for segment in literal_segments(path) {
                let first_word = first_word(segment);
                if VERBS.contains(&first_word.as_str()) {
                    found.push(Found::new(
                        &pointer,
                        format!("`{segment}` in `{path}` is a verb"),
                        "name the resource and let the method say what happens to it",
                    ));
                }
            }
        }
    },
};

pub const NO_TRAILING_SLASH: Rule = Rule {
    id: "path-keys-no-trailing-slash",
    rationale: "`/users/` and `/users` are different URLs to clients and caches.",
    default: Level::Warning,
    check: |document, found| {
        for (path, _, pointer) in document.paths() {
            if path.len() > 1 && path.ends_with('/') {
                found.push(Found::new(
                    pointer,
                    format!("`{path}` ends with `/`"),
                    "remove the trailing slash",
                ));
            }
        }
    },
};

pub const NO_QUERY: Rule = Rule {
    id: "path-not-include-query",
    rationale: "Query parameters are declared as parameters, not written into the path.",
    default: Level::Warning,
    check: |document, found| {
        for (path, _, pointer) in document.paths() {
            if path.contains('?') {
                found.push(Found::new(
                    pointer,
                    format!("`{path}` holds a query string"),
                    "declare `in: query` parameters instead",
                ));
            }
        }
    },
};

fn is_kebab(segment: &str) -> bool {
    segment
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

fn to_kebab(segment: &str) -> String {
    use heck::ToKebabCase;
    segment.to_kebab_case()
}

/// The first word of a segment in any casing: `getUser` -> `get`.
fn first_word(segment: &str) -> String {
    use heck::ToSnakeCase;
    segment
        .to_snake_case()
        .split('_')
        .next()
        .unwrap_or_default()
        .to_string()
}

/// Plural enough: English plurals end in `s` (`users`, `addresses`), and a
/// few common nouns are their own plural.
fn is_plural(word: &str) -> bool {
    const SAME: [&str; 6] = ["data", "media", "metadata", "people", "children", "info"];
    let last = word.rsplit('-').next().unwrap_or(word).to_ascii_lowercase();
    last.ends_with('s') || SAME.contains(&last.as_str()) || last.chars().all(|c| c.is_ascii_digit())
}
