//! The provider's installation: the probe of the service (`node` and `npm` on PATH,
//! `node` recent enough) and `npm ci` in `tests/idp`, once per test process and under a
//! lock file, so that two test binaries running at once do not both install. The same
//! steps install the SMTP sink of `tests/smtp` ([`probe_node`], [`npm_ci`]).

use std::fs::{self, OpenOptions};
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::idp_dir;

/// How long a test process waits for another one's `npm ci`.
const INSTALL_LOCK_TIMEOUT: Duration = Duration::from_secs(300);

/// The probe of the service: `node` (>= 20.18: `URL.parse`) and `npm` on PATH, and the
/// provider installed ([`ensure_installed`]).
pub fn probe() -> Result<(), String> {
    probe_node()?;
    ensure_installed()
}

/// `node` (>= 20.18) and `npm` on PATH.
pub fn probe_node() -> Result<(), String> {
    let version = command_version("node")?;
    let (major, minor) =
        parse_version(&version).ok_or_else(|| format!("cannot read the version of node: {version:?}"))?;
    if (major, minor) < (20, 18) {
        return Err(format!(
            "node {version} is too old (oidc-provider needs 20.18 or later)"
        ));
    }
    command_version("npm")?;
    Ok(())
}

/// Installs `tests/idp`'s packages (`npm ci --no-audit --no-fund`) unless the pinned
/// `oidc-provider` is already there: once per process, and under a lock file so that
/// two test binaries running at once do not both run `npm ci` in the same directory.
pub fn ensure_installed() -> Result<(), String> {
    static INSTALLED: OnceLock<Result<(), String>> = OnceLock::new();
    INSTALLED
        .get_or_init(|| npm_ci(&idp_dir(), "oidc-provider"))
        .clone()
}

/// `npm ci --no-audit --no-fund` in `dir` unless the version of `package` that its
/// `package.json` pins is installed already; under a lock file in `dir`.
pub fn npm_ci(dir: &Path, package: &str) -> Result<(), String> {
    let dir = dir.to_owned();
    let wanted = pinned_version(&dir, package)?;
    if installed_version(&dir, package).as_deref() == Some(wanted.as_str()) {
        return Ok(());
    }
    let _lock = InstallLock::acquire(&dir.join(".npm-ci.lock"))?;
    // Another process may have installed it while this one waited.
    if installed_version(&dir, package).as_deref() == Some(wanted.as_str()) {
        return Ok(());
    }
    let started = Instant::now();
    let output = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(&dir)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run npm ci ({e})"))?;
    if !output.status.success() {
        return Err(format!(
            "`npm ci` in {} failed ({}):\n{}{}",
            dir.display(),
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    match installed_version(&dir, package) {
        Some(version) if version == wanted => {
            let _ = writeln!(
                std::io::stderr(),
                "npm ci in {} installed {package} {version} in {:.1} s",
                dir.display(),
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        other => Err(format!(
            "`npm ci` succeeded but {package} is {other:?}, not {wanted} (package-lock.json out of date?)"
        )),
    }
}

/// The version of `package` that `dir`'s `package.json` pins.
fn pinned_version(dir: &Path, package: &str) -> Result<String, String> {
    let path = dir.join("package.json");
    let text = fs::read_to_string(&path).map_err(|e| format!("cannot read {} ({e})", path.display()))?;
    let json: Value =
        serde_json::from_str(&text).map_err(|e| format!("{} is not JSON ({e})", path.display()))?;
    json["dependencies"][package]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| format!("{} has no dependency {package}", path.display()))
}

/// The version of the installed `package`, if a completed install has one (npm
/// writes `node_modules/.package-lock.json` at the end of an install).
fn installed_version(dir: &Path, package: &str) -> Option<String> {
    let modules = dir.join("node_modules");
    if !modules.join(".package-lock.json").is_file() {
        return None;
    }
    let text = fs::read_to_string(modules.join(package).join("package.json")).ok()?;
    let json: Value = serde_json::from_str(&text).ok()?;
    json["version"].as_str().map(str::to_owned)
}

fn command_version(program: &str) -> Result<String, String> {
    match Command::new(program)
        .arg("--version")
        .stdin(Stdio::null())
        .output()
    {
        Ok(output) if output.status.success() => {
            Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
        }
        Ok(output) => Err(format!("`{program} --version` failed ({})", output.status)),
        Err(e) => Err(format!("{program} is not on PATH ({e})")),
    }
}

/// `v20.20.2` → `(20, 20)`.
fn parse_version(version: &str) -> Option<(u32, u32)> {
    let mut parts = version.trim().trim_start_matches('v').split('.');
    Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
}

/// A lock file made with `create_new` (atomic), holding the owner's pid; removed on drop.
/// One left by a dead process (or older than the longest install) is taken over.
struct InstallLock(PathBuf);

impl InstallLock {
    fn acquire(path: &Path) -> Result<InstallLock, String> {
        let deadline = Instant::now() + INSTALL_LOCK_TIMEOUT;
        loop {
            match OpenOptions::new().write(true).create_new(true).open(path) {
                Ok(mut file) => {
                    let _ = write!(file, "{}", std::process::id());
                    return Ok(InstallLock(path.to_owned()));
                }
                Err(e) if e.kind() == ErrorKind::AlreadyExists => {
                    if Self::stale(path) {
                        let _ = fs::remove_file(path);
                        continue;
                    }
                }
                Err(e) => return Err(format!("cannot create the lock {} ({e})", path.display())),
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "another process has held {} for {} s (remove it if no npm ci is running)",
                    path.display(),
                    INSTALL_LOCK_TIMEOUT.as_secs()
                ));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn stale(path: &Path) -> bool {
        let old = fs::metadata(path)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|modified| modified.elapsed().ok())
            .is_some_and(|age| age > INSTALL_LOCK_TIMEOUT);
        let dead_owner = cfg!(target_os = "linux")
            && fs::read_to_string(path)
                .ok()
                .and_then(|pid| pid.trim().parse::<u32>().ok())
                .is_some_and(|pid| !Path::new(&format!("/proc/{pid}")).exists());
        old || dead_owner
    }
}

impl Drop for InstallLock {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.0);
    }
}
