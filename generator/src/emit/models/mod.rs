//! Model types: structs, enums and unions with their serde mapping.

mod enums;
mod integer_enums;
mod structs;
mod unions;

use std::collections::HashMap;

use proc_macro2::TokenStream;
use quote::quote;

use super::form;
use super::rust::{docs, ident};
use super::shape;
use super::typeref::{Imports, TypeWriter};
use super::validation::ValidationWriter;
use crate::ir::{TypeDef, TypeId, TypeKind};

use enums::enum_item;
pub use enums::{has_closed_enum, has_string_enum, parse_enum_error};
pub use structs::date_time_writer;
use structs::struct_item;
use unions::union_item;

/// The items of one module (`models` or `params`), with their imports.
///
/// A type specforge named (an inline schema, the parameters of an
/// operation) whose items are the same as an earlier type's but for its
/// name and docs is an alias of the earlier type: one type to compile, and
/// every name still works.
///
/// `declared` maps each declared type's items (without its name) to the
/// type; it spans every file of a split module, so an alias may name a type
/// of another file.
pub fn module_items(
    writer: &TypeWriter<'_>,
    declared: &mut HashMap<String, TypeId>,
    imports: &mut Imports,
) -> TokenStream {
    let mut validation = ValidationWriter::new(writer.api);
    let form_types = form::form_types(writer.api);
    let api = writer.api;
    let items: Vec<TokenStream> = api
        .types
        .iter()
        .enumerate()
        .filter(|(index, def)| {
            def.group == writer.module
                && (writer.file.is_none() || api.type_module(TypeId(*index)) == writer.file)
        })
        .map(|(index, def)| {
            let id = TypeId(index);
            // The type's own imports and regexes count only if its items are kept.
            let mut own = Imports::default();
            let patterns = validation.patterns_mark();
            let item = match &def.kind {
                TypeKind::Struct(s) => struct_item(writer, def, s, &mut own),
                TypeKind::Enum(e) => {
                    // Split, the error lives in the parent module.
                    if writer.file.is_some() && !e.open {
                        own.add("super::ParseEnumError");
                    }
                    enum_item(def, e, &mut own)
                }
                TypeKind::Union(u) => union_item(writer, def, u, &mut own),
            };
            let from_json = validation.json_check_impl(writer, def, &mut own);
            let form_shape = form_types
                .contains(&id)
                .then(|| form::form_shape_impl(writer.api, def, &mut own));
            let items = quote! { #item #from_json #form_shape };
            // A schema the spec names is a type of its own; one specforge
            // named after its place may be an alias.
            let shape = shape::without_name(&items, &def.name);
            match declared.get(&shape) {
                Some(first) if !def.is_component() => {
                    validation.forget_patterns_since(patterns);
                    let name = &api.type_def(*first).name;
                    if writer.file.is_some() && api.type_module(*first) != writer.file {
                        imports.add(&format!("super::{name}"));
                    }
                    alias(def, name)
                }
                _ => {
                    declared.entry(shape).or_insert(id);
                    imports.extend(own);
                    items
                }
            }
        })
        .collect();
    let patterns = validation.finish(imports);
    quote! { #(#items)* #patterns }
}

/// `pub type Name = First;`, with the type's own docs.
fn alias(def: &TypeDef, first: &str) -> TokenStream {
    let note = format!("the same as [`{first}`], which the spec repeats.");
    // A one-sentence doc takes the note in its own line.
    let docs = match def.docs.as_deref().map(str::trim) {
        Some(own) if !own.contains('\n') && own.ends_with('.') => {
            docs(Some(&format!("{}: {note}", own.trim_end_matches('.'))))
        }
        _ => docs_with_note(def, &capitalized(&note)),
    };
    let (name, first) = (ident(&def.name), ident(first));
    quote! {
        #docs
        pub type #name = #first;
    }
}

/// A struct's or union's `Decode` with `body` (which takes `value` apart),
/// and the serde `Deserialize` that goes through it.
fn decode_impls(
    name: &proc_macro2::Ident,
    body: TokenStream,
    allow_deprecated: Option<TokenStream>,
    imports: &mut Imports,
) -> TokenStream {
    for path in [
        "crate::decode",
        "crate::decode::Decode",
        "crate::decode::DecodeError",
        "serde_json::Value",
    ] {
        imports.add(path);
    }
    quote! {
        #allow_deprecated
        impl Decode for #name {
            fn decode(value: Value) -> Result<Self, DecodeError> {
                #body
            }
        }

        decode::impl_deserialize!(#name);
    }
}

/// `text` with its first letter in upper case.
fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// The type's own docs followed by a note on its behaviour.
pub(super) fn docs_with_note(def: &TypeDef, note: &str) -> TokenStream {
    let text = match &def.docs {
        Some(own) => format!("{own}\n\n{note}"),
        None => note.to_string(),
    };
    docs(Some(&text))
}
