//! Raw bytes with no format given: format recognition from the header or first line, then
//! whichever parser it picks (first byte: options).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    coordnet_fuzz::raw_target(data, None, None);
});
