//! Reading untrusted JSON: each accessor returns the value when it has the
//! expected type and records a `type` error otherwise.

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
