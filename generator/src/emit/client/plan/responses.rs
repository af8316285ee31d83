//! What each status of an operation decodes into, and how a list is walked.

use std::collections::BTreeSet;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::emit::rust::{docs, large_variant_allowance};
use crate::emit::typeref::Imports;
use crate::emit::wire::{is_error_schema, list_items, status_variant, uses_envelope};
use crate::ir::{
    Api, Operation, Pagination, ParameterLocation, Primitive, Response, StatusCode, TypeRef,
};

use super::model::{
    type_writer, Argument, ErrorVariant, Success, Walk, WalkStyle, ERROR_BODY_SIZE,
};

/// How one response body is read.
enum Reading {
    Empty,
    Json(TokenStream),
    Text,
    Bytes,
}

fn reading(api: &Api, response: &Response, imports: &mut Imports) -> Reading {
    let Some(schema) = &response.body else {
        return Reading::Empty;
    };
    let raw = response
        .content_type
        .as_deref()
        .is_some_and(|content_type| !crate::lower::is_json(content_type));
    match &schema.ty {
        TypeRef::Primitive(Primitive::String) if raw => Reading::Text,
        TypeRef::Primitive(Primitive::Binary) if raw => Reading::Bytes,
        _ => {
            let value = type_writer(api).tokens(schema, imports);
            Reading::Json(if schema.nullable {
                quote! { Option<#value> }
            } else {
                value
            })
        }
    }
}

fn is_success(status: StatusCode) -> bool {
    match status {
        StatusCode::Code(code) => (200..300).contains(&code),
        StatusCode::Range(digit) => digit == 2,
        StatusCode::Default => false,
    }
}

fn pattern(status: StatusCode) -> TokenStream {
    match status {
        StatusCode::Code(code) => {
            let code = proc_macro2::Literal::u16_unsuffixed(code);
            quote! { #code }
        }
        StatusCode::Range(digit) => {
            let low = proc_macro2::Literal::u16_unsuffixed(u16::from(digit) * 100);
            let high = proc_macro2::Literal::u16_unsuffixed(u16::from(digit) * 100 + 99);
            quote! { #low..=#high }
        }
        StatusCode::Default => quote! { _ },
    }
}

/// Exact statuses first, then ranges, then `default`, as a `match` needs.
fn match_order(status: StatusCode) -> u8 {
    match status {
        StatusCode::Code(_) => 0,
        StatusCode::Range(_) => 1,
        StatusCode::Default => 2,
    }
}

pub(super) fn success(
    api: &Api,
    operation: &Operation,
    envelope: bool,
    imports: &mut Imports,
) -> Success {
    let mut responses: Vec<&Response> = operation
        .responses
        .iter()
        .filter(|r| is_success(r.status))
        .collect();
    responses.sort_by_key(|r| match_order(r.status));
    if responses.is_empty() {
        return Success {
            ty: quote! { () },
            arms: vec![quote! { 200..=299 => Some(decode::empty(bytes)) }],
            single: None,
            enum_item: None,
        };
    }
    let readings: Vec<(TokenStream, TokenStream)> = responses
        .iter()
        .map(|response| {
            let is_list = list_items(operation, response).is_some();
            match (
                reading(api, response, imports),
                operation.extensions.pagination.as_ref(),
            ) {
                (Reading::Json(_), Some(pagination)) if envelope && is_list => {
                    let item = list_items(operation, response).expect("a list response");
                    let item = type_writer(api).tokens(item, imports);
                    match pagination {
                        Pagination::Page { .. } => (quote! { Page<#item> }, quote! { decode_page }),
                        Pagination::Cursor { .. } => {
                            (quote! { CursorPage<#item> }, quote! { decode_cursor_page })
                        }
                    }
                }
                (Reading::Json(ty), _) if envelope => (ty, quote! { decode::data }),
                (Reading::Json(ty), _) => (ty, quote! { decode::json }),
                (Reading::Text, _) => (quote! { String }, quote! { decode::text }),
                (Reading::Bytes, _) => (quote! { Vec<u8> }, quote! { decode::bytes }),
                (Reading::Empty, _) => (quote! { () }, quote! { decode::empty }),
            }
        })
        .collect();
    let first = readings[0].0.to_string();
    // One body type, and statuses without a body (`200` or `204`): `Option`.
    let bodies: BTreeSet<String> = readings
        .iter()
        .map(|(ty, _)| ty.to_string())
        .filter(|ty| ty != "()")
        .collect();
    if bodies.len() == 1 && readings.iter().any(|(ty, _)| ty.to_string() == "()") {
        let ty = readings
            .iter()
            .find(|(ty, _)| ty.to_string() != "()")
            .map(|(ty, _)| ty.clone())
            .expect("one body type");
        let arms = responses
            .iter()
            .zip(&readings)
            .map(|(response, (ty, decoder))| {
                let pattern = pattern(response.status);
                if ty.to_string() == "()" {
                    quote! { #pattern => Some(Ok(None)) }
                } else {
                    quote! { #pattern => Some(#decoder(bytes).map(Some)) }
                }
            })
            .collect();
        return Success {
            ty: quote! { Option<#ty> },
            arms,
            single: None,
            enum_item: None,
        };
    }
    if let ([response], [(ty, decoder)]) = (responses.as_slice(), readings.as_slice()) {
        if let StatusCode::Code(code) = response.status {
            return Success {
                ty: ty.clone(),
                arms: Vec::new(),
                single: Some((proc_macro2::Literal::u16_unsuffixed(code), decoder.clone())),
                enum_item: None,
            };
        }
    }
    if readings.iter().all(|(ty, _)| ty.to_string() == first) {
        let arms = responses
            .iter()
            .zip(&readings)
            .map(|(response, (_, decoder))| {
                let pattern = pattern(response.status);
                quote! { #pattern => Some(#decoder(bytes)) }
            })
            .collect();
        return Success {
            ty: readings[0].0.clone(),
            arms,
            single: None,
            enum_item: None,
        };
    }
    // Successes of different shapes: an enum with a variant per status.
    let name = format_ident!("{}Success", operation.type_stem);
    let mut variants = Vec::new();
    let mut arms = Vec::new();
    for (response, (ty, decoder)) in responses.iter().zip(&readings) {
        let variant = format_ident!("{}", status_variant(response.status));
        let doc = status_docs(response);
        let pattern = pattern(response.status);
        if ty.to_string() == "()" {
            variants.push(quote! { #doc #variant, });
            arms.push(quote! { #pattern => Some(#decoder(bytes).map(|()| #name::#variant)) });
        } else {
            variants.push(quote! { #doc #variant(#ty), });
            arms.push(quote! { #pattern => Some(#decoder(bytes).map(#name::#variant)) });
        }
    }
    let doc = format!(
        " What `{}` returns: one variant per success status the spec declares.",
        operation.id.rust
    );
    let large_variants = large_variant_allowance(
        responses
            .iter()
            .map(|r| r.body.as_ref().map_or(0, |body| api.estimated_size(body))),
    );
    Success {
        ty: quote! { #name },
        arms,
        single: None,
        enum_item: Some(quote! {
            #[doc = #doc]
            #[derive(Debug, Clone)]
            #large_variants
            pub enum #name {
                #(#variants)*
            }
        }),
    }
}

fn status_docs(response: &Response) -> TokenStream {
    let mut text = match response.status {
        StatusCode::Code(code) => format!("`{code}`"),
        StatusCode::Range(digit) => format!("`{digit}XX`"),
        StatusCode::Default => "Any other status".to_string(),
    };
    if let Some(description) = &response.docs {
        text.push_str(": ");
        text.push_str(description.trim());
    }
    docs(Some(&text))
}

pub(super) fn errors(api: &Api, operation: &Operation, envelope: bool) -> Vec<ErrorVariant> {
    let mut imports = Imports::default();
    let mut declared: Vec<&Response> = operation
        .responses
        .iter()
        .filter(|r| !is_success(r.status))
        .collect();
    declared.sort_by_key(|r| match_order(r.status));
    let mut variants: Vec<ErrorVariant> = Vec::new();
    for response in &declared {
        let name = format_ident!("{}", status_variant(response.status));
        let error_envelope = envelope
            && response
                .body
                .as_ref()
                .is_some_and(|s| is_error_schema(api, s));
        let (ty, decode, is_error_body) = match reading(api, response, &mut imports) {
            _ if error_envelope => (
                Some(quote! { ErrorBody }),
                quote! { Some(decode::error(body).map(Self::#name)) },
                true,
            ),
            Reading::Json(ty) if envelope => (
                Some(ty),
                quote! { Some(decode::error(body).map(Self::#name)) },
                false,
            ),
            Reading::Json(ty) => (
                Some(ty),
                quote! { Some(decode::json(body).map(Self::#name)) },
                false,
            ),
            Reading::Text => (
                Some(quote! { String }),
                quote! { Some(decode::text(body).map(Self::#name)) },
                false,
            ),
            Reading::Bytes => (
                Some(quote! { Vec<u8> }),
                quote! { Some(decode::bytes(body).map(Self::#name)) },
                false,
            ),
            Reading::Empty => (None, quote! { Some(Ok(Self::#name)) }, false),
        };
        let size = match (&ty, &response.body) {
            (None, _) => 0,
            (Some(_), _) if is_error_body => ERROR_BODY_SIZE,
            (Some(_), Some(schema)) => api.estimated_size(schema),
            (Some(_), None) => 0,
        };
        variants.push(ErrorVariant {
            docs: status_docs(response),
            pattern: pattern(response.status),
            name,
            ty,
            decode,
            is_error_body,
            size,
        });
    }
    // The generated server layer's own errors, where the spec is silent.
    let covered = |code: u16| {
        declared.iter().any(|r| match r.status {
            StatusCode::Code(declared) => declared == code,
            StatusCode::Range(digit) => u16::from(digit) == code / 100,
            StatusCode::Default => true,
        })
    };
    let mut layer: Vec<ErrorVariant> = Vec::new();
    for error in api.layer_errors(operation) {
        if covered(error.status)
            || layer
                .iter()
                .any(|v| v.pattern.to_string() == error.status.to_string())
        {
            continue;
        }
        let name = format_ident!("{}", status_variant(StatusCode::Code(error.status)));
        let decode = if envelope {
            quote! { Some(decode::error(body).map(Self::#name)) }
        } else {
            quote! { decode::layer_error(body, Self::#name) }
        };
        let code = proc_macro2::Literal::u16_unsuffixed(error.status);
        layer.push(ErrorVariant {
            docs: docs(Some(&format!("`{}`: {}", error.status, error.description))),
            pattern: quote! { #code },
            name,
            ty: Some(quote! { ErrorBody }),
            decode,
            is_error_body: true,
            size: ERROR_BODY_SIZE,
        });
    }
    // Exact statuses must come before a declared range or `default`
    // (`declared` is sorted so, and `variants` follows it).
    let first_catch_all = declared
        .iter()
        .position(|r| match_order(r.status) > 0)
        .unwrap_or(variants.len());
    let rest = variants.split_off(first_catch_all);
    variants.extend(layer);
    variants.extend(rest);
    variants
}

pub(super) fn walk(
    api: &Api,
    operation: &Operation,
    optional: &[Argument<'_>],
    imports: &mut Imports,
) -> Option<Walk> {
    if !uses_envelope(api, operation) {
        return None;
    }
    let (style, position) = match operation.extensions.pagination.as_ref()? {
        Pagination::Page { page_param, .. } => (WalkStyle::Page, page_param),
        Pagination::Cursor { cursor_param, .. } => (WalkStyle::Cursor, cursor_param),
    };
    let position = optional.iter().find(|a| {
        a.parameter.location == ParameterLocation::Query && &a.parameter.name.wire == position
    })?;
    let item = operation
        .responses
        .iter()
        .filter(|r| is_success(r.status))
        .find_map(|r| list_items(operation, r))?;
    Some(Walk {
        style,
        position: position.name.clone(),
        item: type_writer(api).tokens(item, imports),
    })
}
