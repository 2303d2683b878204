//! Each kind's graph built and tested on its own ([`build_kind`]), its significant edges
//! given their evidence, and the kinds' lists merged by account pair ([`by_pair`]).

use super::*;

/// One co-action kind's graph as `fuse` takes it: the projection, its significant edges with
/// their evidence, and what it contributed.
pub(super) struct BuiltKind {
    pub(super) projection: Projection,
    pub(super) list: KindEdges,
    pub(super) stats: KindStats,
}

pub(super) fn build_kind(
    data: &Dataset,
    kind: CoactionKind,
    opts: &FusionOptions,
    sources: &[Option<retweet::Source>],
) -> Result<BuiltKind> {
    // Only the significant edges go on, with their evidence: their other columns are not
    // read.
    let (mut p, significant) = project_kind(data, kind, &opts.graph, opts.edge_pvalue, sources)?;
    // Where rows are held apart, an action's row may be another process's: its time stays.
    p.actions.keep_shared(opts.graph.holders.apart().is_some());
    let (list, total) = with_evidence(significant);
    let stats = KindStats {
        kind: kind.name(),
        window: p.window_ms.map_or("none".to_string(), format_duration),
        window_reason: p.window_reason.clone(),
        edges: p.stats.edges,
        significant_edges: list.len(),
        evidence: total,
        pairs_capped: p.stats.pairs_capped,
        items_capped: p.stats.items_capped,
    };
    Ok(BuiltKind {
        projection: p,
        list,
        stats,
    })
}

/// One kind's projection with its window: an estimated window is capped, and a window the
/// timestamps cannot resolve becomes the whole period (said in the window's reason) rather
/// than failing the run.
fn project_kind(
    data: &Dataset,
    kind: CoactionKind,
    graph: &GraphOptions,
    alpha: f64,
    sources: &[Option<retweet::Source>],
) -> Result<(Projection, coaction::SignificantPairs)> {
    let owners = coaction::items_apart(graph);
    // Where the items' owners pair them, each process takes its rows' actions and sends each
    // to its item's owner: this process gets its own items' and what all add up to.
    let (actions, owned) = match owners {
        Some(owners) => {
            let owned = owners.take_items(data, kind, graph, sources)?;
            (Actions::default(), Some(owned))
        }
        None if kind == CoactionKind::CoSimilar => (coaction_actions(data, kind, graph)?, None),
        None => {
            let actions =
                crate::graphs::actions::collect_with(data, kind, &graph.filter, Some(sources));
            (actions, None)
        }
    };
    let (coarsest, coarse_actions) = match &owned {
        Some((_, whole)) => (whole.coarsest, whole.coarse_actions),
        None => (actions.coarsest, actions.coarse_actions),
    };
    // As `graph` does: a window finer than the timestamps cannot be honoured, and the whole
    // period in its place would change every kind's pairs unasked.
    if let Window::Fixed(w) = graph.window {
        check_window(coarsest, coarse_actions, Some(w))?;
    }
    match (owners, owned) {
        (Some(owners), Some((owned, whole))) => {
            coaction::project_owned(data, owners, owned, whole, graph, alpha)
        }
        _ => coaction::project_significant(data, actions, graph, alpha),
    }
}

/// One kind's significant edges `(a, b, evidence)`, `a < b`, sorted by pair (a pair can
/// repeat in the retweet kind: one entry per direction). 12 bytes an edge: at 10^8 tweets the
/// kinds hold a few hundred million, so they are kept in blocks that fusing lets go of as it
/// passes them, rather than held whole beside the fused edges.
#[derive(Debug, Default)]
pub(super) struct KindEdges {
    pub(super) blocks: Vec<Vec<KindEdge>>,
    pub(super) len: usize,
}

pub(super) type KindEdge = (u32, u32, f32);

/// Entries per block (12 MB).
const KIND_BLOCK: usize = 1 << 20;

impl KindEdges {
    pub(super) fn push(&mut self, e: KindEdge) {
        if self.blocks.last().is_none_or(|b| b.len() == KIND_BLOCK) {
            self.blocks.push(Vec::with_capacity(KIND_BLOCK));
        }
        self.blocks.last_mut().expect("a block").push(e);
        self.len += 1;
    }

    pub(super) fn len(&self) -> usize {
        self.len
    }

    pub(super) fn iter(&self) -> impl Iterator<Item = KindEdge> + '_ {
        self.blocks.iter().flatten().copied()
    }

    /// The entries, each block freed once passed.
    fn into_entries(self) -> impl Iterator<Item = KindEdge> {
        self.blocks.into_iter().flatten()
    }
}

impl From<Vec<KindEdge>> for KindEdges {
    fn from(list: Vec<KindEdge>) -> KindEdges {
        KindEdges {
            len: list.len(),
            blocks: list.chunks(KIND_BLOCK).map(<[_]>::to_vec).collect(),
        }
    }
}

/// A kind's significant pairs with their evidence, and the evidence summed (over the f64
/// values, in pair order).
fn with_evidence(significant: coaction::SignificantPairs) -> (KindEdges, f64) {
    let mut total = 0.0;
    let mut list = KindEdges::default();
    for (a, b, p) in significant {
        let ev = evidence(p);
        list.push((a, b, ev as f32));
        total += ev.min(MAX_EVIDENCE);
    }
    (list, total)
}

