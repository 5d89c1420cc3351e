//! Compile-time behaviour of `#[auth]`, `#[require]`, `#[permissions]`, `#[derive(AuthUser)]`,
//! `#[derive(Role)]` and `#[derive(Permission)]`: every accepted form compiles (and the
//! handlers really implement axum's `Handler`), and every mistake is refused with the
//! diagnostic snapshotted next to its case in `ui-tests/*/fail/*.stderr`.
//!
//! One trial `ui` (a `libtest-mimic` runner): one trybuild run of every case, which
//! reports each case itself. One run on purpose: from scratch (2 cores, loaded), building
//! the dependencies took 268 s, the 26 pass cases 185 s to build and 46 s to run, and the
//! 110 compile-fail cases 91 s; a separate run of the compile-fail cases would *check*
//! them, which first builds every dependency again in check mode (another 101 s), while
//! in one run they fail before code generation anyway.
//!
//! The runner lives in its own package (`portcullis-ui-tests`) so that trybuild, which
//! builds every case against the runner's dev-dependencies in a target directory of its
//! own, builds only what the cases use, with the features fixed in `ui-tests/Cargo.toml`
//! (whatever features the workspace build unifies).
//!
//! Snapshots belong to rustc 1.95: rustc words some errors differently with other
//! compilers. Elsewhere the trial is reported **ignored**, with a banner naming the
//! difference; with `PORTCULLIS_REQUIRE_UI=1` (`.ci/run`) it fails instead.
//! Regenerate with `TRYBUILD=overwrite cargo test -p portcullis-ui-tests` (see
//! `ui-tests/README.md`).

use std::io::Write;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::process::Command;

use libtest_mimic::{Arguments, Completion, Failed, Trial};

/// The compiler the snapshots were recorded with (`rustc --version` starts with
/// `rustc <this>.`).
const SNAPSHOT_RUSTC: &str = "1.95";

fn main() {
    let args = Arguments::from_args();
    let trials = vec![trial("ui", gate(), || {
        let cases = trybuild::TestCases::new();
        cases.pass("*/pass/*.rs");
        cases.compile_fail("*/fail/*.rs");
    })];
    libtest_mimic::run(&args, trials).exit()
}

/// `Ok(())`: the snapshots apply. `Err(why)`: they do not.
fn gate() -> Result<(), String> {
    let mut differences = Vec::new();
    // trybuild compiles through cargo, which runs `$RUSTC` (or `rustc`, through rustup).
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
    match Command::new(&rustc).arg("--version").output() {
        Ok(output) if output.status.success() => {
            let version = String::from_utf8_lossy(&output.stdout).trim().to_owned();
            if !version.starts_with(&format!("rustc {SNAPSHOT_RUSTC}.")) {
                differences.push(format!(
                    "the snapshots are rustc {SNAPSHOT_RUSTC}'s, but `{rustc} --version` is {version}"
                ));
            }
        }
        Ok(output) => differences.push(format!("`{rustc} --version` failed: {}", output.status)),
        Err(e) => differences.push(format!("`{rustc} --version` did not run: {e}")),
    }
    if differences.is_empty() {
        return Ok(());
    }
    let why = differences.join("; ");
    let consequence = if required() {
        "the UI trials FAIL (PORTCULLIS_REQUIRE_UI=1)"
    } else {
        "the UI trials are IGNORED: the macros' diagnostics are NOT checked \
         (set PORTCULLIS_REQUIRE_UI=1 to make this a failure)"
    };
    let _ = writeln!(
        std::io::stderr(),
        "\n################################################################\n\
         ### UI snapshots do not apply: {why}\n\
         ### {consequence}\n\
         ################################################################\n"
    );
    Err(why)
}

fn required() -> bool {
    std::env::var("PORTCULLIS_REQUIRE_UI").is_ok_and(|v| v == "1")
}

fn trial(name: &str, gate: Result<(), String>, run: impl FnOnce() + Send + 'static) -> Trial {
    Trial::ignorable_test(name, move || {
        if let Err(why) = gate {
            if required() {
                return Err(Failed::from(format!(
                    "UI snapshots required (PORTCULLIS_REQUIRE_UI=1) but {why}"
                )));
            }
            return Ok(Completion::ignored_with(format!(
                "UI snapshots do not apply: {why}"
            )));
        }
        // trybuild panics (after printing each case's result) when a case fails.
        catch_unwind(AssertUnwindSafe(run))
            .map_err(|_| Failed::from("a UI case failed: see trybuild's report above"))?;
        Ok(Completion::Completed)
    })
}
