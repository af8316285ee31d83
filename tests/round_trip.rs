//! The comparison behind `--example-tests` (`templates/types/round_trip.rs`),
//! driven with the examples feature's types: it passes what comes back
//! equal and catches what does not.

use examples_types::{models, FromJson};
use serde_json::Value;

include!("../templates/types/round_trip.rs");

fn same_instant(a: &str, b: &str) -> bool {
    match (
        chrono::DateTime::parse_from_rfc3339(a),
        chrono::DateTime::parse_from_rfc3339(b),
    ) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

const ORDER: &str = r#"{"id": 1, "courier": null, "placed_at": "2024-05-01T10:00:00+02:00", "total": 12.50,
    "status": "open", "lines": [{"sku": "A-1", "quantity": 2}], "note": null}"#;

#[test]
fn numbers_compare_by_value_date_times_as_instants_and_null_as_absent() {
    let mut round_trips = RoundTrips::default();
    round_trips.check::<models::Order>("order", ORDER);
    assert_eq!((round_trips.passed, round_trips.changed.len()), (1, 0));
    // What came back differs in text on all three counts.
    let encoded = serde_json::to_value(
        models::Order::from_json(serde_json::from_str(ORDER).unwrap()).unwrap(),
    )
    .unwrap();
    assert_eq!(encoded["placed_at"], "2024-05-01T08:00:00Z");
    assert!(encoded.get("note").is_none());
    round_trips.finish();
}

#[test]
fn a_property_the_type_drops_is_a_change_unless_it_is_undeclared() {
    let extra = r#"{"id": 1, "courier": {"name": "Swift"}, "placed_at": "2024-05-01T10:00:00Z", "total": 1, "status": "open",
        "lines": [], "gift_wrap": true}"#;
    let mut round_trips = RoundTrips::default();
    round_trips.check::<models::Order>("plain", extra);
    assert_eq!(round_trips.changed.len(), 1);
    assert!(
        round_trips.changed[0].contains("`/gift_wrap` (true) is lost"),
        "{:?}",
        round_trips.changed
    );
    let expected = r#"{"id": 1, "courier": {"name": "Swift"}, "placed_at": "2024-05-01T10:00:00Z", "total": 1, "status": "open",
        "lines": []}"#;
    round_trips.check_expecting::<models::Order>("ignoring", extra, expected, &["/gift_wrap"]);
    assert_eq!(round_trips.passed, 1);
    assert_eq!(round_trips.ignored, ["ignoring/gift_wrap"]);
}

#[test]
fn values_that_differ_are_changes() {
    assert!(difference(&serde_json::json!(1.5), &serde_json::json!(1), "").is_some());
    assert!(difference(&serde_json::json!("a"), &serde_json::json!("b"), "").is_some());
    assert!(
        difference(&serde_json::json!([1, 2]), &serde_json::json!([1]), "")
            .unwrap()
            .contains("has 1 items, not 2")
    );
    let found = difference(
        &serde_json::json!({"a": {"b": 1}}),
        &serde_json::json!({"a": {"b": 1}, "c": 2}),
        "",
    );
    assert_eq!(found.as_deref(), Some("`/c` (2) is added"));
    assert!(difference(&serde_json::json!(10), &serde_json::json!(10.0), "").is_none());
    assert!(difference(
        &serde_json::json!("2024-01-01T00:00:00Z"),
        &serde_json::json!("2024-01-01T01:00:00+01:00"),
        ""
    )
    .is_none());
}

#[test]
#[should_panic(expected = "1 examples were rejected and 0 changed")]
fn an_example_that_breaks_the_schema_fails_the_test() {
    let mut round_trips = RoundTrips::default();
    round_trips.check::<models::OrderCreate>("empty", r#"{"lines": []}"#);
    assert_eq!(round_trips.rejected.len(), 1);
    assert!(round_trips.rejected[0].contains("lines"));
    round_trips.finish();
}
