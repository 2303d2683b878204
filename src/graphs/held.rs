//! Where the dataset's rows are held: all on this process, or apart across the processes of
//! a run. Where they are apart, the graphs' work on rows is done by their holders, as process
//! 0 asks: each retweet's source is found, the retweet graph's pairs formed and the texts'
//! co-tweet forms taken where the rows are.

use super::actions::Keyed;
use super::retweet::{RetweetTotals, Source};
use crate::dataset::Dataset;
use crate::error::Result;
use std::ops::Range;
use std::sync::Arc;

/// The graphs' work on the rows held apart, process 0's side.
pub trait HeldApart: Send + Sync {
    /// The rows of the dataset this process holds.
    fn here(&self) -> &[Range<usize>];

    /// Every row of `data`'s source (`None` for rows that are not retweets, or whose source
    /// is not found), found where the rows are held ([`super::originals`]), and how many
    /// each process found.
    fn sources(&self, data: &Dataset) -> Result<(Vec<Option<Source>>, Vec<u64>)>;

    /// The configuration model's totals over the rows held elsewhere (of `accounts`
    /// accounts): each other holder forms the amplifier -> source pairs of its rows' retweets
    /// and feeds them into the next graph counted, which must count with
    /// [`PairJob::held`](super::counting::PairJob::held).
    fn retweet_totals(&self, accounts: usize) -> Result<RetweetTotals>;

    /// The co-tweet actions of every row of `data`, `(normal form's hash, dataset row)` (see
    /// [`super::actions::co_tweet_keys`]), each taken where the row is, and how many each
    /// process took.
    fn co_tweets(&self, data: &Dataset, min_chars: usize) -> Result<(Keyed, Vec<u64>)>;
}

/// Where the dataset's rows are held: all here (`None`), or apart.
#[derive(Clone, Default)]
pub struct Holders(pub Option<Arc<dyn HeldApart>>);

impl std::fmt::Debug for Holders {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self.0 {
            None => "Holders(here)",
            Some(_) => "Holders(apart)",
        })
    }
}

impl Holders {
    /// The holders of rows apart, if they are.
    pub fn apart(&self) -> Option<&dyn HeldApart> {
        self.0.as_deref()
    }

    /// Every row of `data`'s source (see [`super::retweet::sources`]), and how many each
    /// process found (nothing on one process).
    pub fn sources(&self, data: &Dataset) -> Result<(Vec<Option<Source>>, Vec<u64>)> {
        match self.apart() {
            None => Ok((super::retweet::sources(data), Vec::new())),
            Some(apart) => apart.sources(data),
        }
    }
}
