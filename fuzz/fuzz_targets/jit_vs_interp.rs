#![no_main]
//! See `tandem::fuzz_entry::jit_vs_interp` and `fuzz/README.md`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| tandem::fuzz_entry::jit_vs_interp(data));
