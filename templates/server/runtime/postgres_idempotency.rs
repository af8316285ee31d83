//! The idempotency store on Postgres: records that survive a restart, and a
//! transaction the operation can write in, so its own writes and its stored
//! response commit together or not at all.
//!
//! A claim is one committed statement (an insert that takes over only an
//! expired row), so concurrent requests with one key see each other at
//! once. The claiming request's connection then opens a transaction and
//! lends it to the handler ([`Context::transaction`]); the layer completes
//! the record in that transaction and commits. A process killed before the
//! commit leaves nothing but its claim, which expires after the lock
//! timeout; one killed after it leaves the response, which a retry replays.
//! A request whose lock expired and was taken over cannot commit: its
//! record names another token, so its writes roll back.
//!
//! The table (`IDEMPOTENCY_TABLE`) and its index are created on the first
//! connection; expired rows are deleted every minute.
//!
//! [`Context::transaction`]: crate::runtime::context::Context::transaction

#![cfg(feature = "postgres")]

use std::sync::{Arc, Weak};
use std::time::Duration;

use axum::http::HeaderValue;
use deadpool_postgres::{Manager, ManagerConfig, Object, Pool, RecyclingMethod, Runtime};
use tokio::sync::{Mutex, MutexGuard, OnceCell};
use tokio_postgres::NoTls;

use crate::runtime::config::PostgresSettings;
use crate::runtime::idempotency_records::{
    Claim, Fingerprint, ScopeKey, StoreError, StoredResponse,
};
use crate::runtime::postgres_schema::{migrate, Statements};

/// How often expired records are deleted, and how many at a time.
const CLEANUP_INTERVAL: Duration = Duration::from_secs(60);
const CLEANUP_BATCH: i64 = 1_000;

/// Idempotency records in a Postgres table.
pub struct PostgresIdempotency {
    /// `Err` for a URL that does not parse: every call then fails.
    pool: Result<Pool, String>,
    table: String,
    timeout: Duration,
    /// The table exists (made once, on the first connection).
    migrated: OnceCell<()>,
    statements: Statements,
}

impl std::fmt::Debug for PostgresIdempotency {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresIdempotency")
            .field("table", &self.table)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// The transaction an idempotent operation runs in on the Postgres store:
/// write in it, and your rows commit with the stored response, or not at
/// all. Do not commit or roll it back yourself; the layer does, after the
/// handler returns (a `5xx` or a panic rolls back).
#[derive(Clone)]
pub struct Transaction(Arc<Mutex<Object>>);

impl std::fmt::Debug for Transaction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Transaction")
    }
}

impl Transaction {
    /// The transaction's connection (a [`tokio_postgres::Client`] once
    /// dereferenced), held until the guard drops.
    pub async fn client(&self) -> MutexGuard<'_, Object> {
        self.0.lock().await
    }
}

impl PostgresIdempotency {
    /// Checks the URL; connects on first use.
    pub fn new(settings: &PostgresSettings) -> Arc<Self> {
        let pool = settings
            .url
            .parse::<tokio_postgres::Config>()
            .map_err(|error| error.to_string())
            .and_then(|mut config| {
                config.connect_timeout(settings.timeout);
                // A request cancelled inside its transaction (a client that
                // hung up, a timeout) can return its connection with the
                // transaction open: each checkout ends any such first.
                let manager = Manager::from_config(
                    config,
                    NoTls,
                    ManagerConfig {
                        recycling_method: RecyclingMethod::Custom("ROLLBACK".to_string()),
                    },
                );
                Pool::builder(manager)
                    .max_size(settings.pool_size)
                    .wait_timeout(Some(settings.timeout))
                    .create_timeout(Some(settings.timeout))
                    .runtime(Runtime::Tokio1)
                    .build()
                    .map_err(|error| error.to_string())
            });
        if let Err(error) = &pool {
            tracing::error!("the idempotency database URL is not usable: {error}");
        }
        let table = &settings.table;
        Arc::new(PostgresIdempotency {
            pool,
            table: table.clone(),
            timeout: settings.timeout,
            migrated: OnceCell::new(),
            statements: Statements::for_table(table),
        })
    }

