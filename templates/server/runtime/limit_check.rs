//! One counter a request is checked against, as the stores take it: the
//! policy, whom it counts, and the quota.

use std::borrow::Cow;
use std::fmt;
use std::net::IpAddr;

use crate::runtime::algorithms::{Algorithm, Quota, Verdict};
use crate::runtime::limit_decision::PolicyStatus;

/// Whom a counter counts, borrowed from the request where it can be. The
/// memory store hashes it as it is; its text (`principal:<identity>`,
/// `ip:<address>` or `header:<name>:<value>`) is written only for Redis.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CounterKey<'a> {
    Principal(Cow<'a, str>),
    Ip(Option<IpAddr>),
    /// A header's name and value.
    Header(&'static str, Cow<'a, str>),
}

impl CounterKey<'_> {
    /// The key with nothing borrowed, to keep past the request's parts.
    pub fn into_owned(self) -> CounterKey<'static> {
        match self {
            CounterKey::Principal(identity) => {
                CounterKey::Principal(Cow::Owned(identity.into_owned()))
            }
            CounterKey::Ip(ip) => CounterKey::Ip(ip),
            CounterKey::Header(name, value) => {
                CounterKey::Header(name, Cow::Owned(value.into_owned()))
            }
        }
    }
}

impl fmt::Display for CounterKey<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CounterKey::Principal(identity) => write!(f, "principal:{identity}"),
            CounterKey::Ip(Some(ip)) => write!(f, "ip:{ip}"),
            CounterKey::Ip(None) => f.write_str("ip:unknown"),
            CounterKey::Header(name, value) => write!(f, "header:{name}:{value}"),
        }
    }
}

/// One counter to check: its key, quota and algorithm.
#[derive(Debug, Clone)]
pub struct Check<'a> {
    /// The policy's name (counters of one name are shared).
    pub policy: &'static str,
    /// Whom the counter counts, within the policy.
    pub key: CounterKey<'a>,
    pub quota: Quota,
    pub algorithm: Algorithm,
}

impl Check<'_> {
    /// The check with nothing borrowed, to keep past the request's parts.
    pub fn into_owned(self) -> Check<'static> {
        Check {
            policy: self.policy,
            key: self.key.into_owned(),
            quota: self.quota,
            algorithm: self.algorithm,
        }
    }

    /// What the headers report for this check's `verdict`.
    pub fn status(&self, verdict: Verdict) -> PolicyStatus {
        PolicyStatus {
            name: self.policy,
            quota: self.quota,
            verdict,
        }
    }
}
