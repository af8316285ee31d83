//! `specforge init`: the `<name>-app` crate a team starts from. It compiles
//! and serves at once: `main.rs` starts the generated server, and `Api` is
//! implemented by one function per operation in a file per area (tag), each
//! answering `501 NOT_IMPLEMENTED` until it is written. Unlike the generated
//! crates these files are the team's: written once, never regenerated.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::rust::{docs, ident, module_docs, render};
use super::wire::operation_docs;
use super::{manifest, Context, CrateKind, Output, Settings};
use crate::ir::{Api, Operation};

const APP_CARGO: &str = include_str!("../../../templates/app/Cargo.toml.j2");
const APP_MAIN: &str = include_str!("../../../templates/app/main.rs.j2");

/// The app crate's directory under the output directory.
pub fn app_dir(settings: &Settings) -> String {
    format!("{}-app", settings.name)
}

/// The app crate's files, keyed by path under the output directory.
pub fn emit(api: &Api, settings: &Settings) -> Output {
    let context = Context { api, settings };
    let dir = app_dir(settings);
    let server = format_ident!("{}", context.crate_ident(CrateKind::Server));
    let mut areas: BTreeMap<String, Vec<&Operation>> = BTreeMap::new();
    for operation in &api.operations {
        areas.entry(operation.area()).or_default().push(operation);
    }
    let mut output = Output::default();
    let mut add = |path: &str, text: String| {
        output.files.insert(format!("{dir}/{path}"), text);
    };
    add("Cargo.toml", cargo_toml(&context));
    add("src/main.rs", main_rs(&context));
    add(
        "src/api/mod.rs",
        rust_file(api_module(&context, &server, &areas)),
    );
    for (area, operations) in &areas {
        let text = rust_file(area_module(&server, area, operations));
        add(&format!("src/api/{area}.rs"), text);
    }
    output
}

/// A Rust file of the app: no generated-file header, as it is the team's.
fn rust_file(tokens: TokenStream) -> String {
    render(tokens, "").trim_start().to_string()
}

/// A `Cargo.toml` for the directory that holds the four crates, when none
/// encloses them yet, so `cargo run -p <name>-app` works from there.
pub fn workspace_manifest(settings: &Settings) -> String {
    let members = CrateKind::ALL
        .iter()
        .map(|kind| settings.crate_dir(*kind))
        .chain([app_dir(settings)])
        .map(|dir| format!("    \"{dir}\",\n"))
        .collect::<String>();
    format!(
        "# The generated crates and the app that implements them, written by\n\
         # `specforge init`. `specforge generate` replaces the three generated\n\
         # crates and never touches the app.\n\
         [workspace]\nresolver = \"2\"\nmembers = [\n{members}]\n"
    )
}

fn cargo_toml(context: &Context<'_>) -> String {
    manifest::render(
        APP_CARGO,
        minijinja::context! {
            app => app_dir(context.settings),
            api_name => one_line(&context.api_name()),
            server => context.crate_name(CrateKind::Server),
        },
    )
}

fn main_rs(context: &Context<'_>) -> String {
    let api_name = one_line(&context.api_name());
    manifest::render(
        APP_MAIN,
        minijinja::context! {
            serving => format!("{:?}", format!("serving the {api_name}")),
            api_name,
            server_ident => context.crate_ident(CrateKind::Server),
        },
    )
}

