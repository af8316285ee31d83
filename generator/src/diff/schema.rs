//! Schemas: properties, required fields, items, map values and variants,
//! recursively, and each node's constraints through [`shape`].

use serde_json::Value;

use super::change::Direction;
use super::checks::{self, Check};
use super::collect::Collector;
use super::relations::{self, Relation};
use super::shape::{self, Node, Shape};

/// How messages name a node: `text` for the node itself ("request body",
/// "query parameter `limit`", "response property `User.email`") and the
/// dotted `path` its properties extend.
#[derive(Debug, Clone)]
pub(super) struct Place {
    text: String,
    path: Option<String>,
}

impl Place {
    pub fn root(text: String) -> Self {
        Place { text, path: None }
    }

    fn extended(&self, direction: Direction, suffix: &str, dotted: bool) -> Place {
        let path = match &self.path {
            Some(path) if dotted => format!("{path}.{suffix}"),
            Some(path) => format!("{path}{suffix}"),
            None => suffix.to_string(),
        };
        Place {
            text: format!("{} property `{path}`", direction.noun()),
            path: Some(path),
        }
    }

    fn property(&self, direction: Direction, name: &str) -> Place {
        self.extended(direction, name, true)
    }

    fn items(&self, direction: Direction) -> Place {
        match &self.path {
            Some(_) => self.extended(direction, "[]", false),
            None => Place::root(format!("{} items", self.text)),
        }
    }

    fn values(&self, direction: Direction) -> Place {
        match &self.path {
            Some(_) => self.extended(direction, "{}", false),
            None => Place::root(format!("{} values", self.text)),
        }
    }
}

/// Compares two schemas reached the same way, in `direction`.
pub(super) fn compare(
    c: &mut Collector<'_>,
    direction: Direction,
    place: &Place,
    old: Node<'_>,
    new: Node<'_>,
) {
    let (old_document, new_document) = (c.old, c.new);
    let (old_value, old_pointer) = old_document.resolve_at(old.value, &old.pointer);
    let (new_value, new_pointer) = new_document.resolve_at(new.value, &new.pointer);
    let referenced = old_pointer != old.pointer || new_pointer != new.pointer;
    let old = Node::new(old_value, old_pointer);
    let new = Node::new(new_value, new_pointer);
    // A named schema's properties are named after it (`User.email`), however
    // they were reached, so an operation that shares it shares the change.
    let mut inner = place.clone();
    if referenced {
        if let Some(name) = component_name(&new.pointer).or_else(|| component_name(&old.pointer)) {
            inner.path = Some(name.to_string());
        }
    }
    // Every node goes through the memo, not only references: `allOf`
    // branches are merged in place, so a cycle can run through nodes that
    // are no reference themselves.
    let key = (
        old.pointer.clone(),
        new.pointer.clone(),
        direction,
        place.text.clone(),
    );
    c.memoised(key, |c| resolved(c, direction, &inner, &old, &new));
}

fn component_name(pointer: &str) -> Option<&str> {
    let name = pointer.strip_prefix("#/components/schemas/")?;
    (!name.contains('/')).then_some(name)
}

fn resolved(
    c: &mut Collector<'_>,
    direction: Direction,
    place: &Place,
    old: &Node<'_>,
    new: &Node<'_>,
) {
    let old_shape = Shape::of(c.old, old.value, &old.pointer);
    let new_shape = Shape::of(c.new, new.value, &new.pointer);
    let type_change = relations::types(&old_shape, &new_shape);
    for constraint in relations::constraints(&old_shape, &new_shape) {
        c.report(
            constraint_check(direction, constraint.relation),
            format!("{}: {}", place.text, constraint.text),
            Some(&keyword_at(old, constraint.keywords)),
            Some(&keyword_at(new, constraint.keywords)),
        );
    }
    // Values of another type entirely: what is inside them no longer compares.
    if matches!(type_change, Some((Relation::Changed, _))) {
        return;
    }
    enumeration(c, direction, place, (&old_shape, old), (&new_shape, new));
    properties(c, direction, place, (&old_shape, old), (&new_shape, new));
    if let (Some(old_items), Some(new_items)) = (&old_shape.items, &new_shape.items) {
        compare(
            c,
            direction,
            &place.items(direction),
            old_items.clone(),
            new_items.clone(),
        );
    }
    if let (Some(old_values), Some(new_values)) = (&old_shape.values, &new_shape.values) {
        compare(
            c,
            direction,
            &place.values(direction),
            old_values.clone(),
            new_values.clone(),
        );
    }
    variants(c, direction, place, (&old_shape, old), (&new_shape, new));
}

