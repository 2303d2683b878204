//! One account graph from many: the co-action graphs and the retweet graph fused by
//! significance, so that a kind with many weak edges cannot drown one with few strong ones.
//!
//! Each edge of each kind is tested against its own null model (co-actions: accounts shuffled
//! over the action slots with the window applied; retweets: the configuration model that keeps
//! every account's retweets made and received). An edge enters the fused graph only if its
//! p-value is at most `edge_pvalue`, and then adds its evidence, `min(-log10 p, 10)`, to the
//! account pair's weight. The weight is therefore "how surprising is everything these two did
//! together", summed over kinds; busy accounts and viral items, expected to share a lot, add
//! little.
//!
//! `kinds` builds and tests each kind's graph; `edges` holds the fused edges compactly.

use super::counting::{PairJob, Test, Unit};
use super::retweet::{self, RetweetTest, RowSources, Source};
use super::window::{check_window, Window};
use super::{coaction, coaction_actions, format_duration, CoactionKind, Graph};
use super::{Actions, GraphKind, GraphOptions, Projection};
use crate::dataset::Dataset;
use crate::error::{Error, Result};
use crate::memory::Aside;
use crate::progress::Progress;
use rayon::prelude::*;
use std::path::Path;

mod edges;
mod kinds;

pub use edges::*;
use kinds::*;

/// Which graphs to fuse and how.
#[derive(Clone, Debug)]
pub struct FusionOptions {
    /// Co-action kinds fused with the retweet graph.
    pub kinds: Vec<CoactionKind>,
    /// Fuse the retweet graph too.
    pub retweets: bool,
    /// Settings shared by every co-action graph; an estimated window is estimated per kind.
    pub graph: GraphOptions,
    /// An edge enters the fused graph if its p-value is at most this.
    pub edge_pvalue: f64,
    /// Build the first kind beside the others, two lanes at once, where the rows are all
    /// here: set by the caller when the memory budget holds two kinds' work at once.
    pub two_lanes: bool,
}

impl Default for FusionOptions {
    fn default() -> FusionOptions {
        FusionOptions {
            kinds: vec![
                CoactionKind::CoRetweet,
                CoactionKind::CoHashtag,
                CoactionKind::CoUrl,
                CoactionKind::CoMention,
                CoactionKind::CoReply,
                CoactionKind::CoTweet,
            ],
            retweets: true,
            two_lanes: false,
            graph: GraphOptions {
                window: Window::Auto,
                ..GraphOptions::default()
            },
            edge_pvalue: 0.01,
        }
    }
}

impl FusionOptions {
    /// An error naming the first setting out of its range, if any.
    pub fn validate(&self) -> Result<()> {
        if !(self.edge_pvalue > 0.0 && self.edge_pvalue <= 1.0) {
            let why = match self.edge_pvalue == 0.0 {
                true => "keeps no edge (no p-value is 0)",
                false => "is not a probability",
            };
            return Err(Error::config(format!(
                "the edge p-value {} {why}; try {} (the default)",
                self.edge_pvalue,
                FusionOptions::default().edge_pvalue
            )));
        }
        // Twice the same kind would count its evidence twice in the fused weights.
        let twice = |(i, k)| self.kinds[..i].contains(k).then_some(k);
        if let Some(k) = self.kinds.iter().enumerate().find_map(twice) {
            return Err(Error::config(format!(
                "{} is listed twice in the kinds; name each kind once",
                k.name()
            )));
        }
        self.graph.validate()?;
        if self.kinds.is_empty() && !self.retweets {
            return Err(Error::config(
                "no graph to build: enable the retweet graph or at least one co-action kind",
            ));
        }
        Ok(())
    }
}

/// The most evidence one edge of one kind adds to the fused weight (p-values below 1e-10 all
/// weigh the same there; an account's strength counts them in full).
pub const MAX_EVIDENCE: f64 = 10.0;

