//! `parse_datetime` on any string: no panic (overflow checks are on), and a time it returns
//! comes back the same when its input is padded with blanks (the parser trims).
#![no_main]

use coordnet::ingest::time::parse_datetime;
use coordnet_fuzz::past_known_bugs;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    let Some(t) = past_known_bugs(|| parse_datetime(s)) else { return };
    if t.is_some() {
        assert_eq!(parse_datetime(&format!(" {s}\t")), t, "padding changed the time");
    }
});
