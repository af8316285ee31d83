//! What a response says besides its body: the request id, whether it was an
//! idempotent replay, how many attempts it took, and the rate limits left.

use std::time::Duration;

use reqwest::header::HeaderMap;
use reqwest::StatusCode;

use crate::runtime::transport::Answer;

/// One rate-limit policy as the server reported it (`RateLimit-Policy` and
/// `RateLimit`, IETF httpapi draft).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimitStatus {
    pub policy: String,
    /// The quota per window, when `RateLimit-Policy` names it.
    pub quota: Option<u64>,
    pub window: Option<Duration>,
    pub remaining: u64,
    /// How long until more quota is available.
    pub reset: Duration,
}

/// The parts of a response other than its typed body.
#[derive(Debug, Clone)]
pub struct ResponseMeta {
    pub status: StatusCode,
    pub headers: HeaderMap,
    /// `X-Request-ID`, or else the body's `meta.request_id`.
    pub request_id: Option<String>,
    /// `Idempotency-Replay: true`: the stored response of an earlier attempt.
    pub replayed: bool,
    pub attempts: u32,
    /// The `Idempotency-Key` the call was sent with.
    pub idempotency_key: Option<String>,
}

impl ResponseMeta {
    pub fn of(answer: &Answer) -> Self {
        let header = |name: &str| {
            answer
                .headers
                .get(name)
                .and_then(|value| value.to_str().ok())
                .map(str::to_string)
        };
        let request_id = header("x-request-id").or_else(|| {
            serde_json::from_slice::<serde_json::Value>(&answer.body)
                .ok()?
                .pointer("/meta/request_id")?
                .as_str()
                .map(str::to_string)
        });
        ResponseMeta {
            status: answer.status,
            headers: answer.headers.clone(),
            request_id,
            replayed: header("idempotency-replay").as_deref() == Some("true"),
            attempts: answer.attempts,
            idempotency_key: answer.idempotency_key.clone(),
        }
    }

    /// Every policy in `RateLimit`, with its quota and window from
    /// `RateLimit-Policy` where the server sent it.
    pub fn rate_limits(&self) -> Vec<RateLimitStatus> {
        let text = |name: &str| {
            self.headers
                .get_all(name)
                .iter()
                .filter_map(|value| value.to_str().ok())
                .collect::<Vec<_>>()
                .join(",")
        };
        let policies = members(&text("ratelimit-policy"));
        members(&text("ratelimit"))
            .into_iter()
            .filter_map(|(policy, parameters)| {
                let number = |parameters: &[(String, String)], key: &str| {
                    parameters
                        .iter()
                        .find(|(k, _)| k == key)
                        .and_then(|(_, v)| v.parse::<u64>().ok())
                };
                let declared = policies
                    .iter()
                    .find(|(name, _)| *name == policy)
                    .map(|(_, parameters)| parameters.as_slice())
                    .unwrap_or_default();
                Some(RateLimitStatus {
                    quota: number(declared, "q"),
                    window: number(declared, "w").map(Duration::from_secs),
                    remaining: number(&parameters, "r")?,
                    reset: Duration::from_secs(number(&parameters, "t").unwrap_or(0)),
                    policy,
                })
            })
            .collect()
    }
}

/// The members of a structured-field list of strings with parameters:
/// `"default";r=57;t=41, "burst";r=9;t=1`.
fn members(text: &str) -> Vec<(String, Vec<(String, String)>)> {
    text.split(',')
        .filter_map(|member| {
            let mut parts = member.trim().split(';');
            let name = parts.next()?.trim().trim_matches('"').to_string();
            let parameters = parts
                .filter_map(|parameter| {
                    let (key, value) = parameter.trim().split_once('=')?;
                    Some((key.trim().to_string(), value.trim().to_string()))
                })
                .collect();
            (!name.is_empty()).then_some((name, parameters))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(headers: &[(&'static str, &'static str)], body: &str) -> Answer {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.append(*name, value.parse().unwrap());
        }
        Answer {
            status: StatusCode::OK,
            headers: map,
            body: body.as_bytes().to_vec(),
            attempts: 2,
            idempotency_key: Some("k".into()),
        }
    }

    #[test]
    fn reads_the_request_id_from_the_header_then_the_body() {
        let both = answer(
            &[("x-request-id", "from-header")],
            r#"{"meta": {"request_id": "from-body"}}"#,
        );
        assert_eq!(
            ResponseMeta::of(&both).request_id.as_deref(),
            Some("from-header")
        );
        let body = answer(&[], r#"{"meta": {"request_id": "from-body"}}"#);
        assert_eq!(
            ResponseMeta::of(&body).request_id.as_deref(),
            Some("from-body")
        );
        assert_eq!(ResponseMeta::of(&answer(&[], "")).request_id, None);
    }

    #[test]
    fn reads_replays_and_rate_limits() {
        let meta = ResponseMeta::of(&answer(
            &[
                ("idempotency-replay", "true"),
                (
                    "ratelimit-policy",
                    "\"default\";q=100;w=60, \"burst\";q=10;w=1",
                ),
                ("ratelimit", "\"default\";r=57;t=41, \"burst\";r=9;t=1"),
            ],
            "{}",
        ));
        assert!(meta.replayed);
        assert_eq!(meta.attempts, 2);
        assert_eq!(
            meta.rate_limits(),
            vec![
                RateLimitStatus {
                    policy: "default".into(),
                    quota: Some(100),
                    window: Some(Duration::from_secs(60)),
                    remaining: 57,
                    reset: Duration::from_secs(41),
                },
                RateLimitStatus {
                    policy: "burst".into(),
                    quota: Some(10),
                    window: Some(Duration::from_secs(1)),
                    remaining: 9,
                    reset: Duration::from_secs(1),
                },
            ]
        );
        assert!(ResponseMeta::of(&answer(&[], "{}"))
            .rate_limits()
            .is_empty());
    }
}
