//! Unions: tagged by a discriminator, or untagged.

use proc_macro2::TokenStream;
use quote::quote;

use super::docs_with_note;
use crate::emit::rust::ident;
use crate::emit::typeref::{Imports, TypeWriter};
use crate::ir::{Schema, TypeDef, TypeKind, TypeRef, UnionDef};

pub(super) fn union_item(
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
        let declared: Vec<Option<Vec<&str>>> = u
            .variants
            .iter()
            .map(|v| declared_properties(writer, &v.schema))
            .collect();
        // Two or more objects can fit one value: the one declaring all its
        // properties is the one that keeps them.
        if declared.iter().filter(|d| d.is_some()).count() < 2 {
            let type_docs = docs_with_note(def, "Decoded as the first variant the value fits.");
            return quote! {
                #type_docs
                #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
                #[serde(untagged)]
                pub enum #name {
                    #( #variant_names(#variant_types), )*
                }
            };
        }
        imports.add("serde::Deserializer");
        imports.add("serde::de::Error as _");
        let attempts =
            u.variants
                .iter()
                .zip(&variant_names)
                .zip(&declared)
                .map(|((v, variant), declared)| {
                    let declared = match declared {
                        Some(names) => quote! { Some(&[#(#names),*]) },
                        None => quote! { None },
                    };
                    let wrap = if v.boxed {
                        quote! { |value| Self::#variant(Box::new(value)) }
                    } else {
                        quote! { Self::#variant }
                    };
                    quote! { (#declared, |value| serde_json::from_value(value).ok().map(#wrap)), }
                });
        let type_docs = docs_with_note(
            def,
            "Decoded as the first variant that declares every property the value has, else as the first it fits.",
        );
        let message = format!("the value fits no variant of `{}`", def.name);
        return quote! {
            #type_docs
            #[derive(Debug, Clone, PartialEq, Serialize)]
            #[serde(untagged)]
            pub enum #name {
                #( #variant_names(#variant_types), )*
            }

            impl<'de> Deserialize<'de> for #name {
                fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                    let value = serde_json::Value::deserialize(deserializer)?;
                    crate::validation::best_fit(value, &[#(#attempts)*])
                        .ok_or_else(|| D::Error::custom(#message))
                }
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

/// The wire names of an object variant's properties, or `None` for a
/// variant that is not an object or takes any property.
fn declared_properties<'a>(writer: &TypeWriter<'a>, schema: &Schema) -> Option<Vec<&'a str>> {
    let TypeRef::Named(id) = schema.ty else {
        return None;
    };
    match &writer.api.type_def(id).kind {
        TypeKind::Struct(def) if def.additional_properties.is_none() => {
            Some(def.fields.iter().map(|f| f.name.wire.as_str()).collect())
        }
        _ => None,
    }
}
