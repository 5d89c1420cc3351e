//! Fuzz target `authorization`: see `portcullis_fuzz::authorization`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| portcullis_fuzz::authorization(data));
