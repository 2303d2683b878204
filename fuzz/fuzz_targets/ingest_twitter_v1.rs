//! Raw bytes read as Twitter API v1.1 JSON lines (first byte: options, see
//! `coordnet_fuzz::options`). JSON lines are cut at newlines whatever they hold, so a read in
//! small chunks must equal a read in one chunk.
#![no_main]

use coordnet::Format;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (flags, bytes) = coordnet_fuzz::split_flags(data);
    coordnet_fuzz::ingest_compared("fuzz-input.jsonl", bytes, flags, Some(Format::TwitterV1), None, true);
});
