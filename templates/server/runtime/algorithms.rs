//! The rate-limiting algorithms, as pure functions of a key's state and the
//! time (in microseconds). The in-memory backend runs these; the Redis
//! backend's script is a line-for-line port, so both answer alike.

/// How a policy counts requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// Generic cell rate algorithm: `requests` may arrive at once, then one
    /// per `window / requests`. No double bursts, no banking while idle.
    Gcra,
    /// The previous window's count, weighted by how much of it still
    /// overlaps, plus the current window's count.
    SlidingWindow,
    /// A counter per calendar window; allows a double burst at the edge.
    FixedWindow,
    /// A bucket of `requests` tokens refilled evenly over `window`.
    TokenBucket,
}

impl Algorithm {
    /// The name the Redis script knows it by.
    pub fn code(self) -> &'static str {
        match self {
            Algorithm::Gcra => "gcra",
            Algorithm::SlidingWindow => "sliding",
            Algorithm::FixedWindow => "fixed",
            Algorithm::TokenBucket => "bucket",
        }
    }
}

/// How many requests a policy allows per window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Quota {
    pub requests: u64,
    pub window_seconds: u64,
}

impl Quota {
    pub fn window_micros(self) -> u64 {
        self.window_seconds.max(1) * 1_000_000
    }
}

/// What a key's counter holds between requests.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum State {
    /// The theoretical arrival time of the next request.
    Gcra {
        tat: u64,
    },
    Fixed {
        window: u64,
        count: u64,
    },
    Sliding {
        window: u64,
        previous: u32,
        current: u32,
    },
    Bucket {
        tokens: f64,
        at: u64,
    },
}

/// The answer for one policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verdict {
    pub allowed: bool,
    /// Requests left after this one.
    pub remaining: u64,
    /// Microseconds until more quota is available (0 when the quota is full).
    /// For a refused request this is the wait until it would be allowed.
    pub reset_after: u64,
}

/// A verdict and the state to keep if every policy allows the request.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Outcome {
    pub verdict: Verdict,
    pub state: State,
    /// When the kept state is no different from no state at all.
    pub expires_at: u64,
}

/// Checks one request against `quota`, given the key's previous state.
pub fn check(algorithm: Algorithm, quota: Quota, state: Option<State>, now: u64) -> Outcome {
    let requests = quota.requests.max(1);
    let window = quota.window_micros();
    match algorithm {
        Algorithm::Gcra => gcra(requests, window, state, now),
        Algorithm::FixedWindow => fixed(requests, window, state, now),
        Algorithm::SlidingWindow => sliding(requests, window, state, now),
        Algorithm::TokenBucket => bucket(requests, window, state, now),
    }
}

fn gcra(requests: u64, window: u64, state: Option<State>, now: u64) -> Outcome {
    // Rounding the interval down keeps exactly `requests` within one window.
    let interval = (window / requests).max(1);
    let tat = match state {
        Some(State::Gcra { tat }) => tat.max(now),
        _ => now,
    };
    let next = tat + interval;
    let allowed = next - now <= window;
    let kept = if allowed { next } else { tat };
    let remaining = if allowed {
        ((now + window - kept) / interval).min(requests)
    } else {
        0
    };
    // The next unit frees up when `now + window - kept` reaches `(remaining + 1) * interval`.
    let reset_after = if remaining >= requests {
        0
    } else {
        (kept + (remaining + 1) * interval).saturating_sub(window + now)
    };
    Outcome {
        verdict: Verdict {
            allowed,
            remaining,
            reset_after,
        },
        state: State::Gcra { tat: kept },
        expires_at: kept,
    }
}

fn fixed(requests: u64, window: u64, state: Option<State>, now: u64) -> Outcome {
    let index = now / window;
    let count = match state {
        Some(State::Fixed { window: w, count }) if w == index => count,
        _ => 0,
    };
    let allowed = count < requests;
    let count = if allowed { count + 1 } else { count };
    let end = (index + 1) * window;
    Outcome {
        verdict: Verdict {
            allowed,
            remaining: requests - count.min(requests),
            reset_after: if count == 0 { 0 } else { end - now },
        },
        state: State::Fixed {
            window: index,
            count,
        },
        expires_at: end,
    }
}

fn sliding(requests: u64, window: u64, state: Option<State>, now: u64) -> Outcome {
    let index = now / window;
    let (previous, current) = match state {
        Some(State::Sliding {
            window: w,
            previous,
            current,
        }) if w == index => (previous, current),
        Some(State::Sliding {
            window: w, current, ..
        }) if w + 1 == index => (current, 0),
        _ => (0, 0),
    };
    let elapsed = (now - index * window) as f64;
    let span = window as f64;
    let estimate =
        |current: u32| f64::from(previous) * (span - elapsed) / span + f64::from(current);
    let allowed = estimate(current) + 1.0 <= requests as f64 + 1e-9;
    let current = if allowed { current + 1 } else { current };
    let left = requests as f64 - estimate(current);
    let remaining = if left <= 0.0 {
        0
    } else {
        (left + 1e-9).floor() as u64
    };
    let reset_after = if remaining >= requests {
        0
    } else {
        // When the estimate falls to `requests - remaining - 1`: within this
        // window as the previous count fades, or else in the next one.
        let target = (requests - remaining - 1) as f64;
        let current_f = f64::from(current);
        let at = if current_f <= target && previous > 0 {
            span * (1.0 - (target - current_f) / f64::from(previous))
        } else if current > 0 {
            span + span * (1.0 - target / current_f).max(0.0)
        } else {
            elapsed
        };
        (at - elapsed).max(0.0).ceil() as u64
    };
    Outcome {
        verdict: Verdict {
            allowed,
            remaining,
            reset_after,
        },
        state: State::Sliding {
            window: index,
            previous,
            current,
        },
        expires_at: (index + 2) * window,
    }
}

fn bucket(requests: u64, window: u64, state: Option<State>, now: u64) -> Outcome {
    let capacity = requests as f64;
    let rate = capacity / window as f64;
    let tokens = match state {
        Some(State::Bucket { tokens, at }) => {
            (tokens + now.saturating_sub(at) as f64 * rate).min(capacity)
        }
        _ => capacity,
    };
    let allowed = tokens + 1e-9 >= 1.0;
    let tokens = if allowed {
        (tokens - 1.0).max(0.0)
    } else {
        tokens
    };
    let remaining = ((tokens + 1e-9).floor() as u64).min(requests);
    let reset_after = if remaining >= requests {
        0
    } else {
        ((remaining as f64 + 1.0 - tokens) / rate).max(0.0).ceil() as u64
    };
    Outcome {
        verdict: Verdict {
            allowed,
            remaining,
            reset_after,
        },
        state: State::Bucket { tokens, at: now },
        expires_at: now + ((capacity - tokens) / rate).ceil() as u64,
    }
}
