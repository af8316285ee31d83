//! Model types: structs, enums and unions with their serde mapping.

mod enums;
mod integer_enums;
mod structs;
mod unions;

use proc_macro2::TokenStream;
use quote::quote;

use super::form;
use super::rust::docs;
use super::typeref::{Imports, TypeWriter};
use super::validation::ValidationWriter;
use crate::ir::{TypeDef, TypeId, TypeKind};

use enums::enum_item;
pub use enums::{has_closed_enum, parse_enum_error};
use structs::struct_item;
use unions::union_item;

/// The items of one module (`models` or `params`), with their imports.
pub fn module_items(writer: &TypeWriter<'_>, imports: &mut Imports) -> TokenStream {
    let mut validation = ValidationWriter::new(writer);
    let form_types = form::form_types(writer.api);
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
            let validate = validation.validate_impl(def, imports);
            let from_json = validation.json_check_impl(def, imports);
            let form_shape = form_types
                .contains(&id)
                .then(|| form::form_shape_impl(writer.api, def, imports));
            quote! { #item #validate #from_json #form_shape }
        })
        .collect();
    let patterns = validation.finish(imports);
    quote! { #(#items)* #patterns }
}

/// The type's own docs followed by a note on its behaviour.
pub(super) fn docs_with_note(def: &TypeDef, note: &str) -> TokenStream {
    let text = match &def.docs {
        Some(own) => format!("{own}\n\n{note}"),
        None => note.to_string(),
    };
    docs(Some(&text))
}
