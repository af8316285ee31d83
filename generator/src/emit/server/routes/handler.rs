//! One operation's glue: read and check the request, authenticate, limit,
//! claim the idempotency key, call the `Api` method, render the response.

use heck::ToShoutySnakeCase;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::emit::rust::ident;
use crate::emit::typeref::Imports;
use crate::emit::wire::route;
use crate::ir::{Api, Operation, ParameterLocation, RateLimitPolicy, Security};

use super::security::scheme_const;
use super::steps::{build_request, pagination_steps, param_specs};
use super::{body, whole};
use crate::emit::server::{whole_handler, WholeHandler};

/// The handler of `operation`; `split`, it is written in a module of its
/// own and imports what the router's module defines.
pub(super) fn handler(
    api: &Api,
    operation: &Operation,
    policy_consts: &[(&RateLimitPolicy, proc_macro2::Ident)],
    split: bool,
    imports: &mut Imports,
) -> TokenStream {
    let from_parent = |imports: &mut Imports, name: &dyn std::fmt::Display| {
        if split {
            imports.add(&format!("super::{name}"));
        }
    };
    from_parent(imports, &"Shared");
    match whole_handler(api, operation) {
        Some(WholeHandler::Params) => return whole::params_handler(api, operation, split, imports),
        Some(WholeHandler::Json { required, object }) => {
            return whole::json_handler(api, operation, required, object, split, imports)
        }
        None => {}
    }
    for path in [
        "crate::runtime::context::Context",
        "crate::runtime::envelope",
        "crate::runtime::request_id",
    ] {
        imports.add(path);
    }
    let name = ident(&operation.id.rust);
    let request_type = format_ident!("{}Request", operation.type_stem);
    imports.add(&format!("crate::operations::{request_type}"));
    let has_path = operation
        .parameters
        .iter()
        .any(|p| p.location == ParameterLocation::Path);
    let (path_extractor, path_value, path_check) = if has_path {
        imports.add("axum::extract::RawPathParams");
        imports.add("axum::extract::rejection::RawPathParamsRejection");
        imports.add("crate::runtime::error::ApiError");
        (
            quote! { path: Result<RawPathParams, RawPathParamsRejection>, },
            quote! { Some(&path) },
            // Percent-encoding that does not decode to UTF-8.
            quote! {
                let Ok(path) = path else {
                    return envelope::error(&ApiError::invalid_path(), &request_id);
                };
            },
        )
    } else {
        (quote! {}, quote! { None }, quote! {})
    };
    let authenticate = if operation.is_secured() {
        let Security::AnyOf(requirements) = &operation.security else {
            unreachable!("secured operations have requirements")
        };
        from_parent(imports, &"principal");
        let schemes: Vec<_> = requirements
            .iter()
            .flat_map(|r| &r.schemes)
            .map(|s| scheme_const(s))
            .collect();
        for scheme in &schemes {
            from_parent(imports, scheme);
        }
        let jwt = api.uses_jwt().then(|| quote! { shared.jwt.as_ref(), });
        quote! {
            let principal = match principal(&shared.api, #jwt &raw, &[#(#schemes),*]).await {
                Ok(principal) => principal,
                Err(error) => return envelope::error(&error, &request_id),
            };
        }
    } else {
        TokenStream::new()
    };
    // A public operation's context has no principal.
    let principal = if operation.is_secured() {
        quote! { principal }
    } else {
        quote! { () }
    };
    let mut reads = Vec::new();
    let mut params_const = TokenStream::new();
    if let Some(id) = operation.params_type {
        let (specs, specs_name) = param_specs(api, operation, false, imports);
        params_const = specs;
        // Pagination reads fields of the params before the request is built,
        // so their type is spelled out; elsewhere the request's field gives it.
        let turbofish = crate::emit::wire::pagination(operation).is_some().then(|| {
            imports.add("crate::types");
            let params_type = ident(&api.type_def(id).name);
            quote! { ::<types::params::#params_type> }
        });
        reads.push(quote! {
            let params = problems.params #turbofish(&raw, #specs_name);
        });
    }
    let mut read_bytes = TokenStream::new();
    if let Some((bytes, read)) = body::read(api, operation, imports) {
        read_bytes = bytes;
        reads.push(read);
    }
    let body_binding = if operation.request_body.is_some() {
        quote! { body }
    } else {
        quote! { _body }
    };
    let details_decl = (!reads.is_empty()).then(|| {
        imports.add("crate::runtime::request::Problems");
        quote! { let mut problems = Problems::default(); }
    });
    let needs_raw = operation.is_secured() || operation.params_type.is_some();
    if needs_raw {
        imports.add("crate::runtime::params::RawRequest");
    }
    let raw = needs_raw.then(|| {
        quote! {
            let raw = RawRequest::new(#path_value, parts.uri.query(), &parts.headers);
        }
    });
    let (build, request_value) = build_request(operation, &request_type, &reads);
    let (cursor_step, into_http_args) = pagination_steps(operation);
    if crate::emit::wire::pagination(operation).is_none() {
        imports.add("crate::runtime::envelope::IntoHttp");
    }
    let shouty = crate::naming::bare(&operation.id.rust).to_shouty_snake_case();
    let policies = api.rate_limit_policies(operation);
    let idempotency = operation.idempotency();
    // Rate limits and idempotency keys belong to the principal. A key's
    // scope is read inside the block the principal moves into, so it is a
    // copy; the limiter's is read before, so it borrows.
    let identity = (operation.is_secured() && (!policies.is_empty() || idempotency.is_some()))
        .then(|| {
            imports.add("crate::runtime::context::Identity");
            match idempotency {
                Some(_) => quote! { let identity = principal.identity().into_owned(); },
                None => quote! { let identity = principal.identity(); },
            }
        });
    // Limits checked with the key's claim, in one round trip on Redis.
    let deferred = api.limits_with_claim(operation);
    let mut limits_const = TokenStream::new();
    let limit_check = (!policies.is_empty()).then(|| {
        let members: Vec<_> = policies
            .iter()
            .map(|policy| {
                let (_, ident) = policy_consts
                    .iter()
                    .find(|(known, _)| known == policy)
                    .expect("every policy has a const");
                from_parent(imports, ident);
                ident
            })
            .collect();
        imports.add("crate::runtime::rate_limit::Policy");
        let limits_name = format_ident!("{shouty}_LIMITS");
        let doc = format!(" The rate limits of `{}`.", operation.id.rust);
        limits_const = quote! {
            #[doc = #doc]
            const #limits_name: &[Policy] = &[#(#members),*];
        };
        let subject = if operation.is_secured() {
            quote! { Some((&identity, principal.tier())) }
        } else {
            quote! { None }
        };
        if deferred {
            imports.add("crate::runtime::admission::Limits");
            return quote! {
                let mut limits = Limits::defer(&shared.limiter, #limits_name, #subject, &parts);
            };
        }
        quote! {
            let limits = match shared.limiter.admit(#limits_name, #subject, &parts).await {
                Ok(limits) => limits,
                Err(refused) => return refused.refuse(&request_id),
            };
        }
    });
    let mut idempotency_const = TokenStream::new();
    let mut anonymous_scope = TokenStream::new();
    let (begin, finish) = match idempotency {
        Some(policy) => {
            imports.add("crate::runtime::idempotency");
            imports.add("std::time::Duration");
            let const_name = format_ident!("{shouty}_IDEMPOTENCY");
            let doc = format!(" The `x-idempotency` of `{}`.", operation.id.rust);
            let required = policy.required;
            let retention = proc_macro2::Literal::u64_unsuffixed(policy.retention_seconds);
            let lock = proc_macro2::Literal::u64_unsuffixed(policy.lock_timeout_seconds);
            idempotency_const = quote! {
                #[doc = #doc]
                const #const_name: idempotency::Policy = idempotency::Policy {
                    required: #required,
                    retention: Duration::from_secs(#retention),
                    lock_timeout: Duration::from_secs(#lock),
                };
            };
            // Read before the rest of the handler, which moves the request's
            // extensions into the context while `raw` still borrows its headers.
            let scope = if operation.is_secured() {
                quote! { &identity }
            } else {
                anonymous_scope =
                    quote! { let anonymous_scope = shared.limiter.anonymous_scope(&parts); };
                quote! { &anonymous_scope }
            };
            let body = if operation.request_body.is_some() {
                quote! { &bytes }
            } else {
                quote! { &[] }
            };
            let begin = if deferred {
                quote! { limits.claim(&shared.idempotency, &#const_name, attempt).await }
            } else {
                quote! { shared.idempotency.begin(&#const_name, attempt).await }
            };
            (
                quote! {
                    let attempt = idempotency::Attempt {
                        scope: #scope,
                        method: &parts.method,
                        path: parts.uri.path(),
                        headers: &parts.headers,
                        body: #body,
                        request_id: &request_id,
                    };
                    let execution = match #begin {
                        Ok(execution) => execution,
                        Err(response) => return response,
                    };
                },
                Some(quote! { execution.finish(response, &request_id).await }),
            )
        }
        None => (TokenStream::new(), None),
    };
    // A handler that propagated its stream's overflow gets the 413 it means.
    let failed = if operation.streams_body() {
        quote! { stream::handler_failed }
    } else {
        quote! { envelope::handler_failed }
    };
    let answer = quote! {
        match shared.api.#name(context, #request_value).await {
            Ok(response) => response.into_http(&request_id, #into_http_args),
            Err(error) => #failed(&error, &request_id),
        }
    };
    // An idempotent call's context also gets what its claim lends (on
    // Postgres, the transaction its record commits in).
    let (context, lend) = match finish {
        Some(_) => (
            quote! { let mut context },
            quote! { execution.lend(&mut context.extensions); },
        ),
        None => (quote! { let context }, TokenStream::new()),
    };
    let finish = match finish {
        Some(finish) => quote! {
            let response = #answer;
            #finish
        },
        None => answer,
    };
    let call = quote! {
        #context = Context::new(request_id.clone(), #principal, parts.extensions);
        #lend
        #finish
    };
    let rest = quote! {
        #read_bytes
        #details_decl
        #(#reads)*
        #build
        #begin
        #cursor_step
        #call
    };
    // Every response after the limiter carries its headers.
    let rest = match (&limit_check, deferred) {
        (Some(_), true) => quote! {
            let response = async { #rest }.await;
            limits.settle(response, &request_id).await
        },
        (Some(_), false) => quote! {
            let response = async { #rest }.await;
            limits.apply(response)
        },
        (None, _) => rest,
    };
    let doc = format!(" `{} {}`", operation.method.as_str(), route(operation));
    let visibility = split.then(|| quote! { pub(super) });
    quote! {
        #params_const
        #limits_const
        #idempotency_const

        #[doc = #doc]
        #visibility async fn #name<A: Api>(State(shared): State<Arc<Shared<A>>>, #path_extractor request: Request) -> Response {
            let (parts, #body_binding) = request.into_parts();
            let request_id = request_id::of(&parts.extensions);
            #path_check
            #raw
            #authenticate
            #identity
            #anonymous_scope
            #limit_check
            #rest
        }
    }
}
