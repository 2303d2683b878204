//! See `src/targets/ingest_cnt.rs`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| coordnet_fuzz::targets::ingest_cnt::run(data));
