//! Rate-limit policies: one `Policy` const per distinct policy.

use heck::ToShoutySnakeCase;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::emit::typeref::Imports;
use crate::ir::{Api, RateLimitAlgorithm, RateLimitKey, RateLimitPolicy};

/// The const that holds each distinct rate-limit policy, in first-use order.
pub(super) fn policy_consts(api: &Api) -> Vec<(&RateLimitPolicy, proc_macro2::Ident)> {
    let mut consts: Vec<(&RateLimitPolicy, proc_macro2::Ident)> = Vec::new();
    for operation in &api.operations {
        for policy in api.rate_limit_policies(operation) {
            if consts.iter().any(|(known, _)| *known == policy) {
                continue;
            }
            let mut name = format!("{}_LIMIT", policy.name.to_shouty_snake_case());
            if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
                name = format!("POLICY_{name}");
            }
            if consts.iter().any(|(_, ident)| *ident == name) {
                let operation = crate::naming::bare(&operation.id.rust).to_shouty_snake_case();
                name = format!("{operation}_{name}");
            }
            consts.push((policy, format_ident!("{}", name)));
        }
    }
    consts
}

/// A `Policy` const per rate-limit policy the operations use.
pub(super) fn limit_consts(
    consts: &[(&RateLimitPolicy, proc_macro2::Ident)],
    imports: &mut Imports,
) -> TokenStream {
    if consts.is_empty() {
        return TokenStream::new();
    }
    for path in [
        "crate::runtime::algorithms::Algorithm",
        "crate::runtime::algorithms::Quota",
        "crate::runtime::rate_limit::KeySource",
        "crate::runtime::rate_limit::Policy",
    ] {
        imports.add(path);
    }
    let items = consts.iter().map(|(policy, ident)| {
        let name = &policy.name;
        let requests = proc_macro2::Literal::u64_unsuffixed(policy.requests);
        let window = proc_macro2::Literal::u64_unsuffixed(policy.window_seconds);
        let key = match &policy.key {
            RateLimitKey::Principal => quote! { KeySource::Principal },
            RateLimitKey::ClientIp => quote! { KeySource::ClientIp },
            RateLimitKey::Header(header) => {
                let header = header.to_ascii_lowercase();
                quote! { KeySource::Header(#header) }
            }
        };
        let algorithm = format_ident!(
            "{}",
            match policy.algorithm {
                RateLimitAlgorithm::Gcra => "Gcra",
                RateLimitAlgorithm::SlidingWindow => "SlidingWindow",
                RateLimitAlgorithm::FixedWindow => "FixedWindow",
                RateLimitAlgorithm::TokenBucket => "TokenBucket",
            }
        );
        let tiers = policy.tiers.iter().map(|(tier, requests)| {
            let requests = proc_macro2::Literal::u64_unsuffixed(*requests);
            quote! { (#tier, #requests) }
        });
        let doc = format!(
            " The `{name}` rate limit: {requests} requests per {window} s{}.",
            if policy.tiers.is_empty() {
                ""
            } else {
                " (tiers may differ)"
            }
        );
        quote! {
            #[doc = #doc]
            const #ident: Policy = Policy {
                name: #name,
                quota: Quota { requests: #requests, window_seconds: #window },
                key: #key,
                algorithm: Algorithm::#algorithm,
                tiers: &[#(#tiers),*],
            };
        }
    });
    quote! { #(#items)* }
}
