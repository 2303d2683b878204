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
//!
//! The steps, in the order a projection takes them: `pairing` forms the pairs within the
//! window, `collect` gathers them by account pair within the memory budget, and `edges`
//! filters, tests and describes the edges; `owned` does the same where each process pairs the
//! items it owns.

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

mod collect;
mod edges;
mod owned;
mod pairing;

use collect::*;
pub use edges::EdgeTest;
use edges::*;
pub use owned::*;
use pairing::*;
pub use pairing::{units, PairUnit, UNIT};

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
    /// A projection of `actions` with no edge yet, in `window_ms` (chosen for `window_reason`).
    fn edgeless(
        kind: CoactionKind,
        (window_ms, window_reason): (Option<i64>, Option<String>),
        stats: ProjectionStats,
        actions: Actions,
    ) -> Projection {
        Projection {
            kind,
            window_ms,
            window_reason,
            edges: Vec::new(),
            stats,
            actions,
            names: Vec::new(),
        }
    }

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
    let p = Projection::edgeless(kind, (window_ms, window_reason), stats, actions);
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
                    let window = (one.window_ms, None);
                    let mut p =
                        Projection::edgeless(kind, window, stats.clone(), Actions::default());
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
