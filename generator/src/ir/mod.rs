//! The intermediate representation that every emitter reads.
//!
//! Plain data: no `openapiv3` types and no token streams, so it can be
//! inspected and snapshotted on its own. Names are final here (emitters never
//! re-derive them), named types live in an arena addressed by [`TypeId`], and
//! every node remembers the JSON pointer it came from.

mod bodies;
pub mod extensions;
mod layer;
mod modules;
mod size;
mod types;

use serde::Serialize;

pub use bodies::*;
pub use extensions::{
    ApiExtensions, Envelope, Idempotency, OperationExtensions, Pagination, RateLimitAlgorithm,
    RateLimitKey, RateLimitPolicy, RateLimits, VersionDeprecation,
};
pub use layer::LayerError;
pub use modules::Modules;
pub use types::*;

/// The whole API, ready to emit.
#[derive(Debug, Clone, Serialize)]
pub struct Api {
    pub title: String,
    pub version: String,
    pub description: Option<String>,
    /// The file name of the spec, for generated-file headers.
    pub spec_file: String,
    /// Path prefix from `servers[0].url` (`/v1`), empty when there is none.
    pub base_path: String,
    /// Scheme and authority of `servers[0].url` when it is absolute
    /// (`https://api.example.com`): where clients connect by default.
    pub server_origin: Option<String>,
    pub security_schemes: Vec<SecurityScheme>,
    pub types: Vec<TypeDef>,
    pub operations: Vec<Operation>,
    /// A sample of the spec's examples of named types, for round-trip tests.
    #[serde(skip)]
    pub examples: Vec<Example>,
    pub extensions: ApiExtensions,
    /// What the server serves at `GET /openapi.json` (`None` when the spec
    /// has that route itself): the spec with the envelope, the generated
    /// layer's responses and headers made explicit.
    #[serde(skip)]
    pub effective_document: Option<serde_json::Value>,
    /// How large outputs are split into one file per module.
    pub modules: Modules,
}

impl Api {
    /// Whether any operation takes an `application/x-www-form-urlencoded` body.
    pub fn has_form_bodies(&self) -> bool {
        self.has_bodies(BodyEncoding::Form)
    }

    /// Whether any operation takes a `multipart/form-data` body.
    pub fn has_multipart_bodies(&self) -> bool {
        self.has_bodies(BodyEncoding::Multipart)
    }

    /// Whether any operation's body is handed over as a stream.
    pub fn has_streamed_bodies(&self) -> bool {
        self.operations.iter().any(Operation::streams_body)
    }

    fn has_bodies(&self, encoding: BodyEncoding) -> bool {
        self.operations.iter().any(|o| {
            o.request_body
                .as_ref()
                .is_some_and(|body| body.contents.iter().any(|c| c.encoding == encoding))
        })
    }

    pub fn type_def(&self, id: TypeId) -> &TypeDef {
        &self.types[id.0]
    }

    /// The struct variants of a union whose variants are all structs (what a
    /// form or multipart body can fill, one variant at a time).
    pub fn struct_variants(&self, id: TypeId) -> Option<Vec<TypeId>> {
        let TypeKind::Union(def) = &self.type_def(id).kind else {
            return None;
        };
        def.variants
            .iter()
            .map(|variant| match variant.schema.ty {
                TypeRef::Named(v) if matches!(self.type_def(v).kind, TypeKind::Struct(_)) => {
                    Some(v)
                }
                _ => None,
            })
            .collect()
    }

    /// The type `x-envelope: {error-schema: X}` names, if it names one that exists.
    pub fn envelope_error_type(&self) -> Option<TypeId> {
        let name = self.extensions.envelope.as_ref()?.error_schema.as_ref()?;
        let pointer = format!("#/components/schemas/{}", crate::load::escape_segment(name));
        self.types
            .iter()
            .position(|t| t.pointer == pointer)
            .map(TypeId)
    }
}

impl Operation {
    /// `x-idempotency`, for methods where a key means something: GET, HEAD,
    /// OPTIONS and DELETE ignore it.
    pub fn idempotency(&self) -> Option<&Idempotency> {
        let ignored = matches!(
            self.method,
            Method::Get | Method::Head | Method::Options | Method::Delete | Method::Trace
        );
        self.extensions.idempotency.as_ref().filter(|_| !ignored)
    }

    /// Whether the body reaches the handler (and leaves the client) as a
    /// stream: its one content type is binary and unbounded, and there is
    /// no `x-idempotency`, whose fingerprint needs the whole body first.
    pub fn streams_body(&self) -> bool {
        self.idempotency().is_none()
            && self
                .request_body
                .as_ref()
                .is_some_and(|body| body.contents.len() == 1 && body.preferred().unbounded_binary)
    }

