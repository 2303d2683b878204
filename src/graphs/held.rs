//! Where the dataset's rows are held: all on this process, or apart across the processes of
//! a run. Where they are apart, the graphs' work on rows is done by their holders, as process
//! 0 asks: each retweet's source is found, the retweet graph's pairs formed and the texts'
//! co-tweet forms taken where the rows are; every co-action kind's actions go
//! from where their rows are to the process that owns their item, which pairs them and keeps
//! them for scoring. What their window, the accounts that take part and the null
//! read of them are sums over items ([`ItemsSummary`], [`super::coaction::ItemsSlots`]): each
//! owner sends its part, and no process takes the whole's.

use super::actions::Actions;
use super::coaction::{EdgeParts, ItemsSlots};
use super::retweet::{RetweetPart, RetweetTotals, RowSources, Source};
use super::window::Delays;
use super::{CoactionKind, GraphOptions};
use crate::dataset::{Dataset, TimeResolution};
use crate::error::{Error, Result};
use hashbrown::HashMap;
use std::sync::Arc;

/// The graphs' work on the rows held apart, process 0's side.
pub trait HeldApart: Send + Sync {
    /// The source of each of `data`'s rows held here (`None` for rows that are not retweets,
    /// whose source is not found, or that other processes hold: they keep theirs, and every
    /// reader of sources reads only the rows here), found with the others
    /// ([`super::originals`]), with the times of their originals that other processes hold;
    /// and how many each process found.
    fn sources(&self, data: &Dataset) -> Result<(RowSources, Vec<u64>)>;

    /// The configuration model's totals over the rows held elsewhere (of `accounts`
    /// accounts): each other holder forms the amplifier -> source pairs of its rows' retweets
    /// and feeds them into the next graph counted, which must count with
    /// [`PairJob::held`](super::counting::PairJob::held).
    fn retweet_totals(&self, accounts: usize) -> Result<RetweetTotals>;

    /// The retweet graph's amplifier -> source pair keys of the rows this process holds
    /// (`data`'s rows here, with `sources`, or a shard of its own), in row order.
    fn retweet_keys(&self, data: &Dataset, sources: &[Option<Source>]) -> Vec<u64>;

    /// Ask every other process to take its rows' actions of `kind` and send each to its item's
    /// owner, as this process does with the rows it holds of `data`: returns the actions on
    /// the items this process owns, and what every process's add up to.
    /// [`HeldApart::pair_items`] follows. Every holder names items alike: tweet ids, the
    /// hashtag, URL and account ids process 0 gives, the originals' dataset rows, the hashes of
    /// texts, their normal forms and string tweet ids, and co-similar's groups of forms by
    /// their smallest hash (the forms first grouped across processes as one process groups
    /// them).
    /// (`opts`: co-tweet's and co-similar's shortest normal form, co-similar's threshold;
    /// `sources`, every row's, as [`HeldApart::sources`] found them: the originals of
    /// retweets that lost their target.)
    fn take_items(
        &self,
        data: &Dataset,
        kind: CoactionKind,
        opts: &GraphOptions,
        sources: &[Option<Source>],
    ) -> Result<(Actions, ItemsSummary)>;

    /// Tell every other process how to pair the actions of the items it owns: each keeps
    /// those of the accounts `ask` keeps, pairs them in units, and feeds them into the next
    /// graph counted, which must count with
    /// [`PairJob::held`](super::counting::PairJob::held). Returns what the others' kept
    /// actions add up to.
    fn pair_items(&self, ask: &ItemsAsk) -> Result<ItemsSlots>;

    /// What every process's rows add to the retweet graph, with every column of its edges
    /// (`graph`), process 0's with `sources` ([`HeldApart::sources`]).
    fn retweet_part(&self, data: &Dataset, sources: &RowSources) -> Result<RetweetPart>;

    /// Where every edge is wanted ([`ItemsAsk::edges`]), in place of [`HeldApart::pair_items`]:
    /// tell every other process how to pair the actions of the items it owns, take `here`,
    /// this process's parts of the edges, meanwhile, and return every process's, by process.
    fn pair_edges(
        &self,
        ask: &ItemsAsk,
        here: &(dyn Fn() -> EdgeParts + Sync),
    ) -> Result<Vec<EdgeParts>>;

