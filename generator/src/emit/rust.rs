//! Turning token streams into formatted Rust files.

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

/// Formats `tokens` with prettyplease and puts the generated-file header on top.
///
/// Panics only on a generator bug: every token stream we build must parse.
pub fn render(tokens: TokenStream, header: &str) -> String {
    // Debug builds keep a copy to show what did not parse; release builds
    // do not pay for copying every file's tokens.
    #[cfg(debug_assertions)]
    let shown = tokens.clone();
    #[cfg(not(debug_assertions))]
    let shown = "(build specforge in debug mode to see the tokens)";
    let file: syn::File = match syn::parse2(tokens) {
        Ok(file) => file,
        Err(error) => panic!("specforge emitted Rust that does not parse ({error}):\n{shown}"),
    };
    let body = separate_items(&prettyplease::unparse(&file));
    format!("{header}\n{body}")
}

/// Puts a blank line between items, which prettyplease does not.
///
/// At the top level every item is separated, except consecutive `use` lines;
/// inside blocks only lines that start an item (`fn`, a doc comment, an
/// attribute) are, so statements and match arms stay as printed.
fn separate_items(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    let mut previous: Option<&str> = None;
    for line in text.lines() {
        if let Some(previous) = previous {
            if needs_blank_line(previous, line) {
                out.push('\n');
            }
        }
        out.push_str(line);
        out.push('\n');
        previous = Some(line);
    }
    out
}

/// One-line declarations that read best as a block: `use` lines, and `mod` lines with their attributes.
fn declaration_group(line: &str) -> Option<&'static str> {
    let line = line.strip_prefix("pub ").unwrap_or(line);
    if line.starts_with("use ") {
        Some("use")
    } else if line.starts_with("mod ") || line.starts_with("#[rustfmt::skip]") {
        Some("mod")
    } else {
        None
    }
}

fn needs_blank_line(previous: &str, line: &str) -> bool {
    let indent = line.len() - line.trim_start().len();
    let previous_indent = previous.len() - previous.trim_start().len();
    let line = line.trim_start();
    let previous = previous.trim_start();
    if line.is_empty() || previous.is_empty() || indent != previous_indent {
        return false;
    }
    let previous_ends_item = !previous.starts_with("//")
        && !previous.starts_with("#[")
        && (previous.ends_with('}') || previous.ends_with(';'));
    if previous.starts_with("//!") {
        return !line.starts_with("//!");
    }
    if indent == 0 {
        let same_group = declaration_group(previous).is_some()
            && declaration_group(previous) == declaration_group(line);
        let continuation = line.starts_with(['}', ')', ']']);
        return previous_ends_item && !same_group && !continuation;
    }
    const ITEM_STARTS: [&str; 10] = [
        "fn ",
        "pub fn ",
        "async fn ",
        "pub async fn ",
        "pub(crate) fn ",
        "///",
        "#[",
        "const ",
        "pub const ",
        "type ",
    ];
    previous_ends_item && ITEM_STARTS.iter().any(|start| line.starts_with(start))
}

