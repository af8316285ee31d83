//! The rules of `specforge lint`, each with a stable id, a one-line
//! rationale and a default level. The design rules follow the flagship's
//! API guide; the generic ones cover Spectral's `spectral:oas` ruleset.

mod document_rules;
mod lifecycle;
mod operations;
mod paths;
mod responses;
mod schemas;

use super::config::Level;
use crate::document::Document;

/// One rule.
pub struct Rule {
    /// Stable: configuration and suppressions name it.
    pub id: &'static str,
    /// Why the rule exists, in one line.
    pub rationale: &'static str,
    pub default: Level,
    pub check: fn(&Document<'_>, &mut Vec<Found>),
}

/// What a rule found: where, what, and what to do.
pub struct Found {
    pub pointer: String,
    pub message: String,
    pub hint: String,
}

impl Found {
    pub fn new(
        pointer: impl Into<String>,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> Self {
        Found {
            pointer: pointer.into(),
            message: message.into(),
            hint: hint.into(),
        }
    }
}

/// Every rule, in the order `docs/lint.md` lists them.
pub const RULES: &[Rule] = &[
    paths::KEBAB_CASE,
    paths::PLURAL_RESOURCES,
    paths::NO_VERBS,
    paths::NO_TRAILING_SLASH,
    paths::NO_QUERY,
    operations::NO_BODY_ON_READ,
    operations::POST_THAT_READS,
    operations::OPERATION_ID,
    operations::OPERATION_ID_UNIQUE,
    operations::OPERATION_DESCRIPTION,
    operations::OPERATION_TAGS,
    operations::TAG_DEFINED,
    responses::CREATE_201,
    responses::DELETE_204,
    responses::ONE_ERROR_SCHEMA,
    responses::SUCCESS_RESPONSE,
    lifecycle::LIST_PAGINATED,
    lifecycle::LIST_CURSOR_PAGINATION,
    lifecycle::IDEMPOTENCY_KEY,
    lifecycle::RATE_LIMITED,
    lifecycle::VERSION_IN_PATH,
    lifecycle::DEPRECATION_DATES,
    schemas::SCHEMA_DESCRIPTION,
    schemas::PROPERTY_CASING,
    schemas::UNUSED_COMPONENT,
    document_rules::INFO_CONTACT,
    document_rules::INFO_DESCRIPTION,
    document_rules::SERVERS,
];

pub fn find(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|rule| rule.id == id)
}
