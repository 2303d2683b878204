//! See `src/targets/ingest_twarc_csv.rs`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| coordnet_fuzz::targets::ingest_twarc_csv::run(data));
