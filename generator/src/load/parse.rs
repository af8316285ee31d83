//! The typed parse: a normalised, bundled JSON value into `openapiv3::OpenAPI`.

use std::path::Path;

use serde_json::Value;

use super::bundle::escape_segment;
use super::locate::pointer_segments;
use crate::diagnostics::{Diagnostic, Diagnostics};

/// How many broken nodes one document may lose before it is refused.
const MAX_LEFT_OUT: usize = 200;

/// Parses `document`; a node that does not follow the OpenAPI schema is left
/// out with a warning (the smallest enclosing parameter, response, media
/// type, header, operation, path or component) and the parse retried, so a
/// mistake costs that node, not the document. The document itself failing
/// (no `info`, say) is an error. `document` is left without the nodes left out.
pub fn parse_openapi(
    path: &Path,
    document: &mut Value,
    warnings: &mut Diagnostics,
) -> Result<openapiv3::OpenAPI, Diagnostic> {
    for _ in 0..MAX_LEFT_OUT {
        let error = match parse_once(path, document.clone()) {
            Ok(openapi) => return Ok(openapi),
            Err(error) => error,
        };
        let pointer = narrow(document, error.pointer.as_deref().unwrap_or("#"));
        let Some((removable, what)) = removable_node(&pointer) else {
            return Err(error);
        };
        if !remove(document, &removable) {
            return Err(error);
        }
        warnings.push(
            Diagnostic::warning(format!("{}; this {what} is left out", error.message))
                .in_file(path)
                .at_pointer(removable)
                .with_hint(
                    "fix the node to generate it; the rest of the spec is generated as usual",
                ),
        );
    }
    parse_once(path, document.clone())
}

/// The node that fails, found by parsing the children of where serde's
/// path stopped (it stops at maps openapiv3 reads by hand, such as `paths`).
fn narrow(document: &Value, pointer: &str) -> String {
    let mut pointer = pointer.to_string();
    while let Some(child) = failing_child(document, &pointer) {
        pointer = child;
    }
    pointer
}

/// The first child of the node at `pointer` that does not parse as what it
/// must be there.
fn failing_child(document: &Value, pointer: &str) -> Option<String> {
    let node = document.pointer(pointer.trim_start_matches('#'))?;
    let segments = pointer_segments(pointer);
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
    let children: Vec<(String, &Value)> = match node {
        Value::Object(object) => object.iter().map(|(k, v)| (k.clone(), v)).collect(),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| (i.to_string(), v))
            .collect(),
        _ => return None,
    };
    children.into_iter().find_map(|(key, child)| {
        let fails = child_check(&segments, &key)?;
        fails(child).then(|| format!("{pointer}/{}", escape_segment(&key)))
    })
}

/// Whether a value fails to parse as `T`.
type Check = fn(&Value) -> bool;

fn fails<T: serde::de::DeserializeOwned>(value: &Value) -> bool {
    serde_json::from_value::<T>(value.clone()).is_err()
}

/// What the child `key` of the node at `parent` must parse as, where known.
fn child_check(parent: &[&str], key: &str) -> Option<Check> {
    use indexmap::IndexMap;
    use openapiv3::{
        Header, MediaType, Operation, Parameter, PathItem, ReferenceOr, RequestBody, Response,
        Responses, Schema, SecurityScheme,
    };
    type Map<T> = IndexMap<String, ReferenceOr<T>>;
    Some(match (parent, key) {
        (["paths"], _) => fails::<ReferenceOr<PathItem>>,
        (["paths", _] | ["paths", _, _], "parameters") => fails::<Vec<ReferenceOr<Parameter>>>,
        (["paths", _], method) if is_method(method) => fails::<Operation>,
        (["paths", _, method], "requestBody") if is_method(method) => {
            fails::<ReferenceOr<RequestBody>>
        }
        (["paths", _, method], "responses") if is_method(method) => fails::<Responses>,
        ([.., "parameters"], _) => fails::<ReferenceOr<Parameter>>,
        ([.., "responses"], code) if !code.starts_with("x-") => fails::<ReferenceOr<Response>>,
        (
            [.., "responses", _] | [.., "requestBody"] | ["components", "requestBodies", _],
            "content",
        ) => fails::<IndexMap<String, MediaType>>,
        ([.., "responses", _], "headers") => fails::<Map<Header>>,
        ([.., "content"], _) => fails::<MediaType>,
        ([.., "headers"], _) => fails::<ReferenceOr<Header>>,
        (["components"], "schemas") => fails::<Map<Schema>>,
        (["components"], "parameters") => fails::<Map<Parameter>>,
        (["components"], "responses") => fails::<Map<Response>>,
        (["components"], "requestBodies") => fails::<Map<RequestBody>>,
        (["components"], "headers") => fails::<Map<Header>>,
        (["components"], "securitySchemes") => fails::<Map<SecurityScheme>>,
        (["components", "requestBodies"], _) => fails::<ReferenceOr<RequestBody>>,
        (["components", "schemas"], _) => fails::<ReferenceOr<Schema>>,
        (["components", "securitySchemes"], _) => fails::<ReferenceOr<SecurityScheme>>,
        _ => return None,
    })
}

