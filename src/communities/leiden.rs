//! The Leiden driver: levels of local moving, refinement and aggregation; iterations that
//! restart from the last partition; independent runs of which the best is kept.

use super::aggregate::{aggregate, sum_by, Csr, Level, Rows};
use super::moving::{local_move, refine};
use super::partition::split_pieces;
use super::trace::{self, Clock};
use super::{LeidenConfig, Partition, Quality};
use crate::error::{Error, Result, Setting};
use crate::graphs::Graph;
use crate::progress::{Progress, Silent};
use rand::SeedableRng;
use rand_pcg::Pcg64Mcg;
use rayon::prelude::*;

/// Communities of an undirected graph with non-negative weights, by Leiden.
pub fn leiden(graph: &Graph, config: &LeidenConfig) -> Result<Partition> {
    leiden_with_progress(graph, config, &Silent)
}

/// [`leiden`], noting each level of each iteration on `progress` (nodes, moves,
/// communities): on a large graph Leiden takes a while, and its levels are what moves.
pub fn leiden_with_progress(
    graph: &Graph,
    config: &LeidenConfig,
    progress: &dyn Progress,
) -> Result<Partition> {
    check(graph, config)?;
    let mut best: Option<Partition> = None;
    for run in 0..config.runs {
        let seed = config.seed.wrapping_add(run as u64);
        let p = leiden_run(graph, config, seed, progress);
        if best.as_ref().is_none_or(|b| p.quality > b.quality) {
            best = Some(p);
        }
    }
    Ok(best.expect("at least one run"))
}

fn check(graph: &Graph, config: &LeidenConfig) -> Result<()> {
    graph.check()?;
    if graph.directed {
        return Err(Error::config(
            "Leiden needs an undirected graph; build a co-action graph, or symmetrise the \
             retweet graph first",
        ));
    }
    config.validate()?;
    if let Some(w) = graph
        .weights
        .iter()
        .find(|w| !(w.is_finite() && **w >= 0.0))
    {
        return Err(Error::config(format!(
            "edge weight {w} is negative or not a number; community detection needs weights \
             >= 0 (pairs, items, idf or cosine, not z)"
        ))
        .with_setting(Setting::EdgeWeight));
    }
    if graph.nodes() >= u32::MAX as usize {
        return Err(Error::config(
            "graphs of 2^32 - 1 nodes or more are not supported",
        ));
    }
    Ok(())
}

fn leiden_run(
    graph: &Graph,
    config: &LeidenConfig,
    seed: u64,
    progress: &dyn Progress,
) -> Partition {
    let mut rng = Pcg64Mcg::seed_from_u64(seed);
    let singletons: Vec<u32> = (0..graph.nodes() as u32).collect();
    let first = leiden_iteration(graph, config, singletons, &mut rng, progress, 1)
        .expect("Leiden from singletons always returns a partition");
    let mut clock = Clock::start();
    let mut p = Partition::finish(graph, &first, config);
    trace::event(|| format!("  quality {:.3} s", clock.lap()));
    drop(first);
    // The size of a quality: modularity's is 1, CPM's that of the graph's weight (the
    // input's units), so that gains are told from rounding alike at any scale.
    let unit = match config.quality {
        Quality::Modularity => 1.0,
        Quality::Cpm => (0..graph.nodes() as u32)
            .into_par_iter()
            .map(|v| graph.strength(v))
            .sum::<f64>()
            .max(f64::MIN_POSITIVE),
    };
    let mut iteration = 1;
    loop {
        trace::event(|| format!("iteration {iteration}: quality {:.6}", p.quality));
        if config.iterations != 0 && iteration >= config.iterations {
            return p;
        }
        // A restart in which no node moves is a fixed point: every later one would be too.
        let restart = p.membership.clone();
        let Some(next) = leiden_iteration(
            graph,
            config,
            restart,
            &mut rng,
            progress,
            iteration as usize + 1,
        ) else {
            return p;
        };
        clock.lap();
        let q = Partition::finish(graph, &next, config);
        trace::event(|| format!("  quality {:.3} s", clock.lap()));
        iteration += 1;
        let improved = q.quality > p.quality + 1e-12 * p.quality.abs().max(unit);
        let changed = q.membership != p.membership;
        p = q;
        if config.iterations == 0 && !(improved && changed) {
            return p;
        }
    }
}

