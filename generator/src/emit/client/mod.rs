//! The `<name>-client` crate: a method per operation on a `Client`, typed
//! errors per operation, streams over paginated lists, and the runtime
//! (transport, retries, decoding) copied from `templates/client/runtime/`.

mod credentials;
mod errors;
mod examples;
mod methods;
mod options;
mod plan;

use std::collections::BTreeSet;

use proc_macro2::{TokenStream, TokenTree};
use quote::quote;

use super::rust::{self, module_docs};
use super::typeref::Imports;
use super::wire::body_choice_name;
use super::{manifest, Context, CrateKind, Output};

/// Runtime modules that do not depend on the spec, copied verbatim.
const RUNTIME: &[(&str, &str)] = &[
    (
        "client",
        include_str!("../../../../templates/client/runtime/client.rs"),
    ),
    (
        "bodies",
        include_str!("../../../../templates/client/runtime/bodies.rs"),
    ),
    (
        "encode",
        include_str!("../../../../templates/client/runtime/encode.rs"),
    ),
    (
        "meta",
        include_str!("../../../../templates/client/runtime/meta.rs"),
    ),
    (
        "pagination",
        include_str!("../../../../templates/client/runtime/pagination.rs"),
    ),
    (
        "response",
        include_str!("../../../../templates/client/runtime/response.rs"),
    ),
    (
        "retry",
        include_str!("../../../../templates/client/runtime/retry.rs"),
    ),
    (
        "transport",
        include_str!("../../../../templates/client/runtime/transport.rs"),
    ),
];

/// Items a generated module may name, and where they come from.
const KNOWN_ITEMS: &[(&str, &str)] = &[
    ("BTreeMap", "std::collections::BTreeMap"),
    ("Body", "crate::runtime::transport::Body"),
    ("Client", "crate::runtime::client::Client"),
    ("ClientBuilder", "crate::runtime::client::ClientBuilder"),
    ("CursorPage", "crate::runtime::pagination::CursorPage"),
    ("DateTime", "chrono::DateTime"),
    ("Error", "crate::runtime::response::Error"),
    ("FormStyle", "crate::runtime::bodies::FormStyle"),
    ("ErrorBody", "crate::runtime::response::ErrorBody"),
    ("Method", "reqwest::Method"),
    ("NaiveDate", "chrono::NaiveDate"),
    ("OperationError", "crate::runtime::response::OperationError"),
    ("Page", "crate::runtime::pagination::Page"),
    ("PartKind", "crate::runtime::bodies::PartKind"),
    ("Response", "crate::runtime::response::Response"),
    ("Stream", "futures_util::Stream"),
    ("TryStreamExt", "futures_util::TryStreamExt"),
    ("Upload", "crate::runtime::upload::Upload"),
    ("Utc", "chrono::Utc"),
    ("Uuid", "uuid::Uuid"),
    ("Value", "serde_json::Value"),
    ("bodies", "crate::runtime::bodies"),
    ("decode", "crate::runtime::response::decode"),
    (
        "decode_cursor_page",
        "crate::runtime::pagination::decode_cursor_page",
    ),
    ("decode_page", "crate::runtime::pagination::decode_page"),
    ("encode", "crate::runtime::encode"),
    ("finish", "crate::runtime::response::finish"),
    ("finish_on", "crate::runtime::response::finish_on"),
    ("types", "crate::types"),
    ("walk", "crate::runtime::pagination::walk"),
];

