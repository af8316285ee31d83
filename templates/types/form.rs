//! Form bodies (`application/x-www-form-urlencoded`) as JSON values.
//!
//! Every value in a form is text. A form parsed into a JSON tree (brackets
//! make objects and lists: `metadata[order_id]=6735`, `items[0][price]=5`)
//! holds strings where the schema wants numbers and booleans; [`FormShape`]
//! turns those into the JSON types the schema names, so the body is then
//! checked and decoded by [`crate::FromJson`] exactly as a JSON body is.
//! A value that does not convert is left as it was, for `FromJson` to
//! report with its field path.

use std::collections::BTreeMap;

use serde_json::{Number as JsonNumber, Value};

/// Coerces one value of a form tree in place.
pub type Coerce = fn(&mut Value);

/// Gives the values of a form tree the JSON types of `Self`'s schema.
pub trait FormShape {
    fn coerce(value: &mut Value);
}

/// Text: strings, enums, dates, and values whose type a form cannot say.
pub struct Text;

/// An integer.
pub struct Integer;

/// A number.
pub struct Number;

/// `true` or `false`.
pub struct Boolean;

impl FormShape for Text {
    fn coerce(_: &mut Value) {}
}

impl FormShape for Integer {
    fn coerce(value: &mut Value) {
        if let Value::String(text) = value {
            let text = text.trim();
            let number = text
                .parse::<i64>()
                .map(JsonNumber::from)
                .or_else(|_| text.parse::<u64>().map(JsonNumber::from));
            if let Ok(number) = number {
                *value = Value::Number(number);
            }
        }
    }
}

impl FormShape for Number {
    fn coerce(value: &mut Value) {
        if let Value::String(text) = value {
            if let Some(number) = text.trim().parse::<f64>().ok().and_then(JsonNumber::from_f64) {
                *value = Value::Number(number);
            }
        }
    }
}

impl FormShape for Boolean {
    fn coerce(value: &mut Value) {
        if let Value::String(text) = value {
            match text.as_str() {
                "true" => *value = Value::Bool(true),
                "false" => *value = Value::Bool(false),
                _ => {}
            }
        }
    }
}

/// A list: one value sent alone (`tag=a`) is a list of one.
impl<T: FormShape> FormShape for Vec<T> {
    fn coerce(value: &mut Value) {
        if !value.is_array() && !value.is_null() {
            *value = Value::Array(vec![value.take()]);
        }
        if let Value::Array(items) = value {
            items.iter_mut().for_each(T::coerce);
        }
    }
}

/// A map: each value as `T`.
impl<T: FormShape> FormShape for BTreeMap<String, T> {
    fn coerce(value: &mut Value) {
        if let Value::Object(members) = value {
            members.values_mut().for_each(T::coerce);
        }
    }
}

/// Whether a coerced value fits a union variant's schema.
pub type Fits = fn(&Value) -> bool;

/// Whether `value` fits `T`'s schema (its shape and rules).
pub fn fits<T: crate::FromJson>(value: &Value) -> bool {
    let mut errors = Vec::new();
    T::check_json(value, &crate::validation::Path::root(), &mut errors);
    errors.is_empty()
}

/// A union of objects: the value as the first variant's coercion makes it
/// fit, else as it was (for the checks to report).
pub fn first_fit(value: &mut Value, variants: &[(Coerce, Fits)]) {
    for (coerce, fits) in variants {
        let mut candidate = value.clone();
        coerce(&mut candidate);
        if fits(&candidate) {
            *value = candidate;
            return;
        }
    }
}

/// A struct's fields, each with its own coercion; members not listed are
/// given `rest` (the struct's additional properties) when there is one.
pub fn object(value: &mut Value, fields: &[(&str, Coerce)], rest: Option<Coerce>) {
    let Value::Object(members) = value else {
        return;
    };
    for (name, member) in members.iter_mut() {
        match fields.iter().find(|(field, _)| field == name) {
            Some((_, coerce)) => coerce(member),
            None => {
                if let Some(coerce) = rest {
                    coerce(member);
                }
            }
        }
    }
}
