//! Where a graph's account pairs are counted and tested: on this process, or spread over the
//! processes of a run by account pair (see `distributed`). A graph hands its pairs over in
//! units and names the test every aggregated pair meets; either way the answer is the same.
//! Two graphs count this way: each co-action projection (units of actions by item, tested
//! under the shuffled null) and the retweet graph (units of amplifier -> source pairs,
//! tested under the configuration model).

use super::coaction::{EdgeTest, PairUnit, SignificantPairs};
use super::retweet::{self, RetweetTest};
use crate::error::Result;

/// Counts and tests a graph's pairs: [`GraphOptions::counter`](super::GraphOptions) names
/// one when they are counted elsewhere than on this process.
pub trait PairCounter: Send + Sync {
    /// The significant account pairs of `job`, in any order, with what counting found.
    fn count(&self, job: PairJob<'_>) -> Result<PairCount>;

    /// Nothing more will be counted (the graphs are built): what counts may let go.
    fn done(&self) {}
}

/// The counter of [`GraphOptions::counter`](super::GraphOptions): `None` counts on this
/// process.
#[derive(Clone, Default)]
pub struct Counter(pub Option<std::sync::Arc<dyn PairCounter>>);

impl std::fmt::Debug for Counter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self.0 {
            None => "Counter(here)",
            Some(_) => "Counter(elsewhere)",
        })
    }
}

/// A graph's pairs to count, in units, and the test every aggregated pair meets.
pub struct PairJob<'a> {
    pub units: Box<dyn Iterator<Item = Unit> + 'a>,
    pub test: &'a Test,
    /// The units are this process's share, and every other process of the run feeds its
    /// own (where the rows are held apart: the retweet graph's pairs of the rows each holds,
    /// a co-action kind's actions on the items each owns); else they are the whole graph's.
    pub held: bool,
}

/// A piece of a graph's pairs, formed wherever it is counted.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub enum Unit {
    /// Consecutive actions of a co-action projection, paired within the window.
    Actions(PairUnit),
    /// Retweets, each as its amplifier -> source pair (see [`retweet::pair_keys`]).
    Retweets(Vec<u64>),
}

impl Unit {
    /// Its pairs, aggregated: `(account pair key, pairs)`, sorted by key (a unit of retweets
    /// is sorted in place).
    pub fn pairs(&mut self) -> Vec<(u64, u32)> {
        match self {
            Unit::Actions(unit) => unit.pairs(),
            Unit::Retweets(keys) => retweet::count_keys(keys),
        }
    }
}

/// What a graph's aggregated pairs must meet to be edges.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub enum Test {
    Coaction(EdgeTest),
    Retweet(RetweetTest),
}

impl Test {
    /// A share of a graph's pairs, aggregated by account pair (each pair in one share only),
    /// tested.
    pub fn test(&self, pairs: impl IntoIterator<Item = (u64, u32)>) -> PairCount {
        match self {
            Test::Coaction(t) => t.test(pairs),
            Test::Retweet(t) => t.test(pairs),
        }
    }
}

/// What counting a graph's pairs found (or a share of them: shares add up).
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct PairCount {
    pub significant: SignificantPairs,
    pub pairs: u64,
    pub edges_before_filters: u64,
    pub edges_below_min_pairs: u64,
    pub kept: u64,
    /// Pairs counted by each process, where counted across processes.
    pub by_process: Vec<u64>,
}

impl PairCount {
    pub fn add(&mut self, other: PairCount) {
        self.significant.extend(other.significant);
        self.pairs += other.pairs;
        self.edges_before_filters += other.edges_before_filters;
        self.edges_below_min_pairs += other.edges_below_min_pairs;
        self.kept += other.kept;
        self.by_process.extend(other.by_process);
    }
}
