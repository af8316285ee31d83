//! The lifecycle of an API and its operations: `x-deprecated-at` and
//! `x-sunset` on an operation, `x-deprecation` on the document for a
//! whole version, and the HTTP dates they are written in.

use serde_json::Value;

use super::ExtensionParser;
use crate::ir::VersionDeprecation;

impl ExtensionParser<'_> {
    /// `value`, the member `key` of the mapping at `pointer`, as an HTTP
    /// date: its text and its Unix time.
    pub(super) fn http_date(
        &mut self,
        value: Option<&Value>,
        key: &str,
        pointer: &str,
    ) -> Option<(String, i64)> {
        let value = value?;
        match value
            .as_str()
            .and_then(|text| Some((text.to_string(), http_date_to_unix(text)?)))
        {
            Some(date) => Some(date),
            None => {
                self.problem(
                    &format!("{pointer}/{key}"),
                    format!("`{key}` must be an HTTP date, found {value}"),
                    "write it like `Sat, 31 Dec 2026 23:59:59 GMT`",
                );
                None
            }
        }
    }

    /// `x-deprecation: {deprecated-at, sunset, link}`: the whole version is
    /// deprecated, so every operation under its base path says so.
    pub(super) fn version_deprecation(
        &mut self,
        value: &Value,
        pointer: &str,
    ) -> Option<VersionDeprecation> {
        const HINT: &str = "write `x-deprecation: {deprecated-at: <HTTP date>, sunset: <HTTP date>, link: <URL of the migration notes>}`";
        let Some(object) = value.as_object() else {
            self.problem(
                pointer,
                format!("`x-deprecation` must be a mapping, found {value}"),
                HINT,
            );
            return None;
        };
        self.unknown_keys(object, &["deprecated-at", "sunset", "link"], pointer);
        let Some((_, deprecated_at)) =
            self.http_date(object.get("deprecated-at"), "deprecated-at", pointer)
        else {
            if !object.contains_key("deprecated-at") {
                self.problem(
                    pointer,
                    "`x-deprecation` needs `deprecated-at`, the date the deprecation began".into(),
                    HINT,
                );
            }
            return None;
        };
        let sunset = self.http_date(object.get("sunset"), "sunset", pointer);
        if let Some((_, sunset_at)) = &sunset {
            if *sunset_at < deprecated_at {
                self.problem(
                    &format!("{pointer}/sunset"),
                    "`sunset` is earlier than `deprecated-at`".into(),
                    "a version cannot go away before it is deprecated (RFC 8594)",
                );
            }
        }
        let link = match object.get("link") {
            None => None,
            Some(Value::String(url)) if is_header_url(url) => Some(url.clone()),
            Some(other) => {
                self.problem(
                    &format!("{pointer}/link"),
                    format!("`link` must be an absolute http(s) URL, found {other}"),
                    "write the URL of the migration notes, such as `https://example.com/docs/migrate`",
                );
                None
            }
        };
        Some(VersionDeprecation {
            deprecated_at,
            sunset: sunset.map(|(text, _)| text),
            link,
        })
    }
}

/// An absolute http(s) URL that fits in a `Link` header as it is.
fn is_header_url(url: &str) -> bool {
    (url.starts_with("https://") || url.starts_with("http://"))
        && url
            .bytes()
            .all(|b| b.is_ascii_graphic() && !matches!(b, b'<' | b'>' | b'"'))
}