/// Evidence of an edge with p-value `p`: `-log10 p`, with p-values below 1e-300 (or computed
/// as 0) counted as 1e-300. Kept in full; the fused weight caps it at [`MAX_EVIDENCE`].
pub fn evidence(p: f64) -> f64 {
    (-p.max(1e-300).log10()).max(0.0)
}

/// How one kind contributed to the fused graph.
#[derive(Clone, Debug, serde::Serialize)]
pub struct KindStats {
    pub kind: &'static str,
    /// The window used, as written (`none` for the retweet graph).
    pub window: String,
    /// Why this window (when it was estimated from the data).
    pub window_reason: Option<String>,
    pub edges: usize,
    pub significant_edges: usize,
    /// The evidence it adds to the fused graph (each edge's capped at [`MAX_EVIDENCE`]).
    pub evidence: f64,
    /// In-window pairs that `max_neighbors` left out, and the items where it did.
    pub pairs_capped: u64,
    pub items_capped: usize,
}

/// The fused graph and the graphs it came from.
pub struct Fused {
    /// Dataset accounts: the graph's nodes.
    pub accounts: usize,
    /// Fused edges, `a < b`, sorted, with each kind's evidence (kinds in `kinds` order).
    pub edges: FusedEdges,
    pub kinds: Vec<KindStats>,
    /// Each co-action kind's actions and statistics, without edges (only the significant
    /// ones were kept, as fused evidence).
    pub projections: Vec<Projection>,
    /// Each retweet row's source, where one was found (`None` for other rows).
    pub sources: RowSources,
    /// Each account's strength, summed once when first asked: every labelling the
    /// clusters go through reads it, and at 10^8 tweets a pass over the edges takes seconds.
    strength: std::sync::OnceLock<Vec<f64>>,
}

impl Fused {
    /// The fused graph in the CSR store, for Leiden. Built when asked rather than kept: it
    /// holds every edge twice (16 bytes an edge), and nothing after Leiden reads it.
    pub fn graph(&self) -> Result<Graph> {
        Graph::undirected_sorted(self.accounts, || {
            self.edges.iter().map(|e| (e.a, e.b, e.weight() as f32))
        })
    }

    /// `f` of [`Fused::graph`]. While `f` runs, the edges' larger ends live only in the graph,
    /// whose rows hold them in the same order (each row's larger neighbours, row by row), and
    /// are taken back from it after: Leiden's peak is 4 bytes an edge lower. With `set_aside`,
    /// what Leiden does not read (the edges' evidence, the retweet sources and each kind's
    /// actions: [`Fused::aside_bytes`]) waits in a temporary file there meanwhile.
    pub fn with_graph<T>(
        &mut self,
        set_aside: Option<&Path>,
        f: impl FnOnce(&Graph) -> Result<T>,
    ) -> Result<T> {
        let edges = self.edges.len();
        let (graph, aside) = match set_aside {
            None => (self.graph()?, None),
            Some(dir) => {
                // The weights first, then the rest to disk, then the graph: the evidence and
                // the graph are never held together.
                let weights: Vec<f32> = self.edges.iter().map(|e| e.weight() as f32).collect();
                let aside = self.set_aside(dir)?;
                let pairs = || {
                    self.edges
                        .pairs()
                        .zip(&weights)
                        .map(|((a, b), &w)| (a, b, w))
                };
                (Graph::undirected_sorted(self.accounts, pairs)?, Some(aside))
            }
        };
        self.edges.b = Vec::new();
        let out = f(&graph);
        let mut b = Vec::with_capacity(edges);
        for v in 0..graph.nodes() as u32 {
            b.extend(graph.neighbors(v).map(|(b, _)| b).filter(|&b| b > v));
        }
        assert_eq!(b.len(), edges, "the graph holds every pair");
        drop(graph);
        self.edges.b = b;
        if let Some(aside) = aside {
            self.restore(aside)?;
        }
        out
    }

