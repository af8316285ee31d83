//! Reading an operation's body: whole, by the reader of its content type
//! (dispatching on `Content-Type` when it accepts several), or as a stream.

use proc_macro2::TokenStream;
use quote::quote;

use crate::emit::rust::ident;
use crate::emit::server::is_object_schema;
use crate::emit::typeref::Imports;
use crate::emit::wire::body_choice_name;
use crate::emit::{form, multipart};
use crate::ir::{media_essence, Api, BodyContent, BodyEncoding, FormStyle, Operation, TypeRef};

/// The statements that read the body: reading its bytes (empty for a
/// stream), then `let body = ...` from them. `None` without a body.
pub(super) fn read(
    api: &Api,
    operation: &Operation,
    imports: &mut Imports,
) -> Option<(TokenStream, TokenStream)> {
    let body = operation.request_body.as_ref()?;
    let required = body.required;
    if operation.streams_body() {
        imports.add("crate::runtime::stream");
        let read = quote! {
            let body = match problems.body(stream::stream_body(body, &parts.headers, #required, shared.config.stream_limit)) {
                Ok(body) => body,
                Err(error) => return envelope::error(&error, &request_id),
            };
        };
        return Some((TokenStream::new(), read));
    }
    imports.add("crate::runtime::request");
    let read_bytes = quote! {
        let bytes = match request::read_body(body, shared.config.body_limit).await {
            Ok(bytes) => bytes,
            Err(error) => return envelope::error(&error, &request_id),
        };
    };
    let read = match body.contents.as_slice() {
        [content] => content_read(api, content, required, imports),
        contents => {
            // Several content types: read the one the client sent.
            let choice = body.is_choice().then(|| {
                let name = ident(&body_choice_name(operation));
                imports.add(&format!("crate::operations::{name}"));
                name
            });
            // The runtime compares in lower case.
            let accepted = contents
                .iter()
                .map(|content| media_essence(&content.content_type).to_ascii_lowercase());
            let last = contents.len() - 1;
            let arms = contents.iter().enumerate().map(|(index, content)| {
                let mut read = content_read(api, content, required, imports);
                if let Some(name) = &choice {
                    let variant = ident(&content.variant);
                    read = quote! { #read.map(|body| body.map(#name::#variant)) };
                }
                let pattern = if index == last {
                    quote! { Ok(_) }
                } else {
                    let index = proc_macro2::Literal::usize_unsuffixed(index);
                    quote! { Ok(#index) }
                };
                quote! { #pattern => #read, }
            });
            quote! {
                match request::media_choice(&parts.headers, &[#(#accepted),*]) {
                    #(#arms)*
                    Err(error) => Err(error),
                }
            }
        }
    };
    let read = quote! {
        let body = match problems.body(#read) {
            Ok(body) => body,
            Err(error) => return envelope::error(&error, &request_id),
        };
    };
    Some((read_bytes, read))
}

/// How one content type of a body is read: a call of a body reader.
fn content_read(
    api: &Api,
    content: &BodyContent,
    required: bool,
    imports: &mut Imports,
) -> TokenStream {
    match (content.encoding, &content.schema.ty) {
        // The request's field gives the type.
        (BodyEncoding::Json, TypeRef::Named(_)) => {
            let object = is_object_schema(api, &content.schema);
            quote! { request::json_body(&parts.headers, &bytes, #required, #object) }
        }
        (BodyEncoding::Json, _) => {
            quote! { request::json_value_body(&parts.headers, &bytes, #required) }
        }
        (BodyEncoding::Form, TypeRef::Named(id)) => {
            imports.add("crate::runtime::form");
            imports.add("crate::types");
            let name = ident(&api.type_def(*id).name);
            let comma_separated = content
                .form_styles
                .iter()
                .filter(|(_, style)| *style == FormStyle::Comma)
                .map(|(property, _)| property);
            quote! {
                form::form_body::<types::#name>(&parts.headers, &bytes, #required, &[#(#comma_separated),*])
            }
        }
        (BodyEncoding::Text, _) => {
            quote! { request::text_body(&parts.headers, &bytes, #required) }
        }
        (BodyEncoding::Multipart, TypeRef::Named(id)) => {
            imports.add("crate::runtime::multipart");
            imports.add("crate::types");
            let name = ident(&api.type_def(*id).name);
            let kinds = multipart::part_kinds(api, content)
                .into_iter()
                .map(|(part, kind)| {
                    let kind = multipart::tokens(kind);
                    quote! { (#part, multipart::#kind) }
                });
            quote! {
                multipart::multipart_body::<types::#name>(&parts.headers, &bytes, #required, &[#(#kinds),*]).await
            }
        }
        // A map of values: typed by its shape, decoded by serde.
        (BodyEncoding::Form, _) => {
            imports.add("crate::runtime::form");
            imports.add("crate::types");
            let shape = form::shape_outside(api, &content.schema);
            quote! { form::form_value_body::<#shape, _>(&parts.headers, &bytes, #required) }
        }
        (BodyEncoding::Multipart, _) => {
            imports.add("crate::runtime::multipart");
            imports.add("crate::types");
            let shape = form::shape_outside(api, &content.schema);
            quote! { multipart::multipart_value_body::<#shape, _>(&parts.headers, &bytes, #required).await }
        }
        // Lowering gives form and multipart bodies a struct; anything else is read raw.
        (BodyEncoding::Bytes, _) => match content.schema.rules.max_length {
            Some(max) => quote! {
                request::bytes_body(&parts.headers, &bytes, #required).and_then(|body| request::at_most(body, #max))
            },
            None => quote! { request::bytes_body(&parts.headers, &bytes, #required) },
        },
    }
}
