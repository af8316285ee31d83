//! Decoding of generated models from parsed JSON.
//!
//! Every model implements [`Decode`], which takes a [`Value`] apart into the
//! model, moving its strings and nested values rather than copying them.
//! The models' serde `Deserialize` impls go through it: they read a
//! [`Value`] and decode that, so they need a self-describing format such as
//! JSON. A struct's decoder is one line per field, where serde's derive
//! would expand to a field visitor, a sequence visitor and a map visitor per
//! struct: far less for the compiler to check in an API with a thousand
//! models.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

/// A value that can be decoded from a parsed JSON [`Value`].
///
/// The default decodes with serde, which is right for values that are one
/// JSON scalar (strings, numbers, formats, enums); structs, unions and
/// containers decode their parts themselves. A type whose `Deserialize`
/// comes from `impl_deserialize!` must: the default would call it back.
pub trait Decode: DeserializeOwned {
    /// Decodes `value`, or says where and why it is not a `Self`.
    fn decode(value: Value) -> Result<Self, DecodeError> {
        serde_json::from_value(value).map_err(DecodeError::from)
    }

    /// What a model's serde `Deserialize` does: reads a JSON value, then
    /// decodes it.
    fn decode_from<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        Self::decode(value).map_err(D::Error::custom)
    }
}

/// Implements serde's `Deserialize` for a model through its [`Decode`]
/// (see [`Decode::decode_from`]): `decode::impl_deserialize!(User);`.
macro_rules! impl_deserialize {
    ($model:ty) => {
        impl<'de> serde::Deserialize<'de> for $model {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                <Self as $crate::decode::Decode>::decode_from(deserializer)
            }
        }
    };
}

pub(crate) use impl_deserialize;

/// Where a value sits inside the decoded or validated root, written the way
/// users read it (`items[2].name`, `metadata["two words"]`). Each step
/// borrows its parent, so checking a valid value allocates nothing: the text
/// is only written for an error.
#[derive(Debug, Clone, Copy)]
pub struct Path<'a> {
    parent: Option<&'a Path<'a>>,
    step: Step<'a>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step<'a> {
    Root,
    Field(&'a str),
    Index(usize),
    Key(&'a str),
}

impl Path<'static> {
    /// The root value itself.
    pub fn root() -> Self {
        Path {
            parent: None,
            step: Step::Root,
        }
    }
}

impl<'a> Path<'a> {
    /// A named field: `address` then `address.city`.
    pub fn field<'b>(&'b self, name: &'b str) -> Path<'b> {
        self.child(Step::Field(name))
    }

    /// An array element: `items[2]`.
    pub fn index(&self, index: usize) -> Path<'_> {
        self.child(Step::Index(index))
    }

    /// A map entry: `metadata.color`, or `metadata["two words"]` when the key
    /// is not a plain identifier.
    pub fn key<'b>(&'b self, key: &'b str) -> Path<'b> {
        self.child(Step::Key(key))
    }

    fn child<'b>(&'b self, step: Step<'b>) -> Path<'b> {
        Path {
            parent: Some(self),
            step,
        }
    }
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at_root = match self.parent {
            Some(parent) => {
                parent.fmt(f)?;
                parent.step == Step::Root
            }
            None => true,
        };
        write_step(f, self.step, at_root)
    }
}

/// One step of a path after what was written before it (`at_root`: nothing).
fn write_step(out: &mut impl fmt::Write, step: Step<'_>, at_root: bool) -> fmt::Result {
    match step {
        Step::Root => Ok(()),
        Step::Field(name) if at_root => out.write_str(name),
        Step::Field(name) => write!(out, ".{name}"),
        Step::Index(index) => write!(out, "[{index}]"),
        Step::Key(key) if is_plain(key) => write_step(out, Step::Field(key), at_root),
        Step::Key(key) => write!(out, "[{key:?}]"),
    }
}

/// Whether a map key reads well as a field name.
fn is_plain(key: &str) -> bool {
    !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Why a JSON value does not decode: the message, and where in the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    message: String,
    /// The steps from the decoded root to the failing value, innermost
    /// first: they are added as the error travels out.
    steps: Vec<Segment>,
}

/// A [`Step`] the error owns.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Field(&'static str),
    Index(usize),
    Key(String),
}

