//! The `check_json` of each type: what serde needs (types, required
//! properties, enum values, formats, the union variant) and the spec's rules,
//! reporting everything at once, so a request body gets one complete list of
//! what is wrong with it.

use proc_macro2::{Literal as TokenLiteral, TokenStream};
use quote::quote;

use super::rules::{number_checks, schema_has_own_rules};
use super::ValidationWriter;
use crate::emit::rust::ident;
use crate::emit::typeref::{is_bare_path, Imports, TypeWriter};
use crate::ir::{
    Field, Primitive, Schema, StringFormat, StructDef, TypeDef, TypeKind, TypeRef, UnionDef,
};

impl ValidationWriter {
    pub fn json_check_impl(
        &mut self,
        writer: &TypeWriter<'_>,
        def: &TypeDef,
        imports: &mut Imports,
    ) -> TokenStream {
        // A string enum's check comes with its other impls.
        if matches!(&def.kind, TypeKind::Enum(e) if !e.integer) {
            return TokenStream::new();
        }
        imports.add("crate::validation::FromJson");
        imports.add("crate::validation::json");
        let name = ident(&def.name);
        let body = match &def.kind {
            TypeKind::Struct(s) => {
                let table = self.struct_table(writer, def, s, imports);
                if std::mem::take(&mut self.uses_rules) {
                    imports.add("crate::validation::rules");
                }
                return quote! {
                    impl FromJson for #name {
                        #table
                    }
                };
            }
            // Strict even for open enums: JSON checked here is a request,
            // and a request may only send the values the spec lists.
            TypeKind::Enum(e) => {
                let wires = e.variants.iter().map(|v| v.wire.as_str());
                vec![quote! { json::integer_in(value, path, errors, &[#(#wires),*]); }]
            }
            TypeKind::Union(u) => self.union_checks(def, u),
        };
        imports.add("crate::validation::Path");
        imports.add("crate::validation::ValidationError");
        imports.add("serde_json::Value");
        // The import goes with this type's items, which its module may yet
        // drop for an alias.
        if std::mem::take(&mut self.uses_rules) {
            imports.add("crate::validation::rules");
        }
        let (value, path, errors) = if body.is_empty() {
            (quote! { _value }, quote! { _path }, quote! { _errors })
        } else {
            (quote! { value }, quote! { path }, quote! { errors })
        };
        quote! {
            impl FromJson for #name {
                fn check_json(#value: &Value, #path: &Path, #errors: &mut Vec<ValidationError>) {
                    #(#body)*
                }
            }
        }
    }

    /// A struct's `PROPERTIES` and `ADDITIONAL`, which `FromJson`'s default
    /// `check_json` checks an object against.
    fn struct_table(
        &mut self,
        writer: &TypeWriter<'_>,
        def: &TypeDef,
        s: &StructDef,
        imports: &mut Imports,
    ) -> TokenStream {
        let properties: Vec<TokenStream> = s
            .fields
            .iter()
            .filter_map(|field| self.property(writer, def, field, imports))
            .collect();
        let additional = s.additional_properties.as_ref().and_then(|values| {
            let label = format!("{}_additional", def.name);
            self.check_fn(writer, values, values.nullable, &label, imports)
        });
        let properties = (!properties.is_empty()).then(|| {
            imports.add("crate::validation::json::Property");
            quote! { const PROPERTIES: &[Property] = &[#(#properties),*]; }
        });
        let additional = additional.map(|check| {
            quote! { const ADDITIONAL: Option<json::Check> = Some(#check); }
        });
        quote! { #properties #additional }
    }

    /// The table entry of one property: how present it must be, and its check.
    fn property(
        &mut self,
        writer: &TypeWriter<'_>,
        def: &TypeDef,
        field: &Field,
        imports: &mut Imports,
    ) -> Option<TokenStream> {
        let wire = &field.name.wire;
        let label = format!("{}_{}", def.name, crate::naming::bare(&field.name.rust));
        // Null is dealt with by the table. Incoming JSON is a request: a
        // required write-only property is required here, a read-only one
        // the server sets is not.
        let check = self.check_fn(writer, &field.schema, false, &label, imports);
        let required = field.required_in_requests();
        // A schema without a type takes any value, `null` too (`nullable`
        // only means something beside a `type`).
        let nullable = field.schema.nullable || matches!(field.schema.ty, TypeRef::Any);
        if !required && nullable && check.is_none() {
            // Absent, null or anything at all: nothing to check.
            return None;
        }
        let check = check.unwrap_or_else(|| quote! { json::any });
        // A property its default fills is optional here: absent is fine, null is not.
        let entry = match (required, nullable) {
            (true, false) => quote! { json::required },
            (true, true) => quote! { json::required_nullable },
            (false, false) => quote! { json::optional },
            (false, true) => quote! { json::optional_nullable },
        };
        Some(quote! { #entry(#wire, #check) })
    }

    /// An expression of type `json::Check` for values of `schema`, `None`
    /// when any value passes: the type's own `check_json` when the schema
    /// has no rules of its own, else a closure that checks them.
    fn check_fn(
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

    fn union_checks(&mut self, def: &TypeDef, u: &UnionDef) -> Vec<TokenStream> {
        if let Some(property) = &u.discriminator {
            self.uses_rules = true;
            let arms = u
                .variants
                .iter()
                .filter(|v| !v.tags.is_empty())
                .map(|variant| {
                    let tags = &variant.tags;
                    let call = self.json_checks(&variant.schema, &def.name);
                    quote! { Some(#(#tags)|*) => { #(#call)* } }
                });
            let arms: Vec<TokenStream> = arms.collect();
            let all_tags = u.variants.iter().flat_map(|v| &v.tags);
            return vec![quote! {
                let Some(object) = json::object(value, path, errors) else {
                    return;
                };
                match object.get(#property).and_then(Value::as_str) {
                    #(#arms)*
                    Some(other) => rules::enumeration(&path.field(#property), other, &[#(#all_tags),*], errors),
                    None => rules::required(&path.field(#property), errors),
                }
            }];
        }
        let variant_checks: Vec<Vec<TokenStream>> = u
            .variants
            .iter()
            .map(|variant| {
                let label = format!("{}_{}", def.name, variant.name);
                self.json_checks(&variant.schema, &label)
            })
            .collect();
        if variant_checks.iter().any(Vec::is_empty) {
            // A variant that takes any value: every value fits the union.
            return Vec::new();
        }
        self.uses_rules = true;
        let checks = variant_checks
            .iter()
            .map(|inner| quote! { &|errors: &mut Vec<ValidationError>| { #(#inner)* } });
        vec![quote! { rules::one_of(path, &[#(#checks),*], errors); }]
    }

    /// Statements checking the JSON `value` (a `&Value` binding) at `path` (a `&Path` binding).
    fn json_checks(&mut self, schema: &Schema, label: &str) -> Vec<TokenStream> {
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
