//! Recursive types: values that cannot exist, fields that need a `Box`, and
//! union variants too large to hold inline.

use std::collections::BTreeSet;
use std::path::Path;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::ir::{Api, Schema, TypeId, TypeKind, TypeRef};

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
