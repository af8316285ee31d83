//! The Redis backend, for replicas that must share limits and idempotency
//! records. Every operation is one round trip running one Lua script, so it
//! is atomic; every key expires by itself.
//!
//! The connection is made on first use and remade after failures, so the
//! server starts and keeps serving while Redis is away: rate limits then
//! fail open, idempotent operations fail closed (`503`).
//!
//! It is the crate's `redis` feature, on by default.

#![cfg(feature = "redis")]

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{Script, Value};
use tokio::sync::OnceCell;

// @if limits
use crate::runtime::algorithms::Verdict;
// @end
use crate::runtime::clock::Clock;
// @if limits
use crate::runtime::digest::sha256;
// @end
use crate::runtime::digest::hex;
// @if idempotency
use crate::runtime::idempotency::{Claim, Fingerprint, ScopeKey, StoreError, StoredResponse};
// @end
// @if limits
use crate::runtime::rate_limit::Check;
// @end

/// At most one warning about an unreachable Redis per this many microseconds.
const WARNING_INTERVAL: u64 = 10_000_000;

/// A shared Redis connection and the scripts that run on it.
pub struct RedisStore {
    /// `Err` for a URL that does not parse: every call then fails.
    client: Result<redis::Client, String>,
    connection: OnceCell<ConnectionManager>,
    prefix: String,
    timeout: Duration,
    warned_at: AtomicU64,
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStore")
            .field("prefix", &self.prefix)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl RedisStore {
    /// Checks the URL; connects on first use. `prefix` starts every key;
    /// `timeout` bounds each round trip.
    pub fn new(url: &str, prefix: &str, timeout: Duration) -> Arc<Self> {
        let client = redis::Client::open(url).map_err(|error| error.to_string());
        if let Err(error) = &client {
            tracing::error!("the Redis URL is not usable: {error}");
        }
        Arc::new(RedisStore {
            client,
            connection: OnceCell::new(),
            prefix: prefix.to_string(),
            timeout,
            warned_at: AtomicU64::new(0),
        })
    }

    async fn connection(&self) -> Result<ConnectionManager, String> {
        let timeout = self.timeout;
        let client = self.client.clone()?;
        self.connection
            .get_or_try_init(|| async {
                let config = ConnectionManagerConfig::new()
                    .set_connection_timeout(Some(timeout))
                    .set_response_timeout(Some(timeout))
                    .set_number_of_retries(1)
                    .set_max_delay(Duration::from_secs(1));
                ConnectionManager::new_lazy_with_config(client, config)
            })
            .await
            .cloned()
            .map_err(|error| error.to_string())
    }

    /// Runs a script within the timeout.
    async fn run(
        &self,
        script: &Script,
        keys: &[String],
        args: &[Vec<u8>],
    ) -> Result<Value, String> {
        let mut connection = self.connection().await?;
        let mut invocation = script.prepare_invoke();
        for key in keys {
            invocation.key(key);
        }
        for arg in args {
            invocation.arg(arg.as_slice());
        }
        match tokio::time::timeout(self.timeout, invocation.invoke_async(&mut connection)).await {
            Ok(result) => result.map_err(|error| error.to_string()),
            Err(_) => Err("no answer in time".to_string()),
        }
    }

    /// Logs a warning, at most once per interval.
    pub fn warn(&self, message: &str) {
        let now = Clock::system().now_micros();
        let last = self.warned_at.load(Ordering::Relaxed);
        if now.saturating_sub(last) >= WARNING_INTERVAL
            && self
                .warned_at
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            tracing::warn!("{message}");
        }
    }

    // @if limits
    fn counter_key(&self, check: &Check) -> String {
        let digest = sha256(&[b"rate-limit", check.key.as_bytes()]);
        format!("{}rl:{}:{}", self.prefix, check.policy, hex(&digest[..16]))
    }

    // @end
    // @if idempotency
    fn record_key(&self, scope: &ScopeKey) -> String {
        format!("{}idem:{}", self.prefix, hex(&scope.0))
    }

    // @end
    // @if limits