    /// Whether the operation needs credentials (`security: []` and `[{}]` do not).
    pub fn is_secured(&self) -> bool {
        matches!(&self.security, Security::AnyOf(requirements) if requirements.iter().any(|r| !r.schemes.is_empty()))
    }
}

/// A name as Rust spells it and as it appears on the wire.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Name {
    pub rust: String,
    pub wire: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Method {
    Get,
    Put,
    Post,
    Delete,
    Options,
    Head,
    Patch,
    Trace,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Put => "PUT",
            Method::Post => "POST",
            Method::Delete => "DELETE",
            Method::Options => "OPTIONS",
            Method::Head => "HEAD",
            Method::Patch => "PATCH",
            Method::Trace => "TRACE",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Operation {
    /// `rust` is the snake_case method name, `wire` the spec's `operationId`
    /// (synthesised from method and path when the spec has none).
    pub id: Name,
    /// UpperCamelCase stem for the operation's own types (`ListUsers`).
    pub type_stem: String,
    pub method: Method,
    /// The path prefix this operation is served under: from its own or its
    /// path's `servers` when given, else the API's base path.
    pub base_path: String,
    /// Path template relative to the base path (`/users/{user_id}`).
    pub path: String,
    pub summary: Option<String>,
    pub description: Option<String>,
    pub tags: Vec<String>,
    pub parameters: Vec<Parameter>,
    /// The operation's parameters as one struct in the types crate, if it has any.
    pub params_type: Option<TypeId>,
    pub request_body: Option<RequestBody>,
    pub responses: Vec<Response>,
    pub security: Security,
    pub deprecated: bool,
    pub extensions: OperationExtensions,
    pub pointer: String,
}

/// How a parameter writes a list: OpenAPI's `style` and `explode`, by what
/// they put on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ParamStyle {
    /// `?id=1&id=2`: query `form`, exploded (the query default).
    Repeated,
    /// `1,2`: query `form` not exploded, path and header `simple` (their
    /// default), cookies.
    Comma,
    /// `1%202`: query `spaceDelimited`.
    Space,
    /// `1|2`: query `pipeDelimited`.
    Pipe,
    /// `.1.2` (exploded) or `.1,2`: path `label`.
    Label { explode: bool },
    /// `;id=1;id=2` (exploded) or `;id=1,2`: path `matrix`.
    Matrix { explode: bool },
    /// `filter[status]=open`: query `deepObject`, for objects.
    DeepObject,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum ParameterLocation {
    Path,
    Query,
    Header,
    Cookie,
}

impl ParameterLocation {
    pub fn as_str(self) -> &'static str {
        match self {
            ParameterLocation::Path => "path",
            ParameterLocation::Query => "query",
            ParameterLocation::Header => "header",
            ParameterLocation::Cookie => "cookie",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Parameter {
    pub name: Name,
    pub location: ParameterLocation,
    /// How a list (or, for `deepObject`, an object) is written.
    pub style: ParamStyle,
    pub required: bool,
    pub deprecated: bool,
    pub docs: Option<String>,
    pub schema: Schema,
    pub default: Option<Literal>,
    pub pointer: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum StatusCode {
    Code(u16),
    /// `4XX`: the first digit.
    Range(u8),
    Default,
}

#[derive(Debug, Clone, Serialize)]
pub struct Response {
    pub status: StatusCode,
    pub docs: Option<String>,
    pub content_type: Option<String>,
    pub body: Option<Schema>,
    pub headers: Vec<Header>,
    pub pointer: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Header {
    pub name: Name,
    pub required: bool,
    pub docs: Option<String>,
    pub schema: Schema,
}

#[derive(Debug, Clone, Serialize)]
pub enum Security {
    /// `security: []`: no credentials needed.
    Public,
    /// Any one of these requirements satisfies the operation.
    AnyOf(Vec<SecurityRequirement>),
}

/// All of these schemes at once (one entry of an OpenAPI `security` list).
#[derive(Debug, Clone, Serialize)]
pub struct SecurityRequirement {
    pub schemes: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SecurityScheme {
    /// `rust` is snake_case, `wire` the key under `components/securitySchemes`.
    pub name: Name,
    pub docs: Option<String>,
    pub kind: SecuritySchemeKind,
}

#[derive(Debug, Clone, Serialize)]
pub enum SecuritySchemeKind {
    ApiKey {
        location: ParameterLocation,
        parameter: String,
    },
    HttpBearer {
        format: Option<String>,
    },
    HttpBasic,
    /// Schemes the generated code passes through as a bearer token (OAuth2, OpenID Connect).
    OAuth2,
    OpenIdConnect,
}
