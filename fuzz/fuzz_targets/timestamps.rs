//! See `src/targets/timestamps.rs`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| coordnet_fuzz::targets::timestamps::run(data));
