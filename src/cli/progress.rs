//! Stage progress on a terminal; silent when standard error is piped or redirected, unless
//! `COORDNET_TIMINGS` is set (benches use it to see where the time goes).

use std::io::IsTerminal;
use std::time::Instant;

pub struct Stages {
    total: usize,
    done: usize,
    tty: bool,
    started: Instant,
}

impl Stages {
    pub fn new(total: usize) -> Stages {
        Stages {
            total,
            done: 0,
            tty: std::io::stderr().is_terminal() || std::env::var_os("COORDNET_TIMINGS").is_some(),
            started: Instant::now(),
        }
    }

    pub fn start(&mut self, what: &str) {
        self.done += 1;
        if self.tty {
            eprintln!(
                "[{}/{}] {what} ({:.2} s)",
                self.done,
                self.total,
                self.started.elapsed().as_secs_f64()
            );
        }
    }

    pub fn finish(&self) {
        if self.tty {
            eprintln!("done in {:.2} s", self.started.elapsed().as_secs_f64());
        }
    }
}
