//! Checks that need every operation: extension values that must name
//! something real, and security requirements the generated code can check.

use std::collections::BTreeSet;
use std::path::Path;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::ir::{Api, Pagination, ParameterLocation, Security};

/// `x-pagination` must name query parameters the operation has.
pub fn check_pagination(api: &Api, file: &Path, diagnostics: &mut Diagnostics) {
    for operation in &api.operations {
        let Some(pagination) = &operation.extensions.pagination else {
            continue;
        };
        let names: Vec<&str> = match pagination {
            Pagination::Page {
                page_param,
                per_page_param,
            } => vec![page_param, per_page_param],
            Pagination::Cursor {
                cursor_param,
                limit_param,
            } => vec![cursor_param, limit_param],
        };
        for name in names {
            let found = operation
                .parameters
                .iter()
                .any(|p| p.location == ParameterLocation::Query && p.name.wire == name);
            if !found {
                diagnostics.push(
                    Diagnostic::error(format!(
                        "`x-pagination` names the query parameter `{name}`, which `{}` does not have",
                        operation.id.wire
                    ))
                    .in_file(file)
                    .at_pointer(format!("{}/x-pagination", operation.pointer))
                    .with_hint("declare the parameter with `in: query`, or name the right one"),
                );
            }
        }
    }
}

/// `x-envelope: {error-schema: X}` must name a schema component with a type of its own.
pub fn check_envelope(api: &Api, file: &Path, diagnostics: &mut Diagnostics) {
    let Some(name) = api
        .extensions
        .envelope
        .as_ref()
        .and_then(|e| e.error_schema.as_ref())
    else {
        return;
    };
    if api.envelope_error_type().is_none() {
        diagnostics.push(
            Diagnostic::error(format!(
                "`x-envelope` names the error schema `{name}`, which is not an object schema component"
            ))
            .in_file(file)
            .at_pointer("#/x-envelope/error-schema")
            .with_hint("define it under `components/schemas` as an object with `code`, `message` and `details`"),
        );
    }
}

/// A deprecated operation needs a date for its `Deprecation` header.
pub fn check_deprecation(api: &Api, file: &Path, diagnostics: &mut Diagnostics) {
    for operation in api
        .operations
        .iter()
        .filter(|o| o.deprecated && o.extensions.deprecated_at.is_none())
    {
        diagnostics.push(
            Diagnostic::warning(format!(
                "`{}` is deprecated without `x-deprecated-at`, so its responses carry no `Deprecation` header",
                operation.id.wire
            ))
            .in_file(file)
            .at_pointer(format!("{}/deprecated", operation.pointer))
            .with_hint("add `x-deprecated-at: <HTTP date>` (RFC 9745 needs the date the deprecation began)"),
        );
    }
}

/// `x-idempotency` where a key means nothing, and policies that share a
/// name (and so a counter) but not their numbers.
pub fn check_guards(api: &Api, file: &Path, diagnostics: &mut Diagnostics) {
    for operation in &api.operations {
        if operation.extensions.idempotency.is_some() && operation.idempotency().is_none() {
            diagnostics.push(
                Diagnostic::warning(format!(
                    "`x-idempotency` on `{}` is ignored: {} requests ignore `Idempotency-Key`",
                    operation.id.wire,
                    operation.method.as_str()
                ))
                .in_file(file)
                .at_pointer(format!("{}/x-idempotency", operation.pointer))
                .with_hint("remove it, or move it to the POST, PUT or PATCH operation it protects"),
            );
        }
    }
    let mut seen: Vec<(&crate::ir::RateLimitPolicy, &str)> = Vec::new();
    for operation in &api.operations {
        for policy in api.rate_limit_policies(operation) {
            match seen.iter().find(|(known, _)| known.name == policy.name) {
                Some((known, _)) if *known == policy => {}
                Some((_, first)) => diagnostics.push(
                    Diagnostic::warning(format!(
                        "two rate-limit policies are named `{}` but differ; they share one counter per key",
                        policy.name
                    ))
                    .in_file(file)
                    .at_pointer(format!("{}/x-rate-limit", operation.pointer))
                    .with_hint(format!(
                        "give this policy its own `name`, or make it the same as the one on `{first}`"
                    )),
                ),
                None => seen.push((policy, &operation.id.wire)),
            }
        }
    }
}

/// A security requirement naming a scheme the spec does not declare (or
/// one the generated code cannot check) is left out, with a warning: the
/// operation keeps its other requirements, and is public if none is left.
pub fn drop_unknown_security(api: &mut Api, file: &Path, diagnostics: &mut Diagnostics) {
    let known: BTreeSet<String> = api
        .security_schemes
        .iter()
        .map(|s| s.name.wire.clone())
        .collect();
    for operation in &mut api.operations {
        let Security::AnyOf(requirements) = &mut operation.security else {
            continue;
        };
        let mut unknown: Vec<String> = Vec::new();
        requirements.retain(|requirement| {
            let missing: Vec<&String> = requirement
                .schemes
                .iter()
                .filter(|scheme| !known.contains(*scheme))
                .collect();
            unknown.extend(missing.iter().map(|s| s.to_string()));
            missing.is_empty()
        });
        if unknown.is_empty() {
            continue;
        }
        unknown.dedup();
        let names = unknown
            .iter()
            .map(|s| format!("`{s}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let outcome = if requirements.is_empty() {
            operation.security = Security::Public;
            "so the operation is generated as public: check credentials in your handler"
        } else {
            "the operation's other requirements still apply"
        };
        diagnostics.push(
            Diagnostic::warning(format!(
                "security scheme {names} is not declared (or not supported); the requirement that names it is left out, {outcome}"
            ))
            .in_file(file)
            .at_pointer(operation.pointer.clone())
            .with_hint("declare the scheme under `components/securitySchemes`"),
        );
    }
}
