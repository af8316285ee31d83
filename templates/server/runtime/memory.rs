//! The embedded backends: rate-limit counters and idempotency records in
//! this process, for a single replica.
//!
//! Both are split into shards, each behind its own short-held lock, so
//! concurrent requests for different keys rarely wait on each other. Both
//! are bounded: counters live in two generations per shard (when the
//! current one fills up it becomes the previous one and the oldest is
//! dropped), and when the idempotency records fill the store, the oldest
//! completed ones make room (or, configured so, new keys are refused).

// @if limits
use std::collections::hash_map::RandomState;
// @end
use std::collections::HashMap;
// @if limits
use std::hash::BuildHasher;
// @end
use std::hash::{BuildHasherDefault, Hasher};
// @if idempotency
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
// @end
use std::sync::{Mutex, MutexGuard};

// @if limits
use crate::runtime::algorithms::{self, Outcome, State, Verdict};
// @end
// @if idempotency
use crate::runtime::clock::Throttle;
use crate::runtime::config::WhenFull;
use crate::runtime::idempotency::{Claim, Fingerprint, ScopeKey, StoreError, StoredResponse};
// @end
// @if limits
use crate::runtime::rate_limit::Check;
// @end

const SHARDS: usize = 64;
/// How often a shard drops entries that have expired (microseconds).
const SWEEP_INTERVAL: u64 = 60_000_000;

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding a shard leaves plain data behind; keep serving.
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Keys are already hashes, so the maps use them as they are.
#[derive(Default)]
struct PassThrough(u64);

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

// @if limits
type Map<V> = HashMap<u64, V, BuildHasherDefault<PassThrough>>;

fn shard_of(hash: u64) -> usize {
    // The map uses the low and the top bits; shards take bits in between.
    ((hash >> 32) as usize) % SHARDS
}

#[derive(Clone, Copy)]
struct Counter {
    state: State,
    expires_at: u64,
}

#[derive(Default)]
struct CounterShard {
    current: Map<Counter>,
    previous: Map<Counter>,
    swept_at: u64,
}

impl CounterShard {
    fn get(&self, hash: u64, now: u64) -> Option<State> {
        self.current
            .get(&hash)
            .or_else(|| self.previous.get(&hash))
            .filter(|counter| counter.expires_at > now)
            .map(|counter| counter.state)
    }

    fn put(&mut self, hash: u64, counter: Counter, generation_size: usize, now: u64) {
        if now.saturating_sub(self.swept_at) > SWEEP_INTERVAL {
            self.swept_at = now;
            self.current.retain(|_, c| c.expires_at > now);
            self.previous.retain(|_, c| c.expires_at > now);
        }
        self.previous.remove(&hash);
        if self.current.len() >= generation_size && !self.current.contains_key(&hash) {
            self.previous = std::mem::take(&mut self.current);
        }
        self.current.insert(hash, counter);
    }
}

/// Rate-limit counters in memory, for at most `max_keys` keys: past that,
/// the least recently used are forgotten (they start afresh if they return).
pub struct MemoryLimiter {
    shards: Box<[Mutex<CounterShard>]>,
    hasher: RandomState,
    generation_size: usize,
}

impl MemoryLimiter {
    pub fn new(max_keys: usize) -> Self {
        MemoryLimiter {
            shards: (0..SHARDS).map(|_| Mutex::default()).collect(),
            hasher: RandomState::new(),
            generation_size: (max_keys / SHARDS / 2).max(1),
        }
    }

    /// Applies every check, all or nothing, at `now`; returns `now` and the verdicts.
    pub fn check(&self, checks: &[Check], now: u64) -> (u64, Vec<Verdict>) {
        let hashes: Vec<u64> = checks
            .iter()
            .map(|check| self.hasher.hash_one((check.policy, &check.key)))
            .collect();
        // Locking shards in index order keeps two requests from deadlocking.
        let mut indices: Vec<usize> = hashes.iter().map(|&h| shard_of(h)).collect();
        indices.sort_unstable();
        indices.dedup();
        let mut guards: Vec<(usize, MutexGuard<'_, CounterShard>)> = indices
            .iter()
            .map(|&index| (index, lock(&self.shards[index])))
            .collect();
        fn shard<'g, 'm>(
            guards: &'g mut [(usize, MutexGuard<'m, CounterShard>)],
            hash: u64,
        ) -> &'g mut CounterShard {
            let index = shard_of(hash);
            let position = guards
                .iter()
                .position(|(i, _)| *i == index)
                .expect("every shard in use is locked");
            &mut guards[position].1
        }
        let outcomes: Vec<Outcome> = checks
            .iter()
            .zip(&hashes)
            .map(|(check, &hash)| {
                let state = shard(&mut guards, hash).get(hash, now);
                algorithms::check(check.algorithm, check.quota, state, now)
            })
            .collect();
        if outcomes.iter().all(|outcome| outcome.verdict.allowed) {
            for (outcome, &hash) in outcomes.iter().zip(&hashes) {
                let counter = Counter {
                    state: outcome.state,
                    expires_at: outcome.expires_at,
                };
                shard(&mut guards, hash).put(hash, counter, self.generation_size, now);
            }
        }
        (
            now,
            outcomes.iter().map(|outcome| outcome.verdict).collect(),
        )
    }

    /// How many keys are held (for tests and metrics).
    pub fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|shard| {
                let shard = lock(shard);
                shard.current.len() + shard.previous.len()
            })
            .sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

