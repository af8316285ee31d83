//! The order users are listed in, and the cursors that resume it: shared
//! by both stores, so a cursor means the same on either.

use std::borrow::Cow;
use std::cmp::Ordering;

use payments_v2_server::types::User;

/// The order users are listed in: `full_name`, `email` or `created_at`
/// (the default), descending with a leading `-`; ties broken by id.
pub struct Sort<'a> {
    pub field: &'a str,
    pub descending: bool,
}

/// A user's place in a [`Sort`]: the sorted field's value.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum SortKey<'a> {
    Text(Cow<'a, str>),
    /// `created_at`, in microseconds.
    Time(i64),
}

impl<'a> Sort<'a> {
    pub fn parse(text: &'a str) -> Self {
        match text.strip_prefix('-') {
            Some(field) => Sort {
                field,
                descending: true,
            },
            None => Sort {
                field: text,
                descending: false,
            },
        }
    }

    pub fn key<'u>(&self, user: &'u User) -> SortKey<'u> {
        match self.field {
            "full_name" => SortKey::Text(Cow::Borrowed(&user.full_name)),
            "email" => SortKey::Text(Cow::Borrowed(&user.email)),
            _ => SortKey::Time(user.created_at.timestamp_micros()),
        }
    }

    pub fn compare(&self, a: (&SortKey<'_>, i64), b: (&SortKey<'_>, i64)) -> Ordering {
        let order = a.0.cmp(b.0).then(a.1.cmp(&b.1));
        if self.descending {
            order.reverse()
        } else {
            order
        }
    }

    /// `<id>:<key>`: where the next page starts.
    pub fn cursor(&self, last: &User) -> String {
        match self.key(last) {
            SortKey::Text(text) => format!("{}:{text}", last.id),
            SortKey::Time(micros) => format!("{}:{micros}", last.id),
        }
    }

    /// A cursor of this sort; `None` for one another sort made.
    pub fn parse_cursor(&self, cursor: &str) -> Option<(SortKey<'static>, i64)> {
        let (id, key) = cursor.split_once(':')?;
        let id = id.parse().ok()?;
        let key = match self.field {
            "full_name" | "email" => SortKey::Text(Cow::Owned(key.to_string())),
            _ => SortKey::Time(key.parse().ok()?),
        };
        Some((key, id))
    }
}
