//! Where the dataset's rows are held: all on this process, or apart across the processes of
//! a run. Where they are apart, the graphs' work on rows is done by their holders, as process
//! 0 asks: each retweet's source is found, the retweet graph's pairs formed and the texts'
//! co-tweet forms taken where the rows are; the co-hashtag, co-URL and co-mention actions go
//! from where their rows are to the process that owns their item, which pairs them.

use super::actions::{Actions, Keyed};
use super::retweet::{RetweetTotals, Source};
use super::CoactionKind;
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

    /// Ask every other process to take its rows' actions of `kind` (one whose actions are
    /// [`owned_where_items_are`]) and send each to its item's owner, while this process takes
    /// the whole's; [`HeldApart::owned_actions`] follows.
    fn take_items(&self, kind: CoactionKind) -> Result<()>;

    /// The actions of `ask.kind` on the items this process owns ([`owner`]), taken from
    /// `whole` (every row's, as [`super::coaction`] keeps them: this process holds every row,
    /// so the others send it none). Every other process pairs the actions of the items it
    /// owns, its rows' and those this process sends it of its own rows, in units, as `ask`
    /// says, and feeds them into the next graph counted, which must count with
    /// [`PairJob::held`](super::counting::PairJob::held).
    fn owned_actions(&self, whole: &Actions, ask: &ItemsAsk) -> Result<Actions>;
}

/// What every process needs to pair a co-action kind's actions where their items are owned.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct ItemsAsk {
    /// A kind whose items every holder numbers alike ([`owned_where_items_are`]).
    pub kind: CoactionKind,
    /// The accounts that take part (a bit each, of `accounts`): the others have too few
    /// actions of the kind.
    pub keep: Vec<u64>,
    pub accounts: usize,
    pub window_ms: i64,
    pub cap: u32,
}

impl ItemsAsk {
    /// Whether `account` takes part; false past the accounts (and past the bits, should
    /// another build send fewer).
    pub fn keeps(&self, account: u32) -> bool {
        let a = account as usize;
        let set = |w: &u64| w >> (a % 64) & 1 == 1;
        a < self.accounts && self.keep.get(a / 64).is_some_and(set)
    }

    /// The bits of [`ItemsAsk::keep`]: the accounts with a non-zero `degree`.
    pub fn keep_of(degree: &[u32]) -> Vec<u64> {
        let mut keep = vec![0u64; degree.len().div_ceil(64)];
        for (a, _) in degree.iter().enumerate().filter(|(_, &d)| d > 0) {
            keep[a / 64] |= 1 << (a % 64);
        }
        keep
    }
}

/// Whether `kind`'s actions can go to their items' owners: its item keys are the same on every
/// holder (ids process 0 gives). Co-retweet's and co-reply's string tweet ids and lost
/// targets' texts are each holder's own numbers, co-tweet's actions are taken where the rows
/// are and gathered on process 0, and co-similar's clusters span the whole data.
pub fn owned_where_items_are(kind: CoactionKind) -> bool {
    super::actions::row_item(kind).is_some()
}

/// The process of `processes` that owns `item`: the one its hash names.
pub fn owner(item: u64, processes: usize) -> usize {
    (crate::hash::splitmix(item) % processes as u64) as usize
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
