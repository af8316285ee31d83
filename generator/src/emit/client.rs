//! The `<name>-client` crate. For now it re-exports the types crate (models,
//! parameters, validation and the operation list); the client generator
//! fills it in.

use proc_macro2::Ident;
use quote::{format_ident, quote};

use super::rust::{self, module_docs};
use super::{manifest, Context, CrateKind, Output};

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
    let tokens = quote! {
        #docs

        pub use #types as types;
    };
    output.add(
        kind,
        context,
        "src/lib.rs",
        rust::render(tokens, &context.rust_header()),
    );
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
