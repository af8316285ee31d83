//! A schema seen whole: its `allOf` branches merged, its constraints read
//! in one form for 3.0 and 3.1 alike.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::document::Document;
use crate::load::escape_segment;

/// A bound on numbers: its value and whether it is exclusive.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Bound {
    pub value: f64,
    pub exclusive: bool,
}

/// A schema node and its pointer in its document.
#[derive(Debug, Clone)]
pub(super) struct Node<'a> {
    pub value: &'a Value,
    pub pointer: String,
}

impl<'a> Node<'a> {
    pub fn new(value: &'a Value, pointer: String) -> Self {
        Node { value, pointer }
    }
}

/// A property of an object schema.
pub(super) struct Property<'a> {
    pub name: &'a str,
    pub node: Node<'a>,
    pub read_only: bool,
    pub write_only: bool,
}

/// What the comparison reads of a schema.
#[derive(Default)]
pub(super) struct Shape<'a> {
    /// The JSON types it allows, `null` included when nullable; `None`: any.
    pub types: Option<BTreeSet<&'a str>>,
    pub format: Option<&'a str>,
    /// `enum`, or `const` as an enumeration of one.
    pub enumeration: Option<Vec<&'a Value>>,
    pub minimum: Option<Bound>,
    pub maximum: Option<Bound>,
    /// Lower and upper counts, as [`COUNT_KEYWORDS`] lists them.
    pub counts: [(Option<u64>, Option<u64>); 3],
    pub pattern: Option<&'a str>,
    pub multiple_of: Option<f64>,
    pub unique_items: bool,
    pub properties: Vec<Property<'a>>,
    pub required: BTreeSet<&'a str>,
    pub items: Option<Node<'a>>,
    /// `additionalProperties` when it is a schema: a map's values.
    pub values: Option<Node<'a>>,
    /// `oneOf` and `anyOf` variants.
    pub variants: Vec<Node<'a>>,
}

pub(super) type Keywords = &'static [&'static str];

/// The keywords of counts: string length, items, properties.
pub(super) const COUNT_KEYWORDS: [(Keywords, Keywords); 3] = [
    (&["minLength"], &["maxLength"]),
    (&["minItems"], &["maxItems"]),
    (&["minProperties"], &["maxProperties"]),
];

impl<'a> Shape<'a> {
    /// The shape of a resolved schema, its `allOf` branches (resolved too) merged in.
    pub fn of(document: Document<'a>, schema: &'a Value, at: &str) -> Self {
        let mut shape = Shape::default();
        shape.merge(document, schema, at, 0);
        if shape.types.is_none() {
            // A schema that describes properties or items without a type
            // means an object or an array, as generators read it.
            let implied = if !shape.properties.is_empty() || shape.values.is_some() {
                Some("object")
            } else if shape.items.is_some() {
                Some("array")
            } else {
                None
            };
            shape.types = implied.map(|t| BTreeSet::from([t]));
        }
        if schema.get("nullable") == Some(&Value::Bool(true)) {
            if let Some(types) = &mut shape.types {
                types.insert("null");
            }
        }
        shape
    }

    fn merge(&mut self, document: Document<'a>, schema: &'a Value, at: &str, depth: usize) {
        let Some(object) = schema.as_object() else {
            return;
        };
        if self.types.is_none() {
            self.types = match object.get("type") {
                Some(Value::String(single)) => Some(BTreeSet::from([single.as_str()])),
                Some(Value::Array(several)) => {
                    Some(several.iter().filter_map(Value::as_str).collect())
                }
                _ => None,
            };
        }
        let text = |key: &str| object.get(key).and_then(Value::as_str);
        let number = |key: &str| object.get(key).and_then(Value::as_f64);
        let count = |key: &str| object.get(key).and_then(Value::as_u64);
        self.format = self.format.or(text("format"));
        self.pattern = self.pattern.or(text("pattern"));
        self.multiple_of = self.multiple_of.or(number("multipleOf"));
        self.unique_items |= object.get("uniqueItems") == Some(&Value::Bool(true));
        if self.enumeration.is_none() {
            self.enumeration = match (object.get("enum"), object.get("const")) {
                (Some(Value::Array(values)), _) => Some(values.iter().collect()),
                (_, Some(value)) => Some(vec![value]),
                _ => None,
            };
        }
        // 3.0 marks a bound exclusive with a boolean; 3.1 gives the bound itself.
        let bound = |inclusive: &str, exclusive: &str| match object.get(exclusive) {
            Some(Value::Number(value)) => value.as_f64().map(|value| Bound {
                value,
                exclusive: true,
            }),
            flag => number(inclusive).map(|value| Bound {
                value,
                exclusive: flag == Some(&Value::Bool(true)),
            }),
        };
        self.minimum = self.minimum.or(bound("minimum", "exclusiveMinimum"));
        self.maximum = self.maximum.or(bound("maximum", "exclusiveMaximum"));
        for (slot, (min, max)) in self.counts.iter_mut().zip(COUNT_KEYWORDS) {
            slot.0 = slot.0.or(count(min[0]));
            slot.1 = slot.1.or(count(max[0]));
        }
        if let Some(properties) = object.get("properties").and_then(Value::as_object) {
            for (name, node) in properties {
                if self.properties.iter().any(|known| known.name == name) {
                    continue;
                }
                let pointer = format!("{at}/properties/{}", escape_segment(name));
                let resolved = document.resolve(node);
                let flag = |key: &str| {
                    node.get(key) == Some(&Value::Bool(true))
                        || resolved.get(key) == Some(&Value::Bool(true))
                };
                self.properties.push(Property {
                    name,
                    read_only: flag("readOnly"),
                    write_only: flag("writeOnly"),
                    node: Node::new(node, pointer),
                });
            }
        }
        if let Some(required) = object.get("required").and_then(Value::as_array) {
            self.required
                .extend(required.iter().filter_map(Value::as_str));
        }
        if self.items.is_none() {
            self.items = object
                .get("items")
                .filter(|items| items.is_object())
                .map(|items| Node::new(items, format!("{at}/items")));
        }
        if self.values.is_none() {
            self.values = object
                .get("additionalProperties")
                .filter(|values| values.is_object())
                .map(|values| Node::new(values, format!("{at}/additionalProperties")));
        }
        for keyword in ["oneOf", "anyOf"] {
            if let Some(variants) = object.get(keyword).and_then(Value::as_array) {
                self.variants.extend(
                    variants
                        .iter()
                        .enumerate()
                        .map(|(index, node)| Node::new(node, format!("{at}/{keyword}/{index}"))),
                );
            }
        }
        // Branches of `allOf` add to the schema; a bound on depth ends cycles.
        if depth < 16 {
            if let Some(branches) = object.get("allOf").and_then(Value::as_array) {
                for (index, branch) in branches.iter().enumerate() {
                    let (branch, pointer) =
                        document.resolve_at(branch, &format!("{at}/allOf/{index}"));
                    self.merge(document, branch, &pointer, depth + 1);
                }
            }
        }
    }
}
