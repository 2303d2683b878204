//! See `src/targets/objects_twitter_v2.rs`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| coordnet_fuzz::targets::objects_twitter_v2::run(data));