    /// Names of `kind`'s items `(key, naming row)`, in that order: from the key, or where a
    /// row names the item ([`super::actions::names_by_row`]), from what its holder reads of it.
    fn name_items(
        &self,
        data: &Dataset,
        kind: CoactionKind,
        items: &[(u64, u32)],
    ) -> Result<Vec<String>>;
}

/// What the window and the accounts that take part read of a co-action kind's actions, in
/// parts that add up: each owner's, of its items' actions ([`Delays`], actions per account),
/// and each holder's, of its rows' actions (how coarse their times are).
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ItemsSummary {
    /// (account, actions), each account once a part.
    pub by_account: Vec<(u32, u32)>,
    pub delays: Delays,
    pub coarsest: TimeResolution,
    pub coarse_actions: usize,
    /// The actions each process took of its rows (by process).
    pub taken_by: Vec<u64>,
    /// Shares among the rows that name no item ([`Actions::unplaced`]).
    pub unplaced: usize,
}

impl ItemsSummary {
    /// Of `owned`, the actions on a process's items, and `coarse`, how coarse the times of
    /// its rows' actions are ([`super::actions::coarseness`]).
    pub fn of(owned: &Actions, (coarsest, coarse_actions): (TimeResolution, usize)) -> Self {
        let mut n: HashMap<u32, u32> = HashMap::new();
        for &a in &owned.account {
            *n.entry(a).or_default() += 1;
        }
        ItemsSummary {
            by_account: n.into_iter().collect(),
            delays: Delays::of(owned),
            coarsest,
            coarse_actions,
            taken_by: Vec::new(),
            unplaced: 0,
        }
    }

    /// This part, saying that `process` of `processes` took `taken` actions of its rows, and
    /// found `unplaced` shares among them that name no item.
    pub fn taken(
        mut self,
        process: usize,
        processes: usize,
        (taken, unplaced): (usize, usize),
    ) -> ItemsSummary {
        self.taken_by = vec![0; processes];
        self.taken_by[process] = taken as u64;
        self.unplaced = unplaced;
        self
    }

    /// Every account's actions, of `accounts` accounts; an error if a part (another
    /// process's) names an account past them.
    pub fn per_account(&self, accounts: usize) -> Result<Vec<u32>> {
        let mut n = vec![0u32; accounts];
        for &(a, k) in &self.by_account {
            let Some(slot) = n.get_mut(a as usize) else {
                return Err(Error::cluster(format!(
                    "actions of account {a}, of {accounts}: every process must read the same \
                     inputs with the same build"
                )));
            };
            *slot += k;
        }
        Ok(n)
    }
}

impl std::ops::Add for ItemsSummary {
    type Output = ItemsSummary;

    fn add(mut self, other: ItemsSummary) -> ItemsSummary {
        self.by_account.extend(other.by_account);
        self.delays = self.delays + other.delays;
        self.coarsest = self.coarsest.max(other.coarsest);
        self.coarse_actions += other.coarse_actions;
        self.unplaced += other.unplaced;
        if self.taken_by.len() < other.taken_by.len() {
            self.taken_by.resize(other.taken_by.len(), 0);
        }
        for (a, b) in self.taken_by.iter_mut().zip(other.taken_by) {
            *a += b;
        }
        self
    }
}

/// What every process needs to pair a co-action kind's actions where their items are owned.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct ItemsAsk {
    pub kind: CoactionKind,
    /// The accounts that take part (a bit each, of `accounts`): the others have too few
    /// actions of the kind.
    pub keep: Vec<u64>,
    pub accounts: usize,
    pub window_ms: i64,
    pub cap: u32,
    /// Every edge with every column is wanted (`graph`): each owner sends process 0 its parts
    /// of the edges ([`super::coaction::edge_parts`]) rather than feeding its pairs into the
    /// next graph counted.
    pub edges: bool,
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

    /// Every row of `data`'s source (see [`super::retweet::sources`]), or where rows are held
    /// apart those of the rows here ([`HeldApart::sources`]); and how many each process found
    /// (nothing on one process).
    pub fn sources(&self, data: &Dataset) -> Result<(RowSources, Vec<u64>)> {
        match self.apart() {
            None => Ok((RowSources::here(super::retweet::sources(data)), Vec::new())),
            Some(apart) => apart.sources(data),
        }
    }
}
