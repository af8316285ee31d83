//! How an operation looks on the wire, shared by the server and client
//! emitters: envelopes, list bodies, routes and status names.

use crate::ir::{Api, Operation, Pagination, Response, Schema, StatusCode, TypeRef};

/// Whether bodies of this operation are wrapped in the envelope.
pub fn uses_envelope(api: &Api, operation: &Operation) -> bool {
    api.extensions.envelope.is_some() && operation.extensions.envelope
}

/// The schema of a list response's items, for paginated operations.
pub fn list_items<'a>(operation: &Operation, response: &'a Response) -> Option<&'a Schema> {
    operation.extensions.pagination.as_ref()?;
    match &response.body.as_ref()?.ty {
        TypeRef::Array(items) => Some(items),
        _ => None,
    }
}

/// `<Op>RequestBody`: the name of the enum, on both sides, of an operation
/// whose content types read into different values.
pub fn body_choice_name(operation: &Operation) -> String {
    format!("{}RequestBody", operation.type_stem)
}

pub fn pagination(operation: &Operation) -> Option<&Pagination> {
    operation.extensions.pagination.as_ref()
}

/// The full path template with its base path (axum's syntax is OpenAPI's): `/v1/users/{user_id}`.
pub fn route(operation: &Operation) -> String {
    format!("{}{}", operation.base_path, operation.path)
}

/// The variant name for a status: `201` -> `Created`.
pub fn status_variant(status: StatusCode) -> String {
    match status {
        StatusCode::Code(code) => match code {
            200 => "Ok".into(),
            201 => "Created".into(),
            202 => "Accepted".into(),
            204 => "NoContent".into(),
            301 => "MovedPermanently".into(),
            302 => "Found".into(),
            304 => "NotModified".into(),
            400 => "BadRequest".into(),
            401 => "Unauthorized".into(),
            402 => "PaymentRequired".into(),
            403 => "Forbidden".into(),
            404 => "NotFound".into(),
            405 => "MethodNotAllowed".into(),
            406 => "NotAcceptable".into(),
            409 => "Conflict".into(),
            410 => "Gone".into(),
            412 => "PreconditionFailed".into(),
            413 => "PayloadTooLarge".into(),
            415 => "UnsupportedMediaType".into(),
            422 => "UnprocessableEntity".into(),
            429 => "TooManyRequests".into(),
            500 => "InternalServerError".into(),
            501 => "NotImplemented".into(),
            502 => "BadGateway".into(),
            503 => "ServiceUnavailable".into(),
            504 => "GatewayTimeout".into(),
            other => format!("Status{other}"),
        },
        StatusCode::Range(digit) => format!("Status{digit}xx"),
        StatusCode::Default => "Other".into(),
    }
}

/// Whether `schema` is the envelope's error schema (its `error` member).
pub fn is_error_schema(api: &Api, schema: &Schema) -> bool {
    matches!((&schema.ty, api.envelope_error_type()), (TypeRef::Named(id), Some(error)) if *id == error)
}

/// "`GET /v1/users`: summary", then the description: the opening of an
/// operation's docs wherever it shows.
pub fn operation_docs(operation: &Operation) -> String {
    let mut text = format!("`{} {}`", operation.method.as_str(), route(operation));
    if let Some(summary) = &operation.summary {
        text.push_str(": ");
        text.push_str(summary.trim());
    }
    if let Some(description) = &operation.description {
        text.push_str("\n\n");
        text.push_str(description.trim());
    }
    text
}
