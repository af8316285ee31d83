//! Date-times as JSON: the RFC 3339 text chrono writes (`Z`, and a fraction
//! of 3, 6 or 9 digits only when there is one), written straight into a
//! small buffer. chrono's own `Serialize` goes through its general
//! formatter one small write at a time, which was most of the time a
//! response spent writing JSON.

use chrono::{DateTime, Datelike, Timelike, Utc};
use serde::{Serialize, Serializer};

// @if required
/// The wire form of a date-time field.
pub(crate) fn serialize<S: Serializer>(
    value: &DateTime<Utc>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    Rfc3339(value).serialize(serializer)
}
// @end

// @if optional
/// The wire form of an optional date-time field.
pub(crate) fn serialize_option<S: Serializer>(
    value: &Option<DateTime<Utc>>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(value) => serializer.serialize_some(&Rfc3339(value)),
        None => serializer.serialize_none(),
    }
}
// @end

struct Rfc3339<'a>(&'a DateTime<Utc>);

impl Serialize for Rfc3339<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut text = [0; 30];
        match write(self.0, &mut text) {
            Some(length) => {
                let text = std::str::from_utf8(&text[..length]).expect("ASCII digits");
                serializer.serialize_str(text)
            }
            // Years beyond four digits and leap seconds: chrono's own text.
            None => self.0.serialize(serializer),
        }
    }
}

/// `YYYY-MM-DDTHH:MM:SS[.fff|.ffffff|.fffffffff]Z`; `None` for what chrono
/// writes otherwise.
fn write(value: &DateTime<Utc>, text: &mut [u8; 30]) -> Option<usize> {
    // One conversion to the calendar: each of chrono's accessors on a
    // `DateTime` converts again.
    let moment = value.naive_utc();
    let (date, time) = (moment.date(), moment.time());
    let year = u32::try_from(date.year())
        .ok()
        .filter(|&year| year <= 9999)?;
    let nanos = time.nanosecond();
    if nanos >= 1_000_000_000 {
        return None;
    }
    text[..20].copy_from_slice(b"0000-00-00T00:00:00Z");
    let pairs = [
        (0, year / 100),
        (2, year % 100),
        (5, date.month()),
        (8, date.day()),
        (11, time.hour()),
        (14, time.minute()),
        (17, time.second()),
    ];
    for (at, pair) in pairs {
        text[at] = b'0' + (pair / 10) as u8;
        text[at + 1] = b'0' + (pair % 10) as u8;
    }
    let (mut fraction, width) = match nanos {
        0 => return Some(20),
        _ if nanos % 1_000_000 == 0 => (nanos / 1_000_000, 3),
        _ if nanos % 1_000 == 0 => (nanos / 1_000, 6),
        _ => (nanos, 9),
    };
    text[19] = b'.';
    for at in (20..20 + width).rev() {
        text[at] = b'0' + (fraction % 10) as u8;
        fraction /= 10;
    }
    text[20 + width] = b'Z';
    Some(21 + width)
}
