//! YAML text straight into a JSON value.
//!
//! `serde_yaml::Value` cannot hold an integer beyond 64 bits, and real specs
//! have them (`minimum: -9223372036854776000`, an `int64` bound written out by
//! a tool that went through a double), so the document is deserialized into
//! JSON directly: such integers become the nearest double, as a JSON parser
//! reads them. Merge keys (`<<: *base`) are applied on the way, and tags
//! (`!include`-style annotations) are looked through.

use std::fmt;

use serde::de::{
    self, Deserialize, Deserializer, EnumAccess, MapAccess, SeqAccess, VariantAccess, Visitor,
};
use serde_json::{Map, Number, Value};

/// Parses YAML text into JSON; the error carries serde_yaml's location.
pub fn to_json(text: &str) -> Result<Value, serde_yaml::Error> {
    serde_yaml::from_str::<Json>(text).map(|json| json.0)
}

/// A JSON value deserialized from YAML.
struct Json(Value);

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(JsonVisitor).map(Json)
    }
}

struct JsonVisitor;

impl JsonVisitor {
    fn float<E: de::Error>(value: f64) -> Result<Value, E> {
        Number::from_f64(value).map(Value::Number).ok_or_else(|| {
            E::custom(format!(
                "the number `{value}` cannot be represented in JSON"
            ))
        })
    }
}

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Value;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("any YAML value")
    }

    fn visit_bool<E>(self, value: bool) -> Result<Value, E> {
        Ok(Value::Bool(value))
    }

    fn visit_i64<E>(self, value: i64) -> Result<Value, E> {
        Ok(Value::Number(value.into()))
    }

    fn visit_u64<E>(self, value: u64) -> Result<Value, E> {
        Ok(Value::Number(value.into()))
    }

    fn visit_i128<E: de::Error>(self, value: i128) -> Result<Value, E> {
        Self::float(value as f64)
    }

    fn visit_u128<E: de::Error>(self, value: u128) -> Result<Value, E> {
        Self::float(value as f64)
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Value, E> {
        Self::float(value)
    }

    fn visit_str<E>(self, value: &str) -> Result<Value, E> {
        Ok(Value::String(value.to_string()))
    }

    fn visit_string<E>(self, value: String) -> Result<Value, E> {
        Ok(Value::String(value))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        Json::deserialize(deserializer).map(|json| json.0)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(Json(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        let mut merged = Vec::new();
        while let Some(Json(key)) = map.next_key()? {
            let Json(value) = map.next_value()?;
            let key = key_text(key).map_err(de::Error::custom)?;
            if key == "<<" {
                merged.push(value);
            } else {
                object.insert(key, value);
            }
        }
        for base in merged {
            merge_into(&mut object, base).map_err(de::Error::custom)?;
        }
        Ok(Value::Object(object))
    }

    /// A tagged value (`!tag value`): the value, without the tag.
    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<Value, A::Error> {
        let (_tag, variant): (String, _) = data.variant()?;
        variant.newtype_variant::<Json>().map(|json| json.0)
    }
}

/// Mapping keys are strings in JSON: `200:` (a status) becomes `"200"`.
fn key_text(key: Value) -> Result<String, String> {
    match key {
        Value::String(text) => Ok(text),
        Value::Number(number) => Ok(number.to_string()),
        Value::Bool(flag) => Ok(flag.to_string()),
        Value::Null => Ok("null".to_string()),
        other => Err(format!("a mapping key must be a string, found {other}")),
    }
}

/// `<<: base` or `<<: [a, b]`: keys the mapping does not set itself come
/// from the bases, the earlier base winning.
fn merge_into(object: &mut Map<String, Value>, base: Value) -> Result<(), String> {
    match base {
        Value::Object(base) => {
            for (key, value) in base {
                object.entry(key).or_insert(value);
            }
            Ok(())
        }
        Value::Array(bases) => bases
            .into_iter()
            .try_for_each(|base| merge_into(object, base)),
        _ => Err("a merge key (`<<`) must refer to a mapping or a list of mappings".to_string()),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn integers_beyond_64_bits_become_doubles() {
        let value =
            to_json("minimum: -9223372036854776000\nmaximum: 18446744073709551616\n").unwrap();
        assert_eq!(value["minimum"].as_f64(), Some(-9.223372036854776e18));
        assert_eq!(value["maximum"].as_f64(), Some(1.8446744073709552e19));
    }

    #[test]
    fn keys_become_strings_and_merges_apply() {
        let text = "base: &base {a: 1, b: 2}\nmine:\n  <<: *base\n  b: 3\n200: ok\ntagged: !thing {c: 4}\n";
        assert_eq!(
            to_json(text).unwrap(),
            json!({
                "base": {"a": 1, "b": 2},
                "mine": {"b": 3, "a": 1},
                "200": "ok",
                "tagged": {"c": 4},
            })
        );
    }
}
