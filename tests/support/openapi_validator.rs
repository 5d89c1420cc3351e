//! An OpenAPI validator for the tests: `tests/openapi/validate.mjs`, Seriousme's
//! `@seriousme/openapi-schema-validator` (the official OAS 2.0–3.2 JSON Schemas run by
//! ajv; pinned in `tests/openapi/package.json`, locked in its `package-lock.json`) on
//! the machine's Node.js, installed by `npm ci` in `tests/openapi` (once per test
//! process, under a lock file: the steps of `tests/support/idp/install.rs`).
//!
//! Used by `tests/e2e` through `#[path = "../support/openapi_validator.rs"] mod
//! openapi_validator;` beside `mod idp;` (whose installer it uses). A missing Node.js
//! follows the rule of `tests/support/services.rs`: the trial is ignored with a banner,
//! or fails with `PORTCULLIS_REQUIRE_OPENAPI=1` (as in `.ci/run`).
#![allow(dead_code, unreachable_pub)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use serde_json::Value;

use crate::idp::{npm_ci, probe_node};

/// What the banner of a missing validator calls it.
pub const NAME: &str = "OpenAPI validator (Node.js, tests/openapi)";
/// `PORTCULLIS_REQUIRE_OPENAPI=1`: a missing validator fails the trials instead of
/// ignoring them.
pub const VARIABLE: &str = "PORTCULLIS_REQUIRE_OPENAPI";
/// How to provide it.
pub const HINT: &str = "install Node.js >= 20.18 and npm (apt-get install nodejs npm); \
                        `npm ci` in tests/openapi needs the npm registry once";

pub fn validator_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("openapi")
}

/// The probe of the service: Node.js and npm, and the validator installed.
pub fn probe() -> Result<(), String> {
    probe_node()?;
    static INSTALLED: OnceLock<Result<(), String>> = OnceLock::new();
    INSTALLED
        .get_or_init(|| npm_ci(&validator_dir(), "@seriousme/openapi-schema-validator"))
        .clone()
}

/// The validator's verdict on a document.
#[derive(Debug)]
pub struct Verdict {
    /// Whether the document matches the OAS JSON Schema of its version.
    pub valid: bool,
    /// The version it was validated as (`3.1`), when valid.
    pub version: Option<String>,
    /// The schema violations (ajv's errors), when invalid.
    pub errors: Value,
    /// `true` when every internal `$ref` resolves, else the reason (valid documents).
    pub refs_resolve: Value,
}

/// Validates `document`; panics when the validator cannot run or judge.
pub fn validate(document: &Value) -> Verdict {
    let mut child = Command::new("node")
        .arg(validator_dir().join("validate.mjs"))
        .current_dir(validator_dir())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run node ({e})"));
    let text = serde_json::to_vec(document).expect("a JSON value serializes");
    child
        .stdin
        .take()
        .expect("piped stdin")
        .write_all(&text)
        .expect("write the document to the validator");
    let output = child.wait_with_output().expect("the validator runs");
    assert!(
        output.status.success(),
        "the validator could not judge the document ({}): {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    let verdict: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "the validator's answer is not JSON ({e}): {}",
            String::from_utf8_lossy(&output.stdout)
        )
    });
    Verdict {
        valid: verdict["valid"].as_bool().expect("`valid` is a boolean"),
        version: verdict["version"].as_str().map(str::to_owned),
        errors: verdict["errors"].clone(),
        refs_resolve: verdict["refsResolve"].clone(),
    }
}
