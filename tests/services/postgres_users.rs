//! The sqlx user-store suite (`tests/support/sqlx_users.rs`, also run on SQLite by
//! `tests/it/sqlx_users.rs`) on PostgreSQL: roles in a comma-separated TEXT column,
//! `active` a BOOLEAN, API keys as SHA-256 BYTEA, argon2id hashes in TEXT. Each trial
//! has a schema of its own, dropped afterwards.

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions, Connection};

use crate::services::postgres_url;
use crate::support::sqlx_users::{self, Pool};

const TABLES: &str = "
    CREATE TABLE users (
        id BIGINT PRIMARY KEY,
        username TEXT NOT NULL UNIQUE,
        roles TEXT NOT NULL DEFAULT '',
        password_hash TEXT,
        is_active BOOLEAN NOT NULL DEFAULT TRUE
    );
    CREATE TABLE api_keys (
        key_hash BYTEA PRIMARY KEY CHECK (octet_length(key_hash) = 32),
        user_id BIGINT NOT NULL REFERENCES users(id)
    );";

/// A schema of one trial, dropped (with its tables) when the guard goes, also when the
/// trial panics.
struct Schema(String);

impl Drop for Schema {
    fn drop(&mut self) {
        let statement = format!("DROP SCHEMA IF EXISTS \"{}\" CASCADE", self.0);
        // The trial's runtime may be the one dropping us: a thread with its own.
        let dropped = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a tokio runtime")
                .block_on(async {
                    let mut conn = sqlx::PgConnection::connect(&postgres_url()).await?;
                    sqlx::query(&statement).execute(&mut conn).await.map(drop)
                })
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            eprintln!("could not drop the schema {}: {dropped:?}", self.0);
        }
    }
}

/// A pool on a fresh schema with the suite's users (its connections use only that
/// schema).
async fn database() -> (Schema, Pool) {
    // `portcullis-test:<pid>:<nanos>:<n>`, unique per trial and run.
    let name = crate::redis_server::prefix().replace([':', '-'], "_");
    let url = postgres_url();
    let mut conn = sqlx::PgConnection::connect(&url)
        .await
        .unwrap_or_else(|e| panic!("connect to PostgreSQL at {url}: {e}"));
    sqlx::query(&format!("CREATE SCHEMA \"{name}\""))
        .execute(&mut conn)
        .await
        .unwrap();
    let schema = Schema(name.clone());
    let options: PgConnectOptions = url.parse().unwrap();
    let options = options
        .options([("search_path", name.as_str())])
        .disable_statement_logging();
    let pool = PgPoolOptions::new()
        .max_connections(2)
        .connect_with(options)
        .await
        .unwrap();
    let pool = Pool::Postgres(pool);
    sqlx_users::populate(&pool, TABLES).await;
    (schema, pool)
}

/// Each `trial` (listed in `main.rs`) runs the suite's case of the same name (or `case`)
/// on a schema of its own, dropped after the case, also when it panics.
macro_rules! postgres_trials {
    ($($trial:ident $(= $case:ident)?),+ $(,)?) => { $(
        pub async fn $trial() {
            let (_schema, pool) = database().await;
            postgres_trials!(@case $trial $($case)?)(pool).await;
        }
    )+ };
    (@case $trial:ident) => { sqlx_users::$trial };
    (@case $trial:ident $case:ident) => { sqlx_users::$case };
}

postgres_trials!(
    jwt_for_a_database_user_reads_roles_from_the_text_column,
    api_key_hash_stored_as_bytea = api_key_hash_stored_as_bytes,
    basic_against_an_argon2id_hash_in_the_table,
    inactive_column_gives_403,
    closed_pool_gives_503_never_200,
    database_user_round_trips_through_serde,
);
