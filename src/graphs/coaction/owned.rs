//! Co-action pairs where the items are owned by processes: each owner pairs its own items'
//! actions, and the parts of an edge its owners find add up to it.

use super::*;

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
pub(super) fn add_up_edges(
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
    let p = Projection::edgeless(kind, (window_ms, window_reason), stats, owned);
    Ok((p, degree, ask))
}

/// One owner's part of an edge, of the items it owns ([`edge_parts`]): the parts of an edge
/// add up to the edge one process finds.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct EdgePart {
    pub(super) key: u64,
    pub(super) sums: Sums,
    /// The smallest key of the items behind it, and the row that names that item
    /// ([`Actions::naming_row`]).
    pub(super) exemplar: (u64, u32),
}

/// What one owner's items add to a projection's edges, every column of them: its parts of the
/// edges, of every account's TF-IDF norm (squared), and of the window's slots.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct EdgeParts {
    pub(super) parts: Vec<EdgePart>,
    pub(super) norm_sq: Vec<(u32, Fixed)>,
    pub(super) slots: ItemsSlots,
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
    pub(super) slots: Slots,
    pub(super) items: usize,
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
