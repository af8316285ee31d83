//! Every kind of change `specforge diff` reports, with a stable id and its
//! class. The class is decided from a client's point of view, including a
//! generated Rust client's: a change is breaking when a client built
//! against the old document stops working, or stops compiling, against the
//! new one.

/// One kind of change.
#[derive(Debug)]
pub struct Check {
    /// Stable: CI scripts and `docs/diff.md` name it.
    pub id: &'static str,
    pub breaking: bool,
    /// Why it is (or is not) breaking, in one line.
    pub rationale: &'static str,
}

const fn breaking(id: &'static str, rationale: &'static str) -> Check {
    Check {
        id,
        breaking: true,
        rationale,
    }
}

const fn safe(id: &'static str, rationale: &'static str) -> Check {
    Check {
        id,
        breaking: false,
        rationale,
    }
}

// Operations.
pub const OPERATION_REMOVED: Check = breaking(
    "operation-removed",
    "clients that call the operation get 404 or 405, and generated clients lose the method",
);
pub const OPERATION_ADDED: Check = safe("operation-added", "no existing client calls it");
pub const OPERATION_ID_CHANGED: Check = breaking(
    "operation-id-changed",
    "generated clients name their methods after operationIds, so the method is renamed",
);
pub const OPERATION_DEPRECATED: Check = safe(
    "operation-deprecated",
    "the operation still works; clients are told to move on",
);
pub const SECURITY_ADDED: Check = breaking(
    "security-added",
    "clients that called without credentials now get 401",
);
pub const SECURITY_CHANGED: Check = breaking(
    "security-changed",
    "the credentials clients send no longer satisfy any accepted requirement",
);
pub const SECURITY_RELAXED: Check = safe(
    "security-relaxed",
    "every credential that worked still works",
);
pub const SECURITY_SCHEME_CHANGED: Check = breaking(
    "security-scheme-changed",
    "clients send the credential where or as the old scheme said",
);
pub const PAGINATION_CHANGED: Check = breaking(
    "pagination-changed",
    "clients page with the old parameters and read the old pagination metadata",
);
pub const IDEMPOTENCY_KEY_REQUIRED: Check = breaking(
    "idempotency-key-required",
    "clients that send no Idempotency-Key now get 400",
);
pub const IDEMPOTENCY_REMOVED: Check = breaking(
    "idempotency-removed",
    "clients that retry with the same Idempotency-Key may now run the operation twice",
);
pub const IDEMPOTENCY_ADDED: Check = safe(
    "idempotency-added",
    "the key is optional, so clients that send none keep working",
);
pub const ENVELOPE_CHANGED: Check = breaking(
    "envelope-changed",
    "every body changes shape when the response envelope is turned on or off",
);

// Parameters.
pub const REQUEST_PARAMETER_REMOVED: Check = breaking(
    "request-parameter-removed",
    "the server ignores or rejects what clients send, and generated clients lose the argument",
);
pub const NEW_REQUIRED_REQUEST_PARAMETER: Check = breaking(
    "new-required-request-parameter",
    "clients that do not send it get 400",
);
pub const NEW_OPTIONAL_REQUEST_PARAMETER: Check =
    safe("new-optional-request-parameter", "clients may leave it out");
pub const REQUEST_PARAMETER_BECAME_REQUIRED: Check = breaking(
    "request-parameter-became-required",
    "clients that leave it out get 400",
);
pub const REQUEST_PARAMETER_BECAME_OPTIONAL: Check = safe(
    "request-parameter-became-optional",
    "clients that send it keep working",
);
pub const REQUEST_PARAMETER_SERIALIZATION_CHANGED: Check = breaking(
    "request-parameter-serialization-changed",
    "clients encode the value with the old style or explode setting",
);

// Request bodies.
pub const NEW_REQUIRED_REQUEST_BODY: Check = breaking(
    "new-required-request-body",
    "clients that send no body get 400",
);
pub const NEW_OPTIONAL_REQUEST_BODY: Check =
    safe("new-optional-request-body", "clients may send no body");
