//! Co-action projection: account pairs that acted on the same item within a time window.
//!
//! Each item's actions are in time order, so pairing is a sliding window: action `i` pairs
//! with the later actions `j` of the same item while `t[j] - t[i] <= window`. Nothing outside
//! the window is ever paired, which is what keeps a viral item (k actions, k(k-1)/2 pairs
//! without a window) affordable. Within the window, an action pairs with at most
//! `max_neighbors` later actions (the nearest in time); pairs a cap leaves out are counted.
//!
//! Pairs are emitted in rounds into shards by account pair, and each shard's map is built by
//! one task, so memory grows with the number of edges, not the number of pairs.

use super::actions::Actions;
use super::counting::{PairCount, PairJob, Test, Unit};
use super::held::{HeldApart, ItemsAsk, ItemsSummary};
use super::significance::{poisson_upper_tail, z_from_p, Fixed};
use super::{CoactionKind, GraphOptions};
use crate::dataset::{Dataset, NO_TWEET};
use crate::error::{Error, Result};
use hashbrown::HashMap;
use rayon::prelude::*;
use std::sync::atomic::{AtomicU64, Ordering};

/// One undirected co-action edge, `a < b`, with the evidence behind it.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct CoEdge {
    pub a: u32,
    pub b: u32,
    /// Co-action pairs within the window (CooRTweet's edge weight).
    pub pairs: u32,
    /// Distinct items the two acted on within the window.
    pub items: u32,
    pub min_delay_ms: i64,
    pub mean_delay_ms: f64,
    /// Sum over shared items of the item's inverse document frequency, ln(accounts / actors).
    pub idf_weight: f64,
    /// Cosine of the two accounts' TF-IDF item vectors, over the items shared in the window.
    pub cosine: f64,
    /// Pairs expected if accounts were shuffled over the same action slots (degrees kept).
    pub expected_pairs: f64,
    /// The normal z-score with the same tail probability as `p_value`.
    pub z: f64,
    /// Probability of at least `pairs` under the shuffled null (Poisson tail).
    pub p_value: f64,
    /// The first item (in `Actions`) behind the edge, for showing evidence.
    pub exemplar_item: u32,
}

/// What a projection did, for the run summary.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct ProjectionStats {
    pub actions: usize,
    pub accounts: usize,
    pub accounts_below_min_participation: usize,
    pub items: usize,
    /// Shares naming no target that could not be placed on an item (see `Actions::unplaced`).
    pub unplaced: usize,
    /// Pairs of actions formed (within the window, after the cap).
    pub pairs: u64,
    /// In-window pairs the neighbour cap left out, and the items where it did.
    pub pairs_capped: u64,
    pub items_capped: usize,
    pub edges_before_filters: usize,
    pub edges_below_min_pairs: usize,
    pub edges_below_participation: usize,
    pub edges: usize,
    /// Pairs counted by each process of a run across processes (empty on one process).
    #[serde(skip)]
    pub pairs_by_process: Vec<u64>,
    /// Actions taken by each process where its rows are held (empty where process 0 takes
    /// them all).
    #[serde(skip)]
    pub actions_by_process: Vec<u64>,
}

/// A projected co-action graph.
#[derive(Debug)]
pub struct Projection {
    pub kind: CoactionKind,
    /// The window used (`None`: the whole period), and why, when it was estimated.
    pub window_ms: Option<i64>,
    pub window_reason: Option<String>,
    pub edges: Vec<CoEdge>,
    pub stats: ProjectionStats,
    pub actions: Actions,
    /// Where the projection was made across processes ([`project_owned_edges`]): the names of
    /// its edges' exemplar items, which their `exemplar_item` numbers (its `actions` are then
    /// only this process's items'). Empty otherwise.
    pub names: Vec<String>,
}

impl Projection {
    /// A readable name for the item behind edge `e` (its `exemplar_item`).
    pub fn exemplar_name(&self, data: &Dataset, e: &CoEdge) -> String {
        match self.names.get(e.exemplar_item as usize) {
            Some(name) => name.clone(),
            None => self.actions.item_label(data, e.exemplar_item as usize),
        }
    }
}

/// What an edge adds up of its pairs. Owners of different items find parts of an edge that
/// add up to it ([`EdgePart`]): the weights are in fixed point, so in any order.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
struct Sums {
    pairs: u32,
    items: u32,
    min_delay: i64,
    delay_sum: i64,
    dot: Fixed,
    idf: Fixed,
}

impl Sums {
    const ZERO: Sums = Sums {
        pairs: 0,
        items: 0,
        min_delay: i64::MAX,
        delay_sum: 0,
        dot: Fixed::ZERO,
        idf: Fixed::ZERO,
    };

    fn add(&mut self, o: &Sums) {
        self.pairs += o.pairs;
        self.items += o.items;
        self.min_delay = self.min_delay.min(o.min_delay);
        self.delay_sum += o.delay_sum;
        self.dot += o.dot;
        self.idf += o.idf;
    }
}

#[derive(Clone, Copy)]
struct Acc {
    sums: Sums,
    last_item: u32,
    first_item: u32,
}

/// Project `actions` (collected from `data`) onto account pairs.
pub fn project(data: &Dataset, actions: Actions, opts: &GraphOptions) -> Result<Projection> {
    let (mut p, degree) = prepare(data, actions, opts)?;
    let weights = ItemWeights::new(&p.actions, degree.len(), p.stats.accounts);
    let ctx = Context {
        actions: &p.actions,
        item_of: &item_of(&p.actions),
        weights: Some(&weights),
    };
    let pairs = collect_pairs_within::<Acc>(&ctx, &p, opts)?;
    let filter = count_pairs(data, &mut p, &pairs, opts);
    let null = ShuffledNull::new(p.actions.len(), pairs.totals.slot_pairs, degree);
    let budget = PairBudget::of(&p, opts);
    p.edges = finish_edges(pairs.maps, &filter, &null, &weights, &mut p.stats, &budget)?;
    p.stats.edges = p.edges.len();
    Ok(p)
}

/// Account pairs with the p-value of their pairs: a co-action projection's `a < b` (sorted
/// where [`project_significant`] returns them), the retweet graph's amplifier and source.
pub type SignificantPairs = Vec<(u32, u32, f64)>;

/// The account pairs of the co-action graph whose pairs are significant at `alpha`, with their
/// p-values, sorted: what fusion reads. Each pair is only counted, so this takes a fraction
/// of [`project`]'s memory; the projection comes back without edges, and its `stats.edges`
/// counts every edge before the test.
pub fn project_significant(
    data: &Dataset,
    actions: Actions,
    opts: &GraphOptions,
    alpha: f64,
) -> Result<(Projection, SignificantPairs)> {
    let (mut p, degree) = prepare(data, actions, opts)?;
    if let (Some(counter), false) = (&opts.counter.0, opts.coortweet_participation) {
        let window = p.window_ms.unwrap_or(i64::MAX);
        let cap = opts.max_neighbors.max(1);
        let slots = window_slots(&p.actions, window, cap as usize);
        let test = EdgeTest {
            null: ShuffledNull::new(p.actions.len(), slots.slot_pairs, degree),
            min_pairs: opts.min_pairs,
            alpha,
        };
        let counted = counter.count(PairJob {
            units: Box::new(units(&p.actions, window, cap).map(Unit::Actions)),
            test: &Test::Coaction(test),
            held: false,
        })?;
        let edges = counted_edges(&mut p.stats, counted, slots);
        return Ok((p, edges));
    }
    let ctx = Context {
        actions: &p.actions,
        item_of: &item_of(&p.actions),
        weights: None,
    };
    let pairs = collect_pairs_within::<u32>(&ctx, &p, opts)?;
    let filter = count_pairs(data, &mut p, &pairs, opts);
    let test = EdgeTest {
        null: ShuffledNull::new(p.actions.len(), pairs.totals.slot_pairs, degree),
        min_pairs: opts.min_pairs,
        alpha,
    };
    let tallies = tally_fates(&pairs.maps, &filter, &mut p.stats);
    p.stats.edges = tallies.iter().map(|t| t[Fate::Kept as usize]).sum();
    // The kept pairs' runs beside the maps, then joined beside the runs: each at most every
    // kept pair.
    let budget = PairBudget::of(&p, opts);
    budget.check((p.stats.edges * std::mem::size_of::<(u32, u32, f64)>()) as u64)?;
    let runs: Vec<Vec<(u32, u32, f64)>> = pairs
        .maps
        .into_par_iter()
        .map(|map| {
            let mut out: Vec<(u32, u32, f64)> = map
                .into_iter()
                .filter(|&(k, n)| filter.fate(k, &n) == Fate::Kept)
                .filter_map(|(key, n)| test.significant(key, n))
                .collect();
            out.shrink_to_fit();
            out
        })
        .collect();
    // Joined run by run, each let go once copied: `concat` held them all twice.
    let significant: usize = runs.iter().map(Vec::len).sum();
    budget.check((significant * std::mem::size_of::<(u32, u32, f64)>()) as u64)?;
    let mut edges = Vec::with_capacity(significant);
    for run in runs {
        edges.extend_from_slice(&run);
    }
    edges.par_sort_unstable_by_key(|e| (e.0, e.1));
    Ok((p, edges))
}

