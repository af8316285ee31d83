//! Visits every schema of a document with its JSON pointer.
//!
//! The walk follows the structure of an OpenAPI document (components, path
//! items, operations, parameters, media types) rather than guessing from key
//! names, so a parameter or header that happens to be called `schema` is not
//! mistaken for one, and example data is never visited.

use serde_json::Value;

use crate::load::escape_segment;

/// Called on each schema before its subschemas are visited, so rewrites it
/// makes (a new `oneOf`, say) are walked too.
pub type Visit<'a> = dyn FnMut(&mut Value, &str) + 'a;

/// Walks one kind of node (a path item, a parameter...) at a pointer.
type Walk = fn(&mut Value, &str, &mut Visit<'_>);

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Keywords whose value is one schema.
const SCHEMA_KEYWORDS: &[&str] = &[
    "additionalProperties",
    "unevaluatedProperties",
    "unevaluatedItems",
    "items",
    "not",
    "contains",
    "propertyNames",
    "if",
    "then",
    "else",
];

/// Keywords whose value is a list of schemas.
const SCHEMA_LIST_KEYWORDS: &[&str] = &["allOf", "anyOf", "oneOf", "prefixItems"];

/// Keywords whose value maps names to schemas.
const SCHEMA_MAP_KEYWORDS: &[&str] = &[
    "properties",
    "patternProperties",
    "dependentSchemas",
    "$defs",
    "definitions",
];

/// Visits every schema in `document`.
pub fn schemas(document: &mut Value, visit: &mut Visit<'_>) {
    let Some(root) = document.as_object_mut() else {
        return;
    };
    if let Some(paths) = root.get_mut("paths").and_then(Value::as_object_mut) {
        for (path, item) in paths.iter_mut() {
            path_item(item, &format!("#/paths/{}", escape_segment(path)), visit);
        }
    }
    if let Some(webhooks) = root.get_mut("webhooks").and_then(Value::as_object_mut) {
        for (name, item) in webhooks.iter_mut() {
            path_item(item, &format!("#/webhooks/{}", escape_segment(name)), visit);
        }
    }
    let Some(components) = root.get_mut("components").and_then(Value::as_object_mut) else {
        return;
    };
    let kinds: [(&str, Walk); 7] = [
        ("schemas", schema),
        ("parameters", parameter),
        ("headers", parameter),
        ("responses", response),
        ("requestBodies", with_content),
        ("pathItems", path_item),
        ("callbacks", callback),
    ];
    for (kind, walk) in kinds {
        if let Some(entries) = components.get_mut(kind).and_then(Value::as_object_mut) {
            for (name, entry) in entries.iter_mut() {
                let pointer = format!("#/components/{kind}/{}", escape_segment(name));
                walk(entry, &pointer, visit);
            }
        }
    }
}

/// Visits `node` as a schema, then every subschema under it.
pub fn schema(node: &mut Value, pointer: &str, visit: &mut Visit<'_>) {
    if !node.is_object() {
        return;
    }
    visit(node, pointer);
    let Some(object) = node.as_object_mut() else {
        return;
    };
    for (key, value) in object.iter_mut() {
        let key = key.as_str();
        let here = format!("{pointer}/{}", escape_segment(key));
        if SCHEMA_KEYWORDS.contains(&key) {
            match value {
                // Draft 4 tuples: `items` as a list.
                Value::Array(items) => each_in_list(items, &here, visit),
                other => schema(other, &here, visit),
            }
        } else if SCHEMA_LIST_KEYWORDS.contains(&key) {
            if let Value::Array(items) = value {
                each_in_list(items, &here, visit);
            }
        } else if SCHEMA_MAP_KEYWORDS.contains(&key) {
            if let Value::Object(entries) = value {
                for (name, entry) in entries.iter_mut() {
                    schema(entry, &format!("{here}/{}", escape_segment(name)), visit);
                }
            }
        }
    }
}

fn each_in_list(items: &mut [Value], pointer: &str, visit: &mut Visit<'_>) {
    for (index, item) in items.iter_mut().enumerate() {
        schema(item, &format!("{pointer}/{index}"), visit);
    }
}

fn path_item(node: &mut Value, pointer: &str, visit: &mut Visit<'_>) {
    let Some(object) = node.as_object_mut() else {
        return;
    };
    for (key, value) in object.iter_mut() {
        let here = format!("{pointer}/{}", escape_segment(key));
        if key == "parameters" {
            parameter_list(value, &here, visit);
        } else if METHODS.contains(&key.as_str()) {
            operation(value, &here, visit);
        }
    }
}

fn operation(node: &mut Value, pointer: &str, visit: &mut Visit<'_>) {
    let Some(object) = node.as_object_mut() else {
        return;
    };
    for (key, value) in object.iter_mut() {
        let here = format!("{pointer}/{}", escape_segment(key));
        match key.as_str() {
            "parameters" => parameter_list(value, &here, visit),
            "requestBody" => with_content(value, &here, visit),
            "responses" => each_entry(value, &here, visit, response),
            "callbacks" => each_entry(value, &here, visit, callback),
            _ => {}
        }
    }
}

fn callback(node: &mut Value, pointer: &str, visit: &mut Visit<'_>) {
    each_entry(node, pointer, visit, path_item);
}

fn parameter_list(node: &mut Value, pointer: &str, visit: &mut Visit<'_>) {
    if let Value::Array(items) = node {
        for (index, item) in items.iter_mut().enumerate() {
            parameter(item, &format!("{pointer}/{index}"), visit);
        }
    }
}

/// A parameter or a header: a `schema`, or `content` with one.
fn parameter(node: &mut Value, pointer: &str, visit: &mut Visit<'_>) {
    if let Some(value) = node.get_mut("schema") {
        schema(value, &format!("{pointer}/schema"), visit);
    }
    with_content(node, pointer, visit);
}

fn response(node: &mut Value, pointer: &str, visit: &mut Visit<'_>) {
    if let Some(headers) = node.get_mut("headers") {
        each_entry(headers, &format!("{pointer}/headers"), visit, parameter);
    }
    with_content(node, pointer, visit);
}

/// A request body, response, parameter or header's `content` map.
fn with_content(node: &mut Value, pointer: &str, visit: &mut Visit<'_>) {
    let Some(content) = node.get_mut("content").and_then(Value::as_object_mut) else {
        return;
    };
    for (media_type, media) in content.iter_mut() {
        let here = format!("{pointer}/content/{}", escape_segment(media_type));
        if let Some(value) = media.get_mut("schema") {
            schema(value, &format!("{here}/schema"), visit);
        }
        if let Some(encoding) = media.get_mut("encoding").and_then(Value::as_object_mut) {
            for (property, entry) in encoding.iter_mut() {
                let at = format!("{here}/encoding/{}", escape_segment(property));
                if let Some(headers) = entry.get_mut("headers") {
                    each_entry(headers, &format!("{at}/headers"), visit, parameter);
                }
            }
        }
    }
}

fn each_entry(node: &mut Value, pointer: &str, visit: &mut Visit<'_>, walk: Walk) {
    if let Value::Object(entries) = node {
        for (name, entry) in entries.iter_mut() {
            walk(entry, &format!("{pointer}/{}", escape_segment(name)), visit);
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn visited(mut document: Value) -> Vec<String> {
        let mut seen = Vec::new();
        schemas(&mut document, &mut |_, pointer| {
            seen.push(pointer.to_string())
        });
        seen
    }

    #[test]
    fn visits_schemas_by_structure_not_by_key_name() {
        let document = json!({
            "paths": {"/a": {
                "parameters": [{"name": "schema", "in": "query", "schema": {"type": "string"}}],
                "post": {
                    "requestBody": {"content": {"application/json": {
                        "schema": {"type": "object", "properties": {"schema": {"type": "integer"}}},
                        "example": {"schema": {"type": "not visited"}}
                    }}},
                    "responses": {"200": {"description": "ok", "headers": {
                        "schema": {"schema": {"type": "string"}}
                    }}}
                }
            }},
            "components": {"schemas": {"A": {"items": [{"type": "string"}], "$defs": {"B": {}}}}}
        });
        assert_eq!(
            visited(document),
            [
                "#/paths/~1a/parameters/0/schema",
                "#/paths/~1a/post/requestBody/content/application~1json/schema",
                "#/paths/~1a/post/requestBody/content/application~1json/schema/properties/schema",
                "#/paths/~1a/post/responses/200/headers/schema/schema",
                "#/components/schemas/A",
                "#/components/schemas/A/items/0",
                "#/components/schemas/A/$defs/B",
            ]
        );
    }
}
