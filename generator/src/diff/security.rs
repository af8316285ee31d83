//! Security: whether the credentials a client sends for an operation still
//! satisfy one of its requirements, and whether the schemes they name still
//! take the credential the same way.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::checks;
use super::collect::Collector;
use crate::document::{pointer, Document, OperationRef};

/// One security requirement: scheme name -> scopes. Empty: anonymous.
type Requirement = BTreeMap<String, BTreeSet<String>>;

pub(super) fn compare(c: &mut Collector<'_>, old: &OperationRef<'_>, new: &OperationRef<'_>) {
    let (old_document, new_document) = (c.old, c.new);
    let (old_at, old_requirements) = effective(old_document, old);
    let (new_at, new_requirements) = effective(new_document, new);
    let lost: Vec<&Requirement> = old_requirements
        .iter()
        .filter(|sent| {
            !new_requirements
                .iter()
                .any(|wanted| satisfies(sent, wanted))
        })
        .collect();
    if let Some(first) = lost.first() {
        let (check, message) = if first.is_empty() {
            (
                &checks::SECURITY_ADDED,
                format!(
                    "credentials are now required ({})",
                    describe(&new_requirements)
                ),
            )
        } else {
            (
                &checks::SECURITY_CHANGED,
                format!(
                    "security changed from {} to {}",
                    describe(&old_requirements),
                    describe(&new_requirements)
                ),
            )
        };
        c.report(check, message, Some(&old_at), Some(&new_at));
    } else if old_requirements != new_requirements
        && new_requirements
            .iter()
            .any(|wanted| !old_requirements.contains(wanted))
    {
        c.report(
            &checks::SECURITY_RELAXED,
            format!(
                "security relaxed from {} to {}",
                describe(&old_requirements),
                describe(&new_requirements)
            ),
            Some(&old_at),
            Some(&new_at),
        );
    }
    // The schemes both versions use must still take the credential as before.
    let used = |requirements: &[Requirement]| -> BTreeSet<String> {
        requirements
            .iter()
            .flat_map(|r| r.keys().cloned())
            .collect()
    };
    for name in used(&old_requirements).intersection(&used(&new_requirements)) {
        let old_scheme = scheme(old_document, name);
        let new_scheme = scheme(new_document, name);
        if old_scheme != new_scheme {
            let at = pointer(&["components", "securitySchemes", name]);
            c.report(
                &checks::SECURITY_SCHEME_CHANGED,
                format!(
                    "security scheme `{name}` changed from {} to {}",
                    old_scheme.unwrap_or_else(|| "undefined".into()),
                    new_scheme.unwrap_or_else(|| "undefined".into())
                ),
                Some(&at),
                Some(&at),
            );
        }
    }
}

/// The operation's requirements (its own, else the document's) and where
/// they are declared. No requirement at all means anonymous access.
fn effective(document: Document<'_>, op: &OperationRef<'_>) -> (String, Vec<Requirement>) {
    let (at, declared) = match op.node.get("security") {
        Some(own) => (format!("{}/security", op.pointer), Some(own)),
        None => match document.root.get("security") {
            Some(global) => ("#/security".to_string(), Some(global)),
            None => (op.pointer.clone(), None),
        },
    };
    let mut requirements: Vec<Requirement> = declared
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .map(|requirement| {
            requirement
                .iter()
                .map(|(name, scopes)| {
                    let scopes = scopes
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect();
                    (name.clone(), scopes)
                })
                .collect()
        })
        .collect();
    if requirements.is_empty() {
        requirements.push(Requirement::new());
    }
    (at, requirements)
}

/// Whether a client that satisfies `sent` also satisfies `wanted`: every
/// scheme `wanted` names is one `sent` names, with no scope `sent` lacks.
fn satisfies(sent: &Requirement, wanted: &Requirement) -> bool {
    wanted.iter().all(|(name, scopes)| {
        sent.get(name)
            .is_some_and(|granted| scopes.is_subset(granted))
    })
}

fn describe(requirements: &[Requirement]) -> String {
    let alternatives: Vec<String> = requirements
        .iter()
        .map(|requirement| {
            if requirement.is_empty() {
                return "none".to_string();
            }
            let schemes: Vec<String> = requirement
                .iter()
                .map(|(name, scopes)| {
                    if scopes.is_empty() {
                        format!("`{name}`")
                    } else {
                        let scopes: Vec<&str> = scopes.iter().map(String::as_str).collect();
                        format!("`{name}` ({})", scopes.join(", "))
                    }
                })
                .collect();
            schemes.join(" + ")
        })
        .collect();
    alternatives.join(" or ")
}

/// How a scheme takes its credential, in words: what clients must match.
fn scheme(document: Document<'_>, name: &str) -> Option<String> {
    let (_, node) = document
        .components("securitySchemes")
        .find(|(declared, _)| *declared == name)?;
    let node = document.resolve(node);
    let text = |key: &str| node.get(key).and_then(Value::as_str).unwrap_or("");
    Some(match text("type") {
        "apiKey" => format!("an API key in the {} `{}`", text("in"), text("name")),
        "http" => format!("HTTP `{}`", text("scheme").to_ascii_lowercase()),
        "oauth2" => {
            let mut flows: Vec<&str> = node
                .get("flows")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .map(|(flow, _)| flow.as_str())
                .collect();
            flows.sort_unstable();
            format!("OAuth 2 ({})", flows.join(", "))
        }
        "openIdConnect" => format!("OpenID Connect at {}", text("openIdConnectUrl")),
        other => format!("`{other}`"),
    })
}