/// The pointer of the first of `keywords` the node spells out, else the node's.
fn keyword_at(node: &Node<'_>, keywords: &[&str]) -> String {
    keywords
        .iter()
        .find(|keyword| node.value.get(**keyword).is_some())
        .map_or_else(
            || node.pointer.clone(),
            |keyword| format!("{}/{keyword}", node.pointer),
        )
}

fn constraint_check(direction: Direction, relation: Relation) -> &'static Check {
    match (direction, relation) {
        (Direction::Request, Relation::Narrower) => &checks::REQUEST_TYPE_NARROWED,
        (Direction::Request, Relation::Wider) => &checks::REQUEST_TYPE_WIDENED,
        (Direction::Request, Relation::Changed) => &checks::REQUEST_TYPE_CHANGED,
        (Direction::Response, Relation::Wider) => &checks::RESPONSE_TYPE_WIDENED,
        (Direction::Response, Relation::Narrower) => &checks::RESPONSE_TYPE_NARROWED,
        (Direction::Response, Relation::Changed) => &checks::RESPONSE_TYPE_CHANGED,
    }
}

type Side<'s, 'a> = (&'s Shape<'a>, &'s Node<'a>);

fn enumeration(
    c: &mut Collector<'_>,
    direction: Direction,
    place: &Place,
    (old_shape, old): Side<'_, '_>,
    (new_shape, new): Side<'_, '_>,
) {
    let (Some(old_values), Some(new_values)) = (&old_shape.enumeration, &new_shape.enumeration)
    else {
        return;
    };
    let (removed, added) = relations::enum_values(old_values, new_values);
    let (removed_check, added_check) = match direction {
        Direction::Request => (
            &checks::REQUEST_ENUM_VALUE_REMOVED,
            &checks::REQUEST_ENUM_VALUE_ADDED,
        ),
        Direction::Response => (
            &checks::RESPONSE_ENUM_VALUE_REMOVED,
            &checks::RESPONSE_ENUM_VALUE_ADDED,
        ),
    };
    for (values, check, verb) in [
        (removed, removed_check, "lost"),
        (added, added_check, "gained"),
    ] {
        if values.is_empty() {
            continue;
        }
        let noun = if values.len() == 1 { "value" } else { "values" };
        c.report(
            check,
            format!(
                "{}: {verb} enum {noun} {}",
                place.text,
                relations::show_values(&values)
            ),
            Some(&keyword_at(old, &["enum"])),
            Some(&keyword_at(new, &["enum"])),
        );
    }
}

