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

/// The checks that generated `validate_at` bodies call, one per rule.
pub mod rules {
    use super::{Path, ValidationError};

    pub(super) fn fail(
        path: &Path,
        code: &'static str,
        message: String,
        errors: &mut Vec<ValidationError>,
    ) {
        errors.push(ValidationError {
            field: path.as_str().to_string(),
            code,
            message,
        });
    }

    pub fn required(path: &Path, errors: &mut Vec<ValidationError>) {
        fail(path, "required", "is required".to_string(), errors);
    }

    /// Lengths count characters, not bytes, as JSON Schema does.
    pub fn min_length(path: &Path, value: &str, min: usize, errors: &mut Vec<ValidationError>) {
        if value.chars().count() < min {
            let message = format!("must be at least {min} character{} long", plural(min));
            fail(path, "min_length", message, errors);
        }
    }

    pub fn max_length(path: &Path, value: &str, max: usize, errors: &mut Vec<ValidationError>) {
        if value.chars().count() > max {
            let message = format!("must be at most {max} character{} long", plural(max));
            fail(path, "max_length", message, errors);
        }
    }

    pub fn pattern(path: &Path, matches: bool, pattern: &str, errors: &mut Vec<ValidationError>) {
        if !matches {
            fail(
                path,
                "pattern",
                format!("must match the pattern `{pattern}`"),
                errors,
            );
        }
    }

    /// A format checked by parsing, such as `date-time` or `uuid`.
    pub fn format(path: &Path, parses: bool, format: &str, errors: &mut Vec<ValidationError>) {
        if !parses {
            fail(path, "format", format!("must be a valid {format}"), errors);
        }
    }

    /// The checks of one variant of a `oneOf`/`anyOf`.
    pub type VariantCheck<'a> = &'a dyn Fn(&mut Vec<ValidationError>);

    /// Like serde with an untagged enum, accepts a value that fits any variant.
    pub fn one_of(path: &Path, variants: &[VariantCheck<'_>], errors: &mut Vec<ValidationError>) {
        let fits = variants.iter().any(|check| {
            let mut attempt = Vec::new();
            check(&mut attempt);
            attempt.is_empty()
        });
        if !fits {
            let message = "must match one of the allowed shapes".to_string();
            fail(path, "one_of", message, errors);
        }
    }

    pub fn email(path: &Path, value: &str, errors: &mut Vec<ValidationError>) {
        if !is_email(value) {
            fail(
                path,
                "format",
                "must be an email address".to_string(),
                errors,
            );
        }
    }

    pub fn uri(path: &Path, value: &str, errors: &mut Vec<ValidationError>) {
        if !is_uri(value) {
            fail(
                path,
                "format",
                "must be an absolute URI".to_string(),
                errors,
            );
        }
    }

    pub fn minimum(path: &Path, value: f64, min: f64, errors: &mut Vec<ValidationError>) {
        if value < min {
            fail(path, "minimum", format!("must be at least {min}"), errors);
        }
    }

    pub fn exclusive_minimum(path: &Path, value: f64, min: f64, errors: &mut Vec<ValidationError>) {
        if value <= min {
            fail(
                path,
                "minimum",
                format!("must be greater than {min}"),
                errors,
            );
        }
    }

    pub fn maximum(path: &Path, value: f64, max: f64, errors: &mut Vec<ValidationError>) {
        if value > max {
            fail(path, "maximum", format!("must be at most {max}"), errors);
        }
    }

    pub fn exclusive_maximum(path: &Path, value: f64, max: f64, errors: &mut Vec<ValidationError>) {
        if value >= max {
            fail(path, "maximum", format!("must be less than {max}"), errors);
        }
    }

    pub fn multiple_of(path: &Path, value: f64, factor: f64, errors: &mut Vec<ValidationError>) {
        let quotient = value / factor;
        // Tolerates the rounding of decimal factors such as 0.01.
        if (quotient - quotient.round()).abs() > 1e-9 {
            fail(
                path,
                "multiple_of",
                format!("must be a multiple of {factor}"),
                errors,
            );
        }
    }

    pub fn min_items(path: &Path, len: usize, min: usize, errors: &mut Vec<ValidationError>) {
        if len < min {
            let message = format!("must have at least {min} item{}", plural(min));
            fail(path, "min_items", message, errors);
        }
    }

    pub fn max_items(path: &Path, len: usize, max: usize, errors: &mut Vec<ValidationError>) {
        if len > max {
            let message = format!("must have at most {max} item{}", plural(max));
            fail(path, "max_items", message, errors);
        }
    }

    pub fn unique_items<T: PartialEq>(path: &Path, items: &[T], errors: &mut Vec<ValidationError>) {
        let repeated = items
            .iter()
            .enumerate()
            .any(|(index, item)| items[..index].contains(item));
        if repeated {
            fail(
                path,
                "unique_items",
                "must not repeat items".to_string(),
                errors,
            );
        }
    }

    pub fn min_properties(path: &Path, len: usize, min: usize, errors: &mut Vec<ValidationError>) {
        if len < min {
            let message = format!("must have at least {min} entr{}", plural_y(min));
            fail(path, "min_properties", message, errors);
        }
    }

    pub fn max_properties(path: &Path, len: usize, max: usize, errors: &mut Vec<ValidationError>) {
        if len > max {
            let message = format!("must have at most {max} entr{}", plural_y(max));
            fail(path, "max_properties", message, errors);
        }
    }

    /// A map key longer than allowed; reported at the entry's path.
    pub fn key_max_length(path: &Path, key: &str, max: usize, errors: &mut Vec<ValidationError>) {
        if key.chars().count() > max {
            let message = format!("key must be at most {max} character{} long", plural(max));
            fail(path, "max_length", message, errors);
        }
    }

    pub fn enumeration(
        path: &Path,
        value: &str,
        allowed: &[&str],
        errors: &mut Vec<ValidationError>,
    ) {
        if !allowed.contains(&value) {
            let message = format!("must be one of: {}", allowed.join(", "));
            fail(path, "enum", message, errors);
        }
    }

    fn plural(n: usize) -> &'static str {
        if n == 1 {
            ""
        } else {
            "s"
        }
    }

