//! `routes.rs`: the router, and for each operation the glue that reads and
//! checks the request, calls the `Api` method and renders its response.

use heck::ToShoutySnakeCase;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{challenge, is_object_schema, method_router};
use crate::emit::rust::{ident, module_docs};
use crate::emit::typeref::Imports;
use crate::emit::wire::{pagination, route};
use crate::ir::{
    Api, BodyEncoding, FormStyle, Operation, Pagination, ParameterLocation, Primitive,
    RateLimitAlgorithm, RateLimitKey, RateLimitPolicy, Schema, Security, SecuritySchemeKind,
    TypeKind, TypeRef,
};

pub fn module(api: &Api) -> TokenStream {
    let mut imports = Imports::default();
    for path in [
        "axum::middleware",
        "axum::Router",
        "crate::Api",
        "crate::runtime::config::ServerConfig",
        "crate::runtime::guard",
        "crate::runtime::request_id",
    ] {
        imports.add(path);
    }
    if !api.operations.is_empty() {
        for path in [
            "std::sync::Arc",
            "axum::extract::Request",
            "axum::extract::State",
            "axum::response::Response",
            "crate::runtime::context::Context",
            "crate::runtime::envelope",
            "crate::runtime::error::ApiError",
        ] {
            imports.add(path);
        }
    }
    let routes = routes(api, &mut imports);
    let policies = policy_consts(api);
    let mut handlers: Vec<TokenStream> = api
        .operations
        .iter()
        .map(|o| handler(api, o, &policies, &mut imports))
        .collect();
    for operation in &api.operations {
        if let Some(headers) = deprecation_headers(operation) {
            imports.add("axum::http::HeaderValue");
            let name = format_ident!("{}_deprecation", crate::naming::bare(&operation.id.rust));
            let doc = format!(" The deprecation headers of `{}`.", operation.id.rust);
            let inserts = headers.iter().map(|(header, value)| {
                quote! { headers.insert(#header, HeaderValue::from_static(#value)); }
            });
            handlers.push(quote! {
                #[doc = #doc]
                async fn #name(mut response: Response) -> Response {
                    let headers = response.headers_mut();
                    #(#inserts)*
                    response
                }
            });
        }
    }
    let schemes = schemes(api, &mut imports);
    let limits = limit_consts(&policies, &mut imports);
    // Public idempotent operations ask the limiter for the client's address.
    let uses_limits = api.operations.iter().any(|o| {
        !api.rate_limit_policies(o).is_empty() || (o.idempotency().is_some() && !o.is_secured())
    });
    let uses_idempotency = api.operations.iter().any(|o| o.idempotency().is_some());
    let (limiter_field, limiter_init, limiter_binding) = if uses_limits {
        imports.add("crate::runtime::rate_limit::Limiter");
        (
            quote! { limiter: Limiter, },
            quote! { limiter, },
            quote! { limiter },
        )
    } else {
        (quote! {}, quote! {}, quote! { _ })
    };
    let (idempotency_field, idempotency_init, idempotency_binding) = if uses_idempotency {
        imports.add("crate::runtime::idempotency::Idempotency");
        (
            quote! { idempotency: Idempotency, },
            quote! { idempotency, },
            quote! { idempotency },
        )
    } else {
        (quote! {}, quote! {}, quote! { _ })
    };
    let layers = (uses_limits || uses_idempotency).then(|| {
        quote! { let (#limiter_binding, #idempotency_binding) = config.layers(); }
    });
    // Handlers read the configuration for bodies and cursors only.
    let reads_config = api.operations.iter().any(|o| {
        o.request_body.is_some() || matches!(pagination(o), Some(Pagination::Cursor { .. }))
    });
    let (config_field, config_init) = if reads_config {
        (quote! { config: ServerConfig, }, quote! { config })
    } else {
        (quote! {}, quote! {})
    };
    let (document_route, document_handler) = match &api.effective_document {
        Some(_) => {
            imports.add("axum::http::header::CONTENT_TYPE");
            imports.add("axum::response::IntoResponse");
            imports.add("axum::response::Response");
            imports.add("axum::routing::get");
            (
                quote! { .route("/openapi.json", get(openapi_document)) },
                quote! {
                    /// The effective OpenAPI document: the spec as this server answers.
                    const OPENAPI_DOCUMENT: &str = include_str!("../openapi.json");

                    /// `GET /openapi.json`
                    async fn openapi_document() -> Response {
                        ([(CONTENT_TYPE, "application/json")], OPENAPI_DOCUMENT).into_response()
                    }
                },
            )
        }
        None => (TokenStream::new(), TokenStream::new()),
    };
    let module_doc = module_docs("The router, and the glue between HTTP and the `Api` trait.");
    let uses = imports.tokens();
    if api.operations.is_empty() {
        return quote! {
            #module_doc

            #uses

            /// The router of an API without operations: every request is `404 NOT_FOUND`.
            pub fn router<A: Api>(_api: A, config: ServerConfig) -> Router {
                Router::new()
                    #document_route
                    .fallback(guard::not_found)
                    .layer(middleware::from_fn_with_state(config.request_timeout, guard::layer))
                    .layer(middleware::from_fn(request_id::layer))
            }

            #document_handler
        };
    }
    quote! {
        #module_doc

        #uses

        /// What every request handler shares.
        struct Shared<A> {
            api: A,
            #config_field
            #limiter_field
            #idempotency_field
        }

        /// The API as an axum router with every generated layer applied, in
        /// this order from the outside in: request id, then the guard (time
        /// limit, caught panics, envelopes for 404 and 405), then the route,
        /// where each operation authenticates, applies its rate limits, reads
        /// and checks the request, claims its idempotency key and calls `api`.
        /// Add your own tower layers around it.
        pub fn router<A: Api>(api: A, config: ServerConfig) -> Router {
            let timeout = config.request_timeout;
            #layers
            let shared = Arc::new(Shared { api, #limiter_init #idempotency_init #config_init });
            Router::new()
                #(#routes)*
                #document_route
                .fallback(guard::not_found)
                .with_state(shared)
                .layer(middleware::from_fn_with_state(timeout, guard::layer))
                .layer(middleware::from_fn(request_id::layer))
        }

        #schemes

        #limits

        #(#handlers)*

        #document_handler
    }
}

/// `.route(path, get(a).post(b))`, one per path, in document order.
fn routes(api: &Api, imports: &mut Imports) -> Vec<TokenStream> {
    let mut paths: Vec<(String, Vec<&Operation>)> = Vec::new();
    for operation in &api.operations {
        let path = route(operation);
        match paths.iter_mut().find(|(p, _)| *p == path) {
            Some((_, operations)) => operations.push(operation),
            None => paths.push((path, vec![operation])),
        }
    }
    paths
        .iter()
        .map(|(path, operations)| {
            // The first method is axum's free function; the rest chain on it.
            let first = method_router(operations[0].method);
            imports.add(&format!("axum::routing::{first}"));
            let methods = operations.iter().map(|operation| {
                let method = method_router(operation.method);
                let handler = ident(&operation.id.rust);
                match deprecation_headers(operation) {
                    Some(_) => {
                        imports.add("axum::handler::Handler");
                        let headers = format_ident!(
                            "{}_deprecation",
                            crate::naming::bare(&operation.id.rust)
                        );
                        quote! { #method(#handler::<A>.layer(middleware::map_response(#headers))) }
                    }
                    None => quote! { #method(#handler::<A>) },
                }
            });
            quote! { .route(#path, #(#methods).*) }
        })
        .collect()
}

fn scheme_const(name: &str) -> proc_macro2::Ident {
    format_ident!(
        "{}",
        crate::naming::bare(&crate::naming::value_name(name)).to_shouty_snake_case()
    )
}

/// A `Scheme` const per security scheme, and the authentication step.
fn schemes(api: &Api, imports: &mut Imports) -> TokenStream {
    if !api.operations.iter().any(Operation::is_secured) {
        return TokenStream::new();
    }
    imports.add("crate::runtime::request::RawRequest");
    imports.add("crate::runtime::security::Scheme");
    imports.add("crate::runtime::security::Source");
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
            _ => quote! { Source::Bearer },
        };
        let challenge = challenge(&scheme.kind);
        let doc = format!(" The `{wire}` security scheme.");
        quote! {
            #[doc = #doc]
            const #name: Scheme = Scheme { name: #wire, source: #source, challenge: #challenge };
        }
    });
    quote! {
        #(#consts)*

        /// The principal for the first scheme whose credentials `authenticate` accepts.
        async fn principal<A: Api>(api: &A, raw: &RawRequest, schemes: &[Scheme]) -> Result<A::Principal, ApiError> {
            for scheme in schemes {
                if let Some(credentials) = scheme.credentials(raw) {
                    if let Some(principal) = api.authenticate(credentials).await {
                        return Ok(principal);
                    }
                }
            }
            let challenge = schemes.first().map_or("Bearer", |scheme| scheme.challenge);
            Err(ApiError::unauthorized(challenge))
        }
    }
}

/// The const that holds each distinct rate-limit policy, in first-use order.
fn policy_consts(api: &Api) -> Vec<(&RateLimitPolicy, proc_macro2::Ident)> {
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
fn limit_consts(
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

/// How a parameter's text is read before the schema check.
fn param_kind(api: &Api, schema: &Schema) -> TokenStream {
    fn scalar(api: &Api, schema: &Schema) -> TokenStream {
        match &schema.ty {
            TypeRef::Primitive(Primitive::I32 | Primitive::I64) => quote! { Integer },
            TypeRef::Primitive(Primitive::F32 | Primitive::F64) => quote! { Number },
            TypeRef::Primitive(Primitive::Boolean) => quote! { Boolean },
            TypeRef::Named(id) if !matches!(api.type_def(*id).kind, TypeKind::Enum(_)) => {
                quote! { String }
            }
            _ => quote! { String },
        }
    }
    match &schema.ty {
        TypeRef::Array(items) => {
            let inner = scalar(api, items);
            quote! { Kind::ArrayOf(ScalarKind::#inner) }
        }
        _ => {
            let kind = scalar(api, schema);
            quote! { Kind::#kind }
        }
    }
}

fn handler(
    api: &Api,
    operation: &Operation,
    policy_consts: &[(&RateLimitPolicy, proc_macro2::Ident)],
    imports: &mut Imports,
) -> TokenStream {
    let name = ident(&operation.id.rust);
    let request_type = format_ident!("{}Request", operation.type_stem);
    imports.add(&format!("crate::operations::{request_type}"));
    let has_path = operation
        .parameters
        .iter()
        .any(|p| p.location == ParameterLocation::Path);
    let (path_extractor, path_value, path_check) = if has_path {
        imports.add("axum::extract::Path");
        imports.add("axum::extract::rejection::PathRejection");
        (
            quote! { path: Result<Path<Vec<(String, String)>>, PathRejection>, },
            quote! { path },
            // Percent-encoding that does not decode to UTF-8.
            quote! {
                let Ok(Path(path)) = path else {
                    return envelope::error(&ApiError::invalid_path(), &request_id);
                };
            },
        )
    } else {
        (quote! {}, quote! { Vec::new() }, quote! {})
    };
    let authenticate = if operation.is_secured() {
        let Security::AnyOf(requirements) = &operation.security else {
            unreachable!("secured operations have requirements")
        };
        let schemes = requirements
            .iter()
            .flat_map(|r| &r.schemes)
            .map(|s| scheme_const(s));
        quote! {
            let principal = match principal(&shared.api, &raw, &[#(#schemes),*]).await {
                Ok(principal) => principal,
                Err(error) => return envelope::error(&error, &request_id),
            };
        }
    } else {
        quote! { let principal = (); }
    };
    let mut reads = Vec::new();
    let mut params_const = TokenStream::new();
    if let Some(id) = operation.params_type {
        imports.add("crate::runtime::request::Param");
        imports.add("crate::runtime::request::Kind");
        imports.add("crate::runtime::error::Location");
        if operation
            .parameters
            .iter()
            .any(|p| matches!(p.schema.ty, TypeRef::Array(_)))
        {
            imports.add("crate::runtime::request::ScalarKind");
        }
        let params_type = ident(&api.type_def(id).name);
        imports.add("crate::types");
        let params_type = quote! { types::params::#params_type };
        let specs = operation.parameters.iter().map(|parameter| {
            // Header lookups ignore case, so the wire name serves as is.
            let wire = &parameter.name.wire;
            let location = format_ident!(
                "{}",
                match parameter.location {
                    ParameterLocation::Path => "Path",
                    ParameterLocation::Query => "Query",
                    ParameterLocation::Header => "Header",
                    ParameterLocation::Cookie => "Cookie",
                }
            );
            let kind = param_kind(api, &parameter.schema);
            quote! { Param { name: #wire, location: Location::#location, kind: #kind } }
        });
        let specs_name = format_ident!(
            "{}_PARAMS",
            crate::naming::bare(&operation.id.rust).to_shouty_snake_case()
        );
        let specs_doc = format!(
            " Where the parameters of `{}` are and how to read them.",
            operation.id.rust
        );
        params_const = quote! {
            #[doc = #specs_doc]
            const #specs_name: &[Param] = &[#(#specs),*];
        };
        reads.push(quote! {
            let params = problems.params::<#params_type>(&raw, #specs_name);
        });
    }
    let mut read_bytes = TokenStream::new();
    if let Some(body) = &operation.request_body {
        imports.add("crate::runtime::request");
        let required = body.required;
        read_bytes = quote! {
            let bytes = match request::read_body(body, shared.config.body_limit).await {
                Ok(bytes) => bytes,
                Err(error) => return envelope::error(&error, &request_id),
            };
        };
        let read = match (body.encoding, &body.schema.ty) {
            (BodyEncoding::Json, TypeRef::Named(id)) => {
                let name = ident(&api.type_def(*id).name);
                imports.add("crate::types");
                let object = is_object_schema(api, &body.schema);
                quote! { request::json_body::<types::#name>(&parts.headers, &bytes, #required, #object) }
            }
            (BodyEncoding::Json, _) => {
                quote! { request::json_value_body(&parts.headers, &bytes, #required) }
            }
            (BodyEncoding::Form, TypeRef::Named(id)) => {
                imports.add("crate::runtime::form");
                imports.add("crate::types");
                let name = ident(&api.type_def(*id).name);
                let comma_separated = body
                    .form_styles
                    .iter()
                    .filter(|(_, style)| *style == FormStyle::Comma)
                    .map(|(property, _)| property);
                quote! {
                    form::form_body::<types::#name>(&parts.headers, &bytes, #required, &[#(#comma_separated),*])
                }
            }
            (BodyEncoding::Text, _) => {
                quote! { request::text_body(&parts.headers, &bytes, #required) }
            }
            // Lowering gives form bodies a struct; anything else is read raw.
            (BodyEncoding::Bytes | BodyEncoding::Form, _) => {
                quote! { request::bytes_body(&parts.headers, &bytes, #required) }
            }
        };
        reads.push(quote! {
            let body = match problems.body(#read) {
                Ok(body) => body,
                Err(error) => return envelope::error(&error, &request_id),
            };
        });
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
        imports.add("crate::runtime::request::RawRequest");
    }
    let raw = needs_raw.then(|| {
        quote! {
            let raw = RawRequest::new(#path_value, parts.uri.query(), parts.headers.clone());
        }
    });
    let (build, request_value) = build_request(operation, &request_type, &reads);
    let (cursor_step, into_http_args) = pagination_steps(operation);
    let shouty = crate::naming::bare(&operation.id.rust).to_shouty_snake_case();
    let policies = api.rate_limit_policies(operation);
    let idempotency = operation.idempotency();
    // Rate limits and idempotency keys belong to the principal.
    let identity = (operation.is_secured() && (!policies.is_empty() || idempotency.is_some()))
        .then(|| {
            imports.add("crate::runtime::context::Identity");
            quote! { let identity = principal.identity().into_owned(); }
        });
    let mut limits_const = TokenStream::new();
    let limit_check = (!policies.is_empty()).then(|| {
        let members = policies.iter().map(|policy| {
            let (_, ident) = policy_consts
                .iter()
                .find(|(known, _)| known == policy)
                .expect("every policy has a const");
            ident
        });
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
        quote! {
            let limits = match shared.limiter.admit(#limits_name, #subject, &parts).await {
                Ok(limits) => limits,
                Err(refused) => return refused.refuse(&request_id),
            };
        }
    });
    let mut idempotency_const = TokenStream::new();
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
            let scope = if operation.is_secured() {
                quote! { &identity }
            } else {
                quote! { &shared.limiter.anonymous_scope(&parts) }
            };
            let body = if operation.request_body.is_some() {
                quote! { &bytes }
            } else {
                quote! { &[] }
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
                    let execution = match shared.idempotency.begin(&#const_name, attempt).await {
                        Ok(execution) => execution,
                        Err(response) => return response,
                    };
                },
                quote! { execution.finish(response).await },
            )
        }
        None => (TokenStream::new(), quote! { response }),
    };
    let call = quote! {
        let context = Context { request_id: request_id.clone(), principal, extensions: parts.extensions };
        let response = match shared.api.#name(context, #request_value).await {
            Ok(response) => response.into_http(&request_id, #into_http_args),
            Err(error) => {
                tracing::error!("the handler failed: {error}");
                envelope::error(&ApiError::internal(), &request_id)
            }
        };
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
    let rest = if limit_check.is_some() {
        quote! {
            let response = async { #rest }.await;
            limits.apply(response)
        }
    } else {
        rest
    };
    let doc = format!(" `{} {}`", operation.method.as_str(), route(operation));
    quote! {
        #params_const
        #limits_const
        #idempotency_const

        #[doc = #doc]
        async fn #name<A: Api>(State(shared): State<Arc<Shared<A>>>, #path_extractor request: Request) -> Response {
            let (parts, #body_binding) = request.into_parts();
            let request_id = request_id::of(&parts.extensions);
            #path_check
            #raw
            #authenticate
            #identity
            #limit_check
            #rest
        }
    }
}

/// Builds the request value once every part was read, or answers `400` with every detail.
fn build_request(
    operation: &Operation,
    request_type: &proc_macro2::Ident,
    reads: &[TokenStream],
) -> (TokenStream, TokenStream) {
    if reads.is_empty() {
        return (TokenStream::new(), quote! { #request_type });
    }
    let body_required = operation.request_body.as_ref().is_some_and(|b| b.required);
    let has_params = operation.params_type.is_some();
    let has_body = operation.request_body.is_some();
    let mut patterns = Vec::new();
    let mut values = Vec::new();
    if has_params {
        patterns.push(quote! { Some(params) });
        values.push(quote! { params });
    }
    if has_body {
        if body_required {
            patterns.push(quote! { Some(Some(body)) });
        } else {
            patterns.push(quote! { Some(body) });
        }
        values.push(quote! { body });
    }
    // A part is `None` exactly when it recorded problems.
    let build = if patterns.len() == 1 {
        let (pattern, value) = (&patterns[0], &values[0]);
        quote! {
            let #pattern = #value else {
                return envelope::error(&problems.into_error(), &request_id);
            };
        }
    } else {
        quote! {
            let (#(#patterns,)*) = (#(#values,)*) else {
                return envelope::error(&problems.into_error(), &request_id);
            };
        }
    };
    let fields = [
        has_params.then(|| quote! { params }),
        has_body.then(|| quote! { body }),
    ];
    let fields = fields.iter().flatten();
    (build, quote! { #request_type { #(#fields),* } })
}

/// Cursor decoding before the call, and the pagination arguments of `into_http`.
fn pagination_steps(operation: &Operation) -> (TokenStream, TokenStream) {
    let field = |wire: &str| {
        operation
            .parameters
            .iter()
            .find(|p| p.name.wire == wire)
            .map(|p| (ident(&p.name.rust), p.required || p.default.is_some()))
    };
    match pagination(operation) {
        Some(Pagination::Page {
            page_param,
            per_page_param,
        }) => {
            let (Some((page, _)), Some((per_page, _))) = (field(page_param), field(per_page_param))
            else {
                return (TokenStream::new(), TokenStream::new());
            };
            (
                quote! {
                    let page = u64::try_from(params.#page).unwrap_or_default();
                    let per_page = u64::try_from(params.#per_page).unwrap_or_default();
                },
                quote! { page, per_page },
            )
        }
        Some(Pagination::Cursor {
            cursor_param,
            limit_param,
        }) => {
            let (Some((cursor, _)), Some((limit, _))) = (field(cursor_param), field(limit_param))
            else {
                return (TokenStream::new(), TokenStream::new());
            };
            (
                quote! {
                    let mut params = params;
                    if let Some(cursor) = params.#cursor.take() {
                        match shared.config.cursors.decode(&cursor) {
                            Some(position) => params.#cursor = Some(position),
                            None => return envelope::error(&ApiError::invalid_cursor(), &request_id),
                        }
                    }
                    let limit = u64::try_from(params.#limit).unwrap_or_default();
                },
                quote! { limit, &shared.config.cursors },
            )
        }
        None => (TokenStream::new(), TokenStream::new()),
    }
}

/// `Deprecation` (RFC 9745) and `Sunset` (RFC 8594) for an operation that has them.
fn deprecation_headers(operation: &Operation) -> Option<Vec<(&'static str, String)>> {
    let mut headers = Vec::new();
    if let (true, Some(since)) = (operation.deprecated, operation.extensions.deprecated_at) {
        headers.push(("deprecation", format!("@{since}")));
    }
    if let Some(sunset) = &operation.extensions.sunset {
        headers.push(("sunset", sunset.clone()));
    }
    (!headers.is_empty()).then_some(headers)
}