/// One pass of Leiden from `initial` (a community id per node, below the node count), or
/// `None` when `initial` is a partition (connected communities) that no node leaves: move
/// nodes, refine the communities into parts, aggregate the parts into the next level's nodes,
/// until a level changes nothing; then split what is not connected.
fn leiden_iteration(
    graph: &Graph,
    config: &LeidenConfig,
    initial: Vec<u32>,
    rng: &mut Pcg64Mcg,
    progress: &dyn Progress,
    iteration: usize,
) -> Option<Vec<u32>> {
    let restart = initial.iter().enumerate().any(|(v, &c)| c != v as u32);
    let mut clock = Clock::start();
    let mut levels = Levels::new(graph, config, initial);
    trace::event(|| format!("  setup {:.3} s", clock.lap()));
    for depth in 0.. {
        let moved = levels.move_nodes(config, rng);
        let nodes = levels.nodes();
        let (_, communities) = super::aggregate::dense_ids(&levels.comm);
        let moving_secs = clock.lap();
        // A restart that moves nothing at the bottom is already stable.
        if depth == 0 && restart && moved == 0 {
            return None;
        }
        progress.note(&format!(
            "Leiden iteration {iteration}, level {depth}: {nodes} nodes, {moved} moved, \
             {communities} communities"
        ));
        if communities == nodes || (moved == 0 && depth > 0) || depth >= 100 {
            break;
        }
        let (k, from_bottom, refining_secs) = levels.refine_and_aggregate(rng, &mut clock);
        trace::event(|| {
            format!(
                "level {depth}: {nodes} nodes, {moved} moves, {communities} communities; \
                 moving {moving_secs:.3} s, refining {refining_secs:.3} s, aggregating{} \
                 {:.3} s -> {k} nodes, {} entries",
                if from_bottom { " from the bottom" } else { "" },
                clock.lap(),
                levels.level.as_ref().map_or(0, |l| l.entries())
            )
        });
        levels.tighten(config);
    }
    let labels = levels.split_disconnected();
    trace::event(|| format!("  splitting {:.3} s", clock.lap()));
    Some(labels)
}

/// The state of one Leiden iteration: the input graph, the current level above it (none at
/// the start), each level node's community, and where each original node sits.
struct Levels<'g> {
    graph: &'g Graph,
    base: Csr<'g, f32>,
    /// Node weights of the bottom level (strength for modularity, 1 for CPM); emptied once
    /// the first level is built.
    node_weight: Vec<f64>,
    /// The gain's scale: γ / 2m for modularity, γ for CPM.
    scale: f64,
    two_m: f64,
    /// `node_of[v]`: the level node holding original node v.
    node_of: Vec<u32>,
    /// Each level node's community.
    comm: Vec<u32>,
    level: Option<Level>,
    /// Whether every level node is a connected set of original nodes (refined parts are).
    connected_nodes: bool,
    tolerance: f64,
}

