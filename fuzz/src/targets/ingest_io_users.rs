//! Raw bytes read as information-operations archive users (first byte: options).

use coordnet::Format;

/// One execution on `data`.
pub fn run(data: &[u8]) {
    crate::raw_target(data, Some(Format::IoUsers), None);
}
