//! Small mistakes in schemas, mended before the typed parse so that one bad
//! keyword costs that keyword, not the document.
//!
//! Each repair that changes what a schema means comes with a located
//! warning; rewrites that keep the meaning (an `int64` bound that overflowed
//! through a double) are silent.

use std::path::Path;

use serde_json::{json, Map, Value};

use super::walk;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::load::escape_segment;

/// Keywords whose values are schemas: stubbed out when one node is checked alone.
const SUBSCHEMAS: &[&str] = &[
    "properties",
    "items",
    "additionalProperties",
    "allOf",
    "anyOf",
    "oneOf",
    "not",
];

/// Mends every schema of `document` (in the 3.0 shape) in place.
pub fn repair(path: &Path, document: &mut Value, warnings: &mut Diagnostics) {
    let source = document.clone();
    walk::schemas(document, &mut |node, pointer| {
        let mut warn = |at: String, message: String, hint: &str| {
            warnings.push(
                Diagnostic::warning(message)
                    .in_file(path)
                    .at_pointer(at)
                    .with_hint(hint),
            );
        };
        foreign_reference(node, pointer, &source, &mut warn);
        let Some(object) = node.as_object_mut() else {
            return;
        };
        integer_bounds(object);
        enum_values(object, pointer, &mut warn);
        unparseable_keywords(object, pointer, &mut warn);
    });
}

type Warn<'a> = dyn FnMut(String, String, &str) + 'a;

/// A schema `$ref` to something other than a schema component: another
/// component kind (`#/components/responses/X`), or a node inside a schema.
/// The schema found there is used; where there is none, or several, the
/// value is free-form JSON.
fn foreign_reference(node: &mut Value, pointer: &str, source: &Value, warn: &mut Warn<'_>) {
    let Some(reference) = node.get("$ref").and_then(Value::as_str) else {
        return;
    };
    if is_component_schema(reference) || !reference.starts_with("#/") {
        return;
    }
    let reference = reference.to_string();
    let target = source.pointer(&reference[1..]);
    let replacement = target.and_then(|target| schema_inside(&reference, target));
    let at = format!("{pointer}/$ref");
    match replacement {
        Some(schema) => {
            warn(
                at,
                format!("`{reference}` is not a schema component; the schema it holds is used"),
                "refer to a schema under `components/schemas`",
            );
            *node = schema;
        }
        None => {
            warn(
                at,
                format!("`{reference}` does not lead to exactly one schema; the value is free-form JSON"),
                "refer to a schema under `components/schemas`",
            );
            *node = json!({});
        }
    }
}

fn is_component_schema(reference: &str) -> bool {
    reference
        .strip_prefix("#/components/schemas/")
        .is_some_and(|name| !name.contains('/'))
}

/// The schema a referenced node holds: a response's or body's only media
/// type's, a parameter's or header's, or the node itself when it sits where
/// schemas sit. Copies that hold further non-component references are not
/// made (they could expand forever).
fn schema_inside(reference: &str, target: &Value) -> Option<Value> {
    let from_content = || {
        let content = target.get("content")?.as_object()?;
        match content.values().collect::<Vec<_>>().as_slice() {
            [media] => media.get("schema").cloned(),
            _ => None,
        }
    };
    let schema = if reference.starts_with("#/components/responses/")
        || reference.starts_with("#/components/requestBodies/")
    {
        from_content()?
    } else if reference.starts_with("#/components/parameters/")
        || reference.starts_with("#/components/headers/")
    {
        target.get("schema").cloned().or_else(from_content)?
    } else if reference.contains("/schema") || reference.starts_with("#/components/schemas/") {
        target.clone()
    } else {
        return None;
    };
    let nested_foreign = |value: &Value| contains_foreign_reference(value);
    (!nested_foreign(&schema) && schema.is_object()).then_some(schema)
}

