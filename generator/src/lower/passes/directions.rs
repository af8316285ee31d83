//! Which way each type travels (in requests, in responses), and what that
//! changes: open enums in responses, read-only fields left out of requests.

use std::collections::BTreeSet;

use crate::ir::{Api, Schema, TypeId, TypeKind, TypeRef};

/// Fields of the types request bodies carry: a required `readOnly` one is
/// left out of requests (the server sets it), so it is an `Option`; an
/// optional nullable one keeps absent and `null` apart.
pub fn mark_request_fields(api: &mut Api) {
    let mut in_requests = BTreeSet::new();
    for body in api
        .operations
        .iter()
        .filter_map(|o| o.request_body.as_ref())
        .flat_map(|body| &body.contents)
    {
        collect_named(api, &body.schema, &mut in_requests);
    }
    for id in in_requests {
        if let TypeKind::Struct(def) = &mut api.types[id.0].kind {
            for field in &mut def.fields {
                if field.required && field.read_only {
                    field.one_way = true;
                }
                if !field.required && field.schema.nullable && field.applied_default().is_none() {
                    field.explicit_null = true;
                }
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

pub(super) fn collect_named(api: &Api, schema: &Schema, seen: &mut BTreeSet<TypeId>) {
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
