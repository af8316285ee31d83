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
use openapiv3::{ReferenceOr, Schema as OaSchema, SchemaKind, Type};

use super::examples::Samples;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::ir::{
    ObjectRules, Rules, Schema, StructDef, TypeDef, TypeGroup, TypeId, TypeKind, TypeRef,
};
use crate::load::escape_segment;
use crate::naming::{self, Namespace};

mod defaults;
mod named;
mod objects;
mod unnamed;

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
    /// The spec's examples of the named types, as they are met.
    pub examples: Samples,
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
            examples: Samples::default(),
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
                self.sample_example(id, schema, &pointer);
            }
        }
    }

    /// The schema's own `example`, as an example of its type.
    fn sample_example(&mut self, id: TypeId, schema: &OaSchema, pointer: &str) {
        if let Some(example) = &schema.schema_data.example {
            let schema = Schema::of(TypeRef::Named(id));
            self.examples
                .add(&schema, &format!("{pointer}/example"), example);
        }
    }

    pub fn into_types(self) -> (Vec<TypeDef>, Samples, Diagnostics) {
        let types = self
            .types
            .into_iter()
            .map(|t| t.expect("every reserved type is built before lowering ends"))
            .collect();
        (types, self.examples, self.diagnostics)
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
            // `nullable` belongs to the value, so every use of the component takes it.
            let nullable = matches!(
                self.components.get(&name),
                Some(ReferenceOr::Item(target)) if target.schema_data.nullable
            );
            return Schema {
                ty: TypeRef::Named(id),
                nullable,
                rules: Rules::default(),
            };
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
                self.sample_example(id, schema, pointer);
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
            SchemaKind::Type(Type::Integer(integer)) => {
                if integer.enumeration.iter().any(Option::is_some) {
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
                } else if !any.properties.is_empty() || any.all_of.len() > 1 {
                    // A lone `allOf` member beside other keywords (`type`,
                    // an empty `enum`) is that member, as it is alone.
                    Shape::Struct
                } else if (any.typ.as_deref() == Some("string")
                    && any.enumeration.iter().any(serde_json::Value::is_string))
                    || (any.typ.as_deref() == Some("integer")
                        && any.enumeration.iter().any(serde_json::Value::is_i64))
                {
                    Shape::Enum
                } else {
                    Shape::Inline
                }
            }
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
