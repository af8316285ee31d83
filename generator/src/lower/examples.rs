//! A sample of the spec's own examples of named types: the values the
//! generated round-trip tests decode into those types and encode back.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::ir::{Example, Schema, TypeId, TypeRef};

/// At most this many examples of one type: a sample, not the whole spec.
const PER_TYPE: usize = 3;
/// At most this many items of one list example.
const PER_LIST: usize = 2;

#[derive(Default)]
pub struct Samples {
    examples: Vec<Example>,
    per_type: BTreeMap<TypeId, usize>,
}

impl Samples {
    /// Records `value` (at `pointer`) as an example of what `schema` holds:
    /// of its named type, or of each of the first items of a list of one.
    /// Examples of scalars, maps and free-form JSON are not sampled.
    pub fn add(&mut self, schema: &Schema, pointer: &str, value: &Value) {
        // Some specs write a body's example as a string of JSON; its author meant the JSON.
        let parsed = match value {
            Value::String(text) => serde_json::from_str::<Value>(text)
                .ok()
                .filter(|v| v.is_object() || v.is_array()),
            _ => None,
        };
        let value = parsed.as_ref().unwrap_or(value);
        match (&schema.ty, value) {
            (_, Value::Null) => {}
            (TypeRef::Named(id), _) => self.add_one(*id, pointer.to_string(), value),
            (TypeRef::Array(items), Value::Array(values)) => {
                if let TypeRef::Named(id) = items.ty {
                    for (index, item) in values.iter().take(PER_LIST).enumerate() {
                        if !item.is_null() {
                            self.add_one(id, format!("{pointer}/{index}"), item);
                        }
                    }
                }
            }
            _ => {}
        }
    }

    fn add_one(&mut self, ty: TypeId, pointer: String, value: &Value) {
        let count = self.per_type.entry(ty).or_default();
        let seen = self
            .examples
            .iter()
            .any(|e| e.ty == ty && (e.pointer == pointer || e.value == *value));
        if *count < PER_TYPE && !seen {
            *count += 1;
            self.examples.push(Example {
                ty,
                pointer,
                value: value.clone(),
            });
        }
    }

    /// The sample in the order the spec gave it.
    pub fn into_examples(self) -> Vec<Example> {
        self.examples
    }
}
