//! Raw bytes read as the FiveThirtyEight/Clemson IRA layout (first byte: options).
#![no_main]

use coordnet::Format;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    coordnet_fuzz::raw_target(data, Some(Format::Ira), None);
});
