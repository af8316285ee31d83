//! `operations.rs` of the types crate: every operation with its method and path.

use std::collections::BTreeSet;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::rust::module_docs;
use super::Context;

pub fn module(context: &Context<'_>) -> TokenStream {
    let api = context.api;
    let entries = api.operations.iter().map(|operation| {
        let id = &operation.id.wire;
        let path = format!("{}{}", operation.base_path, operation.path);
        let constructor = format_ident!("{}", operation.method.as_str().to_lowercase());
        let deprecated = operation.deprecated.then(|| quote!(.deprecated()));
        quote!(Operation::#constructor(#id, #path) #deprecated)
    });
    let methods: BTreeSet<&str> = api.operations.iter().map(|o| o.method.as_str()).collect();
    let constructors: Vec<_> = methods
        .into_iter()
        .map(|method| {
            let name = format_ident!("{}", method.to_lowercase());
            let doc = format!(" A `{method}` operation.");
            quote! {
                #[doc = #doc]
                const fn #name(id: &'static str, path: &'static str) -> Self {
                    Self { id, method: #method, path, deprecated: false }
                }
            }
        })
        .collect();
    let deprecated = api.operations.iter().any(|o| o.deprecated).then(|| {
        quote! {
            /// The same operation, marked deprecated.
            const fn deprecated(self) -> Self {
                Self { deprecated: true, ..self }
            }
        }
    });
    let constructors = (!constructors.is_empty()).then(|| {
        quote! {
            impl Operation {
                #(#constructors)*
                #deprecated
            }
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

        #constructors

        /// Every operation, in the order the spec lists them.
        pub const ALL: &[Operation] = &[#(#entries),*];

        /// The operation with this `operationId`.
        pub fn find(id: &str) -> Option<&'static Operation> {
            ALL.iter().find(|operation| operation.id == id)
        }
    }
}
