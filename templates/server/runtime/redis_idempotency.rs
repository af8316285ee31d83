//! The idempotency store's steps on Redis: claim, complete and release,
//! each one round trip running one Lua script.

#![cfg(feature = "redis")]

use std::sync::Arc;
use std::time::Duration;

use axum::http::HeaderValue;
use redis::{Script, Value};

use crate::runtime::digest::hex;
use crate::runtime::idempotency_records::{
    Claim, Fingerprint, ScopeKey, StoreError, StoredResponse,
};
use crate::runtime::redis_store::RedisStore;

impl RedisStore {
    pub(crate) fn record_key(&self, scope: &ScopeKey) -> String {
        self.key_name(&["idem:"], scope.slot, &scope.digest)
    }

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
        for header in [&response.content_type, &response.location] {
            record.extend_from_slice(header.as_ref().map_or(&[][..], HeaderValue::as_bytes));
            record.push(b'\n');
        }
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
}

pub(crate) fn millis(duration: Duration) -> Vec<u8> {
    duration.as_millis().max(1).to_string().into_bytes()
}

/// `L <fingerprint> <token>`: an in-flight claim.
pub(crate) fn lock_value(fingerprint: &Fingerprint, token: u64) -> Vec<u8> {
    format!("L {} {token}", hex(&fingerprint.0)).into_bytes()
}

/// Reads a record another request left: `L <fingerprint> <token>`, or
/// `F <fingerprint>\n` followed by a completed one
/// (`D <status>\n<content type>\n<location>\n<body>`).
pub(crate) fn parse_record(record: &[u8], fingerprint: &Fingerprint) -> Claim {
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
    let header = |bytes: &[u8]| {
        (!bytes.is_empty())
            .then(|| HeaderValue::from_bytes(bytes).ok())
            .flatten()
    };
    let status = String::from_utf8_lossy(status)
        .trim_start_matches("D ")
        .parse()
        .unwrap_or(200);
    Claim::Replay(Arc::new(StoredResponse {
        status,
        content_type: header(content_type),
        location: header(location),
        body: axum::body::Bytes::copy_from_slice(body),
    }))
}

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
