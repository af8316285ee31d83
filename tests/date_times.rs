//! The types crates write date-times themselves (`date_time.rs`), not
//! through chrono's formatter: the text must be exactly chrono's, for
//! every precision, the edges of four-digit years and what it falls back
//! to chrono for (longer years, leap seconds).

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use objects_types::Decode;
use serde_json::{json, Value};

fn instants() -> Vec<DateTime<Utc>> {
    let mut instants = Vec::new();
    let days = [
        (0, 1, 1),
        (1, 2, 3),
        (999, 12, 31),
        (2024, 2, 29),
        (2026, 12, 3),
        (9999, 12, 31),
    ];
    let times = [(0, 0, 0), (9, 5, 7), (23, 59, 59)];
    let nanos = [
        0,
        1,
        10,
        999,
        1_000,
        120_000,
        999_999,
        1_000_000,
        5_000_000,
        123_456_789,
        999_999_999,
    ];
    for (year, month, day) in days {
        for (hour, minute, second) in times {
            for nano in nanos {
                let naive = NaiveDate::from_ymd_opt(year, month, day)
                    .and_then(|date| date.and_hms_nano_opt(hour, minute, second, nano))
                    .expect("a valid instant");
                instants.push(Utc.from_utc_datetime(&naive));
            }
        }
    }
    // What chrono writes itself: years past four digits, a leap second.
    let leap = NaiveDate::from_ymd_opt(2016, 12, 31)
        .and_then(|date| date.and_hms_nano_opt(23, 59, 59, 1_500_000_000))
        .expect("a leap second");
    instants.push(Utc.from_utc_datetime(&leap));
    for year in [-1, 10_000, 262_000] {
        let naive = NaiveDate::from_ymd_opt(year, 6, 1).and_then(|d| d.and_hms_opt(1, 2, 3));
        instants.push(Utc.from_utc_datetime(&naive.expect("a valid instant")));
    }
    instants
}

#[test]
fn required_date_times_are_written_as_chrono_writes_them() {
    for instant in instants() {
        let chrono = serde_json::to_value(instant).unwrap();
        let user = payments_types::User {
            id: 1,
            name: "Ada".to_string(),
            email: "ada@example.com".to_string(),
            created_at: instant,
            updated_at: instant,
        };
        let written = serde_json::to_value(&user).unwrap();
        assert_eq!(written["created_at"], chrono, "{instant:?}");
        assert_eq!(written["updated_at"], chrono, "{instant:?}");
    }
}

#[test]
fn optional_date_times_are_written_as_chrono_writes_them() {
    let account = |closed_at: Value| {
        let value =
            json!({"accountId": "a", "displayName": "b", "type": "t", "closedAt": closed_at});
        objects_types::Account::decode(value).expect("a valid account")
    };
    for instant in instants() {
        let chrono = serde_json::to_value(instant).unwrap();
        let written = serde_json::to_value(account(chrono.clone())).unwrap();
        assert_eq!(written["closedAt"], chrono, "{instant:?}");
    }
    let written = serde_json::to_value(account(Value::Null)).unwrap();
    assert_eq!(written["closedAt"], Value::Null);
}
