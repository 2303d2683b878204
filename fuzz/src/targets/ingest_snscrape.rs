//! Raw bytes read as snscrape's Twitter JSON lines (first byte: options).

use coordnet::Format;

/// One execution on `data`.
pub fn run(data: &[u8]) {
    crate::raw_target(data, Some(Format::Snscrape), None);
}
