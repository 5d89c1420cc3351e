//! A real local SMTP server for `SmtpMailer`'s tests: `tests/smtp/sink.mjs`, nodemailer's
//! `smtp-server` (pinned in `tests/smtp/package.json`, locked in its
//! `package-lock.json`) on the machine's Node.js, installed by `npm ci` in `tests/smtp`
//! (once per test process, under a lock file: the steps of `tests/support/idp/install.rs`)
//! and run by [`SmtpSink`], one loopback process per test.
//!
//! Used by `tests/services` through `#[path = "../support/smtp_sink.rs"] mod smtp_sink;`
//! beside `mod idp;` (whose installer it uses). A missing Node.js follows the rule of
//! `tests/support/services.rs`: the trial is ignored with a banner, or fails with
//! `PORTCULLIS_REQUIRE_SMTP=1` (as in `.ci/run`).
#![allow(dead_code, unreachable_pub)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::sync::mpsc::{self, Receiver, TryRecvError};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::idp::{npm_ci, probe_node};

/// What the banner of a missing sink calls it.
pub const NAME: &str = "SMTP sink (Node.js, tests/smtp)";
/// `PORTCULLIS_REQUIRE_SMTP=1`: a missing sink fails the trials instead of ignoring them.
pub const VARIABLE: &str = "PORTCULLIS_REQUIRE_SMTP";
/// How to provide it.
pub const HINT: &str = "install Node.js >= 20.18 and npm (apt-get install nodejs npm); \
                        `npm ci` in tests/smtp needs the npm registry once";
/// The user name and password the sink accepts.
pub const USER: &str = "sink";
pub const PASSWORD: &str = "sink-password";

/// How long the sink may take to print its port.
const START_TIMEOUT: Duration = Duration::from_secs(20);

pub fn sink_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join("smtp")
}

/// The probe of the service: Node.js and npm, and the sink installed.
pub fn probe() -> Result<(), String> {
    probe_node()?;
    static INSTALLED: OnceLock<Result<(), String>> = OnceLock::new();
    INSTALLED
        .get_or_init(|| npm_ci(&sink_dir(), "smtp-server"))
        .clone()
}

/// A running sink; killed when dropped.
pub struct SmtpSink {
    child: Child,
    port: u16,
    lines: Receiver<Value>,
}

impl SmtpSink {
    /// Starts the sink on a free loopback port.
    pub fn start() -> SmtpSink {
        if let Err(why) = probe() {
            panic!("the SMTP sink cannot be installed: {why}");
        }
        let mut child = Command::new("node")
            .arg(sink_dir().join("sink.mjs"))
            .env("SINK_USER", USER)
            .env("SINK_PASSWORD", PASSWORD)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start node ({e})"));
        let stdout = child.stdout.take().unwrap();
        let (sender, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { return };
                let value: Value = serde_json::from_str(&line)
                    .unwrap_or_else(|e| panic!("the sink printed {line:?}, not JSON ({e})"));
                if sender.send(value).is_err() {
                    return;
                }
            }
        });
        let first = lines
            .recv_timeout(START_TIMEOUT)
            .unwrap_or_else(|e| panic!("the SMTP sink did not start ({e})"));
        let port = first["port"].as_u64().expect("the port first") as u16;
        SmtpSink { child, port, lines }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The next message the sink received (`{from, to, subject, text, user}`), waiting
    /// up to 10 s without blocking the runtime.
    pub async fn next_mail(&self) -> Value {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match self.lines.try_recv() {
                Ok(line) => return line["mail"].clone(),
                Err(TryRecvError::Disconnected) => panic!("the SMTP sink has exited"),
                Err(TryRecvError::Empty) => {
                    assert!(
                        Instant::now() < deadline,
                        "no mail reached the SMTP sink within 10 s"
                    );
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            }
        }
    }

    /// Whether a message arrived that nobody took yet.
    pub fn has_mail(&self) -> bool {
        self.lines.try_iter().next().is_some()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
