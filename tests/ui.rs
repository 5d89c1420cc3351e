//! Compile-time behaviour of `#[auth]`, `#[require]`, `#[permissions]`, `#[derive(AuthUser)]`
//! and `#[derive(Role)]`: every accepted form compiles (and the handlers really implement
//! axum's `Handler`), and every mistake is refused with the diagnostic snapshotted next to
//! its case in `ui-tests/*/fail/*.stderr`.
//!
//! Snapshots belong to rustc 1.95 and to the README's feature set (`--all-features`):
//! rustc words some errors differently when optional dependencies are in the graph (it
//! writes `std::hash::Hash` once another `Hash` is visible), so the cases run only with
//! every feature on. Regenerate with
//! `TRYBUILD=overwrite cargo test --all-features --test ui` (see `ui-tests/README.md`).
#![cfg(feature = "redis")]

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.pass("ui-tests/*/pass/*.rs");
    cases.compile_fail("ui-tests/*/fail/*.rs");
}
