//! What the served document adds for itself and leaves out: its own
//! `GET /openapi.json` (tagged and described, as linters expect of every
//! operation), and the `components/responses` that inlining left unused.

use serde_json::{json, Value};

use super::DOCUMENT_ROUTE;
use crate::load::{escape_segment, references};

/// The tag of `GET /openapi.json`, declared at the top when the spec has not.
const DOCUMENT_TAG: &str = "documentation";

/// `GET /openapi.json`, public.
pub(super) fn add_document_route(document: &mut Value) {
    // A 3.1 document may have no `paths` (webhooks only).
    let Some(paths) = document
        .as_object_mut()
        .map(|root| root.entry("paths").or_insert_with(|| json!({})))
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    paths.insert(
        DOCUMENT_ROUTE.to_string(),
        json!({
            "get": {
                "operationId": "specforgeOpenApiDocument",
                "tags": [DOCUMENT_TAG],
                "summary": "This document",
                "description": "The OpenAPI document of this server: the spec with the responses, headers and envelopes the server adds.",
                "security": [],
                "responses": {
                    "200": {
                        "description": "The OpenAPI document of this server.",
                        "headers": {"X-Request-ID": {"required": true, "schema": {"type": "string"}}},
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    },
                },
            },
        }),
    );
    declare_document_tag(document);
}

/// Declares [`DOCUMENT_TAG`] among the top-level tags.
fn declare_document_tag(document: &mut Value) {
    let Some(root) = document.as_object_mut() else {
        return;
    };
    let tags = root.entry("tags").or_insert_with(|| json!([]));
    let Some(tags) = tags.as_array_mut() else {
        return;
    };
    if !tags
        .iter()
        .any(|tag| tag.get("name").and_then(Value::as_str) == Some(DOCUMENT_TAG))
    {
        tags.push(json!({
            "name": DOCUMENT_TAG,
            "description": "This API's own description.",
        }));
    }
}

/// Drops `components/responses` entries no `$ref` names: the served
/// document inlines every operation's responses.
pub(super) fn drop_unused_responses(document: &mut Value) {
    let references = references(document);
    let Some(components) = document
        .get_mut("components")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    let Some(responses) = components
        .get_mut("responses")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    responses.retain(|name, _| {
        references.contains(&format!("#/components/responses/{}", escape_segment(name)))
    });
    if responses.is_empty() {
        components.remove("responses");
    }
}