    /// Bytes of what [`Fused::with_graph`] can set aside.
    pub fn aside_bytes(&self) -> u64 {
        let e = &self.edges;
        let actions = self.projections.iter().map(|p| &p.actions).map(|a| {
            a.item_key.len() * 8
                + (a.start.len() + a.account.len() + a.row.len()) * 4
                + a.time_ms.len() * 8
        });
        let evidence = (e.ends.len() + e.values.len()) * 4 + e.kinds.len();
        (evidence + self.sources.by_row.len() * 8 + actions.sum::<usize>()) as u64
    }

    /// Write what Leiden does not read to an unlinked file in `dir` and let it go. Written
    /// from borrows: on failure everything stays, in memory.
    fn set_aside(&mut self, dir: &Path) -> Result<Aside> {
        let mut out = Aside::create(dir, "the fused edges' evidence and the actions")?;
        let e = &self.edges;
        out.write(&e.ends)?;
        out.write(&e.kinds)?;
        out.write(&e.values)?;
        out.write(&self.sources.by_row)?;
        for a in self.projections.iter().map(|p| &p.actions) {
            out.write(&a.item_key)?;
            out.write(&a.start)?;
            out.write(&a.account)?;
            out.write(&a.time_ms)?;
            out.write(&a.row)?;
        }
        let aside = out.finish()?;
        (self.edges.ends, self.edges.kinds, self.edges.values) = Default::default();
        self.sources.by_row = Vec::new();
        for a in self.projections.iter_mut().map(|p| &mut p.actions) {
            (a.item_key, a.start, a.account, a.time_ms, a.row) = Default::default();
        }
        Ok(aside)
    }

    /// Read back what [`Fused::set_aside`] wrote.
    fn restore(&mut self, aside: Aside) -> Result<()> {
        let mut back = aside.read_back()?;
        self.edges.ends = back.column()?;
        self.edges.kinds = back.column()?;
        self.edges.values = back.column()?;
        self.sources.by_row = back.column()?;
        for a in self.projections.iter_mut().map(|p| &mut p.actions) {
            a.item_key = back.column()?;
            a.start = back.column()?;
            a.account = back.column()?;
            a.time_ms = back.column()?;
            a.row = back.column()?;
        }
        Ok(())
    }

    /// Let go of each kind's actions, once the clusters are scored: the outputs do not read
    /// them, and at 10^7 tweets they hold a few hundred MB.
    pub fn release_actions(&mut self) {
        for p in &mut self.projections {
            p.actions = Actions::default();
        }
    }

    /// Each co-action kind's window in ms (`i64::MAX` for the whole period).
    pub fn windows(&self) -> Vec<(CoactionKind, i64)> {
        (self.projections.iter())
            .map(|p| (p.kind, p.window_ms.unwrap_or(i64::MAX)))
            .collect()
    }

    /// Each account's strength: the evidence of its edges summed in full (not capped as in
    /// the fused weight), what the trim weighs a member's ties inside its cluster by. A member
    /// tied to its cell by pairs of p below 1e-40 is not outweighed by dozens of chance ties
    /// at p near 0.01 elsewhere, as it would be were each of its cell's pairs counted at the
    /// cap.
    pub fn strength(&self) -> &[f64] {
        self.strength.get_or_init(|| self.by_account(|_, _| true))
    }

    /// Each account's strength, and the part of it inside its own group (`none` marks
    /// accounts in no group).
    pub fn strengths(&self, group_of: &[u32], none: u32) -> (&[f64], Vec<f64>) {
        let strength = self.strength();
        let internal = self.by_account(|a, b| {
            let c = group_of[a as usize];
            c != none && c == group_of[b as usize]
        });
        (strength, internal)
    }

    /// Each account's summed evidence over the edges `keep` holds for (summed as its strength is,
    /// in fixed point), where `keep` is a narrow test: an edge pays for the weight only when it
    /// passes.
    pub fn weight_where(&self, keep: impl Fn(u32, u32) -> bool + Sync) -> Vec<f64> {
        self.by_account(keep)
    }

