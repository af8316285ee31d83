//! The `<name>-server` crate: the `Api` trait, each operation's request and
//! response types, the axum router, and the runtime copied from `templates/`.

mod api_trait;
mod operations;
mod requests;
mod routes;

use std::collections::HashMap;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::rust::{self, module_docs};
use super::{manifest, Context, CrateKind, Output};
use crate::ir::{
    Api, BodyEncoding, Method, Operation, Schema, SecuritySchemeKind, TypeKind, TypeRef,
};

/// Runtime modules that do not depend on the spec, copied verbatim.
const RUNTIME: &[(&str, &str)] = &[
    (
        "config",
        include_str!("../../../../templates/server/runtime/config.rs"),
    ),
    (
        "context",
        include_str!("../../../../templates/server/runtime/context.rs"),
    ),
    (
        "envelope",
        include_str!("../../../../templates/server/runtime/envelope.rs"),
    ),
    (
        "error",
        include_str!("../../../../templates/server/runtime/error.rs"),
    ),
    (
        "guard",
        include_str!("../../../../templates/server/runtime/guard.rs"),
    ),
    (
        "listener",
        include_str!("../../../../templates/server/runtime/listener.rs"),
    ),
    (
        "params",
        include_str!("../../../../templates/server/runtime/params.rs"),
    ),
    (
        "request",
        include_str!("../../../../templates/server/runtime/request.rs"),
    ),
    (
        "request_id",
        include_str!("../../../../templates/server/runtime/request_id.rs"),
    ),
    (
        "security",
        include_str!("../../../../templates/server/runtime/security.rs"),
    ),
    (
        "shutdown",
        include_str!("../../../../templates/server/runtime/shutdown.rs"),
    ),
];

/// Copied besides [`RUNTIME`] when the server keeps state (rate-limit
/// counters or idempotency records): its clock, names and backends.
const STATE_RUNTIME: &[(&str, &str)] = &[
    (
        "clock",
        include_str!("../../../../templates/server/runtime/clock.rs"),
    ),
    (
        "layers",
        include_str!("../../../../templates/server/runtime/layers.rs"),
    ),
    (
        "digest",
        include_str!("../../../../templates/server/runtime/digest.rs"),
    ),
    (
        "memory",
        include_str!("../../../../templates/server/runtime/memory.rs"),
    ),
    (
        "redis_store",
        include_str!("../../../../templates/server/runtime/redis_store.rs"),
    ),
];

/// Copied besides [`STATE_RUNTIME`] when an operation is rate limited.
const LIMITS_RUNTIME: &[(&str, &str)] = &[
    (
        "algorithms",
        include_str!("../../../../templates/server/runtime/algorithms.rs"),
    ),
    (
        "limit_check",
        include_str!("../../../../templates/server/runtime/limit_check.rs"),
    ),
    (
        "memory_limits",
        include_str!("../../../../templates/server/runtime/memory_limits.rs"),
    ),
    (
        "limit_decision",
        include_str!("../../../../templates/server/runtime/limit_decision.rs"),
    ),
    (
        "rate_limit",
        include_str!("../../../../templates/server/runtime/rate_limit.rs"),
    ),
    (
        "redis_limits",
        include_str!("../../../../templates/server/runtime/redis_limits.rs"),
    ),
];

/// Copied besides [`STATE_RUNTIME`] when an operation takes idempotency keys.
const IDEMPOTENCY_RUNTIME: &[(&str, &str)] = &[
    (
        "idempotency",
        include_str!("../../../../templates/server/runtime/idempotency.rs"),
    ),
    (
        "idempotency_key",
        include_str!("../../../../templates/server/runtime/idempotency_key.rs"),
    ),
    (
        "idempotency_records",
        include_str!("../../../../templates/server/runtime/idempotency_records.rs"),
    ),
    (
        "memory_idempotency",
        include_str!("../../../../templates/server/runtime/memory_idempotency.rs"),
    ),
    (
        "redis_idempotency",
        include_str!("../../../../templates/server/runtime/redis_idempotency.rs"),
    ),
];

/// Copied besides both of the above when an operation is rate limited
/// and takes idempotency keys.
const ADMISSION_RUNTIME: (&str, &str) = (
    "admission",
    include_str!("../../../../templates/server/runtime/admission.rs"),
);

/// Copied besides [`RUNTIME`] when a list is paginated.
const PAGINATION_RUNTIME: (&str, &str) = (
    "pagination",
    include_str!("../../../../templates/server/runtime/pagination.rs"),
);
/// Copied besides [`RUNTIME`] when a public operation reads only parameters.
const HANDLE_RUNTIME: (&str, &str) = (
    "handle",
    include_str!("../../../../templates/server/runtime/handle.rs"),
);
/// Copied besides [`RUNTIME`] when a list is paginated by cursors.
const CURSOR_RUNTIME: (&str, &str) = (
    "cursor",
    include_str!("../../../../templates/server/runtime/cursor.rs"),
);
/// Copied besides [`RUNTIME`] when the API has form bodies.
const FORM_RUNTIME: (&str, &str) = (
    "form",
    include_str!("../../../../templates/server/runtime/form.rs"),
);
/// Copied besides [`RUNTIME`] when the API has streamed bodies.
const STREAM_RUNTIME: (&str, &str) = (
    "stream",
    include_str!("../../../../templates/server/runtime/stream.rs"),
);
/// Copied besides [`RUNTIME`] when the API has multipart bodies.
const MULTIPART_RUNTIME: (&str, &str) = (
    "multipart",
    include_str!("../../../../templates/server/runtime/multipart.rs"),
);

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
    let mut runtime = RUNTIME.to_vec();
    if api.has_server_state() {
        runtime.extend_from_slice(STATE_RUNTIME);
    }
    if api.uses_limiter() {
        runtime.extend_from_slice(LIMITS_RUNTIME);
    }
    if api.uses_idempotency() {
        runtime.extend_from_slice(IDEMPOTENCY_RUNTIME);
    }
    if api.limits_idempotent_operations() {
        runtime.push(ADMISSION_RUNTIME);
    }
    if api.uses_pagination() {
        runtime.push(PAGINATION_RUNTIME);
    }
    if api.uses_cursors() {
        runtime.push(CURSOR_RUNTIME);
    }
    if api
        .operations
        .iter()
        .any(|o| whole_handler(api, o).is_some())
    {
        runtime.push(HANDLE_RUNTIME);
    }
    if api.has_form_bodies() {
        runtime.push(FORM_RUNTIME);
    }
    if api.has_multipart_bodies() {
        runtime.push(MULTIPART_RUNTIME);
    }
    if api.has_streamed_bodies() {
        runtime.push(STREAM_RUNTIME);
    }
    runtime.sort();
    output.add_runtime(kind, context, &runtime, |region| match region {
        "state" => api.has_server_state(),
        "limits" => api.uses_limiter(),
        "idempotency" => api.uses_idempotency(),
        "admission" => api.limits_idempotent_operations(),
        "cursors" => api.uses_cursors(),
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
        "pub use runtime::context::{Context, Credentials, Identity};".to_string(),
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
