//! What decoding a generated model costs against serde's derive.
//!
//! Generated models decode through a JSON value (`Decode`), which keeps the
//! types crate small for the compiler; serde's derive reads the bytes
//! straight into the struct. Measured on the flagship's `Charge`:
//!
//! - client: a list of 100 charges from bytes (`serde_json::from_slice`),
//!   the generated `Charge` against a struct with the same fields that
//!   derives `Deserialize`;
//! - server: one `ChargeCreate` request body from a parsed value, as the
//!   server has it after reading the body: the generated `FromJson` (schema
//!   checks, then `Decode`) against the same checks followed by the
//!   derive's `serde_json::from_value`, which is what the server did before.
//!
//! Run with `scripts/bench-decode.sh` (a release build). Figures are ratios
//! against the derive measured in the same run.

use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use payments_types::validation::Path;
use payments_types::{Charge, ChargeCreate, ChargeStatus, FromJson};
use serde::Deserialize;
use serde_json::{json, Value};

/// `Charge` as serde's derive would decode it.
#[allow(dead_code)]
#[derive(Deserialize)]
struct DerivedCharge {
    id: String,
    amount: i64,
    currency: String,
    status: ChargeStatus,
    source: String,
    customer_id: Option<i64>,
    description: Option<String>,
    metadata: BTreeMap<String, String>,
    amount_refunded: i64,
    refunded: bool,
    created_at: DateTime<Utc>,
}

/// `ChargeCreate` as serde's derive would decode it.
#[allow(dead_code)]
#[derive(Deserialize)]
struct DerivedChargeCreate {
    amount: i64,
    currency: String,
    source: String,
    #[serde(default)]
    customer_id: Option<i64>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    metadata: Option<BTreeMap<String, String>>,
}

fn charges(count: usize) -> Vec<u8> {
    let charges: Vec<Value> = (0..count)
        .map(|n| {
            json!({
                "id": format!("ch_{n:08}"),
                "amount": 1999 + n,
                "currency": "USD",
                "status": "succeeded",
                "source": "tok_visa",
                "customer_id": n,
                "description": if n % 2 == 0 { Value::Null } else { json!("Monthly plan") },
                "metadata": {"order_id": format!("{n}"), "channel": "web", "region": "eu"},
                "amount_refunded": 0,
                "refunded": false,
                "created_at": "2026-12-02T16:12:00Z",
            })
        })
        .collect();
    serde_json::to_vec(&charges).unwrap()
}

/// The median, over alternating rounds, of the mean time per run of each side.
fn compare(
    runs: usize,
    mut derived: impl FnMut(),
    mut generated: impl FnMut(),
) -> (Duration, Duration) {
    const ROUNDS: usize = 7;
    let time = |f: &mut dyn FnMut()| {
        let start = Instant::now();
        for _ in 0..runs {
            f();
        }
        start.elapsed() / runs as u32
    };
    time(&mut derived);
    time(&mut generated);
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        a.push(time(&mut derived));
        b.push(time(&mut generated));
    }
    a.sort();
    b.sort();
    (a[ROUNDS / 2], b[ROUNDS / 2])
}

fn row(name: &str, (derived, generated): (Duration, Duration)) {
    println!(
        "| {name} | {:.1} µs | {:.1} µs | {:.2}x |",
        derived.as_secs_f64() * 1e6,
        generated.as_secs_f64() * 1e6,
        generated.as_secs_f64() / derived.as_secs_f64()
    );
}

fn main() {
    let runs: usize = std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(2_000);
    let list = charges(100);
    let body = json!({
        "amount": 1999,
        "currency": "USD",
        "source": "tok_visa",
        "customer_id": 42,
        "description": "Monthly plan",
        "metadata": {"order_id": "6735", "channel": "web"},
    });
    println!("| decode | serde derive | generated | ratio |");
    println!("|---|---|---|---|");
    row(
        "100 charges from bytes (client)",
        compare(
            runs,
            || {
                black_box(serde_json::from_slice::<Vec<DerivedCharge>>(black_box(&list)).unwrap());
            },
            || {
                black_box(serde_json::from_slice::<Vec<Charge>>(black_box(&list)).unwrap());
            },
        ),
    );
    row(
        "100 charges from bytes to a JSON value only (the first half of decoding)",
        compare(
            runs,
            || {
                black_box(serde_json::from_slice::<Vec<DerivedCharge>>(black_box(&list)).unwrap());
            },
            || {
                black_box(serde_json::from_slice::<Value>(black_box(&list)).unwrap());
            },
        ),
    );
    row(
        "a charge request from a value (server)",
        compare(
            runs * 50,
            || {
                let value = black_box(body.clone());
                let mut errors = Vec::new();
                ChargeCreate::check_json(&value, &Path::root(), &mut errors);
                assert!(errors.is_empty());
                black_box(serde_json::from_value::<DerivedChargeCreate>(value).unwrap());
            },
            || {
                let value = black_box(body.clone());
                black_box(ChargeCreate::from_json(value).unwrap());
            },
        ),
    );
}
