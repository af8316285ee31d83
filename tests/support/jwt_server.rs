//! The server tests/jwt.rs drives: an `Api` for tests/specs/jwt.yaml whose
//! principal is the token's claims, and helpers that sign tokens.

use jsonwebtoken::{encode, EncodingKey, Header};
use jwt_server::operations::*;
use jwt_server::types::Caller;
use jwt_server::{
    router, serve, Api, Context, Credentials, HandlerError, JwtAlgorithm, JwtClaims, JwtVerifier,
    ServerConfig,
};
use reqwest::StatusCode;
use serde_json::{json, Map, Value};

pub const SECRET: &[u8] = b"a secret only the issuer and this server know";
pub const ISSUER: &str = "https://issuer.example";
pub const AUDIENCE: &str = "jwt-tests";
pub const KEYS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/keys");

pub struct Tokens;

impl Api for Tokens {
    type Principal = JwtClaims;

    async fn authenticate(&self, credentials: Credentials) -> Option<JwtClaims> {
        let named = |subject: &str| JwtClaims {
            subject: subject.to_string(),
            tier: None,
            claims: Map::new(),
        };
        match credentials {
            Credentials::Jwt { claims, .. } => Some(claims),
            Credentials::ApiKey { key, .. } if key == "good-key" => Some(named("key-holder")),
            // No verifier configured: the token arrives as it was sent.
            Credentials::Bearer { token, .. } if token == "opaque-token" => Some(named("opaque")),
            _ => None,
        }
    }

    async fn who_am_i(
        &self,
        context: Context<JwtClaims>,
        _: WhoAmIRequest,
    ) -> Result<WhoAmIResponse, HandlerError> {
        Ok(WhoAmIResponse::Ok(caller(context.principal)))
    }

    async fn token_or_key(
        &self,
        context: Context<JwtClaims>,
        _: TokenOrKeyRequest,
    ) -> Result<TokenOrKeyResponse, HandlerError> {
        Ok(TokenOrKeyResponse::Ok(caller(context.principal)))
    }
}

pub fn caller(claims: JwtClaims) -> Caller {
    Caller {
        subject: claims.subject,
        tier: claims.tier,
    }
}

pub fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

pub fn key_file(name: &str) -> Vec<u8> {
    std::fs::read(format!("{KEYS}/{name}")).unwrap()
}

/// The verifier most tests use: HS256, issuer, audience and a tier claim.
pub fn hs256() -> JwtVerifier {
    JwtVerifier::hmac(JwtAlgorithm::HS256, SECRET)
        .unwrap()
        .issuer(ISSUER)
        .audience(AUDIENCE)
        .tier_claim("plan")
}

pub async fn start(jwt: Option<JwtVerifier>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let config = ServerConfig {
        jwt,
        ..ServerConfig::default()
    };
    let limits = config.listener;
    tokio::spawn(serve(
        listener,
        router(Tokens, config),
        limits,
        std::future::pending(),
    ));
    format!("http://{address}")
}

/// Claims that pass `hs256()`, with `changes` applied (`null` removes one).
pub fn claims(changes: Value) -> Value {
    let mut claims = json!({
        "sub": "user-7",
        "iss": ISSUER,
        "aud": AUDIENCE,
        "exp": now() + 300,
        "nbf": now() - 5,
    });
    for (name, value) in changes.as_object().unwrap() {
        match value {
            Value::Null => claims.as_object_mut().unwrap().remove(name),
            value => claims
                .as_object_mut()
                .unwrap()
                .insert(name.clone(), value.clone()),
        };
    }
    claims
}

pub fn hmac_token(algorithm: JwtAlgorithm, secret: &[u8], claims: &Value) -> String {
    encode(
        &Header::new(algorithm),
        claims,
        &EncodingKey::from_secret(secret).unwrap(),
    )
    .unwrap()
}

pub fn signed(claims: &Value) -> String {
    hmac_token(JwtAlgorithm::HS256, SECRET, claims)
}

/// Status, `WWW-Authenticate` and JSON body of `GET path` with a token.
pub async fn get(base: &str, path: &str, token: &str) -> (StatusCode, Option<String>, Value) {
    let response = reqwest::Client::new()
        .get(format!("{base}{path}"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let challenge = response
        .headers()
        .get("www-authenticate")
        .map(|value| value.to_str().unwrap().to_string());
    (status, challenge, response.json().await.unwrap())
}
