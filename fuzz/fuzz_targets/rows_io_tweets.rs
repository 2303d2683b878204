//! See `src/targets/rows_io_tweets.rs`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| coordnet_fuzz::targets::rows_io_tweets::run(data));
