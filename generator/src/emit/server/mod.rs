//! The `<name>-server` crate: the `Api` trait, each operation's request and
//! response types, the axum router, and the runtime copied from `templates/`.

mod api_trait;
mod operations;
mod requests;
mod routes;
mod runtime_files;

use std::collections::HashMap;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::rust::{self, module_docs};
use super::{manifest, Context, CrateKind, Output};
use crate::ir::{
    Api, BodyEncoding, Method, Operation, Schema, SecuritySchemeKind, TypeKind, TypeRef,
};

pub fn emit(context: &Context<'_>, output: &mut Output) {
    let kind = CrateKind::Server;
    let header = context.rust_header();
    let api = context.api;
    output.add(
        kind,
        context,
        "src/lib.rs",
        rust::render(lib_rs(context), &header),
    );
    output.add(
        kind,
        context,
        "src/api.rs",
        rust::render(api_trait::module(api), &header),
    );
    let mut declared = HashMap::new();
    if api.modules.is_split() {
        let areas = api.modules.areas();
        for area in &areas {
            let text = rust::render(operations::module(api, Some(area), &mut declared), &header);
            output.add(kind, context, &format!("src/operations/{area}.rs"), text);
            let text = rust::render(routes::handler_module(api, area), &header);
            output.add(kind, context, &format!("src/routes/{area}.rs"), text);
        }
        let text = rust::render(operations::parent_module(&areas), &header);
        output.add(kind, context, "src/operations/mod.rs", text);
        let text = rust::render(routes::module(api), &header);
        output.add(kind, context, "src/routes/mod.rs", text);
    } else {
        let text = rust::render(operations::module(api, None, &mut declared), &header);
        output.add(kind, context, "src/operations.rs", text);
        let text = rust::render(routes::module(api), &header);
        output.add(kind, context, "src/routes.rs", text);
    }
    let runtime = runtime_files::selected(api);
    output.add_runtime(kind, context, &runtime, |region| match region {
        "state" => api.has_server_state(),
        "limits" => api.uses_limiter(),
        "idempotency" => api.uses_idempotency(),
        "admission" => api.limits_idempotent_operations(),
        "cursors" => api.uses_cursors(),
        "jwt" => api.uses_jwt(),
        "docs" => api.effective_document.is_some(),
        _ => unreachable!("the runtime has no region `{region}`"),
    });
    if let Some(document) = &api.effective_document {
        let text = serde_json::to_string_pretty(document).expect("a JSON value serializes");
        output.add(kind, context, "openapi.json", format!("{text}\n"));
    }
    output.add(
        kind,
        context,
        "Cargo.toml",
        manifest::server_cargo_toml(context),
    );
    output.add(
        kind,
        context,
        "README.md",
        manifest::readme(context, kind, false),
    );
}

