//! Property tests (`proptest`): generated inputs through real HTTP requests (an axum
//! `Router` with `oneshot`), each property checked against what the input must give.
//!
//! * [`round_trip`]: a token issued with every supported algorithm verifies; the same
//!   token with its signature altered does not;
//! * [`time`]: `exp`, `nbf` and `iat` just inside the leeway pass, just outside fail;
//! * [`basic`]: Basic credentials of arbitrary UTF-8 with colons split at the first colon;
//! * [`base64`]: the base64 variants the Basic and JWT parsers must refuse;
//! * [`requirements`]: `#[require]` expressions against a reference interpreter.
//!
//! The number of cases keeps the whole binary under 20 s in debug on 2 cores
//! (`cargo test --test properties`); `PROPTEST_CASES` raises it for a longer run.

// Not every shared helper is used here.
#[allow(unused_imports)]
#[path = "../support/mod.rs"]
mod support;

mod base64;
mod basic;
mod requirements;
mod round_trip;
mod time;

use proptest::test_runner::Config;

/// `cases` cases (or `PROPTEST_CASES`), no regression files written.
fn config(cases: u32) -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(cases);
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

/// One runtime per property: the cases' requests run on it one after the other.
fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}
