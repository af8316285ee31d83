//! Rate limiting: the policies an operation declares (`x-rate-limit`), whom
//! they count (principal, client IP or a header), and the checks of each
//! request against them. Counting happens in a [`LimitStore`]: in memory for
//! one replica, in Redis for several; what was decided is a
//! [`Decision`], which writes the headers and the `429`.

use std::borrow::Cow;
use std::net::{IpAddr, SocketAddr};

use axum::extract::ConnectInfo;
use axum::http::request::Parts;
use axum::http::{Extensions, HeaderMap};

use crate::runtime::algorithms::{Algorithm, Quota};
use crate::runtime::clock::Clock;
use crate::runtime::limit_check::{Check, CounterKey};
use crate::runtime::limit_decision::{Decision, PolicyStatus};
use crate::runtime::memory_limits::MemoryLimiter;
#[cfg(feature = "redis")]
use crate::runtime::redis_store::RedisStore;
#[cfg(feature = "redis")]
use std::sync::Arc;

/// One limit, as the spec declares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Policies with the same name share one counter per key.
    pub name: &'static str,
    pub quota: Quota,
    pub key: KeySource,
    pub algorithm: Algorithm,
    /// Quotas for principals with a tier; the others get `quota`.
    pub tiers: &'static [(&'static str, u64)],
}

/// Whom a policy counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeySource {
    /// The authenticated principal; the client IP where there is none.
    Principal,
    ClientIp,
    /// A request header's value; the client IP when it is absent.
    Header(&'static str),
}

/// Quotas set at startup in place of the spec's (`RATE_LIMITS`).
///
/// `default=1000/60` replaces the `default` policy's numbers for every tier
/// without an entry of its own; `default:pro=5000/60` sets one tier's.
/// Lists, not maps: a few policies and tiers, looked up on every request,
/// are found faster by comparing names than by hashing them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QuotaOverrides(Vec<(String, PolicyOverrides)>);

/// One policy's overrides.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct PolicyOverrides {
    every_tier: Option<Quota>,
    tiers: Vec<(String, Quota)>,
}

impl QuotaOverrides {
    /// Replaces the quota of `policy` (for `tier`, or for every tier).
    pub fn set(&mut self, policy: &str, tier: Option<&str>, quota: Quota) {
        let index = match self.0.iter().position(|(name, _)| name == policy) {
            Some(index) => index,
            None => {
                self.0
                    .push((policy.to_string(), PolicyOverrides::default()));
                self.0.len() - 1
            }
        };
        let overrides = &mut self.0[index].1;
        match tier {
            Some(tier) => match overrides.tiers.iter_mut().find(|(name, _)| name == tier) {
                Some((_, existing)) => *existing = quota,
                None => overrides.tiers.push((tier.to_string(), quota)),
            },
            None => overrides.every_tier = Some(quota),
        }
    }

    /// Parses `name[:tier]=requests/seconds`, comma-separated.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut overrides = QuotaOverrides::default();
        for entry in text.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let parsed = entry.split_once('=').and_then(|(target, numbers)| {
                let (requests, seconds) = numbers.split_once('/')?;
                let quota = Quota {
                    requests: requests.trim().parse().ok().filter(|&n| n > 0)?,
                    window_seconds: seconds.trim().parse().ok().filter(|&n| n > 0)?,
                };
                let (policy, tier) = match target.split_once(':') {
                    Some((policy, tier)) => (policy.trim(), Some(tier.trim())),
                    None => (target.trim(), None),
                };
                (!policy.is_empty()).then_some((policy, tier, quota))
            });
            match parsed {
                Some((policy, tier, quota)) => overrides.set(policy, tier, quota),
                None => return Err(format!("`{entry}` is not `policy[:tier]=requests/seconds`")),
            }
        }
        Ok(overrides)
    }

    /// The quota that applies to `policy` for a principal of `tier`.
    pub fn quota(&self, policy: &Policy, tier: Option<&str>) -> Quota {
        if let Some((_, overrides)) = self.0.iter().find(|(name, _)| name == policy.name) {
            let tiered =
                tier.and_then(|tier| overrides.tiers.iter().find(|(name, _)| name == tier));
            if let Some(quota) = tiered
                .map(|(_, quota)| quota)
                .or(overrides.every_tier.as_ref())
            {
                return *quota;
            }
        }
        let tiered = tier.and_then(|tier| policy.tiers.iter().find(|(t, _)| *t == tier));
        match tiered {
            Some((_, requests)) => Quota {
                requests: *requests,
                ..policy.quota
            },
            None => policy.quota,
        }
    }
}

/// Who is asking, as far as the limiter cares.
#[derive(Debug, Clone, Copy)]
pub struct Subject<'a> {
    /// The principal's identity and tier, for authenticated operations.
    pub principal: Option<(&'a str, Option<&'a str>)>,
    pub client_ip: Option<IpAddr>,
    pub headers: &'a HeaderMap,
}

/// The client's address: the peer, or with `trusted_proxy_hops` proxies in
/// front, the address the outermost trusted proxy saw in `X-Forwarded-For`.
pub fn client_ip(
    extensions: &Extensions,
    headers: &HeaderMap,
    trusted_proxy_hops: usize,
) -> Option<IpAddr> {
    let peer = extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(address)| address.ip());
    if trusted_proxy_hops == 0 {
        return peer;
    }
    let forwarded: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .collect();
    // Each trusted proxy appended the address it saw; entries left of those
    // were written by the client and prove nothing.
    let index = forwarded.len().saturating_sub(trusted_proxy_hops);
    forwarded
        .get(index)
        .and_then(|entry| {
            entry
                .parse::<IpAddr>()
                .ok()
                .or_else(|| entry.parse::<SocketAddr>().ok().map(|a| a.ip()))
        })
        .or(peer)
}

