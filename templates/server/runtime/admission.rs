//! Admitting a request to an operation that is rate limited and takes
//! idempotency keys: its limits are checked once the request is read,
//! together with the key's claim when both layers share one Redis (one
//! round trip instead of two), on their own otherwise. A refused request
//! claims no key; a request that fails before the claim is still counted,
//! and a `429` still comes first.

#[cfg(feature = "redis")]
use std::sync::Arc;

use axum::http::request::Parts;
use axum::response::Response;
#[cfg(feature = "redis")]
use redis::{Script, Value};

#[cfg(feature = "redis")]
use crate::runtime::clock::Clock;
use crate::runtime::envelope;
#[cfg(feature = "redis")]
use crate::runtime::idempotency::Pending;
use crate::runtime::idempotency::{self, Attempt, Execution, Idempotency};
#[cfg(feature = "redis")]
use crate::runtime::idempotency_records::{Claim, StoreError};
use crate::runtime::limit_check::Check;
use crate::runtime::limit_decision::Decision;
#[cfg(feature = "redis")]
use crate::runtime::limit_decision::PolicyStatus;
use crate::runtime::rate_limit::{Limiter, Policy};
#[cfg(feature = "redis")]
use crate::runtime::redis_idempotency::{lock_value, millis, parse_record};
#[cfg(feature = "redis")]
use crate::runtime::redis_limits::{slot, statuses, LIMITS_LUA, REPLY_LUA};
#[cfg(feature = "redis")]
use crate::runtime::redis_store::RedisStore;

/// One request's limits, checked at most once.
pub struct Limits<'a> {
    limiter: &'a Limiter,
    /// Owned: the request's parts move on to the handler before the checks run.
    checks: Vec<Check<'static>>,
    decision: Option<Decision>,
}

impl<'a> Limits<'a> {
    /// The counters a request will be checked against; nothing is counted yet.
    pub fn defer(
        limiter: &'a Limiter,
        policies: &'static [Policy],
        principal: Option<(&str, Option<&str>)>,
        parts: &Parts,
    ) -> Self {
        let unlimited = limiter.unlimited(policies);
        let checks = if unlimited {
            Vec::new()
        } else {
            let subject = limiter.subject(principal, parts);
            let checks = limiter.checks(policies, &subject);
            checks.into_iter().map(Check::into_owned).collect()
        };
        Limits {
            limiter,
            checks,
            decision: unlimited.then(Decision::default),
        }
    }

    /// Claims the request's idempotency key ([`Idempotency::begin`]) with
    /// the limits checked first, in the same round trip where they can be.
    /// `Err` is the response to send instead of running the handler: a
    /// `429`, a replay, `400`, `409`, `422` or `503`.
    pub async fn claim(
        &mut self,
        idempotency: &Idempotency,
        policy: &idempotency::Policy,
        attempt: Attempt<'_>,
    ) -> Result<Execution, Response> {
        let request_id = attempt.request_id;
        let pending = match idempotency.prepare(policy, &attempt) {
            Ok(Some(pending)) => pending,
            Ok(None) => {
                self.check(request_id).await?;
                return Ok(Execution::none());
            }
            Err(error) => {
                self.check(request_id).await?;
                return Err(envelope::error(&error, request_id));
            }
        };
        #[cfg(feature = "redis")]
        if let Some(redis) = idempotency.redis() {
            if let Some((checks, clock)) = self.foldable(redis, &pending) {
                // Boxed, as every Redis call (see idempotency.rs).
                let reply = Box::pin(redis.check_and_claim(checks, clock, &pending)).await;
                let (statuses, claim) = match reply {
                    // No claim means the limits refused, which `check` answers first.
                    Ok((statuses, claim)) => (
                        Ok(statuses),
                        claim.ok_or(StoreError::Unavailable(
                            "the admission script claimed nothing for an allowed request"
                                .to_string(),
                        )),
                    ),
                    Err(error) => (Err(error.clone()), Err(StoreError::Unavailable(error))),
                };
                self.record(statuses);
                self.check(request_id).await?;
                return idempotency.claim(pending, Some(claim), request_id).await;
            }
        }
        self.check(request_id).await?;
        idempotency.claim(pending, None, request_id).await
    }

