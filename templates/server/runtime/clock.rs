//! Time for the rate limiter and the idempotency store, replaceable in
//! tests, and a throttle for what should happen at most once per interval.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

/// Microseconds since the Unix epoch, from the system or from a test.
#[derive(Clone, Default)]
pub struct Clock(Option<Arc<ManualClock>>);

impl Clock {
    /// The system clock.
    pub fn system() -> Self {
        Clock(None)
    }

    /// A clock that moves only when the test moves it.
    pub fn manual(clock: Arc<ManualClock>) -> Self {
        Clock(Some(clock))
    }

    /// Whether this is a test's clock (the Redis backend then sends its time
    /// instead of using the server's).
    pub fn is_manual(&self) -> bool {
        self.0.is_some()
    }

    pub fn now_micros(&self) -> u64 {
        match &self.0 {
            Some(manual) => manual.now_micros(),
            None => SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |elapsed| elapsed.as_micros() as u64),
        }
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            Some(manual) => write!(f, "Clock::manual({})", manual.now_micros()),
            None => f.write_str("Clock::system()"),
        }
    }
}

/// Lets one caller through per interval of system time, across threads:
/// what keeps a warning that every request could raise from flooding the log.
#[derive(Debug)]
pub struct Throttle {
    interval_micros: u64,
    last: AtomicU64,
}

impl Throttle {
    pub const fn every(interval_micros: u64) -> Self {
        Throttle {
            interval_micros,
            last: AtomicU64::new(0),
        }
    }

    /// Whether the caller may go now; the next may not before the interval.
    pub fn ready(&self) -> bool {
        let now = Clock::system().now_micros();
        let last = self.last.load(Ordering::Relaxed);
        now.saturating_sub(last) >= self.interval_micros
            && self
                .last
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
    }
}

/// A clock for tests: starts where it is told and moves by `advance`.
#[derive(Debug, Default)]
pub struct ManualClock(AtomicU64);

impl ManualClock {
    pub fn starting_at(micros: u64) -> Arc<Self> {
        Arc::new(ManualClock(AtomicU64::new(micros)))
    }

    pub fn now_micros(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }

    pub fn advance(&self, by: std::time::Duration) {
        self.0.fetch_add(by.as_micros() as u64, Ordering::SeqCst);
    }
}
