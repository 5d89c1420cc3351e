//! The state behind a trial's reference server: in-memory stores over a SQLite file of
//! its own, Redis stores under a key prefix of its own, or PostgreSQL in a schema of
//! its own. Every trial starts its own server on fresh state, so trials run in
//! parallel and in any order; the guards remove the state afterwards.

use std::time::Duration;

use sqlx::Connection;
use sqlx::postgres::PgConnection;

use crate::server::{Server, unique};
use crate::services::{self, POSTGRES, REDIS, Service};

/// Where the reference server keeps its state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// In-memory stores, users in a SQLite file.
    Sqlite,
    /// Stores in Redis (`PORTCULLIS_REDIS_URL`), users in a SQLite file.
    Redis,
    /// Users in PostgreSQL (`PORTCULLIS_DATABASE_URL`), in-memory stores.
    Postgres,
}

impl Backend {
    pub const ALL: [Backend; 3] = [Backend::Sqlite, Backend::Redis, Backend::Postgres];

    /// The trial name prefix.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Redis => "redis",
            Backend::Postgres => "postgres",
        }
    }

    /// The services the trials of this backend need.
    pub fn needs(self) -> &'static [&'static Service] {
        static NEEDS_REDIS: [&Service; 1] = [&REDIS];
        static NEEDS_POSTGRES: [&Service; 1] = [&POSTGRES];
        match self {
            Backend::Sqlite => &[],
            Backend::Redis => &NEEDS_REDIS,
            Backend::Postgres => &NEEDS_POSTGRES,
        }
    }

    /// A reference server on fresh state of this backend.
    pub fn start(self, label: &str) -> Running {
        match self {
            Backend::Sqlite => Running {
                server: Server::start(label, None, &[]),
                redis: None,
                postgres: None,
            },
            Backend::Redis => {
                let prefix = RedisPrefix::new();
                let url = services::redis_url();
                let server = Server::start(
                    label,
                    None,
                    &[
                        ("PORTCULLIS_REDIS_URL", url.as_str()),
                        ("PORTCULLIS_REDIS_PREFIX", prefix.as_str()),
                    ],
                );
                Running {
                    server,
                    redis: Some(prefix),
                    postgres: None,
                }
            }
            Backend::Postgres => {
                let schema = PgSchema::create();
                let server = Server::start(label, Some(&schema.url()), &[]);
                Running {
                    server,
                    redis: None,
                    postgres: Some(schema),
                }
            }
        }
    }
}

/// A running server and its state. Field order matters: the server is killed before
/// its keys and schema are removed.
pub struct Running {
    pub server: Server,
    pub redis: Option<RedisPrefix>,
    pub postgres: Option<PgSchema>,
}

// ---------------------------------------------------------------- Redis

fn redis_connection() -> redis::Connection {
    let url = services::redis_url();
    let client = redis::Client::open(url.as_str()).unwrap_or_else(|e| panic!("Redis URL {url}: {e}"));
    client
        .get_connection_with_timeout(Duration::from_secs(5))
        .unwrap_or_else(|e| panic!("connect to Redis at {url}: {e}"))
}

/// The keys starting with `prefix:`.
pub fn redis_keys(prefix: &str) -> Vec<String> {
    redis::cmd("KEYS")
        .arg(format!("{prefix}:*"))
        .query(&mut redis_connection())
        .unwrap_or_else(|e| panic!("KEYS {prefix}:*: {e}"))
}

/// A fresh key prefix of one trial on the local Redis; its keys are deleted on drop.
pub struct RedisPrefix(String);

impl RedisPrefix {
    pub fn new() -> RedisPrefix {
        RedisPrefix(unique("portcullis-e2e"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Drop for RedisPrefix {
    fn drop(&mut self) {
        let Ok(client) = redis::Client::open(services::redis_url().as_str()) else {
            return;
        };
        let Ok(mut connection) = client.get_connection_with_timeout(Duration::from_secs(5)) else {
            return;
        };
        let keys: Vec<String> = redis::cmd("KEYS")
            .arg(format!("{}:*", self.0))
            .query(&mut connection)
            .unwrap_or_default();
        if !keys.is_empty() {
            let _: redis::RedisResult<i64> = redis::cmd("DEL").arg(&keys).query(&mut connection);
        }
    }
}

// ---------------------------------------------------------------- PostgreSQL

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
        .block_on(future)
}

async fn connect(url: &str) -> Result<PgConnection, String> {
    match tokio::time::timeout(Duration::from_secs(5), PgConnection::connect(url)).await {
        Ok(Ok(conn)) => Ok(conn),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err("connection timed out".into()),
    }
}

/// A fresh schema `e2e_<random>` in the test database, dropped (with everything in
/// it) on drop.
pub struct PgSchema {
    name: String,
}

impl PgSchema {
    pub fn create() -> PgSchema {
        let name = unique("e2e").to_ascii_lowercase();
        block_on(async {
            let mut conn = connect(&services::postgres_url()).await?;
            sqlx::query(&format!("CREATE SCHEMA \"{name}\""))
                .execute(&mut conn)
                .await
                .map_err(|e| e.to_string())?;
            Ok::<_, String>(())
        })
        .unwrap_or_else(|e| panic!("create the schema {name}: {e}"));
        PgSchema { name }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// A URL whose connections use this schema (`options=-c search_path=<schema>`).
    pub fn url(&self) -> String {
        let base = services::postgres_url();
        let separator = if base.contains('?') { '&' } else { '?' };
        format!("{base}{separator}options=-c%20search_path%3D{}", self.name)
    }

    /// Runs `sql` (one row, one BIGINT column) on a connection of [`url`](Self::url).
    pub fn scalar(&self, sql: &str) -> i64 {
        block_on(async {
            let mut conn = connect(&self.url()).await.expect("connect to the schema");
            sqlx::query_scalar::<_, i64>(sql)
                .fetch_one(&mut conn)
                .await
                .unwrap_or_else(|e| panic!("{sql}: {e}"))
        })
    }
}

impl Drop for PgSchema {
    fn drop(&mut self) {
        let name = self.name.clone();
        let dropped = block_on(async move {
            let mut conn = connect(&services::postgres_url()).await?;
            sqlx::query(&format!("DROP SCHEMA IF EXISTS \"{name}\" CASCADE"))
                .execute(&mut conn)
                .await
                .map_err(|e| e.to_string())?;
            Ok::<_, String>(())
        });
        if let Err(e) = dropped {
            eprintln!("could not drop the schema {}: {e}", self.name);
        }
    }
}
