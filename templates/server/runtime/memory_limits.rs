//! Rate-limit counters in memory, for a single replica: sharded, and
//! bounded by two generations per shard (when the current one fills up it
//! becomes the previous one and the oldest is dropped).

use std::collections::hash_map::RandomState;
use std::collections::HashMap;
use std::hash::{BuildHasher, BuildHasherDefault};
use std::sync::{Mutex, MutexGuard};

use crate::runtime::algorithms::{self, Outcome, State};
use crate::runtime::limit_check::Check;
use crate::runtime::limit_decision::PolicyStatus;
use crate::runtime::memory::{lock, PassThrough, SHARDS, SWEEP_INTERVAL};

type Map<V> = HashMap<u64, V, BuildHasherDefault<PassThrough>>;

/// Requests with up to this many policies are checked with lists on the
/// stack (see [`MemoryLimiter::check`]).
const FEW: usize = 4;

/// A locked shard and its index.
type Locked<'a> = (usize, MutexGuard<'a, CounterShard>);

// `check_all` marks the shards in use in one `u64`.
const _: () = assert!(SHARDS <= 64);

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

    /// What `check` decides for the counter `hash`, without changing it.
    fn outcome(&self, hash: u64, check: &Check<'_>, now: u64) -> Outcome {
        algorithms::check(check.algorithm, check.quota, self.get(hash, now), now)
    }

    /// Keeps the counter an allowed outcome leaves.
    fn commit(&mut self, hash: u64, outcome: &Outcome, generation_size: usize, now: u64) {
        let counter = Counter {
            state: outcome.state,
            expires_at: outcome.expires_at,
        };
        self.put(hash, counter, generation_size, now);
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

    /// Applies every check, all or nothing, at `now`; returns `now` and
    /// each check's status.
    pub fn check(&self, checks: &[Check<'_>], now: u64) -> (u64, Vec<PolicyStatus>) {
        // One policy is the common case: one lock, no lists to build.
        if let [check] = checks {
            let hash = self.hash(check);
            let mut shard = lock(&self.shards[shard_of(hash)]);
            let outcome = shard.outcome(hash, check, now);
            if outcome.verdict.allowed {
                shard.commit(hash, &outcome, self.generation_size, now);
            }
            return (now, vec![check.status(outcome.verdict)]);
        }
        // The lists `check_all` works in: on the stack for a few policies
        // (every request of such an operation), on the heap past that.
        if checks.len() <= FEW {
            let mut guards: [Option<Locked<'_>>; FEW] = Default::default();
            self.check_all(checks, now, &mut [0; FEW], &mut guards, &mut [None; FEW])
        } else {
            let mut guards: Vec<_> = (0..checks.len().min(SHARDS)).map(|_| None).collect();
            let (hashes, outcomes) = (&mut vec![0; checks.len()], &mut vec![None; checks.len()]);
            self.check_all(checks, now, hashes, &mut guards, outcomes)
        }
    }

    /// Every check, all or nothing. `hashes` and `outcomes` have a slot per
    /// check, `guards` one per shard the checks use.
    fn check_all<'s>(
        &'s self,
        checks: &[Check<'_>],
        now: u64,
        hashes: &mut [u64],
        guards: &mut [Option<Locked<'s>>],
        outcomes: &mut [Option<Outcome>],
    ) -> (u64, Vec<PolicyStatus>) {
        // The shards in use, one bit each.
        let mut shards = 0u64;
        for (hash, check) in hashes.iter_mut().zip(checks) {
            *hash = self.hash(check);
            shards |= 1 << shard_of(*hash);
        }
        // Locking shards in index order keeps two requests from deadlocking.
        for guard in guards.iter_mut() {
            if shards == 0 {
                break;
            }
            let index = shards.trailing_zeros() as usize;
            shards &= shards - 1;
            *guard = Some((index, lock(&self.shards[index])));
        }
        fn shard<'g, 'm>(guards: &'g mut [Option<Locked<'m>>], hash: u64) -> &'g mut CounterShard {
            let (_, guard) = guards
                .iter_mut()
                .flatten()
                .find(|(index, _)| *index == shard_of(hash))
                .expect("every shard in use is locked");
            guard
        }
        for ((outcome, check), &hash) in outcomes.iter_mut().zip(checks).zip(&*hashes) {
            *outcome = Some(shard(guards, hash).outcome(hash, check, now));
        }
        let outcomes = || outcomes.iter().flatten();
        if outcomes().all(|outcome| outcome.verdict.allowed) {
            for (outcome, &hash) in outcomes().zip(&*hashes) {
                shard(guards, hash).commit(hash, outcome, self.generation_size, now);
            }
        }
        let statuses = outcomes().zip(checks);
        (
            now,
            statuses
                .map(|(outcome, check)| check.status(outcome.verdict))
                .collect(),
        )
    }

    /// The counter of `check`: its policy and key, hashed.
    fn hash(&self, check: &Check<'_>) -> u64 {
        self.hasher.hash_one((check.policy, &check.key))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::algorithms::{Algorithm, Quota};
    use crate::runtime::limit_check::CounterKey;

    /// `count` counters; the first allows one request, the others ten.
    fn checks(count: usize) -> Vec<Check<'static>> {
        (0..count)
            .map(|n| Check {
                policy: "test",
                key: CounterKey::Principal(format!("key-{n}").into()),
                quota: Quota {
                    requests: if n == 0 { 1 } else { 10 },
                    window_seconds: 60,
                },
                algorithm: Algorithm::FixedWindow,
            })
            .collect()
    }

    #[test]
    fn a_refusal_counts_nothing_with_few_or_many_policies() {
        for count in [2, FEW, FEW + 2] {
            let limiter = MemoryLimiter::new(1_000);
            let (_, first) = limiter.check(&checks(count), 0);
            assert!(first.iter().all(|status| status.verdict.allowed), "{count}");
            let (_, refused) = limiter.check(&checks(count), 1);
            assert_eq!(refused.len(), count);
            assert!(!refused[0].verdict.allowed, "{count}");
            // The refused request used none of the other counters' quota.
            let (_, others) = limiter.check(&checks(count)[1..], 2);
            assert!(
                others
                    .iter()
                    .all(|status| status.verdict.allowed && status.verdict.remaining == 8),
                "{count}: {others:?}"
            );
        }
    }
}
