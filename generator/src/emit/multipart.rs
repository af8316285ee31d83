//! How each property of a `multipart/form-data` body travels: shared by the
//! server (which part becomes which JSON value) and the client (which value
//! becomes which part).

use crate::ir::{Api, BodyContent, Primitive, Schema, TypeKind, TypeRef};

/// A property's part, when it is not plain text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartKind {
    /// A file: the part's bytes.
    Binary,
    /// Several files under one name.
    BinaryList,
    /// An object or a list of objects, as a JSON document.
    Json,
}

/// The properties of a multipart body that are not plain text, with their kind.
pub fn part_kinds<'a>(api: &'a Api, body: &BodyContent) -> Vec<(&'a str, PartKind)> {
    let TypeRef::Named(id) = &body.schema.ty else {
        return Vec::new();
    };
    // A union of structs: the parts of every variant (the first that names a part decides).
    let structs = api.struct_variants(*id).unwrap_or_else(|| vec![*id]);
    let mut kinds: Vec<(&'a str, PartKind)> = Vec::new();
    for id in structs {
        let TypeKind::Struct(def) = &api.type_def(id).kind else {
            continue;
        };
        for field in &def.fields {
            let name = field.name.wire.as_str();
            if let Some(kind) = kind(api, &field.schema) {
                if kinds.iter().all(|(known, _)| *known != name) {
                    kinds.push((name, kind));
                }
            }
        }
    }
    kinds
}

fn kind(api: &Api, schema: &Schema) -> Option<PartKind> {
    match &schema.ty {
        TypeRef::Primitive(Primitive::Binary) => Some(PartKind::Binary),
        TypeRef::Array(items) => match &items.ty {
            TypeRef::Primitive(Primitive::Binary) => Some(PartKind::BinaryList),
            // A list of text values is sent as repeated text parts.
            TypeRef::Primitive(_) => None,
            TypeRef::Named(id) if matches!(api.type_def(*id).kind, TypeKind::Enum(_)) => None,
            _ => Some(PartKind::Json),
        },
        TypeRef::Named(id) if matches!(api.type_def(*id).kind, TypeKind::Enum(_)) => None,
        TypeRef::Named(_) | TypeRef::Map(_) | TypeRef::Any => Some(PartKind::Json),
        TypeRef::Primitive(_) => None,
    }
}

/// `PartKind::X` for the runtime's enum of the same name.
pub fn tokens(kind: PartKind) -> proc_macro2::TokenStream {
    match kind {
        PartKind::Binary => quote::quote! { PartKind::Binary },
        PartKind::BinaryList => quote::quote! { PartKind::BinaryList },
        PartKind::Json => quote::quote! { PartKind::Json },
    }
}