    /// A connection, the table made first if it is not yet.
    async fn connection(self: &Arc<Self>) -> Result<Object, StoreError> {
        let pool = self.pool.as_ref().map_err(unavailable)?;
        let connection = pool.get().await.map_err(unavailable)?;
        self.migrated
            .get_or_try_init(|| async {
                migrate(&connection, &self.table).await?;
                // The first store to connect keeps the table clean.
                if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                    runtime.spawn(clean_up(Arc::downgrade(self)));
                }
                Ok::<_, StoreError>(())
            })
            .await?;
        Ok(connection)
    }

    /// Claims the key; when claimed, the transaction the handler runs in.
    pub async fn claim(
        self: &Arc<Self>,
        scope: &ScopeKey,
        fingerprint: &Fingerprint,
        token: u64,
        lock_timeout: Duration,
    ) -> Result<(Claim, Option<Transaction>), StoreError> {
        self.bounded(async {
            let connection = self.connection().await?;
            let statement = connection
                .prepare_cached(&self.statements.claim)
                .await
                .map_err(unavailable)?;
            let row = connection
                .query_one(
                    &statement,
                    &[
                        &&scope.digest[..],
                        &&fingerprint.0[..],
                        &(token as i64),
                        &lock_timeout.as_secs_f64(),
                    ],
                )
                .await
                .map_err(unavailable)?;
            if row.get::<_, bool>(0) {
                connection
                    .batch_execute("BEGIN")
                    .await
                    .map_err(unavailable)?;
                let transaction = Transaction(Arc::new(Mutex::new(connection)));
                return Ok((Claim::Claimed, Some(transaction)));
            }
            Ok((read_record(&row, fingerprint), None))
        })
        .await
    }

    /// Stores `response` for `scope` in `transaction` and commits it, with
    /// whatever the handler wrote. `Ok(false)`: another request took the
    /// key over, and nothing was committed.
    pub async fn complete(
        &self,
        transaction: Transaction,
        scope: &ScopeKey,
        token: u64,
        response: &StoredResponse,
        retention: Duration,
    ) -> Result<bool, StoreError> {
        let header = |value: &Option<HeaderValue>| {
            value
                .as_ref()
                .and_then(|value| value.to_str().ok())
                .map(str::to_string)
        };
        let outcome = {
            let connection = transaction.0.lock().await;
            self.bounded(async {
                let statement = connection
                    .prepare_cached(&self.statements.complete)
                    .await
                    .map_err(unavailable)?;
                let updated = connection
                    .execute(
                        &statement,
                        &[
                            &&scope.digest[..],
                            &(token as i64),
                            &(response.status as i16),
                            &header(&response.content_type),
                            &header(&response.location),
                            &&response.body[..],
                            &retention.as_secs_f64(),
                        ],
                    )
                    .await
                    .map_err(unavailable)?;
                let end = if updated == 1 { "COMMIT" } else { "ROLLBACK" };
                connection.batch_execute(end).await.map_err(unavailable)?;
                Ok(updated == 1)
            })
            .await
        };
        if outcome.is_err() {
            self.discard(transaction).await;
        }
        outcome
    }

    /// Rolls back the handler's writes and deletes the claim, so that a
    /// retry runs again.
    pub async fn abandon(
        self: &Arc<Self>,
        transaction: Transaction,
        scope: &ScopeKey,
        token: u64,
    ) -> Result<(), StoreError> {
        self.discard(transaction).await;
        self.release(scope, token).await
    }

    /// Ends `transaction` without committing: rolled back if Postgres
    /// answers, otherwise its connection leaves the pool, and Postgres
    /// rolls back what did not commit when the connection closes.
    async fn discard(&self, transaction: Transaction) {
        let rolled_back = {
            let connection = transaction.0.lock().await;
            self.bounded(async {
                connection
                    .batch_execute("ROLLBACK")
                    .await
                    .map_err(unavailable)
            })
            .await
            .is_ok()
        };
        if !rolled_back {
            if let Ok(connection) = Arc::try_unwrap(transaction.0) {
                drop(Object::take(connection.into_inner()));
            }
        }
    }

    /// Deletes this request's claim, and nothing else.
    pub async fn release(self: &Arc<Self>, scope: &ScopeKey, token: u64) -> Result<(), StoreError> {
        self.bounded(async {
            let connection = self.connection().await?;
            let statement = connection
                .prepare_cached(&self.statements.release)
                .await
                .map_err(unavailable)?;
            connection
                .execute(&statement, &[&&scope.digest[..], &(token as i64)])
                .await
                .map(drop)
                .map_err(unavailable)
        })
        .await
    }

    /// Deletes the expired records now, in batches, and says how many (the
    /// store does so every minute by itself). Nothing before the first
    /// connection has made the table.
    pub async fn delete_expired(&self) -> Result<u64, StoreError> {
        if self.migrated.get().is_none() {
            return Ok(0);
        }
        let mut total = 0;
        loop {
            let deleted = self
                .bounded(async {
                    // The pool's, not `connection()`, which starts the
                    // task that calls this.
                    let pool = self.pool.as_ref().map_err(unavailable)?;
                    let connection = pool.get().await.map_err(unavailable)?;
                    let statement = connection
                        .prepare_cached(&self.statements.cleanup)
                        .await
                        .map_err(unavailable)?;
                    connection
                        .execute(&statement, &[&CLEANUP_BATCH])
                        .await
                        .map_err(unavailable)
                })
                .await?;
            total += deleted;
            if deleted < CLEANUP_BATCH as u64 {
                return Ok(total);
            }
        }
    }

    /// Runs `work` within the timeout; a failure counts in
    /// `backend_errors_total`.
    async fn bounded<T>(
        &self,
        work: impl std::future::Future<Output = Result<T, StoreError>>,
    ) -> Result<T, StoreError> {
        let outcome = match tokio::time::timeout(self.timeout, work).await {
            Ok(outcome) => outcome,
            Err(_) => Err(unavailable("no answer in time")),
        };
        if outcome.is_err() {
            metrics::counter!("backend_errors_total", "backend" => "postgres").increment(1);
        }
        outcome
    }
}

