//! `FormShape` for the structs (and unions of structs) a form body can
//! reach: which JSON type each field's form text becomes (see
//! `templates/types/form.rs`).

use std::collections::BTreeSet;

use proc_macro2::TokenStream;
use quote::quote;

use super::rust::ident;
use super::typeref::Imports;
use crate::ir::{
    Api, BodyEncoding, Primitive, Schema, TypeDef, TypeId, TypeKind, TypeRef, UnionDef,
};

/// The structs of form and multipart bodies (whose text parts are typed
/// the same way) and every struct inside them.
pub fn form_types(api: &Api) -> BTreeSet<TypeId> {
    let mut found = BTreeSet::new();
    let bodies = api
        .operations
        .iter()
        .filter_map(|o| o.request_body.as_ref())
        .flat_map(|body| &body.contents)
        .filter(|content| {
            matches!(
                content.encoding,
                BodyEncoding::Form | BodyEncoding::Multipart
            )
        });
    for content in bodies {
        reach(api, &content.schema, &mut found);
    }
    found
}

fn reach(api: &Api, schema: &Schema, found: &mut BTreeSet<TypeId>) {
    match &schema.ty {
        TypeRef::Named(id) => {
            if let Some(variants) = api.struct_variants(*id) {
                if found.insert(*id) {
                    for variant in variants {
                        reach(api, &Schema::of(TypeRef::Named(variant)), found);
                    }
                }
                return;
            }
            if let TypeKind::Struct(def) = &api.type_def(*id).kind {
                if found.insert(*id) {
                    for field in &def.fields {
                        reach(api, &field.schema, found);
                    }
                    if let Some(rest) = &def.additional_properties {
                        reach(api, rest, found);
                    }
                }
            }
        }
        TypeRef::Array(items) | TypeRef::Map(items) => reach(api, items, found),
        TypeRef::Primitive(_) | TypeRef::Any => {}
    }
}

/// `impl FormShape for <def>`, for a struct in [`form_types`].
pub fn form_shape_impl(api: &Api, def: &TypeDef, imports: &mut Imports) -> TokenStream {
    if let TypeKind::Union(union) = &def.kind {
        return union_shape_impl(api, def, union, imports);
    }
    let TypeKind::Struct(s) = &def.kind else {
        return TokenStream::new();
    };
    imports.add("crate::form");
    imports.add("crate::form::FormShape");
    imports.add("serde_json::Value");
    let name = ident(&def.name);
    let fields = s.fields.iter().map(|field| {
        let wire = &field.name.wire;
        let shape = shape(api, &field.schema);
        quote! { (#wire, <#shape as FormShape>::coerce) }
    });
    let rest = match &s.additional_properties {
        Some(values) => {
            let shape = shape(api, values);
            quote! { Some(<#shape as FormShape>::coerce) }
        }
        None => quote! { None },
    };
    quote! {
        impl FormShape for #name {
            fn coerce(value: &mut Value) {
                form::object(value, &[#(#fields),*], #rest);
            }
        }
    }
}

/// A union of structs: the first variant whose coercion makes the value fit.
fn union_shape_impl(
    api: &Api,
    def: &TypeDef,
    union: &UnionDef,
    imports: &mut Imports,
) -> TokenStream {
    imports.add("crate::form");
    imports.add("crate::form::FormShape");
    imports.add("serde_json::Value");
    let name = ident(&def.name);
    let variants = union.variants.iter().map(|variant| {
        let shape = shape(api, &variant.schema);
        quote! { (<#shape as FormShape>::coerce, form::fits::<#shape>) }
    });
    quote! {
        impl FormShape for #name {
            fn coerce(value: &mut Value) {
                form::first_fit(value, &[#(#variants),*]);
            }
        }
    }
}

/// The `FormShape` type that coerces values of `schema`, named from inside the types crate.
fn shape(api: &Api, schema: &Schema) -> TokenStream {
    shape_from(api, schema, &quote! {})
}

/// The same, named from a crate that has the types crate as `types`.
pub fn shape_outside(api: &Api, schema: &Schema) -> TokenStream {
    shape_from(api, schema, &quote! { types:: })
}

/// The `FormShape` type of `schema`, with `types` before paths into the types crate.
fn shape_from(api: &Api, schema: &Schema, types: &TokenStream) -> TokenStream {
    match &schema.ty {
        TypeRef::Primitive(p) if p.is_integer() => quote! { #types form::Integer },
        TypeRef::Named(id) if matches!(&api.type_def(*id).kind, TypeKind::Enum(e) if e.integer) => {
            quote! { #types form::Integer }
        }
        TypeRef::Primitive(Primitive::F32 | Primitive::F64) => quote! { #types form::Number },
        TypeRef::Primitive(Primitive::Boolean) => quote! { #types form::Boolean },
        TypeRef::Array(items) => {
            let items = shape_from(api, items, types);
            quote! { Vec<#items> }
        }
        TypeRef::Map(values) => {
            let values = shape_from(api, values, types);
            quote! { std::collections::BTreeMap<String, #values> }
        }
        TypeRef::Named(id)
            if matches!(api.type_def(*id).kind, TypeKind::Struct(_))
                || api.struct_variants(*id).is_some() =>
        {
            let name = ident(&api.type_def(*id).name);
            quote! { #types #name }
        }
        // Strings, enums, unions and free-form values stay text.
        TypeRef::Primitive(_) | TypeRef::Named(_) | TypeRef::Any => quote! { #types form::Text },
    }
}
