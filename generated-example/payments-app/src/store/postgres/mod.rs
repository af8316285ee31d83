//! Users, charges and refunds in Postgres (`DATABASE_URL`), every row
//! under its tenant. Writes of idempotent operations run in the
//! transaction the generated layer lends (see [`Db`]), so a charge and its
//! stored response commit together; lists resume from the same cursors as
//! the memory store's.

use deadpool_postgres::{Manager, ManagerConfig, Object, Pool, RecyclingMethod, Runtime};
use payments_v2_server::types::{Charge, ChargeStatus, User};
use tokio::sync::MutexGuard;
use tokio_postgres::{NoTls, Row};

use super::sort::Sort;
use super::StoreError;

mod charges;
mod users;

/// The store's tables, in their schema.
pub struct PostgresStore {
    pool: Pool,
    schema: String,
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresStore")
            .field("schema", &self.schema)
            .finish_non_exhaustive()
    }
}

/// Where one operation's statements run: the transaction an idempotent
/// request's record commits in, or a connection of the store's own (boxed:
/// a pooled connection is large, a lent one a pointer).
pub enum Db<'a> {
    Lent(MutexGuard<'a, Object>),
    Own(Box<Object>),
}

impl std::ops::Deref for Db<'_> {
    type Target = Object;

    fn deref(&self) -> &Object {
        match self {
            Db::Lent(connection) => connection,
            Db::Own(connection) => connection,
        }
    }
}

impl Db<'_> {
    /// Runs `statements` atomically: within the lent transaction, or in one
    /// of their own.
    pub(crate) async fn atomically<T>(
        &self,
        statements: impl std::future::Future<Output = Result<T, StoreError>>,
    ) -> Result<T, StoreError> {
        if let Db::Lent(_) = self {
            return statements.await;
        }
        self.batch_execute("BEGIN").await.map_err(failed)?;
        let outcome = statements.await;
        let end = if outcome.is_ok() {
            "COMMIT"
        } else {
            "ROLLBACK"
        };
        self.batch_execute(end).await.map_err(failed)?;
        outcome
    }
}

impl PostgresStore {
    /// Connects to `url` and creates the tables in `schema` unless they
    /// exist.
    pub async fn connect(url: &str, schema: &str) -> Result<Self, StoreError> {
        let valid = !schema.is_empty()
            && schema
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !valid {
            return Err(StoreError(format!(
                "the schema {schema:?} is not lower-case letters, digits and _"
            )));
        }
        let config: tokio_postgres::Config = url.parse().map_err(failed)?;
        // A request cancelled inside its own transaction can return its
        // connection with the transaction open: each checkout ends any such.
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Custom("ROLLBACK".to_string()),
            },
        );
        let pool = Pool::builder(manager)
            .max_size(16)
            .runtime(Runtime::Tokio1)
            .build()
            .map_err(failed)?;
        let store = PostgresStore {
            pool,
            schema: schema.to_string(),
        };
        store.migrate().await?;
        Ok(store)
    }

    async fn migrate(&self) -> Result<(), StoreError> {
        let s = &self.schema;
        let sql = format!(
            "BEGIN;
             SELECT pg_advisory_xact_lock(hashtext('payments-app schema {s}'));
             CREATE SCHEMA IF NOT EXISTS {s};
             CREATE TABLE IF NOT EXISTS {s}.users (
                 tenant text NOT NULL,
                 id bigint NOT NULL,
                 full_name text NOT NULL,
                 email text NOT NULL,
                 created_at timestamptz NOT NULL,
                 updated_at timestamptz NOT NULL,
                 PRIMARY KEY (tenant, id),
                 UNIQUE (tenant, email)
             );
             -- Each tenant numbers its users from 1, as in memory.
             CREATE TABLE IF NOT EXISTS {s}.user_ids (
                 tenant text PRIMARY KEY,
                 last_id bigint NOT NULL
             );
             CREATE TABLE IF NOT EXISTS {s}.charges (
                 -- The cursor position: later charges have larger numbers.
                 seq bigserial PRIMARY KEY,
                 tenant text NOT NULL,
                 id text NOT NULL UNIQUE,
                 amount bigint NOT NULL,
                 currency text NOT NULL,
                 status text NOT NULL,
                 source text NOT NULL,
                 customer_id bigint,
                 description text,
                 metadata text NOT NULL,
                 amount_refunded bigint NOT NULL,
                 created_at timestamptz NOT NULL
             );
             CREATE INDEX IF NOT EXISTS charges_by_tenant ON {s}.charges (tenant, seq);
             CREATE TABLE IF NOT EXISTS {s}.refunds (
                 id text PRIMARY KEY,
                 tenant text NOT NULL,
                 charge_id text NOT NULL REFERENCES {s}.charges (id),
                 amount bigint NOT NULL,
                 reason text,
                 created_at timestamptz NOT NULL
             );
             COMMIT;"
        );
        let connection = self.pool.get().await.map_err(failed)?;
        if let Err(error) = connection.batch_execute(&sql).await {
            let _ = connection.batch_execute("ROLLBACK").await;
            return Err(failed(error));
        }
        Ok(())
    }

    /// `lent`, or a connection of the store's own.
    pub async fn db<'a>(&self, lent: Option<MutexGuard<'a, Object>>) -> Result<Db<'a>, StoreError> {
        match lent {
            Some(connection) => Ok(Db::Lent(connection)),
            None => Ok(Db::Own(Box::new(self.pool.get().await.map_err(failed)?))),
        }
    }
}

/// The columns a [`User`] is read from.
pub(crate) const USER: &str = "id, full_name, email, created_at, updated_at";

/// The columns a [`Charge`] is read from.
pub(crate) const CHARGE: &str = "id, amount, currency, status, source, customer_id, description, \
                      metadata, amount_refunded, created_at";

pub(crate) fn user(row: &Row) -> User {
    User {
        id: row.get(0),
        full_name: row.get(1),
        email: row.get(2),
        created_at: row.get(3),
        updated_at: row.get(4),
    }
}

/// The charge in `row`'s columns from `first` on.
pub(crate) fn charge(row: &Row, first: usize) -> Charge {
    let column = |n: usize| first + n;
    let amount: i64 = row.get(column(1));
    let amount_refunded: i64 = row.get(column(8));
    let metadata: String = row.get(column(7));
    Charge {
        id: row.get(column(0)),
        amount,
        currency: row.get(column(2)),
        status: ChargeStatus::from(row.get::<_, String>(column(3))),
        source: row.get(column(4)),
        customer_id: row.get(column(5)),
        description: row.get(column(6)),
        metadata: serde_json::from_str(&metadata).unwrap_or_default(),
        amount_refunded,
        refunded: amount_refunded == amount,
        created_at: row.get(column(9)),
    }
}

/// The column and direction of `sort`, byte order for text as in memory.
pub(crate) fn sort_sql(sort: &Sort<'_>) -> (&'static str, &'static str) {
    let column = match sort.field {
        "full_name" => "full_name COLLATE \"C\"",
        "email" => "email COLLATE \"C\"",
        _ => "created_at",
    };
    (column, if sort.descending { "DESC" } else { "ASC" })
}

pub(crate) fn failed(error: impl std::fmt::Display) -> StoreError {
    StoreError(error.to_string())
}
