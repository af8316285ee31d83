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
pub use enums::{has_closed_enum, parse_enum_error};
use structs::struct_item;
use unions::union_item;

/// The items of one module (`models` or `params`), with their imports.
///
/// A type specforge named (an inline schema, the parameters of an
/// operation) whose items are the same as an earlier type's but for its
/// name and docs is an alias of the earlier type: one type to compile, and
/// every name still works.
pub fn module_items(writer: &TypeWriter<'_>, imports: &mut Imports) -> TokenStream {
    let mut validation = ValidationWriter::new(writer.api);
    let form_types = form::form_types(writer.api);
    let mut declared: HashMap<String, &str> = HashMap::new();
    let items: Vec<TokenStream> = writer
        .api
        .types
        .iter()
        .enumerate()
        .filter(|(_, def)| def.group == writer.module)
        .map(|(index, def)| {
            let id = TypeId(index);
            let item = match &def.kind {
                TypeKind::Struct(s) => struct_item(writer, def, s, imports),
                TypeKind::Enum(e) => enum_item(def, e, imports),
                TypeKind::Union(u) => union_item(writer, def, u, imports),
            };
            let from_json = validation.json_check_impl(writer, def, imports);
            let form_shape = form_types
                .contains(&id)
                .then(|| form::form_shape_impl(writer.api, def, imports));
            let items = quote! { #item #from_json #form_shape };
            // A schema the spec names is a type of its own; one specforge
            // named after its place may be an alias.
            let shape = shape::without_name(&items, &def.name);
            match declared.get(&shape) {
                Some(first) if !def.is_component() => alias(def, first),
                _ => {
                    declared.entry(shape).or_insert(&def.name);
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
    let note = format!("The same as [`{first}`], which the spec repeats.");
    let docs = docs_with_note(def, &note);
    let (name, first) = (ident(&def.name), ident(first));
    quote! {
        #docs
        pub type #name = #first;
    }
}

/// The type's own docs followed by a note on its behaviour.
pub(super) fn docs_with_note(def: &TypeDef, note: &str) -> TokenStream {
    let text = match &def.docs {
        Some(own) => format!("{own}\n\n{note}"),
        None => note.to_string(),
    };
    docs(Some(&text))
}
