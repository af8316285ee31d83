//! Idempotency keys (`x-idempotency`): a retried request with the same
//! `Idempotency-Key` gets the first response again instead of running twice.
//!
//! Order of events for one request: the key is read (`400` if missing where
//! required, or malformed), then claimed for (principal, key) with a
//! fingerprint of method, path and body. A claimed key runs the handler and
//! stores its response (below 500; a 5xx releases the key). Otherwise the
//! request gets the stored response (`Idempotency-Replay: true`), `409` while
//! the first is in flight, `422` if the fingerprint differs, or `503` if the
//! store cannot be reached: a refused request is better than a double charge.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::header::{CONTENT_TYPE, LOCATION};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;
use metrics::Counter;

use crate::runtime::clock::Clock;
use crate::runtime::envelope;
use crate::runtime::error::ApiError;
use crate::runtime::idempotency_key::read_key;
use crate::runtime::idempotency_records::{
    Claim, Fingerprint, ScopeKey, StoreError, StoredResponse,
};
use crate::runtime::memory_idempotency::MemoryIdempotency;
#[cfg(feature = "redis")]
use crate::runtime::redis_store::RedisStore;

/// An operation's `x-idempotency`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Whether a request without `Idempotency-Key` is refused.
    pub required: bool,
    /// How long a completed response is kept for replay.
    pub retention: Duration,
    /// How long an in-flight claim holds the key if its holder never finishes.
    pub lock_timeout: Duration,
}

/// Where records live.
pub enum IdempotencyStore {
    /// Keys are ignored and every request runs.
    Off,
    Memory(MemoryIdempotency),
    #[cfg(feature = "redis")]
    Redis(Arc<RedisStore>),
}

/// Retention and lock timeout set at startup in place of the spec's.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Overrides {
    pub retention: Option<Duration>,
    pub lock_timeout: Option<Duration>,
}

struct Inner {
    store: IdempotencyStore,
    clock: Clock,
    overrides: Overrides,
    counts: Counts,
}

/// `idempotency_replays_total` and `idempotency_conflicts_total`, registered
/// once with the metrics recorder of the time (see `runtime/metrics.rs`).
struct Counts {
    replays: Counter,
    in_progress: Counter,
    key_reused: Counter,
}

/// The idempotency layer of the generated router.
#[derive(Clone)]
pub struct Idempotency(Arc<Inner>);

/// One request to `begin`.
pub struct Attempt<'a> {
    /// Whose keys these are: the principal's identity (or the client's address).
    pub scope: &'a str,
    pub method: &'a Method,
    pub path: &'a str,
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
    pub request_id: &'a str,
}

impl Idempotency {
    pub fn new(store: IdempotencyStore, overrides: Overrides, clock: Clock) -> Self {
        let conflicts = |reason: &'static str| metrics::counter!("idempotency_conflicts_total", "reason" => reason);
        Idempotency(Arc::new(Inner {
            store,
            clock,
            overrides,
            counts: Counts {
                replays: metrics::counter!("idempotency_replays_total"),
                in_progress: conflicts("in_progress"),
                key_reused: conflicts("key_reused"),
            },
        }))
    }

    /// Claims the request's key. `Err` is the response to send instead of
    /// running the handler: a replay, `400`, `409`, `422` or `503`.
    pub async fn begin(
        &self,
        policy: &Policy,
        attempt: Attempt<'_>,
    ) -> Result<Execution, Response> {
        match self.prepare(policy, &attempt) {
            Ok(Some(pending)) => self.claim(pending, None, attempt.request_id).await,
            Ok(None) => Ok(Execution(None)),
            Err(error) => Err(envelope::error(&error, attempt.request_id)),
        }
    }

