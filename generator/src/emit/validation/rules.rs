//! The checks of one schema node's own rules: strings and numbers.

use heck::ToShoutySnakeCase;
use proc_macro2::{Literal as TokenLiteral, TokenStream};
use quote::{format_ident, quote};

use super::ValidationWriter;
use crate::ir::{Primitive, Rules, Schema, StringFormat, TypeRef};

impl ValidationWriter {
    /// Checks of the `&str` binding `value` at the `&Path` binding `path`.
    pub(super) fn string_checks(&mut self, rules: &Rules, label: &str) -> Vec<TokenStream> {
        let mut out = Vec::new();
        if let Some(min) = rules.min_length.map(TokenLiteral::usize_unsuffixed) {
            out.push(quote! { rules::min_length(path, value, #min, errors); });
        }
        if let Some(max) = rules.max_length.map(TokenLiteral::usize_unsuffixed) {
            out.push(quote! { rules::max_length(path, value, #max, errors); });
        }
        if let Some(pattern) = &rules.pattern {
            let name = self.pattern_static(pattern, label);
            out.push(quote! { rules::pattern(path, #name.is_match(value), #pattern, errors); });
        }
        match rules.format {
            Some(StringFormat::Email) => out.push(quote! { rules::email(path, value, errors); }),
            Some(StringFormat::Uri) => out.push(quote! { rules::uri(path, value, errors); }),
            None => {}
        }
        if !out.is_empty() {
            self.uses_rules = true;
        }
        out
    }

    fn pattern_static(&mut self, pattern: &str, label: &str) -> proc_macro2::Ident {
        if let Some((_, name)) = self.patterns.iter().find(|(p, _)| p == pattern) {
            return format_ident!("{}", name);
        }
        let name = self
            .pattern_names
            .claim(&format!("{}_PATTERN", label.to_shouty_snake_case()));
        self.patterns.push((pattern.to_string(), name.clone()));
        format_ident!("{}", name)
    }
}

/// Checks of the number binding `value` (an `i64` for integers, else an
/// `f64`) at the `&Path` binding `path`.
pub(super) fn number_checks(integer: bool, rules: &Rules) -> Vec<TokenStream> {
    let as_f64 = if integer {
        quote! { value as f64 }
    } else {
        quote! { value }
    };
    let bounds = [
        (
            rules.minimum,
            rules.exclusive_minimum,
            "minimum",
            "exclusive_minimum",
        ),
        (
            rules.maximum,
            rules.exclusive_maximum,
            "maximum",
            "exclusive_maximum",
        ),
    ];
    let mut out = Vec::new();
    for (bound, exclusive, inclusive_rule, exclusive_rule) in bounds {
        if let Some(bound) = bound {
            let rule = format_ident!(
                "{}",
                if exclusive {
                    exclusive_rule
                } else {
                    inclusive_rule
                }
            );
            let bound = TokenLiteral::f64_unsuffixed(bound);
            out.push(quote! { rules::#rule(path, #as_f64, #bound, errors); });
        }
    }
    if let Some(multiple) = rules.multiple_of {
        let multiple = TokenLiteral::f64_unsuffixed(multiple);
        out.push(quote! { rules::multiple_of(path, #as_f64, #multiple, errors); });
    }
    out
}

/// Whether the schema node itself (not what it contains) carries a rule.
pub(super) fn schema_has_own_rules(schema: &Schema) -> bool {
    let rules = &schema.rules;
    match &schema.ty {
        TypeRef::Primitive(Primitive::String) => {
            rules.min_length.is_some()
                || rules.max_length.is_some()
                || rules.pattern.is_some()
                || rules.format.is_some()
        }
        TypeRef::Primitive(p) if p.is_number() => {
            rules.minimum.is_some() || rules.maximum.is_some() || rules.multiple_of.is_some()
        }
        TypeRef::Array(_) => {
            rules.min_items.is_some() || rules.max_items.is_some() || rules.unique_items
        }
        TypeRef::Map(_) => {
            rules.min_properties.is_some()
                || rules.max_properties.is_some()
                || rules.key_max_length.is_some()
        }
        _ => false,
    }
}
