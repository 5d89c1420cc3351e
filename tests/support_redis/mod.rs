//! Redis fixtures of the integration tests: connect-or-skip to the local Redis, random
//! key prefixes, and a throwaway `redis-server` that dies with its guard.
//!
//! Without Redis the Redis tests print a loud SKIPPED line and pass, unless
//! `PORTCULLIS_REQUIRE_REDIS=1` is set (CI): then they fail.
#![allow(dead_code, missing_docs, unreachable_pub)]

use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use portcullis::RedisStore;

/// The Redis the store tests use, unless `PORTCULLIS_REDIS_URL` names another.
pub const LOCAL_URL: &str = "redis://127.0.0.1:6379";

pub fn local_url() -> String {
    std::env::var("PORTCULLIS_REDIS_URL").unwrap_or_else(|_| LOCAL_URL.to_owned())
}

/// Whether Redis tests must run (`PORTCULLIS_REQUIRE_REDIS=1`).
pub fn required() -> bool {
    std::env::var("PORTCULLIS_REQUIRE_REDIS").is_ok_and(|v| v == "1")
}

/// Says loudly that `test` is skipped, or fails it when Redis is required.
pub fn skip(test: &str, why: &str) {
    assert!(
        !required(),
        "{test}: Redis is required (PORTCULLIS_REQUIRE_REDIS=1) but {why}"
    );
    // Straight to the process's stderr: `eprintln!` output of a passing test is captured
    // by the test harness and never shown, and a skip must not go unnoticed.
    let _ = writeln!(
        std::io::stderr(),
        "\n!!!!!!!! SKIPPED Redis test {test}: {why}\n\
         !!!!!!!! (start Redis on 127.0.0.1:6379 or set PORTCULLIS_REDIS_URL, put redis-server on PATH, \
         or set PORTCULLIS_REQUIRE_REDIS=1 to make this a failure)\n"
    );
}

/// A key prefix no other test (or test run) uses, so tests share one Redis in parallel.
pub fn prefix() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_nanos();
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("portcullis-test:{}:{nanos:x}:{n}", std::process::id())
}

/// A store on the local Redis with a fresh prefix, or `None` (after [`skip`]) when
/// there is no Redis.
pub async fn local_store(test: &str) -> Option<RedisStore> {
    let url = local_url();
    match RedisStore::connect(&url, &prefix()).await {
        Ok(store) => Some(store),
        Err(e) => {
            skip(test, &format!("no Redis at {url} ({e})"));
            None
        }
    }
}

/// A `redis-server` of this test alone, on a free loopback port, without persistence,
/// in its own temporary directory. Dropping the guard (also while unwinding from a
/// failed assertion) kills the server and removes the directory.
pub struct RedisServer {
    child: Option<Child>,
    port: u16,
    dir: PathBuf,
}

impl RedisServer {
    /// Starts a server, or `None` (after [`skip`]) when `redis-server` is not on PATH.
    pub fn start(test: &str) -> Option<Self> {
        match Command::new("redis-server")
            .arg("--version")
            .stdout(Stdio::null())
            .status()
        {
            Ok(status) if status.success() => {}
            Ok(status) => {
                skip(test, &format!("`redis-server --version` failed ({status})"));
                return None;
            }
            Err(e) => {
                skip(test, &format!("redis-server is not on PATH ({e})"));
                return None;
            }
        }
        let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let dir = std::env::temp_dir().join(format!("portcullis-redis-{}", prefix().replace(':', "-")));
        std::fs::create_dir_all(&dir).unwrap();
        let mut server = RedisServer {
            child: None,
            port,
            dir,
        };
        server.spawn();
        Some(server)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Starts the server again on the same port (after [`RedisServer::stop`]).
    pub fn spawn(&mut self) {
        assert!(self.child.is_none(), "redis-server already running");
        let child = Command::new("redis-server")
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .arg("--dir")
            .arg(&self.dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn redis-server");
        self.child = Some(child);
        self.wait_ready();
    }

    /// Kills the server and waits for it to be gone.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        assert!(
            TcpStream::connect_timeout(&([127, 0, 0, 1], self.port).into(), Duration::from_millis(200))
                .is_err(),
            "port {} still accepts connections after redis-server was killed",
            self.port
        );
    }

    /// Freezes the server (SIGSTOP): connections stay open but nothing answers, like a
    /// hung host.
    pub fn pause(&self) {
        self.signal("-STOP");
    }

    /// Resumes a paused server (SIGCONT).
    pub fn resume(&self) {
        self.signal("-CONT");
    }

    fn signal(&self, signal: &str) {
        let pid = self
            .child
            .as_ref()
            .expect("redis-server running")
            .id()
            .to_string();
        let status = Command::new("kill")
            .args([signal, &pid])
            .status()
            .expect("run kill");
        assert!(status.success(), "kill {signal} {pid}: {status}");
    }

    fn wait_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if self.ping() {
                return;
            }
            if let Some(child) = self.child.as_mut()
                && let Ok(Some(status)) = child.try_wait()
            {
                panic!("redis-server on port {} exited at start-up: {status}", self.port);
            }
            assert!(
                Instant::now() < deadline,
                "redis-server on port {} did not answer PING",
                self.port
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn ping(&self) -> bool {
        let Ok(mut stream) =
            TcpStream::connect_timeout(&([127, 0, 0, 1], self.port).into(), Duration::from_millis(200))
        else {
            return false;
        };
        let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
        let mut reply = [0u8; 7];
        stream.write_all(b"PING\r\n").is_ok()
            && stream.read_exact(&mut reply).is_ok()
            && &reply == b"+PONG\r\n"
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
