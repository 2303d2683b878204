//! What a long run reports as it goes: the stage it is in, how far through it, and what it is
//! doing now. The library calls these; the binary draws them (on a terminal only).

/// How a stage counts its way through.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Total {
    /// Bytes of input on disk (compressed as they are).
    Bytes(u64),
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
}

/// Progress nobody sees.
pub struct Silent;

impl Progress for Silent {}
