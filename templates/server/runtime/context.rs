//! What a handler gets besides its request: who is calling, and the request id.

use axum::http::Extensions;

/// The context of one call.
#[derive(Debug)]
pub struct Context<P> {
    /// The `X-Request-ID` of this request (also in the response and logs).
    pub request_id: String,
    /// Who is calling, as the `authenticate` hook made it; `()` for public operations.
    pub principal: P,
    /// The request's extensions, for values put there by your own layers.
    pub extensions: Extensions,
}

/// Credentials as the request carried them, for the `authenticate` hook.
#[derive(Debug, Clone, PartialEq, Eq)]
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
}

impl Credentials {
    /// The name of the security scheme these came from, as the spec spells it.
    pub fn scheme(&self) -> &'static str {
        match self {
            Credentials::ApiKey { scheme, .. }
            | Credentials::Bearer { scheme, .. }
            | Credentials::Basic { scheme, .. } => scheme,
        }
    }
}
