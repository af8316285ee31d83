//! Security schemes: a `Scheme` const each, and the authentication step.

use heck::ToShoutySnakeCase;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::emit::server::challenge;
use crate::emit::typeref::Imports;
use crate::ir::{Api, Operation, ParameterLocation, Security, SecuritySchemeKind};

pub(super) fn scheme_const(name: &str) -> proc_macro2::Ident {
    format_ident!(
        "{}",
        crate::naming::bare(&crate::naming::value_name(name)).to_shouty_snake_case()
    )
}

/// A `Scheme` const per security scheme, and the authentication step.
pub(super) fn schemes(api: &Api, imports: &mut Imports) -> TokenStream {
    if !api.operations.iter().any(Operation::is_secured) {
        return TokenStream::new();
    }
    imports.add("crate::runtime::params::RawRequest");
    imports.add("crate::runtime::security::Scheme");
    imports.add("crate::runtime::security::Source");
    imports.add("crate::runtime::error::ApiError");
    imports.add("crate::runtime::observe");
    let used: Vec<&String> = api
        .operations
        .iter()
        .filter_map(|o| match &o.security {
            Security::AnyOf(requirements) => Some(requirements.iter().flat_map(|r| &r.schemes)),
            Security::Public => None,
        })
        .flatten()
        .collect();
    let consts = api.security_schemes.iter().filter(|s| used.contains(&&s.name.wire)).map(|scheme| {
        let name = scheme_const(&scheme.name.wire);
        let wire = &scheme.name.wire;
        let source = match &scheme.kind {
            SecuritySchemeKind::ApiKey {
                location,
                parameter,
            } => {
                let parameter = match location {
                    ParameterLocation::Header => parameter.to_ascii_lowercase(),
                    _ => parameter.clone(),
                };
                match location {
                    ParameterLocation::Header => quote! { Source::Header(#parameter) },
                    ParameterLocation::Query => quote! { Source::Query(#parameter) },
                    _ => quote! { Source::Cookie(#parameter) },
                }
            }
            SecuritySchemeKind::HttpBasic => quote! { Source::Basic },
            kind if kind.is_jwt() => quote! { Source::Jwt },
            _ => quote! { Source::Bearer },
        };
        let challenge = challenge(&scheme.kind);
        let doc = format!(" The `{wire}` security scheme.");
        quote! {
            #[doc = #doc]
            const #name: Scheme = Scheme { name: #wire, source: #source, challenge: #challenge };
        }
    });
    if api.uses_jwt() {
        imports.add("crate::runtime::jwt::JwtVerifier");
        return quote! {
            #(#consts)*

            /// The principal for the first scheme whose credentials `authenticate`
            /// accepts. A JWT that `jwt` refuses is answered with why, unless
            /// another scheme's credentials are accepted.
            async fn principal<A: Api>(
                api: &A,
                jwt: Option<&JwtVerifier>,
                raw: &RawRequest<'_>,
                schemes: &[Scheme],
            ) -> Result<A::Principal, ApiError> {
                let mut refusal = None;
                for scheme in schemes {
                    match scheme.verified(raw, jwt) {
                        Ok(Some(credentials)) => {
                            if let Some(principal) = api.authenticate(credentials).await {
                                observe::record_principal(&principal);
                                return Ok(principal);
                            }
                        }
                        Ok(None) => {}
                        Err(error) => {
                            refusal.get_or_insert_with(|| error.to_api_error(scheme.challenge));
                        }
                    }
                }
                let challenge = schemes.first().map_or("Bearer", |scheme| scheme.challenge);
                Err(refusal.unwrap_or_else(|| ApiError::unauthorized(challenge)))
            }
        };
    }
    quote! {
        #(#consts)*

        /// The principal for the first scheme whose credentials `authenticate` accepts.
        async fn principal<A: Api>(api: &A, raw: &RawRequest<'_>, schemes: &[Scheme]) -> Result<A::Principal, ApiError> {
            for scheme in schemes {
                if let Some(credentials) = scheme.credentials(raw) {
                    if let Some(principal) = api.authenticate(credentials).await {
                        observe::record_principal(&principal);
                        return Ok(principal);
                    }
                }
            }
            let challenge = schemes.first().map_or("Bearer", |scheme| scheme.challenge);
            Err(ApiError::unauthorized(challenge))
        }
    }
}
