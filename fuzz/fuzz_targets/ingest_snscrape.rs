//! See `src/targets/ingest_snscrape.rs`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| coordnet_fuzz::targets::ingest_snscrape::run(data));
