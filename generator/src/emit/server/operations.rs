//! `operations.rs`: each operation's request struct and response enum, and
//! how a response becomes HTTP.

use std::collections::HashMap;

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use super::requests;
use crate::emit::rust::{area_modules, docs, ident, large_variant_allowance, module_docs};
use crate::emit::shape;
use crate::emit::typeref::{Imports, TypeWriter};
use crate::emit::wire::{is_error_schema, list_items, pagination, status_variant, uses_envelope};
use crate::ir::{
    Api, Operation, Pagination, Primitive, Response, Schema, StatusCode, TypeGroup, TypeRef,
};

/// The operations' types: all of them, or with `file` those of one module
/// of a split API.
///
/// A response enum alike an earlier one but for its name (the same
/// statuses, payloads and descriptions) is an alias of it: one type to
/// compile, and every name still works. `declared` maps each declared
/// enum's shape to its operation; it spans every file of a split API.
pub fn module(api: &Api, file: Option<&str>, declared: &mut HashMap<String, usize>) -> TokenStream {
    let mut imports = Imports::default();
    let writer = TypeWriter {
        api,
        module: TypeGroup::Model,
        types_path: Some("crate::types"),
        file: None,
    };
    let items: Vec<TokenStream> = api
        .operations_in(file)
        .map(|(index, operation)| {
            let request = requests::request_struct(api, operation, &mut imports);
            let mut own = Imports::default();
            let response = response_enum(api, &writer, operation, &mut own);
            let name = format!("{}Response", operation.type_stem);
            let shape = shape::without_name(&response, &name);
            let response = match declared.get(&shape) {
                Some(&first) => {
                    let first_file = api.operation_module(first);
                    let first = &api.operations[first];
                    let first_name = format_ident!("{}Response", first.type_stem);
                    if first_file != api.operation_module(index) {
                        imports.add(&format!("super::{first_name}"));
                    }
                    let doc = format!(
                        " The responses `{}` may return: the same as those of `{}`.",
                        operation.id.rust, first.id.rust
                    );
                    let name = format_ident!("{name}");
                    quote! {
                        #[doc = #doc]
                        pub type #name = #first_name;
                    }
                }
                None => {
                    declared.insert(shape, index);
                    imports.extend(own);
                    response
                }
            };
            quote! { #request #response }
        })
        .collect();
    let uses = imports.tokens();
    let module_doc = match file {
        None => module_docs("The request and the responses of each operation."),
        Some(file) => module_docs(&format!(
            "The requests and responses of the operations of the `{file}` area."
        )),
    };
    quote! {
        #module_doc
        #uses
        #(#items)*
    }
}

/// How a response variant carries its payload.
struct Variant<'a> {
    response: &'a Response,
    name: proc_macro2::Ident,
    body: Option<TokenStream>,
    headers: Vec<(proc_macro2::Ident, &'a str, TokenStream)>,
}

fn variants<'a>(
    writer: &TypeWriter<'_>,
    operation: &'a Operation,
    imports: &mut Imports,
) -> Vec<Variant<'a>> {
    operation
        .responses
        .iter()
        .map(|response| {
            let body = response.body.as_ref().map(|schema| {
                match (list_items(operation, response), pagination(operation)) {
                    (Some(items), Some(Pagination::Page { .. })) => {
                        imports.add("crate::runtime::pagination::Page");
                        let items = writer.tokens(items, imports);
                        quote! { Page<#items> }
                    }
                    (Some(items), Some(Pagination::Cursor { .. })) => {
                        imports.add("crate::runtime::pagination::CursorPage");
                        let items = writer.tokens(items, imports);
                        quote! { CursorPage<#items> }
                    }
                    _ => writer.tokens(schema, imports),
                }
            });
            let headers = response
                .headers
                .iter()
                .map(|header| {
                    let ty = header_type(&header.schema);
                    let ty = if header.required {
                        ty
                    } else {
                        quote! { Option<#ty> }
                    };
                    (ident(&header.name.rust), header.name.wire.as_str(), ty)
                })
                .collect();
            Variant {
                response,
                name: format_ident!("{}", status_variant(response.status)),
                body,
                headers,
            }
        })
        .collect()
}

/// Headers are set from strings or numbers.
fn header_type(schema: &Schema) -> TokenStream {
    match schema.ty {
        TypeRef::Primitive(Primitive::I32) => quote! { i32 },
        TypeRef::Primitive(Primitive::I64) => quote! { i64 },
        TypeRef::Primitive(Primitive::Boolean) => quote! { bool },
        _ => quote! { String },
    }
}

fn response_enum(
    api: &Api,
    writer: &TypeWriter<'_>,
    operation: &Operation,
    imports: &mut Imports,
) -> TokenStream {
    let name = format_ident!("{}Response", operation.type_stem);
    let variants = variants(writer, operation, imports);
    let definitions = variants.iter().map(|variant| {
        let variant_name = &variant.name;
        let mut text = match variant.response.status {
            StatusCode::Code(code) => format!("`{code}`"),
            StatusCode::Range(digit) => format!("`{digit}XX`"),
            StatusCode::Default => "Any other status".to_string(),
        };
        if let Some(description) = &variant.response.docs {
            text.push_str(": ");
            text.push_str(description.trim());
        }
        let doc = docs(Some(&text));
        let status_field =
            needs_status(variant.response.status).then(|| quote! { status: StatusCode, });
        match (
            &variant.body,
            variant.headers.is_empty(),
            status_field.is_some(),
        ) {
            (None, true, false) => quote! { #doc #variant_name, },
            (Some(body), true, false) => quote! { #doc #variant_name(#body), },
            (body, _, _) => {
                let body = body.as_ref().map(|body| quote! { body: #body, });
                let headers = variant.headers.iter().map(|(field, wire, ty)| {
                    let header_doc = format!(" The `{wire}` header.");
                    quote! { #[doc = #header_doc] #field: #ty, }
                });
                quote! { #doc #variant_name { #status_field #body #(#headers)* }, }
            }
        }
    });
    let conversion = conversion(api, operation, &name, &variants, imports);
    let large_variants = large_variant_allowance(
        operation
            .responses
            .iter()
            .map(|r| r.body.as_ref().map_or(0, |body| api.estimated_size(body))),
    );
    let doc = format!(
        " The responses `{}` may return: one variant per status the spec declares.",
        operation.id.rust
    );
    quote! {
        #[doc = #doc]
        #[derive(Debug, Clone)]
        #large_variants
        pub enum #name {
            #(#definitions)*
        }
        #conversion
    }
}

/// `4XX` and `default` responses carry the status the handler chooses.
fn needs_status(status: StatusCode) -> bool {
    !matches!(status, StatusCode::Code(_))
}

fn status_tokens(status: StatusCode) -> TokenStream {
    match status {
        StatusCode::Code(code) => match status_const(code) {
            Some(name) => {
                let name = format_ident!("{}", name);
                quote! { StatusCode::#name }
            }
            None => {
                let code = Literal::u16_unsuffixed(code);
                quote! { StatusCode::from_u16(#code).expect("the spec declares a valid status") }
            }
        },
        _ => quote! { status },
    }
}

fn conversion(
    api: &Api,
    operation: &Operation,
    name: &proc_macro2::Ident,
    variants: &[Variant<'_>],
    imports: &mut Imports,
) -> TokenStream {
    let envelope = uses_envelope(api, operation);
    let extra_params = match pagination(operation) {
        Some(Pagination::Page { .. }) => quote! { page: u64, per_page: u64, },
        Some(Pagination::Cursor { .. }) => {
            imports.add("crate::runtime::cursor::CursorCodec");
            quote! { limit: u64, cursors: &CursorCodec, }
        }
        None => {
            imports.add("crate::runtime::envelope::IntoHttp");
            quote! {}
        }
    };
    imports.add("axum::http::StatusCode");
    imports.add("axum::response::Response as HttpResponse");
    let arms = variants.iter().map(|variant| {
        let variant_name = &variant.name;
        let status = status_tokens(variant.response.status);
        let header_names: Vec<_> = variant.headers.iter().map(|(field, _, _)| field.clone()).collect();
        let status_binding = needs_status(variant.response.status).then(|| quote! { status, });
        let pattern = match (&variant.body, variant.headers.is_empty(), status_binding.is_some()) {
            (None, true, false) => quote! { Self::#variant_name },
            (Some(_), true, false) => quote! { Self::#variant_name(body) },
            (body, _, _) => {
                let body = body.as_ref().map(|_| quote! { body, });
                quote! { Self::#variant_name { #status_binding #body #(#header_names,)* } }
            }
        };
        let is_list = variant.response.body.is_some() && list_items(operation, variant.response).is_some();
        let raw_content_type = variant
            .response
            .content_type
            .as_deref()
            .filter(|content_type| !crate::lower::is_json(content_type) && is_raw(variant.response.body.as_ref()));
        if variant.response.body.is_some() && raw_content_type.is_none() {
            // Every JSON body is rendered by the envelope module.
            imports.add("crate::runtime::envelope");
        }
        let render = match &variant.response.body {
            // Text and binary bodies go out as they are, with their content type.
            Some(_) if raw_content_type.is_some() => {
                imports.add("axum::response::IntoResponse");
                imports.add("axum::http::header::CONTENT_TYPE");
                let content_type = raw_content_type.unwrap_or_default();
                quote! { (#status, [(CONTENT_TYPE, #content_type)], body).into_response() }
            }
            None => {
                imports.add("axum::response::IntoResponse");
                quote! { #status.into_response() }
            }
            Some(_) if envelope && is_list => match pagination(operation) {
                Some(Pagination::Page { .. }) => {
                    imports.add("crate::runtime::envelope::PagePagination");
                    quote! { envelope::list(#status, &body.items, &PagePagination::new(page, per_page, body.total), request_id) }
                }
                _ => {
                    imports.add("crate::runtime::envelope::CursorPagination");
                    quote! {
                        envelope::list(#status, &body.items, &CursorPagination {
                            limit,
                            has_more: body.next.is_some(),
                            next_cursor: body.next.as_deref().map(|next| cursors.encode(next)),
                        }, request_id)
                    }
                }
            },
            Some(_) if !envelope && is_list => quote! { envelope::json(#status, &body.items) },
            Some(schema) if envelope && (is_error_schema(api, schema) || !is_success(variant.response.status)) => {
                quote! { envelope::failure(#status, &body, request_id) }
            }
            Some(_) if envelope => quote! { envelope::success(#status, &body, request_id) },
            Some(_) => quote! { envelope::json(#status, &body) },
        };
        if variant.headers.is_empty() {
            return quote! { #pattern => #render, };
        }
        imports.add("axum::http::HeaderValue");
        let sets = variant.headers.iter().map(|(field, wire, ty)| {
            let wire_lower = wire.to_ascii_lowercase();
            // A `String` becomes the header's bytes without a copy; other
            // types are written as text first.
            let text = ty.to_string().replace(' ', "");
            let value = match text.as_str() {
                "String" | "Option<String>" => quote! { HeaderValue::try_from(#field) },
                _ => quote! { HeaderValue::from_str(&#field.to_string()) },
            };
            let set = quote! {
                match #value {
                    Ok(value) => {
                        response.headers_mut().insert(#wire_lower, value);
                    }
                    Err(_) => tracing::error!(header = #wire, "a response header value is not valid in HTTP"),
                }
            };
            if ty.to_string().starts_with("Option") {
                quote! { if let Some(#field) = #field { #set } }
            } else {
                set
            }
        });
        quote! {
            #pattern => {
                let mut response = #render;
                #(#sets)*
                response
            }
        }
    });
    let request_id_used = variants.iter().any(|v| v.response.body.is_some()) && envelope;
    let request_id_param = if request_id_used {
        quote! { request_id: &str }
    } else {
        quote! { _request_id: &str }
    };
    if pagination(operation).is_some() {
        return quote! {
            impl #name {
                /// The HTTP response for this value.
                pub fn into_http(self, #request_id_param, #extra_params) -> HttpResponse {
                    match self {
                        #(#arms)*
                    }
                }
            }
        };
    }
    quote! {
        impl IntoHttp for #name {
            fn into_http(self, #request_id_param) -> HttpResponse {
                match self {
                    #(#arms)*
                }
            }
        }
    }
}

fn is_success(status: StatusCode) -> bool {
    matches!(status, StatusCode::Code(code) if code < 400)
        || matches!(status, StatusCode::Range(digit) if digit < 4)
}

/// The `http` crate's constant for a status code, for the common ones.
fn status_const(code: u16) -> Option<&'static str> {
    Some(match code {
        200 => "OK",
        201 => "CREATED",
        202 => "ACCEPTED",
        204 => "NO_CONTENT",
        301 => "MOVED_PERMANENTLY",
        302 => "FOUND",
        304 => "NOT_MODIFIED",
        400 => "BAD_REQUEST",
        401 => "UNAUTHORIZED",
        402 => "PAYMENT_REQUIRED",
        403 => "FORBIDDEN",
        404 => "NOT_FOUND",
        405 => "METHOD_NOT_ALLOWED",
        409 => "CONFLICT",
        410 => "GONE",
        412 => "PRECONDITION_FAILED",
        413 => "PAYLOAD_TOO_LARGE",
        415 => "UNSUPPORTED_MEDIA_TYPE",
        422 => "UNPROCESSABLE_ENTITY",
        429 => "TOO_MANY_REQUESTS",
        500 => "INTERNAL_SERVER_ERROR",
        502 => "BAD_GATEWAY",
        503 => "SERVICE_UNAVAILABLE",
        504 => "GATEWAY_TIMEOUT",
        _ => return None,
    })
}

/// A body sent without JSON encoding: a string or bytes.
fn is_raw(schema: Option<&Schema>) -> bool {
    matches!(
        schema.map(|s| &s.ty),
        Some(TypeRef::Primitive(Primitive::String | Primitive::Binary))
    )
}

/// `operations/mod.rs` of a split API: its modules, each re-exported whole.
pub fn parent_module(areas: &[&str]) -> TokenStream {
    let doc = module_docs(
        "The request and the responses of each operation, one module per area of the API.",
    );
    let modules = area_modules(areas, true);
    quote! {
        #doc
        #modules
    }
}
