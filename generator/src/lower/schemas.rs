//! Schemas to named types and type references.
//!
//! Component schemas that need a type of their own (objects with properties,
//! string enums, unions, merged `allOf`s) are named first, in document order,
//! so they keep their names; inline schemas that need one are named after
//! where they are used (`ChargeMetadata`, `ListUsersSort`). Everything else
//! (scalars, arrays, maps) is inlined at each use with its rules.

use std::collections::BTreeMap;
use std::path::PathBuf;

use indexmap::IndexMap;
use openapiv3::{
    AdditionalProperties, ReferenceOr, Schema as OaSchema, SchemaKind, Type,
    VariantOrUnknownOrEmpty,
};

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::ir::{
    EnumDef, Field, Literal, Name, ObjectRules, Primitive, Rules, Schema, StringFormat, StructDef,
    TypeDef, TypeGroup, TypeId, TypeKind, TypeRef, UnionDef, UnionVariant,
};
use crate::load::escape_segment;
use crate::naming::{self, Namespace};

/// A schema position: a reference or an inline schema.
#[derive(Clone, Copy)]
pub enum SchemaRef<'a> {
    Ref(&'a str),
    Item(&'a OaSchema),
}

impl<'a> From<&'a ReferenceOr<OaSchema>> for SchemaRef<'a> {
    fn from(value: &'a ReferenceOr<OaSchema>) -> Self {
        match value {
            ReferenceOr::Reference { reference } => SchemaRef::Ref(reference),
            ReferenceOr::Item(schema) => SchemaRef::Item(schema),
        }
    }
}

impl<'a> From<&'a ReferenceOr<Box<OaSchema>>> for SchemaRef<'a> {
    fn from(value: &'a ReferenceOr<Box<OaSchema>>) -> Self {
        match value {
            ReferenceOr::Reference { reference } => SchemaRef::Ref(reference),
            ReferenceOr::Item(schema) => SchemaRef::Item(schema),
        }
    }
}

/// What a schema becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Struct,
    Enum,
    Union,
    Inline,
}

pub struct TypeLowering<'a> {
    components: &'a IndexMap<String, ReferenceOr<OaSchema>>,
    file: PathBuf,
    types: Vec<Option<TypeDef>>,
    by_component: BTreeMap<String, TypeId>,
    /// Inline schemas that became named types, by the pointer of their node.
    inline_by_pointer: BTreeMap<String, TypeId>,
    names: Namespace,
    /// Inlined component schemas being expanded, to stop on alias cycles.
    expanding: Vec<String>,
    pub diagnostics: Diagnostics,
}

const SCHEMAS_PREFIX: &str = "#/components/schemas/";

impl<'a> TypeLowering<'a> {
    pub fn new(components: &'a IndexMap<String, ReferenceOr<OaSchema>>, file: PathBuf) -> Self {
        TypeLowering {
            components,
            file,
            types: Vec::new(),
            by_component: BTreeMap::new(),
            inline_by_pointer: BTreeMap::new(),
            names: Namespace::new(),
            expanding: Vec::new(),
            diagnostics: Diagnostics::new(),
        }
    }

    /// Names every component that needs a type, then builds them all.
    pub fn lower_components(&mut self) {
        for (name, schema) in self.components {
            if let ReferenceOr::Item(schema) = schema {
                if self.shape(schema) != Shape::Inline {
                    let id = self.reserve(&naming::type_name(name));
                    self.by_component.insert(name.clone(), id);
                }
            }
        }
        for (name, schema) in self.components {
            if let (Some(&id), ReferenceOr::Item(schema)) = (self.by_component.get(name), schema) {
                let pointer = format!("{SCHEMAS_PREFIX}{}", escape_segment(name));
                let type_name = self.reserved_name(id);
                let def = self.build_named(schema, &type_name, &pointer);
                self.types[id.0] = Some(def);
            }
        }
    }

    pub fn into_types(self) -> (Vec<TypeDef>, Diagnostics) {
        let types = self
            .types
            .into_iter()
            .map(|t| t.expect("every reserved type is built before lowering ends"))
            .collect();
        (types, self.diagnostics)
    }

    /// Adds a struct made outside of schemas (an operation's parameters).
    pub fn add_struct(&mut self, candidate: &str, def: impl FnOnce(String) -> TypeDef) -> TypeId {
        let id = self.reserve(candidate);
        let name = self.reserved_name(id);
        self.types[id.0] = Some(def(name));
        id
    }

    pub fn type_def(&self, id: TypeId) -> Option<&TypeDef> {
        self.types[id.0].as_ref()
    }

    pub fn warn(&mut self, message: String, pointer: &str, hint: &str) {
        self.diagnostics.push(
            Diagnostic::warning(message)
                .in_file(&self.file)
                .at_pointer(pointer)
                .with_hint(hint),
        );
    }

    fn error(&mut self, message: String, pointer: &str, hint: &str) {
        self.diagnostics.push(
            Diagnostic::error(message)
                .in_file(&self.file)
                .at_pointer(pointer)
                .with_hint(hint),
        );
    }

