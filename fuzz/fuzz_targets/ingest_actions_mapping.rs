//! See `src/targets/ingest_actions_mapping.rs`.
#![no_main]

libfuzzer_sys::fuzz_target!(
    |data: &[u8]| coordnet_fuzz::targets::ingest_actions_mapping::run(data)
);
