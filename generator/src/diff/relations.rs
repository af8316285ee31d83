//! How each constraint of a schema's new version relates to the old one's,
//! as sets of valid values, in words for messages.

use std::collections::BTreeSet;

use serde_json::Value;

use super::shape::{Bound, Shape, COUNT_KEYWORDS};

/// How a new constraint relates to the old one, as sets of valid values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Relation {
    /// Every old value is valid, and some new ones.
    Wider,
    /// Every new value was valid, and some old ones are not.
    Narrower,
    /// Neither contains the other.
    Changed,
}

/// One constraint that changed: how, in words, and the keywords that
/// spell it (to point at the one a schema holds).
#[derive(Debug)]
pub(super) struct Constraint {
    pub relation: Relation,
    pub text: String,
    pub keywords: &'static [&'static str],
}

/// Each constraint of `new` that differs from `old`'s: how, and in words.
/// The values of two enumerations are compared on their own; see [`enum_values`].
pub(super) fn constraints(old: &Shape<'_>, new: &Shape<'_>) -> Vec<Constraint> {
    let mut found: Vec<(Relation, String, &'static [&'static str])> = Vec::new();
    found.extend(
        types(old, new).map(|(relation, text)| (relation, text, &["type", "nullable"][..])),
    );
    found.extend(format(old.format, new.format).map(|(r, t)| (r, t, &["format"][..])));
    found.extend(
        bound("minimum", old.minimum, new.minimum, true)
            .map(|(r, t)| (r, t, &["minimum", "exclusiveMinimum"][..])),
    );
    found.extend(
        bound("maximum", old.maximum, new.maximum, false)
            .map(|(r, t)| (r, t, &["maximum", "exclusiveMaximum"][..])),
    );
    for ((old_count, new_count), (min, max)) in
        old.counts.iter().zip(&new.counts).zip(COUNT_KEYWORDS)
    {
        found.extend(count(min[0], old_count.0, new_count.0, true).map(|(r, t)| (r, t, min)));
        found.extend(count(max[0], old_count.1, new_count.1, false).map(|(r, t)| (r, t, max)));
    }
    if old.pattern != new.pattern {
        let (relation, text) = match (old.pattern, new.pattern) {
            (None, Some(pattern)) => (Relation::Narrower, format!("pattern `{pattern}` added")),
            (Some(pattern), None) => (Relation::Wider, format!("pattern `{pattern}` removed")),
            (old, new) => (
                Relation::Changed,
                format!(
                    "pattern changed from `{}` to `{}`",
                    old.unwrap_or_default(),
                    new.unwrap_or_default()
                ),
            ),
        };
        found.push((relation, text, &["pattern"]));
    }
    if old.multiple_of != new.multiple_of {
        let show = |m: Option<f64>| m.map_or("none".to_string(), |m| m.to_string());
        let relation = match (old.multiple_of, new.multiple_of) {
            (None, Some(_)) => Relation::Narrower,
            (Some(_), None) => Relation::Wider,
            (Some(old), Some(new)) if new != 0.0 && (old / new).fract() == 0.0 => Relation::Wider,
            (Some(old), Some(new)) if old != 0.0 && (new / old).fract() == 0.0 => {
                Relation::Narrower
            }
            _ => Relation::Changed,
        };
        found.push((
            relation,
            format!(
                "multipleOf changed from {} to {}",
                show(old.multiple_of),
                show(new.multiple_of)
            ),
            &["multipleOf"],
        ));
    }
    if old.unique_items != new.unique_items {
        found.push(if new.unique_items {
            (
                Relation::Narrower,
                "items must now be unique".to_string(),
                &["uniqueItems"],
            )
        } else {
            (
                Relation::Wider,
                "items may now repeat".to_string(),
                &["uniqueItems"],
            )
        });
    }
    found.extend(enumeration_constraint(old, new).map(|(r, t)| (r, t, &["enum", "const"][..])));
    found
        .into_iter()
        .map(|(relation, text, keywords)| Constraint {
            relation,
            text,
            keywords,
        })
        .collect()
}

