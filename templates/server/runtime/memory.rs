//! What the embedded backends share: rate-limit counters
//! ([`memory_limits`](crate::runtime::memory_limits)) and idempotency
//! records ([`memory_idempotency`](crate::runtime::memory_idempotency))
//! in this process, for a single replica.
//!
//! Both are split into shards, each behind its own short-held lock, so
//! concurrent requests for different keys rarely wait on each other, and
//! both are bounded.

use std::hash::Hasher;
use std::sync::{Mutex, MutexGuard};

pub const SHARDS: usize = 64;
/// How often a shard drops entries that have expired (microseconds).
pub const SWEEP_INTERVAL: u64 = 60_000_000;

pub fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding a shard leaves plain data behind; keep serving.
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Keys are already hashes, so the maps use them as they are.
#[derive(Default)]
pub struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*byte);
        }
    }
    fn write_u64(&mut self, value: u64) {
        self.0 = value;
    }
}