fn contains_foreign_reference(value: &Value) -> bool {
    match value {
        Value::Object(object) => object.iter().any(|(key, child)| {
            (key == "$ref" && child.as_str().is_some_and(|r| !is_component_schema(r)))
                || (key != "example" && contains_foreign_reference(child))
        }),
        Value::Array(items) => items.iter().any(contains_foreign_reference),
        _ => false,
    }
}

/// `type: integer` bounds must be integers: a bound written as a double
/// (or beyond 64 bits) is rounded inward and saturated, which for integer
/// values means the same.
fn integer_bounds(object: &mut Map<String, Value>) {
    if object.get("type").and_then(Value::as_str) != Some("integer") {
        return;
    }
    for (keyword, round) in [
        ("minimum", f64::ceil as fn(f64) -> f64),
        ("maximum", f64::floor),
    ] {
        let Some(value) = object.get(keyword) else {
            continue;
        };
        if value.is_i64() {
            continue;
        }
        if let Some(number) = value.as_f64() {
            // `as` saturates at the ends of i64, the bounds of the type itself.
            object.insert(keyword.into(), json!(round(number) as i64));
        }
    }
}

/// Enum values of another type than the schema's: scalars are read as the
/// schema's type where they convert exactly (`3` in a string enum is `"3"`),
/// the rest are left out.
fn enum_values(object: &mut Map<String, Value>, pointer: &str, warn: &mut Warn<'_>) {
    let Some(ty) = object
        .get("type")
        .and_then(Value::as_str)
        .map(str::to_string)
    else {
        return;
    };
    let Some(Value::Array(values)) = object.get_mut("enum") else {
        return;
    };
    let mut changed = Vec::new();
    let mut kept = Vec::with_capacity(values.len());
    for value in values.drain(..) {
        if value.is_null() || fits(&ty, &value) {
            kept.push(value);
            continue;
        }
        let converted = convert(&ty, &value);
        changed.push(match &converted {
            Some(new) => format!("{value} is read as {new}"),
            None => format!("{value} is left out"),
        });
        kept.extend(converted);
    }
    *values = kept;
    if !changed.is_empty() {
        warn(
            format!("{pointer}/enum"),
            format!(
                "enum values that are not of type `{ty}`: {}",
                changed.join(", ")
            ),
            "write every enum value with the schema's own type",
        );
    }
}