    fn plural_y(n: usize) -> &'static str {
        if n == 1 {
            "y"
        } else {
            "ies"
        }
    }

    /// A pragmatic check (RFC 5321 lengths, one `@`, a dotted domain), not the full grammar.
    pub fn is_email(value: &str) -> bool {
        let Some((local, domain)) = value.rsplit_once('@') else {
            return false;
        };
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c));
        let labels: Vec<&str> = domain.split('.').collect();
        let domain_ok = domain.len() <= 253
            && labels.len() >= 2
            && labels.iter().all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            });
        local_ok && domain_ok
    }

    /// An absolute URI: a scheme, a colon, and something after it, with no spaces.
    pub fn is_uri(value: &str) -> bool {
        let Some((scheme, rest)) = value.split_once(':') else {
            return false;
        };
        let scheme_ok = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
        scheme_ok && !rest.is_empty() && !value.chars().any(char::is_whitespace)
    }
}

/// Reading untrusted JSON: each accessor returns the value when it has the
/// expected type and records a `type` error otherwise.
pub mod json {
    use serde_json::{Map, Value};

    use super::rules::fail;
    use super::{Path, ValidationError};

    /// The check of one JSON value at one path: a type's
    /// [`FromJson::check_json`](super::FromJson::check_json), or a closure
    /// with the rules of one property.
    pub type Check = fn(&Value, &Path, &mut Vec<ValidationError>);

    /// One declared property of an object: its name, whether it may be
    /// absent or null, and the check of its value.
    #[derive(Clone, Copy)]
    pub struct Property {
        name: &'static str,
        absent_ok: bool,
        null_ok: bool,
        check: Check,
    }

    /// A property that must be present and not null.
    pub const fn required(name: &'static str, check: Check) -> Property {
        Property {
            name,
            absent_ok: false,
            null_ok: false,
            check,
        }
    }

    /// A property that must be present but may be null.
    pub const fn required_nullable(name: &'static str, check: Check) -> Property {
        Property {
            name,
            absent_ok: false,
            null_ok: true,
            check,
        }
    }

    /// A property that may be absent but not null (also one a default fills).
    pub const fn optional(name: &'static str, check: Check) -> Property {
        Property {
            name,
            absent_ok: true,
            null_ok: false,
            check,
        }
    }

    /// A property that may be absent or null.
    pub const fn optional_nullable(name: &'static str, check: Check) -> Property {
        Property {
            name,
            absent_ok: true,
            null_ok: true,
            check,
        }
    }

