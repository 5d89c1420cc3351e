//! The external stores of the e2e runs: the local Redis (reached with a few raw RESP
//! commands) and the local PostgreSQL (a fresh schema per run, dropped by a guard).
//!
//! Unreachable backends skip loudly, unless `PORTCULLIS_REQUIRE_REDIS=1` /
//! `PORTCULLIS_REQUIRE_POSTGRES=1` make that a failure.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::time::Duration;

use sqlx::Connection;
use sqlx::postgres::PgConnection;

use super::server::unique;

pub const REDIS_ADDR: &str = "127.0.0.1:6379";
pub const REDIS_URL: &str = "redis://127.0.0.1:6379";
pub const POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

fn required(variable: &str) -> bool {
    std::env::var(variable).is_ok_and(|v| v == "1")
}

/// Fails when `variable=1`, else prints a banner that cannot be missed and returns.
pub fn skip(what: &str, variable: &str, why: &str) {
    assert!(!required(variable), "{what}: required ({variable}=1) but {why}");
    // Straight to the process's stderr: the harness hides a passing test's eprintln!.
    let _ = writeln!(
        std::io::stderr(),
        "\n################################################################\n\
         ### SKIPPED: {what}\n\
         ### because {why}\n\
         ### (set {variable}=1 to make this a failure)\n\
         ################################################################\n"
    );
}

// ---------------------------------------------------------------- Redis

/// A value of the RESP protocol (the kinds these tests meet).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resp {
    Simple(String),
    Error(String),
    Integer(i64),
    Bulk(Option<Vec<u8>>),
    Array(Vec<Resp>),
}

/// One command over its own connection.
pub fn redis(args: &[&str]) -> std::io::Result<Resp> {
    let addr = REDIS_ADDR.parse().expect("address");
    let stream = TcpStream::connect_timeout(&addr, Duration::from_secs(1))?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut command = format!("*{}\r\n", args.len()).into_bytes();
    for arg in args {
        command.extend_from_slice(format!("${}\r\n{arg}\r\n", arg.len()).as_bytes());
    }
    (&stream).write_all(&command)?;
    read_resp(&mut BufReader::new(stream))
}

fn read_resp(reader: &mut impl BufRead) -> std::io::Result<Resp> {
    let bad = |what: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_owned());
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let line = line.trim_end_matches("\r\n");
    let (kind, rest) = line.split_at_checked(1).ok_or_else(|| bad("empty reply"))?;
    let number = || rest.parse::<i64>().map_err(|_| bad("bad number"));
    Ok(match kind {
        "+" => Resp::Simple(rest.to_owned()),
        "-" => Resp::Error(rest.to_owned()),
        ":" => Resp::Integer(number()?),
        "$" => match number()? {
            -1 => Resp::Bulk(None),
            n => {
                let mut data = vec![0; usize::try_from(n).map_err(|_| bad("bad length"))? + 2];
                reader.read_exact(&mut data)?;
                data.truncate(data.len() - 2);
                Resp::Bulk(Some(data))
            }
        },
        "*" => match number()? {
            -1 => Resp::Array(Vec::new()),
            n => (0..n)
                .map(|_| read_resp(reader))
                .collect::<Result<_, _>>()
                .map(Resp::Array)?,
        },
        _ => return Err(bad("unknown reply type")),
    })
}

/// The keys starting with `prefix:`.
pub fn redis_keys(prefix: &str) -> Vec<String> {
    match redis(&["KEYS", &format!("{prefix}:*")]) {
        Ok(Resp::Array(keys)) => keys
            .into_iter()
            .filter_map(|k| match k {
                Resp::Bulk(Some(k)) => String::from_utf8(k).ok(),
                _ => None,
            })
            .collect(),
        other => panic!("KEYS {prefix}:*: {other:?}"),
    }
}

/// A fresh key prefix of one run on the local Redis; its keys are deleted on drop.
pub struct RedisPrefix(String);

impl RedisPrefix {
    /// `None` (after a loud skip) when Redis does not answer PING.
    pub fn acquire(what: &str) -> Option<RedisPrefix> {
        match redis(&["PING"]) {
            Ok(Resp::Simple(pong)) if pong == "PONG" => Some(RedisPrefix(unique("portcullis-e2e"))),
            Ok(other) => {
                skip(
                    what,
                    "PORTCULLIS_REQUIRE_REDIS",
                    &format!("Redis at {REDIS_ADDR} answered {other:?}"),
                );
                None
            }
            Err(e) => {
                skip(
                    what,
                    "PORTCULLIS_REQUIRE_REDIS",
                    &format!("no Redis at {REDIS_ADDR} ({e})"),
                );
                None
            }
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Drop for RedisPrefix {
    fn drop(&mut self) {
        if let Ok(Resp::Array(keys)) = redis(&["KEYS", &format!("{}:*", self.0)]) {
            for key in keys {
                if let Resp::Bulk(Some(key)) = key {
                    let _ = redis(&["DEL", &String::from_utf8_lossy(&key)]);
                }
            }
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
    /// `None` (after a loud skip) when PostgreSQL is unreachable.
    pub fn create(what: &str) -> Option<PgSchema> {
        let name = unique("e2e").to_ascii_lowercase();
        let created = block_on(async {
            let mut conn = connect(POSTGRES_URL).await?;
            sqlx::query(&format!("CREATE SCHEMA \"{name}\""))
                .execute(&mut conn)
                .await
                .map_err(|e| e.to_string())?;
            Ok::<_, String>(())
        });
        match created {
            Ok(()) => Some(PgSchema { name }),
            Err(e) => {
                skip(
                    what,
                    "PORTCULLIS_REQUIRE_POSTGRES",
                    &format!("PostgreSQL at {POSTGRES_URL}: {e}"),
                );
                None
            }
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// A URL whose connections use this schema (`options=-c search_path=<schema>`).
    pub fn url(&self) -> String {
        format!("{POSTGRES_URL}?options=-c%20search_path%3D{}", self.name)
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
            let mut conn = connect(POSTGRES_URL).await?;
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