pub const REQUEST_BODY_REMOVED: Check = breaking(
    "request-body-removed",
    "the server no longer reads what clients send, and generated clients lose the argument",
);
pub const REQUEST_BODY_BECAME_REQUIRED: Check = breaking(
    "request-body-became-required",
    "clients that send no body get 400",
);
pub const REQUEST_BODY_BECAME_OPTIONAL: Check = safe(
    "request-body-became-optional",
    "clients that send a body keep working",
);
pub const REQUEST_MEDIA_TYPE_REMOVED: Check = breaking(
    "request-media-type-removed",
    "clients that send that media type get 415",
);
pub const REQUEST_MEDIA_TYPE_ADDED: Check = safe(
    "request-media-type-added",
    "clients keep sending the old one",
);

// Request schemas: bodies and parameter values.
pub const REQUEST_PROPERTY_REMOVED: Check = breaking(
    "request-property-removed",
    "the server ignores or rejects the field, and generated clients lose it",
);
pub const NEW_REQUIRED_REQUEST_PROPERTY: Check = breaking(
    "new-required-request-property",
    "clients that do not send it get 400",
);
pub const NEW_OPTIONAL_REQUEST_PROPERTY: Check =
    safe("new-optional-request-property", "clients may leave it out");
pub const REQUEST_PROPERTY_BECAME_REQUIRED: Check = breaking(
    "request-property-became-required",
    "clients that leave it out get 400",
);
pub const REQUEST_PROPERTY_BECAME_OPTIONAL: Check = safe(
    "request-property-became-optional",
    "clients that send it keep working",
);
pub const REQUEST_TYPE_NARROWED: Check = breaking(
    "request-type-narrowed",
    "values clients sent before (a type, format, bound, pattern or null) are now rejected",
);
pub const REQUEST_TYPE_WIDENED: Check = safe(
    "request-type-widened",
    "every value clients sent before is still accepted",
);
pub const REQUEST_TYPE_CHANGED: Check = breaking(
    "request-type-changed",
    "the value clients send is now validated against something else",
);
pub const REQUEST_ENUM_VALUE_REMOVED: Check = breaking(
    "request-enum-value-removed",
    "clients that send the value get 400, and generated clients lose the variant",
);
pub const REQUEST_ENUM_VALUE_ADDED: Check = safe(
    "request-enum-value-added",
    "every value clients sent before is still accepted",
);

// Responses.
pub const RESPONSE_STATUS_REMOVED: Check = breaking(
    "response-status-removed",
    "clients that handle the status lose it, and generated clients lose its type",
);
pub const RESPONSE_STATUS_ADDED: Check = safe(
    "response-status-added",
    "clients that do not know the status handle it as an unexpected one, as before",
);
pub const RESPONSE_MEDIA_TYPE_REMOVED: Check = breaking(
    "response-media-type-removed",
    "clients that ask for or parse that media type no longer get it",
);
pub const RESPONSE_MEDIA_TYPE_ADDED: Check = safe(
    "response-media-type-added",
    "clients keep asking for the old one",
);
pub const RESPONSE_HEADER_REMOVED: Check = breaking(
    "response-header-removed",
    "clients that read the header no longer find it",
);
pub const RESPONSE_HEADER_ADDED: Check = safe("response-header-added", "clients may ignore it");
pub const RESPONSE_HEADER_BECAME_OPTIONAL: Check = breaking(
    "response-header-became-optional",
    "clients that rely on the header may not find it",
);