/// What the pair counts of a projection counted across the processes say, into its `stats`;
/// returns the significant edges, sorted.
fn counted_edges(
    stats: &mut ProjectionStats,
    counted: PairCount,
    slots: Slots,
) -> SignificantPairs {
    stats.pairs = counted.pairs;
    stats.pairs_capped = slots.capped;
    stats.items_capped = slots.items_capped;
    stats.edges_before_filters = counted.edges_before_filters as usize;
    stats.edges_below_min_pairs = counted.edges_below_min_pairs as usize;
    stats.edges = counted.kept as usize;
    stats.pairs_by_process = counted.by_process;
    let mut edges = counted.significant;
    edges.par_sort_unstable_by_key(|e| (e.0, e.1));
    edges
}

/// Where the rows are held apart and the pairs counted across the processes, the holders
/// that pair a kind's actions where their items are owned: the caller asks them to take their
/// rows' actions ([`HeldApart::take_items`]) and [`project_owned`] pairs them.
pub fn items_apart(opts: &GraphOptions) -> Option<&dyn HeldApart> {
    let counted_apart = opts.counter.0.is_some() && !opts.coortweet_participation;
    (opts.holders.apart()).filter(|_| counted_apart)
}

/// [`project_significant`] where the actions are paired where their items are owned
/// ([`items_apart`]): `owned`, this process's items' actions, and what every owner's add up
/// to, `whole`. The window, the accounts that take part and the null are the whole's; each
/// owner pairs its items' actions. The projection keeps this process's items' actions.
pub fn project_owned(
    data: &Dataset,
    apart: &dyn HeldApart,
    owned: Actions,
    whole: ItemsSummary,
    opts: &GraphOptions,
    alpha: f64,
) -> Result<(Projection, SignificantPairs)> {
    let Some(counter) = &opts.counter.0 else {
        return Err(Error::cluster(
            "pairs held apart are counted across the processes",
        ));
    };
    let (mut p, degree, ask) = owned_projection(data, owned, whole, opts, false)?;
    let slots = ItemsSlots::of(&p.actions, ask.window_ms, ask.cap) + apart.pair_items(&ask)?;
    p.stats.items = slots.items;
    let test = EdgeTest {
        null: ShuffledNull::new(p.stats.actions, slots.slots.slot_pairs, degree),
        min_pairs: opts.min_pairs,
        alpha,
    };
    let counted = counter.count(PairJob {
        units: Box::new(units(&p.actions, ask.window_ms, ask.cap).map(Unit::Actions)),
        test: &Test::Coaction(test),
        held: true,
    })?;
    let edges = counted_edges(&mut p.stats, counted, slots.slots);
    Ok((p, edges))
}

/// [`project`] where the actions are paired where their items are owned ([`items_apart`]),
/// every edge with every column, as one process finds them: each owner pairs its items'
/// actions into its parts of the edges ([`edge_parts`]), and this process adds them up. The
/// exemplar items are named where their rows are ([`HeldApart::name_items`]).
pub fn project_owned_edges(
    data: &Dataset,
    apart: &dyn HeldApart,
    owned: Actions,
    whole: ItemsSummary,
    opts: &GraphOptions,
) -> Result<Projection> {
    let (mut p, degree, ask) = owned_projection(data, owned, whole, opts, true)?;
    let all = apart.pair_edges(&ask, &|| edge_parts(&p.actions, &ask))?;
    let named = add_up_edges(&mut p, all, degree, opts.min_pairs)?;
    p.names = apart.name_items(data, p.kind, &named)?;
    Ok(p)
}

/// The edges that `all`, every owner's parts (by process), add up to, into `p` with their
/// stats, under the null of `degree`, every account's actions: each edge's `exemplar_item`
/// numbers its exemplar among those returned, `(item key, naming row)`, sorted.
fn add_up_edges(
    p: &mut Projection,
    all: Vec<EdgeParts>,
    degree: Vec<u32>,
    min_pairs: u32,
) -> Result<Vec<(u64, u32)>> {
    let slots = all.iter().fold(ItemsSlots::default(), |s, e| s + e.slots);
    p.stats.items = slots.items;
    (p.stats.pairs_capped, p.stats.items_capped) = (slots.slots.capped, slots.slots.items_capped);
    let mut norm_sq = vec![Fixed::ZERO; degree.len()];
    let null = ShuffledNull::new(p.stats.actions, slots.slots.slot_pairs, degree);
    let unknown = || Error::cluster("an edge's part names an unknown account");
    let mut parts: Vec<EdgePart> = Vec::with_capacity(all.iter().map(|e| e.parts.len()).sum());
    p.stats.pairs_by_process = Vec::with_capacity(all.len());
    for part in all {
        for (a, x) in part.norm_sq {
            *norm_sq.get_mut(a as usize).ok_or_else(unknown)? += x;
        }
        let pairs = part.parts.iter().map(|e| e.sums.pairs as u64).sum();
        p.stats.pairs_by_process.push(pairs);
        p.stats.pairs += pairs;
        for e in &part.parts {
            let (a, b) = ((e.key >> 32) as usize, e.key as u32 as usize);
            if a >= b || b >= norm_sq.len() {
                return Err(unknown());
            }
        }
        parts.extend(part.parts);
    }
    // By account pair, each edge's parts side by side: they add up in any order.
    parts.par_sort_unstable_by_key(|e| e.key);
    let mut kept: Vec<(u64, Sums, (u64, u32))> = Vec::new();
    for run in parts.chunk_by(|x, y| x.key == y.key) {
        p.stats.edges_before_filters += 1;
        let (mut sums, mut exemplar) = (Sums::ZERO, run[0].exemplar);
        for e in run {
            sums.add(&e.sums);
            exemplar = exemplar.min(e.exemplar);
        }
        if sums.pairs >= min_pairs {
            kept.push((run[0].key, sums, exemplar));
        }
    }
    drop(parts);
    p.stats.edges_below_min_pairs = p.stats.edges_before_filters - kept.len();
    let mut named: Vec<(u64, u32)> = kept.iter().map(|e| e.2).collect();
    named.par_sort_unstable();
    named.dedup();
    let norm = |a: u32| norm_sq[a as usize].get().sqrt();
    p.edges = (kept.par_iter())
        .map(|(key, sums, exemplar)| {
            let g = named.binary_search(exemplar).unwrap_or_default();
            co_edge(*key, sums, g as u32, &null, &norm)
        })
        .collect();
    p.stats.edges = p.edges.len();
    Ok(named)
}

