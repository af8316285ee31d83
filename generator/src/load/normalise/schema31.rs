//! One OpenAPI 3.1 (JSON Schema 2020-12) schema rewritten into its OpenAPI
//! 3.0 equivalent, in place.
//!
//! Each rewrite keeps the node where it was, so JSON pointers into the
//! rewritten document still name the same place in the user's file, and
//! subschemas are left for the walk to rewrite after their parent.

use serde_json::{json, Map, Value};

/// Keywords that describe a schema rather than constrain its values; they
/// stay on the outer schema when a multi-type schema is split.
const ANNOTATIONS: &[&str] = &[
    "title",
    "description",
    "default",
    "example",
    "examples",
    "deprecated",
    "readOnly",
    "writeOnly",
    "nullable",
    "externalDocs",
    "xml",
    "discriminator",
    "$comment",
];

/// The keywords that apply to one JSON type only.
fn applies_to(keyword: &str) -> Option<&'static [&'static str]> {
    const STRING: &[&str] = &["string"];
    const NUMBER: &[&str] = &["number", "integer"];
    const ARRAY: &[&str] = &["array"];
    const OBJECT: &[&str] = &["object"];
    Some(match keyword {
        "minLength" | "maxLength" | "pattern" | "contentEncoding" | "contentMediaType" => STRING,
        "minimum" | "maximum" | "exclusiveMinimum" | "exclusiveMaximum" | "multipleOf" => NUMBER,
        "items" | "prefixItems" | "minItems" | "maxItems" | "uniqueItems" | "contains" => ARRAY,
        "properties"
        | "required"
        | "additionalProperties"
        | "minProperties"
        | "maxProperties"
        | "patternProperties"
        | "propertyNames" => OBJECT,
        _ => return None,
    })
}

/// Keywords 3.0 has no form for; they are dropped, and the walk reports them.
pub const UNSUPPORTED: &[&str] = &[
    "if",
    "then",
    "else",
    "dependentSchemas",
    "dependentRequired",
    "patternProperties",
    "contains",
    "minContains",
    "maxContains",
    "unevaluatedItems",
];

/// Rewrites `node`, a 3.1 schema, into 3.0; returns what could not be kept.
pub fn downgrade(node: &mut Value) -> Vec<Lost> {
    let mut lost = Vec::new();
    match node {
        // Boolean schemas: `true` accepts anything, `false` nothing.
        Value::Bool(true) => *node = json!({}),
        Value::Bool(false) => *node = json!({"not": {}}),
        _ => {}
    }
    let Some(object) = node.as_object_mut() else {
        return lost;
    };
    reference_with_siblings(object);
    consts_to_enum(object);
    null_members_to_nullable(object);
    null_in_enum_to_nullable(object);
    type_list(object, &mut lost);
    const_to_enum(object);
    examples_to_example(object);
    exclusive_bounds(object);
    content_encoding(object);
    prefix_items(object, &mut lost);
    if let Some(unevaluated) = object.remove("unevaluatedProperties") {
        object.entry("additionalProperties").or_insert(unevaluated);
    }
    if let Some(names) = object.remove("propertyNames") {
        // specforge's 3.0 spelling of `propertyNames` (key length only).
        if let Some(max) = names.get("maxLength") {
            object.insert("x-property-names".into(), json!({ "maxLength": max }));
        }
    }
    for keyword in ["$schema", "$id", "$anchor", "$dynamicAnchor", "$comment"] {
        object.remove(keyword);
    }
    for keyword in UNSUPPORTED {
        if object.remove(*keyword).is_some() {
            lost.push(Lost::Keyword(keyword));
        }
    }
    lost
}

/// What a rewrite could not carry over into 3.0.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lost {
    /// A keyword 3.0 cannot express; it is not enforced.
    Keyword(&'static str),
    /// `prefixItems`: the tuple is typed as a list of any of its members.
    Tuple,
}

/// In 3.1 the keywords beside a `$ref` apply too; in 3.0 they are ignored.
/// A lone-member `allOf` keeps both, which lowering reads as the reference
/// with the sibling's description, `nullable` and so on.
fn reference_with_siblings(object: &mut Map<String, Value>) {
    if !object.contains_key("$ref") || object.len() == 1 {
        return;
    }
    let reference = object.remove("$ref").unwrap_or_default();
    object.insert("allOf".into(), json!([{ "$ref": reference }]));
}

