//! See `src/targets/ingest_twitter_v2.rs`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| coordnet_fuzz::targets::ingest_twitter_v2::run(data));