    /// Checks every counter at once; returns the time used and the verdicts.
    pub async fn check(
        &self,
        checks: &[Check],
        clock: &Clock,
    ) -> Result<(u64, Vec<Verdict>), String> {
        let keys: Vec<String> = checks.iter().map(|check| self.counter_key(check)).collect();
        // A test's clock is sent along; otherwise Redis's own clock decides,
        // so replicas with skewed clocks still agree.
        let now = if clock.is_manual() {
            clock.now_micros()
        } else {
            0
        };
        let mut args = vec![now.to_string().into_bytes()];
        for check in checks {
            args.push(check.algorithm.code().as_bytes().to_vec());
            args.push(check.quota.requests.max(1).to_string().into_bytes());
            args.push(check.quota.window_micros().to_string().into_bytes());
        }
        let reply = self.run(&RATE_LIMIT_SCRIPT, &keys, &args).await?;
        let numbers = integers(&reply).ok_or("an unexpected reply from the rate-limit script")?;
        if numbers.len() != 1 + 3 * checks.len() {
            return Err("an unexpected reply from the rate-limit script".to_string());
        }
        let now = numbers[0] as u64;
        let verdicts = (0..checks.len())
            .map(|index| {
                let at = 1 + index * 3;
                Verdict {
                    allowed: numbers[at] == 1,
                    remaining: numbers[at + 1].max(0) as u64,
                    reset_after: numbers[at + 2].max(0) as u64,
                }
            })
            .collect();
        Ok((now, verdicts))
    }
    // @end
    // @if idempotency

    pub async fn claim(
        &self,
        scope: &ScopeKey,
        fingerprint: &Fingerprint,
        token: u64,
        lock_timeout: Duration,
    ) -> Result<Claim, StoreError> {
        let lock = lock_value(fingerprint, token);
        let args = [lock, millis(lock_timeout)];
        let reply = self
            .run(&CLAIM_SCRIPT, &[self.record_key(scope)], &args)
            .await
            .map_err(StoreError::Unavailable)?;
        match reply {
            Value::Int(1) => Ok(Claim::Claimed),
            Value::BulkString(record) => Ok(parse_record(&record, fingerprint)),
            other => Err(StoreError::Unavailable(format!(
                "an unexpected reply: {other:?}"
            ))),
        }
    }

    pub async fn complete(
        &self,
        scope: &ScopeKey,
        fingerprint: &Fingerprint,
        token: u64,
        response: &StoredResponse,
        retention: Duration,
    ) -> Result<bool, StoreError> {
        let key = self.record_key(scope);
        let mut record = Vec::with_capacity(response.body.len() + 128);
        record.extend_from_slice(format!("D {}\n", response.status).as_bytes());
        record.extend_from_slice(
            response
                .content_type
                .as_deref()
                .unwrap_or_default()
                .as_bytes(),
        );
        record.push(b'\n');
        record.extend_from_slice(response.location.as_deref().unwrap_or_default().as_bytes());
        record.push(b'\n');
        record.extend_from_slice(&response.body);
        let args = [
            token.to_string().into_bytes(),
            record,
            millis(retention),
            hex(&fingerprint.0).into_bytes(),
        ];
        let reply = self
            .run(&COMPLETE_SCRIPT, &[key], &args)
            .await
            .map_err(StoreError::Unavailable)?;
        Ok(matches!(reply, Value::Int(1)))
    }

    pub async fn release(&self, scope: &ScopeKey, token: u64) -> Result<(), StoreError> {
        self.run(
            &RELEASE_SCRIPT,
            &[self.record_key(scope)],
            &[token.to_string().into_bytes()],
        )
        .await
        .map(drop)
        .map_err(StoreError::Unavailable)
    }
    // @end
}

// @if idempotency
fn millis(duration: Duration) -> Vec<u8> {
    duration.as_millis().max(1).to_string().into_bytes()
}

/// `L <fingerprint> <token>`: an in-flight claim.
fn lock_value(fingerprint: &Fingerprint, token: u64) -> Vec<u8> {
    format!("L {} {token}", hex(&fingerprint.0)).into_bytes()
}

