//! Stage progress on a terminal; silent when standard error is piped or redirected, unless
//! `COORDNET_TIMINGS` is set (benches use it to see where the time goes).

use std::io::IsTerminal;
use std::time::Instant;

pub struct Stages {
    total: usize,
    done: usize,
    tty: bool,
    /// `COORDNET_TIMINGS` set: memory beside the times.
    timings: bool,
    started: Instant,
}

impl Stages {
    pub fn new(total: usize) -> Stages {
        let timings = std::env::var_os("COORDNET_TIMINGS").is_some();
        Stages {
            total,
            done: 0,
            tty: std::io::stderr().is_terminal() || timings,
            timings,
            started: Instant::now(),
        }
    }

    pub fn start(&mut self, what: &str) {
        self.done += 1;
        if self.tty {
            eprintln!(
                "[{}/{}] {what} ({:.2} s{})",
                self.done,
                self.total,
                self.started.elapsed().as_secs_f64(),
                self.memory()
            );
        }
    }

    pub fn finish(&self) {
        if self.tty {
            eprintln!(
                "done in {:.2} s{}",
                self.started.elapsed().as_secs_f64(),
                self.memory()
            );
        }
    }

    /// ", resident N MB (peak M MB)" from /proc when timing, else nothing.
    fn memory(&self) -> String {
        let status = match self.timings {
            true => std::fs::read_to_string("/proc/self/status").unwrap_or_default(),
            false => return String::new(),
        };
        let field = |name: &str| -> Option<u64> {
            let line = status.lines().find(|l| l.starts_with(name))?;
            line.split_whitespace().nth(1)?.parse().ok()
        };
        match (field("VmRSS:"), field("VmHWM:")) {
            (Some(now), Some(peak)) => {
                format!(", resident {} MB (peak {} MB)", now / 1024, peak / 1024)
            }
            _ => String::new(),
        }
    }
}