impl DecodeError {
    /// An error with `message` at the value being decoded.
    pub fn new(message: impl fmt::Display) -> Self {
        DecodeError {
            message: message.to_string(),
            steps: Vec::new(),
        }
    }

    /// The same error, located inside the property `name`.
    fn in_field(mut self, name: &'static str) -> Self {
        self.steps.push(Segment::Field(name));
        self
    }

    fn in_index(mut self, index: usize) -> Self {
        self.steps.push(Segment::Index(index));
        self
    }

    fn in_key(mut self, key: &str) -> Self {
        self.steps.push(Segment::Key(key.to_string()));
        self
    }

    /// The path of the failing value (`items[2].name`); empty for the root.
    pub fn path(&self) -> String {
        let mut text = String::new();
        for (position, segment) in self.steps.iter().rev().enumerate() {
            let step = match segment {
                Segment::Field(name) => Step::Field(name),
                Segment::Index(index) => Step::Index(*index),
                Segment::Key(key) => Step::Key(key),
            };
            // Writing to a `String` cannot fail.
            let _ = write_step(&mut text, step, position == 0);
        }
        text
    }

    /// What is wrong, without the path.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.steps.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path(), self.message)
        }
    }
}

impl std::error::Error for DecodeError {}

impl From<serde_json::Error> for DecodeError {
    fn from(error: serde_json::Error) -> Self {
        DecodeError::new(error)
    }
}

impl Decode for Value {
    fn decode(value: Value) -> Result<Self, DecodeError> {
        Ok(value)
    }
}

impl Decode for String {
    fn decode(value: Value) -> Result<Self, DecodeError> {
        match value {
            Value::String(text) => Ok(text),
            other => Err(invalid_type(&other, "a string")),
        }
    }
}

impl Decode for bool {}
impl Decode for u8 {}
impl Decode for i32 {}
impl Decode for i64 {}
impl Decode for f32 {}
impl Decode for f64 {}

/// `null`, or a value of `T`.
impl<T: Decode> Decode for Option<T> {
    fn decode(value: Value) -> Result<Self, DecodeError> {
        match value {
            Value::Null => Ok(None),
            value => T::decode(value).map(Some),
        }
    }
}

impl<T: Decode> Decode for Box<T> {
    fn decode(value: Value) -> Result<Self, DecodeError> {
        T::decode(value).map(Box::new)
    }
}

impl<T: Decode> Decode for Vec<T> {
    fn decode(value: Value) -> Result<Self, DecodeError> {
        match value {
            Value::Array(items) => items
                .into_iter()
                .enumerate()
                .map(|(index, item)| T::decode(item).map_err(|error| error.in_index(index)))
                .collect(),
            other => Err(invalid_type(&other, "an array")),
        }
    }
}

impl<T: Decode> Decode for BTreeMap<String, T> {
    fn decode(value: Value) -> Result<Self, DecodeError> {
        match value {
            Value::Object(entries) => entries_of(entries),
            other => Err(invalid_type(&other, "an object")),
        }
    }
}

fn entries_of<T: Decode>(entries: Map<String, Value>) -> Result<BTreeMap<String, T>, DecodeError> {
    entries
        .into_iter()
        .map(|(key, value)| match T::decode(value) {
            Ok(value) => Ok((key, value)),
            Err(error) => Err(error.in_key(&key)),
        })
        .collect()
}

/// serde's words for an absent required property.
fn missing_field(name: &'static str) -> DecodeError {
    DecodeError::from(serde_json::Error::missing_field(name))
}

fn invalid_type(value: &Value, expected: &str) -> DecodeError {
    let found = match value {
        Value::Null => "null".to_string(),
        Value::Bool(b) => format!("boolean `{b}`"),
        Value::Number(n) => format!("number `{n}`"),
        Value::String(s) => format!("string {s:?}"),
        Value::Array(_) => "an array".to_string(),
        Value::Object(_) => "an object".to_string(),
    };
    DecodeError::new(format!("invalid type: {found}, expected {expected}"))
}

/// The properties of a JSON object, taken out one by one into a struct's
/// fields.
pub struct Object(Map<String, Value>);