pub fn emit(context: &Context<'_>, output: &mut Output) {
    let kind = CrateKind::Client;
    let header = context.rust_header();
    let plans = plan::plans(context.api);
    let has_options = plans
        .iter()
        .any(|p| !p.optional.is_empty() || p.body.as_ref().is_some_and(|b| b.enum_item.is_some()));

    // The generated items other modules may name, with their paths.
    let generated_names: Vec<(String, String)> = plans
        .iter()
        .flat_map(|plan| {
            let stem = &plan.operation.type_stem;
            let mut names = vec![format!("crate::errors::{stem}Error")];
            if !plan.optional.is_empty() {
                names.push(format!("crate::options::{stem}Options"));
            }
            if plan.success.enum_item.is_some() {
                names.push(format!("crate::errors::{stem}Success"));
            }
            if plan.body.as_ref().is_some_and(|b| b.enum_item.is_some()) {
                names.push(format!(
                    "crate::options::{}",
                    body_choice_name(plan.operation)
                ));
            }
            names
        })
        .map(|path| {
            let name = path.rsplit("::").next().unwrap_or_default().to_string();
            (name, path)
        })
        .collect();

    let has_operations = !plans.is_empty();
    let operations = has_operations.then(|| methods::module(context, &plans));
    let errors = has_operations.then(|| errors::module(&plans));
    let options = has_options.then(|| options::module(context.api, &plans));
    let client = credentials::module(context);
    let mut uses_chrono = false;
    for (file, module, own) in [
        ("src/operations.rs", operations, ""),
        ("src/errors.rs", errors, "crate::errors"),
        ("src/options.rs", options, "crate::options"),
        ("src/client.rs", Some(client), ""),
    ] {
        let Some(module) = module else {
            continue;
        };
        let idents = idents(&module);
        uses_chrono |= idents.contains("DateTime") || idents.contains("NaiveDate");
        // `try_collect` is a trait method: no name in the code shows the trait.
        let collects = file == "src/operations.rs" && plans.iter().any(|p| p.walk.is_some());
        let traits: &[&str] = if collects {
            &["futures_util::TryStreamExt"]
        } else {
            &[]
        };
        let uses = imports(&idents, &generated_names, own, traits);
        output.add(
            kind,
            context,
            file,
            rust::render(with_uses(module, uses), &header),
        );
    }

    output.add(
        kind,
        context,
        "src/lib.rs",
        rust::render(lib_rs(context, has_operations, has_options), &header),
    );
    let mut runtime = RUNTIME.to_vec();
    if context.api.has_streamed_bodies() {
        runtime.push((
            "upload",
            include_str!("../../../../templates/client/runtime/upload.rs"),
        ));
    }
    output.add_runtime(kind, context, &runtime);
    output.add(
        kind,
        context,
        "Cargo.toml",
        manifest::client_cargo_toml(context, uses_chrono),
    );
    output.add(
        kind,
        context,
        "README.md",
        manifest::readme(context, kind, false),
    );
}

/// Puts the `use` items after the module's inner doc attributes.
fn with_uses(module: TokenStream, uses: TokenStream) -> TokenStream {
    let mut docs = Vec::new();
    let mut rest = Vec::new();
    let mut tokens = module.into_iter().peekable();
    while let Some(token) = tokens.next() {
        let is_inner_attribute = matches!(&token, TokenTree::Punct(p) if p.as_char() == '#')
            && matches!(tokens.peek(), Some(TokenTree::Punct(p)) if p.as_char() == '!');
        if is_inner_attribute && rest.is_empty() {
            docs.push(token);
            docs.extend(tokens.next());
            docs.extend(tokens.next());
        } else {
            rest.push(token);
        }
    }
    let docs: TokenStream = docs.into_iter().collect();
    let rest: TokenStream = rest.into_iter().collect();
    quote! { #docs #uses #rest }
}

/// The names a module uses unqualified: types and path heads (`Page<T>`,
/// `encode::query`, `finish(..)`), not fields, bindings or the tails of
/// qualified paths (`serde_json::Error`).
fn idents(tokens: &TokenStream) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let flat: Vec<TokenTree> = tokens.clone().into_iter().collect();
    for (index, token) in flat.iter().enumerate() {
        match token {
            TokenTree::Group(group) => found.extend(idents(&group.stream())),
            TokenTree::Ident(ident) => {
                let punct = |at: Option<usize>| match at.and_then(|i| flat.get(i)) {
                    Some(TokenTree::Punct(p)) => Some(p.as_char()),
                    _ => None,
                };
                let after_path = punct(index.checked_sub(1)) == Some(':')
                    && punct(index.checked_sub(2)) == Some(':');
                let after_dot = punct(index.checked_sub(1)) == Some('.');
                let defined = index
                    .checked_sub(1)
                    .and_then(|i| flat.get(i))
                    .is_some_and(|t| matches!(t, TokenTree::Ident(k) if k == "fn"));
                if after_path || after_dot || defined {
                    continue;
                }
                let name = ident.to_string();
                let starts_path =
                    punct(Some(index + 1)) == Some(':') && punct(Some(index + 2)) == Some(':');
                let called = matches!(flat.get(index + 1), Some(TokenTree::Group(g)) if g.delimiter() == proc_macro2::Delimiter::Parenthesis);
                let is_type = name.starts_with(|c: char| c.is_ascii_uppercase());
                // Decoders handed to `finish_on` as values.
                let passed = matches!(name.as_str(), "decode_page" | "decode_cursor_page");
                if is_type || starts_path || called || passed {
                    found.insert(name);
                }
            }
            TokenTree::Punct(_) | TokenTree::Literal(_) => {}
        }
    }
    found
}

