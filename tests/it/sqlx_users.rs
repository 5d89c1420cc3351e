//! The sqlx user-store suite (`tests/support/sqlx_users.rs`) on SQLite: roles in a
//! comma-separated TEXT column, `active` in an INTEGER column, API keys as SHA-256
//! BLOBs, argon2id hashes in TEXT; each test on a fresh in-memory database. The
//! `services` binary runs the same suite on PostgreSQL (`postgres_users::*`).

use sqlx::sqlite::SqlitePoolOptions;

use crate::support::sqlx_users::{self, Pool};

const TABLES: &str = "
    CREATE TABLE users (
        id INTEGER PRIMARY KEY,
        username TEXT NOT NULL UNIQUE,
        roles TEXT NOT NULL DEFAULT '',
        password_hash TEXT,
        is_active INTEGER NOT NULL DEFAULT 1
    );
    CREATE TABLE api_keys (
        key_hash BLOB PRIMARY KEY CHECK (length(key_hash) = 32),
        user_id INTEGER NOT NULL REFERENCES users(id)
    );";

/// A fresh in-memory database (one connection, kept open) with the suite's users.
async fn database() -> Pool {
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .min_connections(1)
        .idle_timeout(None)
        .max_lifetime(None)
        .connect("sqlite::memory:")
        .await
        .unwrap();
    let pool = Pool::Sqlite(pool);
    sqlx_users::populate(&pool, TABLES).await;
    pool
}

/// Each `test` runs the suite's case of the same name (or `case`) on a fresh database.
macro_rules! sqlite_tests {
    ($($test:ident $(= $case:ident)?),+ $(,)?) => { $(
        #[tokio::test]
        async fn $test() {
            sqlite_tests!(@case $test $($case)?)(database().await).await;
        }
    )+ };
    (@case $test:ident) => { sqlx_users::$test };
    (@case $test:ident $case:ident) => { sqlx_users::$case };
}

sqlite_tests!(
    jwt_for_a_database_user_reads_roles_from_the_text_column,
    api_key_hash_stored_as_blob = api_key_hash_stored_as_bytes,
    basic_against_an_argon2id_hash_in_the_table,
    inactive_column_gives_403,
    closed_pool_gives_503_never_200,
    database_user_round_trips_through_serde,
);
