//! Progress on standard error: a bar or spinner per stage on a terminal (indicatif), nothing
//! when standard error is piped or redirected, or with `--quiet`. With `COORDNET_TIMINGS` set,
//! a line per stage with the time and memory, and the stages' notes, wherever standard error
//! goes (the benches read them).

use coordnet::progress::{Progress, Total};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// `--quiet`, for every command.
static QUIET: AtomicBool = AtomicBool::new(false);

pub fn set_quiet(quiet: bool) {
    QUIET.store(quiet, Ordering::Relaxed);
}

/// Nothing at all but errors: a process other than the first of a run across processes,
/// for which process 0 speaks.
static SILENT: AtomicBool = AtomicBool::new(false);

#[cfg_attr(not(feature = "distributed"), allow(dead_code))]
pub fn set_silent() {
    QUIET.store(true, Ordering::Relaxed);
    SILENT.store(true, Ordering::Relaxed);
}

pub struct Reporter {
    /// Stages this command counts on, to number them; a skipped stage keeps its number.
    stages: usize,
    /// Bars and notes on a terminal.
    draw: bool,
    /// `COORDNET_TIMINGS` set: stage lines with times and memory.
    timings: bool,
    silent: bool,
    started: Instant,
    /// The stage's number and its bar.
    current: Mutex<(usize, Option<ProgressBar>)>,
}

impl Reporter {
    pub fn new(stages: usize) -> Reporter {
        let quiet = QUIET.load(Ordering::Relaxed);
        Reporter {
            stages,
            draw: !quiet && std::io::stderr().is_terminal(),
            timings: timings_asked(),
            silent: SILENT.load(Ordering::Relaxed),
            started: Instant::now(),
            current: Mutex::new((0, None)),
        }
    }

    fn current(&self) -> std::sync::MutexGuard<'_, (usize, Option<ProgressBar>)> {
        self.current.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The last stage is over.
    pub fn finish(&self) {
        if let Some(bar) = self.current().1.take() {
            bar.finish_and_clear();
        }
        if self.timings {
            coordnet::tell!("done in {:.2} s{}", self.elapsed(), usage());
        }
    }

    /// A line of the command's own output (not progress), printed clear of any bar.
    pub fn say(&self, text: &str) {
        if self.silent {
            return;
        }
        match &self.current().1 {
            Some(bar) => bar.suspend(|| coordnet::tell!("{text}")),
            None => coordnet::tell!("{text}"),
        }
    }

    fn elapsed(&self) -> f64 {
        self.started.elapsed().as_secs_f64()
    }

    fn bar(&self, prefix: String, total: Option<Total>) -> ProgressBar {
        let (bar, template) = match total {
            Some(Total::Bytes(n)) => (
                ProgressBar::new(n),
                "{prefix} [{bar:30}] {bytes}/{total_bytes} {binary_bytes_per_sec} ETA {eta}",
            ),
            Some(Total::Streamed) => (
                ProgressBar::new_spinner(),
                "{prefix} {spinner} {bytes} {binary_bytes_per_sec} {elapsed}",
            ),
            Some(Total::Count(n)) => (ProgressBar::new(n), "{prefix} [{bar:30}] {pos}/{len} {msg}"),
            None => (
                ProgressBar::new_spinner(),
                "{prefix} {spinner} {elapsed} {msg}",
            ),
        };
        let style = ProgressStyle::with_template(template)
            .expect("a valid template")
            .progress_chars("=> ");
        bar.set_style(style);
        bar.set_prefix(prefix);
        bar.enable_steady_tick(Duration::from_millis(200));
        bar
    }
}

impl Progress for Reporter {
    fn stage(&self, name: &str, total: Option<Total>) {
        let mut current = self.current();
        if let Some(bar) = current.1.take() {
            bar.finish_and_clear();
        }
        current.0 += 1;
        let prefix = format!("[{}/{}] {name}", current.0, self.stages.max(current.0));
        if self.timings {
            coordnet::tell!("{prefix} ({:.2} s{})", self.elapsed(), usage());
        }
        if self.draw {
            current.1 = Some(self.bar(prefix, total));
        }
    }

    fn advance(&self, n: u64) {
        if let Some(bar) = &self.current().1 {
            bar.inc(n);
        }
    }

    fn skipped(&self, n: usize) {
        self.current().0 += n;
    }

    fn note(&self, what: &str) {
        match &self.current().1 {
            Some(bar) => bar.println(format!("  {what}")),
            None if self.timings => {
                coordnet::tell!("  {what} ({:.2} s{})", self.elapsed(), usage())
            }
            None => {}
        }
    }
}

/// `COORDNET_TIMINGS` set to anything but empty, 0, false or no, in a process that speaks.
fn timings_asked() -> bool {
    std::env::var("COORDNET_TIMINGS").is_ok_and(|v| {
        !matches!(
            v.trim().to_ascii_lowercase().as_str(),
            "" | "0" | "false" | "no"
        )
    }) && !SILENT.load(Ordering::Relaxed)
}

/// A run that stops on an error ends its timings as a finished one does: what a stop near
/// the memory limit held at its peak is the figure to read (a parent's `ru_maxrss` for a
/// child it spawned counts the parent's own peak, so this is the child's alone).
pub fn stopped() {
    if timings_asked() {
        coordnet::tell!("stopped{}", usage());
    }
}

/// ", resident N MB (peak M MB), CPU C s" where the system says, or nothing.
fn usage() -> String {
    use coordnet::memory::{peak, resident};
    let mut out = match (resident(), peak()) {
        (Some(now), Some(peak)) => format!(", resident {} MB (peak {} MB)", now >> 20, peak >> 20),
        _ => String::new(),
    };
    if let Some(cpu) = cpu_seconds() {
        out += &format!(", CPU {cpu:.2} s");
    }
    out
}

/// User and system CPU time of every thread so far, from /proc/self/stat (in USER_HZ ticks,
/// 100 a second on Linux): beside the wall time, it shows how well a stage uses the cores.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name, which is in parentheses and may hold spaces; utime and
    // stime are the 14th and 15th fields, so the 12th and 13th after it.
    let mut fields = stat.rsplit_once(')')?.1.split_whitespace().skip(11);
    let user: u64 = fields.next()?.parse().ok()?;
    let system: u64 = fields.next()?.parse().ok()?;
    Some((user + system) as f64 / 100.0)
}
