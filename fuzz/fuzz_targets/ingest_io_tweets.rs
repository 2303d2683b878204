//! Raw bytes read as information-operations archive tweets (first byte: options, see `coordnet_fuzz::options`).
#![no_main]

use coordnet::Format;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    coordnet_fuzz::raw_target(data, Some(Format::IoTweets), None);
});
