//! Compile-time behaviour of `#[auth]`, `#[require]`, `#[permissions]`, `#[derive(AuthUser)]`
//! and `#[derive(Role)]`: every accepted form compiles (and the handlers really implement
//! axum's `Handler`), and every mistake is refused with the diagnostic snapshotted next to
//! its case in `ui-tests/*/fail/*.stderr`.
//!
//! Snapshots belong to rustc 1.95; regenerate with `TRYBUILD=overwrite cargo test --test ui`
//! (see `ui-tests/README.md`).

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.pass("ui-tests/*/pass/*.rs");
    cases.compile_fail("ui-tests/*/fail/*.rs");
}
