//! Comparing generated items by shape, so that items alike but for their
//! name (and docs) can be emitted once and named again by aliases.

use proc_macro2::{TokenStream, TokenTree};

/// The items of a type as text, without their leading docs and with the
/// type's name replaced, so that types alike but for those compare equal.
pub fn without_name(items: &TokenStream, name: &str) -> String {
    let mut tokens = items.clone().into_iter().peekable();
    // Leading `#[doc = ...]` attributes.
    while let Some(TokenTree::Punct(punct)) = tokens.peek() {
        if punct.as_char() != '#' {
            break;
        }
        let mut ahead = tokens.clone();
        ahead.next();
        match ahead.next() {
            Some(TokenTree::Group(group)) if is_doc(&group.stream()) => tokens = ahead,
            _ => break,
        }
    }
    let text = tokens.collect::<TokenStream>().to_string();
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    // Whole-word replacement, inside string literals too (`"Name::default_x"`).
    while let Some(at) = rest.find(name) {
        let before = rest[..at].chars().next_back();
        let after = rest[at + name.len()..].chars().next();
        let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
        out.push_str(&rest[..at]);
        out.push_str(if word(before) || word(after) {
            name
        } else {
            "Self_"
        });
        rest = &rest[at + name.len()..];
    }
    out.push_str(rest);
    out
}

/// Whether an attribute's contents are `doc = ...`.
fn is_doc(attribute: &TokenStream) -> bool {
    matches!(attribute.clone().into_iter().next(), Some(TokenTree::Ident(name)) if name == "doc")
}
