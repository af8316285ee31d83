//! Where idempotency records live: each backend's claim, complete and
//! release behind one interface, for the layer in `idempotency.rs`.

use std::sync::Arc;
use std::time::Duration;

use crate::runtime::clock::Clock;
use crate::runtime::idempotency_records::{
    Claim, Fingerprint, ScopeKey, StoreError, StoredResponse,
};
use crate::runtime::memory_idempotency::MemoryIdempotency;
#[cfg(feature = "postgres")]
use crate::runtime::postgres_idempotency::{PostgresIdempotency, Transaction};
#[cfg(feature = "redis")]
use crate::runtime::redis_store::RedisStore;

/// Where records live.
pub enum IdempotencyStore {
    /// Keys are ignored and every request runs.
    Off,
    Memory(MemoryIdempotency),
    #[cfg(feature = "redis")]
    Redis(Arc<RedisStore>),
    /// Durable, and completed in the handler's transaction.
    #[cfg(feature = "postgres")]
    Postgres(Arc<PostgresIdempotency>),
}

/// What a claim lends the rest of its request: on Postgres, the
/// transaction the handler writes in and the record commits in.
#[derive(Default)]
pub struct Lent {
    #[cfg(feature = "postgres")]
    pub(crate) transaction: Option<Transaction>,
}

impl Lent {
    /// Whether the record completes in a transaction with the handler's
    /// writes: then a record that cannot be stored means the writes were
    /// not kept either.
    pub fn is_transaction(&self) -> bool {
        #[cfg(feature = "postgres")]
        if self.transaction.is_some() {
            return true;
        }
        false
    }
}

/// One claim of one key.
pub struct ClaimRequest<'a> {
    pub scope: &'a ScopeKey,
    pub fingerprint: &'a Fingerprint,
    pub token: u64,
    pub lock_timeout: Duration,
}

impl IdempotencyStore {
    // Each store's call is boxed: its state would otherwise make every
    // handler's future (memory stores too) larger than the allocator's
    // fast sizes.

    pub async fn claim(
        &self,
        request: ClaimRequest<'_>,
        clock: &Clock,
    ) -> Result<(Claim, Lent), StoreError> {
        let ClaimRequest {
            scope,
            fingerprint,
            token,
            lock_timeout,
        } = request;
        let claim = match self {
            IdempotencyStore::Off => Ok(Claim::Claimed),
            IdempotencyStore::Memory(memory) => memory.claim(
                scope,
                fingerprint,
                token,
                lock_timeout.as_micros() as u64,
                clock.now_micros(),
            ),
            #[cfg(feature = "redis")]
            IdempotencyStore::Redis(redis) => {
                Box::pin(redis.claim(scope, fingerprint, token, lock_timeout)).await
            }
            #[cfg(feature = "postgres")]
            IdempotencyStore::Postgres(postgres) => {
                let (claim, transaction) =
                    Box::pin(postgres.claim(scope, fingerprint, token, lock_timeout)).await?;
                return Ok((claim, Lent { transaction }));
            }
        };
        claim.map(|claim| (claim, Lent::default()))
    }

    /// Stores `response` for a key this request claimed; `Ok(false)` when
    /// another request holds the key now.
    #[allow(clippy::too_many_arguments)]
    pub async fn complete(
        &self,
        lent: Lent,
        scope: &ScopeKey,
        fingerprint: &Fingerprint,
        token: u64,
        response: Arc<StoredResponse>,
        retention: Duration,
        clock: &Clock,
    ) -> Result<bool, StoreError> {
        #[cfg(feature = "postgres")]
        if let (IdempotencyStore::Postgres(postgres), Some(transaction)) = (self, lent.transaction)
        {
            return Box::pin(postgres.complete(transaction, scope, token, &response, retention))
                .await;
        }
        #[cfg(not(feature = "postgres"))]
        let Lent {} = lent;
        match self {
            IdempotencyStore::Off => Ok(true),
            IdempotencyStore::Memory(memory) => memory.complete(
                scope,
                fingerprint,
                token,
                response,
                retention.as_micros() as u64,
                clock.now_micros(),
            ),
            #[cfg(feature = "redis")]
            IdempotencyStore::Redis(redis) => {
                Box::pin(redis.complete(scope, fingerprint, token, &response, retention)).await
            }
            #[cfg(feature = "postgres")]
            IdempotencyStore::Postgres(_) => Err(StoreError::Unavailable(
                "a Postgres claim without its transaction".to_string(),
            )),
        }
    }

    /// Gives up a key this request claimed (and, on Postgres, rolls back
    /// the handler's writes), so that a retry runs again.
    pub async fn release(
        &self,
        lent: Lent,
        scope: &ScopeKey,
        token: u64,
    ) -> Result<(), StoreError> {
        #[cfg(not(feature = "postgres"))]
        let Lent {} = lent;
        match self {
            IdempotencyStore::Off => Ok(()),
            IdempotencyStore::Memory(memory) => {
                memory.release(scope, token);
                Ok(())
            }
            #[cfg(feature = "redis")]
            IdempotencyStore::Redis(redis) => Box::pin(redis.release(scope, token)).await,
            #[cfg(feature = "postgres")]
            IdempotencyStore::Postgres(postgres) => match lent.transaction {
                Some(transaction) => Box::pin(postgres.abandon(transaction, scope, token)).await,
                None => Box::pin(postgres.release(scope, token)).await,
            },
        }
    }

    /// Whether releasing a key waits on the network (and so, from a
    /// `Drop`, has to be spawned).
    pub fn is_remote(&self) -> bool {
        match self {
            IdempotencyStore::Off | IdempotencyStore::Memory(_) => false,
            #[cfg(feature = "redis")]
            IdempotencyStore::Redis(_) => true,
            #[cfg(feature = "postgres")]
            IdempotencyStore::Postgres(_) => true,
        }
    }

    /// Logs that the store failed: on Redis at most once per interval.
    pub fn report(&self, message: &str) {
        match self {
            #[cfg(feature = "redis")]
            IdempotencyStore::Redis(redis) => redis.warn(message),
            _ => tracing::error!("{message}"),
        }
    }
}
