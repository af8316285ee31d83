//! The rate limiter's steps on Redis: every policy of a request checked in
//! one round trip running one Lua script. On a Redis Cluster, one round
//! trip per slot: policies that count different subjects (a principal and
//! an address) keep their counters in different slots.

#![cfg(feature = "redis")]

use redis::{Script, Value};

use crate::runtime::algorithms::Verdict;
use crate::runtime::clock::Clock;
use crate::runtime::digest::{sha256, SlotTag};
use crate::runtime::limit_check::{Check, CounterKey};
use crate::runtime::limit_decision::PolicyStatus;
use crate::runtime::redis_store::RedisStore;

impl RedisStore {
    fn counter_key(&self, check: &Check<'_>) -> String {
        let subject = check.key.to_string();
        let digest = sha256(&[b"rate-limit", subject.as_bytes()]);
        self.key_name(&["rl:", check.policy, ":"], slot(check), &digest[..16])
    }

    /// The keys and arguments of [`LIMITS_LUA`] for `checks`.
    pub(crate) fn limit_call(
        &self,
        checks: &[Check<'_>],
        clock: &Clock,
    ) -> (Vec<String>, Vec<Vec<u8>>) {
        let keys = checks.iter().map(|check| self.counter_key(check)).collect();
        // A test's clock is sent along; otherwise Redis's own clock decides,
        // so replicas with skewed clocks still agree.
        let now = if clock.is_manual() {
            clock.now_micros()
        } else {
            0
        };
        // Room for a claim's two arguments too (see admission.rs).
        let mut args = Vec::with_capacity(1 + 3 * checks.len() + 2);
        let mut number = itoa::Buffer::new();
        args.push(number.format(now).as_bytes().to_vec());
        for check in checks {
            args.push(check.algorithm.code().as_bytes().to_vec());
            args.push(
                number
                    .format(check.quota.requests.max(1))
                    .as_bytes()
                    .to_vec(),
            );
            args.push(
                number
                    .format(check.quota.window_micros())
                    .as_bytes()
                    .to_vec(),
            );
        }
        (keys, args)
    }

    /// Checks every counter at once; returns the time used and each
    /// check's status.
    pub async fn check(
        &self,
        checks: &[Check<'_>],
        clock: &Clock,
    ) -> Result<(u64, Vec<PolicyStatus>), String> {
        if self.is_cluster() && !one_slot(checks) {
            return self.check_by_slot(checks, clock).await;
        }
        self.check_together(checks, clock).await
    }

    async fn check_together(
        &self,
        checks: &[Check<'_>],
        clock: &Clock,
    ) -> Result<(u64, Vec<PolicyStatus>), String> {
        let (keys, args) = self.limit_call(checks, clock);
        let reply = self.run(&RATE_LIMIT_SCRIPT, &keys, &args).await?;
        integers(&reply)
            .and_then(|numbers| statuses(&numbers, checks))
            .ok_or_else(|| "an unexpected reply from the rate-limit script".to_string())
    }

    /// One script per slot, each all or nothing for its own counters: a
    /// request one slot refuses has still counted in the others.
    async fn check_by_slot(
        &self,
        checks: &[Check<'_>],
        clock: &Clock,
    ) -> Result<(u64, Vec<PolicyStatus>), String> {
        let mut groups: Vec<(SlotTag, Vec<usize>)> = Vec::new();
        for (index, check) in checks.iter().enumerate() {
            let tag = slot(check);
            match groups.iter_mut().find(|(seen, _)| *seen == tag) {
                Some((_, members)) => members.push(index),
                None => groups.push((tag, vec![index])),
            }
        }
        let mut found: Vec<Option<PolicyStatus>> = vec![None; checks.len()];
        let mut now = None;
        for (_, members) in groups {
            let group: Vec<Check<'_>> = members.iter().map(|&i| checks[i].clone()).collect();
            let (time, statuses) = self.check_together(&group, clock).await?;
            now.get_or_insert(time);
            for (index, status) in members.into_iter().zip(statuses) {
                found[index] = Some(status);
            }
        }
        let statuses = found.into_iter().collect::<Option<Vec<_>>>();
        Ok((now.unwrap_or_default(), statuses.unwrap_or_default()))
    }
}

/// The slot of a counter: its subject's, so that a principal's counters
/// share the slot of its idempotency records (see `ScopeKey`).
pub(crate) fn slot(check: &Check<'_>) -> SlotTag {
    match &check.key {
        CounterKey::Principal(identity) => SlotTag::of(identity),
        other => SlotTag::of_display(other),
    }
}

/// Whether every counter of `checks` is in one slot.
pub(crate) fn one_slot(checks: &[Check<'_>]) -> bool {
    let mut tags = checks.iter().map(slot);
    match tags.next() {
        Some(first) => tags.all(|tag| tag == first),
        None => true,
    }
}

/// `now`, then `allowed, remaining, reset_after` for each check.
pub(crate) fn statuses(numbers: &[i64], checks: &[Check<'_>]) -> Option<(u64, Vec<PolicyStatus>)> {
    if numbers.len() != 1 + 3 * checks.len() {
        return None;
    }
    let statuses = numbers[1..]
        .chunks_exact(3)
        .zip(checks)
        .map(|(verdict, check)| {
            check.status(Verdict {
                allowed: verdict[0] == 1,
                remaining: verdict[1].max(0) as u64,
                reset_after: verdict[2].max(0) as u64,
            })
        })
        .collect();
    Some((numbers[0] as u64, statuses))
}

fn integers(value: &Value) -> Option<Vec<i64>> {
    match value {
        Value::Array(items) => items
            .iter()
            .map(|item| match item {
                Value::Int(number) => Some(*number),
                _ => None,
            })
            .collect(),
        _ => None,
    }
}

/// Every policy of a request in one step, all or nothing: the same
/// arithmetic as `algorithms.rs`, on states stored as space-separated
/// numbers. Checks the first `count` keys (the script sets `count`) with
/// `ARGV[1]` (the time, 0 for Redis's own) and three arguments per key;
/// leaves `now`, `all` and `verdicts` (`allowed, remaining, reset_after`
/// per key) to the rest of the script.
pub(crate) const LIMITS_LUA: &str = r"
local now = tonumber(ARGV[1])
if now == 0 then
  local time = redis.call('TIME')
  now = tonumber(time[1]) * 1000000 + tonumber(time[2])
end
local verdicts, states, all = {}, {}, true
for i = 1, count do
  local algorithm = ARGV[2 + (i - 1) * 3]
  local requests = tonumber(ARGV[3 + (i - 1) * 3])
  local window = tonumber(ARGV[4 + (i - 1) * 3])
  local s = {}
  local raw = redis.call('GET', KEYS[i])
  if raw then
    for part in string.gmatch(raw, '%S+') do s[#s + 1] = tonumber(part) end
  end
  local allowed, remaining, reset, state, expires
  if algorithm == 'gcra' then
    local interval = math.max(1, math.floor(window / requests))
    local tat = now
    if s[1] then tat = math.max(s[1], now) end
    local nxt = tat + interval
    allowed = nxt - now <= window
    local kept = tat
    if allowed then kept = nxt end
    remaining = 0
    if allowed then remaining = math.min(requests, math.floor((now + window - kept) / interval)) end
    reset = 0
    if remaining < requests then reset = math.max(0, kept + (remaining + 1) * interval - window - now) end
    state = string.format('%.0f', kept)
    expires = kept
  elseif algorithm == 'fixed' then
    local index = math.floor(now / window)
    local count = 0
    if s[1] == index then count = s[2] end
    allowed = count < requests
    if allowed then count = count + 1 end
    local finish = (index + 1) * window
    remaining = requests - math.min(count, requests)
    reset = 0
    if count > 0 then reset = finish - now end
    state = string.format('%.0f %.0f', index, count)
    expires = finish
  elseif algorithm == 'sliding' then
    local index = math.floor(now / window)
    local previous, current = 0, 0
    if s[1] == index then previous, current = s[2], s[3]
    elseif s[1] == index - 1 then previous, current = s[3], 0 end
    local elapsed = now - index * window
    local function estimate(c) return previous * (window - elapsed) / window + c end
    allowed = estimate(current) + 1 <= requests + 1e-9
    if allowed then current = current + 1 end
    local left = requests - estimate(current)
    remaining = 0
    if left > 0 then remaining = math.floor(left + 1e-9) end
    reset = 0
    if remaining < requests then
      local target = requests - remaining - 1
      local at = elapsed
      if current <= target and previous > 0 then
        at = window * (1 - (target - current) / previous)
      elseif current > 0 then
        at = window + window * math.max(0, 1 - target / current)
      end
      reset = math.ceil(math.max(0, at - elapsed))
    end
    state = string.format('%.0f %.0f %.0f', index, previous, current)
    expires = (index + 2) * window
  else
    local rate = requests / window
    local tokens = requests
    if s[1] then tokens = math.min(requests, s[1] + math.max(0, now - s[2]) * rate) end
    allowed = tokens + 1e-9 >= 1
    if allowed then tokens = math.max(0, tokens - 1) end
    remaining = math.min(requests, math.floor(tokens + 1e-9))
    reset = 0
    if remaining < requests then reset = math.ceil(math.max(0, (remaining + 1 - tokens) / rate)) end
    state = string.format('%.17g %.0f', tokens, now)
    expires = now + math.ceil((requests - tokens) / rate)
  end
  if not allowed then all = false end
  verdicts[i] = {allowed and 1 or 0, remaining, reset}
  states[i] = {state, expires}
end
if all then
  for i = 1, count do
    local ttl = math.max(1, math.ceil((states[i][2] - now) / 1000))
    redis.call('SET', KEYS[i], states[i][1], 'PX', ttl)
  end
end
";

/// `reply`: `now`, then every verdict.
pub(crate) const REPLY_LUA: &str = r"
local reply = {now}
for i = 1, count do
  reply[#reply + 1] = verdicts[i][1]
  reply[#reply + 1] = verdicts[i][2]
  reply[#reply + 1] = verdicts[i][3]
end
";

/// Replies `now`, then `allowed, remaining, reset_after` per key.
static RATE_LIMIT_SCRIPT: std::sync::LazyLock<Script> = std::sync::LazyLock::new(|| {
    Script::new(&["local count = #KEYS", LIMITS_LUA, REPLY_LUA, "return reply"].concat())
});
