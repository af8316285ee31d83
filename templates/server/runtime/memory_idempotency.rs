//! Idempotency records in memory, for a single replica: sharded, and
//! bounded; when the records fill the store, the oldest completed ones make
//! room (or, configured so, new keys are refused).

use std::collections::hash_map::Entry;
use std::collections::{HashMap, VecDeque};
use std::hash::BuildHasherDefault;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use crate::runtime::clock::Throttle;
use crate::runtime::config::WhenFull;
use crate::runtime::idempotency_records::{
    Claim, Fingerprint, ScopeKey, StoreError, StoredResponse,
};
use crate::runtime::memory::{lock, PassThrough, SHARDS, SWEEP_INTERVAL};

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
            // One lookup: this runs for every new key once the store is full.
            if let Entry::Occupied(record) = self.records.entry(key) {
                if is_completion(Some(record.get()), completed) {
                    self.bytes -= record.remove().size();
                    return true;
                }
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
        if self.when_full == WhenFull::Refuse || now.saturating_sub(shard.swept_at) > SWEEP_INTERVAL
        {
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
        lock(&self.shards[usize::from(key.digest[0]) % SHARDS])
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