/// The `use` items for the names a module mentions, except its own items.
fn imports(
    idents: &BTreeSet<String>,
    generated: &[(String, String)],
    own: &str,
    traits: &[&str],
) -> TokenStream {
    let mut imports = Imports::default();
    for path in traits {
        imports.add(path);
    }
    for (name, path) in KNOWN_ITEMS {
        if idents.contains(*name) {
            imports.add(path);
        }
    }
    for (name, path) in generated {
        let is_own = !own.is_empty() && path.starts_with(&format!("{own}::"));
        if idents.contains(name) && !is_own {
            imports.add(path);
        }
    }
    imports.tokens()
}

fn lib_rs(context: &Context<'_>, has_operations: bool, has_options: bool) -> TokenStream {
    let types = context.crate_ident(CrateKind::Types);
    let api = context.api;
    let mut text = format!(
        "Client of the {} (version {}), generated from `{}`.\n\nOne `async` method per operation on [`Client`]; each returns the typed body in a [`Response`] (with the request id, rate limits and replay flag in its `meta`), or an [`Error`] whose `Api` variant holds the operation's own error enum. Paginated lists have `*_stream` and `*_all` helpers that walk every page. Calls are retried on connection errors, timeouts, 408, 409 `REQUEST_IN_PROGRESS`, 429 and 5xx, with one `Idempotency-Key` across all attempts. The API's types live in `{}`, re-exported as [`types`].",
        context.api_name(),
        api.version,
        api.spec_file,
        context.crate_name(CrateKind::Types),
    );
    if let Some(description) = &api.description {
        text.push_str("\n\n");
        text.push_str(description.trim());
    }
    text.push_str("\n\n# Example");
    let docs = module_docs(&text);
    let example = credentials::crate_example(context);
    let options = has_options.then(|| {
        quote! {
            #[rustfmt::skip]
            mod options;
        }
    });
    let operations = has_operations.then(|| {
        quote! {
            #[rustfmt::skip]
            mod errors;
            #[rustfmt::skip]
            mod operations;
        }
    });
    let mut uses = vec![
        "pub use futures_util::{Stream, StreamExt, TryStreamExt};".to_string(),
        format!("pub use {types} as types;"),
        "pub use runtime::client::{BuildError, Client, ClientBuilder, RequestOptions};".to_string(),
        "pub use runtime::meta::{RateLimitStatus, ResponseMeta};".to_string(),
        "pub use runtime::pagination::{CursorPage, CursorPagination, Page, PagePagination};"
            .to_string(),
        "pub use runtime::response::{ApiError, Error, ErrorBody, ErrorDetail, Response};"
            .to_string(),
        "pub use runtime::retry::RetryPolicy;".to_string(),
    ];
    if context.api.server_origin.is_some() {
        uses.push("pub use client::DEFAULT_BASE_URL;".to_string());
    }
    if has_operations {
        uses.push("pub use errors::*;".to_string());
    }
    if has_options {
        uses.push("pub use options::*;".to_string());
    }
    if api.has_streamed_bodies() {
        uses.push("pub use runtime::upload::Upload;".to_string());
    }
    // Sorted as rustfmt sorts them, so `cargo fmt` leaves lib.rs as generated.
    uses.sort();
    let uses = uses
        .iter()
        .map(|text| syn::parse_str::<syn::ItemUse>(text).expect("a valid use item"));
    quote! {
        #docs
        #![doc = ""]
        #(#![doc = #example])*

        #[rustfmt::skip]
        mod client;
        #operations
        #options
        #[rustfmt::skip]
        pub mod runtime;

        #(#uses)*
    }
}
