//! `parse_datetime` on any string: no panic (overflow checks are on), and a time it returns
//! comes back the same when its input is padded with blanks (the parser trims).

use coordnet::ingest::time::parse_datetime;

/// One execution on `data`.
pub fn run(data: &[u8]) {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let t = parse_datetime(s);
    if t.is_some() {
        assert_eq!(
            parse_datetime(&format!(" {s}\t")),
            t,
            "padding changed the time"
        );
    }
}
