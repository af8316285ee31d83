//! The effective OpenAPI document: the spec as the generated server really
//! answers, served at `GET /openapi.json` so tools such as schemathesis can
//! hold the server to it.
//!
//! Starting from the bundled spec it inlines shared responses, wraps bodies
//! in the envelope where `x-envelope` asks for it, adds the responses the
//! generated layer itself gives (400, 401, 409, 413, 415, 422, 429, 500, 503),
//! the headers it sets (`X-Request-ID`, `WWW-Authenticate`, rate limits,
//! `Idempotency-Replay`, `Deprecation`, `Sunset`), `Idempotency-Key`, and the
//! `/openapi.json` operation.

use serde_json::{json, Map, Value};

use crate::ir::{Api, Operation, Pagination};
use crate::load::{escape_segment, Version};

const META: &str = "SpecforgeMeta";
const LAYER_ERROR: &str = "SpecforgeErrorEnvelope";
const PAGE: &str = "SpecforgePagePagination";
const CURSOR: &str = "SpecforgeCursorPagination";

/// The route the document is served at.
pub const DOCUMENT_ROUTE: &str = "/openapi.json";

mod served;

/// The document, or `None` when the spec has its own `/openapi.json` route.
///
/// It keeps the version the spec declares, so what it adds is written in
/// that version's dialect.
pub fn document(raw: &Value, version: Version, api: &Api) -> Option<Value> {
    if api
        .operations
        .iter()
        .any(|o| o.base_path.is_empty() && o.path == DOCUMENT_ROUTE)
    {
        return None;
    }
    let mut document = raw.clone();
    let components = raw.get("components").cloned().unwrap_or_else(|| json!({}));
    for operation in &api.operations {
        let Some(node) = pointer_mut(&mut document, &operation.pointer) else {
            continue;
        };
        rewrite_operation(node, &components, api, operation);
    }
    add_components(&mut document, api, version);
    absolute_paths(&mut document, api);
    served::add_document_route(&mut document);
    served::drop_unused_responses(&mut document);
    Some(document)
}

/// Paths with their base path (`/v1/users`) under one server at the root, so
/// the document names every route as the server serves it, without
/// per-path `servers` that tools may not honour.
fn absolute_paths(document: &mut Value, api: &Api) {
    let root_url = document
        .get("servers")
        .and_then(|s| s.get(0))
        .and_then(|s| s.get("url"))
        .and_then(Value::as_str)
        .map(|url| {
            url.strip_suffix(api.base_path.as_str())
                .unwrap_or(url)
                .to_string()
        });
    if let Some(url) = root_url {
        document["servers"] = json!([{ "url": url }]);
    }
    let Some(paths) = document.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    let old = std::mem::take(paths);
    for (path, mut item) in old {
        let base = api
            .operations
            .iter()
            .find(|o| o.path == path)
            .map_or(api.base_path.as_str(), |o| o.base_path.as_str());
        if let Some(item) = item.as_object_mut() {
            item.remove("servers");
            for operation in item.values_mut().filter_map(Value::as_object_mut) {
                operation.remove("servers");
            }
        }
        paths.insert(format!("{base}{path}"), item);
    }
}

fn pointer_mut<'a>(document: &'a mut Value, pointer: &str) -> Option<&'a mut Value> {
    document.pointer_mut(pointer.strip_prefix('#').unwrap_or(pointer))
}

fn schema_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{}", escape_segment(name)) })
}

fn has_envelope(api: &Api, operation: &Operation) -> bool {
    api.extensions.envelope.is_some() && operation.extensions.envelope
}

fn rewrite_operation(node: &mut Value, components: &Value, api: &Api, operation: &Operation) {
    let Some(object) = node.as_object_mut() else {
        return;
    };
    let responses = object
        .entry("responses")
        .or_insert_with(|| json!({}))
        .as_object_mut()
        .map(std::mem::take)
        .unwrap_or_default();
    let mut rewritten = Map::new();
    for (status, response) in responses {
        let mut response = resolve_response(response, components);
        if has_envelope(api, operation) {
            wrap_bodies(&mut response, &status, operation);
        }
        add_headers(&mut response, api, operation, &status);
        rewritten.insert(status, response);
    }
    for layer in api.layer_errors(operation) {
        let status = layer.status.to_string();
        if !rewritten.contains_key(&status) {
            let description = layer.description;
            let mut response = json!({
                "description": description,
                "content": {"application/json": {"schema": schema_ref(LAYER_ERROR)}},
            });
            add_headers(&mut response, api, operation, &status);
            rewritten.insert(status, response);
        }
    }
    object.insert("responses".into(), Value::Object(rewritten));
    if let Some(idempotency) = operation.idempotency() {
        add_idempotency_key(object, idempotency.required);
    }
}

