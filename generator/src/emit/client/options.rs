//! `options.rs` of the client: the optional parameters of each operation
//! that has any, as a struct whose fields all default to "not sent", and
//! the body enums of operations that take several kinds of content.

use std::collections::HashMap;

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::methods::options_name;
use super::plan::Plan;
use crate::emit::rust::{docs, module_docs};
use crate::ir::{Api, Literal, TypeKind};

pub fn module(api: &Api, plans: &[Plan<'_>]) -> TokenStream {
    // Options alike an earlier operation's (the same fields and docs) are
    // an alias of its struct: one type to compile, and every name works.
    let mut declared: HashMap<String, Ident> = HashMap::new();
    let items = plans.iter().filter(|p| !p.optional.is_empty()).map(|plan| {
        let name = options_name(plan.operation);
        let fields = plan.optional.iter().map(|argument| {
            let parameter = argument.parameter;
            let mut text = parameter.docs.clone().unwrap_or_default();
            if !text.is_empty() {
                text.push_str("\n\n");
            }
            text.push_str(&format!(
                "The `{}` {} parameter; `None` leaves it out",
                parameter.name.wire,
                parameter.location.as_str()
            ));
            let default = parameter.default.as_ref().and_then(|d| wire_text(api, d));
            match default.filter(|text| !text.contains('`')) {
                Some(default) => text.push_str(&format!(" (the server then takes `{default}`).")),
                None => text.push('.'),
            }
            if parameter.deprecated {
                text.push_str(" Deprecated.");
            }
            let doc = docs(Some(&text));
            let (field, ty) = (&argument.name, &argument.ty);
            quote! { #doc pub #field: #ty, }
        });
        let fields: Vec<TokenStream> = fields.collect();
        let shape = quote!(#(#fields)*).to_string();
        if let Some(first) = declared.get(&shape) {
            let doc = format!(
                " The optional parameters of [`Client::{}`](crate::Client::{}): the same as [`{first}`].",
                plan.method, plan.method
            );
            return quote! {
                #[doc = #doc]
                pub type #name = #first;
            };
        }
        declared.insert(shape, name.clone());
        let doc = format!(
            " The optional parameters of [`Client::{}`](crate::Client::{}).",
            plan.method, plan.method
        );
        quote! {
            #[doc = #doc]
            #[derive(Debug, Clone, Default, PartialEq)]
            pub struct #name {
                #(#fields)*
            }
        }
    });
    let bodies: Vec<&TokenStream> = plans
        .iter()
        .filter_map(|plan| plan.body.as_ref()?.enum_item.as_ref())
        .collect();
    let doc = module_docs(if bodies.is_empty() {
        "The optional parameters of each operation that has any."
    } else {
        "What callers choose for each operation: its optional parameters, and the content type of a body that may be sent several ways."
    });
    quote! {
        #doc
        #(#items)*
        #(#bodies)*
    }
}

/// A default as it is written on the wire.
fn wire_text(api: &Api, literal: &Literal) -> Option<String> {
    Some(match literal {
        Literal::Bool(value) => value.to_string(),
        Literal::Integer(value) => value.to_string(),
        Literal::Float(value) => value.to_string(),
        Literal::String(value) => value.clone(),
        Literal::Variant(id, index) => match &api.type_def(*id).kind {
            TypeKind::Enum(def) => def.variants.get(*index)?.wire.clone(),
            _ => return None,
        },
    })
}
