//! `api.rs`: the trait a team implements, one method per operation.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::has_security;
use crate::emit::rust::{docs, ident, module_docs};
use crate::emit::typeref::Imports;
use crate::emit::wire::operation_docs;
use crate::ir::{Api, Operation};

pub fn module(api: &Api) -> TokenStream {
    let module_doc = module_docs("The trait to implement: one method per operation of the spec.");
    let auth = has_security(api).then(|| {
        quote! {
            /// Who is calling: what [`Api::authenticate`] makes of valid
            /// credentials. Its [`Identity`] scopes rate limits and
            /// idempotency keys, and its tier picks a tiered quota.
            type Principal: Identity;

            /// Turns the credentials of a request into a principal, or `None`
            /// to refuse the request with `401 UNAUTHORIZED`.
            fn authenticate(&self, credentials: Credentials) -> impl Future<Output = Option<Self::Principal>> + Send;
        }
    });
    let methods = api.operations.iter().map(method);
    let mut imports = Imports::default();
    if has_security(api) {
        imports.add("crate::runtime::context::Credentials");
        imports.add("crate::runtime::context::Identity");
    }
    if has_security(api) || !api.operations.is_empty() {
        imports.add("std::future::Future");
    }
    if !api.operations.is_empty() {
        imports.add("crate::runtime::context::Context");
        imports.add("crate::runtime::error::HandlerResult");
        // Every request and response type of the module, two per operation.
        imports.add("crate::operations::*");
    }
    let uses = imports.tokens();
    quote! {
        #module_doc

        #uses

        /// The API. Implement it and pass it to [`crate::router`].
        ///
        /// Each method gets a request that is already checked against the
        /// spec, and returns one of the responses the spec declares for it, or
        /// a [`HandlerError`](crate::runtime::error::HandlerError) (answered with
        /// `500 INTERNAL_ERROR` and logged).
        pub trait Api: Send + Sync + 'static {
            #auth
            #(#methods)*
        }
    }
}

fn method(operation: &Operation) -> TokenStream {
    let name = ident(&operation.id.rust);
    let request = format_ident!("{}Request", operation.type_stem);
    let response = format_ident!("{}Response", operation.type_stem);
    let principal = if operation.is_secured() {
        quote! { Self::Principal }
    } else {
        quote! { () }
    };
    let mut text = operation_docs(operation);
    if operation.deprecated {
        text.push_str("\n\nDeprecated: responses carry a `Deprecation` header.");
    }
    let doc = docs(Some(&text));
    quote! {
        #doc
        fn #name(
            &self,
            context: Context<#principal>,
            request: #request,
        ) -> impl Future<Output = HandlerResult<#response>> + Send;
    }
}