/// `oneOf` of bare `const`s (an enum with a title per value) becomes an
/// `enum`, with the titles and descriptions as `x-enum-varnames` and
/// `x-enum-descriptions`, the names openapi-generator reads too.
fn consts_to_enum(object: &mut Map<String, Value>) {
    for keyword in ["oneOf", "anyOf"] {
        let Some(Value::Array(members)) = object.get(keyword) else {
            continue;
        };
        let only_consts = !members.is_empty()
            && members.iter().all(|member| {
                member.as_object().is_some_and(|m| {
                    m.contains_key("const")
                        && m.keys().all(|k| {
                            matches!(k.as_str(), "const" | "title" | "description" | "type")
                        })
                })
            });
        if !only_consts {
            continue;
        }
        let Some(Value::Array(members)) = object.remove(keyword) else {
            continue;
        };
        let values: Vec<Value> = members.iter().map(|m| m["const"].clone()).collect();
        let text = |key: &str| -> Option<Vec<Value>> {
            members
                .iter()
                .map(|m| m.get(key).filter(|v| v.is_string()).cloned())
                .collect()
        };
        if let Some(names) = text("title") {
            object.insert("x-enum-varnames".into(), Value::Array(names));
        }
        if let Some(descriptions) = text("description") {
            object.insert("x-enum-descriptions".into(), Value::Array(descriptions));
        }
        if !object.contains_key("type") {
            if let Some(ty) = members[0]
                .get("type")
                .cloned()
                .or_else(|| json_type(&values[0]))
            {
                object.insert("type".into(), ty);
            }
        }
        object.insert("enum".into(), Value::Array(values));
        return;
    }
}

/// `oneOf: [X, {type: "null"}]` is a nullable X.
fn null_members_to_nullable(object: &mut Map<String, Value>) {
    for keyword in ["oneOf", "anyOf"] {
        let Some(Value::Array(members)) = object.get_mut(keyword) else {
            continue;
        };
        let before = members.len();
        members.retain(|member| !is_null_schema(member));
        if members.len() == before {
            continue;
        }
        object.insert("nullable".into(), Value::Bool(true));
        let Some(Value::Array(members)) = object.get(keyword) else {
            continue;
        };
        if members.len() == 1 && !object.contains_key("allOf") {
            // A lone member is that member, kept nullable by the wrapper.
            let members = object.remove(keyword).unwrap_or_default();
            object.insert("allOf".into(), members);
        } else if members.is_empty() {
            object.remove(keyword);
        }
    }
}

/// A schema that only accepts `null`.
fn is_null_schema(schema: &Value) -> bool {
    let Some(object) = schema.as_object() else {
        return false;
    };
    let only_null = match object.get("type") {
        Some(Value::String(ty)) => ty == "null",
        Some(Value::Array(types)) => types.iter().all(|t| t == "null") && !types.is_empty(),
        _ => {
            object.get("const") == Some(&Value::Null) || object.get("enum") == Some(&json!([null]))
        }
    };
    only_null
        && object.keys().all(|k| {
            matches!(k.as_str(), "type" | "const" | "enum") || ANNOTATIONS.contains(&k.as_str())
        })
}

/// `enum: [a, b, null]`: 3.0 lists `null` only beside `nullable: true`.
fn null_in_enum_to_nullable(object: &mut Map<String, Value>) {
    if let Some(Value::Array(values)) = object.get("enum") {
        if values.len() > 1 && values.contains(&Value::Null) {
            object.insert("nullable".into(), Value::Bool(true));
        }
    }
}

/// `type: [X, "null"]` is a nullable X; several types are a `oneOf`, each
/// member with the keywords of its type.
fn type_list(object: &mut Map<String, Value>, lost: &mut Vec<Lost>) {
    let mut types: Vec<String> = match object.get("type") {
        Some(Value::Array(types)) => types
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        Some(Value::String(ty)) if ty == "null" => vec![ty.clone()],
        _ => return,
    };
    object.remove("type");
    if types.iter().any(|t| t == "null") {
        types.retain(|t| t != "null");
        object.insert("nullable".into(), Value::Bool(true));
    }
    match types.as_slice() {
        [] => {}
        [single] => {
            object.insert("type".into(), Value::String(single.clone()));
        }
        several => {
            if object.contains_key("oneOf") || object.contains_key("anyOf") {
                // Two unions on one node have no 3.0 form; keep the spec's own.
                lost.push(Lost::Keyword("type"));
                return;
            }
            let members = several
                .iter()
                .map(|ty| {
                    let mut member = Map::new();
                    member.insert("type".into(), Value::String(ty.clone()));
                    for (key, value) in object.iter() {
                        if applies_to(key).is_some_and(|types| types.contains(&ty.as_str())) {
                            member.insert(key.clone(), value.clone());
                        }
                    }
                    if let Some(Value::Array(values)) = object.get("enum") {
                        let fitting: Vec<Value> = values
                            .iter()
                            .filter(|v| json_type(v).is_some_and(|t| fits(&t, ty)))
                            .cloned()
                            .collect();
                        member.insert("enum".into(), Value::Array(fitting));
                    }
                    Value::Object(member)
                })
                .collect();
            object.retain(|key, _| applies_to(key).is_none() && key != "enum");
            object.insert("oneOf".into(), Value::Array(members));
        }
    }
}

