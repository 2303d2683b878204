//! See `src/targets/ingest_ira.rs`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| coordnet_fuzz::targets::ingest_ira::run(data));
