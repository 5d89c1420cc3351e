//! Fuzz target `api_key`: see `portcullis_fuzz::api_key`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| portcullis_fuzz::api_key(data));
