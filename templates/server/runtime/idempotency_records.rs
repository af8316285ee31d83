//! What idempotency stores keep and answer: a record's name (a digest of
//! principal and key), the fingerprint of "the same request", the stored
//! response, and the answer to a claim. Shared by the memory and Redis
//! stores and by the layer that drives them.

use std::hash::{Hash, Hasher};
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::http::header::{HeaderValue, CONTENT_TYPE, LOCATION};
use axum::http::{Method, StatusCode};
use axum::response::Response;

use crate::runtime::digest::{sha256, SlotTag};
use crate::runtime::observe::IDEMPOTENCY_REPLAY;

/// SHA-256 of the principal and the key: the record's name in the store;
/// and the principal's slot tag, which puts the record in the Redis Cluster
/// slot of the principal's rate-limit counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScopeKey {
    pub digest: [u8; 32],
    pub slot: SlotTag,
}

impl ScopeKey {
    /// `scope` is whose keys these are: the principal's identity, or
    /// `ip:<address>` for anonymous requests, as the limiter names them.
    pub fn new(scope: &str, key: &str) -> Self {
        ScopeKey {
            digest: sha256(&[scope.as_bytes(), key.as_bytes()]),
            slot: SlotTag::of(scope),
        }
    }
}

impl Hash for ScopeKey {
    /// Any eight bytes of a digest are already a good hash. Not the first
    /// ones: the memory store picks a key's shard by its first byte, and a
    /// map whose keys shared their low bits would crowd a few buckets.
    fn hash<H: Hasher>(&self, state: &mut H) {
        let bytes: [u8; 8] = self.digest[8..16].try_into().expect("eight bytes");
        state.write_u64(u64::from_le_bytes(bytes));
    }
}

/// SHA-256 of method, path and body: what "the same request" means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Fingerprint(pub [u8; 32]);

impl Fingerprint {
    pub fn new(method: &Method, path: &str, body: &[u8]) -> Self {
        Fingerprint(sha256(&[method.as_str().as_bytes(), path.as_bytes(), body]))
    }
}

/// A response as stored for replay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    pub status: u16,
    /// Header values as the response had them: a replay clones them
    /// without copying (the envelope's content type is a static one).
    pub content_type: Option<HeaderValue>,
    pub location: Option<HeaderValue>,
    pub body: Bytes,
}

impl StoredResponse {
    /// Roughly the memory it takes.
    pub fn size(&self) -> usize {
        self.body.len()
            + self.content_type.as_ref().map_or(0, HeaderValue::len)
            + self.location.as_ref().map_or(0, HeaderValue::len)
            + 64
    }

    /// The stored response again, marked `Idempotency-Replay: true`.
    pub fn replay(&self) -> Response {
        let mut response = Response::new(Body::from(self.body.clone()));
        *response.status_mut() = StatusCode::from_u16(self.status).unwrap_or(StatusCode::OK);
        let headers = response.headers_mut();
        // Room for the layers' headers on the way out, as the envelope makes.
        headers.reserve(12);
        for (name, value) in [
            (CONTENT_TYPE, &self.content_type),
            (LOCATION, &self.location),
        ] {
            if let Some(value) = value {
                headers.insert(name, value.clone());
            }
        }
        headers.insert(IDEMPOTENCY_REPLAY.clone(), HeaderValue::from_static("true"));
        response
    }
}

/// What the store says about a claim.
#[derive(Debug, Clone)]
pub enum Claim {
    /// The key is this request's: run the handler.
    Claimed,
    /// Another request with this key is running.
    InFlight,
    /// The key was used for a different request.
    Mismatch,
    /// The key's request completed: here is its response.
    Replay(Arc<StoredResponse>),
}

/// Why the store could not answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreError {
    Unavailable(String),
    /// The in-memory store is full of unexpired records.
    Full,
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreError::Unavailable(reason) => {
                write!(f, "the idempotency store is unreachable: {reason}")
            }
            StoreError::Full => f.write_str("the idempotency store is full"),
        }
    }
}
