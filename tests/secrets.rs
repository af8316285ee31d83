//! Secrets stay out of logs: fields with `format: password` and `writeOnly`
//! strings print as `"***"` in the generated types' `Debug` output, whatever
//! their shape (required, optional, nullable in a request), while every
//! other field prints as derived.

use payments_types::UserCreate;
use read_write_types::{Credential, FromJson as _, PasswordReset};
use serde_json::json;

#[test]
fn a_user_create_logged_with_debug_shows_no_password() {
    let user = UserCreate {
        name: "Ada".to_string(),
        email: "ada@example.com".to_string(),
        password: Some("correct horse battery staple".to_string()),
    };
    let printed = format!("{user:?}");
    assert!(!printed.contains("correct horse"), "{printed}");
    assert_eq!(
        printed,
        r#"UserCreate { name: "Ada", email: "ada@example.com", password: Some("***") }"#
    );
    // Pretty-printed too, and the value itself is untouched.
    assert!(!format!("{user:#?}").contains("correct horse"));
    assert_eq!(
        user.password.as_deref(),
        Some("correct horse battery staple")
    );
}

#[test]
fn every_shape_of_secret_is_redacted() {
    let reset = PasswordReset::from_json(json!({
        "username": "ada",
        "password": "hunter2hunter2",
        "hint": "the usual",
        "attempts": 3,
    }))
    .unwrap();
    let printed = format!("{reset:?}");
    for secret in ["hunter2", "the usual"] {
        assert!(!printed.contains(secret), "{printed}");
    }
    assert_eq!(
        printed,
        r#"PasswordReset { username: "ada", password: "***", hint: Some(Some("***")), attempts: Some(3) }"#
    );
    // A `null` hint and an absent one stay apart, as the value does.
    let cleared = PasswordReset::from_json(json!({"username": "a", "password": "p", "hint": null}));
    assert!(format!("{:?}", cleared.unwrap()).contains("hint: Some(None)"));
    let absent = PasswordReset::from_json(json!({"username": "a", "password": "p"}));
    assert!(format!("{:?}", absent.unwrap()).contains("hint: None"));

    let credential = Credential::from_json(json!({
        "username": "ada",
        "secret": "s3cr3t-value",
        "pin": "1234",
    }))
    .unwrap();
    let printed = format!("{credential:?}");
    assert_eq!(
        printed,
        r#"Credential { id: None, username: "ada", secret: Some("***"), pin: Some("***") }"#
    );
}

#[test]
fn credentials_logged_with_debug_show_no_key_token_or_password() {
    use payments_server::Credentials;
    let printed = [
        Credentials::ApiKey {
            scheme: "ApiKeyAuth",
            key: "sk_live_123".to_string(),
        },
        Credentials::Bearer {
            scheme: "BearerAuth",
            token: "eyJhbGciOi".to_string(),
        },
        Credentials::Basic {
            scheme: "BasicAuth",
            username: "ada".to_string(),
            password: "hunter2".to_string(),
        },
    ]
    .map(|credentials| format!("{credentials:?}"));
    assert_eq!(
        printed,
        [
            r#"ApiKey { scheme: "ApiKeyAuth", key: "***" }"#,
            r#"Bearer { scheme: "BearerAuth", token: "***" }"#,
            r#"Basic { scheme: "BasicAuth", username: "ada", password: "***" }"#,
        ]
    );
}