/// What the projection of actions paired where their items are owned takes of the whole:
/// the edgeless projection of `owned`, this process's items' actions (those of the accounts
/// that take part), with the window, the accounts and the stats; every account's actions; and
/// what every owner is asked (`edges`: for every edge's parts, else for its pairs).
fn owned_projection(
    data: &Dataset,
    mut owned: Actions,
    whole: ItemsSummary,
    opts: &GraphOptions,
    edges: bool,
) -> Result<(Projection, Vec<u32>, ItemsAsk)> {
    let kind = owned.kind.expect("actions are taken for a kind");
    let mut stats = ProjectionStats {
        actions_by_process: whole.taken_by.clone(),
        unplaced: whole.unplaced,
        ..Default::default()
    };
    let accounts = data.accounts.len();
    let degree = take_part(
        whole.per_account(accounts)?,
        opts.min_participation,
        &mut stats,
    );
    let coarse = (whole.coarsest, whole.coarse_actions);
    let (window_ms, window_reason) =
        (opts.window).resolve_with(coarse, || whole.delays, opts.max_auto_window_ms)?;
    let (window, cap) = (window_ms.unwrap_or(i64::MAX), opts.max_neighbors.max(1));
    let ask = ItemsAsk {
        kind,
        keep: ItemsAsk::keep_of(&degree),
        accounts,
        window_ms: window,
        cap,
        edges,
    };
    owned.retain_accounts(|a| ask.keeps(a));
    let p = Projection {
        kind,
        window_ms,
        window_reason,
        edges: Vec::new(),
        stats,
        actions: owned,
        names: Vec::new(),
    };
    Ok((p, degree, ask))
}

/// One owner's part of an edge, of the items it owns ([`edge_parts`]): the parts of an edge
/// add up to the edge one process finds.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct EdgePart {
    key: u64,
    sums: Sums,
    /// The smallest key of the items behind it, and the row that names that item
    /// ([`Actions::naming_row`]).
    exemplar: (u64, u32),
}

/// What one owner's items add to a projection's edges, every column of them: its parts of the
/// edges, of every account's TF-IDF norm (squared), and of the window's slots.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct EdgeParts {
    parts: Vec<EdgePart>,
    norm_sq: Vec<(u32, Fixed)>,
    slots: ItemsSlots,
}

impl EdgeParts {
    /// Whether every part names accounts below `accounts` (as one process's build names them).
    pub fn within(&self, accounts: usize) -> bool {
        let fits = |a: u64| a < accounts as u64;
        self.parts
            .iter()
            .all(|e| fits(e.key >> 32) && fits(e.key & 0xffff_ffff))
            && self.norm_sq.iter().all(|&(a, _)| fits(a as u64))
    }
}

/// The parts of a projection's edges that `owned`, the actions of the items one process owns
/// (of the accounts that take part), add up to, paired as `ask` says.
pub fn edge_parts(owned: &Actions, ask: &ItemsAsk) -> EdgeParts {
    let taking_part = ask.keep.iter().map(|w| w.count_ones() as usize).sum();
    let weights = ItemWeights::new(owned, ask.accounts, taking_part);
    let ctx = Context {
        actions: owned,
        item_of: &item_of(owned),
        weights: Some(&weights),
    };
    let pairs = collect_pairs::<Acc>(&ctx, Some(ask.window_ms), ask.cap);
    let mut parts: Vec<EdgePart> = (pairs.maps.into_par_iter())
        .flat_map_iter(|map| {
            map.into_iter().map(|(key, e)| {
                let g = e.first_item as usize;
                EdgePart {
                    key,
                    sums: e.sums,
                    exemplar: (owned.item_key[g], owned.naming_row(g)),
                }
            })
        })
        .collect();
    parts.par_sort_unstable_by_key(|e| e.key);
    let norm_sq = (weights.norm_sq.iter().enumerate())
        .filter(|(_, &x)| x != Fixed::ZERO)
        .map(|(a, &x)| (a as u32, x))
        .collect();
    EdgeParts {
        parts,
        norm_sq,
        slots: ItemsSlots::of(owned, ask.window_ms, ask.cap),
    }
}

/// What the null and the projection's counts read of an owner's items' actions once the
/// accounts that take part are kept: the window's slots, and the items left.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ItemsSlots {
    slots: Slots,
    items: usize,
}

impl ItemsSlots {
    pub fn of(actions: &Actions, window_ms: i64, cap: u32) -> ItemsSlots {
        ItemsSlots {
            slots: window_slots(actions, window_ms, cap.max(1) as usize),
            items: actions.items(),
        }
    }
}

impl std::ops::Add for ItemsSlots {
    type Output = ItemsSlots;

    fn add(self, other: ItemsSlots) -> ItemsSlots {
        let (a, b) = (self.slots, other.slots);
        ItemsSlots {
            slots: Slots {
                slot_pairs: a.slot_pairs + b.slot_pairs,
                capped: a.capped + b.capped,
                items_capped: a.items_capped + b.items_capped,
            },
            items: self.items + other.items,
        }
    }
}

/// `actions` in units of about [`UNIT`] actions, each with what pairing its actions reads (the
/// rest of the last item, as far as the window and the cap reach): how a projection's pairs
/// go to a [`PairCounter`](super::counting::PairCounter).
pub fn units(actions: &Actions, window: i64, cap: u32) -> impl Iterator<Item = PairUnit> + '_ {
    let cap = cap as usize;
    let (acc, t, start) = (&actions.account, &actions.time_ms, &actions.start);
    (0..actions.len()).step_by(UNIT).map(move |lo| {
        let hi = (lo + UNIT).min(actions.len());
        // Items are sorted by their first action: the items of `lo` and `hi - 1`.
        let first = start.partition_point(|&s| s as usize <= lo) - 1;
        let last = start.partition_point(|&s| (s as usize) < hi) - 1;
        let end = start[last + 1] as usize;
        let mut reach = hi;
        while reach < end && reach < hi + cap && t[reach] - t[hi - 1] <= window {
            reach += 1;
        }
        let mut starts: Vec<u32> = (first..=last)
            .map(|g| (start[g] as usize).max(lo) as u32 - lo as u32)
            .collect();
        starts.push((reach - lo) as u32);
        PairUnit {
            account: acc[lo..reach].to_vec(),
            time_ms: t[lo..reach].to_vec(),
            start: starts,
            pair: (hi - lo) as u32,
            window,
            cap: cap as u32,
        }
    })
}

/// Consecutive actions of a projection, grouped by item as in [`Actions`]: the first `pair`
/// of them pair with the later actions of their item; the rest are there to be paired with.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct PairUnit {
    pub account: Vec<u32>,
    pub time_ms: Vec<i64>,
    pub start: Vec<u32>,
    pub pair: u32,
    pub window: i64,
    pub cap: u32,
}

impl PairUnit {
    /// Its in-window pairs, aggregated: `(account pair key, pairs)`, sorted by key.
    pub fn pairs(&self) -> Vec<(u64, u32)> {
        let items = self.start.len() - 1;
        let item_of: Vec<u32> = (0..items)
            .flat_map(|g| {
                std::iter::repeat_n(g as u32, (self.start[g + 1] - self.start[g]) as usize)
            })
            .collect();
        let mut out = Emitted::default();
        out.clear();
        let slices = (&self.account[..], &self.time_ms[..], &self.start[..]);
        let range = 0..self.pair as usize;
        emit(
            slices,
            &item_of,
            range,
            self.window,
            self.cap as usize,
            None, // the marks serve CooRTweet's filter, which counts on one process
            &mut out,
        );
        let mut keys: Vec<u64> = out.shards.into_iter().flatten().map(|p| p.key).collect();
        keys.sort_unstable();
        let mut counted: Vec<(u64, u32)> = Vec::new();
        for key in keys {
            match counted.last_mut() {
                Some((k, n)) if *k == key => *n += 1,
                _ => counted.push((key, 1)),
            }
        }
        counted
    }
}

/// What every aggregated pair must meet to be an edge: at least `min_pairs` pairs, and a
/// p-value under the shuffled null of at most `alpha`.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct EdgeTest {
    null: ShuffledNull,
    min_pairs: u32,
    alpha: f64,
}

impl EdgeTest {
    /// `(a, b, p-value)` if the account pair `key` with `n` pairs is significant.
    fn significant(&self, key: u64, n: u32) -> Option<(u32, u32, f64)> {
        let (a, b) = ((key >> 32) as u32, key as u32);
        let p_value = poisson_upper_tail(n as u64, self.null.expected(a, b));
        (p_value <= self.alpha).then_some((a, b, p_value))
    }