    /// Reads the request's key: `None` when there is nothing to claim (no
    /// store, a method that keeps no keys, an optional key left out).
    pub fn prepare(
        &self,
        policy: &Policy,
        attempt: &Attempt<'_>,
    ) -> Result<Option<Pending>, Box<ApiError>> {
        let inner = &self.0;
        let ignored = matches!(inner.store, IdempotencyStore::Off)
            || matches!(
                *attempt.method,
                Method::GET | Method::HEAD | Method::DELETE | Method::OPTIONS
            );
        if ignored {
            return Ok(None);
        }
        let key = match read_key(attempt.headers) {
            Ok(Some(key)) => key,
            Ok(None) if policy.required => {
                return Err(Box::new(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "MISSING_IDEMPOTENCY_KEY",
                    "This operation requires an Idempotency-Key header.",
                )))
            }
            Ok(None) => return Ok(None),
            Err(error) => return Err(error),
        };
        Ok(Some(Pending {
            scope: ScopeKey::new(attempt.scope, &key),
            fingerprint: Fingerprint::new(attempt.method, attempt.path, attempt.body),
            token: rand_token(),
            lock_timeout: inner.overrides.lock_timeout.unwrap_or(policy.lock_timeout),
            retention: inner.overrides.retention.unwrap_or(policy.retention),
        }))
    }

    /// Claims the key, unless `claimed` holds the outcome already (from a
    /// round trip shared with the limiter). `Err` is the response to send
    /// instead of running the handler: a replay, `409`, `422` or `503`.
    pub async fn claim(
        &self,
        pending: Pending,
        claimed: Option<Result<Claim, StoreError>>,
        request_id: &str,
    ) -> Result<Execution, Response> {
        let claim = match claimed {
            Some(claim) => claim,
            None => self.store_claim(&pending).await,
        };
        let fail = |error: ApiError| envelope::error(&error, request_id);
        match claim {
            Ok(Claim::Claimed) => Ok(Execution(Some(Guard {
                idempotency: self.clone(),
                scope: pending.scope,
                fingerprint: pending.fingerprint,
                token: pending.token,
                retention: pending.retention,
                open: true,
            }))),
            Ok(Claim::Replay(response)) => {
                self.0.counts.replays.increment(1);
                Err(response.replay())
            }
            Ok(Claim::InFlight) => {
                self.0.counts.in_progress.increment(1);
                Err(fail(ApiError::new(
                    StatusCode::CONFLICT,
                    "REQUEST_IN_PROGRESS",
                    "A request with this Idempotency-Key is still in progress; retry shortly.",
                )))
            }
            Ok(Claim::Mismatch) => {
                self.0.counts.key_reused.increment(1);
                Err(fail(ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "IDEMPOTENCY_KEY_REUSED",
                    "This Idempotency-Key was used with a different request.",
                )))
            }
            Err(error) => {
                let message = format!("refusing idempotent requests: {error}");
                match &self.0.store {
                    // One line per outage interval, not one per request.
                    #[cfg(feature = "redis")]
                    IdempotencyStore::Redis(redis) => redis.warn(&message),
                    _ => tracing::error!("{message}"),
                }
                Err(fail(unavailable()))
            }
        }
    }

    async fn store_claim(&self, pending: &Pending) -> Result<Claim, StoreError> {
        let inner = &self.0;
        match &inner.store {
            IdempotencyStore::Off => Ok(Claim::Claimed),
            IdempotencyStore::Memory(memory) => memory.claim(
                &pending.scope,
                &pending.fingerprint,
                pending.token,
                pending.lock_timeout.as_micros() as u64,
                inner.clock.now_micros(),
            ),
            #[cfg(feature = "redis")]
            // Boxed: a Redis call's state would otherwise make every
            // handler's future (memory stores too) larger than the allocator's
            // fast sizes.
            IdempotencyStore::Redis(redis) => {
                Box::pin(redis.claim(
                    &pending.scope,
                    &pending.fingerprint,
                    pending.token,
                    pending.lock_timeout,
                ))
                .await
            }
        }
    }

    // @if admission
    /// The Redis store keys are claimed in, for a layer that can share the
    /// round trip.
    #[cfg(feature = "redis")]
    pub(crate) fn redis(&self) -> Option<&Arc<RedisStore>> {
        match &self.0.store {
            IdempotencyStore::Redis(redis) => Some(redis),
            _ => None,
        }
    }
    // @end

    async fn release_now(&self, scope: ScopeKey, token: u64) {
        match &self.0.store {
            IdempotencyStore::Off => {}
            IdempotencyStore::Memory(memory) => memory.release(&scope, token),
            #[cfg(feature = "redis")]
            IdempotencyStore::Redis(redis) => {
                if let Err(error) = Box::pin(redis.release(&scope, token)).await {
                    tracing::warn!("an idempotency key stays locked until its timeout: {error}");
                }
            }
        }
    }

    /// Releases from a destructor, which cannot wait: Redis's release runs
    /// as its own task, so it happens even while the request's future is
    /// being dropped.
    fn release(&self, scope: ScopeKey, token: u64) {
        match &self.0.store {
            #[cfg(feature = "redis")]
            IdempotencyStore::Redis(_) => {
                if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                    let idempotency = self.clone();
                    runtime.spawn(async move { idempotency.release_now(scope, token).await });
                }
            }
            IdempotencyStore::Memory(memory) => memory.release(&scope, token),
            IdempotencyStore::Off => {}
        }
    }
}