impl<'g> Levels<'g> {
    fn new(graph: &'g Graph, config: &LeidenConfig, initial: Vec<u32>) -> Levels<'g> {
        let n = graph.nodes();
        let base = Csr {
            offsets: &graph.offsets,
            targets: &graph.targets,
            weights: &graph.weights,
        };
        let strength: Vec<f64> = (0..n as u32)
            .into_par_iter()
            .map(|v| graph.strength(v))
            .collect();
        let two_m: f64 = strength.iter().sum();
        let node_weight = match config.quality {
            Quality::Modularity => strength,
            Quality::Cpm => vec![1.0; n],
        };
        let scale = match config.quality {
            Quality::Modularity if two_m > 0.0 => config.resolution / two_m,
            Quality::Modularity => 0.0,
            Quality::Cpm => config.resolution,
        };
        Levels {
            graph,
            base,
            node_weight,
            scale,
            two_m,
            node_of: (0..n as u32).collect(),
            comm: initial,
            level: None,
            connected_nodes: true,
            tolerance: config.tolerance,
        }
    }

    /// Nodes of the current level.
    fn nodes(&self) -> usize {
        self.level
            .as_ref()
            .map_or(self.graph.nodes(), |l| l.node_weight.len())
    }

    /// Local moving on the current level; returns the number of moves.
    fn move_nodes(&mut self, config: &LeidenConfig, rng: &mut Pcg64Mcg) -> usize {
        let min_gain = self.tolerance * self.two_m / 2.0;
        let (scale, passes) = (self.scale, config.max_passes);
        match &self.level {
            None => local_move(
                self.base,
                &self.node_weight,
                &mut self.comm,
                scale,
                min_gain,
                passes,
                rng,
            ),
            Some(l) => local_move(
                l,
                &l.node_weight,
                &mut self.comm,
                scale,
                min_gain,
                passes,
                rng,
            ),
        }
    }

    /// Refine the communities into parts and make the parts the next level's nodes, each
    /// starting in its community. Returns the new level's size, whether it was built from
    /// the bottom, and the seconds refinement took.
    fn refine_and_aggregate(
        &mut self,
        rng: &mut Pcg64Mcg,
        clock: &mut Clock,
    ) -> (usize, bool, f64) {
        // The new level's nodes: the refined parts, or the communities if refinement merged
        // nothing.
        let (new_of, k, by_parts) = match &self.level {
            None => refined(self.base, &self.node_weight, &self.comm, self.scale, rng),
            Some(l) => refined(l, &l.node_weight, &self.comm, self.scale, rng),
        };
        self.connected_nodes &= by_parts;
        let refining_secs = clock.lap();
        let weights = self
            .level
            .as_ref()
            .map_or(&self.node_weight, |l| &l.node_weight);
        let new_weight = sum_by(&new_of, weights, k);
        let new_comm = start_in_communities(&self.comm, &new_of, k);
        self.node_of
            .par_iter_mut()
            .for_each(|x| *x = new_of[*x as usize]);
        // A level more than half the bottom's size is dropped first and the new one built
        // from the bottom, so that two large levels are never held at once.
        let from_bottom = self
            .level
            .as_ref()
            .is_some_and(|l| 2 * l.entries() > self.graph.targets.len());
        let new_level = if from_bottom {
            drop(self.level.take());
            aggregate(self.base, &self.node_of, k, new_weight)
        } else {
            match &self.level {
                None => aggregate(self.base, &new_of, k, new_weight),
                Some(l) => aggregate(l, &new_of, k, new_weight),
            }
        };
        // The bottom level's node weights are done with once it is aggregated.
        self.node_weight = Vec::new();
        self.comm = new_comm;
        self.level = Some(new_level);
        (k, from_bottom, refining_secs)
    }

    /// The next level's tolerance: a tenth of this one's, down to a floor.
    fn tighten(&mut self, config: &LeidenConfig) {
        self.tolerance = (self.tolerance / 10.0).max(TOLERANCE_FLOOR.min(config.tolerance));
    }

    /// Each original node's community, disconnected communities split, where it is cheap:
    /// on the top level when its nodes are connected sets, else on the original graph.
    fn split_disconnected(self) -> Vec<u32> {
        match (&self.level, self.connected_nodes) {
            (Some(l), true) => {
                let pieces = split_pieces(l, &self.comm);
                self.node_of
                    .par_iter()
                    .map(|&x| pieces[x as usize])
                    .collect()
            }
            (None, _) => split_pieces(self.base, &self.comm),
            (Some(_), false) => {
                let labels: Vec<u32> = self
                    .node_of
                    .par_iter()
                    .map(|&x| self.comm[x as usize])
                    .collect();
                split_pieces(self.base, &labels)
            }
        }
    }
}

/// The tolerance schedule stops tightening here (unless the configured tolerance is lower):
/// on the 1M-node LFR graph, level 3 at 1e-6 spent eight of its eleven passes over nearly
/// all its 4,000 nodes for a modularity gain of 3e-6 in all.
const TOLERANCE_FLOOR: f64 = 1e-5;

/// Leiden's refinement of `comm` as the new level's nodes: each node's new node, their
/// number, and whether they are the refined parts. If refinement merged nothing, the new
/// nodes are the communities themselves, which are then not known to be connected.
fn refined<G: Rows>(
    g: G,
    node_weight: &[f64],
    comm: &[u32],
    scale: f64,
    rng: &mut Pcg64Mcg,
) -> (Vec<u32>, usize, bool) {
    let parts = refine(g, node_weight, comm, scale, rng);
    let (id, k) = super::aggregate::dense_ids(&parts);
    let (group, id, k, by_parts) = if k < g.nodes() {
        (&parts[..], id, k, true)
    } else {
        let (id, k) = super::aggregate::dense_ids(comm);
        (comm, id, k, false)
    };
    (
        group.par_iter().map(|&c| id[c as usize]).collect(),
        k,
        by_parts,
    )
}

/// Each new node starts in its old node's community, named by the first new node in it.
fn start_in_communities(comm: &[u32], new_of: &[u32], k: usize) -> Vec<u32> {
    let mut name = vec![u32::MAX; comm.len()];
    let mut new_comm = vec![0u32; k];
    for (&c, &x) in comm.iter().zip(new_of) {
        if name[c as usize] == u32::MAX {
            name[c as usize] = x;
        }
        new_comm[x as usize] = name[c as usize];
    }
    new_comm
}