/// The `mod` items of a module split by area, and with `reexport` a glob
/// re-export of each, so every item keeps the path it has when unsplit.
/// No `#[rustfmt::skip]` of their own: `lib.rs` skips their parent, and
/// `cargo fmt` does not descend into a skipped module's children.
pub fn area_modules(areas: &[&str], reexport: bool) -> TokenStream {
    let names: Vec<Ident> = areas.iter().map(|area| ident(area)).collect();
    let reexports = reexport.then(|| quote! { #(pub use #names::*;)* });
    quote! {
        #(mod #names;)*
        #reexports
    }
}

/// An identifier; `r#type` becomes a raw identifier.
pub fn ident(name: &str) -> Ident {
    match name.strip_prefix("r#") {
        Some(raw) => Ident::new_raw(raw, Span::call_site()),
        None => Ident::new(name, Span::call_site()),
    }
}

/// `#[allow(clippy::large_enum_variant)]` for an enum whose largest variant
/// is far larger than the next (sizes as `Api::estimated_size` gives them).
/// Generated enums are built once and matched at once: boxing their large
/// variants would only make callers write `Box::new` and `*`.
pub fn large_variant_allowance(sizes: impl IntoIterator<Item = usize>) -> Option<TokenStream> {
    let mut sizes: Vec<usize> = sizes.into_iter().collect();
    sizes.sort_unstable_by(|a, b| b.cmp(a));
    let spread = sizes.first().copied().unwrap_or(0) - sizes.get(1).copied().unwrap_or(0);
    (spread >= 128).then(|| quote::quote! { #[allow(clippy::large_enum_variant)] })
}

/// `#[doc = ...]` lines for a doc comment, made safe for rustdoc.
pub fn docs(text: Option<&str>) -> TokenStream {
    let Some(text) = text else {
        return TokenStream::new();
    };
    let lines = doc_lines(text);
    quote! { #( #[doc = #lines] )* }
}

/// Inner `#![doc = ...]` lines for module docs.
pub fn module_docs(text: &str) -> TokenStream {
    let lines = doc_lines(text);
    quote! { #( #![doc = #lines] )* }
}

/// Splits text into doc lines, each with the leading space rustdoc expects.
///
/// Descriptions are Markdown written for people, not for rustdoc: fenced
/// blocks become `text` blocks so no example from the spec is compiled as a
/// doctest, and lines that continue a list item are indented under it.
fn doc_lines(text: &str) -> Vec<String> {
    let mut in_fence = false;
    let mut list_indent: Option<usize> = None;
    let mut lines = Vec::new();
    for raw in text.trim().lines() {
        let raw = raw.trim_end();
        let trimmed = raw.trim_start();
        let indent = raw.len() - trimmed.len();
        let line = if trimmed.starts_with("```") {
            let opening = !in_fence;
            in_fence = !in_fence;
            list_indent = None;
            format!(
                "{}{}",
                &raw[..indent],
                if opening { "```text" } else { "```" }
            )
        } else if in_fence || trimmed.is_empty() {
            if trimmed.is_empty() {
                list_indent = None;
            }
            raw.to_string()
        } else if let Some(marker) = list_marker_width(trimmed) {
            list_indent = Some(indent + marker);
            raw.to_string()
        } else {
            match list_indent {
                Some(wanted) if indent < wanted => format!("{}{trimmed}", " ".repeat(wanted)),
                _ => raw.to_string(),
            }
        };
        lines.push(if line.is_empty() {
            line
        } else {
            format!(" {line}")
        });
    }
    lines
}

/// Where the text of a Markdown list item that starts `line` begins:
/// `- item` is 2, `*   item` is 4, `12. item` is 4.
fn list_marker_width(line: &str) -> Option<usize> {
    let marker = if line.starts_with(['-', '*', '+']) {
        1
    } else {
        let digits = line.chars().take_while(char::is_ascii_digit).count();
        let rest = &line[digits..];
        if digits == 0 || !(rest.starts_with('.') || rest.starts_with(')')) {
            return None;
        }
        digits + 1
    };
    let spaces = line[marker..].chars().take_while(|c| *c == ' ').count();
    (1..=4).contains(&spaces).then_some(marker + spaces)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doc_lines_indent_list_continuations() {
        let lines = doc_lines(
            "Events:\n- `added`: the parent\nis an object\n10. ten\nmore\n*   wide\n  marker\n\nAfter.",
        );
        assert_eq!(
            lines,
            vec![
                " Events:",
                " - `added`: the parent",
                "   is an object",
                " 10. ten",
                "     more",
                " *   wide",
                "     marker",
                "",
                " After."
            ]
        );
    }

    #[test]
    fn doc_lines_mark_code_fences_as_text() {
        let lines = doc_lines("Intro\n\n```json\n{}\n```\n```rust\nlet x = 1;\n```");
        assert_eq!(
            lines,
            vec![
                " Intro",
                "",
                " ```text",
                " {}",
                " ```",
                " ```text",
                " let x = 1;",
                " ```"
            ]
        );
    }

    #[test]
    fn blank_lines_between_items_only() {
        let text = "//! Docs.\nuse a::b;\nuse c::d;\nstruct A;\nimpl A {\n    fn a() {}\n    fn b() {\n        if x {\n        }\n        let y = 1;\n    }\n}\nconst B: u8 = 1;\n";
        let expected = "//! Docs.\n\nuse a::b;\nuse c::d;\n\nstruct A;\n\nimpl A {\n    fn a() {}\n\n    fn b() {\n        if x {\n        }\n        let y = 1;\n    }\n}\n\nconst B: u8 = 1;\n";
        assert_eq!(separate_items(text), expected);
    }

    #[test]
    fn raw_identifiers() {
        assert_eq!(ident("r#type").to_string(), "r#type");
        assert_eq!(ident("name").to_string(), "name");
    }
}
