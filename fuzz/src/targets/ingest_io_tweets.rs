//! Raw bytes read as information-operations archive tweets (first byte: options, see `crate::options`).

use coordnet::Format;

/// One execution on `data`.
pub fn run(data: &[u8]) {
    crate::raw_target(data, Some(Format::IoTweets), None);
}
