//! Raw bytes read as Twitter API v2 JSON lines (first byte: options, see
//! `crate::options`). JSON lines are cut at newlines whatever they hold, so a read in
//! small chunks must equal a read in one chunk.

use coordnet::Format;

/// One execution on `data`.
pub fn run(data: &[u8]) {
    let (flags, bytes) = crate::split_flags(data);
    crate::ingest_compared(
        "fuzz-input.jsonl",
        bytes,
        flags,
        Some(Format::TwitterV2),
        None,
        true,
    );
}
