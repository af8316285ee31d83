//! Where the Postgres for the tests is, and whether the tests may skip it.

// Each test file uses its own part of this module.
#![allow(dead_code)]

use std::sync::atomic::{AtomicU64, Ordering};

/// `DATABASE_URL`, or the local default.
pub fn url() -> String {
    std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_string())
}

/// A connection to [`url`], its driver running on the current runtime.
pub async fn connect() -> Result<tokio_postgres::Client, tokio_postgres::Error> {
    let (client, connection) = tokio_postgres::connect(&url(), tokio_postgres::NoTls).await?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    Ok(client)
}

/// Whether Postgres answers. Under `CI=true` it must: a missing database
/// fails the test instead of skipping it. The first answer in a test
/// process also drops the tables of old runs ([`drop_old_tables`]).
pub async fn available() -> bool {
    static CLEANED: tokio::sync::OnceCell<()> = tokio::sync::OnceCell::const_new();
    let client = connect().await;
    if let Ok(client) = &client {
        CLEANED.get_or_init(|| drop_old_tables(client)).await;
    }
    let up = client.is_ok();
    if !up {
        assert!(
            std::env::var("CI").map_or(true, |ci| ci != "true"),
            "Postgres is not reachable at {} and CI=true forbids skipping",
            url()
        );
        eprintln!("skipping the Postgres half: nothing answers at {}", url());
    }
    up
}

/// A table name no other test run uses: `test_<unix seconds>_<pid>_<n>_<test>`
/// (at most 48 characters).
pub fn unique_table(test: &str) -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let next = NEXT.fetch_add(1, Ordering::Relaxed);
    let mut name = format!("test_{seconds}_{}_{next}_{test}", std::process::id());
    name.truncate(48);
    name
}

/// Drops the tables and schemas of runs (named by [`unique_table`]) more
/// than an hour old, so the test database does not fill up.
async fn drop_old_tables(client: &tokio_postgres::Client) {
    let dropped = client
        .batch_execute(
            r"DO $$ DECLARE t record; BEGIN
               FOR t IN SELECT tablename FROM pg_tables
                        WHERE schemaname = 'public' AND tablename ~ '^test_[0-9]+_'
                          AND split_part(tablename, '_', 2)::bigint
                              < extract(epoch FROM now()) - 3600
               LOOP EXECUTE format('DROP TABLE IF EXISTS %I', t.tablename); END LOOP;
               FOR t IN SELECT nspname FROM pg_namespace
                        WHERE nspname ~ '^test_[0-9]+_'
                          AND split_part(nspname, '_', 2)::bigint
                              < extract(epoch FROM now()) - 3600
               LOOP EXECUTE format('DROP SCHEMA IF EXISTS %I CASCADE', t.nspname); END LOOP;
             END $$;",
        )
        .await;
    if let Err(error) = dropped {
        eprintln!("old test tables were not dropped: {error}");
    }
}