    /// Checks now unless already checked. `Err` is the `429` to send.
    pub async fn check(&mut self, request_id: &str) -> Result<(), Response> {
        let decision = match &mut self.decision {
            Some(decision) => decision,
            empty => empty.insert(self.limiter.decide(&self.checks).await),
        };
        match decision.allowed() {
            true => Ok(()),
            false => Err(decision.refuse(request_id)),
        }
    }

    /// The checks to run in the round trip that claims `pending`'s key, if
    /// the limiter counts in the same Redis, they are still to run, and (on
    /// a cluster) their counters share the record's slot.
    #[cfg(feature = "redis")]
    fn foldable(
        &self,
        redis: &Arc<RedisStore>,
        pending: &Pending,
    ) -> Option<(&[Check<'static>], &Clock)> {
        let shared = self
            .limiter
            .redis()
            .is_some_and(|own| Arc::ptr_eq(own, redis));
        let together = !redis.is_cluster()
            || self
                .checks
                .iter()
                .all(|check| slot(check) == pending.scope.slot);
        (shared && together && self.decision.is_none())
            .then(|| (&self.checks[..], self.limiter.clock()))
    }

    /// Records what Redis answered for the checks [`Limits::foldable`] gave.
    #[cfg(feature = "redis")]
    fn record(&mut self, statuses: Result<(u64, Vec<PolicyStatus>), String>) {
        self.decision = Some(self.limiter.decision(statuses));
    }

    /// The response with the rate-limit headers. A request that failed
    /// before its limits were checked is checked now.
    pub async fn settle(mut self, response: Response, request_id: &str) -> Response {
        let checked_before = self.decision.is_some();
        if let Err(refusal) = self.check(request_id).await {
            // Refused earlier, `response` is that refusal already.
            return if checked_before { response } else { refusal };
        }
        match &self.decision {
            Some(decision) => decision.apply(response),
            None => response,
        }
    }
}

#[cfg(feature = "redis")]
impl RedisStore {
    /// Checks the limits and, if they allow the request, claims its key, in
    /// one round trip. The claim is `None` when the limits refused.
    async fn check_and_claim(
        &self,
        checks: &[Check<'_>],
        clock: &Clock,
        pending: &Pending,
    ) -> Result<((u64, Vec<PolicyStatus>), Option<Claim>), String> {
        let (mut keys, mut args) = self.limit_call(checks, clock);
        keys.push(self.record_key(&pending.scope));
        args.push(lock_value(&pending.fingerprint, pending.token));
        args.push(millis(pending.lock_timeout));
        let reply = self.run(&CHECK_AND_CLAIM_SCRIPT, &keys, &args).await?;
        let unexpected = || format!("an unexpected reply from the admission script: {reply:?}");
        let Value::Array(items) = &reply else {
            return Err(unexpected());
        };
        let numbers: Vec<i64> = items
            .iter()
            .map_while(|item| match item {
                Value::Int(number) => Some(*number),
                _ => None,
            })
            .collect();
        let Some((&outcome, numbers)) = numbers.split_first() else {
            return Err(unexpected());
        };
        let statuses = statuses(numbers, checks).ok_or_else(unexpected)?;
        let claim = match (outcome, items.get(1 + numbers.len())) {
            (0, None) => None,
            (1, None) => Some(Claim::Claimed),
            (2, Some(Value::BulkString(record))) => {
                Some(parse_record(record, &pending.fingerprint))
            }
            _ => return Err(unexpected()),
        };
        Ok((statuses, claim))
    }
}

/// The rate-limit script with the claim of `KEYS[count + 1]` after it,
/// when every policy allows the request. Replies `0` (refused: nothing
/// claimed), `1` (claimed) or `2` (the key was taken), the limits' reply,
/// and for `2` the record the key holds.
#[cfg(feature = "redis")]
static CHECK_AND_CLAIM_SCRIPT: std::sync::LazyLock<Script> = std::sync::LazyLock::new(|| {
    Script::new(&["local count = #KEYS - 1", LIMITS_LUA, REPLY_LUA, CLAIM_LUA].concat())
});

#[cfg(feature = "redis")]
const CLAIM_LUA: &str = r"
local outcome, record = 0, false
if all then
  local key = KEYS[count + 1]
  if redis.call('SET', key, ARGV[2 + count * 3], 'NX', 'PX', ARGV[3 + count * 3]) then
    outcome = 1
  else
    outcome, record = 2, redis.call('GET', key)
  end
end
table.insert(reply, 1, outcome)
if record then reply[#reply + 1] = record end
return reply
";
