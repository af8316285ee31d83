//! An OpenAPI 3.1 document rewritten into the 3.0 shape the typed parse
//! reads: the document-level differences here, each schema's in `schema31`.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{json, Map, Value};

use super::schema31::{self, Lost};
use super::walk;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::load::escape_segment;

/// Rewrites `document` in place; the warnings say what 3.0 cannot express.
pub fn downgrade(path: &Path, document: &mut Value) -> Diagnostics {
    let mut warnings = Diagnostics::new();
    hoist_definitions(document);
    walk::schemas(document, &mut |node, pointer| {
        for lost in schema31::downgrade(node) {
            warnings.push(lost_warning(path, pointer, &lost));
        }
    });
    let Some(root) = document.as_object_mut() else {
        return warnings;
    };
    inline_path_items(root);
    // Webhooks are requests the API makes, not routes it serves; the served
    // document keeps them, the generated crates do not implement them.
    root.remove("webhooks");
    root.remove("jsonSchemaDialect");
    root.entry("paths").or_insert_with(|| json!({}));
    if let Some(license) = root
        .get_mut("info")
        .and_then(|info| info.get_mut("license"))
        .and_then(Value::as_object_mut)
    {
        license.remove("identifier");
    }
    root.insert("openapi".into(), Value::String("3.0.3".into()));
    warnings
}

fn lost_warning(path: &Path, pointer: &str, lost: &Lost) -> Diagnostic {
    let (message, hint, at) = match lost {
        Lost::Keyword(keyword) => (
            format!("`{keyword}` is not enforced: generated code has no form for it"),
            "the rest of the schema is generated as usual; check this rule in your handler",
            format!("{pointer}/{}", escape_segment(keyword)),
        ),
        Lost::Tuple => (
            "`prefixItems` is generated as a list whose items may be any of the listed schemas"
                .to_string(),
            "the position of each item is not checked; use an object if positions matter",
            format!("{pointer}/prefixItems"),
        ),
    };
    Diagnostic::warning(message)
        .in_file(path)
        .at_pointer(at)
        .with_hint(hint)
}

/// Moves every `$defs` entry into `components/schemas`, where references
/// can reach it in 3.0, and points the references there.
fn hoist_definitions(document: &mut Value) {
    let mut found: Vec<String> = Vec::new();
    walk::schemas(document, &mut |node, pointer| {
        if let Some(Value::Object(defs)) = node.get("$defs") {
            for name in defs.keys() {
                found.push(format!("{pointer}/$defs/{}", escape_segment(name)));
            }
        }
    });
    if found.is_empty() {
        return;
    }
    let mut taken: Vec<String> = document
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|schemas| schemas.keys().cloned().collect())
        .unwrap_or_default();
    // Taken out deepest first, so a definition inside another leaves its
    // owner before the owner itself moves.
    let mut by_depth = found.clone();
    by_depth.sort_by_key(|pointer| std::cmp::Reverse(pointer.matches('/').count()));
    let mut removed: BTreeMap<String, Value> = BTreeMap::new();
    for pointer in by_depth {
        let Some((owner, name)) = pointer.rsplit_once("/$defs/") else {
            continue;
        };
        let name = name.replace("~1", "/").replace("~0", "~");
        let defs_pointer = format!("{}/$defs", owner.trim_start_matches('#'));
        let Some(defs) = document
            .pointer_mut(&defs_pointer)
            .and_then(Value::as_object_mut)
        else {
            continue;
        };
        if let Some(schema) = defs.remove(&name) {
            if defs.is_empty() {
                if let Some(owner) = document
                    .pointer_mut(owner.trim_start_matches('#'))
                    .and_then(Value::as_object_mut)
                {
                    owner.remove("$defs");
                }
            }
            removed.insert(pointer, schema);
        }
    }
    // Named and added in document order, so the output does not depend on depth.
    let mut moved: BTreeMap<String, String> = BTreeMap::new();
    let mut hoisted = Vec::new();
    for pointer in found {
        let Some(schema) = removed.remove(&pointer) else {
            continue;
        };
        let Some((owner, name)) = pointer.rsplit_once("/$defs/") else {
            continue;
        };
        let name = name.replace("~1", "/").replace("~0", "~");
        let owner_name = owner.rsplit('/').next().unwrap_or_default();
        let new_name = free_name(&name, owner_name, &taken);
        taken.push(new_name.clone());
        moved.insert(
            pointer.clone(),
            format!("#/components/schemas/{}", escape_segment(&new_name)),
        );
        hoisted.push((new_name, schema));
    }
    let root = document
        .as_object_mut()
        .expect("a document with $defs is a mapping");
    let schemas = root
        .entry("components")
        .or_insert_with(|| json!({}))
        .as_object_mut()
        .and_then(|components| {
            components
                .entry("schemas")
                .or_insert_with(|| json!({}))
                .as_object_mut()
        });
    if let Some(schemas) = schemas {
        schemas.extend(hoisted);
    }
    redirect_references(document, &moved);
}

