//! Unions: tagged by a discriminator, or untagged.

use proc_macro2::TokenStream;
use quote::quote;

use super::{decode_impls, docs_with_note};
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
    let decoders: Vec<TokenStream> = u
        .variants
        .iter()
        .zip(&variant_names)
        .map(|(v, variant)| {
            let ty = writer.call_path(&v.schema, imports);
            let wrap = if v.boxed {
                quote! { |value| Self::#variant(Box::new(value)) }
            } else {
                quote! { Self::#variant }
            };
            quote! { #ty::decode(value).map(#wrap) }
        })
        .collect();
    let (note, body) = match &u.discriminator {
        Some(property) => {
            let arms = u
                .variants
                .iter()
                .zip(&decoders)
                .filter(|(v, _)| !v.tags.is_empty())
                .map(|(v, decoder)| {
                    let tags = &v.tags;
                    quote! { #( #tags )|* => #decoder, }
                });
            let all_tags: Vec<&String> = u.variants.iter().flat_map(|v| &v.tags).collect();
            let body = quote! {
                match decode::tag(&value, #property)?.as_str() {
                    #(#arms)*
                    other => Err(decode::unknown_tag(other, &[#(#all_tags),*])),
                }
            };
            (
                format!("The variant is chosen by the `{property}` property."),
                body,
            )
        }
        None => {
            let declared: Vec<Option<Vec<&str>>> = u
                .variants
                .iter()
                .map(|v| declared_properties(writer, &v.schema))
                .collect();
            // Two or more objects can fit one value: the one declaring all
            // its properties is the one that keeps them.
            let by_properties = declared.iter().filter(|d| d.is_some()).count() >= 2;
            let attempts = decoders.iter().zip(&declared).map(|(decoder, declared)| {
                let declared = match declared {
                    Some(names) if by_properties => quote! { Some(&[#(#names),*]) },
                    _ => quote! { None },
                };
                quote! { (#declared, |value| #decoder.ok()), }
            });
            let message = format!("the value fits no variant of `{}`", def.name);
            let body = quote! {
                decode::best_fit(value, &[#(#attempts)*]).ok_or_else(|| DecodeError::new(#message))
            };
            let note = if by_properties {
                "Decoded as the first variant that declares every property the value has, else as the first it fits."
            } else {
                "Decoded as the first variant the value fits."
            };
            (note.to_string(), body)
        }
    };
    let type_docs = docs_with_note(def, &note);
    let decode = decode_impls(&name, body, None, imports);
    quote! {
        #type_docs
        #[derive(Debug, Clone, PartialEq, Serialize)]
        #[serde(untagged)]
        pub enum #name {
            #( #variant_names(#variant_types), )*
        }

        #decode
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