    /// A share of a projection's pairs, aggregated by account pair (each pair in one share
    /// only), tested.
    pub fn test(&self, pairs: impl IntoIterator<Item = (u64, u32)>) -> PairCount {
        let mut c = PairCount::default();
        for (key, n) in pairs {
            c.edges_before_filters += 1;
            c.pairs += n as u64;
            if n < self.min_pairs {
                c.edges_below_min_pairs += 1;
                continue;
            }
            c.kept += 1;
            c.significant.extend(self.significant(key, n));
        }
        c
    }
}

/// The window's slots (action pairs the window and cap allow, accounts aside) and what the
/// cap left out, without forming a pair: what the null and the stats read when the pairs
/// are counted elsewhere. The same figures `collect_pairs` adds up as it pairs.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
struct Slots {
    slot_pairs: u64,
    capped: u64,
    items_capped: usize,
}

fn window_slots(actions: &Actions, window: i64, cap: usize) -> Slots {
    let t = &actions.time_ms;
    let item = |g: usize| {
        let range = actions.item(g);
        let (end, mut hi, mut capped) = (range.end, 0, false);
        let mut s = Slots::default();
        for i in range {
            hi = window_end(t, i, hi, end, window);
            let limit = hi.min(i + 1 + cap);
            s.capped += (hi - limit) as u64;
            capped |= hi > limit;
            s.slot_pairs += (limit - i - 1) as u64;
        }
        s.items_capped = usize::from(capped);
        s
    };
    (0..actions.items())
        .into_par_iter()
        .with_min_len(1 << 12)
        .map(item)
        .reduce(Slots::default, |a, b| Slots {
            slot_pairs: a.slot_pairs + b.slot_pairs,
            capped: a.capped + b.capped,
            items_capped: a.items_capped + b.items_capped,
        })
}

/// Past the last action of its item within `window` of action `i` (times `t`, the item's
/// actions ending at `end`), searching on from `hi`: the window's end moves forward only.
#[inline]
fn window_end(t: &[i64], i: usize, hi: usize, end: usize, window: i64) -> usize {
    let mut hi = hi.max(i + 1);
    while hi < end && t[hi] - t[i] <= window {
        hi += 1;
    }
    hi
}

/// Per unit of [`UNIT`] actions (starting at `units`), the pairs the window and cap allow its
/// actions (accounts aside): what pairing the unit can form at most.
fn unit_slots(
    actions: &Actions,
    item_of: &[u32],
    units: &[usize],
    window: i64,
    cap: usize,
) -> Vec<u64> {
    let t = &actions.time_ms;
    units
        .par_iter()
        .map(|&lo| {
            let (mut n, mut hi) = (0u64, 0usize);
            let unit = &item_of[lo..(lo + UNIT).min(actions.len())];
            for (i, &g) in (lo..).zip(unit) {
                let end = actions.item(g as usize).end;
                hi = window_end(t, i, hi, end, window);
                n += (hi.min(i + 1 + cap) - i - 1) as u64;
            }
            n
        })
        .collect()
}

/// Consecutive units in rounds of at most `most`, and, with `room` (what the budget has
/// left), at most half of it in pairs unless one unit alone is more.
fn rounds(unit_bytes: &[u64], most: usize, room: Option<u64>) -> Vec<std::ops::Range<usize>> {
    let half = room.map_or(u64::MAX, |r| r / 2);
    let mut out: Vec<std::ops::Range<usize>> = Vec::new();
    let mut bytes = 0u64;
    for (u, &b) in unit_bytes.iter().enumerate() {
        match out.last_mut() {
            Some(r) if r.len() < most && bytes.saturating_add(b) <= half => {
                r.end = u + 1;
                bytes += b;
            }
            _ => {
                out.push(u..u + 1);
                bytes = b;
            }
        }
    }
    out
}

/// The projection's window and accounts, before any pair: the edgeless projection, and every
/// account's actions.
fn prepare(
    data: &Dataset,
    mut actions: Actions,
    opts: &GraphOptions,
) -> Result<(Projection, Vec<u32>)> {
    let kind = actions.kind.expect("actions are collected for a kind");
    let (window_ms, window_reason) = opts.window.resolve(&actions, opts.max_auto_window_ms)?;
    let mut stats = ProjectionStats::default();
    let degree = drop_light_accounts(&mut actions, data.accounts.len(), opts, &mut stats);
    let p = Projection {
        kind,
        window_ms,
        window_reason,
        edges: Vec::new(),
        stats,
        actions,
        names: Vec::new(),
    };
    Ok((p, degree))
}

/// The pairs' counts into the projection's stats, and the filters every edge must pass.
fn count_pairs<T: Tally>(
    data: &Dataset,
    p: &mut Projection,
    pairs: &PairMaps<T>,
    opts: &GraphOptions,
) -> Filter {
    p.stats.pairs = pairs.totals.pairs;
    p.stats.pairs_capped = pairs.totals.capped;
    p.stats.items_capped = pairs.items_capped();
    p.stats.edges_before_filters = pairs.maps.iter().map(HashMap::len).sum();
    Filter {
        min_pairs: opts.min_pairs,
        qualifies: opts
            .coortweet_participation
            .then(|| paired_participation(data, &p.actions, &pairs.paired, opts.min_participation)),
    }
}

/// Each action's item.
fn item_of(actions: &Actions) -> Vec<u32> {
    (0..actions.items())
        .flat_map(|g| std::iter::repeat_n(g as u32, actions.item(g).len()))
        .collect()
}

/// Take out the accounts with fewer than `min_participation` actions; returns every
/// account's actions after that.
fn drop_light_accounts(
    actions: &mut Actions,
    accounts: usize,
    opts: &GraphOptions,
    stats: &mut ProjectionStats,
) -> Vec<u32> {
    let degree = take_part(actions.per_account(accounts), opts.min_participation, stats);
    if opts.min_participation > 1 {
        actions.retain_accounts(|a| degree[a as usize] > 0);
    }
    stats.items = actions.items();
    stats.unplaced = actions.unplaced;
    degree
}

/// Each account's actions, `per_account`, where it takes part (it has at least
/// `min_participation`), else 0; the actions and accounts left, into `stats`.
fn take_part(
    mut degree: Vec<u32>,
    min_participation: u32,
    stats: &mut ProjectionStats,
) -> Vec<u32> {
    let active_before = degree.iter().filter(|&&n| n > 0).count();
    degree
        .iter_mut()
        .filter(|n| **n < min_participation)
        .for_each(|n| *n = 0);
    stats.actions = degree.iter().map(|&n| n as usize).sum();
    stats.accounts = degree.iter().filter(|&&n| n > 0).count();
    stats.accounts_below_min_participation = active_before - stats.accounts;
    degree
}

/// Every in-window pair aggregated by account pair, in `SHARDS` maps.
struct PairMaps<T> {
    maps: Vec<HashMap<u64, T>>,
    totals: Emitted,
    /// Actions that were paired, and items where the neighbour cap left pairs out (bit sets).
    paired: Vec<AtomicU64>,
    capped_items: Vec<AtomicU64>,
}

impl<T> PairMaps<T> {
    fn items_capped(&self) -> usize {
        self.capped_items
            .iter()
            .map(|w| w.load(Ordering::Relaxed).count_ones() as usize)
            .sum()
    }
}

/// Pair every action with the later actions of its item inside the window, aggregated by
/// account pair. Rounds: units of actions emit their in-window pairs into per-shard buffers in
/// parallel, then each shard's map takes its pairs, one task per shard. No map is ever merged
/// into another, and the buffers hold one round, so memory follows the edges.
fn collect_pairs<T: Tally>(
    ctx: &Context,
    window_ms: Option<i64>,
    max_neighbors: u32,
) -> PairMaps<T> {
    collect_pairs_stopping(ctx, window_ms, max_neighbors, None, &|_| Ok(()))
        .expect("pairing without a memory limit never stops")
}

