//! Raw bytes as the rows of a CooRTweet action table: the header
//! `object_id,account_id,content_id,timestamp_share` is prepended (first byte: options).

use coordnet::Format;

const HEADER: &[u8] = b"object_id,account_id,content_id,timestamp_share\n";

/// One execution on `data`.
pub fn run(data: &[u8]) {
    let (flags, rows) = crate::split_flags(data);
    let mut file = Vec::with_capacity(HEADER.len() + rows.len());
    file.extend_from_slice(HEADER);
    file.extend_from_slice(rows);
    let format = (flags & 0x80 != 0).then_some(Format::Actions);
    let opts = crate::options(flags, format, None);
    crate::ingest("fuzz-input.csv", &file, &opts);
}
