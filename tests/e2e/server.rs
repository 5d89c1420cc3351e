//! The reference server as a child process: the example binary `cargo test` builds,
//! started on a free loopback port with its own temporary directory (SQLite file and
//! log). Dropping the guard — also while a failed trial unwinds — kills the process
//! and removes the directory; a failing trial gets the tail of the server's log.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use super::client::{Request, Response};

/// The HS256 secret every test server signs its tokens with (48 bytes).
pub const JWT_SECRET: &str = "reference-e2e-secret-0123456789-abcdefghijklmnop";

/// How long the server may take to accept connections.
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// A name no other test (or concurrent test run) uses.
pub fn unique(tag: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_nanos();
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("{tag}_{}_{nanos:x}_{n}", std::process::id())
}

/// The example binary beside the test binary: `<target>/<profile>/examples/reference`.
pub fn example_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("the test binary lives in <target>/<profile>/deps");
    profile_dir
        .join("examples")
        .join(format!("reference{}", std::env::consts::EXE_SUFFIX))
}

/// A temporary directory removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> Self {
        let path = std::env::temp_dir().join(unique(&format!("portcullis-e2e-{tag}")));
        std::fs::create_dir_all(&path).unwrap_or_else(|e| panic!("create {}: {e}", path.display()));
        TempDir(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A running reference server. Field order matters: the process is killed (in `Drop`)
/// before the directory holding its database and log is removed.
pub struct Server {
    child: Child,
    port: u16,
    log: PathBuf,
    label: String,
    dir: TempDir,
}

impl Server {
    /// Starts the server with `env` (on top of the test defaults) and waits until its
    /// port accepts connections. `database_url` of `None` means a SQLite file in the
    /// server's temporary directory.
    pub fn start(label: &str, database_url: Option<&str>, env: &[(&str, &str)]) -> Server {
        let binary = example_binary();
        assert!(
            binary.exists(),
            "{} is built by `cargo test` (with `--test e2e` alone, add `--example reference`)",
            binary.display()
        );
        let mut dir = TempDir::new(label);
        let sqlite = format!("sqlite://{}/ref.db?mode=rwc", dir.path().display());
        let database_url = database_url.map_or(sqlite, str::to_owned);
        let log = dir.path().join("server.log");
        // The port is free when chosen and may be taken again before the server binds
        // it (every trial runs in parallel): a server that could not bind is started
        // again on another port.
        for attempt in 1..=PORT_ATTEMPTS {
            let log_file = std::fs::File::create(&log).expect("create the server log");
            let port = free_port();
            let mut command = Command::new(&binary);
            command
                .env_clear()
                .env("PATH", std::env::var_os("PATH").unwrap_or_default())
                .env("PORTCULLIS_ADDR", format!("127.0.0.1:{port}"))
                .env("PORTCULLIS_DATABASE_URL", &database_url)
                .env("PORTCULLIS_DEV", "1")
                .env("PORTCULLIS_JWT_SECRET", JWT_SECRET)
                .env("RUST_LOG", "warn")
                .stdin(Stdio::null())
                .stdout(log_file.try_clone().expect("clone the log handle"))
                .stderr(log_file);
            for (name, value) in env {
                command.env(name, value);
            }
            // Whatever the filter, the server's own "listening" line is logged: it tells
            // this server from another process that holds the port.
            let filter = env
                .iter()
                .find(|(name, _)| *name == "RUST_LOG")
                .map_or("warn", |(_, value)| value);
            command.env("RUST_LOG", format!("{filter},reference=info"));
            let child = command
                .spawn()
                .unwrap_or_else(|e| panic!("start {}: {e}", binary.display()));
            let mut server = Server {
                child,
                port,
                log: log.clone(),
                label: label.to_owned(),
                dir,
            };
            match server.wait_ready() {
                Ready::Listening => return server,
                Ready::PortTaken if attempt < PORT_ATTEMPTS => {
                    dir = std::mem::replace(&mut server.dir, TempDir::new(label));
                    let _ = server.child.wait();
                }
                Ready::PortTaken => panic!(
                    "[{label}] the reference server found its port taken {PORT_ATTEMPTS} times; its log:\n{}",
                    server.log()
                ),
            }
        }
        unreachable!("the loop returns or panics")
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The server's process id (to read its memory in `/proc`).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends `request` to this server.
    pub fn send(&self, request: Request) -> Response {
        request.send(self.port)
    }

    /// The server's output so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Waits until the server logs that it listens (and still runs).
    fn wait_ready(&mut self) -> Ready {
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                if self.log().contains("Address already in use") {
                    return Ready::PortTaken;
                }
                panic!(
                    "[{}] the reference server exited at start-up ({status}); its log:\n{}",
                    self.label,
                    self.log()
                );
            }
            if self.log().contains("reference server listening")
                && TcpStream::connect_timeout(&([127, 0, 0, 1], self.port).into(), Duration::from_millis(200))
                    .is_ok()
            {
                return Ready::Listening;
            }
            assert!(
                Instant::now() < deadline,
                "[{}] the reference server did not accept connections on port {} within {:?}; its log:\n{}",
                self.label,
                self.port,
                START_TIMEOUT,
                self.log()
            );
            std::thread::sleep(Duration::from_millis(25));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            let log = self.log();
            let tail: Vec<&str> = log.lines().rev().take(40).collect();
            eprintln!(
                "---- [{}] last lines of the reference server's log ({}):",
                self.label,
                self.dir.path().display()
            );
            for line in tail.iter().rev() {
                eprintln!("{line}");
            }
        }
    }
}

/// How a start ended.
enum Ready {
    Listening,
    /// Another process bound the chosen port first.
    PortTaken,
}

/// Starts on another port after a port taken in between, at most this often.
const PORT_ATTEMPTS: u32 = 5;

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("bind an ephemeral port")
        .local_addr()
        .expect("local address")
        .port()
}
