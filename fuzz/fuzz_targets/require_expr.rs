//! Fuzz target `require_expr`: see `portcullis_fuzz::require_expr`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| portcullis_fuzz::require_expr(data));
