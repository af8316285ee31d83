//! Passes over the whole lowered API: checks that need every operation, and
//! fix-ups that need every type (open enums, boxing of recursive fields).

use std::collections::BTreeSet;
use std::path::Path;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::ir::{Api, Pagination, ParameterLocation, Schema, Security, TypeId, TypeKind, TypeRef};

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

/// A required `readOnly` field of a type that request bodies carry is left
/// out of requests (the server sets it), so it is an `Option` there.
pub fn mark_one_way_fields(api: &mut Api) {
    let mut in_requests = BTreeSet::new();
    for body in api
        .operations
        .iter()
        .filter_map(|o| o.request_body.as_ref())
    {
        collect_named(api, &body.schema, &mut in_requests);
    }
    for id in in_requests {
        if let TypeKind::Struct(def) = &mut api.types[id.0].kind {
            for field in def.fields.iter_mut().filter(|f| f.required && f.read_only) {
                field.one_way = true;
            }
        }
    }
}

/// Enums that can arrive in a response accept unknown values.
pub fn mark_open_enums(api: &mut Api) {
    let mut reachable = BTreeSet::new();
    for operation in &api.operations {
        for response in &operation.responses {
            let schemas = response
                .body
                .iter()
                .chain(response.headers.iter().map(|h| &h.schema));
            for schema in schemas {
                collect_named(api, schema, &mut reachable);
            }
        }
    }
    for id in reachable {
        if let TypeKind::Enum(def) = &mut api.types[id.0].kind {
            def.open = true;
        }
    }
}

fn collect_named(api: &Api, schema: &Schema, seen: &mut BTreeSet<TypeId>) {
    match &schema.ty {
        TypeRef::Named(id) => {
            if !seen.insert(*id) {
                return;
            }
            match &api.types[id.0].kind {
                TypeKind::Struct(def) => {
                    for field in &def.fields {
                        collect_named(api, &field.schema, seen);
                    }
                    if let Some(values) = &def.additional_properties {
                        collect_named(api, values, seen);
                    }
                }
                TypeKind::Union(def) => {
                    for variant in &def.variants {
                        collect_named(api, &variant.schema, seen);
                    }
                }
                TypeKind::Enum(_) => {}
            }
        }
        TypeRef::Array(inner) | TypeRef::Map(inner) => collect_named(api, inner, seen),
        TypeRef::Primitive(_) | TypeRef::Any => {}
    }
}

fn direct_children(api: &Api, id: TypeId) -> Vec<TypeId> {
    direct_children_indexed(api, id)
        .into_iter()
        .map(|(_, child)| child)
        .collect()
}

fn reaches(api: &Api, from: TypeId, target: TypeId) -> bool {
    let mut stack = vec![from];
    let mut seen = BTreeSet::new();
    while let Some(id) = stack.pop() {
        if id == target {
            return true;
        }
        if seen.insert(id) {
            stack.extend(direct_children(api, id));
        }
    }
    false
}