/// What a key another request claimed holds, for this request's
/// `fingerprint`.
fn read_record(row: &tokio_postgres::Row, fingerprint: &Fingerprint) -> Claim {
    let Some(found) = row.get::<_, Option<&[u8]>>(1) else {
        // Claimed and gone between the insert and the read: in flight.
        return Claim::InFlight;
    };
    if found != fingerprint.0 {
        return Claim::Mismatch;
    }
    if row.get::<_, Option<i64>>(2).is_some() {
        return Claim::InFlight;
    }
    let header = |index: usize| {
        row.get::<_, Option<&str>>(index)
            .and_then(|text| HeaderValue::from_str(text).ok())
    };
    Claim::Replay(Arc::new(StoredResponse {
        status: row.get::<_, Option<i16>>(3).unwrap_or(200) as u16,
        content_type: header(4),
        location: header(5),
        body: axum::body::Bytes::copy_from_slice(row.get::<_, Option<&[u8]>>(6).unwrap_or(&[])),
    }))
}

/// Deletes expired records every [`CLEANUP_INTERVAL`], while the store lives.
async fn clean_up(store: Weak<PostgresIdempotency>) {
    let mut interval = tokio::time::interval(CLEANUP_INTERVAL);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        interval.tick().await;
        let Some(store) = store.upgrade() else {
            return;
        };
        if let Err(error) = store.delete_expired().await {
            tracing::warn!("expired idempotency records were not deleted: {error}");
        }
    }
}

fn unavailable(error: impl std::fmt::Display) -> StoreError {
    StoreError::Unavailable(error.to_string())
}
