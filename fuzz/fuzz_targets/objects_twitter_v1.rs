//! See `src/targets/objects_twitter_v1.rs`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| coordnet_fuzz::targets::objects_twitter_v1::run(data));
