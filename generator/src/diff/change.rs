//! What `diff` finds: a change, and the direction a compared value travels.

use super::checks::Check;

/// One change between the two documents.
#[derive(Debug, Clone)]
pub struct Change {
    pub check: &'static Check,
    pub message: String,
    /// Where the change is in the old document, when it touches it.
    pub old: Option<String>,
    /// Where it is in the new one.
    pub new: Option<String>,
    /// The operations it affects (`GET /users`), in document order.
    pub operations: Vec<String>,
}

impl Change {
    pub fn is_breaking(&self) -> bool {
        self.check.breaking
    }
}

/// Which way a value travels, which decides whether narrowing or widening
/// it breaks clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Direction {
    /// Client to server: narrowing breaks (the server rejects what it accepted).
    Request,
    /// Server to client: widening breaks (clients meet what they never saw).
    Response,
}

impl Direction {
    pub(super) fn noun(self) -> &'static str {
        match self {
            Direction::Request => "request",
            Direction::Response => "response",
        }
    }
}
