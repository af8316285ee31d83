//! The resources: users, tenants, pages, charges, refunds and cursors.

use super::*;

#[tokio::test]
async fn users_lifecycle() {
    let Some(server) = start().await else {
        return;
    };
    let created = server
        .post(
            "/v1/users",
            KEY_A,
            json!({"name": "Ada", "email": "ada@example.com", "password": "12345678"}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED);
    let id = created.body["data"]["id"].as_i64().unwrap();
    assert_eq!(
        created.header("location"),
        Some(format!("/v1/users/{id}").as_str())
    );
    assert!(
        created.body["data"].get("password").is_none(),
        "write-only fields are never returned"
    );

    let fetched = server.get(&format!("/v1/users/{id}"), KEY_A).await;
    assert_eq!(fetched.body["data"]["email"], "ada@example.com");

    let patched = server
        .call(
            Method::PATCH,
            &format!("/v1/users/{id}"),
            Some(KEY_A),
            Some(json!({"name": "Ada L."})),
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK);
    assert_eq!(patched.body["data"]["name"], "Ada L.");
    let unchanged = server
        .call(
            Method::PATCH,
            &format!("/v1/users/{id}"),
            Some(KEY_A),
            Some(json!({})),
        )
        .await;
    assert_eq!(unchanged.status, StatusCode::OK);
    assert_ne!(
        unchanged.body["data"]["updated_at"],
        created.body["data"]["updated_at"]
    );

    let duplicate = server
        .post(
            "/v1/users",
            KEY_A,
            json!({"name": "Eve", "email": "ada@example.com", "password": "12345678"}),
        )
        .await;
    assert_eq!(duplicate.status, StatusCode::BAD_REQUEST);
    assert_eq!(duplicate.code(), "VALIDATION_ERROR");
    assert_eq!(duplicate.details()[0].0, "email");

    let deleted = server
        .call(
            Method::DELETE,
            &format!("/v1/users/{id}"),
            Some(KEY_A),
            None,
        )
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert_eq!(deleted.body, Value::Null, "204 has an empty body");
    let gone = server.get(&format!("/v1/users/{id}"), KEY_A).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    assert_eq!(gone.code(), "USER_NOT_FOUND");
}

#[tokio::test]
async fn tenants_do_not_see_each_other() {
    let Some(server) = start().await else {
        return;
    };
    let id = server.user(KEY_A, "Ada", "ada@example.com").await;
    let other = server.get(&format!("/v1/users/{id}"), KEY_B).await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    assert_eq!(
        server.get("/v1/users", KEY_B).await.body["pagination"]["total"],
        0
    );
    // The same email is free in another tenant.
    server.user(KEY_B, "Ada", "ada@example.com").await;
    let charge = server.charge(KEY_A, 500).await;
    let hidden = server
        .get(
            &format!("/v1/charges/{}", charge["id"].as_str().unwrap()),
            KEY_B,
        )
        .await;
    assert_eq!(hidden.code(), "CHARGE_NOT_FOUND");
}

#[tokio::test]
async fn user_pages_count_and_sort() {
    let Some(server) = start().await else {
        return;
    };
    for (name, email) in [
        ("carol", "c@x.io"),
        ("alice", "a@x.io"),
        ("bob", "b@x.io"),
        ("Alicia", "d@x.io"),
        ("dave", "e@x.io"),
    ] {
        server.user(KEY_A, name, email).await;
    }
    let first = server.get("/v1/users?per_page=2&sort=name", KEY_A).await;
    assert_eq!(
        first.body["pagination"],
        json!({"page": 1, "per_page": 2, "total": 5, "total_pages": 3})
    );
    let names = |reply: &Reply| -> Vec<String> {
        reply.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["name"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(names(&first), ["Alicia", "alice"]);
    let last = server
        .get("/v1/users?per_page=2&page=3&sort=name", KEY_A)
        .await;
    assert_eq!(names(&last), ["dave"]);
    let past = server.get("/v1/users?per_page=2&page=9", KEY_A).await;
    assert_eq!(past.body["data"], json!([]));
    assert_eq!(past.body["pagination"]["total"], 5);
    let descending = server
        .get("/v1/users?sort=-email&per_page=100", KEY_A)
        .await;
    assert_eq!(
        names(&descending),
        ["dave", "Alicia", "carol", "bob", "alice"]
    );
    let search = server.get("/v1/users?search=ALI", KEY_A).await;
    assert_eq!(names(&search).len(), 2);
    let defaults = server.get("/v1/users", KEY_A).await;
    assert_eq!(defaults.body["pagination"]["per_page"], 20);
    assert_eq!(
        names(&defaults)[0],
        "carol",
        "created_at ascending by default"
    );
}

#[tokio::test]
async fn charges_refunds_and_declines() {
    let Some(server) = start().await else {
        return;
    };
    let customer = server.user(KEY_A, "Ada", "ada@example.com").await;
    let created = server
        .post(
            "/v1/charges",
            KEY_A,
            json!({"amount": 2000, "currency": "EUR", "source": "tok_visa", "customer_id": customer, "metadata": {"order": "7"}}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED);
    let charge = &created.body["data"];
    assert!(charge["id"].as_str().unwrap().starts_with("ch_"));
    assert_eq!(charge["status"], "succeeded");
    assert_eq!(
        charge["description"],
        Value::Null,
        "nullable fields are present as null"
    );
    let id = charge["id"].as_str().unwrap();

    let declined = server
        .post(
            "/v1/charges",
            KEY_A,
            json!({"amount": 2000, "currency": "EUR", "source": "tok_chargeDeclined"}),
        )
        .await;
    assert_eq!(
        (declined.status, declined.code()),
        (StatusCode::PAYMENT_REQUIRED, "CARD_DECLINED")
    );
    let no_customer = server
        .post(
            "/v1/charges",
            KEY_A,
            json!({"amount": 2000, "currency": "EUR", "source": "tok", "customer_id": 999}),
        )
        .await;
    assert_eq!(no_customer.code(), "USER_NOT_FOUND");

    let partial = server
        .post(
            &format!("/v1/charges/{id}/refunds"),
            KEY_A,
            json!({"amount": 500}),
        )
        .await;
    assert_eq!(partial.status, StatusCode::CREATED);
    assert!(partial.body["data"]["id"]
        .as_str()
        .unwrap()
        .starts_with("re_"));
    assert_eq!(partial.body["data"]["reason"], Value::Null);
    let too_much = server
        .post(
            &format!("/v1/charges/{id}/refunds"),
            KEY_A,
            json!({"amount": 1501}),
        )
        .await;
    assert_eq!(too_much.code(), "VALIDATION_ERROR");
    let rest = server
        .post(
            &format!("/v1/charges/{id}/refunds"),
            KEY_A,
            json!({"reason": "requested_by_customer"}),
        )
        .await;
    assert_eq!(rest.body["data"]["amount"], 1500);
    let after = server.get(&format!("/v1/charges/{id}"), KEY_A).await;
    assert_eq!(after.body["data"]["amount_refunded"], 2000);
    assert_eq!(after.body["data"]["refunded"], true);
}

#[tokio::test]
async fn a_cursor_walk_sees_every_charge_once_while_charges_are_created() {
    let Some(server) = start().await else {
        return;
    };
    let mut expected = BTreeSet::new();
    for amount in 0..25 {
        expected.insert(
            server.charge(KEY_A, 100 + amount).await["id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let path = match &cursor {
            Some(cursor) => format!("/v1/charges?limit=10&cursor={cursor}"),
            None => "/v1/charges?limit=10".to_string(),
        };
        let page = server.get(&path, KEY_A).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        pages += 1;
        let items = page.body["data"].as_array().unwrap();
        assert!(!items.is_empty(), "no empty trailing page");
        seen.extend(items.iter().map(|c| c["id"].as_str().unwrap().to_string()));
        // New charges arrive during the walk; they are newer than the cursor.
        server.charge(KEY_A, 999).await;
        let pagination = &page.body["pagination"];
        assert_eq!(pagination["limit"], 10);
        if pagination["has_more"] == false {
            assert_eq!(pagination["next_cursor"], Value::Null);
            break;
        }
        cursor = Some(pagination["next_cursor"].as_str().unwrap().to_string());
    }
    assert_eq!(pages, 3);
    let unique: BTreeSet<String> = seen.iter().cloned().collect();
    assert_eq!(unique.len(), seen.len(), "a charge was seen twice");
    assert_eq!(unique, expected);

    // A walk of exactly full pages ends on the last full one.
    let exact = server.get("/v1/charges?limit=100", KEY_A).await;
    let total = exact.body["data"].as_array().unwrap().len();
    let full = server
        .get(&format!("/v1/charges?limit={total}"), KEY_A)
        .await;
    assert_eq!(full.body["pagination"]["has_more"], false);
    assert_eq!(full.body["pagination"]["next_cursor"], Value::Null);
    let filtered = server.get("/v1/charges?status=failed", KEY_A).await;
    assert_eq!(filtered.body["data"], json!([]));
}