/// Whether the types differ, and how.
pub(super) fn types(old: &Shape<'_>, new: &Shape<'_>) -> Option<(Relation, String)> {
    let covers = |set: &Option<BTreeSet<&str>>, wanted: &str| match set {
        None => true,
        Some(set) => set.contains(wanted) || (wanted == "integer" && set.contains("number")),
    };
    let contains = |outer: &Option<BTreeSet<&str>>, inner: &Option<BTreeSet<&str>>| match inner {
        None => outer.is_none(),
        Some(inner) => inner.iter().all(|t| covers(outer, t)),
    };
    let wider = contains(&new.types, &old.types);
    let narrower = contains(&old.types, &new.types);
    let relation = match (wider, narrower) {
        (true, true) => return None,
        (true, false) => Relation::Wider,
        (false, true) => Relation::Narrower,
        (false, false) => Relation::Changed,
    };
    let show = |set: &Option<BTreeSet<&str>>| match set {
        None => "any".to_string(),
        Some(set) => {
            let names: Vec<&str> = set.iter().copied().filter(|t| *t != "null").collect();
            let mut text = names.join(" or ");
            if set.contains("null") {
                text.push_str(if names.is_empty() { "null" } else { " or null" });
            }
            text
        }
    };
    let only_null_differs = match (&old.types, &new.types) {
        (Some(old), Some(new)) => {
            let strip = |set: &BTreeSet<&str>| -> BTreeSet<String> {
                set.iter()
                    .filter(|t| **t != "null")
                    .map(|t| t.to_string())
                    .collect()
            };
            strip(old) == strip(new)
        }
        _ => false,
    };
    let text = if only_null_differs {
        if relation == Relation::Wider {
            "became nullable".to_string()
        } else {
            "is no longer nullable".to_string()
        }
    } else {
        format!(
            "type changed from {} to {}",
            show(&old.types),
            show(&new.types)
        )
    };
    Some((relation, text))
}

fn format(old: Option<&str>, new: Option<&str>) -> Option<(Relation, String)> {
    if old == new {
        return None;
    }
    let relation = match (old, new) {
        (Some(_), None) => Relation::Wider,
        (None, Some(_)) => Relation::Narrower,
        (Some("int32"), Some("int64")) | (Some("float"), Some("double")) => Relation::Wider,
        (Some("int64"), Some("int32")) | (Some("double"), Some("float")) => Relation::Narrower,
        _ => Relation::Changed,
    };
    let text = match (old, new) {
        (Some(old), None) => format!("format `{old}` removed"),
        (None, Some(new)) => format!("format `{new}` added"),
        (old, new) => format!(
            "format changed from `{}` to `{}`",
            old.unwrap_or_default(),
            new.unwrap_or_default()
        ),
    };
    Some((relation, text))
}

fn bound(
    name: &str,
    old: Option<Bound>,
    new: Option<Bound>,
    lower: bool,
) -> Option<(Relation, String)> {
    if old == new {
        return None;
    }
    let show = |bound: Bound| {
        if bound.exclusive {
            format!("{} (exclusive)", bound.value)
        } else {
            bound.value.to_string()
        }
    };
    Some(match (old, new) {
        (None, Some(new)) => (Relation::Narrower, format!("{name} {} added", show(new))),
        (Some(old), None) => (Relation::Wider, format!("{name} {} removed", show(old))),
        (Some(old), Some(new)) => {
            // Positive: the new bound admits more values.
            let looser = if lower {
                old.value > new.value || (old.value == new.value && old.exclusive && !new.exclusive)
            } else {
                old.value < new.value || (old.value == new.value && old.exclusive && !new.exclusive)
            };
            let verb = if new.value > old.value {
                "raised"
            } else if new.value < old.value {
                "lowered"
            } else {
                "changed"
            };
            let relation = if looser {
                Relation::Wider
            } else {
                Relation::Narrower
            };
            (
                relation,
                format!("{name} {verb} from {} to {}", show(old), show(new)),
            )
        }
        (None, None) => return None,
    })
}

fn count(
    name: &str,
    old: Option<u64>,
    new: Option<u64>,
    lower: bool,
) -> Option<(Relation, String)> {
    let as_bound = |value: Option<u64>| {
        value.map(|value| Bound {
            value: value as f64,
            exclusive: false,
        })
    };
    bound(name, as_bound(old), as_bound(new), lower)
}

/// The values an enumeration lost and gained, when both sides have one;
/// an enumeration that appears or goes is a constraint, reported by
/// [`constraints`].
pub(super) fn enum_values<'v>(
    old: &[&'v Value],
    new: &[&'v Value],
) -> (Vec<&'v Value>, Vec<&'v Value>) {
    let removed = old.iter().filter(|v| !new.contains(v)).copied().collect();
    let added = new.iter().filter(|v| !old.contains(v)).copied().collect();
    (removed, added)
}

/// An enumeration that appears (narrower) or goes (wider).
fn enumeration_constraint(old: &Shape<'_>, new: &Shape<'_>) -> Option<(Relation, String)> {
    match (&old.enumeration, &new.enumeration) {
        (None, Some(values)) => Some((
            Relation::Narrower,
            format!("now limited to {}", show_values(values)),
        )),
        (Some(values), None) => Some((
            Relation::Wider,
            format!("no longer limited to {}", show_values(values)),
        )),
        _ => None,
    }
}

/// `` `a`, `b` `` for messages.
pub(super) fn show_values(values: &[&Value]) -> String {
    let shown: Vec<String> = values
        .iter()
        .map(|value| match value {
            Value::String(text) => format!("`{text}`"),
            other => format!("`{other}`"),
        })
        .collect();
    shown.join(", ")
}