fn fits(ty: &str, value: &Value) -> bool {
    match ty {
        "string" => value.is_string(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        "boolean" => value.is_boolean(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        _ => true,
    }
}

fn convert(ty: &str, value: &Value) -> Option<Value> {
    match (ty, value) {
        ("string", Value::Number(_) | Value::Bool(_)) => Some(Value::String(value.to_string())),
        ("integer", Value::String(text)) => text.trim().parse::<i64>().ok().map(Value::from),
        ("integer", Value::Number(n)) => n
            .as_f64()
            .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
            .map(|f| Value::from(f as i64)),
        ("number", Value::String(text)) => text
            .trim()
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number),
        ("boolean", Value::String(text)) => text.parse::<bool>().ok().map(Value::Bool),
        _ => None,
    }
}

/// Keywords whose value is of the wrong kind (`maxLength: "10"`,
/// `required: true`) would fail the typed parse of the whole document:
/// each is dropped with a warning, the rest of the schema kept.
fn unparseable_keywords(object: &mut Map<String, Value>, pointer: &str, warn: &mut Warn<'_>) {
    let alone = |object: &Map<String, Value>| -> Value {
        let stubbed = object.iter().map(|(key, value)| {
            let value = match (SUBSCHEMAS.contains(&key.as_str()), value) {
                (true, Value::Object(map)) if key == "properties" => {
                    Value::Object(map.keys().map(|k| (k.clone(), json!({}))).collect())
                }
                (true, Value::Array(items)) => Value::Array(vec![json!({}); items.len()]),
                (true, Value::Object(_)) => json!({}),
                _ => value.clone(),
            };
            (key.clone(), value)
        });
        Value::Object(stubbed.collect())
    };
    let parses = |value: Value| serde_json::from_value::<openapiv3::Schema>(value).is_ok();
    if parses(alone(object)) {
        return;
    }
    let keys: Vec<String> = object.keys().cloned().collect();
    for key in keys {
        let mut without = object.clone();
        let Some(removed) = without.remove(&key) else {
            continue;
        };
        if parses(alone(&without)) {
            let reason = serde_json::from_value::<openapiv3::Schema>(alone(object))
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            warn(
                format!("{pointer}/{}", escape_segment(&key)),
                format!("`{key}: {removed}` is not valid here ({reason}); it is ignored"),
                "fix the value's type; the rest of the schema is generated as usual",
            );
            *object = without;
            return;
        }
    }
    warn(
        pointer.to_string(),
        "this schema does not follow the OpenAPI schema; the value is free-form JSON".into(),
        "fix the schema's keywords; compare it with the OpenAPI 3.0 Schema Object",
    );
    object.retain(|key, _| key == "description" || key == "title");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repaired(document: Value) -> (Value, Vec<String>) {
        let mut document = document;
        let mut warnings = Diagnostics::new();
        repair(Path::new("api.yaml"), &mut document, &mut warnings);
        let messages = warnings
            .iter()
            .map(|w| format!("{} {}", w.pointer.clone().unwrap_or_default(), w.message))
            .collect();
        (document, messages)
    }

    #[test]
    fn mends_bounds_enums_and_keywords_of_the_wrong_type() {
        let (document, warnings) = repaired(json!({"components": {"schemas": {
            "A": {"type": "integer", "minimum": -9.223372036854776e18, "maximum": 2.5},
            "B": {"type": "string", "enum": ["small", 3, true, null, {"x": 1}]},
            "C": {"type": "integer", "enum": [1, "2", "two"]},
            "D": {"type": "string", "maxLength": "10", "minLength": 1},
        }}}));
        let schemas = &document["components"]["schemas"];
        assert_eq!(
            schemas["A"],
            json!({"type": "integer", "minimum": i64::MIN, "maximum": 2})
        );
        assert_eq!(schemas["B"]["enum"], json!(["small", "3", "true", null]));
        assert_eq!(schemas["C"]["enum"], json!([1, 2]));
        assert_eq!(schemas["D"], json!({"type": "string", "minLength": 1}));
        assert_eq!(
            warnings,
            [
                "#/components/schemas/B/enum enum values that are not of type `string`: 3 is read as \"3\", true is read as \"true\", {\"x\":1} is left out",
                "#/components/schemas/C/enum enum values that are not of type `integer`: \"2\" is read as 2, \"two\" is left out",
                "#/components/schemas/D/maxLength `maxLength: \"10\"` is not valid here (invalid type: string \"10\", expected usize); it is ignored",
            ]
        );
    }

    #[test]
    fn schema_references_to_other_components_use_their_schema() {
        let (document, warnings) = repaired(json!({
            "paths": {"/a": {"get": {"responses": {"200": {"description": "ok", "content": {
                "application/json": {"schema": {"$ref": "#/components/responses/One"}}
            }}}}}},
            "components": {
                "responses": {
                    "One": {"description": "x", "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/Item"}
                    }}},
                    "Two": {"description": "x", "content": {
                        "application/json": {"schema": {}}, "text/plain": {"schema": {}}
                    }}
                },
                "schemas": {
                    "Item": {"type": "object", "properties": {
                        "a": {"$ref": "#/components/responses/Two"},
                        "b": {"$ref": "#/components/schemas/Item/properties/c"},
                        "c": {"type": "string"}
                    }}
                }
            }
        }));
        let schema = &document["paths"]["/a"]["get"]["responses"]["200"]["content"]
            ["application/json"]["schema"];
        assert_eq!(schema, &json!({"$ref": "#/components/schemas/Item"}));
        let properties = &document["components"]["schemas"]["Item"]["properties"];
        assert_eq!(properties["a"], json!({}));
        assert_eq!(properties["b"], json!({"type": "string"}));
        assert_eq!(warnings.len(), 3, "{warnings:?}");
    }
}