    /// Checks that `value` is an object and each declared property in
    /// order; the object, when it is one, for checks of further keys.
    pub fn properties<'v>(
        value: &'v Value,
        path: &Path,
        errors: &mut Vec<ValidationError>,
        properties: &[Property],
    ) -> Option<&'v Map<String, Value>> {
        let object = object(value, path, errors)?;
        for property in properties {
            let path = path.field(property.name);
            match object.get(property.name) {
                None if !property.absent_ok => {
                    fail(&path, "required", "is required".to_string(), errors)
                }
                Some(Value::Null) if !property.null_ok => {
                    fail(&path, "type", "must not be null".to_string(), errors)
                }
                None | Some(Value::Null) => {}
                Some(value) => (property.check)(value, &path, errors),
            }
        }
        Some(object)
    }

    /// Checks every key of `object` that is not a declared property.
    pub fn additional(
        object: &Map<String, Value>,
        path: &Path,
        errors: &mut Vec<ValidationError>,
        declared: &[Property],
        check: Check,
    ) {
        for (key, value) in object {
            if !declared.iter().any(|property| property.name == key) {
                check(value, &path.key(key), errors);
            }
        }
    }

    /// Any value at all: the check of a property whose schema has no type.
    pub fn any(_value: &Value, _path: &Path, _errors: &mut Vec<ValidationError>) {}

    /// A string that must be the wire form (`as_str`) of one of an enum's
    /// `values`.
    pub fn string_of<T>(
        value: &Value,
        path: &Path,
        errors: &mut Vec<ValidationError>,
        values: &[T],
        as_str: fn(&T) -> &str,
    ) {
        if let Some(value) = string(value, path, errors) {
            if !values.iter().any(|known| as_str(known) == value) {
                let allowed: Vec<&str> = values.iter().map(as_str).collect();
                super::rules::enumeration(path, value, &allowed, errors);
            }
        }
    }

    /// An integer that must be one of the `allowed` values (written as text).
    pub fn integer_in(
        value: &Value,
        path: &Path,
        errors: &mut Vec<ValidationError>,
        allowed: &[&str],
    ) {
        if let Some(value) = integer(value, path, errors) {
            super::rules::enumeration(path, &value.to_string(), allowed, errors);
        }
    }

    fn expected(path: &Path, what: &str, errors: &mut Vec<ValidationError>) {
        fail(path, "type", format!("must be {what}"), errors);
    }

    pub fn object<'v>(
        value: &'v Value,
        path: &Path,
        errors: &mut Vec<ValidationError>,
    ) -> Option<&'v Map<String, Value>> {
        let object = value.as_object();
        if object.is_none() {
            expected(path, "an object", errors);
        }
        object
    }

    pub fn array<'v>(
        value: &'v Value,
        path: &Path,
        errors: &mut Vec<ValidationError>,
    ) -> Option<&'v Vec<Value>> {
        let array = value.as_array();
        if array.is_none() {
            expected(path, "an array", errors);
        }
        array
    }

    pub fn string<'v>(
        value: &'v Value,
        path: &Path,
        errors: &mut Vec<ValidationError>,
    ) -> Option<&'v str> {
        let string = value.as_str();
        if string.is_none() {
            expected(path, "a string", errors);
        }
        string
    }

    pub fn boolean(value: &Value, path: &Path, errors: &mut Vec<ValidationError>) -> Option<bool> {
        let boolean = value.as_bool();
        if boolean.is_none() {
            expected(path, "a boolean", errors);
        }
        boolean
    }

    /// A whole number that fits in 64 bits (`5.0` is not: serde would refuse it).
    pub fn integer(value: &Value, path: &Path, errors: &mut Vec<ValidationError>) -> Option<i64> {
        let integer = value.as_i64();
        if integer.is_none() {
            expected(path, "an integer", errors);
        }
        integer
    }

    pub fn int32(value: &Value, path: &Path, errors: &mut Vec<ValidationError>) -> Option<i64> {
        let integer = value.as_i64().filter(|n| i32::try_from(*n).is_ok());
        if integer.is_none() {
            expected(path, "a 32-bit integer", errors);
        }
        integer
    }

    pub fn number(value: &Value, path: &Path, errors: &mut Vec<ValidationError>) -> Option<f64> {
        let number = value.as_f64();
        if number.is_none() {
            expected(path, "a number", errors);
        }
        number
    }

    /// A string in the `uri` format.
    pub fn uri(value: &Value, path: &Path, errors: &mut Vec<ValidationError>) {
        if let Some(value) = string(value, path, errors) {
            super::rules::uri(path, value, errors);
        }
    }

    /// A string in the `email` format.
    pub fn email(value: &Value, path: &Path, errors: &mut Vec<ValidationError>) {
        if let Some(value) = string(value, path, errors) {
            super::rules::email(path, value, errors);
        }
    }

    /// Binary data as JSON: an array of bytes.
    pub fn bytes(value: &Value, path: &Path, errors: &mut Vec<ValidationError>) {
        let is_bytes = value
            .as_array()
            .is_some_and(|items| items.iter().all(|b| b.as_u64().is_some_and(|b| b <= 255)));
        if !is_bytes {
            expected(path, "an array of bytes", errors);
        }
    }
}
