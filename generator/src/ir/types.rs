//! Named types and the schemas that refer to them.

use serde::Serialize;

use super::Name;

/// Index of a named type in [`super::Api::types`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct TypeId(pub usize);

#[derive(Debug, Clone, Serialize)]
pub struct TypeDef {
    /// The Rust type name (`ChargeMetadata`).
    pub name: String,
    pub docs: Option<String>,
    pub kind: TypeKind,
    pub group: TypeGroup,
    pub pointer: String,
}

impl TypeDef {
    /// Whether the type is a schema of `components/schemas`, named by the
    /// spec's author, rather than one specforge named after its place.
    pub fn is_component(&self) -> bool {
        self.pointer
            .strip_prefix("#/components/schemas/")
            .is_some_and(|name| !name.contains('/'))
    }
}

/// Which module of the types crate a type belongs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum TypeGroup {
    /// A schema: `models`.
    Model,
    /// The parameters of one operation: `params`.
    Params,
}

/// A default value, already checked against its type.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Literal {
    Bool(bool),
    Integer(i64),
    Float(f64),
    String(String),
    /// The variant at this index of a string enum.
    Variant(TypeId, usize),
}

#[derive(Debug, Clone, Serialize)]
pub enum TypeKind {
    Struct(StructDef),
    Enum(EnumDef),
    Union(UnionDef),
}

#[derive(Debug, Clone, Serialize)]
pub struct StructDef {
    pub fields: Vec<Field>,
    /// `additionalProperties` beside declared properties: a flattened map of these values.
    pub additional_properties: Option<Box<Schema>>,
    pub rules: ObjectRules,
}

#[derive(Debug, Clone, Serialize)]
pub struct Field {
    pub name: Name,
    pub docs: Option<String>,
    pub schema: Schema,
    pub required: bool,
    pub read_only: bool,
    pub write_only: bool,
    /// A secret (`format: password`, or a `writeOnly` string): `Debug`
    /// prints `"***"` in its place, so logging a value leaks nothing.
    pub sensitive: bool,
    /// Required by the schema but left out in one direction the type
    /// travels: every required `writeOnly` field (never returned), and a
    /// required `readOnly` field of a type that requests carry (set by the
    /// server, so requests omit it). Such a field is an `Option`, and a
    /// request is only held to what it sends.
    pub one_way: bool,
    /// An optional, nullable field of a type that requests carry: absent,
    /// `null` and a value stay apart (`Option<Option<T>>`), so a PATCH can
    /// say "set to null".
    pub explicit_null: bool,
    pub deprecated: bool,
    pub default: Option<Literal>,
    /// Set where the field's type contains its own struct without indirection.
    pub boxed: bool,
    pub pointer: String,
}

impl Field {
    /// The default that fills the field when the value is absent: only for
    /// fields that may be absent, and not when `null` or "never returned"
    /// must stay distinguishable.
    pub fn applied_default(&self) -> Option<&Literal> {
        self.default
            .as_ref()
            .filter(|_| !self.required && !self.schema.nullable && !self.write_only)
    }

    /// Whether the Rust field is an `Option`.
    pub fn is_optional(&self) -> bool {
        (!self.required || self.schema.nullable || self.one_way) && self.applied_default().is_none()
    }

    /// Whether incoming JSON (a request) must have the field: not a
    /// `readOnly` one the server sets.
    pub fn required_in_requests(&self) -> bool {
        self.required && !(self.read_only && self.one_way)
    }

    /// A required `writeOnly` field: `validate()` reports it when a request lacks it.
    pub fn required_write_only(&self) -> bool {
        self.required && self.write_only && self.one_way
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct EnumDef {
    pub variants: Vec<Name>,
    /// Accepts values the spec does not list (an `Unknown` variant), so
    /// responses keep decoding when a server adds a value.
    pub open: bool,
    /// The values are integers (each variant's `wire` is its decimal text).
    pub integer: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct UnionDef {
    pub variants: Vec<UnionVariant>,
    pub discriminator: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct UnionVariant {
    pub name: String,
    pub schema: Schema,
    /// Discriminator values that select this variant.
    pub tags: Vec<String>,
    pub boxed: bool,
}

/// A value the spec gives as an example of a named type (a schema's
/// `example`, or a media type's `example`/`examples`, an item of it where
/// the body is a list): what the round-trip tests decode and encode back.
#[derive(Debug, Clone, Serialize)]
pub struct Example {
    pub ty: TypeId,
    /// Where the value is in the spec.
    pub pointer: String,
    pub value: serde_json::Value,
}

/// A use of a type together with the rules a value must follow.
#[derive(Debug, Clone, Serialize)]
pub struct Schema {
    pub ty: TypeRef,
    pub nullable: bool,
    pub rules: Rules,
}

impl Schema {
    pub fn of(ty: TypeRef) -> Self {
        Schema {
            ty,
            nullable: false,
            rules: Rules::default(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub enum TypeRef {
    Named(TypeId),
    Primitive(Primitive),
    Array(Box<Schema>),
    Map(Box<Schema>),
    /// Anything JSON: a schema we cannot type more precisely.
    Any,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Primitive {
    String,
    Boolean,
    I32,
    I64,
    F32,
    F64,
    DateTime,
    Date,
    Uuid,
    /// `format: binary`: raw bytes.
    Binary,
}

impl Primitive {
    pub fn is_integer(self) -> bool {
        matches!(self, Primitive::I32 | Primitive::I64)
    }

    pub fn is_number(self) -> bool {
        matches!(
            self,
            Primitive::I32 | Primitive::I64 | Primitive::F32 | Primitive::F64
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum StringFormat {
    Email,
    Uri,
}

/// Validation rules of one schema node (JSON Schema keywords).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Rules {
    pub min_length: Option<usize>,
    pub max_length: Option<usize>,
    pub pattern: Option<String>,
    pub format: Option<StringFormat>,
    pub minimum: Option<f64>,
    pub maximum: Option<f64>,
    pub exclusive_minimum: bool,
    pub exclusive_maximum: bool,
    pub multiple_of: Option<f64>,
    pub min_items: Option<usize>,
    pub max_items: Option<usize>,
    pub unique_items: bool,
    pub min_properties: Option<usize>,
    pub max_properties: Option<usize>,
    /// Rules on the keys of a map (`x-key-rules` / `propertyNames`).
    pub key_max_length: Option<usize>,
}

impl Rules {
    pub fn is_empty(&self) -> bool {
        *self == Rules::default()
    }
}

/// Rules of an object type as a whole.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ObjectRules {
    pub min_properties: Option<usize>,
    pub max_properties: Option<usize>,
}
