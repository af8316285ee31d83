//! Verifies the JSON Web Tokens of `bearerFormat: JWT` schemes with the
//! `jsonwebtoken` crate: the signature (HS256/384/512 with a shared secret,
//! RS256 or ES256 with a PEM public key), `exp` and `nbf` within a leeway,
//! and `iss` and `aud` when configured. Each failure is a `401` with its own
//! message; the claims of a good token reach `authenticate` as
//! [`Credentials::Jwt`](crate::runtime::context::Credentials::Jwt).
//!
//! With [`ServerConfig::jwt`](crate::ServerConfig::jwt) unset, the token
//! reaches `authenticate` unverified, as `Credentials::Bearer`.

use std::collections::HashSet;
use std::time::Duration;

use axum::http::header::WWW_AUTHENTICATE;
use axum::http::HeaderValue;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};

/// The signature algorithms, as `jsonwebtoken` names them (`HS256`...).
pub use jsonwebtoken::Algorithm as JwtAlgorithm;
use serde_json::{Map, Value};

use crate::runtime::context::JwtClaims;
use crate::runtime::error::ApiError;

/// How tokens are verified: [`ServerConfig::jwt`](crate::ServerConfig::jwt).
#[derive(Clone)]
pub struct JwtVerifier {
    key: DecodingKey,
    validation: Validation,
    tier_claim: Option<String>,
}

/// A key that is not what its algorithm needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JwtKeyError(pub String);

impl std::fmt::Display for JwtKeyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for JwtKeyError {}

/// The leeway on `exp` and `nbf` unless set: clocks a little apart agree.
pub const DEFAULT_LEEWAY: Duration = Duration::from_secs(30);

impl JwtVerifier {
    /// HMAC tokens (`HS256`, `HS384` or `HS512`) signed with `secret`.
    pub fn hmac(algorithm: Algorithm, secret: &[u8]) -> Result<Self, JwtKeyError> {
        if !matches!(
            algorithm,
            Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512
        ) {
            return Err(JwtKeyError(format!(
                "{algorithm:?} does not use a shared secret"
            )));
        }
        if secret.is_empty() {
            return Err(JwtKeyError("the secret is empty".to_string()));
        }
        let key = DecodingKey::from_secret(secret).map_err(|e| JwtKeyError(e.to_string()))?;
        Ok(Self::new(algorithm, key))
    }

    /// `RS256` or `ES256` tokens, verified with a PEM public key
    /// (`-----BEGIN PUBLIC KEY-----`).
    pub fn public_key(algorithm: Algorithm, pem: &[u8]) -> Result<Self, JwtKeyError> {
        let key = match algorithm {
            Algorithm::RS256 => DecodingKey::from_rsa_pem(pem),
            Algorithm::ES256 => DecodingKey::from_ec_pem(pem),
            other => return Err(JwtKeyError(format!("{other:?} is not RS256 or ES256"))),
        };
        let key = key.map_err(|error| {
            JwtKeyError(format!("not a PEM public key for {algorithm:?}: {error}"))
        })?;
        Ok(Self::new(algorithm, key))
    }

    fn new(algorithm: Algorithm, key: DecodingKey) -> Self {
        let mut validation = Validation::new(algorithm);
        validation.leeway = DEFAULT_LEEWAY.as_secs();
        validation.validate_nbf = true;
        // Checked only when an audience is configured.
        validation.validate_aud = false;
        JwtVerifier {
            key,
            validation,
            tier_claim: None,
        }
    }

