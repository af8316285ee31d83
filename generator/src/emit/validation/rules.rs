//! The checks of one schema node's rules: strings, numbers, arrays, maps.

use heck::ToShoutySnakeCase;
use proc_macro2::{Literal as TokenLiteral, TokenStream};
use quote::{format_ident, quote};

use super::{PathExpr, ValidationWriter, Value};
use crate::ir::{Primitive, Rules, Schema, StringFormat, TypeRef};

impl ValidationWriter {
    /// Statements checking `value` against `schema`; `path` is a `&Path` expression.
    pub(super) fn checks(
        &mut self,
        schema: &Schema,
        value: &Value,
        path_expr: &PathExpr,
        label: &str,
    ) -> Vec<TokenStream> {
        let path = &path_expr.arg();
        let mut out = Vec::new();
        let rules = &schema.rules;
        if schema_has_own_rules(schema) {
            self.uses_rules = true;
        }
        match &schema.ty {
            TypeRef::Primitive(Primitive::String) => {
                self.string_checks(rules, value, path, label, &mut out)
            }
            TypeRef::Primitive(p) if p.is_number() => {
                number_checks(*p, rules, value, path, &mut out)
            }
            TypeRef::Primitive(_) | TypeRef::Any => {}
            TypeRef::Named(id) => {
                if self.needs.contains(id) {
                    let receiver = value.receiver();
                    out.push(quote! { #receiver.validate_at(#path, errors); });
                }
            }
            TypeRef::Array(items) => {
                let receiver = value.receiver();
                if let Some(min) = rules.min_items.map(TokenLiteral::usize_unsuffixed) {
                    out.push(quote! { rules::min_items(#path, #receiver.len(), #min, errors); });
                }
                if let Some(max) = rules.max_items.map(TokenLiteral::usize_unsuffixed) {
                    out.push(quote! { rules::max_items(#path, #receiver.len(), #max, errors); });
                }
                if rules.unique_items {
                    let by_ref = value.by_ref();
                    out.push(quote! { rules::unique_items(#path, #by_ref, errors); });
                }
                let item_checks = self.checks(
                    items,
                    &Value::Ref(quote! { item }),
                    &PathExpr::Var,
                    &format!("{label}_item"),
                );
                if !item_checks.is_empty() {
                    let child = path_expr.child(quote! { index(index) });
                    out.push(quote! {
                        for (index, item) in #receiver.iter().enumerate() {
                            let path = &#child;
                            #(#item_checks)*
                        }
                    });
                }
            }
            TypeRef::Map(values) => {
                let receiver = value.receiver();
                if let Some(min) = rules.min_properties.map(TokenLiteral::usize_unsuffixed) {
                    out.push(
                        quote! { rules::min_properties(#path, #receiver.len(), #min, errors); },
                    );
                }
                if let Some(max) = rules.max_properties.map(TokenLiteral::usize_unsuffixed) {
                    out.push(
                        quote! { rules::max_properties(#path, #receiver.len(), #max, errors); },
                    );
                }
                let key_check = rules
                    .key_max_length
                    .map(TokenLiteral::usize_unsuffixed)
                    .map(|max| quote! { rules::key_max_length(path, key, #max, errors); });
                let value_checks = self.checks(
                    values,
                    &Value::Ref(quote! { value }),
                    &PathExpr::Var,
                    &format!("{label}_value"),
                );
                let child = path_expr.child(quote! { key(key) });
                if !value_checks.is_empty() {
                    let by_ref = value.by_ref();
                    out.push(quote! {
                        for (key, value) in #by_ref {
                            let path = &#child;
                            #key_check
                            #(#value_checks)*
                        }
                    });
                } else if let Some(key_check) = key_check {
                    out.push(quote! {
                        for key in #receiver.keys() {
                            let path = &#child;
                            #key_check
                        }
                    });
                }
            }
        }
        out
    }

    pub(super) fn string_checks(
        &mut self,
        rules: &Rules,
        value: &Value,
        path: &TokenStream,
        label: &str,
        out: &mut Vec<TokenStream>,
    ) {
        let by_ref = value.by_ref();
        if let Some(min) = rules.min_length.map(TokenLiteral::usize_unsuffixed) {
            out.push(quote! { rules::min_length(#path, #by_ref, #min, errors); });
        }
        if let Some(max) = rules.max_length.map(TokenLiteral::usize_unsuffixed) {
            out.push(quote! { rules::max_length(#path, #by_ref, #max, errors); });
        }
        if let Some(pattern) = &rules.pattern {
            let name = self.pattern_static(pattern, label);
            out.push(quote! { rules::pattern(#path, #name.is_match(#by_ref), #pattern, errors); });
        }
        match rules.format {
            Some(StringFormat::Email) => out.push(quote! { rules::email(#path, #by_ref, errors); }),
            Some(StringFormat::Uri) => out.push(quote! { rules::uri(#path, #by_ref, errors); }),
            None => {}
        }
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

pub(super) fn number_checks(
    primitive: Primitive,
    rules: &Rules,
    value: &Value,
    path: &TokenStream,
    out: &mut Vec<TokenStream>,
) {
    let raw = value.by_value();
    let as_f64 = match primitive {
        Primitive::F64 => raw,
        Primitive::I64 => quote! { #raw as f64 },
        _ => quote! { f64::from(#raw) },
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
            out.push(quote! { rules::#rule(#path, #as_f64, #bound, errors); });
        }
    }
    if let Some(multiple) = rules.multiple_of {
        let multiple = TokenLiteral::f64_unsuffixed(multiple);
        out.push(quote! { rules::multiple_of(#path, #as_f64, #multiple, errors); });
    }
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
