//! Behaviour of the generated models: serde round trips (discriminated
//! unions included) and validation at every boundary.

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};

fn decode<T: DeserializeOwned>(value: Value) -> T {
    serde_json::from_value(value.clone()).unwrap_or_else(|e| panic!("{value} does not decode: {e}"))
}

fn decode_error<T: DeserializeOwned + std::fmt::Debug>(value: Value) -> String {
    serde_json::from_value::<T>(value.clone())
        .map(|v| panic!("{value} decoded as {v:?}"))
        .unwrap_err()
        .to_string()
}

/// Decodes, re-encodes and compares with the input.
fn round_trip<T: DeserializeOwned + Serialize>(value: Value) -> T {
    let decoded: T = decode(value.clone());
    assert_eq!(serde_json::to_value(&decoded).unwrap(), value);
    decoded
}

/// `(field, code)` of every failure, in order; empty when valid. A macro
/// because each generated crate has its own `Validate` trait.
macro_rules! failures {
    ($value:expr) => {
        match $value.validate() {
            Ok(()) => Vec::<(String, &'static str)>::new(),
            Err(errors) => errors.iter().map(|e| (e.field.clone(), e.code)).collect(),
        }
    };
}

fn pairs(expected: &[(&str, &'static str)]) -> Vec<(String, &'static str)> {
    expected.iter().map(|(f, c)| (f.to_string(), *c)).collect()
}

mod payments {
    use super::*;
    use payments_types::params::ListUsersParams;
    use payments_types::{Charge, ChargeCreate, ChargeStatus, RefundReason, UserCreate, Validate};

    #[test]
    fn the_operations_are_listed_in_the_specs_order() {
        use payments_types::operations::{self, Operation};
        let ids: Vec<&str> = operations::ALL.iter().map(|o| o.id).collect();
        assert_eq!(ids.first(), Some(&"getHealth"));
        assert_eq!(
            operations::find("createCharge"),
            Some(&Operation {
                id: "createCharge",
                method: "POST",
                path: "/v1/charges",
                deprecated: false,
            })
        );
        assert!(operations::ALL.iter().all(|o| !o.deprecated));
        assert_eq!(operations::find("noSuchOperation"), None);
    }

    fn charge() -> Value {
        json!({
            "id": "ch_abcdefghijklmnopqrstuvwx",
            "amount": 1000,
            "currency": "USD",
            "status": "succeeded",
            "source": "tok_visa",
            "customer_id": null,
            "description": null,
            "metadata": {"order": "42"},
            "amount_refunded": 0,
            "refunded": false,
            "created_at": "2026-01-02T03:04:05Z"
        })
    }

    #[test]
    fn a_charge_round_trips_with_its_nulls_present() {
        let decoded: Charge = round_trip(charge());
        assert_eq!(decoded.customer_id, None);
        assert_eq!(decoded.status, ChargeStatus::Succeeded);
        assert!(failures!(decoded).is_empty());
    }

    #[test]
    fn a_required_nullable_field_must_be_present() {
        let mut value = charge();
        value.as_object_mut().unwrap().remove("customer_id");
        assert!(decode_error::<Charge>(value).contains("missing field `customer_id`"));
    }

    #[test]
    fn a_decoding_error_names_the_field_it_is_in() {
        let mut value = charge();
        value["metadata"] = json!({"order_id": 6735});
        let error = decode_error::<Charge>(value);
        assert!(
            error.starts_with("metadata.order_id: invalid type: number `6735`, expected a string"),
            "{error}"
        );
        let list = json!([charge(), {"id": "ch_2"}]);
        let error = decode_error::<Vec<Charge>>(list);
        assert!(error.contains("missing field `amount`"), "{error}");
    }

    #[test]
    fn response_enums_keep_unknown_values() {
        let mut value = charge();
        value["status"] = json!("disputed");
        let decoded: Charge = round_trip(value);
        assert_eq!(decoded.status, ChargeStatus::Unknown("disputed".into()));
        assert_eq!(decoded.status.to_string(), "disputed");
        // Decoding is lenient; validation still says the value is not in the spec.
        assert_eq!(failures!(decoded), pairs(&[("status", "enum")]));
        assert_eq!(
            "requested_by_customer".parse::<RefundReason>().unwrap(),
            RefundReason::RequestedByCustomer
        );
        assert_eq!(ChargeStatus::KNOWN.len(), 3);
    }

    #[test]
    fn absent_optional_fields_are_skipped_when_encoding() {
        let create: ChargeCreate =
            round_trip(json!({"amount": 50, "currency": "EUR", "source": "tok"}));
        assert_eq!(create.customer_id, None);
        assert!(failures!(create).is_empty());
    }

    #[test]
    fn charge_create_boundaries() {
        let valid = |amount: i64| -> ChargeCreate {
            decode(json!({"amount": amount, "currency": "USD", "source": "t"}))
        };
        assert!(failures!(valid(50)).is_empty());
        assert!(failures!(valid(99_999_999)).is_empty());
        assert_eq!(failures!(valid(49)), pairs(&[("amount", "minimum")]));
        assert_eq!(
            failures!(valid(100_000_000)),
            pairs(&[("amount", "maximum")])
        );
    }

    #[test]
    fn every_failure_of_a_charge_is_reported_at_once() {
        let mut metadata = serde_json::Map::new();
        for i in 0..20 {
            metadata.insert(format!("k{i:02}"), json!("v"));
        }
        metadata.insert("x".repeat(41), json!("y".repeat(501)));
        let create: ChargeCreate = decode(json!({
            "amount": 10,
            "currency": "usd",
            "source": "",
            "customer_id": 0,
            "description": "d".repeat(501),
            "metadata": metadata,
        }));
        let long_key = format!("metadata.{}", "x".repeat(41));
        assert_eq!(
            failures!(create),
            pairs(&[
                ("amount", "minimum"),
                ("currency", "pattern"),
                ("source", "min_length"),
                ("customer_id", "minimum"),
                ("description", "max_length"),
                ("metadata", "max_properties"),
                (&long_key, "max_length"),
                (&long_key, "max_length"),
            ])
        );
    }

    #[test]
    fn user_create_rules_count_characters() {
        let user = |name: &str, email: &str, password: &str| -> UserCreate {
            decode(json!({"name": name, "email": email, "password": password}))
        };
        assert!(failures!(user("Ada", "ada@example.com", "12345678")).is_empty());
        assert!(failures!(user(&"é".repeat(100), "ada@example.com", "12345678")).is_empty());
        assert_eq!(
            failures!(user("", "not-an-email", "1234567")),
            pairs(&[
                ("name", "min_length"),
                ("email", "format"),
                ("password", "min_length")
            ])
        );
        assert_eq!(
            failures!(user(&"a".repeat(101), "a@b.co", "12345678")),
            pairs(&[("name", "max_length")])
        );
    }

    #[test]
    fn query_parameters_take_their_defaults() {
        let params: ListUsersParams = decode(json!({}));
        assert_eq!(
            (params.page, params.per_page, params.sort.as_str()),
            (1, 20, "created_at")
        );
        assert_eq!(params.search, None);
        let bad: ListUsersParams =
            decode(json!({"page": 0, "per_page": 101, "sort": "-age", "search": ""}));
        assert_eq!(
            failures!(bad),
            pairs(&[
                ("page", "minimum"),
                ("per_page", "maximum"),
                ("sort", "pattern"),
                ("search", "min_length")
            ])
        );
        let fine: ListUsersParams = decode(json!({"per_page": 100, "sort": "-email"}));
        assert!(failures!(fine).is_empty());
    }
}

mod unions {
    use super::*;
    use unions_types::{Cat, Contact, Identifier, Pet, Validate};

    #[test]
    fn the_discriminator_chooses_the_variant() {
        let cat: Pet = round_trip(json!({"petType": "cat", "name": "Tom"}));
        assert!(matches!(cat, Pet::Cat(Cat { ref name, .. }) if name == "Tom"));
        // `dog: Dog` in the mapping names the schema without a pointer.
        assert!(matches!(
            round_trip::<Pet>(json!({"petType": "dog", "name": "Rex", "barks": true})),
            Pet::Dog(_)
        ));
        // No mapping entry: the schema's own name is the tag.
        assert!(matches!(
            round_trip::<Pet>(json!({"petType": "Lizard", "scales": 7})),
            Pet::Lizard(_)
        ));
    }

    #[test]
    fn unknown_or_missing_tags_are_errors() {
        let unknown = decode_error::<Pet>(json!({"petType": "fish"}));
        assert!(unknown.contains("unknown variant `fish`"), "{unknown}");
        assert!(unknown.contains("`cat`, `dog`, `Lizard`"), "{unknown}");
        assert!(decode_error::<Pet>(json!({"name": "Tom"})).contains("missing field `petType`"));
        // The tag is right but the body is not a cat.
        assert!(decode_error::<Pet>(json!({"petType": "cat"})).contains("missing field `name`"));
    }

    #[test]
    fn variants_are_validated() {
        let cat: Pet = decode(json!({"petType": "cat", "name": ""}));
        assert_eq!(failures!(cat), pairs(&[("name", "min_length")]));
    }

    #[test]
    fn untagged_unions_take_the_first_fit() {
        assert_eq!(round_trip::<Identifier>(json!(7)), Identifier::Integer(7));
        assert_eq!(
            round_trip::<Identifier>(json!("x7")),
            Identifier::String("x7".into())
        );
        assert!(matches!(
            round_trip::<Identifier>(json!({"petType": "cat", "name": "Tom"})),
            Identifier::Cat(_)
        ));
        assert!(matches!(
            round_trip::<Contact>(json!({"phone": "+1"})),
            Contact::PhoneContact(_)
        ));
        assert!(matches!(
            round_trip::<Contact>(json!({"email": "a@b.co"})),
            Contact::EmailContact(_)
        ));
    }

    #[test]
    fn untagged_objects_take_the_variant_that_keeps_every_property() {
        use unions_types::{ProtectionRule, ReviewersRule, WaitTimerRule};
        // Both variants fit; the first would drop `reviewers`.
        let rule: ProtectionRule =
            round_trip(json!({"id": 2, "type": "required_reviewers", "reviewers": ["ada"]}));
        assert_eq!(
            rule,
            ProtectionRule::ReviewersRule(ReviewersRule {
                id: 2,
                r#type: "required_reviewers".into(),
                reviewers: Some(vec!["ada".into()]),
            })
        );
        let rule: ProtectionRule =
            round_trip(json!({"id": 1, "type": "wait_timer", "wait_timer": 30}));
        assert!(matches!(
            rule,
            ProtectionRule::WaitTimerRule(WaitTimerRule {
                wait_timer: Some(30),
                ..
            })
        ));
        // Neither declares `extra`: the first fit, as before.
        let rule: ProtectionRule = decode(json!({"id": 3, "type": "branch_policy", "extra": 1}));
        assert!(matches!(rule, ProtectionRule::WaitTimerRule(_)));
    }
}

mod enums {
    use super::*;
    use enums_types::{Job, JobKind, JobRequest, JobState, Priority, Validate};

    #[test]
    fn integer_enums_read_and_write_their_numbers() {
        use enums_types::{FromJson as _, JobExitCode, Retries};
        // Closed (only sent): named by x-enum-varnames, unknown numbers refused.
        let request: JobRequest = round_trip(json!({"priority": "low", "retries": 5}));
        assert_eq!(request.retries, Some(Retries::Many));
        assert_eq!(
            (Retries::Few.value(), Retries::Few.to_string()),
            (3, "3".to_string())
        );
        assert_eq!(Retries::try_from(0), Ok(Retries::None));
        assert_eq!("5".parse::<Retries>(), Ok(Retries::Many));
        assert_eq!(
            Retries::try_from(4).unwrap_err().to_string(),
            "`4` is not a valid Retries"
        );
        assert!(
            decode_error::<JobRequest>(json!({"priority": "low", "retries": 4}))
                .contains("Retries")
        );
        let errors = JobRequest::from_json(json!({"priority": "low", "retries": 4})).unwrap_err();
        assert_eq!(
            errors
                .iter()
                .map(|e| (e.field.as_str(), e.code))
                .collect::<Vec<_>>(),
            [("retries", "enum")]
        );
        // Open (returned): a value the spec does not list is kept, not refused.
        let job: Job = round_trip(json!({"state": "done", "exit_code": 7}));
        assert_eq!(job.exit_code, Some(JobExitCode::Unknown(7)));
        let job: Job = round_trip(json!({"state": "done", "exit_code": -1}));
        assert_eq!(job.exit_code, Some(JobExitCode::Minus1));
        assert_eq!(
            JobExitCode::KNOWN
                .iter()
                .map(|c| c.value())
                .collect::<Vec<_>>(),
            [0, 1, -1]
        );
    }

    #[test]
    fn request_only_enums_are_closed() {
        assert_eq!("high".parse::<Priority>().unwrap(), Priority::High);
        let error = "urgent".parse::<Priority>().unwrap_err();
        assert_eq!(error.to_string(), "`urgent` is not a valid Priority");
        assert!(decode_error::<JobRequest>(json!({"priority": "urgent"}))
            .contains("unknown variant `urgent`"));
        assert_eq!(
            Priority::ALL,
            &[Priority::Low, Priority::Normal, Priority::High]
        );
        assert_eq!(Priority::Normal.to_string(), "normal");
    }

    #[test]
    fn response_enums_are_open_and_name_odd_values() {
        let job: Job = round_trip(json!({"state": "in-progress", "kind": "stream"}));
        assert_eq!(job.state, JobState::InProgress);
        assert_eq!(job.kind, Some(JobKind::Stream));
        assert_eq!(round_trip::<Job>(json!({"state": "1"})).state, JobState::V1);
        assert_eq!(
            round_trip::<Job>(json!({"state": ""})).state,
            JobState::Empty
        );
        let paused: Job = round_trip(json!({"state": "paused", "kind": "cron"}));
        assert_eq!(paused.state, JobState::Unknown("paused".into()));
        assert_eq!(paused.kind, Some(JobKind::Unknown("cron".into())));
        assert_eq!(
            failures!(paused),
            pairs(&[("state", "enum"), ("kind", "enum")])
        );
    }
}

mod validation {
    use super::*;
    use validation_types::{Rules, Validate};

    fn base() -> Value {
        json!({
            "name": "abc",
            "code": "ABC",
            "count": 5,
            "score": 0.5,
            "ratio": 0.75,
            "step": 10,
            "tags": ["a", "b"],
            "labels": {"k": "v"},
            "contact": "a@example.com",
            "site": "https://example.com/x",
            "items": [{"name": "x"}]
        })
    }

    fn check(field: &str, value: Value) -> Vec<(String, &'static str)> {
        let mut document = base();
        document[field] = value;
        failures!(decode::<Rules>(document))
    }

    #[test]
    fn the_base_value_is_valid() {
        assert!(failures!(decode::<Rules>(base())).is_empty());
    }

    #[test]
    fn string_lengths_and_patterns() {
        assert!(check("name", json!("ab")).is_empty());
        assert!(check("name", json!("abcde")).is_empty());
        assert!(
            check("name", json!("ééééé")).is_empty(),
            "characters, not bytes"
        );
        assert_eq!(check("name", json!("a")), pairs(&[("name", "min_length")]));
        assert_eq!(
            check("name", json!("abcdef")),
            pairs(&[("name", "max_length")])
        );
        assert_eq!(check("code", json!("AB")), pairs(&[("code", "pattern")]));
        assert_eq!(check("code", json!("ABCD")), pairs(&[("code", "pattern")]));
    }

    #[test]
    fn number_bounds() {
        assert!(check("count", json!(1)).is_empty());
        assert!(check("count", json!(10)).is_empty());
        assert_eq!(check("count", json!(0)), pairs(&[("count", "minimum")]));
        assert_eq!(check("count", json!(11)), pairs(&[("count", "maximum")]));
        assert!(check("score", json!(0.0001)).is_empty());
        assert!(check("score", json!(0.9999)).is_empty());
        assert_eq!(check("score", json!(0)), pairs(&[("score", "minimum")]));
        assert_eq!(check("score", json!(1)), pairs(&[("score", "maximum")]));
        assert!(check("ratio", json!(1.25)).is_empty());
        assert_eq!(
            check("ratio", json!(0.3)),
            pairs(&[("ratio", "multiple_of")])
        );
        assert!(check("step", json!(-15)).is_empty());
        assert_eq!(check("step", json!(7)), pairs(&[("step", "multiple_of")]));
    }

    #[test]
    fn arrays() {
        assert!(check("tags", json!(["a"])).is_empty());
        assert!(check("tags", json!(["a", "b", "c"])).is_empty());
        assert_eq!(check("tags", json!([])), pairs(&[("tags", "min_items")]));
        assert_eq!(
            check("tags", json!(["a", "b", "c", "d"])),
            pairs(&[("tags", "max_items")])
        );
        assert_eq!(
            check("tags", json!(["a", "a"])),
            pairs(&[("tags", "unique_items")])
        );
        assert_eq!(
            check("tags", json!(["a", "abcde"])),
            pairs(&[("tags[1]", "max_length")])
        );
        assert_eq!(
            check("items", json!([{"name": "x"}, {"name": "y"}, {"name": ""}])),
            pairs(&[("items[2].name", "min_length")])
        );
    }

    #[test]
    fn maps() {
        assert!(check("labels", json!({"a": "1", "abc": "2"})).is_empty());
        assert_eq!(
            check("labels", json!({})),
            pairs(&[("labels", "min_properties")])
        );
        assert_eq!(
            check("labels", json!({"a": "1", "b": "2", "c": "3"})),
            pairs(&[("labels", "max_properties")])
        );
        assert_eq!(
            check("labels", json!({"abcd": "1"})),
            pairs(&[("labels.abcd", "max_length")])
        );
        assert_eq!(
            check("labels", json!({"a b c d": "1"})),
            pairs(&[("labels[\"a b c d\"]", "max_length")])
        );
    }

    #[test]
    fn formats() {
        assert!(check("contact", json!("first.last+tag@sub.example.org")).is_empty());
        for bad in [
            "plain",
            "a@b",
            "@example.com",
            "a@-example.com",
            "a b@example.com",
            "a..b@example.com",
        ] {
            assert_eq!(
                check("contact", json!(bad)),
                pairs(&[("contact", "format")]),
                "{bad}"
            );
        }
        assert!(check("site", json!("urn:isbn:0451450523")).is_empty());
        assert_eq!(
            check("site", json!("not a uri")),
            pairs(&[("site", "format")])
        );
        assert_eq!(
            check("site", json!("/relative")),
            pairs(&[("site", "format")])
        );
    }

    #[test]
    fn all_failures_are_reported_in_field_order() {
        let value: Rules = decode(json!({
            "name": "a",
            "code": "x",
            "count": 0,
            "score": 1,
            "ratio": 0.1,
            "step": 1,
            "tags": [],
            "labels": {},
            "contact": "nope",
            "items": [{"name": ""}]
        }));
        let errors = value.validate().unwrap_err();
        assert_eq!(errors.len(), 10);
        assert_eq!(
            failures!(value),
            pairs(&[
                ("name", "min_length"),
                ("code", "pattern"),
                ("count", "minimum"),
                ("score", "maximum"),
                ("ratio", "multiple_of"),
                ("step", "multiple_of"),
                ("tags", "min_items"),
                ("labels", "min_properties"),
                ("contact", "format"),
                ("items[0].name", "min_length"),
            ])
        );
        let first = errors.iter().next().unwrap();
        assert_eq!(first.message, "must be at least 2 characters long");
        assert!(errors
            .to_string()
            .starts_with("name: must be at least 2 characters long (min_length); code:"));
    }
}

mod shapes {
    use super::*;

    #[test]
    fn renames_keywords_and_required_nullable_fields() {
        use objects_types::Account;
        let account: Account = round_trip(json!({
            "accountId": "a1",
            "displayName": "Ada",
            "closedAt": null,
            "type": "personal",
            "self": "me",
            "address": {"city": "Paris"}
        }));
        assert_eq!(account.account_id, "a1");
        assert_eq!(account.r#type, "personal");
        assert_eq!(account.self_.as_deref(), Some("me"));
        assert_eq!(account.address.unwrap().city, "Paris");
        let missing =
            decode_error::<Account>(json!({"accountId": "a", "displayName": "b", "type": "t"}));
        assert!(missing.contains("missing field `closedAt`"), "{missing}");
    }

    #[test]
    fn defaults_fill_absent_fields() {
        use defaults_types::params::SearchParams;
        use defaults_types::{Settings, SettingsMode};
        assert!(decode_error::<Settings>(json!({})).contains("missing field `profile`"));
        let settings: Settings = decode(json!({"profile": "p"}));
        assert_eq!(settings.retries, 3);
        assert!(!settings.verbose);
        assert_eq!(settings.threshold, 0.5);
        assert_eq!(settings.label, "main");
        assert_eq!(settings.mode, SettingsMode::Safe);
        let params: SearchParams = decode(json!({"q": "rust"}));
        assert_eq!(params.limit, 10);
        assert_eq!(params.order.to_string(), "desc");
        assert_eq!(params.x_trace, None);
    }

    #[test]
    fn maps_and_flattened_extra_properties() {
        use maps_types::{Extensible, Resource, Validate};
        let extensible: Extensible = round_trip(json!({"kind": "k", "color": "red", "size": "L"}));
        assert_eq!(extensible.additional_properties.len(), 2);
        assert_eq!(extensible.additional_properties["color"], "red");
        let resource: Resource = round_trip(json!({
            "name": "r",
            "labels": {"env": "prod"},
            "attributes": {"nested": {"any": [1, "two"]}},
            "counters": {"hits": 3}
        }));
        assert_eq!(resource.counters.unwrap()["hits"], 3);
        let too_many: Resource =
            decode(json!({"name": "r", "labels": {"a": "1", "b": "2", "c": "3", "d": "4"}}));
        assert_eq!(failures!(too_many), pairs(&[("labels", "max_properties")]));
    }

    #[test]
    fn recursive_types_nest() {
        use recursion_types::{Employee, ListNode, TreeNode};
        let list: ListNode =
            round_trip(json!({"value": 1, "next": {"value": 2, "next": {"value": 3}}}));
        assert_eq!(list.next.unwrap().next.unwrap().value, 3);
        let tree: TreeNode =
            round_trip(json!({"value": "root", "children": [{"value": "leaf", "children": []}]}));
        assert_eq!(tree.children.unwrap()[0].value, "leaf");
        let employee: Employee =
            round_trip(json!({"name": "A", "team": {"title": "T", "lead": {"name": "B"}}}));
        assert_eq!(employee.team.unwrap().lead.unwrap().name, "B");
        // A required field that requires its owner again is made optional.
        let ouroboros: recursion_types::Ouroboros = round_trip(json!({"tail": {}}));
        assert!(ouroboros.tail.unwrap().tail.is_none());
    }

    #[test]
    fn all_of_merges_members() {
        use allof_types::{Project, Status, Validate};
        // An optional nullable field decodes `null` and absence alike as `None`.
        let project: Project = decode(json!({
            "name": "specforge",
            "created_at": "2026-11-23T10:00:00Z",
            "id": 7,
            "status": "active",
            "previous_status": null
        }));
        assert_eq!(project.status, Some(Status::Active));
        assert_eq!(project.previous_status, None);
        let long: Project =
            decode(json!({"name": "x".repeat(51), "created_at": "2026-11-23T10:00:00Z", "id": 1}));
        assert_eq!(failures!(long), pairs(&[("name", "max_length")]));
    }

    #[test]
    fn arrays_of_inline_objects() {
        use arrays_types::{Order, Validate};
        let order: Order = round_trip(json!({
            "items": [{"sku": "a", "quantity": 1}, {"sku": "b", "quantity": 0}],
            "tags": ["x"],
            "grid": [[1.5, 2.0], []]
        }));
        assert_eq!(failures!(order), pairs(&[("items[1].quantity", "minimum")]));
    }

    #[test]
    fn formats_decode_into_their_types() {
        use formats_types::Everything;
        let value = json!({
            "at": "2026-11-23T10:00:00Z",
            "on": "2026-11-23",
            "id": "67e55044-10b1-426f-9247-bb680e5fe0c8",
            "email": "a@b.co",
            "homepage": "https://example.com",
            "small": 2147483647,
            "big": 9007199254740993i64,
            "ratio": 0.5,
            "precise": 0.1,
            "blob": "aGVsbG8=",
            "file": [1, 2, 3],
            "plain": -1
        });
        let everything: Everything = round_trip(value.clone());
        assert_eq!(
            everything.id.to_string(),
            "67e55044-10b1-426f-9247-bb680e5fe0c8"
        );
        let mut bad = value;
        bad["id"] = json!("not-a-uuid");
        assert!(decode_error::<Everything>(bad).contains("UUID"));
    }

    #[test]
    fn write_only_fields_are_never_required_when_decoding() {
        use read_write_types::{Credential, Validate};
        let returned: Credential = round_trip(json!({"id": 1, "username": "ada"}));
        assert_eq!(returned.secret, None);
        assert_eq!(failures!(returned), pairs(&[("secret", "required")]));
        let sent: Credential = round_trip(json!({"id": 1, "username": "ada", "secret": "short"}));
        assert_eq!(failures!(sent), pairs(&[("secret", "min_length")]));
    }

    #[test]
    fn read_only_fields_are_left_out_of_requests_but_always_returned() {
        use read_write_types::{Credential, FromJson as _, Receipt};
        // Credential travels in a request body: its read-only id may be absent.
        let sent =
            Credential::from_json(json!({"username": "ada", "secret": "long enough"})).unwrap();
        assert_eq!(sent.id, None);
        // Receipt is only returned: its read-only id is a plain, required field.
        let receipt = Receipt {
            id: 7,
            credential: sent,
        };
        assert_eq!(
            round_trip::<Receipt>(serde_json::to_value(&receipt).unwrap()).id,
            7
        );
        assert!(decode_error::<Receipt>(json!({"credential": {"username": "ada"}})).contains("id"));
    }
}

/// `FromJson`: untrusted JSON checked against the schema, every problem at once.
mod from_json {
    use super::*;

    fn problems<T: payments_types::FromJson + std::fmt::Debug>(
        value: Value,
    ) -> Vec<(String, &'static str)> {
        match T::from_json(value) {
            Ok(_) => Vec::new(),
            Err(errors) => errors.iter().map(|e| (e.field.clone(), e.code)).collect(),
        }
    }

    #[test]
    fn wrong_types_are_listed_per_field_with_rule_failures() {
        use payments_types::ChargeCreate;
        assert_eq!(
            problems::<ChargeCreate>(json!({
                "amount": "10",
                "currency": 5,
                "source": "",
                "customer_id": 1.5,
                "description": null,
                "metadata": {"k": 1, "ok": "v"},
                "unknown": true
            })),
            pairs(&[
                ("amount", "type"),
                ("currency", "type"),
                ("source", "min_length"),
                ("customer_id", "type"),
                ("description", "type"),
                ("metadata.k", "type"),
            ])
        );
        assert_eq!(
            problems::<ChargeCreate>(json!({"amount": 10, "currency": "usd", "source": null})),
            pairs(&[
                ("amount", "minimum"),
                ("currency", "pattern"),
                ("source", "type")
            ])
        );
    }

    #[test]
    fn missing_properties_and_non_objects() {
        use payments_types::{Charge, ChargeCreate, UserCreate};
        assert_eq!(
            problems::<ChargeCreate>(json!({})),
            pairs(&[
                ("amount", "required"),
                ("currency", "required"),
                ("source", "required")
            ])
        );
        assert_eq!(problems::<ChargeCreate>(json!([1])), pairs(&[("", "type")]));
        assert_eq!(
            problems::<UserCreate>(json!({"name": 123, "email": "nope"})),
            pairs(&[
                ("name", "type"),
                ("email", "format"),
                ("password", "required")
            ])
        );
        // Required but nullable: null is fine, absence is not.
        let mut charge = json!({
            "id": "ch_abcdefghijklmnopqrstuvwx", "amount": 1000, "currency": "USD",
            "status": "succeeded", "source": "tok", "customer_id": null, "description": null,
            "metadata": {}, "amount_refunded": 0, "refunded": false,
            "created_at": "2026-01-02T03:04:05Z"
        });
        assert!(problems::<Charge>(charge.clone()).is_empty());
        charge.as_object_mut().unwrap().remove("customer_id");
        charge["created_at"] = json!("yesterday");
        assert_eq!(
            problems::<Charge>(charge),
            pairs(&[("customer_id", "required"), ("created_at", "format")])
        );
    }

    #[test]
    fn a_valid_body_decodes() {
        use payments_types::{ChargeCreate, FromJson};
        let charge =
            ChargeCreate::from_json(json!({"amount": 500, "currency": "EUR", "source": "tok"}))
                .unwrap();
        assert_eq!(charge.amount, 500);
        let errors = ChargeCreate::from_json(json!({"amount": "x"})).unwrap_err();
        assert_eq!(errors.iter().next().unwrap().message, "must be an integer");
    }

    #[test]
    fn unions_enums_and_formats() {
        use enums_types::FromJson as _;
        use unions_types::FromJson as _;
        let pet = |value: Value| match unions_types::Pet::from_json(value) {
            Ok(_) => Vec::new(),
            Err(e) => e
                .iter()
                .map(|e| (e.field.clone(), e.code))
                .collect::<Vec<_>>(),
        };
        assert!(pet(json!({"petType": "cat", "name": "Tom"})).is_empty());
        assert_eq!(
            pet(json!({"petType": "cat"})),
            pairs(&[("name", "required")])
        );
        assert_eq!(
            pet(json!({"petType": "fish"})),
            pairs(&[("petType", "enum")])
        );
        assert_eq!(
            pet(json!({"name": "Tom"})),
            pairs(&[("petType", "required")])
        );
        let identifier = |value: Value| unions_types::Identifier::from_json(value).is_ok();
        assert!(identifier(json!(3)) && identifier(json!("x")));
        assert!(!identifier(json!(true)));
        let errors = unions_types::Identifier::from_json(json!(true)).unwrap_err();
        assert_eq!(errors.iter().next().unwrap().code, "one_of");

        let job = |value: Value| match enums_types::JobRequest::from_json(value) {
            Ok(_) => Vec::new(),
            Err(e) => e
                .iter()
                .map(|e| (e.field.clone(), e.code))
                .collect::<Vec<_>>(),
        };
        assert_eq!(
            job(json!({"priority": "urgent"})),
            pairs(&[("priority", "enum")])
        );
        // Decoding a response is lenient; checking a request is not.
        assert!(serde_json::from_value::<enums_types::Job>(json!({"state": "someday"})).is_ok());
        let errors = enums_types::Job::from_json(json!({"state": "someday"})).unwrap_err();
        assert_eq!(errors.iter().next().unwrap().code, "enum");

        use formats_types::FromJson as _;
        let errors = formats_types::Everything::from_json(json!({
            "at": "2026-13-01T00:00:00Z", "on": "2026-02-30", "id": "x", "email": "a@b.co",
            "homepage": "https://e.com", "small": 2147483648i64, "big": 1, "ratio": 1, "precise": 2.5,
            "blob": "", "file": [256], "plain": 1
        }))
        .unwrap_err();
        let found: Vec<_> = errors.iter().map(|e| (e.field.clone(), e.code)).collect();
        assert_eq!(
            found,
            pairs(&[
                ("at", "format"),
                ("on", "format"),
                ("id", "format"),
                ("small", "type"),
                ("file", "type")
            ])
        );
    }

    #[test]
    fn nested_arrays_maps_defaults_and_write_only() {
        use arrays_types::FromJson as _;
        let errors = arrays_types::Order::from_json(
            json!({"items": [{"sku": "", "quantity": "1"}], "tags": ["a", "a"]}),
        )
        .unwrap_err();
        let found: Vec<_> = errors.iter().map(|e| (e.field.clone(), e.code)).collect();
        assert_eq!(
            found,
            pairs(&[
                ("items[0].sku", "min_length"),
                ("items[0].quantity", "type"),
                ("tags", "unique_items")
            ])
        );

        use maps_types::FromJson as _;
        let errors = maps_types::Extensible::from_json(json!({"kind": "k", "x": 1, "y": "fine"}))
            .unwrap_err();
        assert_eq!(
            errors.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(),
            ["x"]
        );

        use defaults_types::FromJson as _;
        assert!(defaults_types::Settings::from_json(json!({"profile": "p"})).is_ok());
        let errors = defaults_types::Settings::from_json(json!({"profile": "p", "retries": null}))
            .unwrap_err();
        assert_eq!(
            errors
                .iter()
                .map(|e| (e.field.as_str(), e.code))
                .collect::<Vec<_>>(),
            [("retries", "type")]
        );

        use read_write_types::FromJson as _;
        let errors =
            read_write_types::Credential::from_json(json!({"id": 1, "username": "u"})).unwrap_err();
        assert_eq!(
            errors
                .iter()
                .map(|e| (e.field.as_str(), e.code))
                .collect::<Vec<_>>(),
            [("secret", "required")]
        );
    }
}