    /// Each account's summed evidence (in full) over the edges `keep` holds for, summed on
    /// every core at once. The sums are kept in fixed point (`SUM_UNIT`), so they do not depend
    /// on the order of the additions; at the default significance every edge's evidence is a
    /// multiple of 2^-23 (a sum of f32 evidence of at least 2, or just under), so they are also
    /// exactly the sums in f64 one edge after another.
    fn by_account(&self, keep: impl Fn(u32, u32) -> bool + Sync) -> Vec<f64> {
        use std::sync::atomic::{AtomicI64, Ordering::Relaxed};
        let sums: Vec<AtomicI64> = (0..self.accounts).map(|_| AtomicI64::new(0)).collect();
        self.edges.par_blocks().for_each(|block| {
            for e in block.filter(|e| keep(e.a, e.b)) {
                let w = (e.full_evidence() * SUM_UNIT).round() as i64;
                sums[e.a as usize].fetch_add(w, Relaxed);
                sums[e.b as usize].fetch_add(w, Relaxed);
            }
        });
        (sums.into_iter())
            .map(|s| s.into_inner() as f64 / SUM_UNIT)
            .collect()
    }
}

#[cfg(test)]
impl Fused {
    /// A fused graph of one kind's edges `(a, b, evidence)`, for the tests of what reads it.
    pub(crate) fn of_edges(accounts: usize, mut list: Vec<(u32, u32, f32)>) -> Fused {
        list.sort_unstable_by_key(|&(a, b, _)| (a, b));
        Fused {
            accounts,
            edges: by_pair(vec![list.into()], accounts),
            kinds: Vec::new(),
            projections: Vec::new(),
            sources: RowSources::default(),
            strength: Default::default(),
        }
    }
}

/// The unit of [`Fused::by_account`]'s sums: 2^-24, with room for sums up to 2^39.
const SUM_UNIT: f64 = (1u64 << 24) as f64;

