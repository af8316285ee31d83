//! specforge's `x-` vocabulary, as the IR holds it. `docs/extensions.md` is
//! the user-facing reference; `lower::extensions` parses and checks it.

use serde::Serialize;

/// Extensions on the document root.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ApiExtensions {
    /// `x-envelope`: wrap bodies in the success/list/error envelope.
    pub envelope: Option<Envelope>,
    /// `x-rate-limit` at the root: policies every operation gets unless exempt.
    pub rate_limits: Vec<RateLimitPolicy>,
    /// `x-deprecation` at the root: this version of the API is deprecated.
    pub deprecation: Option<VersionDeprecation>,
}

/// A deprecated version of an API: every operation under its base path
/// answers with `Deprecation`, and `Sunset` and `Link` when given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VersionDeprecation {
    /// Since when (Unix seconds, from an HTTP date).
    pub deprecated_at: i64,
    /// When the version goes away (an HTTP date, RFC 8594).
    pub sunset: Option<String>,
    /// The migration notes, sent as `Link: <url>; rel="deprecation"`.
    pub link: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Envelope {
    /// The schema component used for error bodies (`ErrorEnvelope`), if the spec names one.
    pub error_schema: Option<String>,
}

/// Extensions on one operation.
#[derive(Debug, Clone, Default, Serialize)]
pub struct OperationExtensions {
    pub rate_limits: RateLimits,
    pub idempotency: Option<Idempotency>,
    pub pagination: Option<Pagination>,
    /// `x-envelope: false` on an operation opts it out of the root's envelope.
    pub envelope: bool,
    /// `x-sunset`: when a deprecated operation goes away (an HTTP date, RFC 8594).
    pub sunset: Option<String>,
    /// `x-deprecated-at`: since when the operation is deprecated (Unix seconds,
    /// from an HTTP date), sent as `Deprecation: @<seconds>` (RFC 9745).
    pub deprecated_at: Option<i64>,
    /// Its version is deprecated (the root's `x-deprecation`), which also
    /// gives the dates it lacks and the link to the migration notes.
    pub version_deprecated: bool,
    /// Where the migration notes are, sent as `Link: <url>; rel="deprecation"`.
    pub deprecation_link: Option<String>,
}

/// What limits apply to an operation.
#[derive(Debug, Clone, Default, Serialize)]
pub enum RateLimits {
    /// The root defaults, plus these policies (a policy named like a default replaces it).
    #[default]
    Inherit,
    Add(Vec<RateLimitPolicy>),
    /// `x-rate-limit: false`: never limited.
    Exempt,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RateLimitPolicy {
    /// Shows in `RateLimit-Policy` (`"default";q=100;w=60`).
    pub name: String,
    pub requests: u64,
    pub window_seconds: u64,
    pub key: RateLimitKey,
    pub algorithm: RateLimitAlgorithm,
    /// Per-tier request quotas; principals without a tier get `requests`.
    pub tiers: Vec<(String, u64)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum RateLimitKey {
    /// The authenticated principal, or the client IP when there is none.
    Principal,
    ClientIp,
    Header(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum RateLimitAlgorithm {
    Gcra,
    SlidingWindow,
    FixedWindow,
    TokenBucket,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Idempotency {
    pub required: bool,
    pub retention_seconds: u64,
    pub lock_timeout_seconds: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Pagination {
    Page {
        page_param: String,
        per_page_param: String,
    },
    Cursor {
        cursor_param: String,
        limit_param: String,
    },
}
