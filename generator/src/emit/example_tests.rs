//! `<name>-types/tests/examples/` (with `--example-tests`): the spec's own
//! examples decoded into the generated types and encoded back equal.

use quote::{format_ident, quote};
use serde_json::Value;

use super::rust::{self, ident};
use super::{Context, CrateKind, Output};
use crate::ir::{Api, Literal, TypeGroup, TypeKind, TypeRef};

/// The comparison and the tally, copied verbatim under the generated part.
const ROUND_TRIP: &str = include_str!("../../../templates/types/round_trip.rs");

pub fn emit(context: &Context<'_>, output: &mut Output) {
    let api = context.api;
    let examples: Vec<_> = api
        .examples
        .iter()
        .filter(|e| api.type_def(e.ty).group == TypeGroup::Model)
        .collect();
    if examples.is_empty() {
        return;
    }
    let krate = format_ident!("{}", context.crate_ident(CrateKind::Types));
    let checks = examples.iter().map(|example| {
        let name = ident(&api.type_def(example.ty).name);
        let pointer = &example.pointer;
        let json = serde_json::to_string(&example.value).expect("JSON values print");
        let mut ignored = Vec::new();
        let expected = declared(api, &TypeRef::Named(example.ty), &example.value, "", &mut ignored);
        if expected == example.value {
            quote! { round_trips.check::<models::#name>(#pointer, #json); }
        } else {
            let expected = serde_json::to_string(&expected).expect("JSON values print");
            quote! {
                round_trips.check_expecting::<models::#name>(#pointer, #json, #expected, &[#(#ignored),*]);
            }
        }
    });
    // Date-times are typed (and so re-printed) only where chrono is used.
    let same_instant = if super::manifest::Uses::of(api).chrono {
        quote! {
            /// Whether both are RFC 3339 date-times of the same instant.
            fn same_instant(a: &str, b: &str) -> bool {
                match (chrono::DateTime::parse_from_rfc3339(a), chrono::DateTime::parse_from_rfc3339(b)) {
                    (Ok(a), Ok(b)) => a == b,
                    _ => false,
                }
            }
        }
    } else {
        quote! {
            /// Date-times are kept as text here, so they come back as they were.
            fn same_instant(_: &str, _: &str) -> bool {
                false
            }
        }
    };
    let header = context.rust_header();
    // The cases and the runtime are kept as generated: rustfmt would re-wrap them.
    let main = quote! {
        //! The spec's own examples, decoded into the generated types as a
        //! request body is and encoded back: they must come back equal.

        #[rustfmt::skip]
        mod cases;
        #[rustfmt::skip]
        mod round_trip;
    };
    let cases = quote! {
        use #krate::models;

        use super::round_trip::RoundTrips;

        #[test]
        fn the_specs_examples_round_trip() {
            let mut round_trips = RoundTrips::default();
            #(#checks)*
            round_trips.finish();
        }
    };
    let runtime = quote! {
        //! Decoding, encoding back and comparing.

        use #krate::FromJson;
        use serde_json::Value;

        #same_instant
    };
    let files = [
        ("tests/examples/main.rs", rust::render(main, &header)),
        ("tests/examples/cases.rs", rust::render(cases, &header)),
        (
            "tests/examples/round_trip.rs",
            format!("{}\n{ROUND_TRIP}", rust::render(runtime, &header)),
        ),
    ];
    for (path, text) in files {
        output.add(CrateKind::Types, context, path, text);
    }
}

/// What of `value` the type keeps: the value without the properties its
/// structs do not declare (a struct ignores unknown properties, as JSON
/// Schema allows when `additionalProperties` is absent), whose locations
/// are added to `ignored`, and with the defaults of the fields it leaves
/// out. Unions are kept whole: which variant a value takes is the
/// decoder's choice.
fn declared(api: &Api, ty: &TypeRef, value: &Value, at: &str, ignored: &mut Vec<String>) -> Value {
    match (ty, value) {
        (TypeRef::Named(id), Value::Object(object)) => {
            let TypeKind::Struct(def) = &api.type_def(*id).kind else {
                return value.clone();
            };
            let mut kept = serde_json::Map::new();
            // A field left out that has a default comes back with it.
            for field in &def.fields {
                if !object.contains_key(&field.name.wire) {
                    if let Some(default) = field.applied_default() {
                        kept.insert(field.name.wire.clone(), literal_json(api, default));
                    }
                }
            }
            for (key, item) in object {
                let here = format!("{at}/{key}");
                let schema = def
                    .fields
                    .iter()
                    .find(|field| field.name.wire == *key)
                    .map(|field| &field.schema)
                    .or(def.additional_properties.as_deref());
                match schema {
                    Some(schema) => {
                        kept.insert(key.clone(), declared(api, &schema.ty, item, &here, ignored));
                    }
                    None => ignored.push(here),
                }
            }
            Value::Object(kept)
        }
        (TypeRef::Array(items), Value::Array(values)) => Value::Array(
            values
                .iter()
                .enumerate()
                .map(|(i, item)| declared(api, &items.ty, item, &format!("{at}/{i}"), ignored))
                .collect(),
        ),
        (TypeRef::Map(values), Value::Object(object)) => Value::Object(
            object
                .iter()
                .map(|(key, item)| {
                    let kept = declared(api, &values.ty, item, &format!("{at}/{key}"), ignored);
                    (key.clone(), kept)
                })
                .collect(),
        ),
        _ => value.clone(),
    }
}

/// A default as the JSON it encodes to.
fn literal_json(api: &Api, literal: &Literal) -> Value {
    match literal {
        Literal::Bool(value) => Value::Bool(*value),
        Literal::Integer(value) => Value::from(*value),
        Literal::Float(value) => Value::from(*value),
        Literal::String(value) => Value::String(value.clone()),
        Literal::Variant(id, index) => match &api.type_def(*id).kind {
            TypeKind::Enum(def) => {
                let wire = &def.variants[*index].wire;
                match def.integer {
                    true => wire.parse::<i64>().map_or(Value::Null, Value::from),
                    false => Value::String(wire.clone()),
                }
            }
            _ => Value::Null,
        },
    }
}
