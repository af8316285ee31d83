//! How a large API's files are split into modules, one file each, so a
//! reader finds an area in one place and the compiler need not hold one
//! enormous file at a time.

use std::collections::BTreeSet;

use serde::Serialize;

use super::{Api, Operation, TypeId};

/// The module of each operation and type: both empty when the API is small
/// enough to keep each kind of item in one file.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Modules {
    /// By index in [`Api::operations`].
    pub operations: Vec<String>,
    /// By [`TypeId`].
    pub types: Vec<String>,
}

impl Modules {
    pub fn is_split(&self) -> bool {
        !self.operations.is_empty()
    }

    /// The areas operations go in, sorted, each once.
    pub fn areas(&self) -> Vec<&str> {
        let areas: BTreeSet<&str> = self.operations.iter().map(String::as_str).collect();
        areas.into_iter().collect()
    }
}

impl Api {
    /// The module the `index`th operation's items go in, when split.
    pub fn operation_module(&self, index: usize) -> Option<&str> {
        self.modules.operations.get(index).map(String::as_str)
    }

    /// The operations, with their index, whose items go in `file`: all of
    /// them when `file` is `None`.
    pub fn operations_in<'a>(
        &'a self,
        file: Option<&'a str>,
    ) -> impl Iterator<Item = (usize, &'a Operation)> + 'a {
        self.operations
            .iter()
            .enumerate()
            .filter(move |(index, _)| file.is_none() || self.operation_module(*index) == file)
    }

    /// The module a type goes in, when split.
    pub fn type_module(&self, id: TypeId) -> Option<&str> {
        self.modules.types.get(id.0).map(String::as_str)
    }
}

impl Operation {
    /// The area an operation belongs to, as a module name: its first tag,
    /// else its first literal path segment, else `root`. A split API's
    /// modules and a scaffold's handler files are named by it.
    pub fn area(&self) -> String {
        let segment = self
            .path
            .split('/')
            .find(|segment| !segment.is_empty() && !segment.starts_with('{'));
        match self.tags.first().map(String::as_str).or(segment) {
            Some(name) => crate::naming::module_name(name),
            None => "root".to_string(),
        }
    }
}
