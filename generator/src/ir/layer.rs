//! What the generated layer around the handlers does for an operation:
//! its rate limits, the errors it may answer, and which of its parts
//! (limiter, idempotency store, pagination) the API uses at all.

use super::{
    Api, BodyEncoding, Operation, Pagination, RateLimitPolicy, RateLimits, Security,
    SecuritySchemeKind,
};

impl Api {
    /// Whether the server needs its rate limiter: an operation is limited,
    /// or is public and idempotent (its keys are scoped by client address).
    pub fn uses_limiter(&self) -> bool {
        self.operations.iter().any(|o| {
            !self.rate_limit_policies(o).is_empty()
                || (o.idempotency().is_some() && !o.is_secured())
        })
    }

    /// Whether any operation takes an `Idempotency-Key`.
    pub fn uses_idempotency(&self) -> bool {
        self.operations.iter().any(|o| o.idempotency().is_some())
    }

    /// Whether `operation` is both rate limited and takes idempotency keys,
    /// so its limits are checked with its key's claim.
    pub fn limits_with_claim(&self, operation: &Operation) -> bool {
        operation.idempotency().is_some() && !self.rate_limit_policies(operation).is_empty()
    }

    /// Whether any operation checks its limits with its key's claim.
    pub fn limits_idempotent_operations(&self) -> bool {
        self.operations.iter().any(|o| self.limits_with_claim(o))
    }

    /// Whether the server keeps state between requests (rate-limit counters
    /// or idempotency records), so it has a memory and a Redis backend.
    pub fn has_server_state(&self) -> bool {
        self.uses_limiter() || self.uses_idempotency()
    }

    /// Whether an operation accepts a `bearerFormat: JWT` scheme, so the
    /// server has a token verifier.
    pub fn uses_jwt(&self) -> bool {
        let jwt_schemes: Vec<&str> = self
            .security_schemes
            .iter()
            .filter(|s| s.kind.is_jwt())
            .map(|s| s.name.wire.as_str())
            .collect();
        !jwt_schemes.is_empty()
            && self.operations.iter().any(|o| match &o.security {
                Security::AnyOf(requirements) => requirements
                    .iter()
                    .flat_map(|r| &r.schemes)
                    .any(|name| jwt_schemes.contains(&name.as_str())),
                Security::Public => false,
            })
    }

    /// Whether any list is paginated.
    pub fn uses_pagination(&self) -> bool {
        self.operations
            .iter()
            .any(|o| o.extensions.pagination.is_some())
    }

    /// Whether any list is paginated by signed cursors.
    pub fn uses_cursors(&self) -> bool {
        self.operations
            .iter()
            .any(|o| matches!(o.extensions.pagination, Some(Pagination::Cursor { .. })))
    }
}

impl Api {
    /// The rate-limit policies of an operation: the root's, with the
    /// operation's own added (replacing a root policy of the same name).
    pub fn rate_limit_policies<'a>(&'a self, operation: &'a Operation) -> Vec<&'a RateLimitPolicy> {
        let added: &[RateLimitPolicy] = match &operation.extensions.rate_limits {
            RateLimits::Exempt => return Vec::new(),
            RateLimits::Inherit => &[],
            RateLimits::Add(policies) => policies,
        };
        let mut policies: Vec<&RateLimitPolicy> = self
            .extensions
            .rate_limits
            .iter()
            .filter(|root| added.iter().all(|own| own.name != root.name))
            .collect();
        policies.extend(added);
        policies
    }
}

impl Api {
    /// The error responses the generated layer itself may give for an
    /// operation, whether or not the spec declares them.
    pub fn layer_errors(&self, operation: &Operation) -> Vec<LayerError> {
        let mut errors = Vec::new();
        let reads_input = !operation.parameters.is_empty() || operation.request_body.is_some();
        if reads_input
            || matches!(
                operation.extensions.pagination,
                Some(Pagination::Cursor { .. })
            )
        {
            errors.push(LayerError::new(400, "The request breaks the schema (`VALIDATION_ERROR`), is not JSON (`INVALID_JSON`) or has a cursor the server did not issue (`INVALID_CURSOR`)."));
        }
        if operation.is_secured() {
            errors.push(LayerError::new(
                401,
                "Missing or invalid credentials (`UNAUTHORIZED`).",
            ));
        }
        if let Some(body) = &operation.request_body {
            errors.push(LayerError::new(
                413,
                "The body is over the size limit (`PAYLOAD_TOO_LARGE`).",
            ));
            errors.push(LayerError::new(
                415,
                if body.contents.len() == 1 && body.preferred().encoding == BodyEncoding::Json {
                    "The body is not JSON (`UNSUPPORTED_MEDIA_TYPE`)."
                } else {
                    "The body is not of a content type the operation accepts (`UNSUPPORTED_MEDIA_TYPE`)."
                },
            ));
        }
        if operation.idempotency().is_some() {
            errors.push(LayerError::new(409, "A request with this `Idempotency-Key` is still in progress (`REQUEST_IN_PROGRESS`).",
        ));
            errors.push(LayerError::new(422, "This `Idempotency-Key` was used for a different request (`IDEMPOTENCY_KEY_REUSED`).",
        ));
        }
        if !self.rate_limit_policies(operation).is_empty() {
            errors.push(LayerError::new(
                429,
                "Too many requests (`RATE_LIMIT_EXCEEDED`); retry after `Retry-After` seconds.",
            ));
        }
        errors.push(LayerError::new(
            500,
            "The server failed (`INTERNAL_ERROR`).",
        ));
        if operation.idempotency().is_some() {
            errors.push(LayerError::new(503, "The request took too long (`REQUEST_TIMEOUT`), or the idempotency store is unreachable (`SERVICE_UNAVAILABLE`)."));
        } else {
            errors.push(LayerError::new(
                503,
                "The request took too long (`REQUEST_TIMEOUT`).",
            ));
        }
        errors
    }
}

/// An error response of the generated layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LayerError {
    pub status: u16,
    /// Markdown for the effective document, naming the codes.
    pub description: &'static str,
}

impl LayerError {
    fn new(status: u16, description: &'static str) -> Self {
        LayerError {
            status,
            description,
        }
    }
}

impl SecuritySchemeKind {
    /// An HTTP bearer scheme whose `bearerFormat` is `JWT`.
    pub fn is_jwt(&self) -> bool {
        matches!(self, SecuritySchemeKind::HttpBearer { format: Some(format) } if format.eq_ignore_ascii_case("jwt"))
    }
}
