//! The routes the router adds beside the spec's (`/metrics` and `/docs`,
//! unless the spec has those paths itself), and their names for the access
//! log and the metrics.

use proc_macro2::TokenStream;
use quote::quote;

use crate::emit::typeref::Imports;
use crate::emit::wire::route;
use crate::ir::Api;

/// Where the router serves Prometheus metrics.
const METRICS_ROUTE: &str = "/metrics";
/// Where the router serves the documentation page, and under it its files.
const DOCS_ROUTE: &str = "/docs";
const DOCS_FILES_ROUTE: &str = "/docs/{file}";

/// What `router` does for the added routes: statements that read the
/// configuration before it moves, and statements that add each route to
/// the `builtins` router.
pub(super) struct Builtin {
    pub prelude: TokenStream,
    pub routes: Vec<TokenStream>,
}

/// Whether a spec operation is at `path` or under it.
fn spec_has(api: &Api, path: &str) -> bool {
    api.operations.iter().any(|o| {
        let route = route(o);
        route == path || route.starts_with(&format!("{path}/"))
    })
}

/// A spec with its own `/metrics` keeps it; the metrics are then the
/// application's to serve (`metrics::prometheus()` renders them).
fn serves_metrics(api: &Api) -> bool {
    !spec_has(api, METRICS_ROUTE)
}

/// The page shows the effective document, so an API without one has none.
fn serves_docs(api: &Api) -> bool {
    api.effective_document.is_some() && !spec_has(api, DOCS_ROUTE)
}

/// The runtime's modules are named by full path: a split API's root routes
/// module declares one module per area, and an area may be named
/// `metrics` or `docs` (oxide-nexus has a `metrics` tag).
pub(super) fn builtin_routes(api: &Api, imports: &mut Imports) -> Builtin {
    let mut prelude = TokenStream::new();
    let mut routes = Vec::new();
    if serves_metrics(api) {
        imports.add("axum::routing::get");
        prelude.extend(quote! {
            let serves_metrics = config.metrics && crate::runtime::metrics::prometheus().is_some();
        });
        routes.push(quote! {
            if serves_metrics {
                builtins = builtins.route(#METRICS_ROUTE, get(crate::runtime::metrics::render));
            }
        });
    }
    if serves_docs(api) {
        let title = &api.title;
        prelude.extend(quote! { let docs_page = config.docs.clone(); });
        routes.push(
            quote! { builtins = crate::runtime::docs::routes(builtins, &docs_page, #title); },
        );
    }
    Builtin { prelude, routes }
}

/// `BUILTIN_ROUTES`: the routes the router adds itself, named for the
/// access log and the metrics beside the spec's operations.
pub(super) fn builtin_table(api: &Api) -> TokenStream {
    let mut rows: Vec<(&str, &str)> = Vec::new();
    if api.effective_document.is_some() {
        rows.push(("/openapi.json", "openapi_document"));
    }
    if serves_metrics(api) {
        rows.push((METRICS_ROUTE, "metrics"));
    }
    if serves_docs(api) {
        rows.push((DOCS_ROUTE, "docs"));
        rows.push((DOCS_FILES_ROUTE, "docs"));
    }
    let rows = rows.iter().map(|(route, operation)| {
        quote! { RouteOperation::new(#route, "GET", #operation) }
    });
    quote! {
        /// The routes the router adds beside the spec's operations, named
        /// for the access log and the metrics.
        const BUILTIN_ROUTES: &[RouteOperation] = &[#(#rows),*];
    }
}
