//! See `src/targets/edge_list.rs`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| coordnet_fuzz::targets::edge_list::run(data));
