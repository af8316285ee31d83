//! Parameters: matched by where they go and their name (path parameters
//! by position, since renaming one changes nothing on the wire).

use serde_json::Value;

use super::change::Direction;
use super::checks;
use super::collect::Collector;
use super::schema::{self, Place};
use super::shape::Node;
use crate::document::{Document, OperationRef};

/// A parameter as a client sends it.
struct Parameter<'a> {
    /// `query limit`, `header x-trace` (lowercase), `path 0`.
    key: String,
    location: &'a str,
    name: &'a str,
    node: &'a Value,
    pointer: String,
}

impl Parameter<'_> {
    fn required(&self) -> bool {
        self.location == "path" || self.node.get("required") == Some(&Value::Bool(true))
    }

    fn describe(&self) -> String {
        format!("{} parameter `{}`", self.location, self.name)
    }

    /// Style and explode, their defaults filled in: how the value is encoded.
    fn serialization(&self) -> (&str, bool) {
        let style = self
            .node
            .get("style")
            .and_then(Value::as_str)
            .unwrap_or(match self.location {
                "query" | "cookie" => "form",
                _ => "simple",
            });
        let explode = self
            .node
            .get("explode")
            .and_then(Value::as_bool)
            .unwrap_or(style == "form");
        (style, explode)
    }

    /// The value's schema: `schema`, or the first media type's under `content`.
    fn schema(&self) -> Option<Node<'_>> {
        if let Some(schema) = self.node.get("schema") {
            return Some(Node::new(schema, format!("{}/schema", self.pointer)));
        }
        let (media, content) = self.node.get("content")?.as_object()?.iter().next()?;
        Some(Node::new(
            content.get("schema")?,
            format!(
                "{}/content/{}/schema",
                self.pointer,
                crate::load::escape_segment(media)
            ),
        ))
    }
}

pub(super) fn compare(c: &mut Collector<'_>, old: &OperationRef<'_>, new: &OperationRef<'_>) {
    let old_params = parameters(c.old, old);
    let new_params = parameters(c.new, new);
    for old_param in &old_params {
        let Some(new_param) = new_params.iter().find(|p| p.key == old_param.key) else {
            c.report(
                &checks::REQUEST_PARAMETER_REMOVED,
                format!("{} removed", old_param.describe()),
                Some(&old_param.pointer),
                Some(&new.pointer),
            );
            continue;
        };
        let (was, is) = (old_param.required(), new_param.required());
        if was != is {
            let (check, state) = if is {
                (&checks::REQUEST_PARAMETER_BECAME_REQUIRED, "required")
            } else {
                (&checks::REQUEST_PARAMETER_BECAME_OPTIONAL, "optional")
            };
            c.report(
                check,
                format!("{} became {state}", new_param.describe()),
                Some(&old_param.pointer),
                Some(&new_param.pointer),
            );
        }
        if old_param.serialization() != new_param.serialization() {
            let show = |(style, explode): (&str, bool)| {
                let exploded = if explode { "exploded" } else { "not exploded" };
                format!("style `{style}` ({exploded})")
            };
            c.report(
                &checks::REQUEST_PARAMETER_SERIALIZATION_CHANGED,
                format!(
                    "{} changed encoding from {} to {}",
                    new_param.describe(),
                    show(old_param.serialization()),
                    show(new_param.serialization())
                ),
                Some(&old_param.pointer),
                Some(&new_param.pointer),
            );
        }
        if let (Some(old_schema), Some(new_schema)) = (old_param.schema(), new_param.schema()) {
            let place = Place::root(new_param.describe());
            schema::compare(c, Direction::Request, &place, old_schema, new_schema);
        }
    }
    for new_param in &new_params {
        if old_params.iter().any(|p| p.key == new_param.key) {
            continue;
        }
        let check = if new_param.required() {
            &checks::NEW_REQUIRED_REQUEST_PARAMETER
        } else {
            &checks::NEW_OPTIONAL_REQUEST_PARAMETER
        };
        let qualifier = if new_param.required() {
            "required"
        } else {
            "optional"
        };
        c.report(
            check,
            format!("new {qualifier} {}", new_param.describe()),
            Some(&old.pointer),
            Some(&new_param.pointer),
        );
    }
}

/// The operation's parameters, its own overriding its path item's; the
/// headers OpenAPI says to ignore (`Accept`, `Content-Type`,
/// `Authorization`) left out.
fn parameters<'a>(document: Document<'a>, op: &OperationRef<'a>) -> Vec<Parameter<'a>> {
    let declared = |owner: &'a serde_json::Map<String, Value>, owner_pointer: String| {
        owner
            .get("parameters")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
            .map(move |(index, node)| {
                document.resolve_at(node, &format!("{owner_pointer}/parameters/{index}"))
            })
    };
    let item_pointer = op
        .pointer
        .rsplit_once('/')
        .map_or_else(String::new, |(item, _)| item.to_string());
    let mut found: Vec<Parameter<'a>> = Vec::new();
    let own = declared(op.node, op.pointer.clone());
    let shared = declared(op.path_item, item_pointer);
    for (node, pointer) in own.chain(shared) {
        let (Some(location), Some(name)) = (
            node.get("in").and_then(Value::as_str),
            node.get("name").and_then(Value::as_str),
        ) else {
            continue;
        };
        let key = match location {
            "path" => format!("path {}", path_position(op.path, name)),
            "header" => {
                let lower = name.to_ascii_lowercase();
                if matches!(lower.as_str(), "accept" | "content-type" | "authorization") {
                    continue;
                }
                format!("header {lower}")
            }
            _ => format!("{location} {name}"),
        };
        // The operation's own come first, so a shared one it overrides is skipped.
        if found.iter().any(|known| known.key == key) {
            continue;
        }
        found.push(Parameter {
            key,
            location,
            name,
            node,
            pointer,
        });
    }
    found
}

/// Which of the template's parameters `name` is, or its name when the
/// template does not hold it.
fn path_position(path: &str, name: &str) -> String {
    let wanted = format!("{{{name}}}");
    path.split('/')
        .filter(|segment| segment.contains('{'))
        .position(|segment| segment.contains(&wanted))
        .map_or_else(|| name.to_string(), |position| position.to_string())
}
