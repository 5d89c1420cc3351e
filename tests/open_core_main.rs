//! Temporary harness for the open-core tests until they join `tests/it`.
mod open_core;
#[path = "support/mod.rs"]
mod support;
