//! `Validate` impls: the spec's rules as plain Rust, one `validate_at` per type.
//!
//! Each impl appends every failure to `errors` with a field path relative to
//! the value validated (`items[2].name`), so callers report all problems at once.

mod json;
mod needs;
mod rules;

use std::collections::BTreeSet;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::rust::ident;
use super::typeref::{Imports, TypeWriter};
use crate::ir::{TypeDef, TypeId, TypeKind};
use crate::naming::{self, Namespace};
use needs::types_needing_validation;

/// An expression for the value being checked.
#[derive(Clone)]
enum Value {
    /// A place such as `self.amount`.
    Place(TokenStream),
    /// A binding that holds a reference, such as `item`.
    Ref(TokenStream),
}

impl Value {
    fn by_ref(&self) -> TokenStream {
        match self {
            Value::Place(place) => quote! { &#place },
            Value::Ref(reference) => reference.clone(),
        }
    }

    fn by_value(&self) -> TokenStream {
        match self {
            Value::Place(place) => place.clone(),
            Value::Ref(reference) => quote! { *#reference },
        }
    }

    fn receiver(&self) -> TokenStream {
        match self {
            Value::Place(place) | Value::Ref(place) => place.clone(),
        }
    }
}

/// The `&Path` of the value being checked.
#[derive(Clone)]
enum PathExpr {
    /// The binding `path`, already a `&Path`.
    Var,
    /// A field of the binding: `&path.field("name")`.
    Field(String),
}

impl PathExpr {
    /// An expression of type `&Path`.
    fn arg(&self) -> TokenStream {
        match self {
            PathExpr::Var => quote! { path },
            PathExpr::Field(wire) => quote! { &path.field(#wire) },
        }
    }

    /// An expression of type `Path` for a child of this path.
    fn child(&self, step: TokenStream) -> TokenStream {
        match self {
            PathExpr::Var => quote! { path.#step },
            PathExpr::Field(wire) => quote! { path.field(#wire).#step },
        }
    }
}

pub struct ValidationWriter {
    /// Type names by id, for checks that call another type's checks.
    type_names: Vec<String>,
    needs: BTreeSet<TypeId>,
    /// (pattern, static name) in order of first use.
    patterns: Vec<(String, String)>,
    /// Whether any emitted check calls into `validation::rules`.
    uses_rules: bool,
    pattern_names: Namespace,
}

impl ValidationWriter {
    pub fn new(writer: &TypeWriter<'_>) -> Self {
        ValidationWriter {
            type_names: writer.api.types.iter().map(|t| t.name.clone()).collect(),
            needs: types_needing_validation(writer.api),
            patterns: Vec::new(),
            uses_rules: false,
            pattern_names: Namespace::new(),
        }
    }

    pub fn validate_impl(&mut self, def: &TypeDef, imports: &mut Imports) -> TokenStream {
        imports.add("crate::validation::Path");
        imports.add("crate::validation::Validate");
        imports.add("crate::validation::ValidationError");
        let name = ident(&def.name);
        let body = match &def.kind {
            TypeKind::Struct(s) => {
                let mut statements = Vec::new();
                for field in &s.fields {
                    statements.extend(self.field_checks(def, field));
                }
                if let Some(values) = &s.additional_properties {
                    let label = format!("{}_additional", def.name);
                    let inner = self.checks(
                        values,
                        &Value::Ref(quote! { value }),
                        &PathExpr::Var,
                        &label,
                    );
                    if !inner.is_empty() {
                        statements.push(quote! {
                            for (key, value) in &self.additional_properties {
                                let path = &path.key(key);
                                #(#inner)*
                            }
                        });
                    }
                }
                statements
            }
            TypeKind::Enum(e) if e.open => {
                self.uses_rules = true;
                let wires = e.variants.iter().map(|v| v.wire.as_str());
                let value = if e.integer {
                    quote! { &value.to_string() }
                } else {
                    quote! { value }
                };
                vec![quote! {
                    if let Self::Unknown(value) = self {
                        rules::enumeration(path, #value, &[#(#wires),*], errors);
                    }
                }]
            }
            TypeKind::Enum(_) => Vec::new(),
            TypeKind::Union(u) => {
                let arms: Vec<(TokenStream, TokenStream)> = u
                    .variants
                    .iter()
                    .filter_map(|variant| {
                        let label = format!("{}_{}", def.name, variant.name);
                        let inner = self.checks(
                            &variant.schema,
                            &Value::Ref(quote! { value }),
                            &PathExpr::Var,
                            &label,
                        );
                        if inner.is_empty() {
                            return None;
                        }
                        let variant_name = ident(&variant.name);
                        Some((
                            quote! { Self::#variant_name(value) },
                            quote! { { #(#inner)* } },
                        ))
                    })
                    .collect();
                if arms.is_empty() {
                    Vec::new()
                } else if arms.len() == 1 && u.variants.len() > 1 {
                    let (pattern, body) = &arms[0];
                    vec![quote! { if let #pattern = self #body }]
                } else if arms.len() == u.variants.len() {
                    let arms = arms
                        .iter()
                        .map(|(pattern, body)| quote! { #pattern => #body });
                    vec![quote! { match self { #(#arms)* } }]
                } else {
                    let arms = arms
                        .iter()
                        .map(|(pattern, body)| quote! { #pattern => #body });
                    vec![quote! { match self { #(#arms)* _ => {} } }]
                }
            }
        };
        let (path_arg, errors_arg) = if body.is_empty() {
            (quote! { _path }, quote! { _errors })
        } else {
            (quote! { path }, quote! { errors })
        };
        // Checking a deprecated field is not a use the deprecation warns about.
        let reads_deprecated =
            matches!(&def.kind, TypeKind::Struct(s) if s.fields.iter().any(|f| f.deprecated));
        let allow = (reads_deprecated && !body.is_empty()).then(|| quote! { #[allow(deprecated)] });
        quote! {
            #allow
            impl Validate for #name {
                fn validate_at(&self, #path_arg: &Path, #errors_arg: &mut Vec<ValidationError>) {
                    #(#body)*
                }
            }
        }
    }

    fn field_checks(&mut self, def: &TypeDef, field: &crate::ir::Field) -> Vec<TokenStream> {
        let wire = &field.name.wire;
        let place = ident(&field.name.rust);
        let label = format!("{}_{}", def.name, naming::bare(&field.name.rust));
        let is_option = field.is_optional();
        let value = if is_option {
            Value::Ref(quote! { value })
        } else {
            Value::Place(quote! { self.#place })
        };
        let mut inner = self.checks(&field.schema, &value, &PathExpr::Var, &label);
        let single_use = inner.len() == 1;
        if single_use {
            inner = self.checks(
                &field.schema,
                &value,
                &PathExpr::Field(wire.clone()),
                &label,
            );
        }
        let missing = field.required_write_only().then(|| {
            self.uses_rules = true;
            quote! { rules::required(&path.field(#wire), errors); }
        });
        if inner.is_empty() {
            return missing
                .map(|m| vec![quote! { if self.#place.is_none() { #m } }])
                .unwrap_or_default();
        }
        let bind = (!single_use).then(|| quote! { let path = &path.field(#wire); });
        let statement = if is_option {
            match missing {
                Some(missing) => quote! {
                    match &self.#place {
                        Some(value) => { #bind #(#inner)* }
                        None => { #missing }
                    }
                },
                None if field.explicit_null => quote! {
                    if let Some(Some(value)) = &self.#place {
                        #bind
                        #(#inner)*
                    }
                },
                None => quote! {
                    if let Some(value) = &self.#place {
                        #bind
                        #(#inner)*
                    }
                },
            }
        } else if single_use {
            quote! { #(#inner)* }
        } else {
            quote! { { #bind #(#inner)* } }
        };
        vec![statement]
    }

    /// What the module needs after its impls: imports and compiled-once regexes.
    pub fn finish(&self, imports: &mut Imports) -> TokenStream {
        if self.uses_rules {
            imports.add("crate::validation::rules");
        }
        if self.patterns.is_empty() {
            return TokenStream::new();
        }
        imports.add("std::sync::LazyLock");
        imports.add("regex::Regex");
        let statics = self.patterns.iter().map(|(pattern, name)| {
            let name = format_ident!("{}", name);
            quote! {
                static #name: LazyLock<Regex> =
                    LazyLock::new(|| Regex::new(#pattern).expect("specforge checked this pattern"));
            }
        });
        quote! { #(#statics)* }
    }
}
