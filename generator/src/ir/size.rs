//! Rough sizes of generated values, to decide what to box.

use std::collections::BTreeSet;

use super::{Api, Primitive, Schema, TypeId, TypeKind, TypeRef};

impl Api {
    /// An over-estimate of the size in bytes of a generated value of `schema`.
    pub fn estimated_size(&self, schema: &Schema) -> usize {
        estimated_size(self, schema, &mut BTreeSet::new())
    }
}

pub(crate) fn estimated_size(api: &Api, schema: &Schema, seen: &mut BTreeSet<TypeId>) -> usize {
    let option = if schema.nullable { 8 } else { 0 };
    let size = match &schema.ty {
        TypeRef::Primitive(p) => match p {
            Primitive::String | Primitive::Binary => 24,
            Primitive::DateTime | Primitive::Uuid => 16,
            _ => 8,
        },
        TypeRef::Array(_) | TypeRef::Map(_) => 24,
        TypeRef::Any => 32,
        TypeRef::Named(id) => {
            if !seen.insert(*id) {
                return 8;
            }
            let size = match &api.types[id.0].kind {
                TypeKind::Enum(def) => {
                    if def.open {
                        24
                    } else {
                        8
                    }
                }
                TypeKind::Struct(def) => {
                    let fields: usize = def
                        .fields
                        .iter()
                        .map(|f| {
                            if f.boxed {
                                8
                            } else {
                                estimated_size(api, &f.schema, seen)
                                    + if f.is_optional() { 8 } else { 0 }
                            }
                        })
                        .sum();
                    fields
                        + if def.additional_properties.is_some() {
                            24
                        } else {
                            0
                        }
                }
                TypeKind::Union(def) => {
                    8 + def
                        .variants
                        .iter()
                        .map(|v| {
                            if v.boxed {
                                8
                            } else {
                                estimated_size(api, &v.schema, seen)
                            }
                        })
                        .max()
                        .unwrap_or(0)
                }
            };
            seen.remove(id);
            size
        }
    };
    size + option
}
