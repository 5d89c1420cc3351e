//! The external services some test binaries need (Redis, PostgreSQL, a `redis-server`
//! binary to start throwaway servers with, and `redis-cli` to join them into a
//! cluster), and the one rule for a missing one:
//!
//! * the service answers: the trial runs;
//! * it does not, and `PORTCULLIS_REQUIRE_<SERVICE>=1` is not set: the trial is reported
//!   **ignored** by the runner, with the reason, and a banner on stderr says why;
//! * it does not and the variable is set (`.ci/run` sets them): the trial **fails**.
//!
//! Used by the `libtest-mimic` runners of `tests/e2e/` and `tests/services/` through
//! `#[path = "../support/services.rs"] mod services;`. Each service is probed once, on
//! the first trial that needs it.
#![allow(dead_code, unreachable_pub)]

use std::io::Write;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::OnceLock;
use std::time::Duration;

use libtest_mimic::{Arguments, Completion, Failed, Trial};

/// How long a probe waits for a service to answer.
const PROBE_TIMEOUT: Duration = Duration::from_secs(3);

/// The Redis of the tests: `PORTCULLIS_REDIS_URL`, or 127.0.0.1:6379.
pub fn redis_url() -> String {
    std::env::var("PORTCULLIS_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned())
}

/// The PostgreSQL database of the tests: `PORTCULLIS_POSTGRES_URL`, or the database
/// `test` on 127.0.0.1:5432 as `postgres` (trust authentication).
pub fn postgres_url() -> String {
    std::env::var("PORTCULLIS_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

/// An external service trials depend on.
pub struct Service {
    /// What the banner calls it.
    pub name: &'static str,
    /// `PORTCULLIS_REQUIRE_*`: when `1`, a missing service fails the trials.
    pub variable: &'static str,
    /// How to provide it.
    pub hint: &'static str,
    probe: fn() -> Result<(), String>,
    state: OnceLock<Result<(), String>>,
}

/// The Redis at [`redis_url`] (answers `PING`).
pub static REDIS: Service = Service {
    name: "Redis",
    variable: "PORTCULLIS_REQUIRE_REDIS",
    hint: "start Redis on 127.0.0.1:6379 or set PORTCULLIS_REDIS_URL",
    probe: probe_redis,
    state: OnceLock::new(),
};

/// A `redis-server` binary on PATH (tests that start, stop and freeze their own).
pub static REDIS_SERVER: Service = Service {
    name: "redis-server on PATH",
    variable: "PORTCULLIS_REQUIRE_REDIS",
    hint: "install redis-server (apt-get install redis-server)",
    probe: probe_redis_server,
    state: OnceLock::new(),
};

/// `redis-server` and `redis-cli` on PATH (tests that start a local Redis Cluster,
/// `tests/support/redis_cluster.rs`).
pub static REDIS_CLUSTER: Service = Service {
    name: "redis-server and redis-cli on PATH",
    variable: "PORTCULLIS_REQUIRE_REDIS",
    hint: "install redis-server and redis-cli (apt-get install redis-server redis-tools)",
    probe: probe_redis_cluster_tools,
    state: OnceLock::new(),
};

/// The PostgreSQL database at [`postgres_url`] (answers `SELECT 1`).
pub static POSTGRES: Service = Service {
    name: "PostgreSQL",
    variable: "PORTCULLIS_REQUIRE_POSTGRES",
    hint: "start PostgreSQL on 127.0.0.1:5432 with a database `test`, or set PORTCULLIS_POSTGRES_URL",
    probe: probe_postgres,
    state: OnceLock::new(),
};

impl Service {
    /// A service whose probe lives in another support file (e.g. `idp::probe`).
    pub const fn new(
        name: &'static str,
        variable: &'static str,
        hint: &'static str,
        probe: fn() -> Result<(), String>,
    ) -> Service {
        Service {
            name,
            variable,
            hint,
            probe,
            state: OnceLock::new(),
        }
    }

    /// Whether this service must be there (`<variable>=1`).
    pub fn required(&self) -> bool {
        std::env::var(self.variable).is_ok_and(|v| v == "1")
    }

    /// `Ok(None)`: available. `Ok(Some(why))`: missing, the trial is to be ignored.
    /// `Err`: missing but required.
    pub fn check(&self) -> Result<Option<String>, Failed> {
        let state = self.state.get_or_init(|| {
            let state = (self.probe)();
            if let Err(why) = &state {
                self.banner(why);
            }
            state
        });
        match state {
            Ok(()) => Ok(None),
            Err(why) if self.required() => {
                Err(format!("{} is required ({}=1) but {why}", self.name, self.variable).into())
            }
            Err(why) => Ok(Some(format!("{} unavailable: {why}", self.name))),
        }
    }

    fn banner(&self, why: &str) {
        let consequence = if self.required() {
            format!("its trials FAIL ({}=1)", self.variable)
        } else {
            format!(
                "its trials are IGNORED (set {}=1 to make this a failure)",
                self.variable
            )
        };
        // Straight to stderr, unbuffered: this must be seen, whatever the runner prints.
        let _ = writeln!(
            std::io::stderr(),
            "\n################################################################\n\
             ### {} is not available: {why}\n\
             ### {consequence}\n\
             ### ({})\n\
             ################################################################\n",
            self.name,
            self.hint
        );
    }
}

/// A trial that runs `test` (a panic is a failure, its message the panic's) once every
/// service in `needs` answers; see the module documentation for a missing one.
pub fn trial(
    name: impl Into<String>,
    needs: &'static [&'static Service],
    test: impl FnOnce() + Send + 'static,
) -> Trial {
    Trial::ignorable_test(name, move || {
        for service in needs {
            if let Some(why) = service.check()? {
                return Ok(Completion::ignored_with(why));
            }
        }
        catch_unwind(AssertUnwindSafe(test)).map_err(|panic| {
            let message = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("the test panicked");
            Failed::from(message)
        })?;
        Ok(Completion::Completed)
    })
}

/// Like [`trial`], for an async test: on a tokio runtime of its own, with `workers`
/// worker threads (`1`: the current-thread runtime of a plain `#[tokio::test]`).
pub fn tokio_trial<F>(
    name: impl Into<String>,
    needs: &'static [&'static Service],
    workers: usize,
    test: impl FnOnce() -> F + Send + 'static,
) -> Trial
where
    F: std::future::Future<Output = ()>,
{
    trial(name, needs, move || {
        let mut runtime = if workers <= 1 {
            tokio::runtime::Builder::new_current_thread()
        } else {
            let mut builder = tokio::runtime::Builder::new_multi_thread();
            builder.worker_threads(workers);
            builder
        };
        runtime
            .enable_all()
            .build()
            .expect("a tokio runtime")
            .block_on(test());
    })
}

/// Runs `trials` with the command line's arguments (`--test-threads` defaulting to
/// `threads`) and exits with the outcome.
pub fn run(trials: Vec<Trial>, threads: usize) -> ! {
    conclude(trials, threads).exit()
}

/// Like [`run`], returning the outcome instead of exiting (to clean up before
/// `Conclusion::exit`).
pub fn conclude(trials: Vec<Trial>, threads: usize) -> libtest_mimic::Conclusion {
    let mut args = Arguments::from_args();
    args.test_threads.get_or_insert(threads);
    libtest_mimic::run(&args, trials)
}

fn probe_redis() -> Result<(), String> {
    let url = redis_url();
    let client = redis::Client::open(url.as_str()).map_err(|e| format!("bad URL {url}: {e}"))?;
    let mut connection = client
        .get_connection_with_timeout(PROBE_TIMEOUT)
        .map_err(|e| format!("no Redis at {url} ({e})"))?;
    let _ = connection.set_read_timeout(Some(PROBE_TIMEOUT));
    let pong: String = redis::cmd("PING")
        .query(&mut connection)
        .map_err(|e| format!("Redis at {url} does not answer PING ({e})"))?;
    if pong == "PONG" {
        Ok(())
    } else {
        Err(format!("Redis at {url} answered PING with {pong:?}"))
    }
}

fn probe_redis_server() -> Result<(), String> {
    probe_binary("redis-server")
}

fn probe_redis_cluster_tools() -> Result<(), String> {
    probe_binary("redis-server").and_then(|()| probe_binary("redis-cli"))
}

/// `<binary> --version` succeeds.
fn probe_binary(binary: &str) -> Result<(), String> {
    match std::process::Command::new(binary)
        .arg("--version")
        .stdout(std::process::Stdio::null())
        .status()
    {
        Ok(status) if status.success() => Ok(()),
        Ok(status) => Err(format!("`{binary} --version` failed ({status})")),
        Err(e) => Err(format!("{binary} is not on PATH ({e})")),
    }
}

fn probe_postgres() -> Result<(), String> {
    use sqlx::Connection;
    let url = postgres_url();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async {
        let connect = sqlx::postgres::PgConnection::connect(&url);
        let mut connection = match tokio::time::timeout(PROBE_TIMEOUT, connect).await {
            Ok(Ok(connection)) => connection,
            Ok(Err(e)) => return Err(format!("no PostgreSQL at {url} ({e})")),
            Err(_) => return Err(format!("PostgreSQL at {url}: connection timed out")),
        };
        sqlx::query_scalar::<_, i32>("SELECT 1")
            .fetch_one(&mut connection)
            .await
            .map(drop)
            .map_err(|e| format!("PostgreSQL at {url} does not answer SELECT 1 ({e})"))
    })
}