fn lib_rs(context: &Context<'_>) -> TokenStream {
    let types = format_ident!("{}", context.crate_ident(CrateKind::Types));
    let docs = module_docs(&format!(
        "The axum server of the {} (version {}), generated from `{}`.\n\n\
         Implement [`Api`] (one method per operation) and serve [`router`]:\n\n\
         ```rust,ignore\n\
         let config = ServerConfig::from_env()?;\n\
         let limits = config.listener;\n\
         let app = {server}::router(MyApi::default(), config);\n\
         let listener = tokio::net::TcpListener::bind(\"127.0.0.1:8080\").await?;\n\
         {server}::serve(listener, app, limits, {server}::shutdown_signal()).await?;\n\
         ```\n\n\
         Requests are checked against the spec before a handler runs; responses\n\
         are the typed enums in [`operations`], one variant per declared status.",
        context.api_name(),
        context.api.version,
        context.api.spec_file,
        server = context.crate_ident(CrateKind::Server),
    ));
    // Sorted as rustfmt sorts them, so `cargo fmt` leaves lib.rs as generated.
    let mut uses = vec![
        format!("pub use {types} as types;"),
        "pub use api::Api;".to_string(),
        "pub use routes::router;".to_string(),
        "pub use runtime::config::ServerConfig;".to_string(),
        if context.api.uses_jwt() {
            "pub use runtime::context::{Context, Credentials, Identity, JwtClaims};".to_string()
        } else {
            "pub use runtime::context::{Context, Credentials, Identity};".to_string()
        },
        // Renders a response value, for code that calls a handler itself.
        "pub use runtime::envelope::IntoHttp;".to_string(),
        "pub use runtime::error::{ApiError, ErrorDetail, HandlerError, HandlerResult, Location};"
            .to_string(),
        "pub use runtime::listener::{serve, ListenerConfig};".to_string(),
        "pub use runtime::shutdown::signal as shutdown_signal;".to_string(),
    ];
    if context.api.has_streamed_bodies() {
        uses.push("pub use runtime::stream::{BodyStream, StreamError};".to_string());
    }
    if context.api.uses_pagination() {
        uses.push("pub use runtime::pagination::{CursorPage, Page};".to_string());
    }
    if context.api.uses_jwt() {
        uses.push("pub use runtime::jwt::{JwtAlgorithm, JwtError, JwtVerifier};".to_string());
    }
    uses.sort();
    let uses = uses
        .iter()
        .map(|text| syn::parse_str::<syn::ItemUse>(text).expect("a valid use item"));
    quote! {
        #docs

        #[rustfmt::skip]
        pub mod api;
        #[rustfmt::skip]
        pub mod operations;
        #[rustfmt::skip]
        pub mod routes;
        #[rustfmt::skip]
        pub mod runtime;

        #(#uses)*
    }
}

/// Whether the API declares any security scheme, so the trait has `authenticate`.
pub fn has_security(api: &Api) -> bool {
    !api.security_schemes.is_empty()
}

pub fn method_router(method: Method) -> proc_macro2::Ident {
    format_ident!("{}", method.as_str().to_lowercase())
}

/// Whether a request body's schema is an object, so a non-object body is `INVALID_JSON`.
pub fn is_object_schema(api: &Api, schema: &Schema) -> bool {
    matches!(&schema.ty, TypeRef::Named(id) if matches!(api.type_def(*id).kind, TypeKind::Struct(_)))
        || matches!(schema.ty, TypeRef::Map(_))
}

/// The `WWW-Authenticate` challenge for a scheme.
pub fn challenge(kind: &SecuritySchemeKind) -> String {
    match kind {
        SecuritySchemeKind::ApiKey { parameter, .. } => {
            format!("ApiKey realm=\"api\", name=\"{parameter}\"")
        }
        SecuritySchemeKind::HttpBasic => "Basic realm=\"api\"".to_string(),
        _ => "Bearer realm=\"api\"".to_string(),
    }
}

/// The handling a runtime function does whole, so the generated handler
/// names only what is the operation's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WholeHandler {
    /// `handle::params`: parameters only; the request is a `ParamsRequest`.
    Params,
    /// `handle::json` (or `optional_json`): parameters and one JSON model.
    Json {
        required: bool,
        /// The model is an object, so other JSON is refused whole.
        object: bool,
    },
}

/// Which [`WholeHandler`] handles `operation`: public, no rate limits,
/// no idempotency key, no pagination, parameters, and no body or one JSON
/// model as its body.
pub fn whole_handler(api: &Api, operation: &Operation) -> Option<WholeHandler> {
    let plain = operation.params_type.is_some()
        && !operation.is_secured()
        && operation.idempotency().is_none()
        && api.rate_limit_policies(operation).is_empty()
        && crate::emit::wire::pagination(operation).is_none();
    if !plain {
        return None;
    }
    let Some(body) = &operation.request_body else {
        return Some(WholeHandler::Params);
    };
    match body.contents.as_slice() {
        [content]
            if content.encoding == BodyEncoding::Json
                && matches!(content.schema.ty, TypeRef::Named(_)) =>
        {
            Some(WholeHandler::Json {
                required: body.required,
                object: is_object_schema(api, &content.schema),
            })
        }
        _ => None,
    }
}
