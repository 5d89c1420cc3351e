//! Fuzz target `jwt`: see `portcullis_fuzz::jwt`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| portcullis_fuzz::jwt(data));
