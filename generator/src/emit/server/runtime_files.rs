//! Which runtime modules a server copies from `templates/server/runtime/`:
//! the ones every server needs, and those of the features its spec uses.

use crate::ir::Api;

/// Runtime modules that do not depend on the spec, copied verbatim.
const RUNTIME: &[(&str, &str)] = &[
    (
        "config",
        include_str!("../../../../templates/server/runtime/config.rs"),
    ),
    (
        "config_env",
        include_str!("../../../../templates/server/runtime/config_env.rs"),
    ),
    (
        "context",
        include_str!("../../../../templates/server/runtime/context.rs"),
    ),
    (
        "envelope",
        include_str!("../../../../templates/server/runtime/envelope.rs"),
    ),
    (
        "error",
        include_str!("../../../../templates/server/runtime/error.rs"),
    ),
    (
        "guard",
        include_str!("../../../../templates/server/runtime/guard.rs"),
    ),
    (
        "listener",
        include_str!("../../../../templates/server/runtime/listener.rs"),
    ),
    (
        "metrics",
        include_str!("../../../../templates/server/runtime/metrics.rs"),
    ),
    (
        "observe",
        include_str!("../../../../templates/server/runtime/observe.rs"),
    ),
    (
        "params",
        include_str!("../../../../templates/server/runtime/params.rs"),
    ),
    (
        "request",
        include_str!("../../../../templates/server/runtime/request.rs"),
    ),
    (
        "request_id",
        include_str!("../../../../templates/server/runtime/request_id.rs"),
    ),
    (
        "security",
        include_str!("../../../../templates/server/runtime/security.rs"),
    ),
    (
        "shutdown",
        include_str!("../../../../templates/server/runtime/shutdown.rs"),
    ),
];

/// Copied besides [`RUNTIME`] when the server keeps state (rate-limit
/// counters or idempotency records): its clock, names and backends.
const STATE_RUNTIME: &[(&str, &str)] = &[
    (
        "clock",
        include_str!("../../../../templates/server/runtime/clock.rs"),
    ),
    (
        "layers",
        include_str!("../../../../templates/server/runtime/layers.rs"),
    ),
    (
        "digest",
        include_str!("../../../../templates/server/runtime/digest.rs"),
    ),
    (
        "memory",
        include_str!("../../../../templates/server/runtime/memory.rs"),
    ),
    (
        "redis_store",
        include_str!("../../../../templates/server/runtime/redis_store.rs"),
    ),
];

/// Copied besides [`STATE_RUNTIME`] when an operation is rate limited.
const LIMITS_RUNTIME: &[(&str, &str)] = &[
    (
        "algorithms",
        include_str!("../../../../templates/server/runtime/algorithms.rs"),
    ),
    (
        "limit_check",
        include_str!("../../../../templates/server/runtime/limit_check.rs"),
    ),
    (
        "memory_limits",
        include_str!("../../../../templates/server/runtime/memory_limits.rs"),
    ),
    (
        "limit_decision",
        include_str!("../../../../templates/server/runtime/limit_decision.rs"),
    ),
    (
        "rate_limit",
        include_str!("../../../../templates/server/runtime/rate_limit.rs"),
    ),
    (
        "redis_limits",
        include_str!("../../../../templates/server/runtime/redis_limits.rs"),
    ),
];

/// Copied besides [`STATE_RUNTIME`] when an operation takes idempotency keys.
const IDEMPOTENCY_RUNTIME: &[(&str, &str)] = &[
    (
        "idempotency",
        include_str!("../../../../templates/server/runtime/idempotency.rs"),
    ),
    (
        "idempotency_key",
        include_str!("../../../../templates/server/runtime/idempotency_key.rs"),
    ),
    (
        "idempotency_records",
        include_str!("../../../../templates/server/runtime/idempotency_records.rs"),
    ),
    (
        "idempotency_store",
        include_str!("../../../../templates/server/runtime/idempotency_store.rs"),
    ),
    (
        "memory_idempotency",
        include_str!("../../../../templates/server/runtime/memory_idempotency.rs"),
    ),
    (
        "postgres_idempotency",
        include_str!("../../../../templates/server/runtime/postgres_idempotency.rs"),
    ),
    (
        "postgres_schema",
        include_str!("../../../../templates/server/runtime/postgres_schema.rs"),
    ),
    (
        "redis_idempotency",
        include_str!("../../../../templates/server/runtime/redis_idempotency.rs"),
    ),
];

