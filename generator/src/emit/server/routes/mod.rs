//! `routes.rs`: the router, and for each operation the glue that reads and
//! checks the request, calls the `Api` method and renders its response.

mod body;
mod builtin;
mod deprecation;
mod handler;
mod limits;
mod security;
mod steps;
mod whole;

use proc_macro2::TokenStream;
use quote::quote;

use crate::emit::rust::{area_modules, ident, module_docs};
use crate::emit::server::method_router;
use crate::emit::typeref::Imports;
use crate::emit::wire::route;
use crate::ir::{Api, Operation};

use builtin::{builtin_routes, builtin_table, Builtin};
pub(super) use deprecation::sends_deprecation_headers;
use deprecation::{
    deprecation_headers, deprecation_of, headers_const, version_deprecation_const, Deprecation,
};
use handler::handler;
use limits::{limit_consts, policy_consts};
use security::schemes;

/// The imports every handler needs.
const HANDLER_IMPORTS: [&str; 5] = [
    "std::sync::Arc",
    "axum::extract::Request",
    "axum::extract::State",
    "axum::response::Response",
    "crate::Api",
];

/// More request and response types than this, and an area's handlers
/// import all of `crate::operations`.
const GLOB_ABOVE: usize = 3;

/// One module's handlers of a split API: `routes/<file>.rs`.
pub fn handler_module(api: &Api, file: &str) -> TokenStream {
    let mut imports = Imports::default();
    for path in HANDLER_IMPORTS {
        imports.add(path);
    }
    let policies = policy_consts(api);
    let handlers = handlers(api, &policies, Some(file), &mut imports);
    imports.glob_when_crowded("crate::operations", GLOB_ABOVE);
    let module_doc = module_docs(&format!("The handlers of the `{file}` area."));
    let uses = imports.tokens();
    quote! {
        #module_doc
        #uses
        #(#handlers)*
    }
}

/// The handlers, and the deprecation headers of deprecated operations: all,
/// or with `file` those of one module of a split API.
fn handlers(
    api: &Api,
    policies: &[(&crate::ir::RateLimitPolicy, proc_macro2::Ident)],
    file: Option<&str>,
    imports: &mut Imports,
) -> Vec<TokenStream> {
    let operations: Vec<&Operation> = api.operations_in(file).map(|(_, o)| o).collect();
    let split = file.is_some();
    let mut handlers: Vec<TokenStream> = operations
        .iter()
        .map(|o| handler(api, o, policies, split, imports))
        .collect();
    let visibility = split.then(|| quote! { pub(super) });
    for operation in operations {
        if let Some(Deprecation::Own(name)) = deprecation_of(api, operation) {
            let headers = deprecation_headers(operation).unwrap_or_default();
            let doc = format!(" The deprecation headers of `{}`.", operation.id.rust);
            handlers.push(headers_const(
                &name,
                &doc,
                &headers,
                visibility.clone(),
                imports,
            ));
        }
    }
    handlers
}

