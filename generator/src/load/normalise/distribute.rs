//! `allOf` over a union, rewritten as a union of `allOf`s:
//! `allOf: [{anyOf: [A, B]}, C]` is `anyOf: [{allOf: [A, C]}, {allOf: [B, C]}]`.
//!
//! Both say the same, but only the second has a type: a union whose
//! variants are each one merged struct (Discord's multipart bodies add their
//! file parts to a union of requests this way). Silent, as it keeps the meaning.

use serde_json::{Map, Value};

use super::walk;

/// Rewrites every schema of `document` (in the 3.0 shape) that is an
/// `allOf` with exactly one inline `anyOf` or `oneOf` member.
pub fn distribute(document: &mut Value) {
    walk::schemas(document, &mut |node, _pointer| {
        if let Some(object) = node.as_object_mut() {
            distribute_in(object);
        }
    });
}

fn distribute_in(object: &mut Map<String, Value>) {
    let Some(Value::Array(members)) = object.get("allOf") else {
        return;
    };
    if object.contains_key("anyOf") || object.contains_key("oneOf") {
        return;
    }
    let unions: Vec<usize> = members
        .iter()
        .enumerate()
        .filter(|(_, member)| union_of(member).is_some())
        .map(|(index, _)| index)
        .collect();
    let [index] = unions.as_slice() else {
        return;
    };
    let Some(Value::Array(members)) = object.remove("allOf") else {
        return;
    };
    let (kind, variants) = union_of(&members[*index]).expect("found above");
    let variants: Vec<Value> = variants
        .iter()
        .map(|variant| {
            let mut merged = members.clone();
            merged[*index] = variant.clone();
            let mut schema = Map::new();
            schema.insert("allOf".into(), Value::Array(merged));
            Value::Object(schema)
        })
        .collect();
    object.insert(kind.into(), Value::Array(variants));
}

/// A member that is only a union: its keyword and variants. One with other
/// keywords (properties beside `anyOf`) is left as it is.
fn union_of(member: &Value) -> Option<(&'static str, &Vec<Value>)> {
    let member = member.as_object()?;
    let kind = ["anyOf", "oneOf"]
        .into_iter()
        .find(|kind| member.contains_key(*kind))?;
    let only_union = member
        .keys()
        .all(|key| key == kind || key == "description" || key == "title" || key.starts_with("x-"));
    match member.get(kind) {
        Some(Value::Array(variants)) if only_union && variants.len() > 1 => Some((kind, variants)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_union_member_of_all_of_becomes_a_union_of_all_ofs() {
        let mut schema = json!({
            "description": "A request with files.",
            "allOf": [
                {"anyOf": [{"$ref": "#/components/schemas/A"}, {"$ref": "#/components/schemas/B"}], "x-note": 1},
                {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}
            ]
        });
        distribute_in(schema.as_object_mut().unwrap());
        let file = json!({"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}});
        assert_eq!(
            schema,
            json!({
                "description": "A request with files.",
                "anyOf": [
                    {"allOf": [{"$ref": "#/components/schemas/A"}, file]},
                    {"allOf": [{"$ref": "#/components/schemas/B"}, file]}
                ]
            })
        );
    }

    #[test]
    fn other_all_ofs_are_left_alone() {
        let two_unions = json!({"allOf": [
            {"oneOf": [{"type": "string"}, {"type": "integer"}]},
            {"anyOf": [{"type": "string"}, {"type": "integer"}]}
        ]});
        let with_properties = json!({"allOf": [
            {"anyOf": [{"type": "string"}, {"type": "integer"}], "properties": {"a": {}}},
            {"type": "object"}
        ]});
        for original in [
            two_unions,
            with_properties,
            json!({"allOf": [{"type": "object"}]}),
        ] {
            let mut schema = original.clone();
            distribute_in(schema.as_object_mut().unwrap());
            assert_eq!(schema, original);
        }
    }
}
