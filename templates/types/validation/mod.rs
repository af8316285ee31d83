//! Validation of generated models against the rules of the spec.
//!
//! Every model implements [`Validate`]. [`Validate::validate`] reports every
//! rule a value breaks, not just the first, each with the path of the field
//! inside the value (`email`, `items[2].name`, `metadata.color`) and a
//! machine-readable code (`min_length`, `pattern`, `format`, ...).
//!
//! Every model also implements [`FromJson`], which checks untrusted JSON
//! (a request body) against the schema before decoding it: wrong types,
//! missing fields and broken rules are all reported together, where serde
//! alone would stop at the first problem.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;
use serde_json::Value;

use crate::decode::Decode;
pub use crate::decode::Path;

/// A value that can check itself against the spec's rules.
///
/// Every [`FromJson`] type is one: the value is checked as the JSON it
/// serialises to, so a value and the request that carries it break exactly
/// the same rules.
pub trait Validate {
    /// Appends every failure found in `self`, located under `path`, to `errors`.
    fn validate_at(&self, path: &Path, errors: &mut Vec<ValidationError>);

    /// Checks every rule; `Err` lists all failures in document order.
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = Vec::new();
        self.validate_at(&Path::root(), &mut errors);
        if errors.is_empty() {
            Ok(())
        } else {
            Err(ValidationErrors(errors))
        }
    }
}

impl<T: FromJson + Serialize> Validate for T {
    fn validate_at(&self, path: &Path, errors: &mut Vec<ValidationError>) {
        match serde_json::to_value(self) {
            Ok(value) => T::check_json(&value, path, errors),
            Err(error) => rules::fail(path, "type", error.to_string(), errors),
        }
    }
}

/// A model that can be decoded from untrusted JSON with every problem reported.
///
/// A model that is a JSON object only lists its properties (`PROPERTIES`,
/// `ADDITIONAL`) and keeps the default `check_json`; every other type
/// writes its own.
pub trait FromJson: Decode {
    /// The properties an object declares: how present each must be, and
    /// the check of its value.
    const PROPERTIES: &'static [json::Property] = &[];

    /// The check of the properties an object does not declare (its
    /// `additionalProperties`); `None` lets any value through.
    const ADDITIONAL: Option<json::Check> = None;

    /// Appends every way `value`, located at `path`, fails the schema: its
    /// shape (types, required fields, enum values, formats) and its rules.
    fn check_json(value: &Value, path: &Path, errors: &mut Vec<ValidationError>) {
        if let Some(object) = json::properties(value, path, errors, Self::PROPERTIES) {
            if let Some(check) = Self::ADDITIONAL {
                json::additional(object, path, errors, Self::PROPERTIES, check);
            }
        }
    }

    /// Checks `value` against the schema, then decodes it.
    fn from_json(value: Value) -> Result<Self, ValidationErrors> {
        let mut errors = Vec::new();
        Self::check_json(&value, &Path::root(), &mut errors);
        if !errors.is_empty() {
            return Err(ValidationErrors(errors));
        }
        // The checks cover what decoding requires, so this only fails where
        // a value fits several untagged variants and another one is chosen.
        Self::decode(value).map_err(|error| {
            ValidationErrors(vec![ValidationError {
                field: error.path(),
                code: "type",
                message: error.message().to_string(),
            }])
        })
    }
}

impl FromJson for Value {
    fn check_json(_value: &Value, _path: &Path, _errors: &mut Vec<ValidationError>) {}
}

impl FromJson for String {
    fn check_json(value: &Value, path: &Path, errors: &mut Vec<ValidationError>) {
        json::string(value, path, errors);
    }
}

impl FromJson for bool {
    fn check_json(value: &Value, path: &Path, errors: &mut Vec<ValidationError>) {
        json::boolean(value, path, errors);
    }
}

impl FromJson for i32 {
    fn check_json(value: &Value, path: &Path, errors: &mut Vec<ValidationError>) {
        json::int32(value, path, errors);
    }
}

impl FromJson for i64 {
    fn check_json(value: &Value, path: &Path, errors: &mut Vec<ValidationError>) {
        json::integer(value, path, errors);
    }
}

impl FromJson for f32 {
    fn check_json(value: &Value, path: &Path, errors: &mut Vec<ValidationError>) {
        json::number(value, path, errors);
    }
}

impl FromJson for f64 {
    fn check_json(value: &Value, path: &Path, errors: &mut Vec<ValidationError>) {
        json::number(value, path, errors);
    }
}

/// `null`, or a value of `T`.
impl<T: FromJson> FromJson for Option<T> {
    fn check_json(value: &Value, path: &Path, errors: &mut Vec<ValidationError>) {
        if !value.is_null() {
            T::check_json(value, path, errors);
        }
    }
}

impl<T: FromJson> FromJson for Vec<T> {
    fn check_json(value: &Value, path: &Path, errors: &mut Vec<ValidationError>) {
        if let Some(items) = json::array(value, path, errors) {
            for (index, item) in items.iter().enumerate() {
                T::check_json(item, &path.index(index), errors);
            }
        }
    }
}

impl<T: FromJson> FromJson for BTreeMap<String, T> {
    fn check_json(value: &Value, path: &Path, errors: &mut Vec<ValidationError>) {
        if let Some(entries) = json::object(value, path, errors) {
            for (key, value) in entries {
                T::check_json(value, &path.key(key), errors);
            }
        }
    }
}

/// One rule that a value breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    /// The path of the offending value (`items[2].name`); empty for the root.
    pub field: String,
    /// The rule that failed: `type`, `required`, `min_length`, `max_length`,
    /// `pattern`, `format`, `minimum`, `maximum`, `multiple_of`, `min_items`,
    /// `max_items`, `unique_items`, `min_properties`, `max_properties`, `enum`
    /// or `one_of`.
    pub code: &'static str,
    /// A sentence for people.
    pub message: String,
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_empty() {
            write!(f, "{} ({})", self.message, self.code)
        } else {
            write!(f, "{}: {} ({})", self.field, self.message, self.code)
        }
    }
}

/// Every failure found in one value, in document order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationErrors(Vec<ValidationError>);

impl ValidationErrors {
    pub fn iter(&self) -> std::slice::Iter<'_, ValidationError> {
        self.0.iter()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Never true for an error returned by [`Validate::validate`].
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn into_vec(self) -> Vec<ValidationError> {
        self.0
    }
}

impl IntoIterator for ValidationErrors {
    type Item = ValidationError;
    type IntoIter = std::vec::IntoIter<ValidationError>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, error) in self.0.iter().enumerate() {
            if index > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{error}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ValidationErrors {}

#[rustfmt::skip]
pub mod json;
#[rustfmt::skip]
pub mod rules;