fn properties(
    c: &mut Collector<'_>,
    direction: Direction,
    place: &Place,
    (old_shape, old): Side<'_, '_>,
    (new_shape, new): Side<'_, '_>,
) {
    // What a client never sends (read-only) or never receives (write-only)
    // is not part of this direction's contract.
    let relevant = |property: &&shape::Property<'_>| match direction {
        Direction::Request => !property.read_only,
        Direction::Response => !property.write_only,
    };
    let old_properties: Vec<&shape::Property<'_>> =
        old_shape.properties.iter().filter(relevant).collect();
    let new_properties: Vec<&shape::Property<'_>> =
        new_shape.properties.iter().filter(relevant).collect();
    let is_new = |name: &str| !old_properties.iter().any(|p| p.name == name);
    let added: Vec<&&shape::Property<'_>> =
        new_properties.iter().filter(|p| is_new(p.name)).collect();
    for old_property in &old_properties {
        let child = place.property(direction, old_property.name);
        let Some(new_property) = new_properties.iter().find(|p| p.name == old_property.name) else {
            let check = match direction {
                Direction::Request => &checks::REQUEST_PROPERTY_REMOVED,
                Direction::Response => &checks::RESPONSE_PROPERTY_REMOVED,
            };
            let renamed = renamed_to(c, old_property, &added);
            let message = match renamed {
                Some(name) => format!("{} removed (renamed to `{name}`?)", child.text),
                None => format!("{} removed", child.text),
            };
            c.report(
                check,
                message,
                Some(&old_property.node.pointer),
                Some(&keyword_at(new, &["properties"])),
            );
            continue;
        };
        let was = old_shape.required.contains(old_property.name);
        let is = new_shape.required.contains(new_property.name);
        if was != is {
            let check = match (direction, is) {
                (Direction::Request, true) => &checks::REQUEST_PROPERTY_BECAME_REQUIRED,
                (Direction::Request, false) => &checks::REQUEST_PROPERTY_BECAME_OPTIONAL,
                (Direction::Response, true) => &checks::RESPONSE_PROPERTY_BECAME_REQUIRED,
                (Direction::Response, false) => &checks::RESPONSE_PROPERTY_BECAME_OPTIONAL,
            };
            let state = if is { "required" } else { "optional" };
            c.report(
                check,
                format!("{} became {state}", child.text),
                Some(&old_property.node.pointer),
                Some(&new_property.node.pointer),
            );
        }
        compare(
            c,
            direction,
            &child,
            old_property.node.clone(),
            new_property.node.clone(),
        );
    }
    for new_property in added {
        let child = place.property(direction, new_property.name);
        let required = new_shape.required.contains(new_property.name);
        let (check, message) = match (direction, required) {
            (Direction::Request, true) => (
                &checks::NEW_REQUIRED_REQUEST_PROPERTY,
                format!("new required {}", child.text),
            ),
            (Direction::Request, false) => (
                &checks::NEW_OPTIONAL_REQUEST_PROPERTY,
                format!("new optional {}", child.text),
            ),
            (Direction::Response, _) => (
                &checks::RESPONSE_PROPERTY_ADDED,
                format!("{} added", child.text),
            ),
        };
        c.report(
            check,
            message,
            Some(&keyword_at(old, &["properties"])),
            Some(&new_property.node.pointer),
        );
    }
}

/// The one added property whose schema is the removed one's, if exactly one is.
fn renamed_to<'p>(
    c: &Collector<'_>,
    removed: &shape::Property<'_>,
    added: &[&&'p shape::Property<'_>],
) -> Option<&'p str> {
    let schema = c.old.resolve(removed.node.value);
    let mut same = added
        .iter()
        .filter(|property| c.new.resolve(property.node.value) == schema);
    let first = same.next()?;
    same.next().is_none().then_some(first.name)
}

fn variants(
    c: &mut Collector<'_>,
    direction: Direction,
    place: &Place,
    (old_shape, old): Side<'_, '_>,
    (new_shape, new): Side<'_, '_>,
) {
    if old_shape.variants.is_empty() && new_shape.variants.is_empty() {
        return;
    }
    // Variants that name a schema match by name; inline ones by position.
    let key = |index: usize, node: &Node<'_>| match node.value.get("$ref").and_then(Value::as_str) {
        Some(reference) => reference
            .rsplit('/')
            .next()
            .unwrap_or(reference)
            .to_string(),
        None => format!("#{index}"),
    };
    let old_keyed: Vec<(String, &Node<'_>)> = old_shape
        .variants
        .iter()
        .enumerate()
        .map(|(i, n)| (key(i, n), n))
        .collect();
    let new_keyed: Vec<(String, &Node<'_>)> = new_shape
        .variants
        .iter()
        .enumerate()
        .map(|(i, n)| (key(i, n), n))
        .collect();
    let describe = |key: &str, index: usize| {
        if key.starts_with('#') {
            format!("variant {}", index + 1)
        } else {
            format!("variant `{key}`")
        }
    };
    for (index, (name, old_variant)) in old_keyed.iter().enumerate() {
        match new_keyed.iter().find(|(other, _)| other == name) {
            Some((_, new_variant)) => compare(
                c,
                direction,
                place,
                (*old_variant).clone(),
                (*new_variant).clone(),
            ),
            None => c.report(
                constraint_check(direction, Relation::Narrower),
                format!("{}: {} removed", place.text, describe(name, index)),
                Some(&old_variant.pointer),
                Some(&new.pointer),
            ),
        }
    }
    for (index, (name, new_variant)) in new_keyed.iter().enumerate() {
        if !old_keyed.iter().any(|(other, _)| other == name) {
            c.report(
                constraint_check(direction, Relation::Wider),
                format!("{}: {} added", place.text, describe(name, index)),
                Some(&old.pointer),
                Some(&new_variant.pointer),
            );
        }
    }
}
