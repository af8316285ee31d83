//! Unions: tagged by a discriminator, or untagged.

use proc_macro2::TokenStream;
use quote::quote;

use super::docs_with_note;
use crate::emit::rust::ident;
use crate::emit::typeref::{Imports, TypeWriter};
use crate::ir::{TypeDef, UnionDef};

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