// Response schemas.
pub const RESPONSE_PROPERTY_REMOVED: Check = breaking(
    "response-property-removed",
    "clients that read the field no longer find it, and generated clients lose it",
);
pub const RESPONSE_PROPERTY_ADDED: Check = safe(
    "response-property-added",
    "clients ignore fields they do not know",
);
pub const RESPONSE_PROPERTY_BECAME_OPTIONAL: Check = breaking(
    "response-property-became-optional",
    "clients that rely on the field may not find it, and generated clients change its type to an Option",
);
pub const RESPONSE_PROPERTY_BECAME_REQUIRED: Check = safe(
    "response-property-became-required",
    "clients that handle its absence still work",
);
pub const RESPONSE_TYPE_WIDENED: Check = breaking(
    "response-type-widened",
    "clients may now receive values (a type, format, bound, pattern or null) they cannot handle",
);
pub const RESPONSE_TYPE_NARROWED: Check = safe(
    "response-type-narrowed",
    "every value clients receive was possible before",
);
pub const RESPONSE_TYPE_CHANGED: Check = breaking(
    "response-type-changed",
    "clients parse the value as something it no longer is",
);
pub const RESPONSE_ENUM_VALUE_ADDED: Check = breaking(
    "response-enum-value-added",
    "clients meet a value they do not know, and exhaustive matches in generated Rust clients fail",
);
pub const RESPONSE_ENUM_VALUE_REMOVED: Check = safe(
    "response-enum-value-removed",
    "every value clients receive was possible before",
);

/// Every check, in the order `docs/diff.md` lists them.
pub const CHECKS: &[&Check] = &[
    &OPERATION_REMOVED,
    &OPERATION_ADDED,
    &OPERATION_ID_CHANGED,
    &OPERATION_DEPRECATED,
    &SECURITY_ADDED,
    &SECURITY_CHANGED,
    &SECURITY_RELAXED,
    &SECURITY_SCHEME_CHANGED,
    &PAGINATION_CHANGED,
    &IDEMPOTENCY_KEY_REQUIRED,
    &IDEMPOTENCY_REMOVED,
    &IDEMPOTENCY_ADDED,
    &ENVELOPE_CHANGED,
    &REQUEST_PARAMETER_REMOVED,
    &NEW_REQUIRED_REQUEST_PARAMETER,
    &NEW_OPTIONAL_REQUEST_PARAMETER,
    &REQUEST_PARAMETER_BECAME_REQUIRED,
    &REQUEST_PARAMETER_BECAME_OPTIONAL,
    &REQUEST_PARAMETER_SERIALIZATION_CHANGED,
    &NEW_REQUIRED_REQUEST_BODY,
    &NEW_OPTIONAL_REQUEST_BODY,
    &REQUEST_BODY_REMOVED,
    &REQUEST_BODY_BECAME_REQUIRED,
    &REQUEST_BODY_BECAME_OPTIONAL,
    &REQUEST_MEDIA_TYPE_REMOVED,
    &REQUEST_MEDIA_TYPE_ADDED,
    &REQUEST_PROPERTY_REMOVED,
    &NEW_REQUIRED_REQUEST_PROPERTY,
    &NEW_OPTIONAL_REQUEST_PROPERTY,
    &REQUEST_PROPERTY_BECAME_REQUIRED,
    &REQUEST_PROPERTY_BECAME_OPTIONAL,
    &REQUEST_TYPE_NARROWED,
    &REQUEST_TYPE_WIDENED,
    &REQUEST_TYPE_CHANGED,
    &REQUEST_ENUM_VALUE_REMOVED,
    &REQUEST_ENUM_VALUE_ADDED,
    &RESPONSE_STATUS_REMOVED,
    &RESPONSE_STATUS_ADDED,
    &RESPONSE_MEDIA_TYPE_REMOVED,
    &RESPONSE_MEDIA_TYPE_ADDED,
    &RESPONSE_HEADER_REMOVED,
    &RESPONSE_HEADER_ADDED,
    &RESPONSE_HEADER_BECAME_OPTIONAL,
    &RESPONSE_PROPERTY_REMOVED,
    &RESPONSE_PROPERTY_ADDED,
    &RESPONSE_PROPERTY_BECAME_OPTIONAL,
    &RESPONSE_PROPERTY_BECAME_REQUIRED,
    &RESPONSE_TYPE_WIDENED,
    &RESPONSE_TYPE_NARROWED,
    &RESPONSE_TYPE_CHANGED,
    &RESPONSE_ENUM_VALUE_ADDED,
    &RESPONSE_ENUM_VALUE_REMOVED,
];
