//! The generated JWT verifier (tests/specs/jwt.yaml) over real sockets:
//! HS256/384/512, RS256 and ES256 tokens signed here with the test keys in
//! tests/keys/, each kind of bad token refused with its own `401`, tiers
//! from a claim, and the generated client sending the token.

use std::time::Duration;

use jsonwebtoken::{encode, EncodingKey, Header};
use jwt_server::{JwtAlgorithm, JwtVerifier, ServerConfig};
use reqwest::StatusCode;
use serde_json::{json, Value};

#[path = "support/jwt_server.rs"]
mod jwt_server_support;

use jwt_server_support::*;

#[tokio::test]
async fn a_good_token_is_its_subject_and_tier() {
    let base = start(Some(hs256())).await;
    let (status, _, body) = get(&base, "/me", &signed(&claims(json!({"plan": "pro"})))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body, json!({"subject": "user-7", "tier": "pro"}));

    // The tier picks the quota: `pro` gets 6 a minute, everyone else 3.
    let response = reqwest::Client::new()
        .get(format!("{base}/me"))
        .bearer_auth(signed(&claims(json!({"sub": "user-8", "plan": "pro"}))))
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.headers()["ratelimit-policy"],
        "\"default\";q=6;w=60"
    );
    let untiered = signed(&claims(json!({"sub": "user-9"})));
    let mut statuses = Vec::new();
    for _ in 0..4 {
        statuses.push(get(&base, "/me", &untiered).await.0);
    }
    assert_eq!(
        statuses,
        [
            StatusCode::OK,
            StatusCode::OK,
            StatusCode::OK,
            StatusCode::TOO_MANY_REQUESTS
        ],
        "the limit counts the token's subject"
    );
}

#[tokio::test]
async fn each_bad_token_gets_its_own_401() {
    let base = start(Some(hs256())).await;
    let unsigned = {
        use base64::Engine;
        let part = |json: &Value| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json.to_string())
        };
        format!(
            "{}.{}.",
            part(&json!({"alg": "none", "typ": "JWT"})),
            part(&claims(json!({})))
        )
    };
    let cases = [
        (
            hmac_token(JwtAlgorithm::HS256, b"another secret", &claims(json!({}))),
            "The token's signature is not valid.",
        ),
        (
            signed(&claims(json!({"exp": now() - 120}))),
            "The token has expired.",
        ),
        (
            signed(&claims(json!({"nbf": now() + 120}))),
            "The token is not valid yet (nbf).",
        ),
        (
            signed(&claims(json!({"aud": "another-api"}))),
            "The token is meant for another audience.",
        ),
        (
            signed(&claims(json!({"iss": "https://elsewhere.example"}))),
            "The token was issued by an issuer this server does not trust.",
        ),
        (
            "not.a.jwt".to_string(),
            "The bearer token is not a well-formed JWT.",
        ),
        (
            "garbage".to_string(),
            "The bearer token is not a well-formed JWT.",
        ),
        (
            unsigned,
            "The token is unsigned (alg \"none\"), which is never accepted.",
        ),
        (
            hmac_token(JwtAlgorithm::HS512, SECRET, &claims(json!({}))),
            "The token is signed with an algorithm this server does not accept.",
        ),
        (
            signed(&claims(json!({"sub": null}))),
            "The token has no `sub` claim.",
        ),
        (
            signed(&claims(json!({"exp": null}))),
            "The token has no `exp` claim.",
        ),
        (
            signed(&claims(json!({"aud": null}))),
            "The token has no `aud` claim.",
        ),
    ];
    for (token, message) in cases {
        let (status, challenge, body) = get(&base, "/me", &token).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{message}: {body}");
        assert_eq!(body["success"], false);
        assert_eq!(body["error"]["code"], "UNAUTHORIZED");
        assert_eq!(body["error"]["message"], message);
        assert_eq!(
            challenge.as_deref(),
            Some("Bearer realm=\"api\", error=\"invalid_token\"")
        );
        assert!(
            !body.to_string().contains(&token),
            "the token is not echoed"
        );
    }
    // No token at all is the plain 401.
    let response = reqwest::get(format!("{base}/me")).await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        response.headers()["www-authenticate"],
        "Bearer realm=\"api\""
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["message"], "Missing or invalid credentials.");
}

