//! Structs: an object's properties, merged across `allOf` and references.

use indexmap::IndexMap;
use openapiv3::{AdditionalProperties, ReferenceOr, Schema as OaSchema, SchemaKind, Type};

use super::{docs, SchemaRef, TypeLowering};
use crate::ir::{Field, Name, ObjectRules, Primitive, StructDef, TypeRef};
use crate::load::escape_segment;
use crate::naming::{self, Namespace};

impl<'a> TypeLowering<'a> {
    pub(super) fn build_struct(
        &mut self,
        schema: &OaSchema,
        name: &str,
        pointer: &str,
    ) -> StructDef {
        let mut collected = ObjectParts::default();
        self.collect_object(SchemaRef::Item(schema), pointer, &mut collected, 0);
        let unknown: Vec<&String> = collected
            .required
            .iter()
            .filter(|name| !collected.properties.contains_key(*name))
            .collect();
        if !unknown.is_empty() && collected.additional.is_none() {
            let names = unknown
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ");
            self.warn(
                format!("`required` names {names}, which the object does not have; it is ignored"),
                &format!("{pointer}/required"),
                "declare the property under `properties`, or remove it from `required`",
            );
        }
        let mut names = Namespace::new();
        if collected.additional.is_some() {
            // The flattened map of extra properties takes this name.
            names.reserve("additional_properties");
        }
        let mut fields = Vec::new();
        for (wire, (property, property_pointer)) in &collected.properties {
            let property_schema = SchemaRef::from(property);
            let hint = format!("{name}{}", naming::type_name(wire));
            let lowered = self.lower(property_schema, property_pointer, &hint);
            let data = match property_schema {
                SchemaRef::Item(schema) => Some(&schema.schema_data),
                SchemaRef::Ref(_) => None,
            };
            let rust = names.claim(&naming::value_name(wire));
            let default = data
                .and_then(|d| d.default.as_ref())
                .and_then(|value| self.literal(value, &lowered, property_pointer));
            fields.push(Field {
                name: Name {
                    rust,
                    wire: wire.clone(),
                },
                docs: data
                    .and_then(docs)
                    .or_else(|| self.referenced_docs(property_schema)),
                required: collected.required.contains(wire),
                read_only: data.is_some_and(|d| d.read_only),
                write_only: data.is_some_and(|d| d.write_only),
                sensitive: is_password(property_schema)
                    || (data.is_some_and(|d| d.write_only)
                        && matches!(lowered.ty, TypeRef::Primitive(Primitive::String))),
                // `passes::mark_one_way_fields` adds the readOnly ones.
                one_way: collected.required.contains(wire) && data.is_some_and(|d| d.write_only),
                explicit_null: false,
                deprecated: data.is_some_and(|d| d.deprecated),
                default,
                boxed: false,
                pointer: property_pointer.clone(),
                schema: lowered,
            });
        }
        let additional_properties = match collected.additional.take() {
            Some((additional, additional_pointer)) => self
                .additional_properties(Some(&additional), &additional_pointer, name)
                .map(Box::new),
            None => None,
        };
        StructDef {
            fields,
            additional_properties,
            rules: ObjectRules {
                min_properties: collected.min_properties,
                max_properties: collected.max_properties,
            },
        }
    }

    /// Gathers the properties of an object schema, following `allOf` and references.
    fn collect_object(
        &mut self,
        schema: SchemaRef<'_>,
        pointer: &str,
        parts: &mut ObjectParts,
        depth: usize,
    ) {
        if depth > 32 {
            return;
        }
        match schema {
            SchemaRef::Item(schema) => self.collect_from(schema, pointer, parts, depth),
            SchemaRef::Ref(reference) => {
                if let Some((schema, target_pointer)) = self.resolve_component(reference) {
                    self.collect_from(schema, &target_pointer, parts, depth);
                }
            }
        }
    }

    fn collect_from(
        &mut self,
        schema: &OaSchema,
        pointer: &str,
        parts: &mut ObjectParts,
        depth: usize,
    ) {
        let mut add_object = |properties: &IndexMap<String, ReferenceOr<Box<OaSchema>>>,
                              required: &[String],
                              additional: &Option<AdditionalProperties>,
                              min: Option<usize>,
                              max: Option<usize>| {
            for (name, property) in properties {
                let property_pointer = format!("{pointer}/properties/{}", escape_segment(name));
                parts
                    .properties
                    .insert(name.clone(), (property.clone(), property_pointer));
            }
            for name in required {
                if !parts.required.contains(name) {
                    parts.required.push(name.clone());
                }
            }
            if let Some(additional) = additional {
                parts.additional = Some((additional.clone(), pointer.to_string()));
            }
            parts.min_properties = parts.min_properties.max(min);
            parts.max_properties = match (parts.max_properties, max) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
        };
        match &schema.schema_kind {
            SchemaKind::Type(Type::Object(object)) => add_object(
                &object.properties,
                &object.required,
                &object.additional_properties,
                object.min_properties,
                object.max_properties,
            ),
            SchemaKind::AllOf { all_of } => {
                for (index, member) in all_of.iter().enumerate() {
                    self.collect_object(member.into(), &format!("{pointer}/allOf/{index}"), parts, depth + 1);
                }
            }
            SchemaKind::Any(any) => {
                add_object(
                    &any.properties,
                    &any.required,
                    &any.additional_properties,
                    any.min_properties,
                    any.max_properties,
                );
                for (index, member) in any.all_of.iter().enumerate() {
                    self.collect_object(member.into(), &format!("{pointer}/allOf/{index}"), parts, depth + 1);
                }
            }
            _ => self.warn(
                "this `allOf` member is not an object, so it cannot be merged".into(),
                pointer,
                "only object members are merged into the generated struct; the rest is not enforced",
            ),
        }
    }
}

/// An object's parts merged across `allOf`, cloned so that they outlive the walk.
#[derive(Default)]
struct ObjectParts {
    properties: IndexMap<String, (ReferenceOr<Box<OaSchema>>, String)>,
    required: Vec<String>,
    additional: Option<(AdditionalProperties, String)>,
    min_properties: Option<usize>,
    max_properties: Option<usize>,
}

/// `type: string, format: password`, inline: a secret whatever its direction.
fn is_password(schema: SchemaRef<'_>) -> bool {
    use openapiv3::{StringFormat, VariantOrUnknownOrEmpty};
    matches!(
        schema,
        SchemaRef::Item(OaSchema {
            schema_kind: SchemaKind::Type(Type::String(string)),
            ..
        }) if matches!(string.format, VariantOrUnknownOrEmpty::Item(StringFormat::Password))
    )
}