/// Copied besides both of the above when an operation is rate limited
/// and takes idempotency keys.
const ADMISSION_RUNTIME: (&str, &str) = (
    "admission",
    include_str!("../../../../templates/server/runtime/admission.rs"),
);

/// Copied besides [`RUNTIME`] when the server serves its effective document.
const DOCS_RUNTIME: (&str, &str) = (
    "docs",
    include_str!("../../../../templates/server/runtime/docs.rs"),
);
/// Copied besides [`RUNTIME`] when a scheme's bearer tokens are JWTs.
const JWT_RUNTIME: (&str, &str) = (
    "jwt",
    include_str!("../../../../templates/server/runtime/jwt.rs"),
);
/// Copied besides [`RUNTIME`] when a list is paginated.
const PAGINATION_RUNTIME: (&str, &str) = (
    "pagination",
    include_str!("../../../../templates/server/runtime/pagination.rs"),
);
/// Copied besides [`RUNTIME`] when a public operation reads only parameters.
const HANDLE_RUNTIME: (&str, &str) = (
    "handle",
    include_str!("../../../../templates/server/runtime/handle.rs"),
);
/// Copied besides [`RUNTIME`] when a list is paginated by cursors.
const CURSOR_RUNTIME: (&str, &str) = (
    "cursor",
    include_str!("../../../../templates/server/runtime/cursor.rs"),
);
/// Copied besides [`RUNTIME`] when the API has form bodies.
const FORM_RUNTIME: (&str, &str) = (
    "form",
    include_str!("../../../../templates/server/runtime/form.rs"),
);
/// Copied besides [`RUNTIME`] when the API has streamed bodies.
const STREAM_RUNTIME: (&str, &str) = (
    "stream",
    include_str!("../../../../templates/server/runtime/stream.rs"),
);
/// Copied besides [`RUNTIME`] when responses carry deprecation headers.
const STATIC_HEADERS_RUNTIME: (&str, &str) = (
    "static_headers",
    include_str!("../../../../templates/server/runtime/static_headers.rs"),
);
/// Copied besides [`RUNTIME`] when the API has multipart bodies.
const MULTIPART_RUNTIME: (&str, &str) = (
    "multipart",
    include_str!("../../../../templates/server/runtime/multipart.rs"),
);

/// The runtime modules `api`'s server needs, sorted by name.
pub(super) fn selected(api: &Api) -> Vec<(&'static str, &'static str)> {
    let mut runtime = RUNTIME.to_vec();
    if api.has_server_state() {
        runtime.extend_from_slice(STATE_RUNTIME);
    }
    if api.uses_limiter() {
        runtime.extend_from_slice(LIMITS_RUNTIME);
    }
    if api.uses_idempotency() {
        runtime.extend_from_slice(IDEMPOTENCY_RUNTIME);
    }
    if api.limits_idempotent_operations() {
        runtime.push(ADMISSION_RUNTIME);
    }
    if api.effective_document.is_some() {
        runtime.push(DOCS_RUNTIME);
    }
    if api.uses_jwt() {
        runtime.push(JWT_RUNTIME);
    }
    if api.uses_pagination() {
        runtime.push(PAGINATION_RUNTIME);
    }
    if api.uses_cursors() {
        runtime.push(CURSOR_RUNTIME);
    }
    if api
        .operations
        .iter()
        .any(|o| super::whole_handler(api, o).is_some())
    {
        runtime.push(HANDLE_RUNTIME);
    }
    if api.has_form_bodies() {
        runtime.push(FORM_RUNTIME);
    }
    if api.has_multipart_bodies() {
        runtime.push(MULTIPART_RUNTIME);
    }
    if api.has_streamed_bodies() {
        runtime.push(STREAM_RUNTIME);
    }
    if super::routes::sends_deprecation_headers(api) {
        runtime.push(STATIC_HEADERS_RUNTIME);
    }
    runtime.sort();
    runtime
}
