//! `routes.rs`: the router, and for each operation the glue that reads and
//! checks the request, calls the `Api` method and renders its response.

mod body;
mod handler;
mod limits;
mod security;
mod steps;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::emit::rust::{ident, module_docs};
use crate::emit::server::method_router;
use crate::emit::typeref::Imports;
use crate::emit::wire::{pagination, route};
use crate::ir::{Api, Operation, Pagination};

use handler::handler;
use limits::{limit_consts, policy_consts};
use security::schemes;
use steps::deprecation_headers;

pub fn module(api: &Api) -> TokenStream {
    let mut imports = Imports::default();
    for path in [
        "axum::middleware",
        "axum::Router",
        "crate::Api",
        "crate::runtime::config::ServerConfig",
        "crate::runtime::guard",
        "crate::runtime::request_id",
    ] {
        imports.add(path);
    }
    if !api.operations.is_empty() {
        for path in [
            "std::sync::Arc",
            "axum::extract::Request",
            "axum::extract::State",
            "axum::response::Response",
            "crate::runtime::context::Context",
            "crate::runtime::envelope",
        ] {
            imports.add(path);
        }
    }
    let routes = routes(api, &mut imports);
    let policies = policy_consts(api);
    let mut handlers: Vec<TokenStream> = api
        .operations
        .iter()
        .map(|o| handler(api, o, &policies, &mut imports))
        .collect();
    for operation in &api.operations {
        if let Some(headers) = deprecation_headers(operation) {
            imports.add("axum::http::HeaderValue");
            let name = format_ident!("{}_deprecation", crate::naming::bare(&operation.id.rust));
            let doc = format!(" The deprecation headers of `{}`.", operation.id.rust);
            let inserts = headers.iter().map(|(header, value)| {
                quote! { headers.insert(#header, HeaderValue::from_static(#value)); }
            });
            handlers.push(quote! {
                #[doc = #doc]
                async fn #name(mut response: Response) -> Response {
                    let headers = response.headers_mut();
                    #(#inserts)*
                    response
                }
            });
        }
    }
    let schemes = schemes(api, &mut imports);
    let limits = limit_consts(&policies, &mut imports);
    // Public idempotent operations ask the limiter for the client's address.
    let uses_limits = api.operations.iter().any(|o| {
        !api.rate_limit_policies(o).is_empty() || (o.idempotency().is_some() && !o.is_secured())
    });
    let uses_idempotency = api.operations.iter().any(|o| o.idempotency().is_some());
    let (limiter_field, limiter_init, limiter_binding) = if uses_limits {
        imports.add("crate::runtime::rate_limit::Limiter");
        (
            quote! { limiter: Limiter, },
            quote! { limiter, },
            quote! { limiter },
        )
    } else {
        (quote! {}, quote! {}, quote! { _ })
    };
    let (idempotency_field, idempotency_init, idempotency_binding) = if uses_idempotency {
        imports.add("crate::runtime::idempotency::Idempotency");
        (
            quote! { idempotency: Idempotency, },
            quote! { idempotency, },
            quote! { idempotency },
        )
    } else {
        (quote! {}, quote! {}, quote! { _ })
    };
    let layers = (uses_limits || uses_idempotency).then(|| {
        quote! { let (#limiter_binding, #idempotency_binding) = config.layers(); }
    });
    // Handlers read the configuration for bodies and cursors only.
    let reads_config = api.operations.iter().any(|o| {
        o.request_body.is_some() || matches!(pagination(o), Some(Pagination::Cursor { .. }))
    });
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
                    const OPENAPI_DOCUMENT: &str = include_str!("../openapi.json");

                    /// `GET /openapi.json`
                    async fn openapi_document() -> Response {
                        ([(CONTENT_TYPE, "application/json")], OPENAPI_DOCUMENT).into_response()
                    }
                },
            )
        }
        None => (TokenStream::new(), TokenStream::new()),
    };
    let module_doc = module_docs("The router, and the glue between HTTP and the `Api` trait.");
    let uses = imports.tokens();
    if api.operations.is_empty() {
        return quote! {
            #module_doc

            #uses

            /// The router of an API without operations: every request is `404 NOT_FOUND`.
            pub fn router<A: Api>(_api: A, config: ServerConfig) -> Router {
                Router::new()
                    #document_route
                    .fallback(guard::not_found)
                    .layer(middleware::from_fn_with_state(config.request_timeout, guard::layer))
                    .layer(middleware::from_fn(request_id::layer))
            }

            #document_handler
        };
    }
    quote! {
        #module_doc

        #uses

        /// What every request handler shares.
        struct Shared<A> {
            api: A,
            #config_field
            #limiter_field
            #idempotency_field
        }

        /// The API as an axum router with every generated layer applied, in
        /// this order from the outside in: request id, then the guard (time
        /// limit, caught panics, envelopes for 404 and 405), then the route,
        /// where each operation authenticates, applies its rate limits, reads
        /// and checks the request, claims its idempotency key and calls `api`.
        /// Add your own tower layers around it.
        pub fn router<A: Api>(api: A, config: ServerConfig) -> Router {
            let timeout = config.request_timeout;
            #layers
            let shared = Arc::new(Shared { api, #limiter_init #idempotency_init #config_init });
            Router::new()
                #(#routes)*
                #document_route
                .fallback(guard::not_found)
                .with_state(shared)
                .layer(middleware::from_fn_with_state(timeout, guard::layer))
                .layer(middleware::from_fn(request_id::layer))
        }

        #schemes

        #limits

        #(#handlers)*

        #document_handler
    }
}

/// `.route(path, get(a).post(b))`, one per path, in document order.
fn routes(api: &Api, imports: &mut Imports) -> Vec<TokenStream> {
    let mut paths: Vec<(String, Vec<&Operation>)> = Vec::new();
    for operation in &api.operations {
        let path = route(operation);
        match paths.iter_mut().find(|(p, _)| *p == path) {
            Some((_, operations)) => operations.push(operation),
            None => paths.push((path, vec![operation])),
        }
    }
    paths
        .iter()
        .map(|(path, operations)| {
            // The first method is axum's free function; the rest chain on it.
            let first = method_router(operations[0].method);
            imports.add(&format!("axum::routing::{first}"));
            let methods = operations.iter().map(|operation| {
                let method = method_router(operation.method);
                let handler = ident(&operation.id.rust);
                match deprecation_headers(operation) {
                    Some(_) => {
                        imports.add("axum::handler::Handler");
                        let headers = format_ident!(
                            "{}_deprecation",
                            crate::naming::bare(&operation.id.rust)
                        );
                        quote! { #method(#handler::<A>.layer(middleware::map_response(#headers))) }
                    }
                    None => quote! { #method(#handler::<A>) },
                }
            });
            quote! { .route(#path, #(#methods).*) }
        })
        .collect()
}
