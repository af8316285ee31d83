//! What list handlers return; the generated code adds the pagination fields.

/// One page of a `page`-paginated list, and how many items there are in all.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
}

/// One page of a `cursor`-paginated list.
#[derive(Debug, Clone, PartialEq)]
pub struct CursorPage<T> {
    pub items: Vec<T>,
    /// Where the next page starts, in the handler's own terms (an id, an
    /// offset); `None` on the last page. Clients get it as a signed cursor,
    /// and a later request's `cursor` parameter arrives decoded back to it.
    pub next: Option<String>,
}