// @end
// @if idempotency
enum Record {
    InFlight {
        fingerprint: Fingerprint,
        token: u64,
        locked_until: u64,
    },
    Done {
        fingerprint: Fingerprint,
        response: Arc<StoredResponse>,
        expires_at: u64,
        /// Which completion of the shard this was, oldest first.
        completed: u64,
    },
}

impl Record {
    fn is_live(&self, now: u64) -> bool {
        match self {
            Record::InFlight { locked_until, .. } => *locked_until > now,
            Record::Done { expires_at, .. } => *expires_at > now,
        }
    }

    fn size(&self) -> usize {
        match self {
            Record::InFlight { .. } => 0,
            Record::Done { response, .. } => response.size(),
        }
    }
}

#[derive(Default)]
struct RecordShard {
    /// Keyed by a SHA-256, which needs no hashing again.
    records: HashMap<ScopeKey, Record, BuildHasherDefault<PassThrough>>,
    /// Completed records in the order they completed: what eviction drops
    /// first. An entry whose record has gone (or completed again since) is
    /// stale and skipped; sweeps drop such entries.
    completions: VecDeque<(ScopeKey, u64)>,
    completed: u64,
    bytes: usize,
    swept_at: u64,
}

impl RecordShard {
    fn sweep(&mut self, now: u64) {
        let mut freed = 0;
        self.records.retain(|_, record| {
            let live = record.is_live(now);
            if !live {
                freed += record.size();
            }
            live
        });
        self.bytes -= freed;
        self.swept_at = now;
        let records = &self.records;
        self.completions
            .retain(|(key, completed)| is_completion(records.get(key), *completed));
    }

    /// Drops the oldest completed record; `false` when none is left (every
    /// record is in flight).
    fn evict_oldest(&mut self) -> bool {
        while let Some((key, completed)) = self.completions.pop_front() {
            if is_completion(self.records.get(&key), completed) {
                self.remove(&key);
                return true;
            }
        }
        false
    }

    fn remove(&mut self, key: &ScopeKey) {
        if let Some(record) = self.records.remove(key) {
            self.bytes -= record.size();
        }
    }
}

/// Whether `record` is the completion numbered `completed`.
fn is_completion(record: Option<&Record>, completed: u64) -> bool {
    matches!(record, Some(Record::Done { completed: c, .. }) if *c == completed)
}

/// At most one warning about evicted records per this many microseconds.
const EVICTION_WARNING_INTERVAL: u64 = 60_000_000;

/// Idempotency records in memory: at most `max_records` keys and
/// `max_bytes` of stored responses. When full of unexpired records, the
/// oldest completed records are dropped to make room (a retry of one of
/// them would run again), or with [`WhenFull::Refuse`] new keys get `503`.
/// Records in flight are never dropped.
pub struct MemoryIdempotency {
    shards: Box<[Mutex<RecordShard>]>,
    max_records_per_shard: usize,
    max_bytes_per_shard: usize,
    when_full: WhenFull,
    /// Records evicted since the start, and since the last warning.
    evicted: AtomicU64,
    unreported: AtomicU64,
    warnings: Throttle,
}

impl MemoryIdempotency {
    pub fn new(max_records: usize, max_bytes: usize, when_full: WhenFull) -> Self {
        MemoryIdempotency {
            shards: (0..SHARDS).map(|_| Mutex::default()).collect(),
            max_records_per_shard: (max_records / SHARDS).max(1),
            max_bytes_per_shard: (max_bytes / SHARDS).max(1),
            when_full,
            evicted: AtomicU64::new(0),
            unreported: AtomicU64::new(0),
            warnings: Throttle::every(EVICTION_WARNING_INTERVAL),
        }
    }

