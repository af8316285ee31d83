//! Integer enums (`type: integer, enum: [1, 2]`): Rust enums that read and
//! write their numbers, closed for requests, open (`Unknown(i64)`) for
//! responses, like string enums.

use proc_macro2::{Literal as TokenLiteral, TokenStream};
use quote::quote;

use super::docs_with_note;
use crate::emit::rust::{docs, ident};
use crate::emit::typeref::Imports;
use crate::ir::{EnumDef, TypeDef};

pub(super) fn integer_enum_item(def: &TypeDef, e: &EnumDef, imports: &mut Imports) -> TokenStream {
    for path in [
        "std::fmt",
        "std::str::FromStr",
        "serde::Deserialize",
        "serde::Deserializer",
        "serde::Serialize",
        "serde::Serializer",
        "crate::decode::Decode",
    ] {
        imports.add(path);
    }
    let name = ident(&def.name);
    let variants: Vec<_> = e.variants.iter().map(|v| ident(&v.rust)).collect();
    let values: Vec<TokenLiteral> = e
        .variants
        .iter()
        .map(|v| TokenLiteral::i64_unsuffixed(v.wire.parse().unwrap_or_default()))
        .collect();
    let variant_docs: Vec<String> = e
        .variants
        .iter()
        .map(|v| format!(" `{}`", v.wire))
        .collect();
    let common = quote! {
        impl fmt::Display for #name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.value())
            }
        }

        impl Serialize for #name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_i64(self.value())
            }
        }

        // One JSON number: the trait's serde default decodes it.
        impl Decode for #name {}
    };
    if e.open {
        let type_docs = docs_with_note(
            def,
            "Values this version does not know decode as `Unknown`, so a server\nadding a value does not break older clients.",
        );
        return quote! {
            #type_docs
            #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
            pub enum #name {
                #( #[doc = #variant_docs] #variants, )*
                /// A value not listed in the spec.
                Unknown(i64),
            }

            impl #name {
                /// Every value the spec lists.
                pub const KNOWN: &[Self] = &[#(Self::#variants),*];

                /// The value as it appears on the wire.
                pub fn value(self) -> i64 {
                    match self {
                        #( Self::#variants => #values, )*
                        Self::Unknown(value) => value,
                    }
                }
            }

            impl From<i64> for #name {
                fn from(value: i64) -> Self {
                    match value {
                        #( #values => Self::#variants, )*
                        _ => Self::Unknown(value),
                    }
                }
            }

            impl FromStr for #name {
                type Err = std::num::ParseIntError;

                fn from_str(value: &str) -> Result<Self, Self::Err> {
                    value.parse::<i64>().map(Self::from)
                }
            }

            #common

            impl<'de> Deserialize<'de> for #name {
                fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                    i64::deserialize(deserializer).map(Self::from)
                }
            }
        };
    }
    let type_docs = docs(def.docs.as_deref());
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
            pub fn value(self) -> i64 {
                match self {
                    #( Self::#variants => #values, )*
                }
            }
        }

        impl TryFrom<i64> for #name {
            type Error = ParseEnumError;

            fn try_from(value: i64) -> Result<Self, Self::Error> {
                match value {
                    #( #values => Ok(Self::#variants), )*
                    _ => Err(ParseEnumError::new(#type_name, &value.to_string())),
                }
            }
        }

        impl FromStr for #name {
            type Err = ParseEnumError;

            fn from_str(value: &str) -> Result<Self, Self::Err> {
                value
                    .trim()
                    .parse::<i64>()
                    .ok()
                    .and_then(|number| Self::try_from(number).ok())
                    .ok_or_else(|| ParseEnumError::new(#type_name, value))
            }
        }

        #common

        impl<'de> Deserialize<'de> for #name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = i64::deserialize(deserializer)?;
                Self::try_from(value).map_err(serde::de::Error::custom)
            }
        }
    }
}
