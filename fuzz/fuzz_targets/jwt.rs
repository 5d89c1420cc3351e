//! Fuzz target `jwt`: see `portcullis_fuzz::jwt`.
#![no_main]

libfuzzer_sys::fuzz_target!(
    init: portcullis_fuzz::report_stack_overflows(),
    |data: &[u8]| portcullis_fuzz::jwt(data)
);