/// Declares the `Idempotency-Key` header, unless the spec already does.
fn add_idempotency_key(operation: &mut Map<String, Value>, required: bool) {
    let parameters = operation.entry("parameters").or_insert_with(|| json!([]));
    let Some(parameters) = parameters.as_array_mut() else {
        return;
    };
    let declared = parameters.iter().any(|parameter| {
        parameter["in"] == "header"
            && parameter["name"]
                .as_str()
                .is_some_and(|name| name.eq_ignore_ascii_case("idempotency-key"))
    });
    if !declared {
        parameters.push(json!({
            "name": "Idempotency-Key",
            "in": "header",
            "required": required,
            "description": "A key unique to this request (at most 255 characters): a retry with the same key and body gets the first response again instead of running twice.",
            "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[\\x20-\\x7E]+$"},
        }));
    }
}

/// A `$ref` to a shared response becomes a copy, since each use is changed apart.
fn resolve_response(response: Value, components: &Value) -> Value {
    let mut response = response;
    for _ in 0..8 {
        let Some(reference) = response.get("$ref").and_then(Value::as_str) else {
            break;
        };
        let Some(name) = reference.strip_prefix("#/components/responses/") else {
            break;
        };
        let name = name.replace("~1", "/").replace("~0", "~");
        match components.get("responses").and_then(|r| r.get(&name)) {
            Some(target) => response = target.clone(),
            None => break,
        }
    }
    response
}

fn wrap_bodies(response: &mut Value, status: &str, operation: &Operation) {
    let Some(content) = response.get_mut("content").and_then(Value::as_object_mut) else {
        return;
    };
    let success = status.starts_with('1') || status.starts_with('2') || status.starts_with('3');
    for media in content.values_mut() {
        let Some(schema) = media.get_mut("schema") else {
            continue;
        };
        let inner = schema.take();
        *schema = if !success {
            json!({
                "type": "object",
                "required": ["success", "error", "meta"],
                "properties": {
                    "success": {"type": "boolean", "enum": [false]},
                    "error": inner,
                    "meta": schema_ref(META),
                },
            })
        } else {
            let mut properties = json!({
                "success": {"type": "boolean", "enum": [true]},
                "data": inner,
                "meta": schema_ref(META),
            });
            let mut required = vec!["success", "data", "meta"];
            let pagination = match &operation.extensions.pagination {
                Some(Pagination::Page { .. }) => Some(PAGE),
                Some(Pagination::Cursor { .. }) => Some(CURSOR),
                None => None,
            };
            if let Some(pagination) = pagination.filter(|_| status.starts_with('2')) {
                properties["pagination"] = schema_ref(pagination);
                required.push("pagination");
            }
            json!({"type": "object", "required": required, "properties": properties})
        };
    }
}

fn add_headers(response: &mut Value, api: &Api, operation: &Operation, status: &str) {
    let Some(object) = response.as_object_mut() else {
        return;
    };
    let headers = object
        .entry("headers")
        .or_insert_with(|| json!({}))
        .as_object_mut()
        .expect("headers is an object");
    headers.insert(
        "X-Request-ID".into(),
        json!({"description": "The id of the request (the client's, or one the server made).", "required": true, "schema": {"type": "string"}}),
    );
    if status == "401" && operation.is_secured() {
        headers.insert(
            "WWW-Authenticate".into(),
            json!({"description": "The scheme to authenticate with.", "required": true, "schema": {"type": "string"}}),
        );
    }
    let deprecated = operation.deprecated || operation.extensions.version_deprecated;
    if deprecated && operation.extensions.deprecated_at.is_some() {
        headers.insert(
            "Deprecation".into(),
            json!({"description": "Since when the operation is deprecated (RFC 9745).", "required": true, "schema": {"type": "string"}}),
        );
    }
    if deprecated && operation.extensions.deprecation_link.is_some() {
        headers.insert(
            "Link".into(),
            json!({"description": "The migration notes: `<url>; rel=\"deprecation\"`.", "required": true, "schema": {"type": "string"}}),
        );
    }
    if operation.extensions.sunset.is_some() {
        headers.insert(
            "Sunset".into(),
            json!({"description": "When the operation goes away (RFC 8594).", "required": true, "schema": {"type": "string"}}),
        );
    }
    // Answers before the limiter (401) carry no rate-limit headers, and an
    // unreachable Redis sends none, so they are optional.
    if !api.rate_limit_policies(operation).is_empty() && status != "401" {
        for (name, description, schema) in [
            ("RateLimit-Policy", "The policies that apply: `\"name\";q=<quota>;w=<window seconds>`, one per policy.", json!({"type": "string"})),
            ("RateLimit", "What is left of each policy: `\"name\";r=<remaining>;t=<seconds until more quota>`.", json!({"type": "string"})),
            ("X-RateLimit-Limit", "The quota of the policy closest to running out.", json!({"type": "integer"})),
            ("X-RateLimit-Remaining", "What is left of that policy.", json!({"type": "integer"})),
            ("X-RateLimit-Reset", "When that policy has more quota (Unix seconds).", json!({"type": "integer"})),
        ] {
            headers.insert(
                name.into(),
                json!({"description": description, "required": false, "schema": schema}),
            );
        }
        if status == "429" {
            headers.insert(
                "Retry-After".into(),
                json!({"description": "Seconds to wait before retrying (at least 1).", "required": true, "schema": {"type": "integer", "minimum": 1}}),
            );
        }
    }
    if operation.idempotency().is_some() && status.starts_with(['2', '3', '4']) {
        headers.insert(
            "Idempotency-Replay".into(),
            json!({"description": "`true` when this is the stored response of an earlier request with the same `Idempotency-Key`.", "required": false, "schema": {"type": "string", "enum": ["true"]}}),
        );
    }
}

