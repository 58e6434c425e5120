#![no_main]
//! See `tandem::fuzz_entry::run_limited` and `fuzz/README.md`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| tandem::fuzz_entry::run_limited(data));
