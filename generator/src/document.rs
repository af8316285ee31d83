//! A spec as `lint` and `diff` read it: the bundled JSON, with each node's
//! JSON pointer, so every finding can be located in the file.

use serde_json::{Map, Value};

use crate::load::escape_segment;

/// The HTTP methods an OpenAPI path item may hold.
pub const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// A loaded spec's bundled JSON.
#[derive(Clone, Copy)]
pub struct Document<'a> {
    pub root: &'a Value,
}

/// One operation: its path, method, node and pointer.
pub struct OperationRef<'a> {
    pub path: &'a str,
    pub method: &'a str,
    pub node: &'a Map<String, Value>,
    /// The path item, for its shared `parameters` and `servers`.
    pub path_item: &'a Map<String, Value>,
    pub pointer: String,
}

impl<'a> Document<'a> {
    pub fn new(root: &'a Value) -> Self {
        Document { root }
    }

    pub fn paths(&self) -> impl Iterator<Item = (&'a str, &'a Map<String, Value>, String)> {
        self.root
            .get("paths")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .filter_map(|(path, item)| {
                let item = item.as_object()?;
                Some((path.as_str(), item, pointer(&["paths", path])))
            })
    }

    pub fn operations(&self) -> Vec<OperationRef<'a>> {
        let mut operations = Vec::new();
        for (path, item, path_pointer) in self.paths() {
            for method in METHODS {
                if let Some(node) = item.get(method).and_then(Value::as_object) {
                    operations.push(OperationRef {
                        path,
                        method,
                        node,
                        path_item: item,
                        pointer: format!("{path_pointer}/{method}"),
                    });
                }
            }
        }
        operations
    }

    /// `#/components/<kind>`'s entries.
    pub fn components(&self, kind: &str) -> impl Iterator<Item = (&'a str, &'a Value)> {
        self.root
            .pointer(&format!("/components/{kind}"))
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .map(|(name, value)| (name.as_str(), value))
    }

    /// What a `$ref` inside this document points at (other nodes as they are).
    pub fn resolve(&self, node: &'a Value) -> &'a Value {
        self.follow(node).map_or(node, |(target, _)| target)
    }

    /// [`Self::resolve`], also giving the pointer of the node it arrived at
    /// (`at` itself when `node` is not a reference).
    pub fn resolve_at(&self, node: &'a Value, at: &str) -> (&'a Value, String) {
        match self.follow(node) {
            Some((target, reference)) => (target, reference.to_string()),
            None => (node, at.to_string()),
        }
    }

    /// The end of a chain of local references, with the last reference
    /// followed; `None` when `node` is no local reference that resolves.
    fn follow(&self, node: &'a Value) -> Option<(&'a Value, &'a str)> {
        let mut node = node;
        let mut last = None;
        // A bound, so a cycle of references that point at each other ends.
        for _ in 0..16 {
            let Some(reference) = node.get("$ref").and_then(Value::as_str) else {
                break;
            };
            let Some(target) = reference
                .strip_prefix('#')
                .and_then(|local| self.root.pointer(local))
            else {
                break;
            };
            node = target;
            last = Some(reference);
        }
        last.map(|reference| (node, reference))
    }
}

impl OperationRef<'_> {
    pub fn operation_id(&self) -> Option<&str> {
        self.node.get("operationId").and_then(Value::as_str)
    }

    /// Its responses, by status text (`"201"`, `"4XX"`, `"default"`).
    pub fn responses(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.node
            .get("responses")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .map(|(status, response)| (status.as_str(), response))
    }

    /// Its parameters and its path item's, unresolved.
    pub fn parameters(&self) -> impl Iterator<Item = &Value> {
        let own = self.node.get("parameters").and_then(Value::as_array);
        let shared = self.path_item.get("parameters").and_then(Value::as_array);
        own.into_iter()
            .flatten()
            .chain(shared.into_iter().flatten())
    }

    pub fn is_read(&self) -> bool {
        matches!(self.method, "get" | "head" | "options" | "trace")
    }

    /// The operation for messages: `GET /users`.
    pub fn label(&self) -> String {
        format!("{} {}", self.method.to_ascii_uppercase(), self.path)
    }
}

/// A JSON pointer (`#/paths/~1users/get`) from its unescaped parts.
pub fn pointer(parts: &[&str]) -> String {
    let mut text = String::from("#");
    for part in parts {
        text.push('/');
        text.push_str(&escape_segment(part));
    }
    text
}

/// The literal segments of a path template, without parameters.
pub fn literal_segments(path: &str) -> impl Iterator<Item = &str> {
    path.split('/')
        .filter(|segment| !segment.is_empty() && !segment.contains('{'))
}
