//! Enums: closed ones for requests, open ones (with `Unknown`) for responses.

use proc_macro2::TokenStream;
use quote::quote;

use super::docs_with_note;
use super::integer_enums::integer_enum_item;
use crate::emit::rust::{docs, ident};
use crate::emit::typeref::Imports;
use crate::ir::{EnumDef, TypeDef, TypeKind};

pub(super) fn enum_item(def: &TypeDef, e: &EnumDef, imports: &mut Imports) -> TokenStream {
    if e.integer {
        return integer_enum_item(def, e, imports);
    }
    let name = ident(&def.name);
    let type_docs = docs(def.docs.as_deref());
    let variants: Vec<_> = e.variants.iter().map(|v| ident(&v.rust)).collect();
    let wires: Vec<&str> = e.variants.iter().map(|v| v.wire.as_str()).collect();
    let variant_docs: Vec<String> = wires.iter().map(|wire| format!(" `{wire}`")).collect();
    imports.add("crate::enums");
    if e.open {
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

            enums::impl_open!(#name);
        }
    } else {
        imports.add("std::str::FromStr");
        let type_name = &def.name;
        quote! {
            #type_docs
            #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
            pub enum #name {
                #( #[doc = #variant_docs] #variants, )*
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

            enums::impl_closed!(#name);
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

/// Whether any string enum is open (`open`) or closed, and so needs that
/// half of the types crate's `enums.rs`.
pub fn has_string_enum(api: &crate::ir::Api, open: bool) -> bool {
    api.types
        .iter()
        .any(|d| matches!(&d.kind, TypeKind::Enum(e) if !e.integer && e.open == open))
}

/// Whether any closed enum exists (and so `ParseEnumError` is needed).
pub fn has_closed_enum(api: &crate::ir::Api) -> bool {
    api.types
        .iter()
        .any(|d| matches!(&d.kind, TypeKind::Enum(e) if !e.open))
}