/// The retweet edges significant under the configuration model, as a kind's list, with the
/// retweets each process counted (where counted across processes). Only the pairs' counts
/// are formed: nothing later reads the graph's delays (they come from the sources).
pub(super) fn retweet_edges(
    data: &Dataset,
    sources: &[Option<Source>],
    opts: &FusionOptions,
) -> Result<(KindEdges, KindStats, Vec<u64>)> {
    let accounts = data.accounts.len();
    // Where the rows are held apart and their pairs counted across the processes, each
    // holder forms the pairs of its own rows' retweets.
    let counter = opts.graph.counter.0.as_ref();
    let across = (opts.graph.holders.apart()).filter(|_| counter.is_some());
    let mut keys = match across {
        Some(across) => across.retweet_keys(data, sources),
        None => retweet::pair_keys(data, sources, std::slice::from_ref(&(0..data.len()))),
    };
    let mut test = RetweetTest::new(&keys, accounts, opts.edge_pvalue);
    if let Some(across) = across {
        test.add(&across.retweet_totals(accounts)?);
    }
    let test = Test::Retweet(test);
    let counted = match counter {
        Some(counter) => counter.count(PairJob {
            units: Box::new(
                keys.chunks(retweet::KEYS_UNIT)
                    .map(|k| Unit::Retweets(k.to_vec())),
            ),
            test: &test,
            held: across.is_some(),
        })?,
        None => test.test(retweet::count_keys(&mut keys)),
    };
    drop(keys);
    let mut significant = counted.significant;
    // In pair order, as the evidence is summed on one process.
    significant.par_sort_unstable_by_key(|e| (e.0, e.1));
    let mut stats = KindStats {
        kind: super::GraphKind::Retweet.name(),
        window: "none".into(),
        window_reason: None,
        edges: counted.edges_before_filters as usize,
        significant_edges: significant.len(),
        evidence: 0.0,
        pairs_capped: 0,
        items_capped: 0,
    };
    let mut list: Vec<KindEdge> = significant
        .into_iter()
        .map(|(amplifier, source, p)| {
            let ev = evidence(p);
            stats.evidence += ev.min(MAX_EVIDENCE);
            (amplifier.min(source), amplifier.max(source), ev as f32)
        })
        .collect();
    list.par_sort_unstable_by_key(|e| (e.0, e.1));
    Ok((list.into(), stats, counted.by_process))
}

/// The kinds' lists merged in pair order: for each pair, each kind that found it (in kind
/// order) with its evidence. Mutual retweeting is one relation: the stronger direction's
/// evidence stands.
fn merged<I: Iterator<Item = KindEdge>>(
    lists: impl IntoIterator<Item = I>,
) -> impl Iterator<Item = ((u32, u32), u8, f32)> {
    let mut lists: Vec<_> = lists.into_iter().map(Iterator::peekable).collect();
    std::iter::from_fn(move || {
        let mut first: Option<(usize, (u32, u32))> = None;
        for (k, list) in lists.iter_mut().enumerate() {
            if let Some(&(a, b, _)) = list.peek() {
                if first.is_none_or(|(_, pair)| (a, b) < pair) {
                    first = Some((k, (a, b)));
                }
            }
        }
        let (k, pair) = first?;
        let mut value = f32::MIN;
        while let Some((_, _, x)) = lists[k].next_if(|e| (e.0, e.1) == pair) {
            value = value.max(x);
        }
        Some((pair, k as u8, value))
    })
}

/// The kinds' lists as fused edges, by pair.
pub(super) fn by_pair(lists: Vec<KindEdges>, accounts: usize) -> FusedEdges {
    // Sized exactly (counted in a first merge) and filled in a second, which lets go of the
    // lists as it goes: the fused edges are the largest thing a run holds.
    let (mut pairs, mut evidence, mut last) = (0usize, 0usize, None);
    for (pair, _, _) in merged(lists.iter().map(KindEdges::iter)) {
        pairs += usize::from(last != Some(pair));
        evidence += 1;
        last = Some(pair);
    }
    assert!(evidence < u32::MAX as usize, "2^32 fused evidence entries");
    let mut edges = FusedEdges {
        first: vec![0; accounts + 1],
        b: Vec::with_capacity(pairs),
        ends: Vec::with_capacity(pairs),
        kinds: Vec::with_capacity(evidence),
        values: Vec::with_capacity(evidence),
    };
    let mut last = None;
    for ((a, b), k, value) in merged(lists.into_iter().map(KindEdges::into_entries)) {
        if last != Some((a, b)) {
            if last.is_some() {
                edges.ends.push(edges.kinds.len() as u32);
            }
            edges.first[a as usize + 1] += 1;
            edges.b.push(b);
            last = Some((a, b));
        }
        edges.kinds.push(k);
        edges.values.push(value);
    }
    if last.is_some() {
        edges.ends.push(edges.kinds.len() as u32);
    }
    for a in 0..accounts {
        edges.first[a + 1] += edges.first[a];
    }
    edges
}