/// The router, with the handlers unless the API is split.
pub fn module(api: &Api) -> TokenStream {
    let mut imports = Imports::default();
    for path in [
        "axum::Router",
        "crate::Api",
        "crate::runtime::config::ServerConfig",
        "crate::runtime::guard::not_found",
        "crate::runtime::guard::GuardLayer",
        "crate::runtime::metrics::RequestMetrics",
        "crate::runtime::observe::Operations",
        "crate::runtime::observe::RouteOperation",
    ] {
        imports.add(path);
    }
    let split = api.modules.is_split();
    if !api.operations.is_empty() {
        imports.add("std::sync::Arc");
        if !split {
            for path in HANDLER_IMPORTS {
                imports.add(path);
            }
        }
    }
    let routes = routes(api, &mut imports);
    let policies = policy_consts(api);
    let (handlers, submodules) = if split {
        (Vec::new(), area_modules(&api.modules.areas(), false))
    } else {
        (
            handlers(api, &policies, None, &mut imports),
            TokenStream::new(),
        )
    };
    let schemes = schemes(api, &mut imports);
    let version_deprecation = version_deprecation_const(api, &mut imports);
    let limits = limit_consts(&policies, &mut imports);
    let uses_limits = api.uses_limiter();
    let uses_idempotency = api.uses_idempotency();
    let (limiter_field, limiter_init) = if uses_limits {
        imports.add("crate::runtime::rate_limit::Limiter");
        (quote! { limiter: Limiter, }, quote! { limiter, })
    } else {
        (quote! {}, quote! {})
    };
    let (idempotency_field, idempotency_init) = if uses_idempotency {
        imports.add("crate::runtime::idempotency::Idempotency");
        (
            quote! { idempotency: Idempotency, },
            quote! { idempotency, },
        )
    } else {
        (quote! {}, quote! {})
    };
    let layers = (uses_limits || uses_idempotency).then(|| {
        imports.add("crate::runtime::layers::Layers");
        quote! { let Layers { #limiter_init #idempotency_init } = config.layers(); }
    });
    // Handlers read the configuration for bodies and cursors only.
    let reads_config =
        api.uses_cursors() || api.operations.iter().any(|o| o.request_body.is_some());
    let (jwt_field, jwt_init) = if api.uses_jwt() {
        imports.add("crate::runtime::jwt::JwtVerifier");
        (
            quote! { jwt: Option<JwtVerifier>, },
            quote! { jwt: config.jwt.clone(), },
        )
    } else {
        (quote! {}, quote! {})
    };
    let (config_field, config_init) = if reads_config {
        (quote! { config: ServerConfig, }, quote! { config })
    } else {
        (quote! {}, quote! {})
    };
    let (document_route, document_handler) = match &api.effective_document {
        Some(_) => {
            imports.add("axum::http::header::CONTENT_TYPE");
            imports.add("axum::response::IntoResponse");
            imports.add("axum::response::Response");
            imports.add("axum::routing::get");
            (
                quote! { .route("/openapi.json", get(openapi_document)) },
                quote! {
                    /// The effective OpenAPI document: the spec as this server answers.
                    const OPENAPI_DOCUMENT: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.json"));

                    /// `GET /openapi.json`
                    async fn openapi_document() -> Response {
                        ([(CONTENT_TYPE, "application/json")], OPENAPI_DOCUMENT).into_response()
                    }
                },
            )
        }
        None => (TokenStream::new(), TokenStream::new()),
    };
    let operations = builtin_table(api);
    let Builtin {
        prelude,
        routes: builtin,
    } = builtin_routes(api, &mut imports);
    // The routes the router adds itself go on their own router, mounted at
    // the root or under `builtin_routes_prefix`.
    let mounts = !(document_route.is_empty() && builtin.is_empty());
    let mount = if !mounts {
        TokenStream::new()
    } else {
        imports.add("crate::runtime::observe::mount_builtins");
        let mutable = (!builtin.is_empty()).then(|| quote! { mut });
        quote! {
            let #mutable builtins = Router::new() #document_route;
            #(#builtin)*
            let router = mount_builtins(router, builtins, &builtins_prefix);
        }
    };
    let prelude = match mounts {
        true => quote! {
            #prelude
            let builtins_prefix = config.builtin_routes_prefix.clone();
        },
        false => prelude,
    };
    let router = quote! {
        let router = Router::new()
            #(#routes)*;
        #mount
        router.fallback(not_found).with_state(shared).layer(guard)
    };
    let module_doc = module_docs("The router, and the glue between HTTP and the `Api` trait.");
    let uses = imports.tokens();
    if api.operations.is_empty() {
        return quote! {
            #module_doc

            #uses

            /// The router of an API without operations: every request is `404 NOT_FOUND`.
            pub fn router<A: Api>(_api: A, config: ServerConfig) -> Router {
                let operations = Operations::new(BUILTIN_ROUTES, &config.builtin_routes_prefix);
                let request_metrics = config.metrics.then(|| RequestMetrics::new(operations.clone(), config.metric_labels.clone()));
                let guard = GuardLayer::new(config.request_timeout, operations).with_metrics(request_metrics);
                #prelude
                let router = Router::new();
                #mount
                router.fallback(not_found).layer(guard)
            }

            #operations

            #document_handler
        };
    }
    quote! {
        #module_doc

        #submodules

        #uses

        /// What every request handler shares.
        struct Shared<A> {
            api: A,
            #config_field
            #limiter_field
            #idempotency_field
            #jwt_field
        }

        /// The API as an axum router with every generated layer applied, in
        /// this order from the outside in: the guard (request id, time limit,
        /// caught panics, envelopes for 404 and 405, access log, metrics),
        /// then the route, where each operation authenticates, applies its
        /// rate limits, reads and checks the request, claims its idempotency
        /// key and calls `api`. Add your own tower layers around it.
        pub fn router<A: Api>(api: A, config: ServerConfig) -> Router {
            let operations = Operations::new(BUILTIN_ROUTES, &config.builtin_routes_prefix);
            let request_metrics = config.metrics.then(|| RequestMetrics::new(operations.clone(), config.metric_labels.clone()));
            let guard = GuardLayer::new(config.request_timeout, operations).with_metrics(request_metrics);
            #prelude
            #layers
            let shared = Arc::new(Shared { api, #limiter_init #idempotency_init #jwt_init #config_init });
            #router
        }

        #operations

        #schemes

        #limits

        #(#handlers)*

        #version_deprecation

        #document_handler
    }
}

/// `.route(path, get(a).post(b))`, one per path, in document order.
fn routes(api: &Api, imports: &mut Imports) -> Vec<TokenStream> {
    let mut paths: Vec<(String, Vec<(usize, &Operation)>)> = Vec::new();
    for (index, operation) in api.operations.iter().enumerate() {
        let path = route(operation);
        match paths.iter_mut().find(|(p, _)| *p == path) {
            Some((_, operations)) => operations.push((index, operation)),
            None => paths.push((path, vec![(index, operation)])),
        }
    }
    paths
        .iter()
        .map(|(path, operations)| path_route(api, path, operations, imports))
        .collect()
}

/// `.route(path, get(a).post(b))`: each handler with the deprecation
/// headers of its own or of its version, if it has any.
fn path_route(
    api: &Api,
    path: &str,
    operations: &[(usize, &Operation)],
    imports: &mut Imports,
) -> TokenStream {
    // The first method is axum's free function; the rest chain on it.
    let first = method_router(operations[0].1.method);
    imports.add(&format!("axum::routing::{first}"));
    let methods = operations.iter().map(|(index, operation)| {
        let method = method_router(operation.method);
        // Split, each handler is in its area's module.
        let module = api.operation_module(*index).map(|module| {
            let module = ident(module);
            quote! { #module:: }
        });
        let handler = ident(&operation.id.rust);
        let headers = match deprecation_of(api, operation) {
            Some(Deprecation::Own(name)) => quote! { #module #name },
            Some(Deprecation::Version) => quote! { VERSION_DEPRECATION },
            None => return quote! { #method(#module #handler::<A>) },
        };
        imports.add("crate::runtime::static_headers::with_headers");
        quote! { #method(with_headers(#module #handler::<A>, &#headers)) }
    });
    quote! { .route(#path, #(#methods).*) }
}