/// `Name`, or `OwnerName` when the components already have a `Name`, numbered if need be.
fn free_name(name: &str, owner: &str, taken: &[String]) -> String {
    if !taken.iter().any(|t| t == name) {
        return name.to_string();
    }
    let base = format!("{owner}{name}");
    let mut candidate = base.clone();
    let mut number = 2;
    while taken.contains(&candidate) {
        candidate = format!("{base}{number}");
        number += 1;
    }
    candidate
}

/// Points every `$ref` at or inside a moved definition to its new place.
fn redirect_references(value: &mut Value, moved: &BTreeMap<String, String>) {
    match value {
        Value::Object(object) => {
            if let Some(Value::String(reference)) = object.get_mut("$ref") {
                let target = moved.iter().find(|(old, _)| {
                    reference.as_str() == old.as_str() || reference.starts_with(&format!("{old}/"))
                });
                if let Some((old, new)) = target {
                    *reference = format!("{new}{}", &reference[old.len()..]);
                }
            }
            for (key, child) in object.iter_mut() {
                if key != "example" && key != "examples" && !key.starts_with("x-") {
                    redirect_references(child, moved);
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                redirect_references(item, moved);
            }
        }
        _ => {}
    }
}

/// 3.1 path items may be `$ref`s to `components/pathItems`, which 3.0 lacks.
fn inline_path_items(root: &mut Map<String, Value>) {
    let items = root
        .get_mut("components")
        .and_then(Value::as_object_mut)
        .and_then(|components| components.remove("pathItems"));
    let Some(Value::Object(items)) = items else {
        return;
    };
    let Some(paths) = root.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for item in paths.values_mut() {
        let Some(object) = item.as_object_mut() else {
            continue;
        };
        let target = object
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix("#/components/pathItems/"))
            .map(|name| name.replace("~1", "/").replace("~0", "~"));
        if let Some(Value::Object(target)) = target.and_then(|name| items.get(&name)) {
            object.remove("$ref");
            for (key, value) in target {
                object.entry(key.clone()).or_insert_with(|| value.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn definitions_move_to_components_and_references_follow() {
        let mut document = json!({
            "openapi": "3.1.0",
            "components": {"schemas": {
                "Order": {
                    "type": "object",
                    "properties": {"line": {"$ref": "#/components/schemas/Order/$defs/Line"}},
                    "$defs": {"Line": {"type": "object", "properties": {"sku": {"type": "string"}}}}
                },
                "Line": {"type": "string"}
            }}
        });
        let warnings = downgrade(Path::new("api.yaml"), &mut document);
        assert!(warnings.is_empty());
        assert_eq!(
            document["components"]["schemas"]["Order"],
            json!({"type": "object", "properties": {"line": {"$ref": "#/components/schemas/OrderLine"}}})
        );
        assert_eq!(
            document["components"]["schemas"]["OrderLine"]["properties"]["sku"],
            json!({"type": "string"})
        );
        assert_eq!(document["openapi"], "3.0.3");
        assert_eq!(document["paths"], json!({}));
    }

    #[test]
    fn path_items_from_components_are_inlined() {
        let mut document = json!({
            "openapi": "3.1.0",
            "paths": {"/a": {"$ref": "#/components/pathItems/A", "summary": "mine"}},
            "components": {"pathItems": {"A": {"summary": "theirs", "get": {"responses": {}}}}},
            "webhooks": {"b": {}},
        });
        downgrade(Path::new("api.yaml"), &mut document);
        assert_eq!(
            document["paths"]["/a"],
            json!({"summary": "mine", "get": {"responses": {}}})
        );
        assert!(document.get("webhooks").is_none());
        assert!(document["components"].get("pathItems").is_none());
    }
}
