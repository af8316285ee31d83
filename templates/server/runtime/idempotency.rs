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
use axum::http::header::{HeaderName, CONTENT_TYPE, LOCATION};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;

use crate::runtime::clock::Clock;
use crate::runtime::envelope;
use crate::runtime::error::ApiError;
use crate::runtime::idempotency_records::{Claim, Fingerprint, ScopeKey, StoredResponse};
use crate::runtime::memory_idempotency::MemoryIdempotency;
#[cfg(feature = "redis")]
use crate::runtime::redis_store::RedisStore;

static IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");

/// The longest key accepted.
pub const MAX_KEY_LENGTH: usize = 255;

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
}

/// The idempotency layer of the generated router.
#[derive(Clone)]
pub struct Idempotency(Arc<Inner>);

/// Reads `Idempotency-Key`: bare or as a structured-field string (`"abc"`).
pub fn read_key(headers: &HeaderMap) -> Result<Option<String>, Box<ApiError>> {
    let mut values = headers.get_all(&IDEMPOTENCY_KEY).iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(invalid_key("Send one Idempotency-Key header, not several."));
    }
    let text = value
        .to_str()
        .map_err(|_| invalid_key("The Idempotency-Key must be printable ASCII."))?;
    let key = match text.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
        Some(quoted) => quoted.replace("\\\"", "\"").replace("\\\\", "\\"),
        None => text.to_string(),
    };
    if key.is_empty() {
        return Err(invalid_key("The Idempotency-Key must not be empty."));
    }
    if key.chars().count() > MAX_KEY_LENGTH {
        return Err(invalid_key(
            "The Idempotency-Key must be at most 255 characters.",
        ));
    }
    if key.chars().any(char::is_control) {
        return Err(invalid_key(
            "The Idempotency-Key must not contain control characters.",
        ));
    }
    Ok(Some(key))
}

fn invalid_key(message: &str) -> Box<ApiError> {
    Box::new(ApiError::new(
        StatusCode::BAD_REQUEST,
        "INVALID_IDEMPOTENCY_KEY",
        message,
    ))
}

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
        Idempotency(Arc::new(Inner {
            store,
            clock,
            overrides,
        }))
    }

    /// Claims the request's key. `Err` is the response to send instead of
    /// running the handler: a replay, `400`, `409`, `422` or `503`.
    pub async fn begin(
        &self,
        policy: &Policy,
        attempt: Attempt<'_>,
    ) -> Result<Execution, Response> {
        let inner = &self.0;
        let ignored = matches!(inner.store, IdempotencyStore::Off)
            || matches!(
                *attempt.method,
                Method::GET | Method::HEAD | Method::DELETE | Method::OPTIONS
            );
        if ignored {
            return Ok(Execution(None));
        }
        let fail = |error: ApiError| envelope::error(&error, attempt.request_id);
        let key = match read_key(attempt.headers) {
            Ok(Some(key)) => key,
            Ok(None) if policy.required => {
                return Err(fail(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "MISSING_IDEMPOTENCY_KEY",
                    "This operation requires an Idempotency-Key header.",
                )))
            }
            Ok(None) => return Ok(Execution(None)),
            Err(error) => return Err(fail(*error)),
        };
        let scope = ScopeKey::new(attempt.scope, &key);
        let fingerprint = Fingerprint::new(attempt.method, attempt.path, attempt.body);
        let token = rand_token();
        let lock_timeout = inner.overrides.lock_timeout.unwrap_or(policy.lock_timeout);
        let lock_micros = lock_timeout.as_micros() as u64;
        let claim = match &inner.store {
            IdempotencyStore::Off => return Ok(Execution(None)),
            IdempotencyStore::Memory(memory) => memory.claim(
                &scope,
                &fingerprint,
                token,
                lock_micros,
                inner.clock.now_micros(),
            ),
            #[cfg(feature = "redis")]
            // Boxed: a Redis call's state would otherwise make every
            // handler's future (memory stores too) larger than the allocator's
            // fast sizes.
            IdempotencyStore::Redis(redis) => {
                Box::pin(redis.claim(&scope, &fingerprint, token, lock_timeout)).await
            }
        };
        match claim {
            Ok(Claim::Claimed) => Ok(Execution(Some(Guard {
                idempotency: self.clone(),
                scope,
                fingerprint,
                token,
                retention: inner.overrides.retention.unwrap_or(policy.retention),
                open: true,
            }))),
            Ok(Claim::Replay(response)) => Err(response.replay()),
            Ok(Claim::InFlight) => Err(fail(ApiError::new(
                StatusCode::CONFLICT,
                "REQUEST_IN_PROGRESS",
                "A request with this Idempotency-Key is still in progress; retry shortly.",
            ))),
            Ok(Claim::Mismatch) => Err(fail(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "IDEMPOTENCY_KEY_REUSED",
                "This Idempotency-Key was used with a different request.",
            ))),
            Err(error) => {
                let message = format!("refusing idempotent requests: {error}");
                match &inner.store {
                    // One line per outage interval, not one per request.
                    #[cfg(feature = "redis")]
                    IdempotencyStore::Redis(redis) => redis.warn(&message),
                    _ => tracing::error!("{message}"),
                }
                Err(fail(unavailable()))
            }
        }
    }

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

/// The right to run the handler for a claimed key (or none to keep).
pub struct Execution(Option<Guard>);

impl Execution {
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
