//! The flagship contract (tests/support/contract/) on the app's default
//! store, in memory.

#[path = "support/contract/mod.rs"]
mod contract;

use payments_app::Store;
use payments_server::ServerConfig;

/// A fresh memory store.
async fn backing(_: &mut ServerConfig) -> Option<Store> {
    Some(Store::default())
}
