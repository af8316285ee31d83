//! The flagship contract (tests/support/contract/) on the app's Postgres
//! store, its idempotency records in Postgres too: the Postgres at
//! `DATABASE_URL` (default `postgres://postgres@127.0.0.1:5432/test`);
//! under `CI=true` a missing database fails the tests instead of skipping.

#[path = "support/contract/mod.rs"]
mod contract;
#[path = "support/postgres.rs"]
mod postgres_support;

use payments_app::{PostgresStore, Store};
use payments_server::runtime::config::PostgresSettings;
use payments_server::ServerConfig;

/// A fresh schema of its own, and a fresh idempotency table.
async fn backing(config: &mut ServerConfig) -> Option<Store> {
    if !postgres_support::available().await {
        return None;
    }
    let url = postgres_support::url();
    let mut idempotency = PostgresSettings::new(&url);
    idempotency.table = postgres_support::unique_table("contract");
    config.idempotency.postgres = Some(idempotency);
    let schema = postgres_support::unique_table("contract");
    let store = PostgresStore::connect(&url, &schema)
        .await
        .expect("the Postgres store starts");
    Some(Store::Postgres(store))
}
