//! See `src/targets/ingest_io_tweets.rs`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| coordnet_fuzz::targets::ingest_io_tweets::run(data));
