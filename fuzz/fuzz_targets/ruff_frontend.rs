#![no_main]
//! See `tandem::fuzz_entry::ruff_frontend` and `fuzz/README.md`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| tandem::fuzz_entry::ruff_frontend(data));
