//! Default values, checked against the type they fill.

use super::TypeLowering;
use crate::ir::{Literal, Primitive, Schema, TypeKind, TypeRef};

impl<'a> TypeLowering<'a> {
    /// A default value as a typed literal, or `None` (with a warning) if it does not fit.
    pub fn literal(
        &mut self,
        value: &serde_json::Value,
        schema: &Schema,
        pointer: &str,
    ) -> Option<Literal> {
        let literal = match (&schema.ty, value) {
            (TypeRef::Primitive(Primitive::Boolean), serde_json::Value::Bool(b)) => {
                Some(Literal::Bool(*b))
            }
            (TypeRef::Primitive(p), serde_json::Value::Number(n)) if p.is_integer() => {
                n.as_i64().map(Literal::Integer)
            }
            (TypeRef::Primitive(Primitive::F32 | Primitive::F64), serde_json::Value::Number(n)) => {
                n.as_f64().map(Literal::Float)
            }
            (TypeRef::Primitive(Primitive::String), serde_json::Value::String(s)) => {
                Some(Literal::String(s.clone()))
            }
            (TypeRef::Named(id), serde_json::Value::Number(n)) => {
                match self.type_def(*id).map(|t| &t.kind) {
                    Some(TypeKind::Enum(e)) if e.integer => e
                        .variants
                        .iter()
                        .position(|v| v.wire == n.to_string())
                        .map(|index| Literal::Variant(*id, index)),
                    _ => None,
                }
            }
            (TypeRef::Named(id), serde_json::Value::String(s)) => {
                match self.type_def(*id).map(|t| &t.kind) {
                    Some(TypeKind::Enum(e)) => e
                        .variants
                        .iter()
                        .position(|v| &v.wire == s)
                        .map(|index| Literal::Variant(*id, index)),
                    _ => None,
                }
            }
            // A scalar written as a string ("false", "10"): read exactly, with a warning.
            (TypeRef::Primitive(_), serde_json::Value::String(text)) => {
                let read = scalar_from_text(schema, text);
                if read.is_some() {
                    self.warn(
                        format!("the default value {value} is a string; it is read as {text}"),
                        &format!("{pointer}/default"),
                        "write the default without quotes",
                    );
                }
                read
            }
            _ => None,
        };
        if literal.is_none() {
            let reason = if value.is_array() || value.is_object() {
                "only scalar defaults are applied"
            } else {
                "it does not fit the schema's type"
            };
            self.warn(
                format!("the default value {value} is not applied: {reason}"),
                &format!("{pointer}/default"),
                "give a default of the property's own type, or remove it",
            );
        }
        literal
    }
}

/// The boolean or number a string default spells exactly, for a schema of that type.
fn scalar_from_text(schema: &Schema, text: &str) -> Option<Literal> {
    match &schema.ty {
        TypeRef::Primitive(Primitive::Boolean) => match text {
            "true" => Some(Literal::Bool(true)),
            "false" => Some(Literal::Bool(false)),
            _ => None,
        },
        TypeRef::Primitive(p) if p.is_integer() => text.parse().ok().map(Literal::Integer),
        TypeRef::Primitive(Primitive::F32 | Primitive::F64) => text
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite())
            .map(Literal::Float),
        _ => None,
    }
}
