//! Raw bytes read as API v2 tweets flattened into CSV by twarc2 (first byte: options).

use coordnet::Format;

/// One execution on `data`.
pub fn run(data: &[u8]) {
    crate::raw_target(data, Some(Format::TwarcCsv), None);
}
