//! A real OpenID provider for the OIDC / JWKS tests: `tests/idp/server.mjs`, panva's
//! `oidc-provider` (pinned in `tests/idp/package.json`, locked in its
//! `package-lock.json`) on the machine's Node.js, installed by [`ensure_installed`]
//! (`npm ci` in `tests/idp`, once per test process, one process at a time) and run by
//! [`Idp`], one loopback process per test.
//!
//! Used by test binaries through `#[path = "../support/idp/mod.rs"] mod idp;`, one file
//! per concern:
//!
//! * this one: the [`Idp`] process (start, restart, stop, pause) and its
//!   [`IdpOptions`];
//! * `install.rs`: [`probe`] and [`ensure_installed`] (`npm ci` under a lock file);
//! * `http.rs`: the requests to the provider (`reqwest::blocking`, each on a thread of
//!   its own, so async tests may call them too): tokens, introspection, revocation,
//!   [`Hits`].
//!
//! It depends on no other support file: the binary makes the `Service` of
//! `services.rs` of it, so that a missing Node.js follows the rule of
//! `tests/support/services.rs` (trial ignored with a banner, or failed with
//! `PORTCULLIS_REQUIRE_IDP=1`):
//!
//! ```ignore
//! static IDP: services::Service = services::Service::new(idp::NAME, idp::VARIABLE, idp::HINT, idp::probe);
//! ```
//!
//! What the provider does (see the header of `tests/idp/server.mjs`):
//!
//! * issuer `http://127.0.0.1:<port>`, discovery, JWKS (`kid`, `alg: RS256` unless
//!   [`IdpOptions::omit_alg`], `use: sig`), token, introspection and revocation
//!   endpoints;
//! * one confidential client ([`Idp::client_id`] / [`Idp::client_secret`],
//!   `client_secret_basic`, grant `client_credentials`, scopes `api:read api:write`);
//! * [`Idp::jwt_token`]: a client-credentials token for the resource
//!   [`Idp::audience`], an RFC 9068 JWT (`typ: at+jwt`, `iss`, `aud` = the audience,
//!   `sub` = `client_id` = the client id, `exp`, `iat`, `jti`, `scope`) with the extra
//!   claims of [`IdpOptions::extra_claims`], signed RS256 by the first of the kids;
//! * [`Idp::opaque_token`]: the same without a resource: an opaque token, which
//!   [`Idp::introspect`] (RFC 7662) reports active with `sub`, `client_id`, `scope`,
//!   `exp`, `iat`, `iss`, `token_type` and the extra claims; the provider refuses to
//!   introspect its JWTs (`unsupported_token_type`);
//! * [`Idp::hits`]: how many requests of each kind reached the process.
//!
//! The provider keeps its tokens in memory: opaque tokens do not survive
//! [`Idp::restart`]; its keys do (the keys file of the `Idp`).
#![allow(dead_code, unreachable_pub)]

mod http;
mod install;
mod options;

use std::fs::{self, File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

// The API of the harness, whichever part a binary uses.
#[allow(unused_imports)]
pub use http::{Hits, Response, form_encode};
#[allow(unused_imports)]
pub use install::{ensure_installed, npm_ci, probe, probe_node};
#[allow(unused_imports)]
pub use options::{AUDIENCE, CLIENT_ID, CLIENT_SECRET, IdpOptions, SCOPES, TOKEN_TTL};

/// What the banner of a missing provider calls it.
pub const NAME: &str = "OpenID provider (Node.js, tests/idp)";
/// `PORTCULLIS_REQUIRE_IDP=1`: a missing provider fails the trials instead of ignoring them.
pub const VARIABLE: &str = "PORTCULLIS_REQUIRE_IDP";
/// How to provide it.
pub const HINT: &str = "install Node.js >= 20.18 and npm (apt-get install nodejs npm); \
                        `npm ci` in tests/idp needs the npm registry once";

/// How long the provider may take to print `READY`.
const START_TIMEOUT: Duration = Duration::from_secs(20);
/// How long a stopped provider may take to exit before it is killed.
const STOP_TIMEOUT: Duration = Duration::from_secs(5);
/// How long [`Idp::restart`] keeps trying to bind the port again.
const REBIND_TIMEOUT: Duration = Duration::from_secs(15);

/// `tests/idp` of this checkout.
pub fn idp_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join("idp")
}