/// `const: v` is a one-value `enum`.
fn const_to_enum(object: &mut Map<String, Value>) {
    let Some(value) = object.remove("const") else {
        return;
    };
    if value.is_null() {
        object.insert("nullable".into(), Value::Bool(true));
        return;
    }
    if !object.contains_key("type") {
        if let Some(ty) = json_type(&value) {
            object.insert("type".into(), ty);
        }
    }
    object.insert("enum".into(), json!([value]));
}

/// A schema's `examples` (a list in 3.1) becomes its first `example`.
fn examples_to_example(object: &mut Map<String, Value>) {
    if let Some(Value::Array(mut examples)) = object.remove("examples") {
        if !object.contains_key("example") && !examples.is_empty() {
            object.insert("example".into(), examples.swap_remove(0));
        }
    }
}

/// Numeric `exclusiveMinimum: n` is 3.0's `minimum: n, exclusiveMinimum: true`.
fn exclusive_bounds(object: &mut Map<String, Value>) {
    for (exclusive, inclusive, tighter) in [
        ("exclusiveMinimum", "minimum", std::cmp::Ordering::Greater),
        ("exclusiveMaximum", "maximum", std::cmp::Ordering::Less),
    ] {
        let Some(bound) = object.get(exclusive).and_then(Value::as_f64) else {
            continue;
        };
        let bound_value = object.remove(exclusive).unwrap_or_default();
        let current = object.get(inclusive).and_then(Value::as_f64);
        let exclusive_wins = current.is_none_or(|current| {
            bound
                .partial_cmp(&current)
                .is_some_and(|o| o == tighter || o.is_eq())
        });
        if exclusive_wins {
            object.insert(inclusive.into(), bound_value);
            object.insert(exclusive.into(), Value::Bool(true));
        }
    }
}

/// `contentEncoding`/`contentMediaType` on a string are 3.0's `format: byte`
/// (base64 text) or `format: binary` (raw bytes).
fn content_encoding(object: &mut Map<String, Value>) {
    let encoding = object.remove("contentEncoding");
    let media_type = object.remove("contentMediaType");
    if object.contains_key("format") {
        return;
    }
    let format = match encoding.as_ref().and_then(Value::as_str) {
        Some("base64" | "base64url") => "byte",
        Some(_) => "binary",
        None => match media_type.as_ref().and_then(Value::as_str) {
            Some(media) if !is_textual(media) => "binary",
            _ => return,
        },
    };
    object.insert("format".into(), Value::String(format.into()));
}

fn is_textual(media_type: &str) -> bool {
    media_type.starts_with("text/") || media_type.contains("json") || media_type.contains("xml")
}

/// `prefixItems` (a tuple) has no 3.0 form: the items are typed as any of
/// the listed members.
fn prefix_items(object: &mut Map<String, Value>, lost: &mut Vec<Lost>) {
    let Some(Value::Array(mut members)) = object.remove("prefixItems") else {
        return;
    };
    lost.push(Lost::Tuple);
    if let Some(rest) = object.remove("items") {
        if rest.is_object() {
            members.push(rest);
        }
    }
    let items = match members.len() {
        0 => json!({}),
        1 => members.swap_remove(0),
        _ => json!({ "anyOf": members }),
    };
    object.insert("items".into(), items);
}