/// [`collect_pairs`] for projection `p`, stopping once the process holds more than the
/// options' memory limit: a wide window pairs every action with many, and the pairs' maps
/// grow past any estimate made before pairing.
fn collect_pairs_within<T: Tally>(
    ctx: &Context,
    p: &Projection,
    opts: &GraphOptions,
) -> Result<PairMaps<T>> {
    let budget = PairBudget::of(p, opts);
    let held = crate::memory::resident().unwrap_or(0);
    let room = (opts.memory_limit).map(|l| l.saturating_sub(held) / budget.lanes);
    collect_pairs_stopping(ctx, p.window_ms, opts.max_neighbors, room, &|extra| {
        budget.check(extra)
    })
}

/// The memory check of one kind's pairing and of the edges made from its pairs: the stage
/// named, and what to change said.
struct PairBudget {
    stage: String,
    what_helps: String,
    limit: Option<u64>,
    /// Kinds pairing at once each take their share of the room, and each counts the others'
    /// growth as its own.
    lanes: u64,
}

impl PairBudget {
    fn of(p: &Projection, opts: &GraphOptions) -> PairBudget {
        let window = p
            .window_ms
            .map_or("none".to_string(), super::format_duration);
        PairBudget {
            stage: format!("building the {} graph", p.kind.name()),
            what_helps: format!(
                "pair fewer actions: a narrower --window (this graph's is {window}) or a lower \
                 --max-neighbors (now {})",
                opts.max_neighbors
            ),
            limit: opts.memory_limit,
            lanes: opts.lanes.max(1) as u64,
        }
    }

    /// Stop if the process holds more than the limit, or would once it takes `extra` more.
    /// The second is said as the next round's figure: the whole graph needs more, and a limit
    /// raised to it stopped again a round later.
    fn check(&self, extra: u64) -> Result<()> {
        crate::memory::check_or(
            (&self.stage, " (its next round of pairs alone)"),
            extra * self.lanes,
            self.limit,
            &self.what_helps,
        )
    }
}

/// The pairs of `ctx`'s actions, asking `check` before each round (and after the last)
/// whether to go on, and before a round's pairs are formed and the maps sized for the rest
/// whether that many more bytes can be taken. With `room` (the bytes the budget has left), a round forms at most
/// half of it in pairs.
fn collect_pairs_stopping<T: Tally>(
    ctx: &Context,
    window_ms: Option<i64>,
    max_neighbors: u32,
    room: Option<u64>,
    check: &(dyn Fn(u64) -> Result<()> + Sync),
) -> Result<PairMaps<T>> {
    let (actions, item_of) = (ctx.actions, ctx.item_of);
    let window = window_ms.unwrap_or(i64::MAX);
    let cap = max_neighbors.max(1) as usize;
    let bits =
        |n: usize| -> Vec<AtomicU64> { (0..n.div_ceil(64)).map(|_| AtomicU64::new(0)).collect() };
    let paired = bits(actions.len());
    let capped_items = bits(actions.items());
    let units: Vec<usize> = (0..actions.len()).step_by(UNIT).collect();
    // What each unit's pairs can take at most: a wide window pairs each action with hundreds
    // (a busy hashtag's with the cap's thousand), and a round of units formed them all at
    // once, past any budget.
    const PAIR_BYTES: u64 = std::mem::size_of::<Pair>() as u64;
    let slots = unit_slots(actions, item_of, &units, window, cap);
    let unit_bytes: Vec<u64> = slots.iter().map(|n| n * PAIR_BYTES).collect();
    let rounds = rounds(&unit_bytes, 4 * rayon::current_num_threads().max(1), room);
    // No shard can hold more account pairs than its share of the window's slots: the first
    // round's rate, extrapolated, overshot 8x at 10^8 tweets (co-url's first items pair
    // densely), and the maps' 3 GB set the run's peak.
    let most = slots.iter().sum::<u64>() as f64 / SHARDS as f64 * 1.05;
    let mut maps: Vec<HashMap<u64, T>> = (0..SHARDS).map(|_| HashMap::new()).collect();
    let mut buffers: Vec<Emitted> = Vec::new();
    let mut totals = Emitted::default();
    let table = |entries: f64| table_bytes(entries, std::mem::size_of::<(u64, T)>());
    // The bytes of growths under way on every thread: each thread's check counts the others'.
    let growing = AtomicU64::new(0);
    for (r, within) in rounds.into_iter().enumerate() {
        // The round's pairs; the maps' tables are checked as they grow.
        let new_pairs: u64 = slots[within.clone()].iter().sum();
        check(new_pairs * PAIR_BYTES)?;
        let done = (within.start * UNIT).min(actions.len()) as f64;
        let starts = &units[within];
        buffers.resize_with(starts.len(), Emitted::default);
        // Tasks work on local handles, moved out and back: neighbouring `Emitted` and map
        // headers share cache lines, and updating counts and lengths there on every pair
        // bounced those lines between the cores.
        buffers.par_iter_mut().zip(starts).for_each(|(out, &lo)| {
            let mut local = std::mem::take(out);
            local.clear();
            let hi = (lo + UNIT).min(actions.len());
            let marks = Marks {
                paired: &paired,
                capped_items: &capped_items,
            };
            let slices = (
                &actions.account[..],
                &actions.time_ms[..],
                &actions.start[..],
            );
            emit(
                slices,
                item_of,
                lo..hi,
                window,
                cap,
                Some(marks),
                &mut local,
            );
            *out = local;
        });
        // After the first round, each map is sized for its share of the rest as the first
        // round went, rather than doubled (and rehashed) a dozen times on the way.
        let want = |len: usize| (len as f64 * actions.len() as f64 / done * 1.1).min(most);
        if r == 1 {
            // Each table sized for the rest is a new one beside the present.
            let tables: f64 = (maps.iter())
                .map(|m| want(m.len()))
                .filter(|&w| w > 0.0)
                .map(table)
                .sum();
            check(tables as u64)?;
        }
        maps.par_iter_mut()
            .enumerate()
            .try_for_each(|(s, shared)| -> Result<()> {
                let mut map = std::mem::take(shared);
                if r == 1 {
                    map.reserve((want(map.len()) as usize).saturating_sub(map.len()));
                }
                for out in &buffers {
                    for p in &out.shards[s] {
                        // A full table grows into one of twice its size beside it: with a
                        // wide window the maps outgrow any estimate, so a large growth is
                        // checked before it is made.
                        if map.len() == map.capacity() {
                            let next = table((map.capacity() + 1) as f64) as u64;
                            if next as f64 >= CHECKED_GROWTH {
                                grow_asked(&mut map, next, &growing, check)?;
                            }
                        }
                        map.entry(p.key)
                            .or_insert_with(|| T::new(item_of[p.i as usize]))
                            .take(p, ctx);
                    }
                }
                *shared = map;
                Ok(())
            })?;
        for out in &buffers {
            totals.pairs += out.pairs;
            totals.slot_pairs += out.slot_pairs;
            totals.capped += out.capped;
        }
    }
    // Each round checked what was held before it; this is the last round's.
    check(0)?;
    Ok(PairMaps {
        maps,
        totals,
        paired,
        capped_items,
    })
}

/// Grow `map`'s table (`next` bytes) once `check` allows it beside the growths under way on
/// other threads, which `growing` counts until their new tables are resident. Checked one by
/// one, maps growing at once on several threads each found room for itself alone, and
/// together passed the limit by up to a table per thread.
fn grow_asked<V>(
    map: &mut HashMap<u64, V>,
    next: u64,
    growing: &AtomicU64,
    check: &(dyn Fn(u64) -> Result<()> + Sync),
) -> Result<()> {
    let others = growing.fetch_add(next, Ordering::SeqCst);
    let asked = check(others + next);
    if asked.is_ok() {
        // Grown here, not at the next insert, so that its pages are resident (and counted in
        // what the process holds) before the bytes leave `growing`.
        map.reserve(1);
    }
    growing.fetch_sub(next, Ordering::SeqCst);
    asked
}

/// The bytes of a hash table (hashbrown's) that holds `entries` of `entry` bytes: a power of
/// two of slots, at most 7/8 full, each with its control byte.
fn table_bytes(entries: f64, entry: usize) -> f64 {
    let slots = ((entries * 8.0 / 7.0).ceil() as u64)
        .next_power_of_two()
        .max(4);
    slots as f64 * (entry + 1) as f64
}