#[tokio::test]
async fn the_leeway_forgives_a_little_clock_skew() {
    let base = start(Some(hs256().leeway(Duration::from_secs(30)))).await;
    let recent = signed(&claims(json!({"exp": now() - 10, "nbf": now() + 10})));
    assert_eq!(get(&base, "/me", &recent).await.0, StatusCode::OK);
    let base = start(Some(hs256().leeway(Duration::ZERO))).await;
    assert_eq!(get(&base, "/me", &recent).await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn hs384_and_hs512_verify_with_their_secret() {
    for algorithm in [JwtAlgorithm::HS384, JwtAlgorithm::HS512] {
        let verifier = JwtVerifier::hmac(algorithm, SECRET).unwrap();
        let base = start(Some(verifier)).await;
        let token = hmac_token(
            algorithm,
            SECRET,
            &claims(json!({"aud": null, "iss": null})),
        );
        let (status, _, body) = get(&base, "/me", &token).await;
        assert_eq!(status, StatusCode::OK, "{algorithm:?}: {body}");
        let hs256 = hmac_token(JwtAlgorithm::HS256, SECRET, &claims(json!({})));
        assert_eq!(get(&base, "/me", &hs256).await.0, StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn rs256_and_es256_verify_with_a_pem_public_key() {
    let cases = [
        (
            JwtAlgorithm::RS256,
            "rsa-public.pem",
            EncodingKey::from_rsa_pem(&key_file("rsa-private.pem")),
        ),
        (
            JwtAlgorithm::ES256,
            "ec-public.pem",
            EncodingKey::from_ec_pem(&key_file("ec-private.pem")),
        ),
    ];
    for (algorithm, public, private) in cases {
        let verifier = JwtVerifier::public_key(algorithm, &key_file(public))
            .unwrap()
            .audience(AUDIENCE);
        let base = start(Some(verifier)).await;
        let token = encode(
            &Header::new(algorithm),
            &claims(json!({})),
            &private.unwrap(),
        )
        .unwrap();
        let (status, _, body) = get(&base, "/me", &token).await;
        assert_eq!(status, StatusCode::OK, "{algorithm:?}: {body}");
        assert_eq!(body["subject"], "user-7");
        // An HMAC token signed with the public key as its secret: the
        // classic algorithm-confusion attack.
        let confused = hmac_token(JwtAlgorithm::HS256, &key_file(public), &claims(json!({})));
        let (status, _, body) = get(&base, "/me", &confused).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(
            body["error"]["message"],
            "The token is signed with an algorithm this server does not accept."
        );
    }
    // A key that is not what the algorithm needs is refused up front.
    assert!(JwtVerifier::public_key(JwtAlgorithm::RS256, &key_file("ec-public.pem")).is_err());
    assert!(JwtVerifier::public_key(JwtAlgorithm::HS256, &key_file("rsa-public.pem")).is_err());
    assert!(JwtVerifier::hmac(JwtAlgorithm::RS256, SECRET).is_err());
    assert!(JwtVerifier::hmac(JwtAlgorithm::HS256, b"").is_err());
}

#[tokio::test]
async fn another_accepted_scheme_still_lets_the_request_in() {
    let base = start(Some(hs256())).await;
    let expired = signed(&claims(json!({"exp": now() - 120})));
    let response = reqwest::Client::new()
        .get(format!("{base}/either"))
        .bearer_auth(&expired)
        .header("X-Key", "good-key")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["subject"], "key-holder");
    let (status, _, body) = get(&base, "/either", &expired).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"]["message"], "The token has expired.");
}

#[tokio::test]
async fn without_a_verifier_authenticate_sees_the_raw_token() {
    let base = start(None).await;
    let (status, _, body) = get(&base, "/me", "opaque-token").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["subject"], "opaque");
    let (status, _, body) = get(&base, "/me", &signed(&claims(json!({})))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"]["message"], "Missing or invalid credentials.");
}

#[tokio::test]
async fn the_generated_client_sends_the_token() {
    let base = start(Some(hs256())).await;
    let token = signed(&claims(json!({"plan": "pro"})));
    let client = jwt_client::Client::builder()
        .base_url(&base)
        .token(&token)
        .build()
        .unwrap();
    let caller = client.who_am_i().await.unwrap().data;
    assert_eq!(caller.subject, "user-7");
    assert_eq!(caller.tier.as_deref(), Some("pro"));

    let expired = signed(&claims(json!({"exp": now() - 120})));
    let client = jwt_client::Client::builder()
        .base_url(&base)
        .token(&expired)
        .build()
        .unwrap();
    match client.who_am_i().await {
        Err(jwt_client::Error::Api(api)) => match api.error {
            jwt_client::WhoAmIError::Unauthorized(body) => {
                assert_eq!(body.message, "The token has expired.");
            }
            other => panic!("expected a 401, got {other:?}"),
        },
        other => panic!("expected a 401, got {other:?}"),
    }
}

#[test]
fn debug_output_hides_the_key() {
    let text = format!("{:?}", hs256());
    assert!(!text.contains("secret only"), "{text}");
    assert!(text.contains("***"), "{text}");
}

/// `ServerConfig::from_env` reads the `JWT_*` variables. The variables are
/// set in a child process (this test binary again), so no other test's
/// environment changes under it.
#[test]
fn configured_from_the_environment() {
    const CHILD: &str = "JWT_FROM_ENV_CHILD";
    if std::env::var_os(CHILD).is_some() {
        let config = ServerConfig::from_env().unwrap();
        let verifier = config.jwt.expect("a verifier from JWT_PUBLIC_KEY_FILE");
        let text = format!("{verifier:?}");
        for expected in ["RS256", "jwt-tests", "leeway_secs: 5", "\"plan\""] {
            assert!(text.contains(expected), "{expected} in {text}");
        }
        return;
    }
    let run = |variables: &[(&str, String)]| {
        let mut command = std::process::Command::new(std::env::current_exe().unwrap());
        command
            .args(["--exact", "configured_from_the_environment", "--nocapture"])
            .env(CHILD, "1");
        for name in [
            "JWT_SECRET",
            "JWT_PUBLIC_KEY",
            "JWT_PUBLIC_KEY_FILE",
            "JWT_ALGORITHM",
        ] {
            command.env_remove(name);
        }
        for (name, value) in variables {
            command.env(name, value);
        }
        let output = command.output().unwrap();
        let text = [output.stdout, output.stderr].concat();
        (
            output.status.success(),
            String::from_utf8_lossy(&text).into_owned(),
        )
    };
    let (ok, output) = run(&[
        ("JWT_ALGORITHM", "RS256".into()),
        ("JWT_PUBLIC_KEY_FILE", format!("{KEYS}/rsa-public.pem")),
        ("JWT_AUDIENCE", AUDIENCE.into()),
        ("JWT_LEEWAY_SECS", "5".into()),
        ("JWT_TIER_CLAIM", "plan".into()),
    ]);
    assert!(ok, "{output}");
    // An RSA algorithm with a shared secret is a configuration error.
    let (ok, output) = run(&[
        ("JWT_ALGORITHM", "RS256".into()),
        ("JWT_SECRET", "s".into()),
    ]);
    assert!(!ok);
    assert!(output.contains("JWT_SECRET"), "{output}");
    let (ok, output) = run(&[
        ("JWT_ALGORITHM", "HS999".into()),
        ("JWT_SECRET", "s".into()),
    ]);
    assert!(!ok);
    assert!(output.contains("JWT_ALGORITHM"), "{output}");
}
