//! Fuzz target `require_expr`: see `portcullis_fuzz::require_expr`.
#![no_main]

libfuzzer_sys::fuzz_target!(
    init: portcullis_fuzz::report_stack_overflows(),
    |data: &[u8]| portcullis_fuzz::require_expr(data)
);
