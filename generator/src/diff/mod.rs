//! `specforge diff`: the changes between two versions of a spec, each
//! classified as breaking or safe for the clients of the old one.
//!
//! Operations are matched by method and path template (parameter names
//! aside); then their parameters, request bodies, responses and the schemas
//! under them are compared in the direction data flows: what a client sends
//! must still be accepted, what it receives must have been possible before.
//! Like `lint`, it reads the bundled documents as JSON, so each change is
//! located by JSON pointer in both files.

mod change;
pub mod checks;
mod collect;
mod messages;
mod operations;
mod parameters;
mod relations;
pub mod report;
mod schema;
mod security;
mod shape;

use crate::document::Document;
use crate::load::Spec;
pub use change::Change;
pub use checks::{Check, CHECKS};
use collect::Collector;

/// Every change from `old` to `new`, in the old document's order of
/// operations, then the operations only `new` has.
pub fn diff(old: &Spec, new: &Spec) -> Vec<Change> {
    let mut collector = Collector::new(Document::new(&old.raw), Document::new(&new.raw));
    operations::compare(&mut collector);
    collector.finish()
}