/// Whom a policy counts for a subject, borrowed from the request.
fn counter_key<'a>(policy: &Policy, subject: &Subject<'a>) -> CounterKey<'a> {
    let ip = CounterKey::Ip(subject.client_ip);
    match policy.key {
        KeySource::Principal => match subject.principal {
            Some((identity, _)) => CounterKey::Principal(Cow::Borrowed(identity)),
            None => ip,
        },
        KeySource::ClientIp => ip,
        KeySource::Header(name) => match subject.headers.get(name) {
            Some(value) => CounterKey::Header(name, String::from_utf8_lossy(value.as_bytes())),
            None => ip,
        },
    }
}

/// Where counters live.
pub enum LimitStore {
    /// No limits: every request passes, no headers are sent.
    Off,
    Memory(MemoryLimiter),
    #[cfg(feature = "redis")]
    Redis(Arc<RedisStore>),
}

/// Checks requests against the policies of their operation.
pub struct Limiter {
    store: LimitStore,
    overrides: QuotaOverrides,
    trusted_proxy_hops: usize,
    clock: Clock,
}

impl Limiter {
    pub fn new(
        store: LimitStore,
        overrides: QuotaOverrides,
        trusted_proxy_hops: usize,
        clock: Clock,
    ) -> Self {
        Limiter {
            store,
            overrides,
            trusted_proxy_hops,
            clock,
        }
    }

    /// Whom a request's policies count.
    pub(crate) fn subject<'a>(
        &self,
        principal: Option<(&'a str, Option<&'a str>)>,
        parts: &'a Parts,
    ) -> Subject<'a> {
        Subject {
            principal,
            client_ip: client_ip(&parts.extensions, &parts.headers, self.trusted_proxy_hops),
            headers: &parts.headers,
        }
    }

    /// Whether nothing is limited: no policies, or limits are off.
    pub(crate) fn unlimited(&self, policies: &[Policy]) -> bool {
        policies.is_empty() || matches!(self.store, LimitStore::Off)
    }

    // @if admission
    /// The store, for a layer that can share a round trip with it.
    #[cfg(feature = "redis")]
    pub(crate) fn redis(&self) -> Option<&Arc<RedisStore>> {
        match &self.store {
            LimitStore::Redis(redis) => Some(redis),
            _ => None,
        }
    }

    #[cfg(feature = "redis")]
    pub(crate) fn clock(&self) -> &Clock {
        &self.clock
    }
    // @end

    /// Checks a request. `Err` holds the refusal, to send as [`Decision::refuse`].
    pub async fn admit(
        &self,
        policies: &[Policy],
        principal: Option<(&str, Option<&str>)>,
        parts: &Parts,
    ) -> Result<Decision, Decision> {
        let subject = self.subject(principal, parts);
        let decision = self.check(policies, &subject).await;
        if decision.allowed() {
            Ok(decision)
        } else {
            Err(decision)
        }
    }

    /// Whose idempotency keys an unauthenticated request uses: its client's.
    pub fn anonymous_scope(&self, parts: &Parts) -> String {
        let ip = client_ip(&parts.extensions, &parts.headers, self.trusted_proxy_hops);
        CounterKey::Ip(ip).to_string()
    }

    /// Counts one request against every policy, all or nothing: a refused
    /// request uses no quota. If the store cannot answer, the request passes
    /// (a limiter outage must not become an API outage).
    pub async fn check(&self, policies: &[Policy], subject: &Subject<'_>) -> Decision {
        if self.unlimited(policies) {
            return Decision::default();
        }
        let checks = self.checks(policies, subject);
        self.decide(&checks).await
    }

    pub(crate) fn checks<'a>(&self, policies: &[Policy], subject: &Subject<'a>) -> Vec<Check<'a>> {
        let tier = subject.principal.and_then(|(_, tier)| tier);
        policies
            .iter()
            .map(|policy| Check {
                policy: policy.name,
                key: counter_key(policy, subject),
                quota: self.overrides.quota(policy, tier),
                algorithm: policy.algorithm,
            })
            .collect()
    }

    pub(crate) async fn decide(&self, checks: &[Check<'_>]) -> Decision {
        let statuses = match &self.store {
            LimitStore::Off => return Decision::default(),
            LimitStore::Memory(memory) => Ok(memory.check(checks, self.clock.now_micros())),
            #[cfg(feature = "redis")]
            // Boxed, so the memory path's future stays small (see idempotency.rs).
            LimitStore::Redis(redis) => Box::pin(redis.check(checks, &self.clock)).await,
        };
        self.decision(statuses)
    }

    /// The decision from the store's answer: `now` and one status per check.
    /// A refusal counts in `rate_limit_rejections_total` under each policy
    /// that refused.
    pub(crate) fn decision(&self, statuses: Result<(u64, Vec<PolicyStatus>), String>) -> Decision {
        match statuses {
            Ok((now, statuses)) => {
                for status in statuses.iter().filter(|s| !s.verdict.allowed) {
                    metrics::counter!("rate_limit_rejections_total", "policy" => status.name)
                        .increment(1);
                }
                Decision { now, statuses }
            }
            // Only Redis fails; limits then fail open.
            Err(_error) => {
                #[cfg(feature = "redis")]
                if let LimitStore::Redis(redis) = &self.store {
                    redis.warn(&format!("rate limits are not enforced: {_error}"));
                }
                Decision::default()
            }
        }
    }
}
