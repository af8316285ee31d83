//! The smaller steps of an operation's glue: reading parameters, building
//! the request, cursors and deprecation headers.

use heck::ToShoutySnakeCase;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::emit::rust::ident;
use crate::emit::typeref::Imports;
use crate::emit::wire::pagination;
use crate::ir::{
    Api, Operation, Pagination, ParamStyle, ParameterLocation, Primitive, Schema, TypeKind, TypeRef,
};

/// How a parameter's text is read before the schema check.
pub(super) fn param_kind(api: &Api, schema: &Schema) -> TokenStream {
    fn scalar(api: &Api, schema: &Schema) -> TokenStream {
        match &schema.ty {
            TypeRef::Primitive(Primitive::I32 | Primitive::I64) => quote! { Integer },
            TypeRef::Primitive(Primitive::F32 | Primitive::F64) => quote! { Number },
            TypeRef::Primitive(Primitive::Boolean) => quote! { Boolean },
            TypeRef::Named(id) if matches!(&api.type_def(*id).kind, TypeKind::Enum(e) if e.integer) =>
            {
                quote! { Integer }
            }
            _ => quote! { String },
        }
    }
    match &schema.ty {
        TypeRef::Array(items) => {
            let inner = scalar(api, items);
            quote! { Kind::ArrayOf(ScalarKind::#inner) }
        }
        TypeRef::Map(_) => quote! { Kind::Object },
        TypeRef::Named(id) if matches!(api.type_def(*id).kind, TypeKind::Struct(_)) => {
            quote! { Kind::Object }
        }
        _ => {
            let kind = scalar(api, schema);
            quote! { Kind::#kind }
        }
    }
}

/// The runtime's `Style` for a parameter's.
pub(super) fn style_tokens(style: ParamStyle) -> TokenStream {
    match style {
        ParamStyle::Repeated => quote! { Style::Repeated },
        ParamStyle::Comma => quote! { Style::Comma },
        ParamStyle::Space => quote! { Style::Space },
        ParamStyle::Pipe => quote! { Style::Pipe },
        ParamStyle::Label { explode } => quote! { Style::Label { explode: #explode } },
        ParamStyle::Matrix { explode } => quote! { Style::Matrix { explode: #explode } },
        ParamStyle::DeepObject => quote! { Style::DeepObject },
    }
}

/// Builds the request value once every part was read, or answers `400` with every detail.
pub(super) fn build_request(
    operation: &Operation,
    request_type: &proc_macro2::Ident,
    reads: &[TokenStream],
) -> (TokenStream, TokenStream) {
    if reads.is_empty() {
        return (TokenStream::new(), quote! { #request_type });
    }
    let body_required = operation.request_body.as_ref().is_some_and(|b| b.required);
    let has_params = operation.params_type.is_some();
    let has_body = operation.request_body.is_some();
    let mut patterns = Vec::new();
    let mut values = Vec::new();
    if has_params {
        patterns.push(quote! { Some(params) });
        values.push(quote! { params });
    }
    if has_body {
        if body_required {
            patterns.push(quote! { Some(Some(body)) });
        } else {
            patterns.push(quote! { Some(body) });
        }
        values.push(quote! { body });
    }
    // A part is `None` exactly when it recorded problems.
    let build = if patterns.len() == 1 {
        let (pattern, value) = (&patterns[0], &values[0]);
        quote! {
            let #pattern = #value else {
                return envelope::error(&problems.into_error(), &request_id);
            };
        }
    } else {
        quote! {
            let (#(#patterns,)*) = (#(#values,)*) else {
                return envelope::error(&problems.into_error(), &request_id);
            };
        }
    };
    let fields = [
        has_params.then(|| quote! { params }),
        has_body.then(|| quote! { body }),
    ];
    let fields = fields.iter().flatten();
    (build, quote! { #request_type { #(#fields),* } })
}

/// Cursor decoding before the call, and the pagination arguments of `into_http`.
pub(super) fn pagination_steps(operation: &Operation) -> (TokenStream, TokenStream) {
    let field = |wire: &str| {
        operation
            .parameters
            .iter()
            .find(|p| p.name.wire == wire)
            .map(|p| (ident(&p.name.rust), p.required || p.default.is_some()))
    };
    match pagination(operation) {
        Some(Pagination::Page {
            page_param,
            per_page_param,
        }) => {
            let (Some((page, _)), Some((per_page, _))) = (field(page_param), field(per_page_param))
            else {
                return (TokenStream::new(), TokenStream::new());
            };
            (
                quote! {
                    let page = u64::try_from(params.#page).unwrap_or_default();
                    let per_page = u64::try_from(params.#per_page).unwrap_or_default();
                },
                quote! { page, per_page },
            )
        }
        Some(Pagination::Cursor {
            cursor_param,
            limit_param,
        }) => {
            let (Some((cursor, _)), Some((limit, _))) = (field(cursor_param), field(limit_param))
            else {
                return (TokenStream::new(), TokenStream::new());
            };
            (
                quote! {
                    let mut params = params;
                    if let Some(cursor) = params.#cursor.take() {
                        match shared.config.cursors.decode(&cursor) {
                            Some(position) => params.#cursor = Some(position),
                            None => return envelope::error(&ApiError::invalid_cursor(), &request_id),
                        }
                    }
                    let limit = u64::try_from(params.#limit).unwrap_or_default();
                },
                quote! { limit, &shared.config.cursors },
            )
        }
        None => (TokenStream::new(), TokenStream::new()),
    }
}

/// The `<OPERATION>_PARAMS` const (`PARAMS` when `local` to the handler):
/// where each parameter is and how to read it.
pub(super) fn param_specs(
    api: &Api,
    operation: &Operation,
    local: bool,
    imports: &mut Imports,
) -> (TokenStream, proc_macro2::Ident) {
    imports.add("crate::runtime::params::Param");
    imports.add("crate::runtime::params::Kind");
    imports.add("crate::runtime::params::Style");
    if operation
        .parameters
        .iter()
        .any(|p| matches!(p.schema.ty, TypeRef::Array(_)))
    {
        imports.add("crate::runtime::params::ScalarKind");
    }
    let specs = operation.parameters.iter().map(|parameter| {
        // Header lookups ignore case, so the wire name serves as is.
        let wire = &parameter.name.wire;
        let location = format_ident!(
            "{}",
            match parameter.location {
                ParameterLocation::Path => "path",
                ParameterLocation::Query => "query",
                ParameterLocation::Header => "header",
                ParameterLocation::Cookie => "cookie",
            }
        );
        let kind = param_kind(api, &parameter.schema);
        let style = style_tokens(parameter.style);
        quote! { Param::#location(#wire, #kind, #style) }
    });
    let specs = quote! { &[#(#specs),*] };
    match local {
        // Inside the handler, the only one that reads it.
        true => {
            let name = format_ident!("PARAMS");
            (quote! { const #name: &[Param] = #specs; }, name)
        }
        false => {
            let name = format_ident!(
                "{}_PARAMS",
                crate::naming::bare(&operation.id.rust).to_shouty_snake_case()
            );
            let doc = format!(
                " Where the parameters of `{}` are and how to read them.",
                operation.id.rust
            );
            (
                quote! { #[doc = #doc] const #name: &[Param] = #specs; },
                name,
            )
        }
    }
}