    /// Accepts `exp` and `nbf` this far off.
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.validation.leeway = leeway.as_secs();
        self
    }

    /// Requires `iss` to be `issuer`.
    pub fn issuer(mut self, issuer: &str) -> Self {
        self.validation.set_issuer(&[issuer]);
        self.validation
            .required_spec_claims
            .insert("iss".to_string());
        self
    }

    /// Requires `aud` to be, or to contain, `audience`.
    pub fn audience(mut self, audience: &str) -> Self {
        self.validation.set_audience(&[audience]);
        self.validation.validate_aud = true;
        self.validation
            .required_spec_claims
            .insert("aud".to_string());
        self
    }

    /// Takes the principal's tier (for tiered rate limits) from this claim.
    pub fn tier_claim(mut self, claim: &str) -> Self {
        self.tier_claim = Some(claim.to_string());
        self
    }

    /// The claims of `token` if it is signed with the key and valid now.
    pub fn verify(&self, token: &str) -> Result<JwtClaims, JwtError> {
        // `jsonwebtoken` refuses `alg: none` as unparseable JSON; say why.
        if header_algorithm(token).is_some_and(|alg| alg.eq_ignore_ascii_case("none")) {
            return Err(JwtError::Unsigned);
        }
        let data = jsonwebtoken::decode::<Map<String, Value>>(token, &self.key, &self.validation)
            .map_err(|error| match error.into_kind() {
            ErrorKind::InvalidSignature => JwtError::BadSignature,
            ErrorKind::InvalidAlgorithm => JwtError::WrongAlgorithm,
            ErrorKind::ExpiredSignature => JwtError::Expired,
            ErrorKind::ImmatureSignature => JwtError::NotYetValid,
            ErrorKind::InvalidAudience => JwtError::WrongAudience,
            ErrorKind::InvalidIssuer => JwtError::WrongIssuer,
            ErrorKind::MissingRequiredClaim(claim) => JwtError::MissingClaim(claim),
            _ => JwtError::Malformed,
        })?;
        let claims = data.claims;
        let subject = match claims.get("sub") {
            Some(Value::String(subject)) if !subject.is_empty() => subject.clone(),
            _ => return Err(JwtError::MissingClaim("sub".to_string())),
        };
        let tier = self
            .tier_claim
            .as_ref()
            .and_then(|name| claims.get(name))
            .and_then(Value::as_str)
            .map(str::to_string);
        Ok(JwtClaims {
            subject,
            tier,
            claims,
        })
    }
}

impl std::fmt::Debug for JwtVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let set = |values: &Option<HashSet<String>>| {
            values.clone().map(|v| v.into_iter().collect::<Vec<_>>())
        };
        f.debug_struct("JwtVerifier")
            .field("algorithms", &self.validation.algorithms)
            .field("key", &"***")
            .field("leeway_secs", &self.validation.leeway)
            .field("issuer", &set(&self.validation.iss))
            .field("audience", &set(&self.validation.aud))
            .field("tier_claim", &self.tier_claim)
            .finish()
    }
}

/// The `alg` of a token's header, if the header is readable JSON.
fn header_algorithm(token: &str) -> Option<String> {
    let header = token.split('.').next()?;
    let bytes = URL_SAFE_NO_PAD.decode(header.trim_end_matches('=')).ok()?;
    let header: Map<String, Value> = serde_json::from_slice(&bytes).ok()?;
    header.get("alg")?.as_str().map(str::to_string)
}

/// Why a bearer token was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JwtError {
    Malformed,
    Unsigned,
    WrongAlgorithm,
    BadSignature,
    Expired,
    NotYetValid,
    WrongIssuer,
    WrongAudience,
    MissingClaim(String),
}

impl std::fmt::Display for JwtError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            JwtError::Malformed => f.write_str("The bearer token is not a well-formed JWT."),
            JwtError::Unsigned => {
                f.write_str("The token is unsigned (alg \"none\"), which is never accepted.")
            }
            JwtError::WrongAlgorithm => {
                f.write_str("The token is signed with an algorithm this server does not accept.")
            }
            JwtError::BadSignature => f.write_str("The token's signature is not valid."),
            JwtError::Expired => f.write_str("The token has expired."),
            JwtError::NotYetValid => f.write_str("The token is not valid yet (nbf)."),
            JwtError::WrongIssuer => {
                f.write_str("The token was issued by an issuer this server does not trust.")
            }
            JwtError::WrongAudience => f.write_str("The token is meant for another audience."),
            JwtError::MissingClaim(claim) => write!(f, "The token has no `{claim}` claim."),
        }
    }
}

impl std::error::Error for JwtError {}

impl JwtError {
    /// The `401` in the error envelope, with an RFC 6750 challenge.
    pub fn to_api_error(&self, challenge: &'static str) -> ApiError {
        let mut error = ApiError::unauthorized(challenge);
        error.message = self.to_string();
        let challenge = format!("{challenge}, error=\"invalid_token\"");
        if let Ok(value) = HeaderValue::from_str(&challenge) {
            error = error.with_header(WWW_AUTHENTICATE, value);
        }
        error
    }
}
