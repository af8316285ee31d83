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
    let year = u32::try_from(value.year())
        .ok()
        .filter(|&year| year <= 9999)?;
    let nanos = value.nanosecond();
    if nanos >= 1_000_000_000 {
        return None;
    }
    let mut at = 0;
    let mut put = |number: u32, width: u32, after: u8| {
        for place in (0..width).rev() {
            text[at] = b'0' + (number / 10u32.pow(place) % 10) as u8;
            at += 1;
        }
        text[at] = after;
        at += 1;
    };
    put(year, 4, b'-');
    put(value.month(), 2, b'-');
    put(value.day(), 2, b'T');
    put(value.hour(), 2, b':');
    put(value.minute(), 2, b':');
    let (fraction, width) = match nanos {
        0 => (0, 0),
        _ if nanos % 1_000_000 == 0 => (nanos / 1_000_000, 3),
        _ if nanos % 1_000 == 0 => (nanos / 1_000, 6),
        _ => (nanos, 9),
    };
    if width == 0 {
        put(value.second(), 2, b'Z');
    } else {
        put(value.second(), 2, b'.');
        put(fraction, width, b'Z');
    }
    Some(at)
}