impl Object {
    /// The object `value` is, else an error.
    pub fn new(value: Value) -> Result<Self, DecodeError> {
        match value {
            Value::Object(map) => Ok(Object(map)),
            other => Err(invalid_type(&other, "an object")),
        }
    }

    /// A property that must be present (its value may be `null` when `T`
    /// is an `Option`).
    pub fn required<T: Decode>(&mut self, name: &'static str) -> Result<T, DecodeError> {
        self.take(name).unwrap_or_else(|| Err(missing_field(name)))
    }

    /// A property that may be absent or `null`: both are `None`.
    pub fn optional<T: Decode>(&mut self, name: &'static str) -> Result<Option<T>, DecodeError> {
        self.take(name).unwrap_or(Ok(None))
    }

    /// A property that takes `default()` when absent.
    pub fn or_default<T: Decode>(
        &mut self,
        name: &'static str,
        default: fn() -> T,
    ) -> Result<T, DecodeError> {
        self.take(name).unwrap_or_else(|| Ok(default()))
    }

    /// An optional, nullable property whose three states stay apart:
    /// absent is `None`, `null` is `Some(None)` and a value is
    /// `Some(Some(value))`. "Set to null" in a PATCH is then different from
    /// "leave as it is".
    pub fn explicit_null<T: Decode>(
        &mut self,
        name: &'static str,
    ) -> Result<Option<Option<T>>, DecodeError> {
        self.take(name).transpose()
    }

    /// The property `name` taken out and decoded, `None` when absent; a
    /// failure is located inside the property.
    fn take<T: Decode>(&mut self, name: &'static str) -> Option<Result<T, DecodeError>> {
        let value = self.0.remove(name)?;
        Some(T::decode(value).map_err(|error| error.in_field(name)))
    }

    /// The properties not taken yet: a struct's additional properties.
    pub fn rest<T: Decode>(self) -> Result<BTreeMap<String, T>, DecodeError> {
        entries_of(self.0)
    }
}

/// How one variant of an untagged union is tried: the properties it
/// declares (`None` when it takes any, or is not an object), and its decoder.
pub type Variant<T> = (Option<&'static [&'static str]>, fn(Value) -> Option<T>);

/// Decodes an untagged union: as the first variant that declares every
/// property the value has, so nothing the value carries is dropped, else as
/// the first variant the value fits at all.
pub fn best_fit<T>(value: Value, variants: &[Variant<T>]) -> Option<T> {
    let covers = |declared: Option<&[&str]>| match (&value, declared) {
        (Value::Object(object), Some(declared)) => {
            object.keys().all(|key| declared.contains(&key.as_str()))
        }
        _ => true,
    };
    let whole = variants.iter().filter(|(declared, _)| covers(*declared));
    whole
        .chain(variants)
        .find_map(|(_, decode)| decode(value.clone()))
}

/// The tag of a union chosen by a discriminator `property`.
pub fn tag(value: &Value, property: &'static str) -> Result<String, DecodeError> {
    match value.get(property) {
        Some(Value::String(tag)) => Ok(tag.clone()),
        Some(_) => Err(DecodeError::new("must be a string").in_field(property)),
        None => Err(missing_field(property)),
    }
}

/// The error for a tag no variant of a union has.
pub fn unknown_tag(tag: &str, known: &'static [&'static str]) -> DecodeError {
    DecodeError::from(serde_json::Error::unknown_variant(tag, known))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_read_as_users_write_them() {
        let root = Path::root();
        assert_eq!(root.to_string(), "");
        let items = root.field("items");
        let second = items.index(2);
        assert_eq!(second.field("name").to_string(), "items[2].name");
        let metadata = root.field("metadata");
        assert_eq!(metadata.key("color").to_string(), "metadata.color");
        assert_eq!(metadata.key("two words").to_string(), "metadata[\"two words\"]");
        assert_eq!(root.index(0).to_string(), "[0]");
        assert_eq!(root.key("k").to_string(), "k");
    }

    #[test]
    fn a_decode_error_writes_its_path_the_same_way() {
        let error = DecodeError::new("expected a string")
            .in_key("two words")
            .in_field("metadata")
            .in_index(2)
            .in_field("items");
        assert_eq!(error.path(), "items[2].metadata[\"two words\"]");
        assert_eq!(error.to_string(), "items[2].metadata[\"two words\"]: expected a string");
    }
}
