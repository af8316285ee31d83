//! Parses specforge's `x-` vocabulary (see `docs/extensions.md`) into the IR,
//! reporting malformed values with their location.

use indexmap::IndexMap;
use serde_json::Value;

use crate::diagnostics::Diagnostic;
use crate::ir::{
    ApiExtensions, Envelope, Idempotency, OperationExtensions, Pagination, RateLimits,
};

mod lifecycle;
mod rate_limits;

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
        let deprecation = extensions
            .get("x-deprecation")
            .and_then(|value| self.version_deprecation(value, "#/x-deprecation"));
        ApiExtensions {
            envelope,
            rate_limits,
            deprecation,
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
            .http_date(extensions.get("x-sunset"), "x-sunset", pointer)
            .map(|(text, _)| text);
        let deprecated_at = self
            .http_date(
                extensions.get("x-deprecated-at"),
                "x-deprecated-at",
                pointer,
            )
            .map(|(_, unix)| unix);
        OperationExtensions {
            rate_limits,
            idempotency,
            pagination,
            envelope,
            sunset,
            deprecated_at,
            version_deprecated: false,
            deprecation_link: None,
        }
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
                // Read by `specforge lint` (`list-cursor-pagination`): the
                // collection stays small, so page numbers serve it well.
                "bounded",
            ],
            pointer,
        );
        if object
            .get("bounded")
            .is_some_and(|bounded| !bounded.is_boolean())
        {
            self.problem(
                &format!("{pointer}/bounded"),
                "`bounded` must be `true` or `false`".into(),
                "write `bounded: true` for a collection that stays small",
            );
        }
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
}
