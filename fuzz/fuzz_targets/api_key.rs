//! Fuzz target `api_key`: see `portcullis_fuzz::api_key`.
#![no_main]

libfuzzer_sys::fuzz_target!(
    init: portcullis_fuzz::report_stack_overflows(),
    |data: &[u8]| portcullis_fuzz::api_key(data)
);
