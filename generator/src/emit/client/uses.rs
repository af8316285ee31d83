//! Each client file's `use` items, worked out from the names it mentions:
//! the client's code is quoted without imports, and this finds them.

use std::collections::BTreeSet;

use proc_macro2::{TokenStream, TokenTree};
use quote::quote;

use crate::emit::typeref::Imports;

/// More items of one generated module than this, and a file imports all of
/// it (see [`Imports::glob_when_crowded`]).
const GLOB_ABOVE: usize = 3;

/// Items a generated module may name, and where they come from.
const KNOWN_ITEMS: &[(&str, &str)] = &[
    ("BTreeMap", "std::collections::BTreeMap"),
    ("Body", "crate::runtime::transport::Body"),
    ("Client", "crate::runtime::client::Client"),
    ("ClientBuilder", "crate::runtime::client::ClientBuilder"),
    ("CursorPage", "crate::runtime::pagination::CursorPage"),
    ("DateTime", "chrono::DateTime"),
    ("Error", "crate::runtime::response::Error"),
    ("FormStyle", "crate::runtime::bodies::FormStyle"),
    ("ErrorBody", "crate::runtime::response::ErrorBody"),
    ("Method", "reqwest::Method"),
    ("NaiveDate", "chrono::NaiveDate"),
    ("OperationError", "crate::runtime::response::OperationError"),
    ("Page", "crate::runtime::pagination::Page"),
    ("PartKind", "crate::runtime::bodies::PartKind"),
    ("Response", "crate::runtime::response::Response"),
    ("Stream", "futures_util::Stream"),
    ("TryStreamExt", "futures_util::TryStreamExt"),
    ("Upload", "crate::runtime::upload::Upload"),
    ("Utc", "chrono::Utc"),
    ("Uuid", "uuid::Uuid"),
    ("Value", "serde_json::Value"),
    ("bodies", "crate::runtime::bodies"),
    ("decode", "crate::runtime::response::decode"),
    (
        "decode_cursor_page",
        "crate::runtime::pagination::decode_cursor_page",
    ),
    ("decode_page", "crate::runtime::pagination::decode_page"),
    ("encode", "crate::runtime::encode"),
    ("finish", "crate::runtime::response::finish"),
    ("finish_on", "crate::runtime::response::finish_on"),
    ("types", "crate::types"),
    ("walk", "crate::runtime::pagination::walk"),
];

/// Puts the `use` items after the module's inner doc attributes.
pub(super) fn with_uses(module: TokenStream, uses: TokenStream) -> TokenStream {
    let mut docs = Vec::new();
    let mut rest = Vec::new();
    let mut tokens = module.into_iter().peekable();
    while let Some(token) = tokens.next() {
        let is_inner_attribute = matches!(&token, TokenTree::Punct(p) if p.as_char() == '#')
            && matches!(tokens.peek(), Some(TokenTree::Punct(p)) if p.as_char() == '!');
        if is_inner_attribute && rest.is_empty() {
            docs.push(token);
            docs.extend(tokens.next());
            docs.extend(tokens.next());
        } else {
            rest.push(token);
        }
    }
    let docs: TokenStream = docs.into_iter().collect();
    let rest: TokenStream = rest.into_iter().collect();
    quote! { #docs #uses #rest }
}

/// The names a module uses unqualified: types and path heads (`Page<T>`,
/// `encode::query`, `finish(..)`), not fields, bindings or the tails of
/// qualified paths (`serde_json::Error`).
pub(super) fn idents(tokens: &TokenStream) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let flat: Vec<TokenTree> = tokens.clone().into_iter().collect();
    for (index, token) in flat.iter().enumerate() {
        match token {
            TokenTree::Group(group) => found.extend(idents(&group.stream())),
            TokenTree::Ident(ident) => {
                let punct = |at: Option<usize>| match at.and_then(|i| flat.get(i)) {
                    Some(TokenTree::Punct(p)) => Some(p.as_char()),
                    _ => None,
                };
                let after_path = punct(index.checked_sub(1)) == Some(':')
                    && punct(index.checked_sub(2)) == Some(':');
                let after_dot = punct(index.checked_sub(1)) == Some('.');
                let defined = index
                    .checked_sub(1)
                    .and_then(|i| flat.get(i))
                    .is_some_and(|t| matches!(t, TokenTree::Ident(k) if k == "fn"));
                if after_path || after_dot || defined {
                    continue;
                }
                let name = ident.to_string();
                let starts_path =
                    punct(Some(index + 1)) == Some(':') && punct(Some(index + 2)) == Some(':');
                let called = matches!(flat.get(index + 1), Some(TokenTree::Group(g)) if g.delimiter() == proc_macro2::Delimiter::Parenthesis);
                let is_type = name.starts_with(|c: char| c.is_ascii_uppercase());
                // Decoders handed to `finish_on` as values.
                let passed = matches!(name.as_str(), "decode_page" | "decode_cursor_page");
                if is_type || starts_path || called || passed {
                    found.insert(name);
                }
            }
            TokenTree::Punct(_) | TokenTree::Literal(_) => {}
        }
    }
    found
}

/// The `use` items for the names a module mentions, except its own items.
pub(super) fn imports(
    idents: &BTreeSet<String>,
    generated: &[(String, String)],
    own: &str,
    traits: &[&str],
) -> TokenStream {
    let mut imports = Imports::default();
    for path in traits {
        imports.add(path);
    }
    for (name, path) in KNOWN_ITEMS {
        if idents.contains(*name) {
            imports.add(path);
        }
    }
    for (name, path) in generated {
        let is_own = !own.is_empty() && path.starts_with(&format!("{own}::"));
        if idents.contains(name) && !is_own {
            imports.add(path);
        }
    }
    for module in ["crate::errors", "crate::options"] {
        imports.glob_when_crowded(module, GLOB_ABOVE);
    }
    imports.tokens()
}
