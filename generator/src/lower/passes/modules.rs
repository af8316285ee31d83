//! Splitting a large API into modules: each operation goes in the module of
//! its first tag (or, untagged, of its first path segment), each type in the
//! module of the only operations that reach it, or in `common`.

use std::collections::{BTreeMap, BTreeSet};

use super::directions::collect_named;
use crate::ir::{Api, Modules, Operation, Schema, TypeId};

/// APIs with at most this many operations keep each kind of item in one
/// file: split, a small API is only scattered.
const SPLIT_ABOVE: usize = 64;

/// Where types that several modules use (or none) go.
const SHARED: &str = "common";

pub fn assign_modules(api: &mut Api) {
    if api.operations.len() <= SPLIT_ABOVE {
        return;
    }
    let operations: Vec<String> = api.operations.iter().map(Operation::area).collect();
    if operations.iter().collect::<BTreeSet<_>>().len() < 2 {
        return;
    }
    let mut users: BTreeMap<TypeId, BTreeSet<&str>> = BTreeMap::new();
    for (operation, module) in api.operations.iter().zip(&operations) {
        let mut reached = BTreeSet::new();
        for schema in schemas(operation) {
            collect_named(api, schema, &mut reached);
        }
        // The parameters' schemas are walked above; their struct is the operation's own.
        reached.extend(operation.params_type);
        for id in reached {
            users.entry(id).or_default().insert(module);
        }
    }
    let types = (0..api.types.len())
        .map(|index| match users.get(&TypeId(index)) {
            Some(modules) if modules.len() == 1 => modules.first().map(|m| m.to_string()),
            _ => None,
        })
        .map(|module| module.unwrap_or_else(|| SHARED.to_string()))
        .collect();
    api.modules = Modules { operations, types };
}

/// Every schema an operation's signature names.
fn schemas(operation: &Operation) -> impl Iterator<Item = &Schema> {
    let bodies = operation
        .request_body
        .iter()
        .flat_map(|body| &body.contents)
        .map(|content| &content.schema);
    let responses = operation.responses.iter().flat_map(|response| {
        response
            .body
            .iter()
            .chain(response.headers.iter().map(|header| &header.schema))
    });
    let parameters = operation
        .parameters
        .iter()
        .map(|parameter| &parameter.schema);
    bodies.chain(responses).chain(parameters)
}
