//! `operations.rs` of the client: one `async` method per operation, with a
//! stream and a collect helper for paginated ones.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::examples;
use super::plan::{Plan, WalkStyle};
use crate::emit::rust::{docs, module_docs};
use crate::emit::wire::{operation_docs, route};
use crate::emit::Context;
use crate::ir::{Operation, ParamStyle, Parameter, ParameterLocation};

/// The methods of `plans`: all of them, or those of one `module` of a split API.
pub fn module(context: &Context<'_>, plans: &[&Plan<'_>], module: Option<&str>) -> TokenStream {
    let methods = plans.iter().map(|plan| methods(context, plan));
    let doc = match module {
        None => module_docs("A method per operation of the spec."),
        Some(name) => module_docs(&format!("The methods of the `{name}` area.")),
    };
    quote! {
        #doc

        impl Client {
            #(#methods)*
        }
    }
}

/// The name of the options struct of an operation with optional parameters.
pub fn options_name(operation: &Operation) -> proc_macro2::Ident {
    format_ident!("{}Options", operation.type_stem)
}

pub fn error_name(operation: &Operation) -> proc_macro2::Ident {
    format_ident!("{}Error", operation.type_stem)
}

/// The method's parameters after `&self`.
pub fn parameters(plan: &Plan<'_>) -> Vec<TokenStream> {
    let mut parameters: Vec<TokenStream> = plan
        .arguments
        .iter()
        .map(|argument| {
            let (name, ty) = (&argument.name, &argument.ty);
            quote! { #name: #ty }
        })
        .collect();
    if let Some(body) = &plan.body {
        let (name, ty) = (&body.name, &body.ty);
        parameters.push(quote! { #name: #ty });
    }
    if !plan.optional.is_empty() {
        let options = options_name(plan.operation);
        parameters.push(quote! { options: #options });
    }
    parameters
}

fn methods(context: &Context<'_>, plan: &Plan<'_>) -> TokenStream {
    let operation = plan.operation;
    let method = format_ident!("{}", plan.method);
    let parameters = parameters(plan);
    let success = &plan.success.ty;
    let error = error_name(operation);
    let http_method = format_ident!("{}", operation.method.as_str());
    let path = path_expression(plan);
    let required = plan.arguments.iter().map(|argument| {
        let name = &argument.name;
        encode(argument.parameter, quote! { &#name })
    });
    let optional = plan.optional.iter().map(|argument| {
        let name = &argument.name;
        encode(argument.parameter, quote! { &options.#name })
    });
    let has_cookies = plan
        .arguments
        .iter()
        .chain(&plan.optional)
        .any(|a| a.parameter.location == ParameterLocation::Cookie);
    let cookies_start = has_cookies.then(|| quote! { let mut cookies = Vec::new(); });
    let cookies_end =
        has_cookies.then(|| quote! { encode::cookies(&mut call.headers, &cookies)?; });
    let body = plan.body.as_ref().map(|body| {
        let name = &body.name;
        let encode = &body.encode;
        if body.required {
            quote! { call.body = Some(#encode); }
        } else {
            quote! {
                if let Some(#name) = #name {
                    call.body = Some(#encode);
                }
            }
        }
    });
    let idempotent = operation
        .idempotency()
        .is_some()
        .then(|| quote! { call.idempotent = true; });
    let arms = &plan.success.arms;
    let finish = match &plan.success.single {
        Some((status, decoder)) => quote! { finish_on(answer, #status, #decoder) },
        None => quote! {
            finish(answer, |status, bytes| match status {
                #(#arms,)*
                _ => None,
            })
        },
    };
    let mutable = (has_cookies
        || !plan
            .arguments
            .iter()
            .all(|a| a.parameter.location == ParameterLocation::Path)
        || !plan.optional.is_empty()
        || body.is_some()
        || idempotent.is_some())
    .then(|| quote! { mut });
    let deprecated = operation.deprecated.then(|| quote! { #[deprecated] });
    let doc = method_docs(context, plan);
    let main = quote! {
        #doc
        #deprecated
        pub async fn #method(&self, #(#parameters),*) -> Result<Response<#success>, Error<#error>> {
            let #mutable call = self.call(Method::#http_method, #path);
            #cookies_start
            #(#required)*
            #(#optional)*
            #cookies_end
            #body
            #idempotent
            let answer = self.send(call).await?;
            #finish
        }
    };
    let (Some(walk), Some((stream, all))) = (&plan.walk, &plan.helpers) else {
        return main;
    };
    let stream = format_ident!("{}", stream);
    let all = format_ident!("{}", all);
    let item = &walk.item;
    let position = &walk.position;
    let options = options_name(operation);
    let forwarded: Vec<_> = plan
        .arguments
        .iter()
        .map(|a| a.name.clone())
        .chain(plan.body.as_ref().map(|b| b.name.clone()))
        .collect();
    let (start, next, set) = match walk.style {
        WalkStyle::Page => (
            quote! { options.#position.unwrap_or(1) },
            quote! { list.next_page().and_then(|next| next.try_into().ok()) },
            quote! { #position: Some(position) },
        ),
        WalkStyle::Cursor => (
            quote! { options.#position.clone() },
            quote! { list.next_cursor().map(|cursor| Some(cursor.to_string())) },
            quote! { #position: position },
        ),
    };
    let allow_deprecated = operation
        .deprecated
        .then(|| quote! { #[allow(deprecated)] });
    let stream_doc = stream_docs(context, plan, &stream);
    let all_doc = docs(Some(&format!(
        "Every item of every page of [`Client::{}`]: [`Client::{stream}`], collected.",
        plan.method
    )));
    quote! {
        #main

        #stream_doc
        #deprecated
        #allow_deprecated
        pub fn #stream(&self, #(#parameters),*) -> impl Stream<Item = Result<#item, Error<#error>>> {
            let start = #start;
            walk(start, move |position| {
                let options = #options { #set, ..options.clone() };
                async move {
                    let list = self.#method(#(#forwarded,)* options).await?.data;
                    let next = #next;
                    Ok((list.items, next))
                }
            })
        }

        #all_doc
        #deprecated
        #allow_deprecated
        pub async fn #all(&self, #(#parameters),*) -> Result<Vec<#item>, Error<#error>> {
            self.#stream(#(#forwarded,)* options).try_collect().await
        }
    }
}

/// Sends one parameter where the spec says it goes, as its style writes it.
fn encode(parameter: &Parameter, value: TokenStream) -> TokenStream {
    let wire = parameter.name.wire.as_str();
    match parameter.location {
        // Path parameters are in the path already.
        ParameterLocation::Path => quote! {},
        ParameterLocation::Query => match parameter.style {
            ParamStyle::Comma => {
                quote! { encode::query_joined(&mut call.query, #wire, #value, ","); }
            }
            ParamStyle::Space => {
                quote! { encode::query_joined(&mut call.query, #wire, #value, " "); }
            }
            ParamStyle::Pipe => {
                quote! { encode::query_joined(&mut call.query, #wire, #value, "|"); }
            }
            ParamStyle::DeepObject => {
                quote! { encode::deep_object(&mut call.query, #wire, #value); }
            }
            _ => quote! { encode::query(&mut call.query, #wire, #value); },
        },
        ParameterLocation::Header => {
            let name = wire.to_ascii_lowercase();
            quote! { encode::header(&mut call.headers, #name, #value)?; }
        }
        ParameterLocation::Cookie => quote! { encode::cookie(&mut cookies, #wire, #value); },
    }
}

/// A path parameter's text in the path: `simple`, `label` or `matrix`.
fn path_segment(parameter: &Parameter, name: &proc_macro2::Ident) -> TokenStream {
    let wire = parameter.name.wire.as_str();
    match parameter.style {
        ParamStyle::Label { explode } => quote! { encode::label(#name, #explode) },
        ParamStyle::Matrix { explode } => quote! { encode::matrix(#wire, #name, #explode) },
        _ => quote! { encode::segment(#name) },
    }
}

/// The path with its parameters percent-encoded into it.
fn path_expression(plan: &Plan<'_>) -> TokenStream {
    let template = route(plan.operation);
    let mut format = String::new();
    let mut values = Vec::new();
    let mut rest = template.as_str();
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}').map(|i| open + i) else {
            break;
        };
        format.push_str(&rest[..open]);
        let wire = &rest[open + 1..close];
        match plan.arguments.iter().find(|a| {
            a.parameter.location == ParameterLocation::Path && a.parameter.name.wire == wire
        }) {
            Some(argument) => {
                format.push_str("{}");
                values.push(path_segment(argument.parameter, &argument.name));
            }
            None => format.push_str(&rest[open..=close]),
        }
        rest = &rest[close + 1..];
    }
    format.push_str(rest);
    if values.is_empty() {
        quote! { #format.to_string() }
    } else {
        quote! { format!(#format, #(#values),*) }
    }
}

fn method_docs(context: &Context<'_>, plan: &Plan<'_>) -> TokenStream {
    let operation = plan.operation;
    let mut text = operation_docs(operation);
    if operation.idempotency().is_some() {
        text.push_str("\n\nEach call sends one `Idempotency-Key` (a fresh UUID, or [`crate::RequestOptions::idempotency_key`]) on every attempt, so a retry never does the work twice.");
    }
    text.push_str(&format!(
        "\n\n# Errors\n\n[`Error::Api`] with a [`{}`] for each error status the spec declares (or the server's generated layer gives); the other [`Error`] variants otherwise.",
        error_name(operation)
    ));
    text.push_str("\n\n# Example");
    let example = examples::method(context, plan);
    let text = docs(Some(&text));
    quote! {
        #text
        #[doc = ""]
        #(#[doc = #example])*
    }
}

fn stream_docs(context: &Context<'_>, plan: &Plan<'_>, stream: &proc_macro2::Ident) -> TokenStream {
    let what = match plan.walk.as_ref().map(|w| w.style) {
        Some(WalkStyle::Cursor) => "following `next_cursor` until `has_more` is false",
        _ => "up to `total_pages`, stopping early at a short page",
    };
    let text = format!(
        "Every item of every page of [`Client::{}`], from the page `options` names (or the first), {what}. Each page is fetched when the one before is used up; the stream ends after the first error.\n\n# Example",
        plan.method,
    );
    let text = docs(Some(&text));
    let example = examples::stream(context, plan, stream);
    quote! {
        #text
        #[doc = ""]
        #(#[doc = #example])*
    }
}
