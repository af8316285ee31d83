//! Where each security scheme of the spec finds its credentials.

use crate::runtime::context::Credentials;
use crate::runtime::params::RawRequest;

/// Where a scheme's credentials are in a request.
#[derive(Debug, Clone, Copy)]
pub enum Source {
    Header(&'static str),
    Query(&'static str),
    Cookie(&'static str),
    Bearer,
    Basic,
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
            Source::Basic => raw.basic().map(|(username, password)| Credentials::Basic {
                scheme,
                username,
                password,
            }),
        }
    }
}