/// The JSON type of a value, as a `type` keyword.
fn json_type(value: &Value) -> Option<Value> {
    let name = match value {
        Value::Null => return None,
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    Some(Value::String(name.into()))
}

fn fits(value_type: &Value, ty: &str) -> bool {
    value_type == ty || (ty == "number" && value_type == "integer")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (3.1 schema, its 3.0 form)
    const CASES: &[(&str, &str)] = &[
        (
            r#"{"type": ["string", "null"], "maxLength": 3}"#,
            r#"{"nullable": true, "type": "string", "maxLength": 3}"#,
        ),
        (r#"{"type": "null"}"#, r#"{"nullable": true}"#),
        (
            r#"{"type": ["string", "integer"], "maxLength": 3, "minimum": 1, "description": "d"}"#,
            r#"{"description": "d", "oneOf": [{"type": "string", "maxLength": 3}, {"type": "integer", "minimum": 1}]}"#,
        ),
        (
            r#"{"const": "card"}"#,
            r#"{"type": "string", "enum": ["card"]}"#,
        ),
        (
            r#"{"const": 3, "type": "integer"}"#,
            r#"{"type": "integer", "enum": [3]}"#,
        ),
        (
            r#"{"type": "integer", "oneOf": [{"title": "JOIN", "const": 1}, {"title": "SPECTATE", "const": 2, "description": "d"}]}"#,
            r#"{"type": "integer", "x-enum-varnames": ["JOIN", "SPECTATE"], "enum": [1, 2]}"#,
        ),
        (
            r##"{"oneOf": [{"$ref": "#/components/schemas/A"}, {"type": "null"}]}"##,
            r##"{"nullable": true, "allOf": [{"$ref": "#/components/schemas/A"}]}"##,
        ),
        (
            r##"{"anyOf": [{"$ref": "#/A"}, {"$ref": "#/B"}, {"type": "null"}]}"##,
            r##"{"anyOf": [{"$ref": "#/A"}, {"$ref": "#/B"}], "nullable": true}"##,
        ),
        (
            r##"{"$ref": "#/components/schemas/A", "description": "why"}"##,
            r##"{"description": "why", "allOf": [{"$ref": "#/components/schemas/A"}]}"##,
        ),
        (
            r##"{"$ref": "#/components/schemas/A"}"##,
            r##"{"$ref": "#/components/schemas/A"}"##,
        ),
        (
            r#"{"type": "string", "examples": ["a", "b"]}"#,
            r#"{"type": "string", "example": "a"}"#,
        ),
        (
            r#"{"type": "integer", "exclusiveMinimum": 0}"#,
            r#"{"type": "integer", "minimum": 0, "exclusiveMinimum": true}"#,
        ),
        (
            r#"{"type": "integer", "minimum": 5, "exclusiveMinimum": 0}"#,
            r#"{"type": "integer", "minimum": 5}"#,
        ),
        (
            r#"{"type": "number", "exclusiveMaximum": 1.5, "maximum": 2}"#,
            r#"{"type": "number", "maximum": 1.5, "exclusiveMaximum": true}"#,
        ),
        (
            r#"{"type": "string", "contentEncoding": "base64"}"#,
            r#"{"type": "string", "format": "byte"}"#,
        ),
        (
            r#"{"type": "string", "contentMediaType": "image/png"}"#,
            r#"{"type": "string", "format": "binary"}"#,
        ),
        (
            r#"{"type": "string", "contentMediaType": "application/json"}"#,
            r#"{"type": "string"}"#,
        ),
        (
            r#"{"type": "array", "prefixItems": [{"type": "string"}]}"#,
            r#"{"type": "array", "items": {"type": "string"}}"#,
        ),
        (
            r#"{"type": "object", "unevaluatedProperties": false}"#,
            r#"{"type": "object", "additionalProperties": false}"#,
        ),
        (
            r#"{"type": "object", "propertyNames": {"maxLength": 8}}"#,
            r#"{"type": "object", "x-property-names": {"maxLength": 8}}"#,
        ),
        (
            r#"{"type": "string", "enum": ["a", null]}"#,
            r#"{"type": "string", "enum": ["a", null], "nullable": true}"#,
        ),
        ("true", "{}"),
        ("false", r#"{"not": {}}"#),
    ];

    #[test]
    fn rewrites_each_keyword_into_its_3_0_form() {
        for (input, expected) in CASES {
            let mut node: Value = serde_json::from_str(input).unwrap();
            downgrade(&mut node);
            let expected: Value = serde_json::from_str(expected).unwrap();
            assert_eq!(node, expected, "for {input}");
        }
    }

    #[test]
    fn reports_what_3_0_cannot_say() {
        let mut node = json!({"type": "array", "prefixItems": [{}], "if": {}, "then": {}});
        assert_eq!(
            downgrade(&mut node),
            [Lost::Tuple, Lost::Keyword("if"), Lost::Keyword("then")]
        );
    }
}
