//! Request bodies: the content types an operation accepts and how each is read.

use serde::Serialize;

use super::{Schema, TypeId, TypeRef};

#[derive(Debug, Clone, Serialize)]
pub struct RequestBody {
    pub required: bool,
    pub docs: Option<String>,
    /// Every content type the operation accepts, the preferred one first
    /// (JSON where there is one, else the spec's first). Never empty.
    pub contents: Vec<BodyContent>,
    pub pointer: String,
}

impl RequestBody {
    /// The content type the client sends when it has a choice.
    pub fn preferred(&self) -> &BodyContent {
        &self.contents[0]
    }

    /// Whether the content types read into different values, so the
    /// handler receives which one was sent (an enum with a variant per
    /// content type) rather than one type.
    pub fn is_choice(&self) -> bool {
        let first = self.preferred();
        self.contents.iter().any(|c| !c.reads_like(first))
    }
}

/// One content type of a request body and how it is read.
#[derive(Debug, Clone, Serialize)]
pub struct BodyContent {
    /// As the spec writes it (`application/json`, `text/*`).
    pub content_type: String,
    /// How the body is read: from its content type.
    pub encoding: BodyEncoding,
    pub schema: Schema,
    /// The pointer of the media type whose schema this is: its own, or the
    /// preferred one's where it repeats that schema.
    pub schema_from: String,
    /// For a form body, how the properties the spec's `encoding` names
    /// write their arrays; the others use [`FormStyle::Repeated`].
    pub form_styles: Vec<(String, FormStyle)>,
    /// A binary body the spec does not bound (no `maxLength`): where the
    /// operation allows it ([`super::Operation::streams_body`]), it is
    /// handed over as a stream rather than read whole.
    pub unbounded_binary: bool,
    /// Its variant in the enum of an operation whose content types read
    /// into different values ([`RequestBody::is_choice`]): `Json`, `Form`,
    /// `Multipart`, `Xml`, ...
    pub variant: String,
    pub pointer: String,
}

/// What a request body is read into, for telling content types apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Payload {
    /// A named type (JSON, form and multipart bodies of one model).
    Named(TypeId),
    /// A JSON body of an unnamed schema (a list, a scalar).
    Unnamed,
    Text,
    Bytes,
}

impl BodyContent {
    /// Whether both read into the same Rust value. Unnamed schemas are the
    /// same only where one content type reuses the other's schema.
    pub fn reads_like(&self, other: &BodyContent) -> bool {
        match (self.payload(), other.payload()) {
            (Payload::Unnamed, Payload::Unnamed) => self.schema_from == other.schema_from,
            (a, b) => a == b,
        }
    }

    pub fn payload(&self) -> Payload {
        match (self.encoding, &self.schema.ty) {
            (BodyEncoding::Text, _) => Payload::Text,
            (BodyEncoding::Bytes, _) => Payload::Bytes,
            (_, TypeRef::Named(id)) => Payload::Named(*id),
            _ => Payload::Unnamed,
        }
    }
}

/// A media type without its parameters (`; charset=utf-8`, `; boundary=...`).
pub fn media_essence(content_type: &str) -> &str {
    content_type.split(';').next().unwrap_or_default().trim()
}

/// How a form body writes an array property (OpenAPI's `encoding` object).
/// Objects, and everything inside them, always use brackets
/// (`metadata[order_id]=6735`, `items[0][price]=5`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum FormStyle {
    /// `style: form, explode: true`, the default: `tag=a&tag=b`.
    Repeated,
    /// `style: form, explode: false`: `tag=a,b`.
    Comma,
    /// `style: deepObject`: `tag[]=a&tag[]=b`.
    Brackets,
}

/// How a request body is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum BodyEncoding {
    /// JSON, checked against the schema and decoded into its type.
    Json,
    /// `application/x-www-form-urlencoded` into an object's type, its
    /// values typed by the schema, then checked as JSON is.
    Form,
    /// `multipart/form-data` into an object's type: one part per property
    /// (files for binary ones, JSON for objects and lists of them, text for
    /// the rest), then checked as JSON is.
    Multipart,
    /// `text/*`: a `String`.
    Text,
    /// Anything else (`application/octet-stream`, ...): the raw bytes.
    Bytes,
}
