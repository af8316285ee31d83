//! The body argument of a method: its type and how it is encoded, and, for
//! an operation that accepts several kinds of content, the enum callers
//! choose one with.

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::{borrowed, BodyArgument};
use crate::emit::multipart;
use crate::emit::rust::ident;
use crate::emit::typeref::{Imports, TypeWriter};
use crate::emit::wire::body_choice_name;
use crate::ir::{Api, BodyContent, BodyEncoding, FormStyle, Operation, RequestBody};

pub(super) fn argument(
    api: &Api,
    writer: &TypeWriter<'_>,
    operation: &Operation,
    body: &RequestBody,
    name: Ident,
    imports: &mut Imports,
) -> BodyArgument {
    if operation.streams_body() {
        return upload(body, name);
    }
    let (ty, encode, enum_item) = if body.is_choice() {
        let (ty, encode, item) = choice(api, writer, operation, body, &name, imports);
        (ty, encode, Some(item))
    } else {
        // One value, whatever the content type: the preferred one is sent.
        let (ty, encode) = content(api, writer, body.preferred(), &name, imports);
        (ty, encode, None)
    };
    let ty = match (body.required, &enum_item) {
        // The preferred content's value converts, so the common call reads `op(&value)`.
        (true, Some(_)) => quote! { impl Into<#ty> },
        (true, None) => ty,
        (false, _) => quote! { Option<#ty> },
    };
    let encode = match (body.required, &enum_item) {
        (true, Some(_)) => quote! { match #name.into() #encode },
        (false, Some(_)) => quote! { match #name #encode },
        (_, None) => encode,
    };
    BodyArgument {
        name,
        ty,
        required: body.required,
        encode,
        enum_item,
    }
}

/// An unbounded binary body: an `Upload`, from bytes, a stream or a file.
fn upload(body: &RequestBody, name: Ident) -> BodyArgument {
    let content_type = &body.preferred().content_type;
    let (ty, encode) = if body.required {
        (
            quote! { impl Into<Upload> },
            quote! { Into::<Upload>::into(#name).into_body(#content_type) },
        )
    } else {
        (
            quote! { Option<Upload> },
            quote! { #name.into_body(#content_type) },
        )
    };
    BodyArgument {
        name,
        ty,
        required: body.required,
        encode,
        enum_item: None,
    }
}

/// `<Op>RequestBody<'a>`: a variant per content type, borrowing its value,
/// and the arms of the `match` that encodes whichever the caller chose.
fn choice(
    api: &Api,
    writer: &TypeWriter<'_>,
    operation: &Operation,
    body: &RequestBody,
    name: &Ident,
    imports: &mut Imports,
) -> (TokenStream, TokenStream, TokenStream) {
    let enum_name = ident(&body_choice_name(operation));
    let mut variants = Vec::new();
    let mut arms = Vec::new();
    let mut from = None;
    for content in &body.contents {
        let variant = ident(&content.variant);
        let (ty, encode) = self::content(api, writer, content, name, imports);
        let ty = with_lifetime(ty);
        let doc = format!(" Sent as `{}`.", content.content_type);
        if from.is_none() {
            let doc = format!(" Sends the value as `{}`.", content.content_type);
            from = Some(quote! {
                impl<'a> From<#ty> for #enum_name<'a> {
                    #[doc = #doc]
                    fn from(value: #ty) -> Self {
                        #enum_name::#variant(value)
                    }
                }
            });
        }
        variants.push(quote! { #[doc = #doc] #variant(#ty), });
        arms.push(quote! { #enum_name::#variant(#name) => #encode, });
    }
    let doc = format!(
        " The body of [`Client::{0}`](crate::Client::{0}): the content type to send it as, with its value. A value of the first variant's type converts into it.",
        operation.id.rust
    );
    let item = quote! {
        #[doc = #doc]
        #[derive(Debug, Clone, Copy)]
        pub enum #enum_name<'a> {
            #(#variants)*
        }

        #from
    };
    (quote! { #enum_name<'_> }, quote! { { #(#arms)* } }, item)
}

/// The argument type of one content type and how its value (`name`) becomes the body.
fn content(
    api: &Api,
    writer: &TypeWriter<'_>,
    content: &BodyContent,
    name: &Ident,
    imports: &mut Imports,
) -> (TokenStream, TokenStream) {
    let content_type = &content.content_type;
    match content.encoding {
        BodyEncoding::Json => (
            borrowed(writer, &content.schema, imports),
            quote! { Body::json(#name)? },
        ),
        BodyEncoding::Form => {
            let styles = content.form_styles.iter().map(|(property, style)| {
                let style = match style {
                    FormStyle::Repeated => quote! { FormStyle::Repeated },
                    FormStyle::Comma => quote! { FormStyle::Comma },
                    FormStyle::Brackets => quote! { FormStyle::Brackets },
                };
                quote! { (#property, #style) }
            });
            (
                borrowed(writer, &content.schema, imports),
                quote! { bodies::form(#name, &[#(#styles),*])? },
            )
        }
        BodyEncoding::Multipart => {
            let kinds = multipart::part_kinds(api, content)
                .into_iter()
                .map(|(part, kind)| {
                    let kind = multipart::tokens(kind);
                    quote! { (#part, #kind) }
                });
            (
                borrowed(writer, &content.schema, imports),
                quote! { bodies::multipart(#name, &[#(#kinds),*])? },
            )
        }
        BodyEncoding::Text => (
            quote! { &str },
            quote! { Body::new(#content_type, #name.as_bytes().to_vec()) },
        ),
        BodyEncoding::Bytes => (
            quote! { &[u8] },
            quote! { Body::new(#content_type, #name.to_vec()) },
        ),
    }
}

/// A borrowed type with the enum's lifetime (`&'a Pet`); others as they are.
fn with_lifetime(ty: TokenStream) -> TokenStream {
    let mut tokens = ty.into_iter();
    match tokens.next() {
        Some(proc_macro2::TokenTree::Punct(amp)) if amp.as_char() == '&' => {
            let rest: TokenStream = tokens.collect();
            quote! { &'a #rest }
        }
        Some(first) => std::iter::once(first).chain(tokens).collect(),
        None => TokenStream::new(),
    }
}