/// Reads a record another request left: `L <fingerprint> <token>`, or
/// `F <fingerprint>\n` followed by a completed one
/// (`D <status>\n<content type>\n<location>\n<body>`).
fn parse_record(record: &[u8], fingerprint: &Fingerprint) -> Claim {
    let expected = hex(&fingerprint.0);
    let Some(rest) = record.strip_prefix(b"F ") else {
        let text = String::from_utf8_lossy(record);
        let mut parts = text.split(' ');
        return match (parts.next(), parts.next()) {
            (Some("L"), Some(found)) if found == expected => Claim::InFlight,
            _ => Claim::Mismatch,
        };
    };
    let mut fields = rest.splitn(5, |&byte| byte == b'\n');
    let (Some(found), Some(status), Some(content_type), Some(location), Some(body)) = (
        fields.next(),
        fields.next(),
        fields.next(),
        fields.next(),
        fields.next(),
    ) else {
        return Claim::Mismatch;
    };
    if found != expected.as_bytes() {
        return Claim::Mismatch;
    }
    let text = |bytes: &[u8]| {
        let text = String::from_utf8_lossy(bytes).into_owned();
        (!text.is_empty()).then_some(text)
    };
    let status = String::from_utf8_lossy(status)
        .trim_start_matches("D ")
        .parse()
        .unwrap_or(200);
    Claim::Replay(Arc::new(StoredResponse {
        status,
        content_type: text(content_type),
        location: text(location),
        body: axum::body::Bytes::copy_from_slice(body),
    }))
}

// @end
// @if limits
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

// @end
// @if idempotency
/// Claims a key unless it exists; otherwise returns what it holds.
static CLAIM_SCRIPT: std::sync::LazyLock<Script> = std::sync::LazyLock::new(|| {
    Script::new(
        r"
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return 1
end
return redis.call('GET', KEYS[1])
",
    )
});

/// Turns this request's claim into its stored response (also when the
/// claim expired and nobody took the key over); does nothing if another
/// request holds the key now.
static COMPLETE_SCRIPT: std::sync::LazyLock<Script> = std::sync::LazyLock::new(|| {
    Script::new(
        r"
local current = redis.call('GET', KEYS[1])
if current then
  local token = string.match(current, '^L %x+ (%d+)$')
  if token ~= ARGV[1] then return 0 end
end
redis.call('SET', KEYS[1], 'F ' .. ARGV[4] .. '\n' .. ARGV[2], 'PX', ARGV[3])
return 1
",
    )
});

/// Deletes this request's claim, and nothing else.
static RELEASE_SCRIPT: std::sync::LazyLock<Script> = std::sync::LazyLock::new(|| {
    Script::new(
        r"
local current = redis.call('GET', KEYS[1])
if not current then return 0 end
local token = string.match(current, '^L %x+ (%d+)$')
if token ~= ARGV[1] then return 0 end
return redis.call('DEL', KEYS[1])
",
    )
});

// @end
// @if limits
/// Every policy of a request in one step, all or nothing: the same
/// arithmetic as `algorithms.rs`, on states stored as space-separated
/// numbers. Replies `now`, then `allowed, remaining, reset_after` per key.
static RATE_LIMIT_SCRIPT: std::sync::LazyLock<Script> = std::sync::LazyLock::new(|| {
    Script::new(
        r"
local now = tonumber(ARGV[1])
if now == 0 then
  local time = redis.call('TIME')
  now = tonumber(time[1]) * 1000000 + tonumber(time[2])
end
local verdicts, states, all = {}, {}, true
for i = 1, #KEYS do
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
  for i = 1, #KEYS do
    local ttl = math.max(1, math.ceil((states[i][2] - now) / 1000))
    redis.call('SET', KEYS[i], states[i][1], 'PX', ttl)
  end
end
local reply = {now}
for i = 1, #KEYS do
  reply[#reply + 1] = verdicts[i][1]
  reply[#reply + 1] = verdicts[i][2]
  reply[#reply + 1] = verdicts[i][3]
end
return reply
",
    )
});
// @end
