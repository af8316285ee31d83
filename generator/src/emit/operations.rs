//! `operations.rs` of the types crate: every operation with its method and path.

use heck::ToShoutySnakeCase;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::rust::{docs, module_docs};
use super::Context;
use crate::naming;

pub fn module(context: &Context<'_>) -> TokenStream {
    let api = context.api;
    let consts: Vec<_> = api
        .operations
        .iter()
        .map(|operation| {
            format_ident!(
                "{}",
                naming::bare(&operation.id.rust).to_shouty_snake_case()
            )
        })
        .collect();
    let items = api.operations.iter().zip(&consts).map(|(operation, name)| {
        let id = &operation.id.wire;
        let method = operation.method.as_str();
        let path = format!("{}{}", operation.base_path, operation.path);
        let deprecated = operation.deprecated;
        let mut text = format!("`{method} {path}`");
        if let Some(summary) = &operation.summary {
            text.push_str(": ");
            text.push_str(summary.trim());
        }
        let doc = docs(Some(&text));
        quote! {
            #doc
            pub const #name: Operation = Operation {
                id: #id,
                method: #method,
                path: #path,
                deprecated: #deprecated,
            };
        }
    });
    let module_doc = module_docs("Every operation of the API, in the order the spec lists them.");
    quote! {
        #module_doc

        /// An operation as the spec declares it.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub struct Operation {
            /// The spec's `operationId`.
            pub id: &'static str,
            /// The HTTP method, upper case.
            pub method: &'static str,
            /// The path template with the base path (`/v1/users/{user_id}`).
            pub path: &'static str,
            pub deprecated: bool,
        }

        #(#items)*

        /// Every operation.
        pub const ALL: &[Operation] = &[#(#consts),*];
    }
}