fn unavailable() -> ApiError {
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "SERVICE_UNAVAILABLE",
        "The service cannot guarantee this request runs once right now; retry later.",
    )
}

fn rand_token() -> u64 {
    let bytes = uuid::Uuid::new_v4().into_bytes();
    u64::from_le_bytes(bytes[..8].try_into().expect("eight bytes"))
}

/// A request's key, read by [`Idempotency::prepare`] and ready to claim.
pub struct Pending {
    pub(crate) scope: ScopeKey,
    pub(crate) fingerprint: Fingerprint,
    pub(crate) token: u64,
    pub(crate) lock_timeout: Duration,
    retention: Duration,
}

/// The right to run the handler for a claimed key (or none to keep).
pub struct Execution(Option<Guard>);

impl Execution {
    // @if admission
    /// Nothing claimed, nothing to store.
    pub(crate) fn none() -> Self {
        Execution(None)
    }
    // @end

    /// Stores the handler's response for replay (below 500) or releases the
    /// key (5xx), and returns the response.
    pub async fn finish(self, response: Response) -> Response {
        match self.0 {
            Some(guard) => guard.finish(response).await,
            None => response,
        }
    }
}

/// A claimed key; dropping it unfinished (a panic, a timeout) releases it.
struct Guard {
    idempotency: Idempotency,
    scope: ScopeKey,
    fingerprint: Fingerprint,
    token: u64,
    retention: Duration,
    open: bool,
}

impl Guard {
    async fn finish(mut self, response: Response) -> Response {
        if response.status().is_server_error() {
            // Released before answering, so an immediate retry runs again.
            self.open = false;
            self.idempotency.release_now(self.scope, self.token).await;
            return response;
        }
        let (parts, body) = response.into_parts();
        let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
            return Response::from_parts(parts, Body::empty());
        };
        let stored = Arc::new(StoredResponse {
            status: parts.status.as_u16(),
            content_type: parts.headers.get(CONTENT_TYPE).cloned(),
            location: parts.headers.get(LOCATION).cloned(),
            body: bytes.clone(),
        });
        let inner = &self.idempotency.0;
        let completed = match &inner.store {
            IdempotencyStore::Off => Ok(true),
            IdempotencyStore::Memory(memory) => memory.complete(
                &self.scope,
                &self.fingerprint,
                self.token,
                stored,
                self.retention.as_micros() as u64,
                inner.clock.now_micros(),
            ),
            #[cfg(feature = "redis")]
            IdempotencyStore::Redis(redis) => {
                Box::pin(redis.complete(
                    &self.scope,
                    &self.fingerprint,
                    self.token,
                    &stored,
                    self.retention,
                ))
                .await
            }
        };
        match completed {
            Ok(true) => self.open = false,
            Ok(false) => {
                self.open = false;
                tracing::warn!("an idempotency key's lock expired before its request finished; the response was not stored");
            }
            Err(error) => tracing::error!("a response could not be stored for replay: {error}"),
        }
        Response::from_parts(parts, Body::from(bytes))
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        if self.open {
            self.idempotency.release(self.scope, self.token);
        }
    }
}
