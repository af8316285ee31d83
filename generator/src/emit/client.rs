//! The `<name>-client` crate. It re-exports the types crate (models,
//! parameters, validation and the operation list) and carries the client
//! runtime copied from `templates/client/runtime/`; the typed methods are
//! the next step.

use proc_macro2::Ident;
use quote::{format_ident, quote};

use super::rust::{self, module_docs};
use super::{manifest, Context, CrateKind, Output};

/// Runtime modules that do not depend on the spec, copied verbatim.
const RUNTIME: &[(&str, &str)] = &[
    (
        "meta",
        include_str!("../../../templates/client/runtime/meta.rs"),
    ),
    (
        "retry",
        include_str!("../../../templates/client/runtime/retry.rs"),
    ),
    (
        "transport",
        include_str!("../../../templates/client/runtime/transport.rs"),
    ),
];

pub fn emit(context: &Context<'_>, output: &mut Output) {
    let kind = CrateKind::Client;
    let types: Ident = format_ident!("{}", context.crate_ident(CrateKind::Types));
    let docs = module_docs(&format!(
        "Client crate of the {} (version {}), generated from `{}`.\n\nThe API's types live in `{}`, re-exported here as `types`.",
        context.api_name(),
        context.api.version,
        context.api.spec_file,
        context.crate_name(CrateKind::Types),
    ));
    // Sorted as rustfmt sorts them, so `cargo fmt` leaves lib.rs as generated.
    let mut uses = [
        format!("pub use {types} as types;"),
        "pub use runtime::retry::RetryPolicy;".to_string(),
    ];
    uses.sort();
    let uses = uses
        .iter()
        .map(|text| syn::parse_str::<syn::ItemUse>(text).expect("a valid use item"));
    let tokens = quote! {
        #docs

        #[rustfmt::skip]
        pub mod runtime;

        #(#uses)*
    };
    output.add(
        kind,
        context,
        "src/lib.rs",
        rust::render(tokens, &context.rust_header()),
    );
    let runtime_mods = RUNTIME.iter().map(|(name, _)| {
        let name = format_ident!("{}", name);
        quote! { #[rustfmt::skip] pub mod #name; }
    });
    let runtime = quote! {
        #![doc = " The parts of the client that do not depend on the spec."]
        #(#runtime_mods)*
    };
    let header = context.rust_header();
    output.add(
        kind,
        context,
        "src/runtime/mod.rs",
        rust::render(runtime, &header),
    );
    for (name, source) in RUNTIME {
        output.add(
            kind,
            context,
            &format!("src/runtime/{name}.rs"),
            format!("{header}\n{source}"),
        );
    }
    output.add(
        kind,
        context,
        "Cargo.toml",
        manifest::client_cargo_toml(context),
    );
    output.add(
        kind,
        context,
        "README.md",
        manifest::readme(context, kind, false),
    );
}
