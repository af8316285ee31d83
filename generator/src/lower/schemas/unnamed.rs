//! Schemas that need no type of their own: scalars, arrays, maps and
//! single-member wrappers, inlined at each use with their rules.

use indexmap::IndexMap;
use openapiv3::{
    AdditionalProperties, Schema as OaSchema, SchemaKind, Type, VariantOrUnknownOrEmpty,
};

use super::TypeLowering;
use crate::ir::{Primitive, Rules, Schema, StringFormat, TypeRef};

impl<'a> TypeLowering<'a> {
    /// A schema that needs no type of its own: scalars, arrays, maps, single-member wrappers.
    pub(super) fn lower_unnamed(&mut self, schema: &OaSchema, pointer: &str, hint: &str) -> Schema {
        match &schema.schema_kind {
            SchemaKind::Type(Type::String(string)) => {
                let format = match &string.format {
                    VariantOrUnknownOrEmpty::Item(format) => format_name(*format),
                    VariantOrUnknownOrEmpty::Unknown(other) => other.as_str(),
                    VariantOrUnknownOrEmpty::Empty => "",
                };
                let (primitive, string_format) = string_primitive(format);
                let mut rules = Rules {
                    min_length: string.min_length,
                    max_length: string.max_length,
                    pattern: string.pattern.clone(),
                    format: string_format,
                    ..Rules::default()
                };
                self.check_pattern(&mut rules, pointer);
                Schema {
                    ty: TypeRef::Primitive(primitive),
                    nullable: false,
                    rules,
                }
            }
            SchemaKind::Type(Type::Integer(integer)) => {
                let primitive = match &integer.format {
                    VariantOrUnknownOrEmpty::Item(openapiv3::IntegerFormat::Int32) => {
                        Primitive::I32
                    }
                    _ => Primitive::I64,
                };
                Schema {
                    ty: TypeRef::Primitive(primitive),
                    nullable: false,
                    rules: Rules {
                        minimum: integer.minimum.map(|v| v as f64),
                        maximum: integer.maximum.map(|v| v as f64),
                        exclusive_minimum: integer.exclusive_minimum,
                        exclusive_maximum: integer.exclusive_maximum,
                        multiple_of: integer.multiple_of.map(|v| v as f64),
                        ..Rules::default()
                    },
                }
            }
            SchemaKind::Type(Type::Number(number)) => {
                let primitive = match &number.format {
                    VariantOrUnknownOrEmpty::Item(openapiv3::NumberFormat::Float) => Primitive::F32,
                    _ => Primitive::F64,
                };
                Schema {
                    ty: TypeRef::Primitive(primitive),
                    nullable: false,
                    rules: Rules {
                        minimum: number.minimum,
                        maximum: number.maximum,
                        exclusive_minimum: number.exclusive_minimum,
                        exclusive_maximum: number.exclusive_maximum,
                        multiple_of: number.multiple_of,
                        ..Rules::default()
                    },
                }
            }
            SchemaKind::Type(Type::Boolean(_)) => {
                Schema::of(TypeRef::Primitive(Primitive::Boolean))
            }
            SchemaKind::Type(Type::Array(array)) => {
                let items = match &array.items {
                    Some(items) => self.lower(
                        items.into(),
                        &format!("{pointer}/items"),
                        &format!("{hint}Item"),
                    ),
                    None => Schema::of(TypeRef::Any),
                };
                Schema {
                    ty: TypeRef::Array(Box::new(items)),
                    nullable: false,
                    rules: Rules {
                        min_items: array.min_items,
                        max_items: array.max_items,
                        unique_items: array.unique_items,
                        ..Rules::default()
                    },
                }
            }
            SchemaKind::Type(Type::Object(object)) => {
                let values = self.additional_properties(
                    object.additional_properties.as_ref(),
                    pointer,
                    hint,
                );
                Schema {
                    ty: TypeRef::Map(Box::new(values.unwrap_or_else(|| Schema::of(TypeRef::Any)))),
                    nullable: false,
                    rules: Rules {
                        min_properties: object.min_properties,
                        max_properties: object.max_properties,
                        key_max_length: key_max_length(&schema.schema_data.extensions),
                        ..Rules::default()
                    },
                }
            }
            SchemaKind::OneOf { one_of: members }
            | SchemaKind::AnyOf { any_of: members }
            | SchemaKind::AllOf { all_of: members } => match members.first() {
                // A lone member wraps a reference to add a description or `nullable`.
                Some(member) if members.len() == 1 => {
                    let member_pointer =
                        format!("{pointer}/{}/0", combinator_key(&schema.schema_kind));
                    self.lower(member.into(), &member_pointer, hint)
                }
                _ => Schema::of(TypeRef::Any),
            },
            SchemaKind::Not { .. } => Schema::of(TypeRef::Any),
            SchemaKind::Any(any) => self.lower_any(any, schema, pointer, hint),
        }
    }