/// The deepest node on `pointer` that can be left out alone, and what it is.
/// The search stops at the first schema on the way: inside one, keys are
/// keywords or property names, never parameters or media types.
fn removable_node(pointer: &str) -> Option<(String, &'static str)> {
    let segments = pointer_segments(pointer);
    let mut found = None;
    for end in 1..=segments.len() {
        let at = |back: usize| end.checked_sub(back).map(|i| segments[i].as_str());
        let what = match (at(3), at(2), at(1)) {
            (_, Some("parameters"), _) => Some("parameter"),
            (_, Some("responses"), _) => Some("response"),
            (_, Some("content"), _) => Some("media type"),
            (_, Some("headers"), _) => Some("header"),
            (_, Some("callbacks" | "links" | "examples" | "encoding"), _) => Some("entry"),
            (Some("paths"), _, Some(method)) if is_method(method) => Some("operation"),
            (None, Some("paths"), _) => Some("path"),
            (None, Some("components"), _) => None,
            (Some("components"), Some(_), _) if end == 3 => Some("component"),
            _ => None,
        };
        if let Some(what) = what {
            let prefix: String = segments[..end]
                .iter()
                .map(|s| format!("/{}", escape_segment(s)))
                .collect();
            found = Some((format!("#{prefix}"), what));
        }
        let schema_starts =
            at(1) == Some("schema") || (at(3) == Some("components") && at(2) == Some("schemas"));
        if schema_starts {
            break;
        }
    }
    found
}

fn is_method(segment: &str) -> bool {
    matches!(
        segment,
        "get" | "put" | "post" | "delete" | "options" | "head" | "patch" | "trace"
    )
}

/// Removes the node at `pointer` from its mapping or list.
fn remove(document: &mut Value, pointer: &str) -> bool {
    let Some((parent, last)) = pointer.rsplit_once('/') else {
        return false;
    };
    let last = last.replace("~1", "/").replace("~0", "~");
    match document.pointer_mut(parent.trim_start_matches('#')) {
        Some(Value::Object(object)) => object.shift_remove(&last).is_some(),
        Some(Value::Array(items)) => match last.parse::<usize>() {
            Ok(index) if index < items.len() => {
                items.remove(index);
                true
            }
            _ => false,
        },
        _ => false,
    }
}

fn parse_once(path: &Path, document: Value) -> Result<openapiv3::OpenAPI, Diagnostic> {
    serde_path_to_error::deserialize::<_, openapiv3::OpenAPI>(document).map_err(|error| {
        let mut pointer = String::from("#");
        for segment in error.path().iter() {
            match segment {
                serde_path_to_error::Segment::Map { key } => {
                    pointer.push('/');
                    pointer.push_str(&escape_segment(key));
                }
                serde_path_to_error::Segment::Seq { index } => {
                    pointer.push('/');
                    pointer.push_str(&index.to_string());
                }
                serde_path_to_error::Segment::Enum { .. }
                | serde_path_to_error::Segment::Unknown => {}
            }
        }
        Diagnostic::error(format!(
            "this node does not follow the OpenAPI 3.0 schema: {}",
            explain(&error.inner().to_string())
        ))
        .in_file(path)
        .at_pointer(pointer)
        .with_hint("compare this node with the OpenAPI 3.0.3 specification")
    })
}

/// serde's "did not match any variant" says nothing about why; say what was expected.
fn explain(message: &str) -> String {
    if message.starts_with("data did not match any variant of untagged enum ReferenceOr") {
        "expected either a `$ref` or an inline object of the right kind".to_string()
    } else if let Some(rest) =
        message.strip_prefix("data did not match any variant of untagged enum ")
    {
        format!("the value is not a valid `{rest}`")
    } else {
        message.to_string()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_smallest_enclosing_node_is_left_out() {
        let cases = [
            (
                "#/paths/~1a/get/parameters/1/in",
                Some(("#/paths/~1a/get/parameters/1", "parameter")),
            ),
            (
                "#/paths/~1a/get/responses/200/content/text~1plain/schema",
                Some((
                    "#/paths/~1a/get/responses/200/content/text~1plain",
                    "media type",
                )),
            ),
            (
                "#/paths/~1a/get/summary",
                Some(("#/paths/~1a/get", "operation")),
            ),
            ("#/paths/~1a", Some(("#/paths/~1a", "path"))),
            (
                "#/components/schemas/A/properties/content/type",
                Some(("#/components/schemas/A", "component")),
            ),
            (
                "#/components/parameters/P/schema",
                Some(("#/components/parameters/P", "parameter")),
            ),
            ("#/info/title", None),
        ];
        for (pointer, expected) in cases {
            let found = removable_node(pointer);
            let found = found.as_ref().map(|(p, w)| (p.as_str(), *w));
            assert_eq!(found, expected, "for {pointer}");
        }
    }

    #[test]
    fn a_broken_parameter_costs_that_parameter() {
        let document = json!({
            "openapi": "3.0.3",
            "info": {"title": "T", "version": "1"},
            "paths": {"/a": {"get": {
                "parameters": [
                    {"name": "ok", "in": "query", "schema": {"type": "string"}},
                    {"name": "legacy", "in": "body", "schema": {"type": "string"}}
                ],
                "responses": {"200": {"description": "ok"}}
            }}}
        });
        let mut document = document;
        let mut warnings = Diagnostics::new();
        let openapi = parse_openapi(Path::new("api.yaml"), &mut document, &mut warnings).unwrap();
        assert_eq!(warnings.iter().count(), 1, "{warnings:?}");
        let operation = openapi.paths.paths["/a"]
            .as_item()
            .unwrap()
            .get
            .as_ref()
            .unwrap();
        assert_eq!(operation.parameters.len(), 1);
        let warning = warnings.iter().next().unwrap();
        assert_eq!(
            warning.pointer.as_deref(),
            Some("#/paths/~1a/get/parameters/1")
        );
        assert!(
            warning.message.ends_with("this parameter is left out"),
            "{}",
            warning.message
        );
    }
}
