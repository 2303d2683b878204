//! Raw bytes read as the coordination-network-toolkit layout (first byte: options).

use coordnet::Format;

/// One execution on `data`.
pub fn run(data: &[u8]) {
    crate::raw_target(data, Some(Format::Cnt), None);
}
