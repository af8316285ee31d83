//! Which types have anything to validate.

use std::collections::BTreeSet;

use super::rules::schema_has_own_rules;
use crate::ir::{Api, Schema, TypeId, TypeKind, TypeRef};

/// Types whose `validate_at` checks something, found by fixpoint over the type graph.
pub(super) fn types_needing_validation(api: &Api) -> BTreeSet<TypeId> {
    let mut needs = BTreeSet::new();
    loop {
        let before = needs.len();
        for (index, def) in api.types.iter().enumerate() {
            let id = TypeId(index);
            if needs.contains(&id) {
                continue;
            }
            let needed = match &def.kind {
                TypeKind::Struct(s) => {
                    s.fields
                        .iter()
                        .any(|f| schema_needs(&f.schema, &needs) || f.required_write_only())
                        || s.additional_properties
                            .as_ref()
                            .is_some_and(|v| schema_needs(v, &needs))
                }
                TypeKind::Enum(e) => e.open,
                TypeKind::Union(u) => u.variants.iter().any(|v| schema_needs(&v.schema, &needs)),
            };
            if needed {
                needs.insert(id);
            }
        }
        if needs.len() == before {
            return needs;
        }
    }
}

fn schema_needs(schema: &Schema, needs: &BTreeSet<TypeId>) -> bool {
    schema_has_own_rules(schema)
        || match &schema.ty {
            TypeRef::Named(id) => needs.contains(id),
            TypeRef::Array(inner) | TypeRef::Map(inner) => schema_needs(inner, needs),
            _ => false,
        }
}
