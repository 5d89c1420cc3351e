//! Fuzz target `cookies`: see `portcullis_fuzz::cookies`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| portcullis_fuzz::cookies(data));