/// A title for a doc line or a string: one line.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `api/mod.rs`: `App`, and `impl Api for App` handing each operation to
/// its area's function.
fn api_module(
    context: &Context<'_>,
    server: &proc_macro2::Ident,
    areas: &BTreeMap<String, Vec<&Operation>>,
) -> TokenStream {
    let api = context.api;
    let doc = module_docs(
        "The `Api` implementation. `App` holds what the handlers share (a\n\
         database pool, clients of other services); each operation is a\n\
         function in the file of its area, and answers `501 NOT_IMPLEMENTED`\n\
         until it is written.",
    );
    let modules = areas.keys().map(|area| {
        let module = ident(area);
        quote! { mod #module; }
    });
    let has_security = !api.security_schemes.is_empty();
    let (principal_alias, authenticate) = if has_security {
        let (principal, doc, body) = if api.uses_jwt() {
            (
                quote! { #server::JwtClaims },
                "Verified tokens (`JWT_SECRET` or `JWT_PUBLIC_KEY`) arrive as their\n\
                 claims; every other credential is refused with `401` until this\n\
                 checks it.",
                quote! {
                    match credentials {
                        Credentials::Jwt { claims, .. } => Some(claims),
                        _ => None,
                    }
                },
            )
        } else {
            (
                quote! { String },
                "Every request that needs credentials is refused with `401` until\n\
                 this checks them and names the caller.",
                quote! {
                    let _ = credentials;
                    None
                },
            )
        };
        let doc = docs(Some(doc));
        (
            quote! {
                /// Who is calling: what `authenticate` makes of credentials. Its
                /// `Identity` owns rate limits and idempotency keys.
                pub type Principal = #principal;
            },
            quote! {
                type Principal = Principal;

                #doc
                async fn authenticate(&self, credentials: Credentials) -> Option<Principal> {
                    #body
                }
            },
        )
    } else {
        (TokenStream::new(), TokenStream::new())
    };
    let methods = api.operations.iter().map(|operation| {
        let name = ident(&operation.id.rust);
        let module = ident(&operation.area());
        let (request, response) = types_of(operation);
        let principal = principal_of(operation);
        quote! {
            async fn #name(&self, context: Context<#principal>, request: #request) -> HandlerResult<#response> {
                #module::#name(self, context, request).await
            }
        }
    });
    // One `use` of the server's names, sorted as rustfmt sorts them.
    let mut names = vec![quote! { Api }];
    if !api.operations.is_empty() {
        names.push(quote! { Context });
    }
    if has_security {
        names.push(quote! { Credentials });
    }
    if !api.operations.is_empty() {
        names.push(quote! { HandlerResult });
    }
    let operations_import = (!api.operations.is_empty()).then(|| {
        quote! { use #server::operations::*; }
    });
    quote! {
        #doc

        #(#modules)*

        #operations_import
        use #server::{#(#names),*};

        #principal_alias

        /// What every handler shares.
        #[derive(Debug, Clone, Default)]
        pub struct App {}

        impl Api for App {
            #authenticate
            #(#methods)*
        }
    }
}

/// `api/<area>.rs`: one function per operation, each a `501` for now.
fn area_module(server: &proc_macro2::Ident, area: &str, operations: &[&Operation]) -> TokenStream {
    let doc = module_docs(&format!("The `{area}` operations."));
    let functions = operations.iter().map(|operation| {
        let name = ident(&operation.id.rust);
        let (request, response) = types_of(operation);
        let principal = principal_of(operation);
        let doc = docs(Some(&operation_docs(operation)));
        let id = &operation.id.wire;
        quote! {
            #doc
            pub async fn #name(
                _app: &App,
                _context: Context<#principal>,
                _request: #request,
            ) -> HandlerResult<#response> {
                Err(HandlerError::not_implemented(#id))
            }
        }
    });
    let uses_principal = operations.iter().any(|o| o.is_secured());
    let super_import = if uses_principal {
        quote! { use super::{App, Principal}; }
    } else {
        quote! { use super::App; }
    };
    quote! {
        #doc

        #super_import
        use #server::operations::*;
        use #server::{Context, HandlerError, HandlerResult};

        #(#functions)*
    }
}

/// The request and response types of an operation's `Api` method.
fn types_of(operation: &Operation) -> (proc_macro2::Ident, proc_macro2::Ident) {
    (
        format_ident!("{}Request", operation.type_stem),
        format_ident!("{}Response", operation.type_stem),
    )
}

/// The context's principal: the app's for a secured operation, else `()`.
fn principal_of(operation: &Operation) -> TokenStream {
    if operation.is_secured() {
        quote! { Principal }
    } else {
        quote! { () }
    }
}
