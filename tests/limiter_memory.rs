//! The in-memory rate limiter stays within a stated memory bound however
//! many distinct clients it sees: a flood of new keys cannot grow it.
//!
//! Measured with a counting global allocator, so this file is its own test
//! binary.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};

use guards_server::runtime::algorithms::{Algorithm, Quota};
use guards_server::runtime::limit_check::{Check, CounterKey};
use guards_server::runtime::memory_limits::MemoryLimiter;

/// Bytes allocated and not yet freed, by the whole process.
static LIVE: AtomicIsize = AtomicIsize::new(0);

struct Counting;

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(
            new_size as isize - layout.size() as isize,
            Ordering::Relaxed,
        );
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The bound the README states for the default of 1,000,000 tracked keys.
const BOUND_BYTES: isize = 96 * 1024 * 1024;
const MAX_KEYS: usize = 1_000_000;

fn flood(limiter: &MemoryLimiter, from: u64, to: u64) {
    let quota = Quota {
        requests: 100,
        window_seconds: 60,
    };
    for client in from..to {
        let check = Check {
            policy: "default",
            key: CounterKey::Principal(format!("client-{client}").into()),
            quota,
            algorithm: Algorithm::Gcra,
        };
        let (_, statuses) = limiter.check(std::slice::from_ref(&check), 1_000_000);
        assert!(statuses[0].verdict.allowed);
    }
}

#[test]
fn a_million_distinct_clients_fit_the_bound_and_more_do_not_grow_it() {
    let before = LIVE.load(Ordering::Relaxed);
    let limiter = MemoryLimiter::new(MAX_KEYS);
    flood(&limiter, 0, 1_000_000);
    let after_first = LIVE.load(Ordering::Relaxed) - before;
    assert!(limiter.len() <= MAX_KEYS, "{} keys", limiter.len());
    assert!(
        after_first < BOUND_BYTES,
        "{} MiB for a million keys",
        after_first / 1024 / 1024
    );
    // A second million new clients, all within their window: the oldest are
    // forgotten and memory stays put.
    flood(&limiter, 1_000_000, 2_000_000);
    let after_second = LIVE.load(Ordering::Relaxed) - before;
    assert!(limiter.len() <= MAX_KEYS, "{} keys", limiter.len());
    assert!(
        after_second < BOUND_BYTES,
        "{} MiB after two million keys",
        after_second / 1024 / 1024
    );
    eprintln!(
        "live bytes: {} MiB after 1M keys, {} MiB after 2M keys ({} keys held)",
        after_first / 1024 / 1024,
        after_second / 1024 / 1024,
        limiter.len()
    );
}