    /// `AnySchema` holds what did not parse as one typed variant; recover what we can.
    fn lower_any(
        &mut self,
        any: &openapiv3::AnySchema,
        schema: &OaSchema,
        pointer: &str,
        hint: &str,
    ) -> Schema {
        if let [member] = any.all_of.as_slice() {
            if any.properties.is_empty() {
                return self.lower(member.into(), &format!("{pointer}/allOf/0"), hint);
            }
        }
        let retyped = serde_json::to_value(schema)
            .ok()
            .and_then(|mut value| {
                let object = value.as_object_mut()?;
                if any.typ.is_none() {
                    let guessed = if any.items.is_some() {
                        "array"
                    } else if any.additional_properties.is_some() {
                        "object"
                    } else {
                        return None;
                    };
                    object.insert("type".into(), guessed.into());
                }
                serde_json::from_value::<OaSchema>(value).ok()
            })
            .filter(|s| !matches!(s.schema_kind, SchemaKind::Any(_)));
        match retyped {
            Some(retyped) => self.lower_unnamed(&retyped, pointer, hint),
            None => Schema::of(TypeRef::Any),
        }
    }

    pub(super) fn additional_properties(
        &mut self,
        additional: Option<&AdditionalProperties>,
        pointer: &str,
        hint: &str,
    ) -> Option<Schema> {
        match additional {
            Some(AdditionalProperties::Schema(schema)) => Some(self.lower(
                schema.as_ref().into(),
                &format!("{pointer}/additionalProperties"),
                &format!("{hint}Value"),
            )),
            Some(AdditionalProperties::Any(true)) => Some(Schema::of(TypeRef::Any)),
            Some(AdditionalProperties::Any(false)) | None => None,
        }
    }

    /// Drops (with a warning) a pattern the `regex` crate cannot compile, such as one with look-around.
    fn check_pattern(&mut self, rules: &mut Rules, pointer: &str) {
        if let Some(pattern) = &rules.pattern {
            if let Err(error) = regex::Regex::new(pattern) {
                let reason = error
                    .to_string()
                    .lines()
                    .last()
                    .unwrap_or_default()
                    .trim()
                    .to_string();
                let reason = reason
                    .strip_prefix("error: ")
                    .unwrap_or(&reason)
                    .to_string();
                self.warn(
                    format!("`pattern` is not enforced: {reason}"),
                    &format!("{pointer}/pattern"),
                    "the generated code uses the `regex` crate, which has no look-around or backreferences; rewrite the pattern to enforce it",
                );
                rules.pattern = None;
            }
        }
    }
}

fn combinator_key(kind: &SchemaKind) -> &'static str {
    match kind {
        SchemaKind::OneOf { .. } => "oneOf",
        SchemaKind::AnyOf { .. } => "anyOf",
        _ => "allOf",
    }
}

fn format_name(format: openapiv3::StringFormat) -> &'static str {
    match format {
        openapiv3::StringFormat::Date => "date",
        openapiv3::StringFormat::DateTime => "date-time",
        openapiv3::StringFormat::Password => "password",
        openapiv3::StringFormat::Byte => "byte",
        openapiv3::StringFormat::Binary => "binary",
    }
}

fn string_primitive(format: &str) -> (Primitive, Option<StringFormat>) {
    match format {
        "date-time" => (Primitive::DateTime, None),
        "date" => (Primitive::Date, None),
        "uuid" => (Primitive::Uuid, None),
        "binary" => (Primitive::Binary, None),
        "email" => (Primitive::String, Some(StringFormat::Email)),
        "uri" | "url" => (Primitive::String, Some(StringFormat::Uri)),
        _ => (Primitive::String, None),
    }
}

/// `x-property-names: {maxLength: N}` (JSON Schema's `propertyNames`, which 3.0 lacks).
fn key_max_length(extensions: &IndexMap<String, serde_json::Value>) -> Option<usize> {
    extensions
        .get("x-property-names")
        .and_then(|v| v.get("maxLength"))
        .and_then(serde_json::Value::as_u64)
        .map(|n| n as usize)
}
