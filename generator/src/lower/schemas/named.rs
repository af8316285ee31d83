//! Named enums and unions, and the dispatch for every named type.

use openapiv3::{ReferenceOr, Schema as OaSchema, SchemaKind, Type};

use super::{docs, Shape, TypeLowering, SCHEMAS_PREFIX};
use crate::ir::{
    EnumDef, Name, Primitive, Schema, TypeDef, TypeGroup, TypeKind, TypeRef, UnionDef, UnionVariant,
};
use crate::naming::{self, Namespace};

impl<'a> TypeLowering<'a> {
    pub(super) fn build_named(&mut self, schema: &OaSchema, name: &str, pointer: &str) -> TypeDef {
        let docs = docs(&schema.schema_data);
        let kind = match self.shape(schema) {
            Shape::Enum => TypeKind::Enum(self.build_enum(schema)),
            Shape::Union => TypeKind::Union(self.build_union(schema, name, pointer)),
            Shape::Struct | Shape::Inline => {
                TypeKind::Struct(self.build_struct(schema, name, pointer))
            }
        };
        TypeDef {
            name: name.to_string(),
            docs,
            kind,
            group: TypeGroup::Model,
            pointer: pointer.to_string(),
        }
    }

    fn build_enum(&mut self, schema: &OaSchema) -> EnumDef {
        // Integers are kept as their decimal text, as string values are kept.
        let (values, integer): (Vec<String>, bool) = match &schema.schema_kind {
            SchemaKind::Type(Type::String(string)) => (
                string.enumeration.iter().flatten().cloned().collect(),
                false,
            ),
            SchemaKind::Type(Type::Integer(integer)) => (
                integer
                    .enumeration
                    .iter()
                    .flatten()
                    .map(i64::to_string)
                    .collect(),
                true,
            ),
            SchemaKind::Any(any) if any.typ.as_deref() == Some("integer") => (
                any.enumeration
                    .iter()
                    .filter_map(serde_json::Value::as_i64)
                    .map(|n| n.to_string())
                    .collect(),
                true,
            ),
            SchemaKind::Any(any) => (
                any.enumeration
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect(),
                false,
            ),
            _ => (Vec::new(), false),
        };
        // `x-enum-varnames` (openapi-generator's, and what 3.1 `title`s on
        // `const`s become) names the variants when it names them all.
        let given: Option<Vec<String>> = schema
            .schema_data
            .extensions
            .get("x-enum-varnames")
            .and_then(serde_json::Value::as_array)
            .filter(|names| names.len() == values.len())
            .and_then(|names| {
                names
                    .iter()
                    .map(|n| n.as_str().map(str::to_string))
                    .collect()
            });
        let mut names = Namespace::new();
        let mut variants = Vec::new();
        for (index, value) in values.into_iter().enumerate() {
            if variants.iter().any(|v: &Name| v.wire == value) {
                continue;
            }
            let from_spec = given.as_ref().and_then(|g| naming::variant_name(&g[index]));
            let candidate = from_spec
                .or_else(|| (!integer).then(|| naming::variant_name(&value)).flatten())
                .unwrap_or_else(|| match value.strip_prefix('-') {
                    Some(magnitude) if integer => format!("Minus{magnitude}"),
                    _ if integer => format!("Value{value}"),
                    _ => format!("Value{index}"),
                });
            variants.push(Name {
                rust: names.claim(&candidate),
                wire: value,
            });
        }
        EnumDef {
            variants,
            open: false,
            integer,
        }
    }

    fn build_union(&mut self, schema: &OaSchema, name: &str, pointer: &str) -> UnionDef {
        let (key, members): (&str, &[ReferenceOr<OaSchema>]) = match &schema.schema_kind {
            SchemaKind::OneOf { one_of } => ("oneOf", one_of),
            SchemaKind::AnyOf { any_of } => ("anyOf", any_of),
            SchemaKind::Any(any) if !any.one_of.is_empty() => ("oneOf", &any.one_of),
            SchemaKind::Any(any) => ("anyOf", &any.any_of),
            _ => ("oneOf", &[]),
        };
        let discriminator = schema.schema_data.discriminator.as_ref();
        let mut names = Namespace::new();
        let mut variants = Vec::new();
        for (index, member) in members.iter().enumerate() {
            let member_pointer = format!("{pointer}/{key}/{index}");
            let lowered = self.lower(
                member.into(),
                &member_pointer,
                &format!("{name}Variant{index}"),
            );
            let candidate = self.variant_candidate(&lowered, index);
            let mut tags = Vec::new();
            if let (Some(discriminator), Some(reference)) =
                (discriminator, member_reference(member))
            {
                tags.extend(
                    discriminator
                        .mapping
                        .iter()
                        .filter(|(_, target)| mapping_target(target) == *reference)
                        .map(|(tag, _)| tag.clone()),
                );
                if tags.is_empty() {
                    // The implicit mapping: the schema's own name.
                    if let Some(schema_name) = reference.strip_prefix(SCHEMAS_PREFIX) {
                        tags.push(schema_name.to_string());
                    }
                }
            }
            if discriminator.is_some() && tags.is_empty() {
                self.warn(
                    "this union member has no discriminator value, so it can never be chosen".into(),
                    &member_pointer,
                    "make the member a `$ref` to a schema component, or list it in `discriminator.mapping`",
                );
            }
            variants.push(UnionVariant {
                name: names.claim(&candidate),
                schema: lowered,
                tags,
                boxed: false,
            });
        }
        UnionDef {
            variants,
            discriminator: discriminator.map(|d| d.property_name.clone()),
        }
    }

    fn variant_candidate(&self, schema: &Schema, index: usize) -> String {
        match &schema.ty {
            TypeRef::Named(id) => self.reserved_name(*id),
            TypeRef::Primitive(p) => match p {
                Primitive::String => "String".into(),
                Primitive::Boolean => "Boolean".into(),
                Primitive::I32 | Primitive::I64 => "Integer".into(),
                Primitive::F32 | Primitive::F64 => "Number".into(),
                Primitive::DateTime => "DateTime".into(),
                Primitive::Date => "Date".into(),
                Primitive::Uuid => "Uuid".into(),
                Primitive::Binary => "Binary".into(),
            },
            TypeRef::Array(_) => "Array".into(),
            TypeRef::Map(_) => "Map".into(),
            TypeRef::Any => format!("Variant{index}"),
        }
    }
}

/// The component a union member names: a `$ref`, or a lone-member `allOf`
/// around one (how a reference carries its own description or `nullable`).
fn member_reference(member: &ReferenceOr<OaSchema>) -> Option<&str> {
    match member {
        ReferenceOr::Reference { reference } => Some(reference),
        ReferenceOr::Item(schema) => match &schema.schema_kind {
            SchemaKind::AllOf { all_of } => match all_of.as_slice() {
                [ReferenceOr::Reference { reference }] => Some(reference),
                _ => None,
            },
            _ => None,
        },
    }
}

fn mapping_target(target: &str) -> String {
    if target.starts_with('#') {
        target.to_string()
    } else {
        format!("{SCHEMAS_PREFIX}{target}")
    }
}
