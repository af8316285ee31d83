//! Parses specforge's `x-` vocabulary (see `docs/extensions.md`) into the IR,
//! reporting malformed values with their location.

use indexmap::IndexMap;
use serde_json::Value;

use crate::diagnostics::Diagnostic;
use crate::ir::{
    ApiExtensions, Envelope, Idempotency, OperationExtensions, Pagination, RateLimitAlgorithm,
    RateLimitKey, RateLimitPolicy, RateLimits,
};

type Extensions = IndexMap<String, Value>;

/// Collects problems; each names the pointer of the offending value.
pub struct ExtensionParser<'a> {
    pub file: &'a std::path::Path,
    pub problems: Vec<Diagnostic>,
}

impl ExtensionParser<'_> {
    fn problem(&mut self, pointer: &str, message: String, hint: &str) {
        self.problems.push(
            Diagnostic::error(message)
                .in_file(self.file)
                .at_pointer(pointer)
                .with_hint(hint),
        );
    }

    pub fn api(&mut self, extensions: &Extensions) -> ApiExtensions {
        let envelope = match extensions.get("x-envelope") {
            None | Some(Value::Bool(false)) => None,
            Some(Value::Bool(true)) => Some(Envelope { error_schema: None }),
            Some(Value::Object(object)) => {
                self.unknown_keys(object, &["error-schema"], "#/x-envelope");
                Some(Envelope {
                    error_schema: object
                        .get("error-schema")
                        .and_then(Value::as_str)
                        .map(str::to_string),
                })
            }
            Some(other) => {
                self.problem(
                    "#/x-envelope",
                    format!("`x-envelope` must be `true`, `false` or a mapping, found {other}"),
                    "write `x-envelope: true` to wrap every body in the standard envelope",
                );
                None
            }
        };
        let rate_limits = match extensions.get("x-rate-limit") {
            None => Vec::new(),
            Some(value) => self.policies(value, "#/x-rate-limit"),
        };
        ApiExtensions {
            envelope,
            rate_limits,
        }
    }

    pub fn operation(&mut self, extensions: &Extensions, pointer: &str) -> OperationExtensions {
        let rate_limits = match extensions.get("x-rate-limit") {
            None => RateLimits::Inherit,
            Some(Value::Bool(false)) => RateLimits::Exempt,
            Some(value) => {
                RateLimits::Add(self.policies(value, &format!("{pointer}/x-rate-limit")))
            }
        };
        let idempotency = extensions
            .get("x-idempotency")
            .and_then(|value| self.idempotency(value, &format!("{pointer}/x-idempotency")));
        let pagination = extensions
            .get("x-pagination")
            .and_then(|value| self.pagination(value, &format!("{pointer}/x-pagination")));
        let envelope = match extensions.get("x-envelope") {
            None | Some(Value::Bool(true)) => true,
            Some(Value::Bool(false)) => false,
            Some(other) => {
                self.problem(
                    &format!("{pointer}/x-envelope"),
                    format!(
                        "`x-envelope` on an operation must be `true` or `false`, found {other}"
                    ),
                    "write `x-envelope: false` to send this operation's bodies unwrapped",
                );
                true
            }
        };
        let sunset = self
            .http_date(extensions, "x-sunset", pointer)
            .map(|(text, _)| text);
        let deprecated_at = self
            .http_date(extensions, "x-deprecated-at", pointer)
            .map(|(_, unix)| unix);
        OperationExtensions {
            rate_limits,
            idempotency,
            pagination,
            envelope,
            sunset,
            deprecated_at,
        }
    }

    /// An extension holding an HTTP date: its text and its Unix time.
    fn http_date(
        &mut self,
        extensions: &Extensions,
        key: &str,
        pointer: &str,
    ) -> Option<(String, i64)> {
        let value = extensions.get(key)?;
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

    fn policies(&mut self, value: &Value, pointer: &str) -> Vec<RateLimitPolicy> {
        match value {
            Value::Array(items) => items
                .iter()
                .enumerate()
                .filter_map(|(index, item)| self.policy(item, &format!("{pointer}/{index}")))
                .collect(),
            Value::Object(_) => self.policy(value, pointer).into_iter().collect(),
            other => {
                self.problem(
                    pointer,
                    format!("`x-rate-limit` must be a policy, a list of policies or `false`, found {other}"),
                    "write `x-rate-limit: {requests: 100, window: 60s}`",
                );
                Vec::new()
            }
        }
    }

    /// One policy; every problem in it is reported, then `None` if there was any.
    fn policy(&mut self, value: &Value, pointer: &str) -> Option<RateLimitPolicy> {
        const HINT: &str =
            "a policy looks like `{name: default, requests: 100, window: 60s, key: principal}`";
        let Some(object) = value.as_object() else {
            self.problem(
                pointer,
                format!("a rate-limit policy must be a mapping, found {value}"),
                HINT,
            );
            return None;
        };
        let problems_before = self.problems.len();
        self.unknown_keys(
            object,
            &["name", "requests", "window", "key", "algorithm", "tiers"],
            pointer,
        );
        let requests = object
            .get("requests")
            .and_then(Value::as_u64)
            .filter(|n| *n > 0);
        if requests.is_none() {
            self.problem(
                &format!("{pointer}/requests"),
                "`requests` must be a whole number above zero".into(),
                HINT,
            );
        }
        let window_seconds = object
            .get("window")
            .and_then(parse_duration)
            .filter(|s| *s > 0);
        if window_seconds.is_none() {
            self.problem(
                &format!("{pointer}/window"),
                "`window` must be a duration such as `1s`, `60s`, `1m` or `1h`".into(),
                HINT,
            );
        }
        let name = match object.get("name") {
            None => "default".to_string(),
            Some(Value::String(name)) if is_policy_name(name) => name.clone(),
            Some(other) => {
                self.problem(
                    &format!("{pointer}/name"),
                    format!("`name` must be letters, digits, `-` or `_`, found {other}"),
                    "the name appears in the `RateLimit-Policy` header",
                );
                String::new()
            }
        };
        let key = match object.get("key").map(|k| (k, k.as_str())) {
            None | Some((_, Some("principal"))) => RateLimitKey::Principal,
            Some((_, Some("ip"))) => RateLimitKey::ClientIp,
            Some((_, Some(key))) if key.len() > "header:".len() && key.starts_with("header:") => {
                RateLimitKey::Header(key["header:".len()..].to_string())
            }
            Some((raw, _)) => {
                self.problem(
                    &format!("{pointer}/key"),
                    format!("unknown rate-limit key {raw}"),
                    "use `principal`, `ip` or `header:<Name>`",
                );
                RateLimitKey::Principal
            }
        };
        let algorithm = match object.get("algorithm").map(|a| (a, a.as_str())) {
            None | Some((_, Some("gcra"))) => RateLimitAlgorithm::Gcra,
            Some((_, Some("sliding-window"))) => RateLimitAlgorithm::SlidingWindow,
            Some((_, Some("fixed-window"))) => RateLimitAlgorithm::FixedWindow,
            Some((_, Some("token-bucket"))) => RateLimitAlgorithm::TokenBucket,
            Some((raw, _)) => {
                self.problem(
                    &format!("{pointer}/algorithm"),
                    format!("unknown rate-limit algorithm {raw}"),
                    "use `gcra` (the default), `sliding-window`, `fixed-window` or `token-bucket`",
                );
                RateLimitAlgorithm::Gcra
            }
        };
        let tiers = object
            .get("tiers")
            .map(|value| self.tiers(value, &format!("{pointer}/tiers")))
            .unwrap_or_default();
        if self.problems.len() > problems_before {
            return None;
        }
        Some(RateLimitPolicy {
            name,
            requests: requests?,
            window_seconds: window_seconds?,
            key,
            algorithm,
            tiers,
        })
    }

    fn tiers(&mut self, value: &Value, pointer: &str) -> Vec<(String, u64)> {
        const HINT: &str = "write `tiers: {free: 100, pro: 1000}`";
        let Some(map) = value.as_object() else {
            self.problem(
                pointer,
                "`tiers` must map tier names to request quotas".into(),
                HINT,
            );
            return Vec::new();
        };
        let mut tiers = Vec::new();
        for (tier, quota) in map {
            match quota.as_u64().filter(|n| *n > 0) {
                Some(n) => tiers.push((tier.clone(), n)),
                None => self.problem(
                    &format!("{pointer}/{tier}"),
                    format!("the quota of tier `{tier}` must be a whole number above zero"),
                    HINT,
                ),
            }
        }
        tiers
    }

    fn idempotency(&mut self, value: &Value, pointer: &str) -> Option<Idempotency> {
        const DAY: u64 = 24 * 60 * 60;
        let default = Idempotency {
            required: true,
            retention_seconds: DAY,
            lock_timeout_seconds: 60,
        };
        match value {
            Value::Bool(true) => Some(default),
            Value::Bool(false) => None,
            Value::Object(object) => {
                self.unknown_keys(object, &["required", "retention", "lock-timeout"], pointer);
                let mut result = default;
                if let Some(required) = object.get("required") {
                    match required.as_bool() {
                        Some(b) => result.required = b,
                        None => self.problem(
                            &format!("{pointer}/required"),
                            "`required` must be `true` or `false`".into(),
                            "`required: false` makes the key optional",
                        ),
                    }
                }
                for (key, slot) in [
                    ("retention", &mut result.retention_seconds),
                    ("lock-timeout", &mut result.lock_timeout_seconds),
                ] {
                    if let Some(raw) = object.get(key) {
                        match parse_duration(raw) {
                            Some(seconds) if seconds > 0 => *slot = seconds,
                            _ => self.problems.push(
                                Diagnostic::error(format!(
                                    "`{key}` must be a duration such as `60s` or `24h`"
                                ))
                                .in_file(self.file)
                                .at_pointer(format!("{pointer}/{key}"))
                                .with_hint(
                                    "durations are a number followed by `s`, `m`, `h` or `d`",
                                ),
                            ),
                        }
                    }
                }
                Some(result)
            }
            other => {
                self.problem(
                    pointer,
                    format!("`x-idempotency` must be `true` or a mapping, found {other}"),
                    "write `x-idempotency: {required: true, retention: 24h, lock-timeout: 60s}`",
                );
                None
            }
        }
    }

    fn pagination(&mut self, value: &Value, pointer: &str) -> Option<Pagination> {
        const HINT: &str = "write `x-pagination: {style: page}` or `x-pagination: {style: cursor}`";
        let Some(object) = value.as_object() else {
            self.problem(
                pointer,
                format!("`x-pagination` must be a mapping, found {value}"),
                HINT,
            );
            return None;
        };
        self.unknown_keys(
            object,
            &[
                "style",
                "page-param",
                "per-page-param",
                "cursor-param",
                "limit-param",
            ],
            pointer,
        );
        let param = |key: &str, default: &str| {
            object
                .get(key)
                .and_then(Value::as_str)
                .unwrap_or(default)
                .to_string()
        };
        match object.get("style").and_then(Value::as_str) {
            Some("page") => Some(Pagination::Page {
                page_param: param("page-param", "page"),
                per_page_param: param("per-page-param", "per_page"),
            }),
            Some("cursor") => Some(Pagination::Cursor {
                cursor_param: param("cursor-param", "cursor"),
                limit_param: param("limit-param", "limit"),
            }),
            _ => {
                self.problem(
                    &format!("{pointer}/style"),
                    "`style` must be `page` or `cursor`".into(),
                    HINT,
                );
                None
            }
        }
    }

    fn unknown_keys(
        &mut self,
        object: &serde_json::Map<String, Value>,
        known: &[&str],
        pointer: &str,
    ) {
        for key in object.keys() {
            if !known.contains(&key.as_str()) {
                self.problem(
                    &format!("{pointer}/{key}"),
                    format!("unknown key `{key}`"),
                    &format!("the keys allowed here are: {}", known.join(", ")),
                );
            }
        }
    }
}

/// `90`, `"90"`, `"90s"`, `"5m"`, `"24h"`, `"7d"` -> seconds.
pub fn parse_duration(value: &Value) -> Option<u64> {
    match value {
        Value::Number(n) => n.as_u64(),
        Value::String(text) => {
            let text = text.trim();
            let split = text
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(text.len());
            let (digits, unit) = text.split_at(split);
            let amount: u64 = digits.parse().ok()?;
            let factor = match unit.trim() {
                "" | "s" => 1,
                "m" => 60,
                "h" => 3600,
                "d" => 86_400,
                _ => return None,
            };
            amount.checked_mul(factor)
        }
        _ => None,
    }
}

fn is_policy_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
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
    use serde_json::json;

    #[test]
    fn durations() {
        let cases = [
            (json!(90), Some(90)),
            (json!("90"), Some(90)),
            (json!("1s"), Some(1)),
            (json!("5m"), Some(300)),
            (json!("24h"), Some(86_400)),
            (json!("7d"), Some(604_800)),
            (json!("1w"), None),
            (json!("s"), None),
            (json!(-1), None),
            (json!(true), None),
        ];
        for (value, expected) in cases {
            assert_eq!(parse_duration(&value), expected, "{value}");
        }
    }

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
}
