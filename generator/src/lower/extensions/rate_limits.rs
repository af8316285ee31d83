//! `x-rate-limit`: one policy or a list, each with its window, key,
//! algorithm and tiers.

use serde_json::Value;

use super::{parse_duration, ExtensionParser};
use crate::ir::{RateLimitAlgorithm, RateLimitKey, RateLimitPolicy};

impl ExtensionParser<'_> {
    pub(super) fn policies(&mut self, value: &Value, pointer: &str) -> Vec<RateLimitPolicy> {
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
}

fn is_policy_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}
