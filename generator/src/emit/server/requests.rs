//! Each operation's request struct, and the enum of a body that may come
//! in several kinds of content.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{whole_handler, WholeHandler};
use crate::emit::rust::{docs, ident, large_variant_allowance};
use crate::emit::typeref::{Imports, TypeWriter};
use crate::emit::wire::{body_choice_name, pagination};
use crate::ir::{Api, BodyContent, BodyEncoding, Operation, Pagination, RequestBody, TypeGroup};

pub(super) fn request_struct(
    api: &Api,
    operation: &Operation,
    imports: &mut Imports,
) -> TokenStream {
    let name = format_ident!("{}Request", operation.type_stem);
    let params = operation.params_type.map(|id| {
        imports.add("crate::types");
        let params = ident(&api.type_def(id).name);
        quote! { types::params::#params }
    });
    let body = operation.request_body.as_ref().map(|body| {
        let writer = TypeWriter {
            api,
            module: TypeGroup::Model,
            types_path: Some("crate::types"),
            file: None,
        };
        let ty = if body.is_choice() {
            let name = ident(&body_choice_name(operation));
            quote! { #name }
        } else if operation.streams_body() {
            imports.add("crate::runtime::stream::BodyStream");
            quote! { BodyStream }
        } else {
            content_type(&writer, body.preferred(), imports)
        };
        let ty = if body.required {
            ty
        } else {
            quote! { Option<#ty> }
        };
        (ty, body.docs.as_deref())
    });
    // What the runtime handles whole takes its generic request, under the
    // operation's name.
    match (whole_handler(api, operation), &params, &body) {
        (Some(WholeHandler::Params), Some(params), _) => {
            imports.add("crate::runtime::handle::ParamsRequest");
            let doc = format!(
                " The request of `{}`, checked against the spec: its parameters.",
                operation.id.rust
            );
            return quote! {
                #[doc = #doc]
                pub type #name = ParamsRequest<#params>;
            };
        }
        (Some(WholeHandler::Json { .. }), Some(params), Some((ty, body_docs))) => {
            imports.add("crate::runtime::handle::JsonRequest");
            let mut text = format!(
                "The request of `{}`, checked against the spec: its parameters and its body.",
                operation.id.rust
            );
            if let Some(body_docs) = body_docs {
                text.push_str(&format!("\n\nThe body: {body_docs}"));
            }
            let doc = docs(Some(&text));
            return quote! {
                #doc
                pub type #name = JsonRequest<#params, #ty>;
            };
        }
        _ => {}
    }
    let doc = format!(
        " The request of `{}`, checked against the spec.",
        operation.id.rust
    );
    let mut fields = Vec::new();
    if let Some(params) = params {
        let cursor_note = match pagination(operation) {
            Some(Pagination::Cursor { cursor_param, .. }) => format!(
                " Its `{cursor_param}` is the position your handler returned as `next`, already verified."
            ),
            _ => String::new(),
        };
        let params_doc = format!(" The path, query, header and cookie parameters.{cursor_note}");
        fields.push(quote! { #[doc = #params_doc] pub params: #params, });
    }
    if let Some((ty, body_docs)) = body {
        let body_doc = docs(body_docs);
        fields.push(quote! { #body_doc pub body: #ty, });
    }
    let choice = operation
        .request_body
        .as_ref()
        .filter(|body| body.is_choice())
        .map(|body| choice_enum(api, operation, body, imports));
    if fields.is_empty() {
        return quote! {
            #[doc = #doc]
            #[derive(Debug, Clone, Default)]
            pub struct #name;
        };
    }
    // A stream is read once, so a request holding one cannot be cloned.
    let derives = if operation.streams_body() {
        quote! { #[derive(Debug)] }
    } else {
        quote! { #[derive(Debug, Clone)] }
    };
    quote! {
        #[doc = #doc]
        #derives
        pub struct #name {
            #(#fields)*
        }

        #choice
    }
}

/// The body of an operation that accepts several kinds of content: a
/// variant per content type, holding what that content type reads into.
fn choice_enum(
    api: &Api,
    operation: &Operation,
    body: &RequestBody,
    imports: &mut Imports,
) -> TokenStream {
    let writer = TypeWriter {
        api,
        module: TypeGroup::Model,
        types_path: Some("crate::types"),
        file: None,
    };
    let name = ident(&body_choice_name(operation));
    let doc = format!(
        " The body of `{}`, as the content type the client sent reads it.",
        operation.id.rust
    );
    let variants = body.contents.iter().map(|content| {
        let variant = ident(&content.variant);
        let ty = content_type(&writer, content, imports);
        let doc = match content.encoding {
            BodyEncoding::Bytes => format!(" `{}`: the bytes as sent.", content.content_type),
            _ => format!(" `{}`.", content.content_type),
        };
        quote! { #[doc = #doc] #variant(#ty), }
    });
    let large_variants =
        large_variant_allowance(body.contents.iter().map(|content| match content.encoding {
            BodyEncoding::Text | BodyEncoding::Bytes => 24,
            _ => api.estimated_size(&content.schema),
        }));
    quote! {
        #[doc = #doc]
        #[derive(Debug, Clone)]
        #large_variants
        pub enum #name {
            #(#variants)*
        }
    }
}

/// What one content type of a body reads into.
fn content_type(
    writer: &TypeWriter<'_>,
    content: &BodyContent,
    imports: &mut Imports,
) -> TokenStream {
    match content.encoding {
        BodyEncoding::Json | BodyEncoding::Form | BodyEncoding::Multipart => {
            writer.tokens(&content.schema, imports)
        }
        BodyEncoding::Text => quote! { String },
        BodyEncoding::Bytes => quote! { Vec<u8> },
    }
}
