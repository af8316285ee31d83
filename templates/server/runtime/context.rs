//! What a handler gets besides its request: who is calling, and the request id.

use axum::http::Extensions;
// @if jwt
use serde_json::{Map, Value};
// @end

// @if idempotency
#[cfg(feature = "postgres")]
use crate::runtime::postgres_idempotency::Transaction;
// @end
use crate::runtime::request_id::RequestId;

/// The context of one call.
#[derive(Debug)]
pub struct Context<P> {
    /// The `X-Request-ID` of this request (also in the response and logs);
    /// it reads as a `&str`.
    pub request_id: RequestId,
    /// Who is calling, as the `authenticate` hook made it; `()` for public operations.
    pub principal: P,
    /// The request's extensions, for values put there by your own layers.
    pub extensions: Extensions,
}

impl<P> Context<P> {
    /// A context, as the router makes one for each call (also for calling
    /// an `Api` method directly in a test).
    pub fn new(request_id: impl Into<RequestId>, principal: P, extensions: Extensions) -> Self {
        Context {
            request_id: request_id.into(),
            principal,
            extensions,
        }
    }
    // @if idempotency

    /// The transaction of this call's idempotency record, when the
    /// operation takes an `Idempotency-Key`, the request sent one, and the
    /// records are in Postgres (`IDEMPOTENCY_DATABASE_URL`). Write in it
    /// and your rows commit with the stored response, or not at all.
    #[cfg(feature = "postgres")]
    pub fn transaction(&self) -> Option<&Transaction> {
        self.extensions.get::<Transaction>()
    }
    // @end
}

/// Credentials as the request carried them, for the `authenticate` hook.
/// `Debug` shows the scheme and the username, never a key, token or
/// password (`"***"`), so logging them leaks nothing.
#[derive(Clone, PartialEq, Eq)]
pub enum Credentials {
    /// An API key from a header, query parameter or cookie.
    ApiKey { scheme: &'static str, key: String },
    /// `Authorization: Bearer <token>` (also OAuth2 and OpenID Connect).
    Bearer { scheme: &'static str, token: String },
    /// `Authorization: Basic <base64(username:password)>`.
    Basic {
        scheme: &'static str,
        username: String,
        password: String,
    },
    // @if jwt
    /// A bearer token of a `bearerFormat: JWT` scheme that the configured
    /// verifier accepted: its claims, not the token.
    Jwt {
        scheme: &'static str,
        claims: JwtClaims,
    },
    // @end
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credentials::ApiKey { scheme, .. } => f
                .debug_struct("ApiKey")
                .field("scheme", scheme)
                .field("key", &"***")
                .finish(),
            Credentials::Bearer { scheme, .. } => f
                .debug_struct("Bearer")
                .field("scheme", scheme)
                .field("token", &"***")
                .finish(),
            Credentials::Basic {
                scheme, username, ..
            } => f
                .debug_struct("Basic")
                .field("scheme", scheme)
                .field("username", username)
                .field("password", &"***")
                .finish(),
            // @if jwt
            Credentials::Jwt { scheme, claims } => f
                .debug_struct("Jwt")
                .field("scheme", scheme)
                .field("subject", &claims.subject)
                .finish_non_exhaustive(),
            // @end
        }
    }
}

impl Credentials {
    /// The name of the security scheme these came from, as the spec spells it.
    pub fn scheme(&self) -> &'static str {
        match self {
            Credentials::ApiKey { scheme, .. }
            | Credentials::Bearer { scheme, .. }
            | Credentials::Basic { scheme, .. } => scheme,
            // @if jwt
            Credentials::Jwt { scheme, .. } => scheme,
            // @end
        }
    }
}

/// What the generated layers need from a principal: whom rate limits and
/// idempotency keys belong to, and the tier that picks a tiered quota.
pub trait Identity: Send + Sync + 'static {
    /// A stable, unique name for the principal (a tenant or account id).
    /// Two principals with one identity share limits and idempotency keys.
    fn identity(&self) -> std::borrow::Cow<'_, str>;

    /// The principal's tier for `x-rate-limit` `tiers`; `None` gets the
    /// policy's default quota.
    fn tier(&self) -> Option<&str> {
        None
    }
}

impl Identity for String {
    fn identity(&self) -> std::borrow::Cow<'_, str> {
        std::borrow::Cow::Borrowed(self)
    }
}

// @if jwt
/// The claims of a verified JWT (see `runtime/jwt.rs`): with `JwtClaims`
/// as the principal, tokens carry identity and tier without a lookup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JwtClaims {
    /// `sub`: the principal's identity, which owns its limits and keys.
    pub subject: String,
    /// The configured tier claim's value, if the token has it.
    pub tier: Option<String>,
    /// Every claim, for what else `authenticate` wants to read.
    pub claims: Map<String, Value>,
}

impl Identity for JwtClaims {
    fn identity(&self) -> std::borrow::Cow<'_, str> {
        std::borrow::Cow::Borrowed(&self.subject)
    }

    fn tier(&self) -> Option<&str> {
        self.tier.as_deref()
    }
}
// @end
