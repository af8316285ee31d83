//! The deprecation headers responses carry: `Deprecation` (RFC 9745),
//! `Sunset` (RFC 8594) and a `Link` to the migration notes, from an
//! operation's `deprecated` and `x-` dates or its version's
//! `x-deprecation`. Constant tables, added by a `with_headers`.

use heck::ToShoutySnakeCase;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::emit::typeref::Imports;
use crate::ir::{Api, Operation};

/// `Deprecation` (RFC 9745), `Sunset` (RFC 8594) and the `Link` to the
/// migration notes, for an operation that has them.
pub(super) fn deprecation_headers(operation: &Operation) -> Option<Vec<(&'static str, String)>> {
    let extensions = &operation.extensions;
    let deprecated = operation.deprecated || extensions.version_deprecated;
    headers(
        extensions.deprecated_at.filter(|_| deprecated),
        extensions.sunset.as_deref(),
        extensions
            .deprecation_link
            .as_deref()
            .filter(|_| deprecated),
    )
}

/// The headers of a deprecated version (the root's `x-deprecation`): what
/// its operations without dates of their own send, through one function.
fn version_deprecation_headers(api: &Api) -> Option<Vec<(&'static str, String)>> {
    let version = api.extensions.deprecation.as_ref()?;
    headers(
        Some(version.deprecated_at),
        version.sunset.as_deref(),
        version.link.as_deref(),
    )
}

fn headers(
    deprecated_at: Option<i64>,
    sunset: Option<&str>,
    link: Option<&str>,
) -> Option<Vec<(&'static str, String)>> {
    let mut headers = Vec::new();
    if let Some(since) = deprecated_at {
        headers.push(("deprecation", format!("@{since}")));
    }
    if let Some(sunset) = sunset {
        headers.push(("sunset", sunset.to_string()));
    }
    if let Some(link) = link {
        headers.push((
            "link",
            format!("<{link}>; rel=\"deprecation\"; type=\"text/html\""),
        ));
    }
    (!headers.is_empty()).then_some(headers)
}

/// Whether some responses carry deprecation headers.
pub(in crate::emit::server) fn sends_deprecation_headers(api: &Api) -> bool {
    api.operations
        .iter()
        .any(|operation| deprecation_headers(operation).is_some())
}

/// Where an operation's deprecation headers come from.
pub(super) enum Deprecation {
    /// `<OPERATION>_DEPRECATION`, beside its handler.
    Own(proc_macro2::Ident),
    /// `VERSION_DEPRECATION`, shared by the operations of a deprecated
    /// version that say nothing more of their own.
    Version,
}

pub(super) fn deprecation_of(api: &Api, operation: &Operation) -> Option<Deprecation> {
    let headers = deprecation_headers(operation)?;
    if Some(&headers) == version_deprecation_headers(api).as_ref() {
        return Some(Deprecation::Version);
    }
    let name = format_ident!(
        "{}_DEPRECATION",
        crate::naming::bare(&operation.id.rust).to_shouty_snake_case()
    );
    Some(Deprecation::Own(name))
}

/// The version's shared `VERSION_DEPRECATION`, when an operation uses it.
pub(super) fn version_deprecation_const(api: &Api, imports: &mut Imports) -> Option<TokenStream> {
    let uses = api
        .operations
        .iter()
        .any(|o| matches!(deprecation_of(api, o), Some(Deprecation::Version)));
    let headers = version_deprecation_headers(api).filter(|_| uses)?;
    let name = format_ident!("VERSION_DEPRECATION");
    let doc = " The deprecation headers of this version of the API (`x-deprecation`).";
    Some(headers_const(&name, doc, &headers, None, imports))
}

/// A static table of headers for a `with_headers`.
pub(super) fn headers_const(
    name: &proc_macro2::Ident,
    doc: &str,
    headers: &[(&str, String)],
    visibility: Option<TokenStream>,
    imports: &mut Imports,
) -> TokenStream {
    imports.add("axum::http::HeaderName");
    imports.add("axum::http::HeaderValue");
    let rows = headers.iter().map(|(header, value)| {
        quote! { (HeaderName::from_static(#header), HeaderValue::from_static(#value)) }
    });
    let count = proc_macro2::Literal::usize_unsuffixed(headers.len());
    // A static, not a const: header values cannot be borrowed from a const.
    quote! {
        #[doc = #doc]
        #visibility static #name: [(HeaderName, HeaderValue); #count] = [#(#rows),*];
    }
}