/// Seconds since the Unix epoch of an IMF-fixdate, the only HTTP date form a
/// server may send (`Sun, 06 Nov 1994 08:49:37 GMT`); `None` for anything else.
pub fn http_date_to_unix(text: &str) -> Option<i64> {
    const DAYS: [&str; 7] = ["Mon,", "Tue,", "Wed,", "Thu,", "Fri,", "Sat,", "Sun,"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let parts: Vec<&str> = text.split(' ').collect();
    let [weekday, day, month, year, time, "GMT"] = parts.as_slice() else {
        return None;
    };
    let number = |text: &str, digits: usize| -> Option<i64> {
        (text.len() == digits && text.chars().all(|c| c.is_ascii_digit()))
            .then(|| text.parse().ok())?
    };
    let day = number(day, 2)?;
    let month = MONTHS.iter().position(|m| m == month)? as i64 + 1;
    let year = number(year, 4)?;
    let clock: Vec<&str> = time.split(':').collect();
    let [hours, minutes, seconds] = clock.as_slice() else {
        return None;
    };
    let (hours, minutes, seconds) = (number(hours, 2)?, number(minutes, 2)?, number(seconds, 2)?);
    if !DAYS.contains(weekday)
        || !(1..=31).contains(&day)
        || hours > 23
        || minutes > 59
        || seconds > 60
    {
        return None;
    }
    // Days from the civil date (Howard Hinnant's algorithm).
    let shifted_year = if month <= 2 { year - 1 } else { year };
    let era = shifted_year.div_euclid(400);
    let year_of_era = shifted_year - era * 400;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    let days = era * 146_097 + day_of_era - 719_468;
    Some(days * 86_400 + hours * 3600 + minutes * 60 + seconds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_dates() {
        assert_eq!(http_date_to_unix("Thu, 01 Jan 1970 00:00:00 GMT"), Some(0));
        assert_eq!(
            http_date_to_unix("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(784_111_777)
        );
        assert_eq!(
            http_date_to_unix("Sat, 31 Dec 2033 23:59:59 GMT"),
            Some(2_019_686_399)
        );
        assert_eq!(http_date_to_unix("2026-12-31"), None);
        assert_eq!(http_date_to_unix("Sat, 31 Dec 2026 23:59:59 UTC"), None);
        assert_eq!(http_date_to_unix("Sat, 31 Foo 2026 23:59:59 GMT"), None);
    }

    fn version(value: Value) -> (Option<VersionDeprecation>, Vec<String>) {
        let mut parser = ExtensionParser {
            file: std::path::Path::new("spec.yaml"),
            problems: Vec::new(),
        };
        let parsed = parser.version_deprecation(&value, "#/x-deprecation");
        let messages = parser.problems.into_iter().map(|p| p.message).collect();
        (parsed, messages)
    }

    #[test]
    fn a_deprecated_version() {
        let (parsed, problems) = version(serde_json::json!({
            "deprecated-at": "Tue, 01 Dec 2026 00:00:00 GMT",
            "sunset": "Fri, 31 Dec 2027 23:59:59 GMT",
            "link": "https://api.example.com/docs/migrating-to-v2",
        }));
        assert_eq!(problems, Vec::<String>::new());
        assert_eq!(
            parsed,
            Some(VersionDeprecation {
                deprecated_at: 1_796_083_200,
                sunset: Some("Fri, 31 Dec 2027 23:59:59 GMT".into()),
                link: Some("https://api.example.com/docs/migrating-to-v2".into()),
            })
        );
        let (parsed, _) =
            version(serde_json::json!({"deprecated-at": "Tue, 01 Dec 2026 00:00:00 GMT"}));
        assert_eq!(parsed.map(|v| (v.sunset, v.link)), Some((None, None)));
    }

    #[test]
    fn a_deprecated_version_must_say_when_and_make_sense() {
        let cases = [
            (
                serde_json::json!({"sunset": "Fri, 31 Dec 2027 23:59:59 GMT"}),
                "needs `deprecated-at`",
            ),
            (
                serde_json::json!({"deprecated-at": "2026-12-01"}),
                "must be an HTTP date",
            ),
            (
                serde_json::json!({
                    "deprecated-at": "Tue, 01 Dec 2026 00:00:00 GMT",
                    "sunset": "Thu, 01 Jan 2026 00:00:00 GMT",
                }),
                "earlier than `deprecated-at`",
            ),
            (
                serde_json::json!({"deprecated-at": "Tue, 01 Dec 2026 00:00:00 GMT", "link": "/docs"}),
                "absolute http(s) URL",
            ),
            (serde_json::json!(true), "must be a mapping"),
        ];
        for (value, expected) in cases {
            let (_, problems) = version(value.clone());
            assert!(
                problems.iter().any(|p| p.contains(expected)),
                "{value}: {problems:?}"
            );
        }
    }

    #[test]
    fn header_urls() {
        assert!(is_header_url(
            "https://api.example.com/docs/migrating-to-v2"
        ));
        assert!(!is_header_url("/docs/migrating"));
        assert!(!is_header_url("https://example.com/a b"));
        assert!(!is_header_url("https://example.com/>"));
    }
}
