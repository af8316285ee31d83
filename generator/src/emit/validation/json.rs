//! The `check_json` of each type: what serde needs (types, required
//! properties, enum values, formats, the union variant) and the spec's rules,
//! reporting everything at once, so a request body gets one complete list of
//! what is wrong with it.

use proc_macro2::TokenStream;
use quote::quote;

use super::ValidationWriter;
use crate::emit::rust::ident;
use crate::emit::typeref::{Imports, TypeWriter};
use crate::ir::{Field, StructDef, TypeDef, TypeKind, TypeRef, UnionDef};

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
}
