//! Model types: structs, enums and unions with their serde mapping.

use proc_macro2::{Literal as TokenLiteral, TokenStream};
use quote::{format_ident, quote};

use super::form;
use super::rust::{docs, ident};
use super::typeref::{Imports, TypeWriter};
use super::validation::ValidationWriter;
use crate::ir::{EnumDef, Field, Literal, StructDef, TypeDef, TypeId, TypeKind, UnionDef};
use crate::naming;

/// The items of one module (`models` or `params`), with their imports.
pub fn module_items(writer: &TypeWriter<'_>, imports: &mut Imports) -> TokenStream {
    let mut validation = ValidationWriter::new(writer);
    let form_types = form::form_types(writer.api);
    let items: Vec<TokenStream> = writer
        .api
        .types
        .iter()
        .enumerate()
        .filter(|(_, def)| def.group == writer.module)
        .map(|(index, def)| {
            let id = TypeId(index);
            let item = match &def.kind {
                TypeKind::Struct(s) => struct_item(writer, def, s, imports),
                TypeKind::Enum(e) => enum_item(def, e, imports),
                TypeKind::Union(u) => union_item(writer, def, u, imports),
            };
            let validate = validation.validate_impl(def, imports);
            let from_json = validation.json_check_impl(def, imports);
            let form_shape = form_types
                .contains(&id)
                .then(|| form::form_shape_impl(writer.api, def, imports));
            quote! { #item #validate #from_json #form_shape }
        })
        .collect();
    let patterns = validation.finish(imports);
    quote! { #(#items)* #patterns }
}

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

fn struct_item(
    writer: &TypeWriter<'_>,
    def: &TypeDef,
    s: &StructDef,
    imports: &mut Imports,
) -> TokenStream {
    imports.add("serde::Deserialize");
    imports.add("serde::Serialize");
    let name = ident(&def.name);
    let type_docs = docs(def.docs.as_deref());
    let mut default_fns = Vec::new();
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
            if naming::bare(&field.name.rust) != field.name.wire {
                let wire = &field.name.wire;
                attrs.push(quote! { rename = #wire });
            }
            if let Some(literal) = field.applied_default() {
                // An absent value takes the spec's default, so the field is not an `Option`.
                let fn_name = format_ident!("default_{}", naming::bare(&field.name.rust));
                let path = format!("{}::{}", def.name, fn_name);
                attrs.push(quote! { default = #path });
                let value = literal_tokens(writer, literal);
                default_fns.push(quote! { fn #fn_name() -> #ty { #value } });
            } else if field.explicit_null {
                ty = quote! { Option<Option<#ty>> };
                attrs.push(quote! {
                    default,
                    deserialize_with = "crate::validation::explicit_null",
                    skip_serializing_if = "Option::is_none"
                });
            } else if field.is_optional() {
                ty = quote! { Option<#ty> };
                if field.required && !field.one_way {
                    // Required but nullable: the key must be present, its value may be null.
                    attrs.push(quote! { deserialize_with = "Option::deserialize" });
                } else {
                    attrs.push(quote! { default, skip_serializing_if = "Option::is_none" });
                }
            }
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
        quote! {
            /// Properties beyond the declared ones.
            #[serde(flatten)]
            pub additional_properties: BTreeMap<String, #values>,
        }
    });
    let defaults = (!default_fns.is_empty()).then(|| {
        quote! {
            impl #name {
                #(#default_fns)*
            }
        }
    });
    let has_deprecated = s.fields.iter().any(|f| f.deprecated);
    let allow_deprecated = has_deprecated.then(|| quote! { #[allow(deprecated)] });
    quote! {
        #type_docs
        #allow_deprecated
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        pub struct #name {
            #(#fields)*
            #additional
        }
        #defaults
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

fn enum_item(def: &TypeDef, e: &EnumDef, imports: &mut Imports) -> TokenStream {
    imports.add("std::fmt");
    imports.add("std::str::FromStr");
    let name = ident(&def.name);
    let type_docs = docs(def.docs.as_deref());
    let variants: Vec<_> = e.variants.iter().map(|v| ident(&v.rust)).collect();
    let wires: Vec<&str> = e.variants.iter().map(|v| v.wire.as_str()).collect();
    let variant_docs: Vec<String> = wires.iter().map(|wire| format!(" `{wire}`")).collect();
    let display = quote! {
        impl fmt::Display for #name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
    if e.open {
        imports.add("serde::Deserialize");
        imports.add("serde::Deserializer");
        imports.add("serde::Serialize");
        imports.add("serde::Serializer");
        imports.add("std::convert::Infallible");
        let type_docs = docs_with_note(
            def,
            "Values this version does not know decode as `Unknown`, so a server\nadding a value does not break older clients.",
        );
        quote! {
            #type_docs
            #[derive(Debug, Clone, PartialEq, Eq, Hash)]
            pub enum #name {
                #( #[doc = #variant_docs] #variants, )*
                /// A value not listed in the spec.
                Unknown(String),
            }

            impl #name {
                /// Every value the spec lists.
                pub const KNOWN: &[Self] = &[#(Self::#variants),*];

                /// The value as it appears on the wire.
                pub fn as_str(&self) -> &str {
                    match self {
                        #( Self::#variants => #wires, )*
                        Self::Unknown(value) => value,
                    }
                }
            }

            impl From<String> for #name {
                fn from(value: String) -> Self {
                    match value.as_str() {
                        #( #wires => Self::#variants, )*
                        _ => Self::Unknown(value),
                    }
                }
            }

            impl FromStr for #name {
                type Err = Infallible;

                fn from_str(value: &str) -> Result<Self, Self::Err> {
                    Ok(Self::from(value.to_string()))
                }
            }

            #display

            impl Serialize for #name {
                fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                    serializer.serialize_str(self.as_str())
                }
            }

            impl<'de> Deserialize<'de> for #name {
                fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                    String::deserialize(deserializer).map(Self::from)
                }
            }
        }
    } else {
        imports.add("serde::Deserialize");
        imports.add("serde::Serialize");
        let type_name = &def.name;
        quote! {
            #type_docs
            #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
            pub enum #name {
                #( #[doc = #variant_docs] #[serde(rename = #wires)] #variants, )*
            }

            impl #name {
                /// Every value, in the order the spec lists them.
                pub const ALL: &[Self] = &[#(Self::#variants),*];

                /// The value as it appears on the wire.
                pub fn as_str(&self) -> &'static str {
                    match self {
                        #( Self::#variants => #wires, )*
                    }
                }
            }

            impl FromStr for #name {
                type Err = ParseEnumError;

                fn from_str(value: &str) -> Result<Self, Self::Err> {
                    match value {
                        #( #wires => Ok(Self::#variants), )*
                        _ => Err(ParseEnumError::new(#type_name, value)),
                    }
                }
            }

            #display
        }
    }
}

/// The type's own docs followed by a note on its behaviour.
fn docs_with_note(def: &TypeDef, note: &str) -> TokenStream {
    let text = match &def.docs {
        Some(own) => format!("{own}\n\n{note}"),
        None => note.to_string(),
    };
    docs(Some(&text))
}

fn union_item(
    writer: &TypeWriter<'_>,
    def: &TypeDef,
    u: &UnionDef,
    imports: &mut Imports,
) -> TokenStream {
    imports.add("serde::Serialize");
    let name = ident(&def.name);
    let variant_names: Vec<_> = u.variants.iter().map(|v| ident(&v.name)).collect();
    let variant_types: Vec<TokenStream> = u
        .variants
        .iter()
        .map(|v| {
            let ty = writer.tokens(&v.schema, imports);
            if v.boxed {
                quote! { Box<#ty> }
            } else {
                ty
            }
        })
        .collect();
    let Some(property) = &u.discriminator else {
        imports.add("serde::Deserialize");
        let type_docs = docs_with_note(def, "Decoded as the first variant the value fits.");
        return quote! {
            #type_docs
            #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
            #[serde(untagged)]
            pub enum #name {
                #( #variant_names(#variant_types), )*
            }
        };
    };
    imports.add("serde::Deserialize");
    imports.add("serde::Deserializer");
    imports.add("serde::de::Error as _");
    let arms = u
        .variants
        .iter()
        .zip(&variant_names)
        .filter(|(v, _)| !v.tags.is_empty())
        .map(|(v, variant)| {
            let tags = &v.tags;
            let wrap = if v.boxed {
                quote! { |value| Self::#variant(Box::new(value)) }
            } else {
                quote! { Self::#variant }
            };
            quote! { #( #tags )|* => serde_json::from_value(value).map(#wrap).map_err(D::Error::custom), }
        });
    let all_tags: Vec<&String> = u.variants.iter().flat_map(|v| &v.tags).collect();
    let type_docs = docs_with_note(
        def,
        &format!("The variant is chosen by the `{property}` property."),
    );
    quote! {
        #type_docs
        #[derive(Debug, Clone, PartialEq, Serialize)]
        #[serde(untagged)]
        pub enum #name {
            #( #variant_names(#variant_types), )*
        }

        impl<'de> Deserialize<'de> for #name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = serde_json::Value::deserialize(deserializer)?;
                let tag = value
                    .get(#property)
                    .and_then(serde_json::Value::as_str)
                    .ok_or_else(|| D::Error::missing_field(#property))?
                    .to_string();
                match tag.as_str() {
                    #(#arms)*
                    other => Err(D::Error::unknown_variant(other, &[#(#all_tags),*])),
                }
            }
        }
    }
}

/// The error `FromStr` gives for a closed enum; emitted once in `models`.
pub fn parse_enum_error() -> TokenStream {
    quote! {
        /// A string that is not one of an enum's values.
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct ParseEnumError {
            type_name: &'static str,
            value: String,
        }

        impl ParseEnumError {
            pub(crate) fn new(type_name: &'static str, value: &str) -> Self {
                Self {
                    type_name,
                    value: value.to_string(),
                }
            }

            /// The string that was not recognised.
            pub fn value(&self) -> &str {
                &self.value
            }
        }

        impl std::fmt::Display for ParseEnumError {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "`{}` is not a valid {}", self.value, self.type_name)
            }
        }

        impl std::error::Error for ParseEnumError {}
    }
}

/// Whether any closed enum exists (and so `ParseEnumError` is needed).
pub fn has_closed_enum(api: &crate::ir::Api) -> bool {
    api.types
        .iter()
        .any(|d| matches!(&d.kind, TypeKind::Enum(e) if !e.open))
}
