//! `parse_duration` and `Window::from_str` (what `--window` takes) on any string: no panic;
//! a duration is never negative; a fixed window prints as a duration that reads back.

use coordnet::graphs::{parse_duration, Window};

/// One execution on `data`.
pub fn run(data: &[u8]) {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(Some(ms)) = parse_duration(s) {
        assert!(ms >= 0, "negative duration {ms} from {s:?}");
    }
    if let Ok(w) = s.parse::<Window>() {
        let shown = w.to_string();
        let back = shown.parse::<Window>();
        assert!(
            back.is_ok(),
            "{w:?} prints as {shown:?}, which does not read back"
        );
    }
}