    /// Makes room in `shard` until `full` no longer holds: expired records
    /// first, then (when evicting) the oldest completed ones.
    fn make_room(
        &self,
        shard: &mut RecordShard,
        now: u64,
        full: impl Fn(&RecordShard) -> bool,
    ) -> Result<(), StoreError> {
        if !full(shard) {
            return Ok(());
        }
        // A sweep walks the whole shard: refusing, it is the only way out;
        // evicting, it is worth it only as often as the periodic one.
        if self.when_full == WhenFull::Refuse || now.saturating_sub(shard.swept_at) > SWEEP_INTERVAL {
            shard.sweep(now);
        }
        let mut evicted = 0;
        while full(shard) {
            if self.when_full == WhenFull::Refuse || !shard.evict_oldest() {
                self.note_evicted(evicted);
                return Err(StoreError::Full);
            }
            evicted += 1;
        }
        self.note_evicted(evicted);
        Ok(())
    }

    /// Counts evicted records and warns about them at most once a minute,
    /// so a store that stays full does not flood the log.
    fn note_evicted(&self, count: u64) {
        if count == 0 {
            return;
        }
        self.evicted.fetch_add(count, Ordering::Relaxed);
        self.unreported.fetch_add(count, Ordering::Relaxed);
        if self.warnings.ready() {
            let dropped = self.unreported.swap(0, Ordering::Relaxed);
            tracing::warn!(
                dropped,
                "the idempotency store is full: dropped the {dropped} oldest completed records \
                 (a retry of one runs again); raise IDEMPOTENCY_MAX_KEYS or \
                 IDEMPOTENCY_MAX_BYTES, or use Redis"
            );
        }
    }

    /// How many completed records were dropped to make room since the start.
    pub fn evicted(&self) -> u64 {
        self.evicted.load(Ordering::Relaxed)
    }

    fn shard(&self, key: &ScopeKey) -> MutexGuard<'_, RecordShard> {
        lock(&self.shards[usize::from(key.0[0]) % SHARDS])
    }

    pub fn claim(
        &self,
        key: &ScopeKey,
        fingerprint: &Fingerprint,
        token: u64,
        lock_timeout: u64,
        now: u64,
    ) -> Result<Claim, StoreError> {
        let mut shard = self.shard(key);
        if now.saturating_sub(shard.swept_at) > SWEEP_INTERVAL {
            shard.sweep(now);
        }
        match shard.records.get(key).filter(|record| record.is_live(now)) {
            Some(Record::InFlight { fingerprint: f, .. } | Record::Done { fingerprint: f, .. })
                if f != fingerprint =>
            {
                return Ok(Claim::Mismatch)
            }
            Some(Record::InFlight { .. }) => return Ok(Claim::InFlight),
            Some(Record::Done { response, .. }) => return Ok(Claim::Replay(Arc::clone(response))),
            None => {}
        }
        shard.remove(key);
        let max_records = self.max_records_per_shard;
        self.make_room(&mut shard, now, |shard| shard.records.len() >= max_records)?;
        shard.records.insert(
            *key,
            Record::InFlight {
                fingerprint: *fingerprint,
                token,
                locked_until: now + lock_timeout,
            },
        );
        Ok(Claim::Claimed)
    }

    /// Stores the response of the claim `token` holds, or of an expired
    /// claim nobody took over; `false` if another request holds the key now.
    pub fn complete(
        &self,
        key: &ScopeKey,
        fingerprint: &Fingerprint,
        token: u64,
        response: Arc<StoredResponse>,
        retention: u64,
        now: u64,
    ) -> Result<bool, StoreError> {
        let mut shard = self.shard(key);
        let ours = match shard.records.get(key) {
            None => true,
            Some(Record::InFlight { token: held, .. }) if *held == token => true,
            Some(record) => !record.is_live(now),
        };
        if !ours {
            return Ok(false);
        }
        shard.remove(key);
        let (size, max_bytes) = (response.size(), self.max_bytes_per_shard);
        if size > max_bytes {
            // Nothing dropped would make room for it.
            return Err(StoreError::Full);
        }
        self.make_room(&mut shard, now, |shard| shard.bytes + size > max_bytes)?;
        shard.bytes += size;
        shard.completed += 1;
        let completed = shard.completed;
        shard.completions.push_back((*key, completed));
        shard.records.insert(
            *key,
            Record::Done {
                fingerprint: *fingerprint,
                response,
                expires_at: now + retention,
                completed,
            },
        );
        Ok(true)
    }

    /// Forgets the claim `token` holds, so a retry runs the handler again.
    pub fn release(&self, key: &ScopeKey, token: u64) {
        let mut shard = self.shard(key);
        if matches!(shard.records.get(key), Some(Record::InFlight { token: held, .. }) if *held == token)
        {
            shard.remove(key);
        }
    }
}
// @end
