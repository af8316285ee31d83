//! `GET /docs`: an interactive reference of the effective document
//! (`/openapi.json`) in Swagger UI. By default the page loads Swagger UI from
//! the jsDelivr CDN, pinned to one version with subresource integrity; with
//! [`Docs::vendored`] the server serves a local copy instead (the
//! `swagger-ui-dist` npm package), for networks that cannot reach the CDN.
//!
//! Every URL on the page is relative, so a router nested under a prefix
//! serves a working page at `<prefix>/docs`.

use std::path::Path;

use axum::body::Bytes;
use axum::extract::Request;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::HeaderValue;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::runtime::envelope;
use crate::runtime::error::ApiError;
use crate::runtime::request_id;

/// The Swagger UI release the page loads, from the CDN or a local copy.
pub const SWAGGER_UI_VERSION: &str = "5.35.0";

/// The CDN files' SHA-384 digests (`integrity`), so a tampered CDN copy is
/// not run. They are the npm package's files, which jsDelivr serves as is.
const CDN_BUNDLE_INTEGRITY: &str =
    "sha384-gjRm0bEPMeTmMh5jT2cHccIwCUZSTd8YC+j0d0sXw0MdGEfScduGpSyF3ZSSLkX9";
const CDN_CSS_INTEGRITY: &str =
    "sha384-WlYgdmXYOOBWL5apwjDEZwN+U3HmXSSu5R6V5aGxEcf7z+KuRNwBhoxKVN1i3D5I";

const BUNDLE: &str = "swagger-ui-bundle.js";
const CSS: &str = "swagger-ui.css";

/// Starts Swagger UI on the page; a file rather than an inline script, so
/// a `Content-Security-Policy` without `unsafe-inline` still allows it.
const INITIALIZER: &str = "window.addEventListener(\"load\", function () {\n  \
    window.ui = SwaggerUIBundle({ url: \"openapi.json\", dom_id: \"#swagger-ui\", deepLinking: true });\n});\n";

/// Whether and how the router serves `GET /docs`
/// ([`ServerConfig::docs`](crate::ServerConfig::docs)).
#[derive(Clone, Default)]
pub enum Docs {
    /// No documentation page (`DOCS=off`).
    Off,
    /// Swagger UI from the jsDelivr CDN (the default).
    #[default]
    Cdn,
    /// Swagger UI from files this server holds (`DOCS_ASSETS_DIR`).
    Vendored { bundle: Bytes, css: Bytes },
}

impl Docs {
    /// Swagger UI from `directory`, the `swagger-ui-dist` package as npm
    /// installs it (`node_modules/swagger-ui-dist`), read once now.
    pub fn vendored(directory: impl AsRef<Path>) -> std::io::Result<Docs> {
        let directory = directory.as_ref();
        let read = |name: &str| std::fs::read(directory.join(name)).map(Bytes::from);
        Ok(Docs::Vendored {
            bundle: read(BUNDLE)?,
            css: read(CSS)?,
        })
    }
}

impl std::fmt::Debug for Docs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Docs::Off => f.write_str("Off"),
            Docs::Cdn => f.write_str("Cdn"),
            Docs::Vendored { bundle, css } => f
                .debug_struct("Vendored")
                .field("bundle_bytes", &bundle.len())
                .field("css_bytes", &css.len())
                .finish(),
        }
    }
}

/// `router` with `GET /docs` and its files, as `docs` says, titled `title`.
pub fn routes<S>(router: Router<S>, docs: &Docs, title: &str) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    let (base, pinned) = match docs {
        Docs::Off => return router,
        Docs::Cdn => (
            format!("https://cdn.jsdelivr.net/npm/swagger-ui-dist@{SWAGGER_UI_VERSION}"),
            true,
        ),
        Docs::Vendored { .. } => ("docs".to_string(), false),
    };
    let integrity = |digest: &str| match pinned {
        true => format!(" integrity=\"{digest}\" crossorigin=\"anonymous\""),
        false => String::new(),
    };
    let page = Bytes::from(format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n\
         <meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title} reference</title>\n\
         <link rel=\"stylesheet\" href=\"{base}/{CSS}\"{css}>\n\
         </head>\n<body>\n<div id=\"swagger-ui\"></div>\n\
         <script src=\"{base}/{BUNDLE}\"{bundle}></script>\n\
         <script src=\"docs/swagger-initializer.js\"></script>\n\
         </body>\n</html>\n",
        title = escape_html(title),
        css = integrity(CDN_CSS_INTEGRITY),
        bundle = integrity(CDN_BUNDLE_INTEGRITY),
    ));
    let files = match docs {
        Docs::Vendored { bundle, css } => Some((bundle.clone(), css.clone())),
        _ => None,
    };
    router
        .route(
            "/docs",
            get(move || {
                let page = page.clone();
                async move { respond(page, "text/html; charset=utf-8", "no-cache") }
            }),
        )
        .route(
            "/docs/{file}",
            get(move |request: Request| {
                let files = files.clone();
                async move { file_response(&request, files) }
            }),
        )
}

/// The page's own script, or a vendored file; `404` in the envelope for
/// anything else.
fn file_response(request: &Request, files: Option<(Bytes, Bytes)>) -> Response {
    const DAY: &str = "public, max-age=86400";
    let file = request.uri().path().rsplit('/').next().unwrap_or_default();
    match (file, files) {
        ("swagger-initializer.js", _) => respond(
            Bytes::from_static(INITIALIZER.as_bytes()),
            "text/javascript; charset=utf-8",
            "no-cache",
        ),
        (BUNDLE, Some((bundle, _))) => respond(bundle, "text/javascript; charset=utf-8", DAY),
        (CSS, Some((_, css))) => respond(css, "text/css; charset=utf-8", DAY),
        _ => envelope::error(
            &ApiError::not_found(),
            &request_id::of(request.extensions()),
        ),
    }
}

fn respond(body: Bytes, content_type: &'static str, cache: &'static str) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static(cache));
    response
}

fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
