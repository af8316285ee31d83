//! The `<name>-client` crate: a method per operation on a `Client`, typed
//! errors per operation, streams over paginated lists, and the runtime
//! (transport, retries, decoding) copied from `templates/client/runtime/`.

mod credentials;
mod errors;
mod examples;
mod methods;
mod options;
mod plan;
mod uses;

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::quote;

use super::rust::{self, module_docs};
use super::wire::body_choice_name;
use super::{manifest, Context, CrateKind, Output};
use plan::Plan;
use uses::{idents, imports, with_uses};

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
    let mut files: Vec<File> = Vec::new();
    if has_operations {
        files.extend(operation_files(context, &plans));
        files.push(File::new(
            "src/errors.rs",
            errors::module(&plans),
            "crate::errors",
        ));
    }
    if has_options {
        let options = options::module(context.api, &plans);
        files.push(File::new("src/options.rs", options, "crate::options"));
    }
    files.push(File::new("src/client.rs", credentials::module(context), ""));
    let mut uses_chrono = false;
    for File {
        path,
        module,
        own,
        collects,
    } in files
    {
        let idents = idents(&module);
        uses_chrono |= idents.contains("DateTime") || idents.contains("NaiveDate");
        // `try_collect` is a trait method: no name in the code shows the trait.
        let traits: &[&str] = if collects {
            &["futures_util::TryStreamExt"]
        } else {
            &[]
        };
        let uses = imports(&idents, &generated_names, own, traits);
        output.add(
            kind,
            context,
            &path,
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
    output.add_runtime(kind, context, &runtime, |_| true);
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

/// One file of the client before its imports are worked out.
struct File {
    path: String,
    module: TokenStream,
    /// The module's own path: names it defines need no import.
    own: &'static str,
    /// Whether a method collects a paginated stream (`try_collect`).
    collects: bool,
}

impl File {
    fn new(path: &str, module: TokenStream, own: &'static str) -> Self {
        File {
            path: path.to_string(),
            module,
            own,
            collects: false,
        }
    }
}

/// The methods: `src/operations.rs`, or for a split API one file per
/// module under `src/operations/` and a `mod.rs` declaring them.
fn operation_files(context: &Context<'_>, plans: &[Plan<'_>]) -> Vec<File> {
    let api = context.api;
    let file = |path: String, plans: &[&Plan<'_>], module: Option<&str>| File {
        path,
        module: methods::module(context, plans, module),
        own: "",
        collects: plans.iter().any(|p| p.walk.is_some()),
    };
    if !api.modules.is_split() {
        let all: Vec<&Plan<'_>> = plans.iter().collect();
        return vec![file("src/operations.rs".into(), &all, None)];
    }
    // One plan per operation, in the operations' order.
    let mut by_module: BTreeMap<&str, Vec<&Plan<'_>>> = BTreeMap::new();
    for (index, plan) in plans.iter().enumerate() {
        let module = api.operation_module(index).unwrap_or_default();
        by_module.entry(module).or_default().push(plan);
    }
    let doc = module_docs("A method per operation of the spec, one module per area of the API.");
    let modules = rust::area_modules(&api.modules.areas(), false);
    let mut files = vec![File::new(
        "src/operations/mod.rs",
        quote! {
            #doc
            #modules
        },
        "",
    )];
    for (name, plans) in by_module {
        files.push(file(
            format!("src/operations/{name}.rs"),
            &plans,
            Some(name),
        ));
    }
    files
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
