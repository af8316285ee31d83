//! Runs the Payments API on the generated servers: v2 under `/v2`, and v1
//! (deprecated, a compatibility layer over v2) under `/v1`, over one store.
//!
//! `BIND_ADDR` (default `127.0.0.1:8080`), `PAYMENTS_API_KEYS`
//! (comma-separated `key` or `key:tier`; default `local-dev-key`) and
//! `DATABASE_URL` (data and idempotency records in Postgres, in the schema
//! `DATABASE_SCHEMA`, default `payments`; memory otherwise) configure it,
//! with the generated server's own variables (`BODY_LIMIT_BYTES`,
//! `REDIS_URL`, `RATE_LIMITS`, `HEADER_READ_TIMEOUT_SECS`, ...). `RUST_LOG`
//! sets what is logged (at `info`, one access-log line per request) and
//! `LOG_FORMAT=json` logs JSON lines instead of text. Metrics are served at
//! `GET /metrics` unless `METRICS=false`.

use std::io::IsTerminal;

use payments_app::{AppConfig, PaymentsV2Api, PostgresStore, Store};
use payments_server::runtime::config::PostgresSettings;
use payments_server::{serve, shutdown_signal, ServerConfig};
use tracing_subscriber::filter::Targets;
use tracing_subscriber::prelude::*;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    init_logging()?;
    let app = AppConfig::from_env();
    let mut v1 = ServerConfig::from_env()?;
    let mut v2 = payments_v2_server::ServerConfig::from_env()?;
    // On unless turned off: the generated crates leave metrics off.
    v1.metrics = std::env::var_os("METRICS").is_none() || v1.metrics;
    v2.metrics = v1.metrics;
    let store = match &app.database {
        Some((url, schema)) => {
            // Each version's idempotency records beside the data (unless
            // IDEMPOTENCY_DATABASE_URL put them elsewhere), so that a
            // charge and its stored response commit together.
            if v1.idempotency.postgres.is_none() {
                v1.idempotency.postgres = Some(PostgresSettings::new(url));
            }
            if v2.idempotency.postgres.is_none() {
                v2.idempotency.postgres = Some(
                    payments_v2_server::runtime::config::PostgresSettings::new(url),
                );
            }
            Store::Postgres(PostgresStore::connect(url, schema).await?)
        }
        None => Store::default(),
    };
    let listener = tokio::net::TcpListener::bind(&app.bind_addr).await?;
    tracing::info!(address = %listener.local_addr()?, keys = app.api_keys.len(), postgres = app.database.is_some(), "serving the Payments API, v1 and v2");
    let limits = v1.listener;
    let api = PaymentsV2Api::with_store(app.api_keys, store);
    let versions = payments_app::versions(api, v1, v2);
    // Header and keep-alive timeouts and the connection cap from `limits`;
    // each request's peer address is the client IP rate limits fall back to.
    serve(listener, versions, limits, shutdown_signal()).await?;
    Ok(())
}

/// Text lines, or JSON lines with `LOG_FORMAT=json`, filtered by `RUST_LOG`.
fn init_logging() -> Result<(), String> {
    match std::env::var("LOG_FORMAT").as_deref() {
        Ok("json") => tracing_subscriber::fmt()
            .json()
            .with_span_list(false)
            .finish()
            .with(log_filter())
            .init(),
        // Colours only on a terminal: a log collector would store the
        // escapes, and formatting them costs every request its span.
        Ok("text") | Err(_) => tracing_subscriber::fmt()
            .with_target(false)
            .with_ansi(std::io::stdout().is_terminal())
            .finish()
            .with(log_filter())
            .init(),
        Ok(other) => return Err(format!("LOG_FORMAT={other:?}: expected `text` or `json`")),
    }
    Ok(())
}

/// `RUST_LOG` as `level` or `target=level,...` (`warn`,
/// `info,payments_server=debug`); `info` when unset. Below `info` the
/// request spans are not even built.
fn log_filter() -> Targets {
    let default = Targets::new().with_default(tracing::Level::INFO);
    match std::env::var("RUST_LOG") {
        Ok(text) => text.parse().unwrap_or_else(|error| {
            eprintln!("RUST_LOG={text:?} is not a log filter ({error}); logging at info");
            default
        }),
        Err(_) => default,
    }
}
