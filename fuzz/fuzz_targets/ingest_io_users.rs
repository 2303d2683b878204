//! Raw bytes read as information-operations archive users (first byte: options).
#![no_main]

use coordnet::Format;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    coordnet_fuzz::raw_target(data, Some(Format::IoUsers), None);
});
