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
use axum::http::{Extensions, HeaderMap, Method, StatusCode};
use axum::response::Response;
use metrics::Counter;

use crate::runtime::clock::Clock;
use crate::runtime::envelope;
use crate::runtime::error::ApiError;
use crate::runtime::idempotency_key::read_key;
use crate::runtime::idempotency_records::{
    Claim, Fingerprint, ScopeKey, StoreError, StoredResponse,
};
pub use crate::runtime::idempotency_store::IdempotencyStore;
use crate::runtime::idempotency_store::{ClaimRequest, Lent};
#[cfg(feature = "postgres")]
use crate::runtime::postgres_idempotency::Transaction;
// @if admission
#[cfg(feature = "redis")]
use crate::runtime::redis_store::RedisStore;
// @end

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
        let (claim, lent) = match claimed {
            Some(claim) => (claim, Lent::default()),
            None => {
                let request = ClaimRequest {
                    scope: &pending.scope,
                    fingerprint: &pending.fingerprint,
                    token: pending.token,
                    lock_timeout: pending.lock_timeout,
                };
                match self.0.store.claim(request, &self.0.clock).await {
                    Ok((claim, lent)) => (Ok(claim), lent),
                    Err(error) => (Err(error), Lent::default()),
                }
            }
        };
        let fail = |error: ApiError| envelope::error(&error, request_id);
        match claim {
            Ok(Claim::Claimed) => Ok(Execution(Some(Guard {
                idempotency: self.clone(),
                scope: pending.scope,
                fingerprint: pending.fingerprint,
                token: pending.token,
                retention: pending.retention,
                lent: Some(lent),
            }))),
            Ok(Claim::Replay(response)) => {
                self.0.counts.replays.increment(1);
                Err(response.replay())
            }
            Ok(Claim::InFlight) => {
                self.0.counts.in_progress.increment(1);
                Err(fail(in_progress()))
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
                self.0
                    .store
                    .report(&format!("refusing idempotent requests: {error}"));
                Err(fail(unavailable()))
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

    async fn release_now(&self, lent: Lent, scope: ScopeKey, token: u64) {
        if let Err(error) = self.0.store.release(lent, &scope, token).await {
            tracing::warn!("an idempotency key stays locked until its timeout: {error}");
        }
    }

    /// Releases a key from a `Drop`: at once in memory, spawned over the
    /// network.
    fn release(&self, lent: Lent, scope: ScopeKey, token: u64) {
        if let IdempotencyStore::Memory(memory) = &self.0.store {
            memory.release(&scope, token);
        } else if self.0.store.is_remote() {
            if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                let idempotency = self.clone();
                runtime.spawn(async move { idempotency.release_now(lent, scope, token).await });
            }
        }
    }
}

fn in_progress() -> ApiError {
    ApiError::new(
        StatusCode::CONFLICT,
        "REQUEST_IN_PROGRESS",
        "A request with this Idempotency-Key is still in progress; retry shortly.",
    )
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

    /// Puts what the claim lends the handler into its context's
    /// `extensions`: on Postgres, the transaction its record commits in
    /// ([`Context::transaction`](crate::runtime::context::Context::transaction)).
    pub fn lend(&self, extensions: &mut Extensions) {
        #[cfg(feature = "postgres")]
        if let Some(transaction) = self
            .0
            .as_ref()
            .and_then(|guard| guard.lent.as_ref())
            .and_then(|lent| lent.transaction.clone())
        {
            extensions.insert::<Transaction>(transaction);
        }
        #[cfg(not(feature = "postgres"))]
        let _ = extensions;
    }

    /// Stores the handler's response for replay (below 500) or releases the
    /// key (5xx), and returns the response. On Postgres the record commits
    /// with the handler's writes; if it cannot, the writes are rolled back
    /// and the response is a `503` (or a `409` when another request took
    /// the key over meanwhile).
    pub async fn finish(self, response: Response, request_id: &str) -> Response {
        match self.0 {
            Some(guard) => guard.finish(response, request_id).await,
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
    /// What the claim lent, until the key is completed or released.
    lent: Option<Lent>,
}

impl Guard {
    async fn finish(mut self, response: Response, request_id: &str) -> Response {
        let Some(lent) = self.lent.take() else {
            return response;
        };
        let idempotency = &self.idempotency;
        if response.status().is_server_error() {
            // Released before answering, so an immediate retry runs again.
            idempotency.release_now(lent, self.scope, self.token).await;
            return response;
        }
        let (parts, body) = response.into_parts();
        let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
            idempotency.release_now(lent, self.scope, self.token).await;
            return Response::from_parts(parts, Body::empty());
        };
        let stored = Arc::new(StoredResponse {
            status: parts.status.as_u16(),
            content_type: parts.headers.get(CONTENT_TYPE).cloned(),
            location: parts.headers.get(LOCATION).cloned(),
            body: bytes.clone(),
        });
        let transactional = lent.is_transaction();
        let inner = &idempotency.0;
        let completed = inner
            .store
            .complete(
                lent,
                &self.scope,
                &self.fingerprint,
                self.token,
                stored,
                self.retention,
                &inner.clock,
            )
            .await;
        match completed {
            Ok(true) => {}
            Ok(false) if transactional => {
                // Its writes rolled back; the request that took the key over runs instead.
                tracing::warn!("an idempotency key's lock expired and was taken over before its request committed; its writes were rolled back");
                return envelope::error(&in_progress(), request_id);
            }
            Ok(false) => tracing::warn!("an idempotency key's lock expired before its request finished; the response was not stored"),
            Err(error) if transactional => {
                tracing::error!("an idempotent request's transaction did not commit: {error}");
                idempotency
                    .release_now(Lent::default(), self.scope, self.token)
                    .await;
                return envelope::error(&unavailable(), request_id);
            }
            Err(error) => tracing::error!("a response could not be stored for replay: {error}"),
        }
        Response::from_parts(parts, Body::from(bytes))
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        if let Some(lent) = self.lent.take() {
            self.idempotency.release(lent, self.scope, self.token);
        }
    }
}
