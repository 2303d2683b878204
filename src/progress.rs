//! What a long run reports as it goes: the stage it is in, how far through it, and what it is
//! doing now. The library calls these; the binary draws them (on a terminal only).

/// A line on standard error, as `eprintln!` writes it, except that a closed or full standard
/// error (a pager quit early, a dropped session) loses the line rather than stopping the run
/// before it writes its files. Standard output's lines go through `writeln!` and `?`, whose
/// closed pipe ends the command quietly.
#[macro_export]
macro_rules! tell {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

/// How a stage counts its way through.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Total {
    /// Bytes of input on disk (compressed as they are).
    Bytes(u64),
    /// Bytes of input as they come, of a total nobody knows (a pipe).
    Streamed,
    /// Things of the stage's own kind: graphs, clusters.
    Count(u64),
}

/// Receives progress; every method does nothing unless implemented. Called from any thread.
pub trait Progress: Sync {
    /// A stage begins, with what it counts to when that is known.
    fn stage(&self, _name: &str, _total: Option<Total>) {}
    /// `n` more units of the current stage are done.
    fn advance(&self, _n: u64) {}
    /// What the stage has just done, with its counts (a graph built, the clusters found).
    fn note(&self, _what: &str) {}
    /// The next `n` of the stages counted on will not run: the input, taken as it comes,
    /// turned out to need fewer. The stages after them keep their numbers.
    fn skipped(&self, _n: usize) {}
}

/// Progress nobody sees.
pub struct Silent;

impl Progress for Silent {}

/// What each process did of a run across processes, as shares: ` (parsed on 2 processes:
/// 48%, 52%)`; nothing for one process, or when there was nothing to share.
pub fn shared_out(what: &str, by_process: &[u64]) -> String {
    let total: u64 = by_process.iter().sum();
    if by_process.len() < 2 || total == 0 {
        return String::new();
    }
    let shares: Vec<String> = (by_process.iter())
        .map(|&n| format!("{:.0}%", 100.0 * n as f64 / total as f64))
        .collect();
    format!(
        " ({what} on {} processes: {})",
        by_process.len(),
        shares.join(", ")
    )
}
