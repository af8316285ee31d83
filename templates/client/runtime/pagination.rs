//! List bodies with their pagination, and the streams that walk every page.

use std::future::Future;

use futures_util::stream::{self, Stream, TryStreamExt};
use serde::de::DeserializeOwned;
use serde::Deserialize;

/// One page of a page-numbered list.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub pagination: PagePagination,
}

/// Where a page-numbered list stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct PagePagination {
    /// This page, from 1.
    pub page: u64,
    pub per_page: u64,
    /// Items in the whole list.
    pub total: u64,
    pub total_pages: u64,
}

impl<T> Page<T> {
    /// The next page's number, or `None` on the last page. A page past the
    /// end, or shorter than `per_page`, is the last one too.
    pub fn next_page(&self) -> Option<u64> {
        let pagination = &self.pagination;
        let full = self.items.len() as u64 >= pagination.per_page.max(1);
        (full && pagination.page < pagination.total_pages).then_some(pagination.page + 1)
    }
}

/// One page of a cursor-paginated list.
#[derive(Debug, Clone, PartialEq)]
pub struct CursorPage<T> {
    pub items: Vec<T>,
    pub pagination: CursorPagination,
}

/// Where a cursor-paginated list stands.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CursorPagination {
    pub limit: u64,
    pub has_more: bool,
    /// The cursor of the next page; `None` on the last one.
    pub next_cursor: Option<String>,
}

impl<T> CursorPage<T> {
    /// The cursor of the next page, or `None` on the last page.
    pub fn next_cursor(&self) -> Option<&str> {
        let pagination = &self.pagination;
        pagination
            .next_cursor
            .as_deref()
            .filter(|_| pagination.has_more && !self.items.is_empty())
    }
}

#[derive(Deserialize)]
struct List<T, P> {
    data: Vec<T>,
    pagination: P,
}

/// A page-numbered list envelope.
pub fn decode_page<T: DeserializeOwned>(body: &[u8]) -> Result<Page<T>, serde_json::Error> {
    serde_json::from_slice::<List<T, PagePagination>>(body).map(|list| Page {
        items: list.data,
        pagination: list.pagination,
    })
}

/// A cursor-paginated list envelope.
pub fn decode_cursor_page<T: DeserializeOwned>(
    body: &[u8],
) -> Result<CursorPage<T>, serde_json::Error> {
    serde_json::from_slice::<List<T, CursorPagination>>(body).map(|list| CursorPage {
        items: list.data,
        pagination: list.pagination,
    })
}

/// Every item of every page, fetching each page when the one before is
/// used up. `fetch` gets where to start (a page number, a cursor) and
/// returns that page's items and where the next page starts, if anywhere.
pub fn walk<S, T, E, F, Fut>(start: S, mut fetch: F) -> impl Stream<Item = Result<T, E>>
where
    F: FnMut(S) -> Fut,
    Fut: Future<Output = Result<(Vec<T>, Option<S>), E>>,
{
    stream::try_unfold(Some(start), move |position| {
        let page = position.map(&mut fetch);
        async move {
            match page {
                None => Ok(None),
                Some(page) => {
                    let (items, next) = page.await?;
                    Ok(Some((stream::iter(items.into_iter().map(Ok)), next)))
                }
            }
        }
    })
    .try_flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(page: u64, items: usize, per_page: u64, total: u64) -> Page<u32> {
        Page {
            items: vec![0; items],
            pagination: PagePagination {
                page,
                per_page,
                total,
                total_pages: total.div_ceil(per_page),
            },
        }
    }

    #[test]
    fn page_walks_stop_at_the_last_page_or_a_short_one() {
        assert_eq!(page(1, 2, 2, 5).next_page(), Some(2));
        assert_eq!(page(3, 1, 2, 5).next_page(), None);
        assert_eq!(page(2, 2, 2, 4).next_page(), None);
        assert_eq!(page(1, 1, 2, 9).next_page(), None, "a short page is the last");
        assert_eq!(page(9, 0, 2, 4).next_page(), None, "past the end");
    }

    #[test]
    fn cursor_walks_stop_without_more() {
        let cursor = |has_more: bool, next: Option<&str>, items: usize| CursorPage {
            items: vec![0_u8; items],
            pagination: CursorPagination {
                limit: 2,
                has_more,
                next_cursor: next.map(str::to_string),
            },
        };
        assert_eq!(cursor(true, Some("c"), 2).next_cursor(), Some("c"));
        assert_eq!(cursor(false, None, 2).next_cursor(), None);
        assert_eq!(cursor(true, None, 2).next_cursor(), None);
        assert_eq!(cursor(true, Some("c"), 0).next_cursor(), None);
    }

    #[test]
    fn walk_yields_every_item_and_stops() {
        let pages = [vec![1, 2], vec![3, 4], vec![5]];
        let items: Vec<Result<i32, ()>> = collect_all(walk(0_usize, |index| {
            let items = pages[index].clone();
            let next = (index + 1 < pages.len()).then_some(index + 1);
            async move { Ok((items, next)) }
        }));
        assert_eq!(items, vec![Ok(1), Ok(2), Ok(3), Ok(4), Ok(5)]);
    }

    #[test]
    fn walk_stops_at_the_first_error() {
        let items: Vec<Result<i32, &str>> = collect_all(walk(0_u32, |index| async move {
            match index {
                0 => Ok((vec![1], Some(1))),
                _ => Err("boom"),
            }
        }));
        assert_eq!(items, vec![Ok(1), Err("boom")]);
    }

    /// Drives a stream whose pages are ready at once to its end.
    fn collect_all<S: Stream>(stream: S) -> Vec<S::Item> {
        use futures_util::{FutureExt, StreamExt};
        stream
            .collect()
            .now_or_never()
            .expect("every page is ready at once")
    }
}
