//! The one hook through which Leiden reports its work (`COORDNET_LEIDEN_TRACE` set): each
//! level's and pass's sizes and seconds on standard error. The algorithm calls [`event`] and
//! keeps a [`Clock`]; both cost nothing when tracing is off.

use std::time::Instant;

/// Whether `COORDNET_LEIDEN_TRACE` is set (read once).
pub fn on() -> bool {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("COORDNET_LEIDEN_TRACE").is_some())
}

/// Print the line `line` makes, when tracing.
pub fn event(line: impl FnOnce() -> String) {
    if on() {
        crate::tell!("{}", line());
    }
}

/// Seconds between laps, when tracing; otherwise no clock is read.
pub struct Clock(Option<Instant>);

impl Clock {
    pub fn start() -> Clock {
        Clock(on().then(Instant::now))
    }

    /// Seconds since the start or the last lap.
    pub fn lap(&mut self) -> f64 {
        match &mut self.0 {
            Some(t) => {
                let now = Instant::now();
                let secs = (now - *t).as_secs_f64();
                *t = now;
                secs
            }
            None => 0.0,
        }
    }
}
