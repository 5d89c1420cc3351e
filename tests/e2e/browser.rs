//! A real browser (issue 11 item 8): headless Chromium (Debian's `/usr/bin/chromium`)
//! driven by `playwright-core` (`tests/browser/`, pinned and locked, `npm ci` once per
//! test process) through the reference server's pages (`examples/reference/pages.rs`):
//! redirect to the login page and back, the form with the CSRF token accepted, 403
//! without it, no open redirect through `next`, logout, and the session cookie's flags
//! as Chromium stores them. The scenario is `tests/browser/scenario.mjs`; this side
//! starts the server, runs it and asserts the facts it reports.
//!
//! Chromium is installed by `tests/browser/setup.sh` (`.ci/run` runs it), never by the
//! test: without it the trial is ignored with a banner, or fails with
//! `PORTCULLIS_REQUIRE_BROWSER=1`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::server::Server;

/// What the banner of a missing browser calls it.
pub const NAME: &str = "headless Chromium with playwright-core (tests/browser)";
/// `PORTCULLIS_REQUIRE_BROWSER=1`: a missing browser fails the trial instead of ignoring it.
pub const VARIABLE: &str = "PORTCULLIS_REQUIRE_BROWSER";
/// How to provide it.
pub const HINT: &str = "run tests/browser/setup.sh (apt-get install chromium, npm ci in tests/browser)";

const CHROMIUM: &str = "/usr/bin/chromium";
/// The whole scenario (a cold Chromium start included) takes about 20 s on a loaded
/// machine.
const SCENARIO_TIMEOUT: Duration = Duration::from_secs(120);

fn browser_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser")
}

/// The probe: Chromium, Node.js and npm there, `playwright-core` installed.
pub fn probe() -> Result<(), String> {
    if !Path::new(CHROMIUM).is_file() {
        return Err(format!("{CHROMIUM} is missing"));
    }
    crate::idp::probe_node()?;
    crate::idp::npm_ci(&browser_dir(), "playwright-core")
}

/// Runs the scenario against a fresh reference server as alice and checks every fact.
pub fn chromium_logs_in_submits_forms_and_logs_out() {
    let server = Server::start("browser", None, &[]);
    let base = format!("http://127.0.0.1:{}", server.port());
    let facts = run_scenario(&base, "alice", "alice-password-1", &server);

    // 1. The page load without a session: 303 to the login page with the original path.
    assert_eq!(facts["redirect_status"], 303, "{facts:#}");
    let login = "/login?next=%2Fpages%2Fnotes%3Ftab%3Dmine";
    assert_eq!(facts["redirect_location"], login, "{facts:#}");
    assert_eq!(facts["login_url"], login, "{facts:#}");
    // 2. Logged in, back on the original path and query.
    assert_eq!(facts["after_login_url"], "/pages/notes?tab=mine", "{facts:#}");
    assert_eq!(facts["welcome"], "Notes of alice", "{facts:#}");
    // 3. The cookie as stored: HttpOnly, SameSite=Lax, Path=/, persistent (Max-Age);
    // not Secure because the server runs in development mode over plain HTTP (outside
    // it the cookie is `__Host-` and Secure, which the HTTP tests check).
    assert_eq!(
        facts["cookie"],
        serde_json::json!({
            "name": "portcullis_session", "httpOnly": true, "secure": false,
            "sameSite": "Lax", "path": "/", "persistent": true
        }),
        "{facts:#}"
    );
    // 4. and 5. The form with the hidden token, then without.
    assert_eq!(facts["with_token_status"], 200, "{facts:#}");
    assert_eq!(
        facts["saved"], "Saved for alice: hello from chromium",
        "{facts:#}"
    );
    assert_eq!(facts["without_token_status"], 403, "{facts:#}");
    assert_eq!(facts["without_token_code"], "csrf_rejected", "{facts:#}");
    // 6. Only a same-origin `next` is followed.
    assert_eq!(
        facts["next_kept"],
        serde_json::json!({
            "//evil.example/x": "/pages/notes",
            "/\\evil.example": "/pages/notes",
            "https://evil.example": "/pages/notes",
            "/pages/notes?x=1": "/pages/notes?x=1"
        }),
        "{facts:#}"
    );
    // 7. Logout: 204, the cookie gone from the browser, the page redirects again.
    assert_eq!(facts["logout_status"], 204, "{facts:#}");
    assert_eq!(facts["cookies_after_logout"], serde_json::json!([]), "{facts:#}");
    assert_eq!(
        facts["after_logout_url"], "/login?next=%2Fpages%2Fnotes",
        "{facts:#}"
    );
}

/// `node scenario.mjs`: its facts, or a panic with its output and the server's log.
fn run_scenario(base: &str, user: &str, password: &str, server: &Server) -> Value {
    let mut child = Command::new("node")
        .arg("scenario.mjs")
        .args([base, user, password])
        .current_dir(browser_dir())
        .env("CHROMIUM", CHROMIUM)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start node");
    let started = Instant::now();
    while child.try_wait().expect("wait for node").is_none() {
        if started.elapsed() > SCENARIO_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "the browser scenario took more than {SCENARIO_TIMEOUT:?}; server log:\n{}",
                server.log()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let output = child.wait_with_output().expect("read node's output");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let report: Value = stdout
        .lines()
        .rev()
        .find_map(|line| serde_json::from_str(line).ok())
        .unwrap_or_else(|| {
            panic!(
                "no report from the scenario ({});\nstdout: {stdout}\nstderr: {stderr}",
                output.status
            )
        });
    assert!(
        output.status.success() && report["ok"] == true,
        "the browser scenario failed: {report:#}\nstderr: {stderr}\nserver log:\n{}",
        server.log()
    );
    report["facts"].clone()
}
