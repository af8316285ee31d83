//! The checks of one JSON value: the statements that check a value against
//! its schema's type and rules, and the `json::Check` a property's table
//! entry holds.

use proc_macro2::{Literal as TokenLiteral, TokenStream};
use quote::quote;

use super::rules::{number_checks, schema_has_own_rules};
use super::ValidationWriter;
use crate::emit::rust::ident;
use crate::emit::typeref::{is_bare_path, Imports, TypeWriter};
use crate::ir::{Primitive, Schema, StringFormat, TypeRef};

impl ValidationWriter {
    /// An expression of type `json::Check` for values of `schema`, `None`
    /// when any value passes: the type's own `check_json` when the schema
    /// has no rules of its own, else a closure that checks them.
    pub(super) fn check_fn(
        &mut self,
        writer: &TypeWriter<'_>,
        schema: &Schema,
        nullable: bool,
        label: &str,
        imports: &mut Imports,
    ) -> Option<TokenStream> {
        if let Some(ty) = plain_type(writer, schema, imports) {
            let ty = if nullable {
                quote! { Option<#ty> }
            } else {
                ty
            };
            return Some(if is_bare_path(schema) && !nullable {
                quote! { #ty::check_json }
            } else {
                quote! { <#ty>::check_json }
            });
        }
        if matches!(schema.ty, TypeRef::Primitive(Primitive::Binary)) && !nullable {
            return Some(quote! { json::bytes });
        }
        if let Some(check) = format_only(schema).filter(|_| !nullable) {
            return Some(check);
        }
        let checks = if nullable {
            self.json_checks(schema, label)
        } else {
            self.json_checks_non_null(schema, label)
        };
        if checks.is_empty() {
            return None;
        }
        Some(quote! { |value, path, errors| { #(#checks)* } })
    }

    /// Statements checking the JSON `value` (a `&Value` binding) at `path` (a `&Path` binding).
    pub(super) fn json_checks(&mut self, schema: &Schema, label: &str) -> Vec<TokenStream> {
        let checks = self.json_checks_non_null(schema, label);
        if schema.nullable && !checks.is_empty() {
            return vec![quote! {
                if !value.is_null() {
                    #(#checks)*
                }
            }];
        }
        checks
    }

    fn json_checks_non_null(&mut self, schema: &Schema, label: &str) -> Vec<TokenStream> {
        let rules = &schema.rules;
        match &schema.ty {
            TypeRef::Any => Vec::new(),
            TypeRef::Named(id) => {
                let name = ident(&self.type_names[id.0]);
                vec![quote! { #name::check_json(value, path, errors); }]
            }
            TypeRef::Primitive(Primitive::String) => {
                if let Some(check) = format_only(schema) {
                    return vec![quote! { #check(value, path, errors); }];
                }
                let inner = self.string_checks(rules, label);
                guarded(quote! { json::string(value, path, errors) }, inner)
            }
            TypeRef::Primitive(p @ (Primitive::DateTime | Primitive::Date | Primitive::Uuid)) => {
                let ty = match p {
                    Primitive::DateTime => quote! { DateTime<Utc> },
                    Primitive::Date => quote! { NaiveDate },
                    _ => quote! { Uuid },
                };
                vec![quote! { <#ty>::check_json(value, path, errors); }]
            }
            TypeRef::Primitive(Primitive::Boolean) => {
                vec![quote! { json::boolean(value, path, errors); }]
            }
            TypeRef::Primitive(Primitive::Binary) => {
                vec![quote! { json::bytes(value, path, errors); }]
            }
            TypeRef::Primitive(p) => {
                let reader = match p {
                    Primitive::I32 => quote! { json::int32 },
                    Primitive::I64 => quote! { json::integer },
                    _ => quote! { json::number },
                };
                let inner = number_checks(p.is_integer(), rules);
                if !inner.is_empty() {
                    self.uses_rules = true;
                }
                guarded(quote! { #reader(value, path, errors) }, inner)
            }
            TypeRef::Array(items) => {
                let mut inner = Vec::new();
                if let Some(min) = count(rules.min_items) {
                    inner.push(quote! { rules::min_items(path, items.len(), #min, errors); });
                }
                if let Some(max) = count(rules.max_items) {
                    inner.push(quote! { rules::max_items(path, items.len(), #max, errors); });
                }
                if rules.unique_items {
                    inner.push(quote! { rules::unique_items(path, items, errors); });
                }
                if !inner.is_empty() {
                    self.uses_rules = true;
                }
                let item_checks = self.json_checks(items, &format!("{label}_item"));
                if !item_checks.is_empty() {
                    inner.push(quote! {
                        for (index, value) in items.iter().enumerate() {
                            let path = &path.index(index);
                            #(#item_checks)*
                        }
                    });
                }
                guarded_as(
                    quote! { items },
                    quote! { json::array(value, path, errors) },
                    inner,
                )
            }
            TypeRef::Map(values) => {
                let mut inner = Vec::new();
                if let Some(min) = count(rules.min_properties) {
                    inner
                        .push(quote! { rules::min_properties(path, entries.len(), #min, errors); });
                }
                if let Some(max) = count(rules.max_properties) {
                    inner
                        .push(quote! { rules::max_properties(path, entries.len(), #max, errors); });
                }
                let mut entry_checks = Vec::new();
                if let Some(max) = count(rules.key_max_length) {
                    entry_checks.push(quote! { rules::key_max_length(path, key, #max, errors); });
                }
                if !inner.is_empty() || !entry_checks.is_empty() {
                    self.uses_rules = true;
                }
                entry_checks.extend(self.json_checks(values, &format!("{label}_value")));
                if !entry_checks.is_empty() {
                    inner.push(quote! {
                        for (key, value) in entries {
                            let path = &path.key(key);
                            #(#entry_checks)*
                        }
                    });
                }
                guarded_as(
                    quote! { entries },
                    quote! { json::object(value, path, errors) },
                    inner,
                )
            }
        }
    }
}

/// The Rust type whose `check_json` checks exactly what `schema` asks, when
/// no node of it carries a rule of its own (`Vec<Option<Pet>>`, `String`).
fn plain_type(
    writer: &TypeWriter<'_>,
    schema: &Schema,
    imports: &mut Imports,
) -> Option<TokenStream> {
    if schema_has_own_rules(schema) {
        return None;
    }
    let nested = |inner: &Schema, imports: &mut Imports| {
        let ty = plain_type(writer, inner, imports)?;
        let nullable = inner.nullable && !matches!(inner.ty, TypeRef::Any);
        Some(if nullable {
            quote! { Option<#ty> }
        } else {
            ty
        })
    };
    match &schema.ty {
        TypeRef::Primitive(Primitive::Binary) => None,
        TypeRef::Named(_) | TypeRef::Primitive(_) | TypeRef::Any => {
            Some(writer.tokens(schema, imports))
        }
        TypeRef::Array(items) => {
            let items = nested(items, imports)?;
            Some(quote! { Vec<#items> })
        }
        TypeRef::Map(values) => {
            let values = nested(values, imports)?;
            imports.add("std::collections::BTreeMap");
            Some(quote! { BTreeMap<String, #values> })
        }
    }
}

/// The runtime's check of a string whose only rule is its format
/// (`json::uri`, `json::email`): most rules in large specs are these.
fn format_only(schema: &Schema) -> Option<TokenStream> {
    let rules = &schema.rules;
    let only_format = matches!(schema.ty, TypeRef::Primitive(Primitive::String))
        && rules.min_length.is_none()
        && rules.max_length.is_none()
        && rules.pattern.is_none();
    match rules.format.filter(|_| only_format)? {
        StringFormat::Email => Some(quote! { json::email }),
        StringFormat::Uri => Some(quote! { json::uri }),
    }
}

fn count(n: Option<usize>) -> Option<TokenLiteral> {
    n.map(TokenLiteral::usize_unsuffixed)
}

/// `if let Some(value) = reader { inner }`, or the bare reader call when there is nothing inside.
fn guarded(reader: TokenStream, inner: Vec<TokenStream>) -> Vec<TokenStream> {
    guarded_as(quote! { value }, reader, inner)
}

fn guarded_as(
    binding: TokenStream,
    reader: TokenStream,
    inner: Vec<TokenStream>,
) -> Vec<TokenStream> {
    if inner.is_empty() {
        vec![quote! { #reader; }]
    } else {
        vec![quote! {
            if let Some(#binding) = #reader {
                #(#inner)*
            }
        }]
    }
}