/// The smallest growth of a pair map that is checked against the memory budget first: below
/// it, growths are many and cheap (64 maps, doubling from a few entries). 64 maps each growing
/// unchecked up to 8 MB at once went 1.6x past a 300 MB limit; at this size the 64 together
/// stay within 16 MB.
const CHECKED_GROWTH: f64 = (256 << 10) as f64;

/// Expected pairs of (a, b) when accounts are shuffled over the fixed action slots:
/// 2 * slot_pairs * k_a * k_b / (M (M - 1)).
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
struct ShuffledNull {
    scale: f64,
    degree: Vec<u32>,
}

impl ShuffledNull {
    /// The null of `m` actions (of the accounts that take part) whose window allows
    /// `slot_pairs` pairs of slots; each account's actions `degree`.
    fn new(m: usize, slot_pairs: u64, degree: Vec<u32>) -> ShuffledNull {
        let m = m as f64;
        let scale = if m > 1.0 {
            2.0 * slot_pairs as f64 / (m * (m - 1.0))
        } else {
            0.0
        };
        ShuffledNull { scale, degree }
    }

    fn expected(&self, a: u32, b: u32) -> f64 {
        self.scale * self.degree[a as usize] as f64 * self.degree[b as usize] as f64
    }
}

/// What becomes of an aggregated pair: below `min_pairs`, below participation, or kept.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Fate {
    BelowMinPairs = 0,
    BelowParticipation = 1,
    Kept = 2,
}

/// The filters an edge must pass before its significance is tested.
struct Filter {
    min_pairs: u32,
    /// CooRTweet's participation: an edge needs one qualifying account.
    qualifies: Option<Vec<bool>>,
}

impl Filter {
    fn fate<T: Tally>(&self, key: u64, e: &T) -> Fate {
        let accounts_qualify = self
            .qualifies
            .as_ref()
            .is_none_or(|q| q[(key >> 32) as usize] || q[key as u32 as usize]);
        match (e.pairs() >= self.min_pairs, accounts_qualify) {
            (false, _) => Fate::BelowMinPairs,
            (true, false) => Fate::BelowParticipation,
            (true, true) => Fate::Kept,
        }
    }
}

/// Per shard, in parallel and in one pass: how many edges meet each fate (into `stats`).
fn tally_fates<T: Tally + Sync>(
    maps: &[HashMap<u64, T>],
    filter: &Filter,
    stats: &mut ProjectionStats,
) -> Vec<[usize; 3]> {
    let tallies: Vec<[usize; 3]> = maps
        .par_iter()
        .map(|m| {
            m.iter().fold([0; 3], |mut t, (&k, e)| {
                t[filter.fate(k, e) as usize] += 1;
                t
            })
        })
        .collect();
    stats.edges_below_min_pairs = tallies.iter().map(|t| t[0]).sum();
    stats.edges_below_participation = tallies.iter().map(|t| t[1]).sum();
    tallies
}

/// The kept edges, with their significance, sorted by account pair; the maps are freed as
/// their edges are written.
fn finish_edges(
    maps: Vec<HashMap<u64, Acc>>,
    filter: &Filter,
    null: &ShuffledNull,
    weights: &ItemWeights,
    stats: &mut ProjectionStats,
    budget: &PairBudget,
) -> Result<Vec<CoEdge>> {
    let tallies = tally_fates(&maps, filter, stats);
    let kept = Fate::Kept as usize;
    // Each shard writes its edges into its own stretch of one exactly sized vector, and its
    // map is freed as soon as it is done: the edges and the maps are never both held twice.
    // Every thread first-touches its part: faulting in the 60 MB of 10^6 edges on one thread
    // (`vec![..; n]`) left the other core idle for a tenth of a second.
    let total = tallies.iter().map(|t| t[kept]).sum();
    budget.check((total * std::mem::size_of::<CoEdge>()) as u64)?;
    let mut edges = Vec::with_capacity(total);
    edges.par_extend(rayon::iter::repeat_n(CoEdge::default(), total));
    let mut stretches = Vec::with_capacity(SHARDS);
    let mut rest = &mut edges[..];
    for t in &tallies {
        let (head, tail) = rest.split_at_mut(t[kept]);
        stretches.push(head);
        rest = tail;
    }
    maps.into_par_iter().zip(stretches).for_each(|(map, out)| {
        let kept_edges = map
            .into_iter()
            .filter(|&(k, ref e)| filter.fate(k, e) == Fate::Kept);
        for (slot, (key, e)) in out.iter_mut().zip(kept_edges) {
            let norm = |a: u32| weights.norm_sq[a as usize].get().sqrt();
            *slot = co_edge(key, &e.sums, e.first_item, null, &norm);
        }
    });
    edges.par_sort_unstable_by_key(|e| (e.a, e.b));
    Ok(edges)
}

/// An aggregated pair as an edge, with its weights and its significance under the null:
/// `exemplar` numbers its first item, `norm` gives each account's TF-IDF norm.
fn co_edge(
    key: u64,
    e: &Sums,
    exemplar: u32,
    null: &ShuffledNull,
    norm: &(dyn Fn(u32) -> f64 + Sync),
) -> CoEdge {
    let (a, b) = ((key >> 32) as u32, key as u32);
    let expected = null.expected(a, b);
    let norm = norm(a) * norm(b);
    let p_value = poisson_upper_tail(e.pairs as u64, expected);
    CoEdge {
        a,
        b,
        pairs: e.pairs,
        items: e.items,
        min_delay_ms: e.min_delay,
        mean_delay_ms: e.delay_sum as f64 / e.pairs as f64,
        idf_weight: e.idf.get(),
        cosine: if norm > 0.0 {
            (e.dot.get() / norm).min(1.0)
        } else {
            0.0
        },
        expected_pairs: expected,
        z: z_from_p(p_value),
        p_value,
        exemplar_item: exemplar,
    }
}

/// Actions per emitting task (and per [`PairUnit`]); a busy item's actions may span several.
pub const UNIT: usize = 1 << 14;
/// Account-pair maps, each built by one task (a power of two).
const SHARDS: usize = 64;

/// One co-action pair: the account pair and the two actions (`i` before `j`, same item).
#[derive(Clone, Copy)]
struct Pair {
    key: u64,
    i: u32,
    j: u32,
}

/// What one unit of actions emitted: its pairs by shard, and counts.
#[derive(Default)]
struct Emitted {
    shards: Vec<Vec<Pair>>,
    pairs: u64,
    slot_pairs: u64,
    capped: u64,
}

impl Emitted {
    fn clear(&mut self) {
        self.shards.resize_with(SHARDS, Vec::new);
        self.shards.iter_mut().for_each(Vec::clear);
        (self.pairs, self.slot_pairs, self.capped) = (0, 0, 0);
    }
}

/// Bit sets that emitting tasks mark as they go.
#[derive(Clone, Copy)]
struct Marks<'a> {
    paired: &'a [AtomicU64],
    capped_items: &'a [AtomicU64],
}

/// Pairs of the actions in `range` with the later actions of their item inside the window
/// (at most `cap` of them, the nearest in time), marking paired actions and capped items in
/// `marks` if given.
fn emit(
    (acc, t, start): (&[u32], &[i64], &[u32]),
    item_of: &[u32],
    range: std::ops::Range<usize>,
    window: i64,
    cap: usize,
    marks: Option<Marks>,
    out: &mut Emitted,
) {
    let (mut hi, mut item) = (0, usize::MAX);
    for i in range {
        let g = item_of[i] as usize;
        if g != item {
            (hi, item) = (0, g);
        }
        let end = start[g + 1] as usize;
        hi = window_end(t, i, hi, end, window);
        let limit = hi.min(i + 1 + cap);
        if hi > limit {
            out.capped += (hi - limit) as u64;
            if let Some(m) = marks {
                mark(m.capped_items, g);
            }
        }
        out.slot_pairs += (limit - i - 1) as u64;
        for j in i + 1..limit {
            let (x, y) = (acc[i], acc[j]);
            if x == y {
                continue;
            }
            if let Some(m) = marks {
                mark(m.paired, i);
                mark(m.paired, j);
            }
            out.pairs += 1;
            let key = pair_key(x, y);
            let shard = (key.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 58) as usize % SHARDS;
            out.shards[shard].push(Pair {
                key,
                i: i as u32,
                j: j as u32,
            });
        }
    }
}

