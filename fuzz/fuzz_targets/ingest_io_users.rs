//! See `src/targets/ingest_io_users.rs`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| coordnet_fuzz::targets::ingest_io_users::run(data));