fn add_components(document: &mut Value, api: &Api, version: Version) {
    let Some(root) = document.as_object_mut() else {
        return;
    };
    let components = root.entry("components").or_insert_with(|| json!({}));
    let Some(components) = components.as_object_mut() else {
        return;
    };
    let schemas = components.entry("schemas").or_insert_with(|| json!({}));
    let Some(schemas) = schemas.as_object_mut() else {
        return;
    };
    schemas.insert(
        META.into(),
        json!({
            "type": "object",
            "description": "The `meta` of every envelope: the request's id and when it was answered.",
            "required": ["request_id", "timestamp"],
            "properties": {
                "request_id": {"type": "string"},
                "timestamp": {"type": "string", "format": "date-time"},
            },
        }),
    );
    schemas.insert(
        LAYER_ERROR.into(),
        json!({
            "type": "object",
            "description": "An error the generated server layer gives.",
            "required": ["success", "error", "meta"],
            "properties": {
                "success": {"type": "boolean", "enum": [false]},
                "error": {
                    "type": "object",
                    "required": ["code", "message", "details"],
                    "properties": {
                        "code": {"type": "string"},
                        "message": {"type": "string"},
                        "details": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["field", "location", "message", "code"],
                                "properties": {
                                    "field": {"type": "string"},
                                    "location": {"type": "string", "enum": ["body", "query", "path", "header", "cookie"]},
                                    "message": {"type": "string"},
                                    "code": {"type": "string"},
                                },
                            },
                        },
                        "retry_after": {"type": "integer", "minimum": 1},
                    },
                },
                "meta": schema_ref(META),
            },
        }),
    );
    // Only the pagination schemas some list refers to: Spectral flags
    // unused components.
    let paginated = |page: bool| {
        api.operations.iter().any(|operation| {
            matches!(
                (&operation.extensions.pagination, page),
                (Some(Pagination::Page { .. }), true) | (Some(Pagination::Cursor { .. }), false)
            )
        })
    };
    if paginated(true) {
        schemas.insert(
            PAGE.into(),
            json!({
                "type": "object",
                "description": "Where a page of a page-numbered list stands.",
                "required": ["page", "per_page", "total", "total_pages"],
                "properties": {
                    "page": {"type": "integer", "minimum": 1},
                    "per_page": {"type": "integer", "minimum": 1},
                    "total": {"type": "integer", "minimum": 0},
                    "total_pages": {"type": "integer", "minimum": 0},
                },
            }),
        );
    }
    if paginated(false) {
        schemas.insert(
            CURSOR.into(),
        json!({
            "type": "object",
            "description": "Where a page of a cursor-paged list stands, and the cursor of the next.",
            "required": ["limit", "has_more", "next_cursor"],
            "properties": {
                "limit": {"type": "integer", "minimum": 1},
                "has_more": {"type": "boolean"},
                "next_cursor": nullable_string(version),
            },
        }),
    );
    }
}

/// A string or `null`, as the declared version spells it.
fn nullable_string(version: Version) -> Value {
    match version {
        Version::V30 => json!({"type": "string", "nullable": true}),
        Version::V31 => json!({"type": ["string", "null"]}),
    }
}
