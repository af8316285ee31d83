//! The Postgres idempotency store's table, and the statements that run on
//! it, with the table's name written in (`PostgresSettings::table` is
//! checked to be a plain identifier).

#![cfg(feature = "postgres")]

use deadpool_postgres::Object;

use crate::runtime::idempotency_records::StoreError;

/// The statements, with the table's name in them.
pub(crate) struct Statements {
    pub claim: String,
    pub complete: String,
    pub release: String,
    pub cleanup: String,
}

impl Statements {
    pub(crate) fn for_table(table: &str) -> Self {
        Statements {
            // Inserts, or takes over an expired row (a completed record
            // past its retention, or a claim past its lock timeout);
            // otherwise reads what the key holds.
            claim: format!(
                "WITH claimed AS (
                    INSERT INTO {table} AS r (scope, fingerprint, token, expires_at)
                    VALUES ($1, $2, $3, now() + make_interval(secs => $4))
                    ON CONFLICT (scope) DO UPDATE
                    SET fingerprint = excluded.fingerprint, token = excluded.token,
                        status = NULL, content_type = NULL, location = NULL,
                        body = NULL, expires_at = excluded.expires_at
                    WHERE r.expires_at < now()
                    RETURNING 1
                )
                SELECT EXISTS (SELECT 1 FROM claimed), r.fingerprint, r.token,
                       r.status, r.content_type, r.location, r.body
                FROM (SELECT 1) AS one LEFT JOIN {table} AS r ON r.scope = $1"
            ),
            complete: format!(
                "UPDATE {table}
                 SET token = NULL, status = $3, content_type = $4, location = $5,
                     body = $6, expires_at = now() + make_interval(secs => $7)
                 WHERE scope = $1 AND token = $2"
            ),
            release: format!("DELETE FROM {table} WHERE scope = $1 AND token = $2"),
            cleanup: format!(
                "DELETE FROM {table} WHERE scope IN
                 (SELECT scope FROM {table} WHERE expires_at < now() LIMIT $1)"
            ),
        }
    }
}

/// Creates the table and its index unless they exist; replicas starting
/// together take turns (an advisory lock on the table's name).
pub(crate) async fn migrate(connection: &Object, table: &str) -> Result<(), StoreError> {
    let sql = format!(
        "BEGIN;
         SELECT pg_advisory_xact_lock(hashtext('idempotency table {table}'));
         CREATE TABLE IF NOT EXISTS {table} (
             -- SHA-256 of the principal and the Idempotency-Key.
             scope bytea PRIMARY KEY,
             -- SHA-256 of the method, path and body of the request.
             fingerprint bytea NOT NULL,
             -- The claim's holder while it runs; NULL once completed.
             token bigint,
             status smallint,
             content_type text,
             location text,
             body bytea,
             -- The lock's timeout while claimed, then the retention.
             expires_at timestamptz NOT NULL
         );
         CREATE INDEX IF NOT EXISTS {table}_expires_at ON {table} (expires_at);
         COMMIT;"
    );
    if let Err(error) = connection.batch_execute(&sql).await {
        let _ = connection.batch_execute("ROLLBACK").await;
        return Err(StoreError::Unavailable(format!(
            "the table {table} could not be created: {error}"
        )));
    }
    Ok(())
}
