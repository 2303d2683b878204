//! Raw bytes with no format given: format recognition from the header or first line, then
//! whichever parser it picks (first byte: options).

/// One execution on `data`.
pub fn run(data: &[u8]) {
    crate::raw_target(data, None, None);
}