/// A field whose type contains its owner without indirection would make an
/// infinitely large type; such fields are boxed.
/// A required field whose type requires its owner again, through required
/// fields only, describes a value that cannot exist (it would be infinite).
/// Such a field is made optional, with a warning, so the type is usable.
pub fn break_impossible_cycles(api: &mut Api, file: &Path, diagnostics: &mut Diagnostics) {
    let required_child = |api: &Api, id: TypeId, index: usize| -> Option<TypeId> {
        match &api.types[id.0].kind {
            TypeKind::Struct(def) => {
                let field = &def.fields[index];
                let required = field.required
                    && !field.schema.nullable
                    && !field.one_way
                    && field.default.is_none();
                match (&field.schema.ty, required) {
                    (TypeRef::Named(child), true) => Some(*child),
                    _ => None,
                }
            }
            _ => None,
        }
    };
    let required_edges = |api: &Api, id: TypeId| -> Vec<TypeId> {
        match &api.types[id.0].kind {
            TypeKind::Struct(def) => (0..def.fields.len())
                .filter_map(|i| required_child(api, id, i))
                .collect(),
            _ => Vec::new(),
        }
    };
    for owner in 0..api.types.len() {
        let owner_id = TypeId(owner);
        let count = match &api.types[owner].kind {
            TypeKind::Struct(def) => def.fields.len(),
            _ => 0,
        };
        for index in 0..count {
            let Some(child) = required_child(api, owner_id, index) else {
                continue;
            };
            let mut stack = vec![child];
            let mut seen = BTreeSet::new();
            let mut cyclic = false;
            while let Some(id) = stack.pop() {
                if id == owner_id {
                    cyclic = true;
                    break;
                }
                if seen.insert(id) {
                    stack.extend(required_edges(api, id));
                }
            }
            if cyclic {
                if let TypeKind::Struct(def) = &mut api.types[owner].kind {
                    let field = &mut def.fields[index];
                    field.required = false;
                    diagnostics.push(
                        Diagnostic::warning(format!(
                            "`{}` requires a value that requires it again, which no finite value satisfies",
                            field.name.wire
                        ))
                        .in_file(file)
                        .at_pointer(field.pointer.clone())
                        .with_hint("make the property optional or nullable; it is generated as optional"),
                    );
                }
            }
        }
    }
}

pub fn box_recursive_fields(api: &mut Api) {
    let mut to_box = Vec::new();
    for owner in 0..api.types.len() {
        let owner_id = TypeId(owner);
        for (index, child) in direct_children_indexed(api, owner_id) {
            if reaches(api, child, owner_id) {
                to_box.push((owner, index));
            }
        }
    }
    for (owner, index) in to_box {
        match &mut api.types[owner].kind {
            TypeKind::Struct(def) => def.fields[index].boxed = true,
            TypeKind::Union(def) => def.variants[index].boxed = true,
            TypeKind::Enum(_) => {}
        }
    }
}

/// Types held directly (not behind a `Vec` or map) by a type, with the field or variant index.
fn direct_children_indexed(api: &Api, id: TypeId) -> Vec<(usize, TypeId)> {
    let direct = |schema: &Schema| match schema.ty {
        TypeRef::Named(child) => Some(child),
        _ => None,
    };
    match &api.types[id.0].kind {
        TypeKind::Struct(def) => def
            .fields
            .iter()
            .enumerate()
            .filter_map(|(i, f)| direct(&f.schema).map(|c| (i, c)))
            .collect(),
        TypeKind::Union(def) => def
            .variants
            .iter()
            .enumerate()
            .filter_map(|(i, v)| direct(&v.schema).map(|c| (i, c)))
            .collect(),
        TypeKind::Enum(_) => Vec::new(),
    }
}

/// Boxes union variants much larger than the others, so one large variant
/// does not make every value of the union large (clippy's `large_enum_variant`).
pub fn box_large_union_variants(api: &mut Api) {
    // Below clippy's 200-byte threshold, since sizes here are estimates.
    const MARGIN: usize = 128;
    for index in 0..api.types.len() {
        while let TypeKind::Union(union) = &api.types[index].kind {
            let mut sizes: Vec<(usize, usize)> = union
                .variants
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    let size = if v.boxed {
                        8
                    } else {
                        api.estimated_size(&v.schema)
                    };
                    (size, i)
                })
                .collect();
            sizes.sort_unstable_by(|a, b| b.cmp(a));
            let Some(&(largest, variant)) = sizes.first() else {
                break;
            };
            let second = sizes.get(1).map_or(0, |s| s.0);
            let boxable = matches!(union.variants[variant].schema.ty, TypeRef::Named(_));
            if largest < second + MARGIN || !boxable {
                break;
            }
            if let TypeKind::Union(union) = &mut api.types[index].kind {
                union.variants[variant].boxed = true;
            }
        }
    }
}
