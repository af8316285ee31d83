//! Where the app keeps users, charges and refunds, in the current
//! version's types (v2; v1 is served over them): in memory (the default,
//! lost on restart) or in Postgres (`DATABASE_URL`), where an idempotent
//! request's writes commit with its stored response.

mod memory;
mod postgres;
mod sort;

use deadpool_postgres::Object;
use payments_v2_server::types::params::ListChargesParams;
use payments_v2_server::types::{
    Charge, ChargeCreate, Refund, RefundCreate, User, UserCreate, UserUpdate,
};
use payments_v2_server::{CursorPage, Page};
use tokio::sync::MutexGuard;

pub use memory::MemoryStore;
pub use postgres::PostgresStore;

/// The store behind both versions.
#[derive(Debug)]
pub enum Store {
    Memory(MemoryStore),
    Postgres(PostgresStore),
}

impl Default for Store {
    fn default() -> Self {
        Store::Memory(MemoryStore::default())
    }
}

/// The transaction an idempotent request's record commits in, locked for
/// one operation: its writes go there (on Postgres).
pub type Lent<'a> = Option<MutexGuard<'a, Object>>;

/// The database failed; the request answers `500` and, when idempotent,
/// its transaction rolls back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreError(pub String);

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the store failed: {}", self.0)
    }
}

impl std::error::Error for StoreError {}

pub enum UpdateOutcome {
    Updated(User),
    NotFound,
    EmailTaken,
}

pub enum ChargeOutcome {
    Created(Charge),
    Declined,
    NoSuchCustomer,
}

pub enum RefundOutcome {
    Refunded(Refund),
    NoSuchCharge,
    TooMuch { remaining: i64 },
}

impl Store {
    /// One page of users after `cursor` (v2): the cursor is the last user
    /// returned, by id and sort key, so users created or deleted during a
    /// walk never make it skip or repeat one.
    pub async fn users_after(
        &self,
        tenant: &str,
        sort: &str,
        search: Option<&str>,
        cursor: Option<&str>,
        limit: i32,
    ) -> Result<CursorPage<User>, StoreError> {
        match self {
            Store::Memory(memory) => Ok(memory
                .tenant(tenant)
                .users_after(sort, search, cursor, limit)),
            Store::Postgres(postgres) => {
                postgres
                    .users_after(tenant, sort, search, cursor, limit)
                    .await
            }
        }
    }

    /// Page `page` (from 1) of `per_page` users, and how many there are (v1).
    pub async fn users_page(
        &self,
        tenant: &str,
        sort: &str,
        search: Option<&str>,
        page: i32,
        per_page: i32,
    ) -> Result<Page<User>, StoreError> {
        match self {
            Store::Memory(memory) => Ok(memory
                .tenant(tenant)
                .users_page(sort, search, page, per_page)),
            Store::Postgres(postgres) => {
                postgres
                    .users_page(tenant, sort, search, page, per_page)
                    .await
            }
        }
    }

    /// `None` when the email is taken.
    pub async fn create_user(
        &self,
        lent: Lent<'_>,
        tenant: &str,
        create: UserCreate,
    ) -> Result<Option<User>, StoreError> {
        match self {
            Store::Memory(memory) => Ok(memory.tenant(tenant).create_user(create)),
            Store::Postgres(postgres) => {
                let db = postgres.db(lent).await?;
                postgres.create_user(&db, tenant, create).await
            }
        }
    }

    pub async fn user(&self, tenant: &str, id: i64) -> Result<Option<User>, StoreError> {
        match self {
            Store::Memory(memory) => Ok(memory.tenant(tenant).user(id)),
            Store::Postgres(postgres) => postgres.user(tenant, id).await,
        }
    }

    pub async fn update_user(
        &self,
        lent: Lent<'_>,
        tenant: &str,
        id: i64,
        update: UserUpdate,
    ) -> Result<UpdateOutcome, StoreError> {
        match self {
            Store::Memory(memory) => Ok(memory.tenant(tenant).update_user(id, update)),
            Store::Postgres(postgres) => {
                let db = postgres.db(lent).await?;
                postgres.update_user(&db, tenant, id, update).await
            }
        }
    }

    pub async fn delete_user(&self, tenant: &str, id: i64) -> Result<bool, StoreError> {
        match self {
            Store::Memory(memory) => Ok(memory.tenant(tenant).delete_user(id)),
            Store::Postgres(postgres) => postgres.delete_user(tenant, id).await,
        }
    }

    /// Newest first. The cursor is the sequence number of the last charge
    /// returned, so charges created during a walk never shift its pages.
    pub async fn list_charges(
        &self,
        tenant: &str,
        params: &ListChargesParams,
    ) -> Result<CursorPage<Charge>, StoreError> {
        match self {
            Store::Memory(memory) => Ok(memory.tenant(tenant).list_charges(params)),
            Store::Postgres(postgres) => postgres.list_charges(tenant, params).await,
        }
    }

    pub async fn create_charge(
        &self,
        lent: Lent<'_>,
        tenant: &str,
        create: ChargeCreate,
    ) -> Result<ChargeOutcome, StoreError> {
        match self {
            Store::Memory(memory) => Ok(memory.tenant(tenant).create_charge(create)),
            Store::Postgres(postgres) => {
                let db = postgres.db(lent).await?;
                postgres.create_charge(&db, tenant, create).await
            }
        }
    }

    pub async fn charge(&self, tenant: &str, id: &str) -> Result<Option<Charge>, StoreError> {
        match self {
            Store::Memory(memory) => Ok(memory.tenant(tenant).charge(id)),
            Store::Postgres(postgres) => postgres.charge(tenant, id).await,
        }
    }

    pub async fn refund(
        &self,
        lent: Lent<'_>,
        tenant: &str,
        charge_id: &str,
        create: RefundCreate,
    ) -> Result<RefundOutcome, StoreError> {
        match self {
            Store::Memory(memory) => Ok(memory.tenant(tenant).refund(charge_id, create)),
            Store::Postgres(postgres) => {
                let db = postgres.db(lent).await?;
                postgres.refund(&db, tenant, charge_id, create).await
            }
        }
    }
}
