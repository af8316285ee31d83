//! `FromJson` impls: checks of untrusted JSON against the schema.
//!
//! They check what serde needs (types, required properties, enum values,
//! formats, the union variant) and the spec's rules, reporting everything at
//! once, so a request body gets one complete list of what is wrong with it.

use proc_macro2::TokenStream;
use quote::quote;

use super::rules::number_checks;
use super::{PathExpr, ValidationWriter, Value};
use crate::emit::rust::ident;
use crate::emit::typeref::Imports;
use crate::ir::{Field, Primitive, Schema, StructDef, TypeDef, TypeKind, TypeRef, UnionDef};

impl ValidationWriter {
    pub fn json_check_impl(&mut self, def: &TypeDef, imports: &mut Imports) -> TokenStream {
        imports.add("crate::validation::FromJson");
        imports.add("crate::validation::json");
        imports.add("serde_json::Value");
        let name = ident(&def.name);
        let body = match &def.kind {
            TypeKind::Struct(s) => self.struct_checks(def, s, imports),
            // Strict even for open enums: JSON checked here is a request,
            // and a request may only send the values the spec lists.
            TypeKind::Enum(e) if e.integer => {
                self.uses_rules = true;
                let wires = e.variants.iter().map(|v| v.wire.as_str());
                vec![quote! {
                    if let Some(value) = json::integer(value, path, errors) {
                        rules::enumeration(path, &value.to_string(), &[#(#wires),*], errors);
                    }
                }]
            }
            TypeKind::Enum(e) => {
                self.uses_rules = true;
                let wires = e.variants.iter().map(|v| v.wire.as_str());
                vec![quote! {
                    if let Some(value) = json::string(value, path, errors) {
                        rules::enumeration(path, value, &[#(#wires),*], errors);
                    }
                }]
            }
            TypeKind::Union(u) => self.union_checks(def, u, imports),
        };
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

    fn struct_checks(
        &mut self,
        def: &TypeDef,
        s: &StructDef,
        imports: &mut Imports,
    ) -> Vec<TokenStream> {
        let mut statements = vec![quote! {
            let Some(object) = json::object(value, path, errors) else {
                return;
            };
        }];
        for field in &s.fields {
            statements.extend(self.property_checks(def, field, imports));
        }
        if let Some(values) = &s.additional_properties {
            let label = format!("{}_additional", def.name);
            let inner = self.json_checks(values, &label, imports);
            if !inner.is_empty() {
                let declared = s.fields.iter().map(|f| f.name.wire.as_str());
                let skip_declared = (!s.fields.is_empty()).then(|| {
                    quote! {
                        if matches!(key.as_str(), #(#declared)|*) {
                            continue;
                        }
                    }
                });
                statements.push(quote! {
                    for (key, value) in object {
                        #skip_declared
                        let path = &path.key(key);
                        #(#inner)*
                    }
                });
            }
        }
        if statements.len() == 1 {
            // Only the object check: its binding is not needed.
            return vec![quote! { json::object(value, path, errors); }];
        }
        statements
    }

    fn property_checks(
        &mut self,
        def: &TypeDef,
        field: &Field,
        imports: &mut Imports,
    ) -> Option<TokenStream> {
        let wire = &field.name.wire;
        let label = format!("{}_{}", def.name, crate::naming::bare(&field.name.rust));
        // Null is dealt with by the property lookup. Incoming JSON is a
        // request: a required write-only property is required here, a
        // read-only one the server sets is not.
        let inner = self.json_checks_non_null(&field.schema, &label, imports);
        let required = field.required_in_requests();
        // A schema without a type takes any value, `null` too (`nullable`
        // only means something beside a `type`).
        let nullable = field.schema.nullable || matches!(field.schema.ty, TypeRef::Any);
        // A property its default fills is optional here: absent is fine, null is not.
        let lookup = if !required && nullable {
            if inner.is_empty() {
                // Absent, null or anything at all: nothing to check.
                return None;
            }
            quote! { json::optional_nullable(object, #wire, path) }
        } else if !required {
            quote! { json::optional(object, #wire, path, errors) }
        } else if nullable {
            quote! { json::required_nullable(object, #wire, path, errors) }
        } else {
            quote! { json::required(object, #wire, path, errors) }
        };
        if inner.is_empty() {
            return Some(quote! { #lookup; });
        }
        Some(quote! {
            if let Some((value, ref path)) = #lookup {
                #(#inner)*
            }
        })
    }

    fn union_checks(
        &mut self,
        def: &TypeDef,
        u: &UnionDef,
        imports: &mut Imports,
    ) -> Vec<TokenStream> {
        if let Some(property) = &u.discriminator {
            self.uses_rules = true;
            let arms = u
                .variants
                .iter()
                .filter(|v| !v.tags.is_empty())
                .map(|variant| {
                    let tags = &variant.tags;
                    let call = self.json_checks(&variant.schema, &def.name, imports);
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
                self.json_checks(&variant.schema, &label, imports)
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
    fn json_checks(
        &mut self,
        schema: &Schema,
        label: &str,
        imports: &mut Imports,
    ) -> Vec<TokenStream> {
        let checks = self.json_checks_non_null(schema, label, imports);
        if schema.nullable && !checks.is_empty() {
            return vec![quote! {
                if !value.is_null() {
                    #(#checks)*
                }
            }];
        }
        checks
    }

    fn json_checks_non_null(
        &mut self,
        schema: &Schema,
        label: &str,
        imports: &mut Imports,
    ) -> Vec<TokenStream> {
        let path = PathExpr::Var;
        let rules = &schema.rules;
        match &schema.ty {
            TypeRef::Any => Vec::new(),
            TypeRef::Named(id) => {
                let name = ident(&self.type_names[id.0]);
                vec![quote! { #name::check_json(value, path, errors); }]
            }
            TypeRef::Primitive(Primitive::String) => {
                let mut inner = Vec::new();
                self.string_checks(
                    rules,
                    &Value::Ref(quote! { value }),
                    &path.arg(),
                    label,
                    &mut inner,
                );
                if !inner.is_empty() {
                    self.uses_rules = true;
                }
                guarded(quote! { json::string(value, path, errors) }, inner)
            }
            TypeRef::Primitive(p @ (Primitive::DateTime | Primitive::Date | Primitive::Uuid)) => {
                self.uses_rules = true;
                let (ty, format) = match p {
                    Primitive::DateTime => {
                        imports.add("chrono::DateTime");
                        imports.add("chrono::Utc");
                        (quote! { DateTime<Utc> }, "date-time")
                    }
                    Primitive::Date => {
                        imports.add("chrono::NaiveDate");
                        (quote! { NaiveDate }, "date")
                    }
                    _ => {
                        imports.add("uuid::Uuid");
                        (quote! { Uuid }, "uuid")
                    }
                };
                let check =
                    quote! { rules::format(path, value.parse::<#ty>().is_ok(), #format, errors); };
                guarded(quote! { json::string(value, path, errors) }, vec![check])
            }
            TypeRef::Primitive(Primitive::Boolean) => {
                vec![quote! { json::boolean(value, path, errors); }]
            }
            TypeRef::Primitive(Primitive::Binary) => {
                vec![quote! { json::bytes(value, path, errors); }]
            }
            TypeRef::Primitive(p) => {
                let (reader, as_primitive) = match p {
                    Primitive::I32 => (quote! { json::int32 }, Primitive::I64),
                    Primitive::I64 => (quote! { json::integer }, Primitive::I64),
                    _ => (quote! { json::number }, Primitive::F64),
                };
                let mut inner = Vec::new();
                number_checks(
                    as_primitive,
                    rules,
                    &Value::Place(quote! { value }),
                    &path.arg(),
                    &mut inner,
                );
                if !inner.is_empty() {
                    self.uses_rules = true;
                }
                guarded(quote! { #reader(value, path, errors) }, inner)
            }
            TypeRef::Array(items) => {
                let mut inner = Vec::new();
                let count = |n: Option<usize>| n.map(proc_macro2::Literal::usize_unsuffixed);
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
                let item_checks = self.json_checks(items, &format!("{label}_item"), imports);
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
                let count = |n: Option<usize>| n.map(proc_macro2::Literal::usize_unsuffixed);
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
                entry_checks.extend(self.json_checks(values, &format!("{label}_value"), imports));
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
