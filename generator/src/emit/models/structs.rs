//! Structs: fields with their serde mapping, defaults and docs, and their
//! decoders.

use proc_macro2::{Literal as TokenLiteral, TokenStream};
use quote::quote;

use super::decode_impls;
use crate::emit::rust::{docs, ident};
use crate::emit::typeref::{Imports, TypeWriter};
use crate::ir::{Field, Literal, Primitive, StructDef, TypeDef, TypeKind, TypeRef};
use crate::naming;

fn field_docs(field: &Field) -> Option<String> {
    let mut text = field.docs.clone().unwrap_or_default();
    let mut note = |line: &str| {
        if !text.is_empty() {
            text.push_str("\n\n");
        }
        text.push_str(line);
    };
    if field.read_only {
        note("Read-only: set by the server, ignored in requests.");
    }
    if field.write_only {
        note("Write-only: sent in requests, never returned.");
    }
    if field.explicit_null {
        note("`None` leaves the property out; `Some(None)` sends `null`.");
    }
    Some(text).filter(|t| !t.is_empty())
}

/// How a field holding a date-time is written, if the types crate's own
/// writer (`date_time.rs`) does it: `Some(false)` for `DateTime<Utc>`,
/// `Some(true)` for `Option<DateTime<Utc>>`.
pub fn date_time_writer(field: &Field) -> Option<bool> {
    let date_time = matches!(field.schema.ty, TypeRef::Primitive(Primitive::DateTime));
    (date_time && !field.boxed && !field.explicit_null).then(|| field.is_optional())
}

pub(super) fn struct_item(
    writer: &TypeWriter<'_>,
    def: &TypeDef,
    s: &StructDef,
    imports: &mut Imports,
) -> TokenStream {
    imports.add("serde::Serialize");
    let name = ident(&def.name);
    let type_docs = docs(def.docs.as_deref());
    let mut decoders = Vec::new();
    let fields: Vec<TokenStream> = s
        .fields
        .iter()
        .map(|field| {
            let field_ident = ident(&field.name.rust);
            let mut ty = writer.tokens(&field.schema, imports);
            if field.boxed {
                ty = quote! { Box<#ty> };
            }
            let mut attrs = Vec::new();
            let wire = &field.name.wire;
            if naming::bare(&field.name.rust) != *wire {
                attrs.push(quote! { rename = #wire });
            }
            let decoded = if let Some(literal) = field.applied_default() {
                // An absent value takes the spec's default, so the field is not an `Option`.
                let value = literal_tokens(writer, literal);
                quote! { object.or_default(#wire, || #value)? }
            } else if field.explicit_null {
                ty = quote! { Option<Option<#ty>> };
                attrs.push(quote! { skip_serializing_if = "Option::is_none" });
                quote! { object.explicit_null(#wire)? }
            } else if field.is_optional() {
                ty = quote! { Option<#ty> };
                if field.required && !field.one_way {
                    // Required but nullable: the key must be present, its value may be null.
                    quote! { object.required(#wire)? }
                } else {
                    attrs.push(quote! { skip_serializing_if = "Option::is_none" });
                    quote! { object.optional(#wire)? }
                }
            } else {
                quote! { object.required(#wire)? }
            };
            match date_time_writer(field) {
                Some(false) => {
                    attrs.push(quote! { serialize_with = "crate::date_time::serialize" })
                }
                Some(true) => {
                    attrs.push(quote! { serialize_with = "crate::date_time::serialize_option" })
                }
                None => {}
            }
            decoders.push(quote! { #field_ident: #decoded });
            let serde_attr = if attrs.is_empty() {
                quote! {}
            } else {
                quote! { #[serde(#(#attrs),*)] }
            };
            let deprecated = if field.deprecated {
                quote! { #[deprecated] }
            } else {
                quote! {}
            };
            let field_docs = docs(field_docs(field).as_deref());
            quote! {
                #field_docs
                #deprecated
                #serde_attr
                pub #field_ident: #ty,
            }
        })
        .collect();
    let additional = s.additional_properties.as_ref().map(|values| {
        imports.add("std::collections::BTreeMap");
        let values = writer.tokens(values, imports);
        decoders.push(quote! { additional_properties: object.rest()? });
        quote! {
            /// Properties beyond the declared ones.
            #[serde(flatten)]
            pub additional_properties: BTreeMap<String, #values>,
        }
    });
    let has_deprecated = s.fields.iter().any(|f| f.deprecated);
    let allow_deprecated = has_deprecated.then(|| quote! { #[allow(deprecated)] });
    let body = if decoders.is_empty() {
        quote! { decode::Object::new(value).map(|_| Self {}) }
    } else {
        quote! {
            let mut object = decode::Object::new(value)?;
            Ok(Self { #(#decoders),* })
        }
    };
    let decode = decode_impls(&name, body, allow_deprecated.clone(), imports);
    let (derive, debug) = if s.fields.iter().any(|field| field.sensitive) {
        let debug = redacting_debug(def, s, allow_deprecated.clone());
        (quote! { #[derive(Clone, PartialEq, Serialize)] }, debug)
    } else {
        (
            quote! { #[derive(Debug, Clone, PartialEq, Serialize)] },
            quote! {},
        )
    };
    quote! {
        #type_docs
        #allow_deprecated
        #derive
        pub struct #name {
            #(#fields)*
            #additional
        }
        #debug
        #decode
    }
}

/// `Debug` as derived, but with `"***"` for each secret field (`Some("***")`
/// when an optional one is set), so a value logged with `{:?}` shows no
/// password.
fn redacting_debug(
    def: &TypeDef,
    s: &StructDef,
    allow_deprecated: Option<TokenStream>,
) -> TokenStream {
    let name = ident(&def.name);
    let label = name.to_string();
    let entries = s.fields.iter().map(|field| {
        let field_ident = ident(&field.name.rust);
        let field_label = naming::bare(&field.name.rust);
        let value = match (field.sensitive, field.explicit_null, field.is_optional()) {
            (false, _, _) => quote! { &self.#field_ident },
            (true, true, _) => {
                quote! { &self.#field_ident.as_ref().map(|value| value.as_ref().map(|_| "***")) }
            }
            (true, false, true) => quote! { &self.#field_ident.as_ref().map(|_| "***") },
            (true, false, false) => quote! { &"***" },
        };
        quote! { .field(#field_label, #value) }
    });
    let additional = s.additional_properties.as_ref().map(|_| {
        quote! { .field("additional_properties", &self.additional_properties) }
    });
    quote! {
        #allow_deprecated
        impl std::fmt::Debug for #name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(#label)
                    #(#entries)*
                    #additional
                    .finish()
            }
        }
    }
}

fn literal_tokens(writer: &TypeWriter<'_>, literal: &Literal) -> TokenStream {
    match literal {
        Literal::Bool(b) => quote! { #b },
        Literal::Integer(i) => {
            let lit = TokenLiteral::i64_unsuffixed(*i);
            quote! { #lit }
        }
        Literal::Float(f) => {
            let lit = TokenLiteral::f64_unsuffixed(*f);
            quote! { #lit }
        }
        Literal::String(s) => quote! { #s.to_string() },
        Literal::Variant(id, index) => {
            let def = writer.api.type_def(*id);
            let type_name = ident(&def.name);
            let variant = match &def.kind {
                TypeKind::Enum(e) => ident(&e.variants[*index].rust),
                _ => unreachable!("variant literals name enums"),
            };
            quote! { #type_name::#variant }
        }
    }
}