/// A running provider (`node tests/idp/server.mjs`) of one test, on a loopback port
/// that stays the same across [`Idp::stop`] / [`Idp::restart`], with a keys file in a
/// temporary directory of its own. Dropping it (also while unwinding from a failed
/// assertion) stops the process and removes the directory; should the test process
/// die without unwinding, the provider exits when its stdin closes.
pub struct Idp {
    child: Option<Child>,
    /// Closing it asks the provider to exit (`IDP_EXIT_ON_STDIN_EOF=1`).
    stdin: Option<ChildStdin>,
    port: u16,
    issuer: String,
    dir: PathBuf,
    options: IdpOptions,
    /// Where the provider's stderr goes, and how long it was when the current process
    /// started.
    log: PathBuf,
    log_start: u64,
    /// Between [`Idp::pause`] and [`Idp::resume`].
    paused: AtomicBool,
}

impl Idp {
    /// A provider publishing `kids` (the first signs), with the default options, on a
    /// free port and a fresh keys file.
    pub fn start(kids: &[&str]) -> Idp {
        Idp::start_with(IdpOptions::with_kids(kids))
    }

    /// A provider with `options`, on a free port and a fresh keys file.
    pub fn start_with(options: IdpOptions) -> Idp {
        if let Err(why) = ensure_installed() {
            panic!("the IdP cannot be installed: {why}");
        }
        assert!(!options.kids.is_empty(), "an IdP needs at least one kid");
        let dir = unique_dir();
        fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("create {}: {e}", dir.display()));
        let mut idp = Idp {
            child: None,
            stdin: None,
            port: 0,
            issuer: String::new(),
            log: dir.join("idp.log"),
            log_start: 0,
            paused: AtomicBool::new(false),
            dir,
            options,
        };
        idp.spawn(None)
            .unwrap_or_else(|why| panic!("the IdP did not start: {why}"));
        idp
    }

    /// `http://127.0.0.1:<port>`, exactly the `iss` of its tokens.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `<issuer>/.well-known/openid-configuration`.
    pub fn discovery_url(&self) -> String {
        format!("{}/.well-known/openid-configuration", self.issuer)
    }

    /// `<issuer>/jwks` (as discovery says).
    pub fn jwks_url(&self) -> String {
        format!("{}/jwks", self.issuer)
    }

    pub fn token_endpoint(&self) -> String {
        format!("{}/token", self.issuer)
    }

    pub fn introspection_endpoint(&self) -> String {
        format!("{}/token/introspection", self.issuer)
    }

    pub fn revocation_endpoint(&self) -> String {
        format!("{}/token/revocation", self.issuer)
    }

    pub fn audience(&self) -> &str {
        &self.options.audience
    }

    pub fn client_id(&self) -> &str {
        &self.options.client_id
    }

    pub fn client_secret(&self) -> &str {
        &self.options.client_secret
    }

    pub fn options(&self) -> &IdpOptions {
        &self.options
    }

    /// The JSON file `{ "<kid>": <private RSA JWK>, ... }` of this provider.
    pub fn keys_file(&self) -> PathBuf {
        self.dir.join("keys.json")
    }

    /// Whether the process is running (between a start and a [`Idp::stop`]).
    pub fn running(&self) -> bool {
        self.child.is_some()
    }

    /// Restarts the provider on the same port with the same keys file, publishing
    /// `kids` (the first signs; a new kid gets a new key). Rotation: `["k2", "k1"]`,
    /// then `["k2"]` to withdraw `k1`. Works after [`Idp::stop`] too.
    pub fn restart(&mut self, kids: &[&str]) {
        let options = IdpOptions {
            kids: kids.iter().map(|&kid| kid.to_owned()).collect(),
            ..self.options.clone()
        };
        self.restart_with(options);
    }

    /// Like [`Idp::restart`], with other options (same port, same keys file).
    pub fn restart_with(&mut self, options: IdpOptions) {
        assert!(!options.kids.is_empty(), "an IdP needs at least one kid");
        self.stop();
        self.options = options;
        let port = self.port;
        let deadline = Instant::now() + REBIND_TIMEOUT;
        loop {
            match self.spawn(Some(port)) {
                Ok(()) => return,
                // The port may linger briefly, or another test may have taken it.
                Err(why) if why.contains("EADDRINUSE") && Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(200));
                }
                Err(why) => panic!("the IdP did not restart on port {port}: {why}"),
            }
        }
    }

    /// Stops the provider and waits until the process is gone (its port refuses
    /// connections); [`Idp::restart`] brings it back on the same port.
    pub fn stop(&mut self) {
        if self.paused.swap(false, Ordering::SeqCst) {
            self.signal("-CONT");
        }
        let Some(mut child) = self.child.take() else {
            return;
        };
        // Closing stdin is the provider's cue to exit (no signal needed).
        drop(self.stdin.take());
        let deadline = Instant::now() + STOP_TIMEOUT;
        loop {
            match child.try_wait() {
                Ok(Some(_)) => break,
                Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
                _ => {
                    let _ = child.kill();
                    let _ = child.wait();
                    break;
                }
            }
        }
    }

    /// Freezes the provider (SIGSTOP): connections are accepted by the kernel but
    /// nothing answers, like a hung host. [`Idp::resume`] undoes it.
    pub fn pause(&self) {
        self.signal("-STOP");
        self.paused.store(true, Ordering::SeqCst);
    }

    /// Resumes a paused provider (SIGCONT).
    pub fn resume(&self) {
        self.signal("-CONT");
        self.paused.store(false, Ordering::SeqCst);
    }

    fn signal(&self, signal: &str) {
        let pid = self.child.as_ref().expect("the IdP is running").id().to_string();
        let status = Command::new("kill")
            .args([signal, &pid])
            .status()
            .expect("run kill");
        assert!(status.success(), "kill {signal} {pid}: {status}");
    }

    /// Starts the process on `port` (`None`: a free one) and waits for `READY`.
    fn spawn(&mut self, port: Option<u16>) -> Result<(), String> {
        assert!(self.child.is_none(), "the IdP is already running");
        let log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .map_err(|e| format!("open {}: {e}", self.log.display()))?;
        self.log_start = log.metadata().map(|m| m.len()).unwrap_or(0);
        let options = &self.options;
        let mut child = Command::new("node")
            .arg(idp_dir().join("server.mjs"))
            .current_dir(idp_dir())
            .env("IDP_PORT", port.unwrap_or(0).to_string())
            .env("IDP_KEYS_FILE", self.keys_file())
            .env("IDP_KIDS", options.kids.join(","))
            .env("IDP_OMIT_ALG", if options.omit_alg { "1" } else { "0" })
            .env("IDP_CLIENT_ID", &options.client_id)
            .env("IDP_CLIENT_SECRET", &options.client_secret)
            .env("IDP_SCOPES", &options.scopes)
            .env("IDP_AUDIENCE", &options.audience)
            .env("IDP_EXTRA_CLAIMS", options.extra_claims.to_string())
            .env("IDP_TOKEN_TTL", options.token_ttl.to_string())
            .env("IDP_EXIT_ON_STDIN_EOF", "1")
            .env_remove("NODE_OPTIONS")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .map_err(|e| format!("cannot run node ({e})"))?;
        self.stdin = child.stdin.take();
        let stdout = child.stdout.take().expect("piped stdout");
        self.child = Some(child);

        // The first line of stdout, read on a thread of its own (for the timeout); the
        // thread then drains stdout until the process exits.
        let (sender, receiver) = mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            let _ = sender.send(lines.next());
            for _ in lines {}
        });
        let ready = match receiver.recv_timeout(START_TIMEOUT) {
            Ok(Some(Ok(line))) => line
                .strip_prefix("READY ")
                .map(str::to_owned)
                .ok_or_else(|| format!("the IdP printed {line:?} instead of READY")),
            Ok(_) => Err("the IdP exited before it was ready".to_owned()),
            Err(_) => Err(format!(
                "the IdP was not ready within {} s",
                START_TIMEOUT.as_secs()
            )),
        };
        match ready {
            Ok(issuer) => {
                self.port = issuer
                    .rsplit(':')
                    .next()
                    .and_then(|port| port.parse().ok())
                    .ok_or_else(|| format!("no port in the issuer {issuer:?}"))?;
                self.issuer = issuer;
                Ok(())
            }
            Err(why) => {
                self.stop();
                Err(format!("{why}{}", self.log_tail()))
            }
        }
    }

    /// What the current process wrote to stderr, for a panic message.
    fn log_tail(&self) -> String {
        let mut text = String::new();
        if let Ok(mut file) = File::open(&self.log) {
            let _ = file.seek(SeekFrom::Start(self.log_start));
            let _ = file.read_to_string(&mut text);
        }
        let lines: Vec<&str> = text.lines().collect();
        let tail = lines[lines.len().saturating_sub(40)..].join("\n");
        format!("\n--- IdP stderr ({}) ---\n{tail}", self.log.display())
    }
}

impl Drop for Idp {
    fn drop(&mut self) {
        self.stop();
        if std::thread::panicking() {
            // Keep the log (and keys) of a failed test.
            let _ = writeln!(std::io::stderr(), "idp: log kept in {}", self.log.display());
        } else {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

/// A directory name no other provider (or test run) uses.
fn unique_dir() -> PathBuf {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    std::env::temp_dir().join(format!("portcullis-idp-{}-{nanos:x}-{n}", std::process::id()))
}
