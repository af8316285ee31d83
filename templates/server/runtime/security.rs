//! Where each security scheme of the spec finds its credentials.

use crate::runtime::context::Credentials;
// @if jwt
use crate::runtime::jwt::{JwtError, JwtVerifier};
// @end
use crate::runtime::params::RawRequest;

/// Where a scheme's credentials are in a request.
#[derive(Debug, Clone, Copy)]
pub enum Source {
    Header(&'static str),
    Query(&'static str),
    Cookie(&'static str),
    Bearer,
    Basic,
    // @if jwt
    /// A bearer token of a `bearerFormat: JWT` scheme.
    Jwt,
    // @end
}

/// One security scheme of the spec.
#[derive(Debug, Clone, Copy)]
pub struct Scheme {
    /// The scheme's name under `components/securitySchemes`.
    pub name: &'static str,
    pub source: Source,
    /// The `WWW-Authenticate` challenge sent with `401`.
    pub challenge: &'static str,
}

impl Scheme {
    /// The credentials this scheme finds in the request, if any.
    pub fn credentials(&self, raw: &RawRequest<'_>) -> Option<Credentials> {
        let scheme = self.name;
        let key = |key: Option<String>| {
            key.filter(|k| !k.is_empty())
                .map(|key| Credentials::ApiKey { scheme, key })
        };
        match self.source {
            Source::Header(name) => key(raw.header(name).map(str::to_string)),
            Source::Query(name) => key(raw.query_value(name).map(str::to_string)),
            Source::Cookie(name) => key(raw.cookie(name)),
            Source::Bearer => raw
                .bearer()
                .map(|token| Credentials::Bearer { scheme, token }),
            // @if jwt
            // Unverified: no verifier is configured (see `verified`).
            Source::Jwt => raw
                .bearer()
                .map(|token| Credentials::Bearer { scheme, token }),
            // @end
            Source::Basic => raw.basic().map(|(username, password)| Credentials::Basic {
                scheme,
                username,
                password,
            }),
        }
    }

    // @if jwt
    /// The credentials as [`credentials`](Self::credentials) finds them,
    /// except that with a `jwt` verifier a JWT scheme's token must pass it:
    /// its claims, or what is wrong with it.
    pub fn verified(
        &self,
        raw: &RawRequest<'_>,
        jwt: Option<&JwtVerifier>,
    ) -> Result<Option<Credentials>, JwtError> {
        match (self.source, jwt) {
            (Source::Jwt, Some(verifier)) => match raw.bearer() {
                Some(token) => verifier.verify(&token).map(|claims| {
                    Some(Credentials::Jwt {
                        scheme: self.name,
                        claims,
                    })
                }),
                None => Ok(None),
            },
            _ => Ok(self.credentials(raw)),
        }
    }
    // @end
}
