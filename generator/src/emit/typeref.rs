//! Rust types for IR type references, and the `use` lines they need.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::rust::ident;
use crate::ir::{Api, Primitive, Schema, TypeGroup, TypeRef};

/// The `use` items a module needs, gathered while its code is built.
#[derive(Debug, Default)]
pub struct Imports {
    paths: BTreeSet<String>,
}

impl Imports {
    pub fn add(&mut self, path: &str) {
        self.paths.insert(path.to_string());
    }

    /// Adds every import of `other`.
    pub fn extend(&mut self, other: Imports) {
        self.paths.extend(other.paths);
    }

    /// Imports all of `module` instead of its items when more than `above`
    /// of them are imported: a split API's area names dozens of a
    /// generated module's items, which a list would spell out again.
    pub fn glob_when_crowded(&mut self, module: &str, above: usize) {
        let inside = format!("{module}::");
        let items: Vec<String> = self
            .paths
            .iter()
            .filter(|path| {
                path.strip_prefix(&inside)
                    .is_some_and(|item| !item.contains("::"))
            })
            .cloned()
            .collect();
        if items.len() > above {
            for item in items {
                self.paths.remove(&item);
            }
            self.paths.insert(format!("{module}::*"));
        }
    }

    /// One `use` per parent path, `std` first, then other crates, then `crate`.
    pub fn tokens(&self) -> TokenStream {
        let mut groups: BTreeMap<(u8, &str), Vec<&str>> = BTreeMap::new();
        // A module imported beside items of its own: `use m::{self, Item};`.
        let is_module = |path: &str| {
            let inside = format!("{path}::");
            self.paths
                .range(inside.clone()..)
                .next()
                .is_some_and(|next| next.starts_with(&inside))
        };
        for path in &self.paths {
            let (parent, item) = if is_module(path) {
                (path.as_str(), "self")
            } else {
                path.rsplit_once("::").unwrap_or(("", path))
            };
            let root = parent.split("::").next().unwrap_or_default();
            let rank = match root {
                "std" => 0,
                "crate" | "super" => 2,
                _ => 1,
            };
            groups.entry((rank, parent)).or_default().push(item);
        }
        let mut lines: Vec<(u8, String)> = groups
            .iter()
            .map(|((rank, parent), items)| {
                let text = match items.as_slice() {
                    [single] => format!("use {parent}::{single};"),
                    many => format!("use {parent}::{{{}}};", many.join(", ")),
                };
                (*rank, text)
            })
            .collect();
        lines.sort();
        let items = lines.iter().map(|(_, text)| {
            let item: syn::ItemUse =
                syn::parse_str(text).expect("imports are written by specforge");
            quote! { #item }
        });
        quote! { #(#items)* }
    }
}

/// Whether the Rust type of `schema` is a plain path (`Cat`, `String`,
/// `Value`) that can head an associated call as it is, unlike
/// `DateTime<Utc>` or `Vec<Cat>`, which need `<...>`.
pub fn is_bare_path(schema: &Schema) -> bool {
    matches!(schema.ty, TypeRef::Named(_) | TypeRef::Any)
        || matches!(
            schema.ty,
            TypeRef::Primitive(p) if !matches!(p, Primitive::DateTime | Primitive::Binary)
        )
}

/// Emits type references from one module of the types crate, or from
/// another crate that reaches the types crate at `types_path`.
pub struct TypeWriter<'a> {
    pub api: &'a Api,
    pub module: TypeGroup,
    /// Set outside the types crate (`crate::types`): every named type is imported from there.
    pub types_path: Option<&'static str>,
    /// The file being written when the group is split into modules: types
    /// of the group in other files are imported from the parent module.
    pub file: Option<&'a str>,
}

impl TypeWriter<'_> {
    /// The Rust type of `schema` as the head of an associated call:
    /// `Cat::decode`, but `<Vec<Cat>>::decode`.
    pub fn call_path(&self, schema: &Schema, imports: &mut Imports) -> TokenStream {
        let ty = self.tokens(schema, imports);
        if is_bare_path(schema) {
            ty
        } else {
            quote! { <#ty> }
        }
    }

    /// The Rust type of a value of `schema` (without the `Option` of nullability).
    pub fn tokens(&self, schema: &Schema, imports: &mut Imports) -> TokenStream {
        match &schema.ty {
            TypeRef::Named(id) => {
                let def = self.api.type_def(*id);
                let name = ident(&def.name);
                match (self.types_path, def.group) {
                    // Qualified outside the types crate, so a model named like
                    // a generated item (`ListUsersResponse`) cannot clash with it.
                    (Some(types), TypeGroup::Model) => {
                        imports.add(types);
                        quote! { types::#name }
                    }
                    (Some(types), group) => {
                        imports.add(types);
                        let module = format_ident!("{}", module_name(group));
                        quote! { types::#module::#name }
                    }
                    (None, group) if group != self.module => {
                        imports.add(&format!("crate::{}::{}", module_name(group), def.name));
                        quote! { #name }
                    }
                    (None, _) => {
                        if self.file.is_some() && self.api.type_module(*id) != self.file {
                            imports.add(&format!("super::{}", def.name));
                        }
                        quote! { #name }
                    }
                }
            }
            TypeRef::Primitive(primitive) => primitive_tokens(*primitive, imports),
            TypeRef::Array(items) => {
                let items = self.tokens(items, imports);
                quote! { Vec<#items> }
            }
            TypeRef::Map(values) => {
                imports.add("std::collections::BTreeMap");
                let values = self.tokens(values, imports);
                quote! { BTreeMap<String, #values> }
            }
            TypeRef::Any => {
                imports.add("serde_json::Value");
                quote! { Value }
            }
        }
    }
}

pub fn module_name(group: TypeGroup) -> &'static str {
    match group {
        TypeGroup::Model => "models",
        TypeGroup::Params => "params",
    }
}

fn primitive_tokens(primitive: Primitive, imports: &mut Imports) -> TokenStream {
    match primitive {
        Primitive::String => quote! { String },
        Primitive::Boolean => quote! { bool },
        Primitive::I32 => quote! { i32 },
        Primitive::I64 => quote! { i64 },
        Primitive::F32 => quote! { f32 },
        Primitive::F64 => quote! { f64 },
        Primitive::DateTime => {
            imports.add("chrono::DateTime");
            imports.add("chrono::Utc");
            quote! { DateTime<Utc> }
        }
        Primitive::Date => {
            imports.add("chrono::NaiveDate");
            quote! { NaiveDate }
        }
        Primitive::Uuid => {
            imports.add("uuid::Uuid");
            quote! { Uuid }
        }
        Primitive::Binary => quote! { Vec<u8> },
    }
}
