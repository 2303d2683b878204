//! Raw bytes as the rows of a CooRTweet action table: the header
//! `object_id,account_id,content_id,timestamp_share` is prepended (first byte: options).
#![no_main]

use coordnet::Format;
use libfuzzer_sys::fuzz_target;

const HEADER: &[u8] = b"object_id,account_id,content_id,timestamp_share\n";

fuzz_target!(|data: &[u8]| {
    let (flags, rows) = coordnet_fuzz::split_flags(data);
    let mut file = Vec::with_capacity(HEADER.len() + rows.len());
    file.extend_from_slice(HEADER);
    file.extend_from_slice(rows);
    let format = (flags & 0x80 != 0).then_some(Format::Actions);
    let opts = coordnet_fuzz::options(flags, format, None);
    coordnet_fuzz::ingest("fuzz-input.csv", &file, &opts);
});
