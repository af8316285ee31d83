//! `errors.rs` of the client: for each operation, the errors it declares
//! (and those the generated server layer gives), decoded by status; and,
//! where an operation's successes differ in shape, an enum of them.

use std::collections::HashMap;

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::methods::error_name;
use super::plan::Plan;
use crate::emit::rust::{large_variant_allowance, module_docs};
use crate::emit::shape;

pub fn module(plans: &[Plan<'_>]) -> TokenStream {
    // Operations that answer the same errors share one enum: the first
    // declares it, the others name it by an alias of their own.
    let enums: Vec<(Ident, TokenStream)> = plans
        .iter()
        .map(|plan| {
            let name = error_name(plan.operation);
            let item = error_enum(plan, &name);
            (name, item)
        })
        .collect();
    let shapes: Vec<String> = enums
        .iter()
        .map(|(name, item)| shape::without_name(item, &name.to_string()))
        .collect();
    let mut sharing: HashMap<&str, usize> = HashMap::new();
    for shape in &shapes {
        *sharing.entry(shape).or_default() += 1;
    }
    let mut declared: HashMap<&str, &Ident> = HashMap::new();
    let items: Vec<TokenStream> = plans
        .iter()
        .zip(&enums)
        .zip(&shapes)
        .map(|((plan, (name, item)), shape)| {
            let operation = &plan.operation.id.rust;
            let error = match declared.get(shape.as_str()) {
                Some(first) => {
                    let doc = format!(
                        " The errors `{operation}` may answer, by status: the same as [`{first}`]."
                    );
                    quote! {
                        #[doc = #doc]
                        pub type #name = #first;
                    }
                }
                None => {
                    declared.insert(shape, name);
                    let doc = match sharing[shape.as_str()] - 1 {
                        0 => format!(" The errors `{operation}` may answer, by status."),
                        others => format!(
                            " The errors `{operation}` may answer, by status (and {others} other \
                             operation{}, whose error types alias this one).",
                            if others == 1 { "" } else { "s" }
                        ),
                    };
                    quote! {
                        #[doc = #doc]
                        #item
                    }
                }
            };
            let success = &plan.success.enum_item;
            quote! { #success #error }
        })
        .collect();
    let doc = module_docs(
        "What each operation may answer besides success: one enum per operation, one variant per status.",
    );
    quote! {
        #doc
        #(#items)*
    }
}

/// The enum and its `OperationError` impl, without the enum's docs.
fn error_enum(plan: &Plan<'_>, name: &Ident) -> TokenStream {
    let variants = plan.errors.iter().map(|variant| {
        let (doc, variant_name) = (&variant.docs, &variant.name);
        match &variant.ty {
            Some(ty) => quote! { #doc #variant_name(#ty), },
            None => quote! { #doc #variant_name, },
        }
    });
    let arms = plan.errors.iter().map(|variant| {
        let (pattern, decode) = (&variant.pattern, &variant.decode);
        quote! { #pattern => #decode, }
    });
    let catch_all =
        (!plan.errors.iter().any(|v| v.pattern.to_string() == "_")).then(|| quote! { _ => None, });
    let with_body: Vec<_> = plan
        .errors
        .iter()
        .filter(|v| v.is_error_body)
        .map(|v| &v.name)
        .collect();
    let body = if with_body.is_empty() {
        quote! { None }
    } else {
        let rest = (with_body.len() < plan.errors.len()).then(|| quote! { _ => None, });
        quote! {
            match self {
                #(Self::#with_body(body))|* => Some(body),
                #rest
            }
        }
    };
    let reads_body = plan.errors.iter().any(|v| v.ty.is_some());
    let body_parameter = if reads_body {
        quote! { body }
    } else {
        quote! { _body }
    };
    // A lone `default` takes every status: no `match` needed.
    let decode = match plan.errors.as_slice() {
        [only] if only.pattern.to_string() == "_" => {
            let decode = &only.decode;
            quote! {
                fn decode(_status: u16, #body_parameter: &[u8]) -> Option<Result<Self, serde_json::Error>> {
                    #decode
                }
            }
        }
        _ => quote! {
            fn decode(status: u16, #body_parameter: &[u8]) -> Option<Result<Self, serde_json::Error>> {
                match status {
                    #(#arms)*
                    #catch_all
                }
            }
        },
    };
    let large_variants = large_variant_allowance(plan.errors.iter().map(|v| v.size));
    quote! {
        #[derive(Debug, Clone, PartialEq)]
        #large_variants
        pub enum #name {
            #(#variants)*
        }

        impl OperationError for #name {
            #decode

            fn body(&self) -> Option<&ErrorBody> {
                #body
            }
        }
    }
}
