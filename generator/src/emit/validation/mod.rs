//! `Validate` impls: the spec's rules as plain Rust, one `validate_at` per type.
//!
//! Each impl appends every failure to `errors` with a field path relative to
//! the value validated (`items[2].name`), so callers report all problems at once.

mod json;

use std::collections::BTreeSet;

use heck::ToShoutySnakeCase;
use proc_macro2::{Literal as TokenLiteral, TokenStream};
use quote::{format_ident, quote};

use super::rust::ident;
use super::typeref::{Imports, TypeWriter};
use crate::ir::{Api, Primitive, Rules, Schema, StringFormat, TypeDef, TypeId, TypeKind, TypeRef};
use crate::naming::{self, Namespace};

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

    /// Statements checking `value` against `schema`; `path` is a `&Path` expression.
    fn checks(
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

    fn string_checks(
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

fn number_checks(
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

/// Types whose `validate_at` checks something, found by fixpoint over the type graph.
fn types_needing_validation(api: &Api) -> BTreeSet<TypeId> {
    let mut needs = BTreeSet::new();
    loop {
        let before = needs.len();
        for (index, def) in api.types.iter().enumerate() {
            let id = TypeId(index);
            if needs.contains(&id) {
                continue;
            }
            let needed = match &def.kind {
                TypeKind::Struct(s) => {
                    s.fields
                        .iter()
                        .any(|f| schema_needs(&f.schema, &needs) || f.required_write_only())
                        || s.additional_properties
                            .as_ref()
                            .is_some_and(|v| schema_needs(v, &needs))
                }
                TypeKind::Enum(e) => e.open,
                TypeKind::Union(u) => u.variants.iter().any(|v| schema_needs(&v.schema, &needs)),
            };
            if needed {
                needs.insert(id);
            }
        }
        if needs.len() == before {
            return needs;
        }
    }
}

fn schema_needs(schema: &Schema, needs: &BTreeSet<TypeId>) -> bool {
    schema_has_own_rules(schema)
        || match &schema.ty {
            TypeRef::Named(id) => needs.contains(id),
            TypeRef::Array(inner) | TypeRef::Map(inner) => schema_needs(inner, needs),
            _ => false,
        }
}

/// Whether the schema node itself (not what it contains) carries a rule.
fn schema_has_own_rules(schema: &Schema) -> bool {
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