/// Build every enabled graph and fuse them.
pub fn fuse(data: &Dataset, opts: &FusionOptions, progress: &dyn Progress) -> Result<Fused> {
    let mut kinds = Vec::new();
    let mut projections = Vec::new();
    let mut lists: Vec<KindEdges> = Vec::new();
    // Sources are kept: roles and timing read each retweet's source and delay, and co-retweet
    // the originals of retweets that lost their target.
    let (sources, found_by) = opts.graph.holders.sources(data)?;
    // Each kind is told as it is built, in whichever lane.
    let told = |built: Result<BuiltKind>| {
        let built = built?;
        progress.note(&format!(
            "{}: {} actions, {} edges, {} significant{}",
            built.stats.kind,
            built.projection.stats.actions,
            built.stats.edges,
            built.stats.significant_edges,
            crate::progress::shared_out(
                "actions taken",
                &built.projection.stats.actions_by_process
            ) + &crate::progress::shared_out(
                "pairs counted",
                &built.projection.stats.pairs_by_process
            )
        ));
        progress.advance(1);
        Ok(built)
    };
    let mut keep = |built: BuiltKind| {
        lists.push(built.list);
        kinds.push(built.stats);
        projections.push(built.projection);
    };
    // Across processes the kinds go one by one, in step on every process.
    let here = opts.graph.holders.apart().is_none() && opts.graph.counter.0.is_none();
    match opts.kinds.split_first() {
        // Each kind's own work leaves a core idle part of the time (its sorts and merges):
        // the first kind, co-retweet by default and the largest, beside the others fills it.
        Some((&first, rest)) if opts.two_lanes && here && !rest.is_empty() => {
            let mut two = opts.clone();
            two.graph.lanes = 2;
            let build = |kind| told(build_kind(data, kind, &two, &sources.by_row));
            let (first, rest) = rayon::join(
                || build(first),
                || rest.iter().map(|&k| build(k)).collect::<Result<Vec<_>>>(),
            );
            keep(first?);
            rest?.into_iter().for_each(keep);
        }
        _ => {
            for &kind in &opts.kinds {
                keep(told(build_kind(data, kind, opts, &sources.by_row))?);
            }
        }
    }
    // Of the retweet graph only each pair's retweets are counted: nothing later reads its
    // delays (they come from the sources).
    if opts.retweets {
        let (list, stats, by_process) = retweet_edges(data, &sources.by_row, opts)?;
        lists.push(list);
        progress.note(&format!(
            "retweet: {} edges, {} significant{}",
            stats.edges,
            stats.significant_edges,
            crate::progress::shared_out("retweets counted", &by_process)
                + &crate::progress::shared_out("sources found", &found_by)
        ));
        progress.advance(1);
        kinds.push(stats);
    }
    Ok(Fused {
        accounts: data.accounts.len(),
        edges: by_pair(lists, data.accounts.len()),
        kinds,
        projections,
        sources,
        strength: Default::default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edges_walked_at_increasing_indices_are_those_got_one_by_one() {
        // Accounts 0, 3 and 6 hold no smaller end; 8 has many.
        let mut list = vec![(1, 2, 1.0), (1, 5, 2.0), (2, 3, 3.0), (4, 9, 4.0)];
        list.extend((9..40).map(|b| (8, b, b as f32)));
        list.push((39, 40, 5.0));
        let edges = by_pair(vec![list.into()], 41);
        let all: Vec<u32> = (0..edges.len() as u32).collect();
        for indices in [all.clone(), vec![0, 4, 33], vec![3, 35], vec![35], vec![]] {
            let walked: Vec<(u32, u32)> = edges.at(&indices).map(|e| (e.a, e.b)).collect();
            let got: Vec<(u32, u32)> = indices
                .iter()
                .map(|&i| edges.get(i as usize))
                .map(|e| (e.a, e.b))
                .collect();
            assert_eq!(walked, got, "{indices:?}");
        }
        let pairs: Vec<(u32, u32)> = edges.iter().map(|e| (e.a, e.b)).collect();
        assert_eq!(pairs.len(), 36);
        assert_eq!(
            edges.at(&all).map(|e| (e.a, e.b)).collect::<Vec<_>>(),
            pairs
        );
    }

    /// What Leiden does not read, set aside on disk while it runs, comes back as it was, and
    /// Leiden sees the same graph; a folder that cannot take it stops with the flag to change,
    /// everything still in memory.
    #[test]
    fn what_leiden_does_not_read_comes_back_unchanged_from_disk() {
        let dir = tempfile::tempdir().unwrap();
        let data = crate::synth::generated_dataset(20_000, dir.path());
        let mut fused = fuse(&data, &FusionOptions::default(), &crate::progress::Silent).unwrap();
        assert!(
            fused.edges.kinds.len() > fused.edges.len(),
            "some edges have two kinds"
        );
        assert!(fused.sources.by_row.iter().flatten().count() > 1000);
        let actions = |f: &Fused| -> Vec<Actions> {
            f.projections.iter().map(|p| p.actions.clone()).collect()
        };
        assert!(actions(&fused).iter().map(Actions::len).sum::<usize>() > 1000);
        let before = (fused.edges.clone(), fused.sources.clone(), actions(&fused));
        let same =
            |f: &Fused| f.edges == before.0 && f.sources == before.1 && actions(f) == before.2;
        let config = crate::communities::LeidenConfig::default();
        let run = |g: &Graph| crate::communities::leiden(g, &config);
        let in_memory = fused.with_graph(None, run).unwrap();
        assert!(same(&fused));
        let on_disk = fused.with_graph(Some(dir.path()), run).unwrap();
        assert!(same(&fused));
        let bytes = fused.aside_bytes();
        let aside = fused.set_aside(dir.path()).unwrap();
        assert_eq!(aside.bytes(), bytes);
        assert_eq!(fused.aside_bytes(), 0, "all of it is let go");
        fused.restore(aside).unwrap();
        assert!(same(&fused));
        assert_eq!(on_disk.membership, in_memory.membership);

        let missing = dir.path().join("missing");
        let e = fused.with_graph(Some(&missing), run).unwrap_err();
        assert_eq!(e.setting(), Some(crate::error::Setting::TempDir), "{e}");
        assert!(same(&fused));
    }

    /// Two lanes build the same graphs as one: the same fused edges, kinds, projections and
    /// sources, in the same order (co-similar added, so the second lane has work of every sort).
    #[test]
    fn two_lanes_fuse_what_one_does() {
        let dir = tempfile::tempdir().unwrap();
        let data = crate::synth::generated_dataset(20_000, dir.path());
        let mut opts = FusionOptions::default();
        opts.kinds.push(CoactionKind::CoSimilar);
        let fused = |two_lanes| {
            let opts = FusionOptions {
                two_lanes,
                ..opts.clone()
            };
            fuse(&data, &opts, &crate::progress::Silent).unwrap()
        };
        let (one, two) = (fused(false), fused(true));
        assert!(one.edges.len() > 1000);
        assert_eq!(one.edges, two.edges);
        assert_eq!(one.sources, two.sources);
        let kinds = |f: &Fused| -> Vec<(&str, usize, usize)> {
            (f.kinds.iter())
                .map(|k| (k.kind, k.edges, k.significant_edges))
                .collect()
        };
        assert_eq!(kinds(&one), kinds(&two));
        assert_eq!(kinds(&one).len(), opts.kinds.len() + 1);
        let actions = |f: &Fused| -> Vec<Actions> {
            f.projections.iter().map(|p| p.actions.clone()).collect()
        };
        assert_eq!(actions(&one), actions(&two));
    }

    /// The parallel blocks hold every edge once, in order, also when one account's row spans
    /// several blocks; sums by account from them are those added one edge after another.
    #[test]
    fn parallel_blocks_cover_every_edge_and_sum_as_one_pass() {
        // A hub with 150,000 ties (more than two blocks), accounts with none, a long tail.
        let mut list: Vec<KindEdge> = (1..150_001).map(|b| (0, b, 2.0 + b as f32 / 7.0)).collect();
        list.extend(
            (0..100_000u32).map(|i| (150_001 + i % 500, 150_600 + i, 3.5 + (i % 13) as f32)),
        );
        let accounts = 300_000;
        let fused = Fused::of_edges(accounts, list);
        let walked: Vec<(u32, u32)> = fused.edges.iter().map(|e| (e.a, e.b)).collect();
        let blocks: Vec<Vec<(u32, u32)>> = (fused.edges.par_blocks())
            .map(|b| b.map(|e| (e.a, e.b)).collect())
            .collect();
        assert!(blocks.len() > 3);
        assert_eq!(blocks.concat(), walked);
        let group_of: Vec<u32> = (0..accounts as u32).map(|u| u % 3).collect();
        let (strength, internal) = fused.strengths(&group_of, 2);
        let (mut one, mut inside) = (vec![0.0; accounts], vec![0.0; accounts]);
        for e in fused.edges.iter() {
            for u in [e.a as usize, e.b as usize] {
                one[u] += e.full_evidence();
                if group_of[e.a as usize] != 2 && group_of[e.a as usize] == group_of[e.b as usize] {
                    inside[u] += e.full_evidence();
                }
            }
        }
        assert_eq!(strength, &one[..]);
        assert_eq!(internal, inside);
        assert!(inside.iter().filter(|&&x| x > 0.0).count() > 1000);
    }

    /// Lists in many blocks fuse as they do in one.
    #[test]
    fn kind_lists_fuse_the_same_in_blocks() {
        let list = |n: u32, step: u32| -> Vec<KindEdge> {
            (0..n)
                .map(|i| (i / 7, 100 + i % 7 * step, i as f32))
                .collect()
        };
        let blocks = |l: &[KindEdge], size: usize| KindEdges {
            blocks: l.chunks(size).map(<[_]>::to_vec).collect(),
            len: l.len(),
        };
        let (one, two) = (list(200, 3), list(150, 2));
        let whole = by_pair(vec![one.clone().into(), two.clone().into()], 300);
        assert!(whole.kinds.len() > whole.len(), "some pairs found twice");
        for size in [1, 2, 13] {
            let parts = by_pair(vec![blocks(&one, size), blocks(&two, size + 1)], 300);
            assert_eq!(parts, whole, "blocks of {size}");
        }
    }
}