/// What pairing reads besides the pairs.
struct Context<'a> {
    actions: &'a Actions,
    item_of: &'a [u32],
    /// TF-IDF weights, where the edges' weights are wanted.
    weights: Option<&'a ItemWeights>,
}

/// What an edge keeps of its pairs.
trait Tally: Send {
    /// An edge whose first pair is on `item`.
    fn new(item: u32) -> Self;
    fn take(&mut self, p: &Pair, ctx: &Context);
    fn pairs(&self) -> u32;
}

/// Counting only: what the significance test reads.
impl Tally for u32 {
    fn new(_: u32) -> u32 {
        0
    }
    fn take(&mut self, _: &Pair, _: &Context) {
        *self += 1;
    }
    fn pairs(&self) -> u32 {
        *self
    }
}

/// Every column of [`CoEdge`]. Pairs of an edge arrive in item order, so an item is counted
/// once, at its first pair.
impl Tally for Acc {
    fn new(item: u32) -> Acc {
        Acc {
            sums: Sums::ZERO,
            last_item: u32::MAX,
            first_item: item,
        }
    }

    fn take(&mut self, p: &Pair, ctx: &Context) {
        let (i, j) = (p.i as usize, p.j as usize);
        let g = ctx.item_of[i];
        let delay = ctx.actions.time_ms[j] - ctx.actions.time_ms[i];
        let s = &mut self.sums;
        s.pairs += 1;
        s.delay_sum += delay;
        s.min_delay = s.min_delay.min(delay);
        if self.last_item != g {
            let weights = ctx.weights.expect("weights for full edges");
            self.last_item = g;
            s.items += 1;
            s.idf += Fixed::from(weights.idf[g as usize]);
            s.dot += Fixed::from(weights.action[i] * weights.action[j]);
        }
    }

    fn pairs(&self) -> u32 {
        self.sums.pairs
    }
}

fn pair_key(x: u32, y: u32) -> u64 {
    let (a, b) = if x < y { (x, y) } else { (y, x) };
    ((a as u64) << 32) | b as u64
}

fn mark(bits: &[AtomicU64], i: usize) {
    bits[i / 64].fetch_or(1 << (i % 64), Ordering::Relaxed);
}

fn is_marked(bits: &[AtomicU64], i: usize) -> bool {
    bits[i / 64].load(Ordering::Relaxed) & (1 << (i % 64)) != 0
}

/// CooRTweet's refined participation: an account qualifies if at least `min` of its actions
/// are shares whose content id took part in some pair (content ids compared by value, as
/// CooRTweet does, so a reused content id counts wherever it appears).
fn paired_participation(
    data: &Dataset,
    actions: &Actions,
    paired: &[AtomicU64],
    min: u32,
) -> Vec<bool> {
    let content = |i: usize| {
        let row = actions.row[i] as usize;
        match data.tweet_id[row] {
            NO_TWEET => u64::MAX - row as u64,
            id => id,
        }
    };
    let paired_content: hashbrown::HashSet<u64> = (0..actions.len())
        .filter(|&i| is_marked(paired, i))
        .map(content)
        .collect();
    let mut n = vec![0u32; data.accounts.len()];
    for i in 0..actions.len() {
        if paired_content.contains(&content(i)) {
            n[actions.account[i] as usize] += 1;
        }
    }
    n.into_iter().map(|c| c >= min.max(1)).collect()
}

/// Per-item inverse document frequencies, per-action TF-IDF weights and per-account squared
/// norms (in fixed point: owners of different items add theirs up in any order).
struct ItemWeights {
    idf: Vec<f64>,
    /// The weight of the action's account on the action's item: (1 + ln tf) * idf.
    action: Vec<f64>,
    norm_sq: Vec<Fixed>,
}

impl ItemWeights {
    /// The weights of `actions`, of `accounts` accounts, `taking_part` of which take part in
    /// the projection (the documents the inverse document frequency counts).
    fn new(actions: &Actions, accounts: usize, taking_part: usize) -> ItemWeights {
        let n = taking_part.max(1) as f64;
        let mut norm_sq = vec![Fixed::ZERO; accounts];
        let mut idf = Vec::with_capacity(actions.items());
        let mut action = vec![0.0; actions.len()];
        let mut tf: Vec<(u32, u32)> = Vec::new();
        for g in 0..actions.items() {
            let range = actions.item(g);
            ItemWeights::counts(&actions.account[range.clone()], &mut tf);
            let w = (n / tf.len() as f64).ln();
            idf.push(w);
            for &(a, c) in &tf {
                let x = (1.0 + (c as f64).ln()) * w;
                norm_sq[a as usize] += Fixed::from(x * x);
            }
            for i in range {
                let k = tf.binary_search_by_key(&actions.account[i], |&(a, _)| a);
                let c = k.map_or(1, |k| tf[k].1);
                action[i] = (1.0 + (c as f64).ln()) * w;
            }
        }
        ItemWeights {
            idf,
            action,
            norm_sq,
        }
    }