    fn reserve(&mut self, candidate: &str) -> TypeId {
        let name = self.names.claim(candidate);
        let id = TypeId(self.types.len());
        // A placeholder until built; the name is kept here meanwhile.
        self.types.push(Some(TypeDef {
            name,
            docs: None,
            kind: TypeKind::Struct(StructDef {
                fields: Vec::new(),
                additional_properties: None,
                rules: ObjectRules::default(),
            }),
            group: TypeGroup::Model,
            pointer: String::new(),
        }));
        id
    }

    fn reserved_name(&self, id: TypeId) -> String {
        self.types[id.0]
            .as_ref()
            .map(|t| t.name.clone())
            .unwrap_or_default()
    }

    /// Lowers a schema used at `pointer`; inline types get names from `hint`.
    pub fn lower(&mut self, schema: SchemaRef<'_>, pointer: &str, hint: &str) -> Schema {
        match schema {
            SchemaRef::Ref(reference) => self.lower_reference(reference, pointer),
            SchemaRef::Item(schema) => self.lower_inline(schema, pointer, hint),
        }
    }

    fn lower_reference(&mut self, reference: &str, pointer: &str) -> Schema {
        let Some(name) = reference.strip_prefix(SCHEMAS_PREFIX) else {
            self.error(
                format!("`{reference}` is not a reference to a schema component"),
                pointer,
                "move the schema under `components/schemas` and refer to it there",
            );
            return Schema::of(TypeRef::Any);
        };
        let name = name.replace("~1", "/").replace("~0", "~");
        if let Some(&id) = self.by_component.get(&name) {
            return Schema::of(TypeRef::Named(id));
        }
        let components = self.components;
        match components.get(&name) {
            Some(ReferenceOr::Item(target)) => {
                if self.expanding.contains(&name) {
                    self.warn(
                        format!("schema `{name}` contains itself with no object in between"),
                        pointer,
                        "such a value cannot be typed; it is generated as free-form JSON",
                    );
                    return Schema::of(TypeRef::Any);
                }
                self.expanding.push(name.clone());
                let target_pointer = format!("{SCHEMAS_PREFIX}{}", escape_segment(&name));
                let lowered = self.lower_inline(target, &target_pointer, &naming::type_name(&name));
                self.expanding.pop();
                lowered
            }
            Some(ReferenceOr::Reference { reference: next }) => {
                if self.expanding.iter().any(|n| n == &name) {
                    return Schema::of(TypeRef::Any);
                }
                self.expanding.push(name.clone());
                let next = next.clone();
                let lowered = self.lower_reference(&next, pointer);
                self.expanding.pop();
                lowered
            }
            None => {
                // The loader has checked every reference; this one names no schema.
                self.error(
                    format!("unresolved reference `{reference}`"),
                    pointer,
                    "define the schema under `components/schemas`",
                );
                Schema::of(TypeRef::Any)
            }
        }
    }

    fn lower_inline(&mut self, schema: &OaSchema, pointer: &str, hint: &str) -> Schema {
        let nullable = schema.schema_data.nullable;
        match self.shape(schema) {
            Shape::Inline => {
                let mut lowered = self.lower_unnamed(schema, pointer, hint);
                lowered.nullable |= nullable;
                lowered
            }
            _ => {
                // One schema node is one type, however often it is reached
                // (merged `allOf`s reach a component's inline properties again,
                // possibly from inside themselves).
                if let Some(&id) = self.inline_by_pointer.get(pointer) {
                    return Schema {
                        ty: TypeRef::Named(id),
                        nullable,
                        rules: Rules::default(),
                    };
                }
                let id = self.reserve(hint);
                self.inline_by_pointer.insert(pointer.to_string(), id);
                let name = self.reserved_name(id);
                let def = self.build_named(schema, &name, pointer);
                self.types[id.0] = Some(def);
                Schema {
                    ty: TypeRef::Named(id),
                    nullable,
                    rules: Rules::default(),
                }
            }
        }
    }

    fn shape(&self, schema: &OaSchema) -> Shape {
        match &schema.schema_kind {
            SchemaKind::Type(Type::Object(object)) => {
                if object.properties.is_empty() {
                    Shape::Inline
                } else {
                    Shape::Struct
                }
            }
            SchemaKind::Type(Type::String(string)) => {
                if string.enumeration.iter().any(Option::is_some) {
                    Shape::Enum
                } else {
                    Shape::Inline
                }
            }
            SchemaKind::Type(_) | SchemaKind::Not { .. } => Shape::Inline,
            SchemaKind::OneOf { one_of: members } | SchemaKind::AnyOf { any_of: members } => {
                // No member says nothing about the value; one member is that member.
                if members.len() <= 1 {
                    Shape::Inline
                } else {
                    Shape::Union
                }
            }
            SchemaKind::AllOf { all_of } => {
                if all_of.len() == 1 {
                    Shape::Inline
                } else {
                    Shape::Struct
                }
            }
            SchemaKind::Any(any) => {
                if !any.one_of.is_empty() || !any.any_of.is_empty() {
                    Shape::Union
                } else if !any.properties.is_empty() || !any.all_of.is_empty() {
                    Shape::Struct
                } else if any.typ.as_deref() == Some("string")
                    && any.enumeration.iter().any(serde_json::Value::is_string)
                {
                    Shape::Enum
                } else {
                    Shape::Inline
                }
            }
        }
    }

