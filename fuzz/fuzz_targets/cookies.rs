//! Fuzz target `cookies`: see `portcullis_fuzz::cookies`.
#![no_main]

libfuzzer_sys::fuzz_target!(
    init: portcullis_fuzz::report_stack_overflows(),
    |data: &[u8]| portcullis_fuzz::cookies(data)
);