    /// (account, actions on this item), sorted by account, into `out`.
    fn counts(acc: &[u32], out: &mut Vec<(u32, u32)>) {
        out.clear();
        out.extend(acc.iter().map(|&a| (a, 1)));
        out.sort_unstable_by_key(|&(a, _)| a);
        out.dedup_by(|next, kept| {
            let same = next.0 == kept.0;
            if same {
                kept.1 += 1;
            }
            same
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ACCOUNTS: usize = 20_000;

    /// Actions on `items` items, one of them far larger than a unit, with times that bunch
    /// (so windows and caps both bite) and accounts that repeat (so self-pairs occur), and
    /// one pair of accounts far more often together than chance.
    fn actions(items: usize, seed: u64) -> Actions {
        let mut x = seed;
        let mut next = move |n: u64| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (x >> 33) % n
        };
        let mut a = Actions {
            start: vec![0],
            ..Default::default()
        };
        for g in 0..items {
            let n = if g == items / 2 {
                3 * UNIT + 77
            } else {
                1 + next(40) as usize
            };
            let mut t = next(1_000_000) as i64;
            // Accounts 0 and 1 act together on every third item: a significant pair.
            for together in (g % 3 == 0).then_some([0, 1]).into_iter().flatten() {
                t += 500;
                a.account.push(together);
                a.time_ms.push(t);
                a.row.push(a.row.len() as u32);
            }
            for _ in 0..n {
                t += next(30_000) as i64;
                a.account.push(next(ACCOUNTS as u64) as u32);
                a.time_ms.push(t);
                a.row.push(a.row.len() as u32);
            }
            a.item_key.push(g as u64);
            a.start.push(a.account.len() as u32);
        }
        a
    }

    #[test]
    fn units_pair_and_count_as_pairing_in_one_place_does() {
        for (window, cap) in [(Some(60_000), 1000), (Some(10_000), 3), (None, 50)] {
            let a = actions(3000, 7);
            let ctx = Context {
                actions: &a,
                item_of: &item_of(&a),
                weights: None,
            };
            let here = collect_pairs::<u32>(&ctx, window, cap);
            let mut want: Vec<(u64, u32)> =
                here.maps.iter().flatten().map(|(&k, &n)| (k, n)).collect();
            want.sort_unstable();

            let w = window.unwrap_or(i64::MAX);
            let slots = window_slots(&a, w, cap as usize);
            assert_eq!(slots.slot_pairs, here.totals.slot_pairs);
            assert_eq!(slots.capped, here.totals.capped);
            assert_eq!(slots.items_capped, here.items_capped());

            let test = EdgeTest {
                null: ShuffledNull::new(a.len(), slots.slot_pairs, a.per_account(ACCOUNTS)),
                min_pairs: 4,
                alpha: 0.05,
            };
            let mut by_units: HashMap<u64, u32> = HashMap::new();
            let units: Vec<PairUnit> = units(&a, w, cap).collect();
            assert!(units.len() > 4);
            for u in &units {
                for (k, n) in u.pairs() {
                    *by_units.entry(k).or_default() += n;
                }
            }
            let mut got: Vec<(u64, u32)> = by_units.into_iter().collect();
            got.sort_unstable();
            assert_eq!(got, want, "window {window:?}, cap {cap}");

            // Tested in two shares (by key), the counts add up to the whole tested at once.
            let (odd, even): (Vec<_>, Vec<_>) = got.iter().partition(|(k, _)| k % 2 == 1);
            let mut shares = test.test(odd);
            shares.add(test.test(even));
            let whole = test.test(got.iter().copied());
            shares.significant.sort_unstable_by_key(|e| (e.0, e.1));
            assert_eq!(shares.significant, whole.significant);
            assert!(!whole.significant.is_empty());
            let below = want.iter().filter(|e| e.1 < 4).count() as u64;
            assert_eq!(whole.edges_below_min_pairs, below);
            assert!(
                below > 0 && whole.kept > 0,
                "{below} below, {} kept",
                whole.kept
            );
            assert_eq!(shares.pairs, here.totals.pairs);
            assert_eq!(
                (shares.kept, shares.edges_before_filters),
                (whole.kept, want.len() as u64)
            );
        }
    }

    /// Where every edge is wanted, the parts of the edges each owner of items finds add up to
    /// the edges one process finds, every column of them, with the same exemplar items.
    #[test]
    fn owners_edge_parts_add_up_to_one_process_edges() {
        use crate::graphs::actions::{collect, ActionFilter};
        use crate::graphs::held::owner;
        let dir = tempfile::tempdir().unwrap();
        let data = crate::synth::generated_dataset(60_000, dir.path());
        let accounts = data.accounts.len();
        for kind in [CoactionKind::CoHashtag, CoactionKind::CoRetweet] {
            let whole = collect(&data, kind, &ActionFilter::default());
            for (min_participation, min_pairs) in [(1, 1), (3, 2)] {
                let opts = GraphOptions {
                    min_participation,
                    min_pairs,
                    window: crate::graphs::window::Window::Fixed(600_000),
                    ..GraphOptions::default()
                };
                let one = project(&data, whole.clone(), &opts).unwrap();
                assert!(one.edges.len() > 300, "{kind:?}: {}", one.edges.len());
                let (mut kept, mut stats) = (whole.clone(), ProjectionStats::default());
                let degree = drop_light_accounts(&mut kept, accounts, &opts, &mut stats);
                let ask = ItemsAsk {
                    kind,
                    keep: ItemsAsk::keep_of(&degree),
                    accounts,
                    window_ms: one.window_ms.unwrap_or(i64::MAX),
                    cap: opts.max_neighbors.max(1),
                    edges: true,
                };
                for n in [1, 2, 3] {
                    let all: Vec<EdgeParts> = (0..n)
                        .map(|q| {
                            let mut part = whole.of_items(|item| owner(item, n) == q);
                            part.retain_accounts(|a| ask.keeps(a));
                            edge_parts(&part, &ask)
                        })
                        .collect();
                    assert!(all.iter().all(|e| e.within(accounts)));
                    let mut p = Projection {
                        kind,
                        window_ms: one.window_ms,
                        window_reason: None,
                        edges: Vec::new(),
                        stats: stats.clone(),
                        actions: Actions::default(),
                        names: Vec::new(),
                    };
                    let named = add_up_edges(&mut p, all, degree.clone(), min_pairs).unwrap();
                    let exemplar = |e: &CoEdge| {
                        let g = e.exemplar_item as usize;
                        (one.actions.item_key[g], one.actions.naming_row(g))
                    };
                    assert_eq!(p.edges.len(), one.edges.len(), "{kind:?} on {n}");
                    for (got, want) in p.edges.iter().zip(&one.edges) {
                        assert_eq!(named[got.exemplar_item as usize], exemplar(want));
                        let got = CoEdge {
                            exemplar_item: want.exemplar_item,
                            ..got.clone()
                        };
                        assert_eq!(&got, want, "{kind:?} on {n}");
                    }
                    let (a, b) = (&p.stats, &one.stats);
                    assert_eq!(
                        (a.pairs, a.items, a.pairs_capped, a.items_capped),
                        (b.pairs, b.items, b.pairs_capped, b.items_capped)
                    );
                    assert_eq!(
                        (a.edges_before_filters, a.edges_below_min_pairs, a.edges),
                        (b.edges_before_filters, b.edges_below_min_pairs, b.edges)
                    );
                    assert_eq!(a.pairs_by_process.len(), n);
                }
            }
        }
    }

    /// Where a kind's actions are paired where their items are owned, each owner's part of
    /// what the window, the accounts that take part and the null read adds up to the whole's:
    /// the same window for the same reason, the same accounts with the same actions, and the
    /// same slots and items once those accounts are kept.
    #[test]
    fn owners_parts_add_up_to_the_wholes_window_accounts_and_null() {
        use crate::graphs::actions::{collect, ActionFilter};
        use crate::graphs::held::owner;
        use crate::graphs::window::Window;
        let dir = tempfile::tempdir().unwrap();
        let data = crate::synth::generated_dataset(20_000, dir.path());
        let accounts = data.accounts.len();
        for kind in [
            CoactionKind::CoHashtag,
            CoactionKind::CoTweet,
            CoactionKind::CoRetweet,
        ] {
            let whole = collect(&data, kind, &ActionFilter::default());
            assert!(whole.len() > 1000, "{kind:?}");
            let coarse = (whole.coarsest, whole.coarse_actions);
            for n in [1, 2, 3] {
                let parts: Vec<Actions> = (0..n)
                    .map(|p| whole.of_items(|item| owner(item, n) == p))
                    .collect();
                // How coarse the times are comes from the rows' holders: here all from one.
                let summary = (parts.iter().enumerate())
                    .map(|(p, part)| {
                        ItemsSummary::of(part, if p == 0 { coarse } else { Default::default() })
                    })
                    .fold(ItemsSummary::default(), |a, b| a + b);
                for window in [Window::Auto, Window::Fixed(30_000), Window::Whole] {
                    let one = window.resolve(&whole, 3_600_000).unwrap();
                    let cut = (
                        summary.clone().delays,
                        (summary.coarsest, summary.coarse_actions),
                    );
                    let summed = window.resolve_with(cut.1, || cut.0, 3_600_000).unwrap();
                    assert_eq!(summed, one, "{window} on {n}");
                }
                for min_participation in [1, 2, 5] {
                    let opts = GraphOptions {
                        min_participation,
                        ..GraphOptions::default()
                    };
                    let (mut one, mut stats) = (whole.clone(), ProjectionStats::default());
                    let degree = drop_light_accounts(&mut one, accounts, &opts, &mut stats);
                    let mut summed = ProjectionStats::default();
                    let per_account = summary.per_account(accounts).unwrap();
                    assert_eq!(
                        take_part(per_account, min_participation, &mut summed),
                        degree
                    );
                    assert_eq!(
                        (
                            summed.actions,
                            summed.accounts,
                            summed.accounts_below_min_participation
                        ),
                        (
                            stats.actions,
                            stats.accounts,
                            stats.accounts_below_min_participation
                        )
                    );
                    let keep = ItemsAsk {
                        kind,
                        keep: ItemsAsk::keep_of(&degree),
                        accounts,
                        window_ms: 60_000,
                        cap: 3,
                        edges: false,
                    };
                    let slots = (parts.iter().cloned())
                        .map(|mut part| {
                            part.retain_accounts(|a| keep.keeps(a));
                            ItemsSlots::of(&part, keep.window_ms, keep.cap)
                        })
                        .fold(ItemsSlots::default(), |a, b| a + b);
                    assert_eq!(
                        slots,
                        ItemsSlots::of(&one, 60_000, 3),
                        "{n}, {min_participation}"
                    );
                    assert_eq!(slots.items, stats.items);
                    if kind == CoactionKind::CoHashtag {
                        assert!(slots.slots.capped > 0 && slots.slots.slot_pairs > 0);
                    }
                }
            }
        }
        // An account past the dataset's, from another process, is an error, not a panic.
        let stray = ItemsSummary {
            by_account: vec![(accounts as u32, 1)],
            ..Default::default()
        };
        assert!(stray.per_account(accounts).is_err());
    }
}