    /// A schema that needs no type of its own: scalars, arrays, maps, single-member wrappers.
    fn lower_unnamed(&mut self, schema: &OaSchema, pointer: &str, hint: &str) -> Schema {
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

    fn additional_properties(
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

    fn build_named(&mut self, schema: &OaSchema, name: &str, pointer: &str) -> TypeDef {
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
        let values: Vec<String> = match &schema.schema_kind {
            SchemaKind::Type(Type::String(string)) => {
                string.enumeration.iter().flatten().cloned().collect()
            }
            SchemaKind::Any(any) => any
                .enumeration
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
            _ => Vec::new(),
        };
        let mut names = Namespace::new();
        let mut variants = Vec::new();
        for (index, value) in values.into_iter().enumerate() {
            if variants.iter().any(|v: &Name| v.wire == value) {
                continue;
            }
            let candidate = naming::variant_name(&value).unwrap_or_else(|| format!("Value{index}"));
            variants.push(Name {
                rust: names.claim(&candidate),
                wire: value,
            });
        }
        EnumDef {
            variants,
            open: false,
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
            if let (Some(discriminator), ReferenceOr::Reference { reference }) =
                (discriminator, member)
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

    fn build_struct(&mut self, schema: &OaSchema, name: &str, pointer: &str) -> StructDef {
        let mut collected = ObjectParts::default();
        self.collect_object(SchemaRef::Item(schema), pointer, &mut collected, 0);
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

    fn resolve_component(&self, reference: &str) -> Option<(&'a OaSchema, String)> {
        let name = reference.strip_prefix(SCHEMAS_PREFIX)?;
        match self.components.get(name)? {
            ReferenceOr::Item(schema) => Some((schema, format!("{SCHEMAS_PREFIX}{name}"))),
            ReferenceOr::Reference { reference } => self.resolve_component(reference),
        }
    }

    fn referenced_docs(&self, schema: SchemaRef<'_>) -> Option<String> {
        match schema {
            SchemaRef::Ref(reference) => self
                .resolve_component(reference)
                .and_then(|(schema, _)| docs(&schema.schema_data)),
            SchemaRef::Item(_) => None,
        }
    }

    /// A default value as a typed literal, or `None` (with a warning) if it does not fit.
    pub fn literal(
        &mut self,
        value: &serde_json::Value,
        schema: &Schema,
        pointer: &str,
    ) -> Option<Literal> {
        let literal = match (&schema.ty, value) {
            (TypeRef::Primitive(Primitive::Boolean), serde_json::Value::Bool(b)) => {
                Some(Literal::Bool(*b))
            }
            (TypeRef::Primitive(p), serde_json::Value::Number(n)) if p.is_integer() => {
                n.as_i64().map(Literal::Integer)
            }
            (TypeRef::Primitive(Primitive::F32 | Primitive::F64), serde_json::Value::Number(n)) => {
                n.as_f64().map(Literal::Float)
            }
            (TypeRef::Primitive(Primitive::String), serde_json::Value::String(s)) => {
                Some(Literal::String(s.clone()))
            }
            (TypeRef::Named(id), serde_json::Value::String(s)) => {
                match self.type_def(*id).map(|t| &t.kind) {
                    Some(TypeKind::Enum(e)) => e
                        .variants
                        .iter()
                        .position(|v| &v.wire == s)
                        .map(|index| Literal::Variant(*id, index)),
                    _ => None,
                }
            }
            _ => None,
        };
        if literal.is_none() {
            let reason = if value.is_array() || value.is_object() {
                "only scalar defaults are applied"
            } else {
                "it does not fit the schema's type"
            };
            self.warn(
                format!("the default value {value} is not applied: {reason}"),
                &format!("{pointer}/default"),
                "give a default of the property's own type, or remove it",
            );
        }
        literal
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

fn mapping_target(target: &str) -> String {
    if target.starts_with('#') {
        target.to_string()
    } else {
        format!("{SCHEMAS_PREFIX}{target}")
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

/// Doc text from `title` and `description`.
pub fn docs(data: &openapiv3::SchemaData) -> Option<String> {
    match (&data.title, &data.description) {
        (Some(title), Some(description)) if title.trim() != description.trim() => {
            Some(format!("{}\n\n{}", title.trim(), description.trim()))
        }
        (_, Some(description)) => Some(description.trim().to_string()),
        (Some(title), None) => Some(title.trim().to_string()),
        (None, None) => None,
    }
    .filter(|text| !text.is_empty())
}
