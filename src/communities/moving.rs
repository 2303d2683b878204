//! Leiden's two node-level phases: local moving (each node to the neighbouring community that
//! gains most) and refinement (singletons merge into well-connected parts of their community).
//!
//! Both use one gain: moving node `v` (weight `w_v`) into community `c` gains
//! `k_vc − scale · w_v · W_c`, where `k_vc` is the edge weight from `v` to `c` and `W_c` the
//! node weight of `c` without `v`. Modularity: `w_v` is the strength and `scale = γ / 2m`;
//! CPM: `w_v` is the node's size and `scale = γ`.
//!
//! Nodes are taken in a seeded random order, in batches: a batch's moves are decided in
//! parallel against the state at its start, then applied one after another in order. The
//! result depends on the seed only, never on the thread count.

use super::aggregate::{Accum, Rows};
use super::trace::{self, Clock};
use crate::hash::splitmix;
use rand::seq::SliceRandom;
use rand::Rng;
use rand_pcg::Pcg64Mcg;
use rayon::prelude::*;
use std::sync::atomic::{AtomicBool, Ordering};

/// Target meaning "a community of its own".
const ALONE: u32 = u32::MAX;

/// Nodes decided together. Small graphs go one node at a time (exactly sequential Leiden);
/// large ones in batches where a node rarely meets a neighbour of the same batch.
fn batch_size(n: usize) -> usize {
    (n / 128).clamp(1, 4096)
}

/// A seeded random order of the nodes, in runs of consecutive ids: a node's row then follows
/// the previous one in memory, so reading rows streams instead of missing the cache on every
/// node (seven times faster on a 10M-edge graph). Small graphs get a plain shuffle.
/// Nodes per parallel task: about 4096 edge entries' work, so that the dense top levels
/// (a thousand neighbours a node) still spread over every thread.
fn per_task<G: Rows>(g: G) -> usize {
    let entries = g.entries().max(1);
    (4096 * g.nodes() / entries).clamp(1, 64)
}

fn shuffled(n: usize, rng: &mut Pcg64Mcg) -> Vec<u32> {
    let run = (batch_size(n) / 64).max(1);
    let mut runs: Vec<u32> = (0..n.div_ceil(run) as u32).collect();
    runs.shuffle(rng);
    runs.iter()
        .flat_map(|&r| {
            let lo = r as usize * run;
            lo as u32..(lo + run).min(n) as u32
        })
        .collect()
}

/// Gains below this share of the node's own edge weight are rounding, not improvement. Only a
/// share: weights are in the input's units, and a graph whose weights are all 1e-10 is the
/// same graph as with weights 1.
const EPS: f64 = 1e-10;

/// Local moving from `comm` (a community id below `n` per node), updated in place. Stops
/// when a pass moves nothing, gains at most `min_gain` in total, or after `max_passes`.
/// Returns the number of moves.
pub fn local_move<G: Rows>(
    g: G,
    w: &[f64],
    comm: &mut [u32],
    scale: f64,
    min_gain: f64,
    max_passes: u32,
    rng: &mut Pcg64Mcg,
) -> usize {
    let n = g.nodes();
    let mut communities = Communities::new(w, comm);
    // The state at the end of each pass; meeting one again means the passes go round in a
    // cycle (see below).
    let mut seen = vec![communities.state];
    let mut batch_len = batch_size(n);
    let active: Vec<AtomicBool> = (0..n).map(|_| AtomicBool::new(true)).collect();
    let order = shuffled(n, rng);
    let mut decisions: Vec<Option<(u32, u32, f64)>> = Vec::new();
    let mut moved: Vec<u32> = Vec::new();
    let mut total_moves = 0;
    for _ in 0..max_passes {
        let queue: Vec<u32> = order
            .iter()
            .copied()
            .filter(|&v| active[v as usize].swap(false, Ordering::Relaxed))
            .collect();
        if queue.is_empty() {
            break;
        }
        let (mut gain, mut moves) = (0.0, 0);
        // Seconds deciding, applying and re-queueing, for the trace.
        let mut spent = [0f64; 3];
        let mut clock = Clock::start();
        for batch in queue.chunks(batch_len) {
            decide(
                g,
                w,
                comm,
                &communities.weight,
                scale,
                batch,
                &mut decisions,
            );
            spent[0] += clock.lap();
            moved.clear();
            for &(v, c, node_gain) in decisions.iter().flatten() {
                if communities.apply(comm, w, v, c) {
                    moved.push(v);
                    gain += node_gain;
                    moves += 1;
                }
            }
            spent[1] += clock.lap();
            requeue(g, comm, &moved, &active);
            spent[2] += clock.lap();
        }
        total_moves += moves;
        trace::event(|| {
            format!(
                "  pass: queue {} moves {moves} gain {gain:.1} min {min_gain:.1}{}; deciding \
                 {:.3} s, applying {:.3} s, re-queueing {:.3} s",
                queue.len(),
                if batch_len == 1 {
                    ", one at a time"
                } else {
                    ""
                },
                spent[0],
                spent[1],
                spent[2]
            )
        });
        if moves == 0 || gain <= min_gain {
            break;
        }
        // Neighbours decided in one batch can swap communities, each against the other's
        // stale one, and swap back next pass: the gains summed above are then not real and
        // the level would run to `max_passes`. Once a state comes round again, the rest of
        // the level goes one node at a time, where every gain is real; few nodes are still
        // moving by then.
        if batch_len > 1 && seen.contains(&communities.state) {
            batch_len = 1;
        }
        seen.push(communities.state);
    }
    total_moves
}

/// The communities' weights and sizes as nodes move, the empty ids, and a hash of the
/// partition.
struct Communities {
    weight: Vec<f64>,
    size: Vec<u32>,
    empty: Vec<u32>,
    /// The sum of [`placed`] over all nodes: equal partitions have equal states.
    state: u64,
}

impl Communities {
    fn new(w: &[f64], comm: &[u32]) -> Communities {
        let n = comm.len();
        let mut weight = vec![0f64; n];
        let mut size = vec![0u32; n];
        let mut state = 0u64;
        for v in 0..n {
            weight[comm[v] as usize] += w[v];
            size[comm[v] as usize] += 1;
            state = state.wrapping_add(placed(v as u32, comm[v]));
        }
        let empty = (0..n as u32)
            .rev()
            .filter(|&c| size[c as usize] == 0)
            .collect();
        Communities {
            weight,
            size,
            empty,
            state,
        }
    }

    /// Move node `v` into community `c` (or an empty one for [`ALONE`]); `false` if no empty
    /// community is left.
    fn apply(&mut self, comm: &mut [u32], w: &[f64], v: u32, c: u32) -> bool {
        let d = comm[v as usize];
        let c = if c == ALONE {
            match pop_empty(&mut self.empty, &self.size) {
                Some(c) => c,
                None => return false,
            }
        } else {
            c
        };
        let wv = w[v as usize];
        self.weight[d as usize] -= wv;
        self.weight[c as usize] += wv;
        self.size[d as usize] -= 1;
        if self.size[d as usize] == 0 {
            self.weight[d as usize] = 0.0;
            self.empty.push(d);
        }
        self.size[c as usize] += 1;
        comm[v as usize] = c;
        self.state = self
            .state
            .wrapping_add(placed(v, c))
            .wrapping_sub(placed(v, d));
        true
    }
}

/// Each node of `batch`'s best move, decided in parallel against the state at the batch's
/// start, into `decisions`.
fn decide<G: Rows>(
    g: G,
    w: &[f64],
    comm: &[u32],
    cw: &[f64],
    scale: f64,
    batch: &[u32],
    decisions: &mut Vec<Option<(u32, u32, f64)>>,
) {
    decisions.clear();
    decisions.resize(batch.len(), None);
    decisions
        .par_chunks_mut(GROUP)
        .zip(batch.par_chunks(GROUP))
        .with_min_len(per_task(g).div_ceil(GROUP))
        .for_each_init(Scratch::default, |s, (out, vs)| {
            best_moves(g, w, comm, cw, scale, vs, out, s)
        });
}

/// Neighbours of moved nodes are worth another look, except those in the node's new
/// community: it only gained pull on them (the Leiden paper's fast local moving).
fn requeue<G: Rows>(g: G, comm: &[u32], moved: &[u32], active: &[AtomicBool]) {
    moved.par_iter().with_min_len(64).for_each(|&v| {
        let c = comm[v as usize];
        for &u in g.row(v).0 {
            if comm[u as usize] != c {
                active[u as usize].store(true, Ordering::Relaxed);
            }
        }
    });
}

/// A node in a community, hashed; the sum over all nodes stands for the whole partition.
fn placed(v: u32, c: u32) -> u64 {
    splitmix(u64::from(v) << 32 | u64::from(c))
}

/// Nodes whose moves are worked out together by one worker (see [`best_moves`]).
const GROUP: usize = 8;

/// A worker's reusable buffers.
#[derive(Default)]
struct Scratch {
    acc: Accum,
    /// Community of every neighbour of the group's nodes, row after row.
    comms: Vec<u32>,
    /// (node in group, community, edge weight to it); each node's own community first.
    cands: Vec<(u32, u32, f64)>,
    /// Node weight of each candidate's community.
    weights: Vec<f64>,
}

/// The best move of each node of `vs` (a community, or [`ALONE`]) into `out`, or `None` to
/// stay. The work goes in three sweeps over the whole group (neighbours' communities, sums
/// per community, those communities' weights) rather than node by node: on large graphs
/// every lookup misses the cache, and a sweep of independent lookups lets the CPU wait for
/// many misses at once where one node's handful left it mostly waiting.
#[allow(clippy::too_many_arguments)]
fn best_moves<G: Rows>(
    g: G,
    w: &[f64],
    comm: &[u32],
    cw: &[f64],
    scale: f64,
    vs: &[u32],
    out: &mut [Option<(u32, u32, f64)>],
    s: &mut Scratch,
) {
    s.comms.clear();
    for &v in vs {
        s.comms.extend(g.row(v).0.iter().map(|&u| comm[u as usize]));
    }
    s.cands.clear();
    let mut own = [0f64; GROUP];
    let mut at = 0;
    for (i, &v) in vs.iter().enumerate() {
        let (ts, ws) = g.row(v);
        let cs = &s.comms[at..at + ts.len()];
        at += ts.len();
        s.acc.reserve(ts.len());
        for ((&u, &x), &c) in ts.iter().zip(ws).zip(cs) {
            if u != v {
                let x: f64 = x.into();
                own[i] += x;
                s.acc.add(c, x);
            }
        }
        let d = comm[v as usize];
        s.cands.push((i as u32, d, s.acc.get(d)));
        s.cands.extend(
            s.acc
                .iter()
                .filter(|&(c, _)| c != d)
                .map(|(c, k)| (i as u32, c, k)),
        );
        s.acc.clear();
    }
    s.weights.clear();
    s.weights
        .extend(s.cands.iter().map(|&(_, c, _)| cw[c as usize]));
    let mut j = 0;
    for (i, &v) in vs.iter().enumerate() {
        let wv = w[v as usize];
        // The node's own community leads its candidates.
        let (_, d, k_d) = s.cands[j];
        let stay = k_d - scale * wv * (s.weights[j] - wv);
        let mut best = (d, 0.0);
        j += 1;
        while j < s.cands.len() && s.cands[j].0 == i as u32 {
            let (_, c, k) = s.cands[j];
            let gain = k - scale * wv * s.weights[j] - stay;
            if gain > best.1 {
                best = (c, gain);
            }
            j += 1;
        }
        if -stay > best.1 {
            best = (ALONE, -stay);
        }
        out[i] = (best.0 != d && best.1 > EPS * own[i]).then_some((v, best.0, best.1));
    }
}

/// An empty community id; ids in the stack may have been refilled since (skipped).
fn pop_empty(empty: &mut Vec<u32>, size: &[u32]) -> Option<u32> {
    while let Some(c) = empty.pop() {
        if size[c as usize] == 0 {
            return Some(c);
        }
    }
    None
}

/// Leiden's refinement: inside each community of `comm`, start from singletons and merge
/// each still-single, well-connected node into the well-connected part that gains most.
/// Parts only grow by a node joining a part it has an edge to, so every part is connected.
/// Returns the part id of every node (ids are node ids).
pub fn refine<G: Rows>(g: G, w: &[f64], comm: &[u32], scale: f64, rng: &mut Pcg64Mcg) -> Vec<u32> {
    let n = g.nodes();
    let mut cw = vec![0f64; n];
    for v in 0..n {
        cw[comm[v] as usize] += w[v];
    }
    // Each node's edge weight to the rest of its community.
    let inside: Vec<f64> = (0..n as u32)
        .into_par_iter()
        .map(|v| {
            let (ts, ws) = g.row(v);
            let c = comm[v as usize];
            ts.iter()
                .zip(ws)
                .filter(|&(&u, _)| u != v && comm[u as usize] == c)
                .map(|(_, &x)| x.into())
                .sum()
        })
        .collect();
    // A node's community and part side by side: one cache miss reads both.
    let mut node: Vec<(u32, u32)> = (0..n as u32).map(|v| (comm[v as usize], v)).collect();
    // Parts are named by their first node; a part's figures sit in one record, so applying
    // a merge touches one far cache line instead of three.
    let mut parts: Vec<PartStats> = (0..n)
        .map(|v| PartStats {
            weight: w[v],
            out: inside[v],
            state: SINGLE,
        })
        .collect();
    let order = shuffled(n, rng);
    let draw_seed: u64 = rng.random();
    let mut decisions: Vec<Option<(u32, u32, f64)>> = Vec::new();
    for batch in order.chunks(batch_size(n)) {
        let (node_now, parts_now) = (&node, &parts);
        batch
            .par_iter()
            .with_min_len(per_task(g))
            .map_init(
                || (Accum::default(), Vec::new(), Vec::new()),
                |(acc, near, cands), &v| {
                    if parts_now[v as usize].state != SINGLE {
                        return None;
                    }
                    let s = comm[v as usize];
                    let wv = w[v as usize];
                    let total = cw[s as usize];
                    if inside[v as usize] < scale * wv * (total - wv) {
                        return None;
                    }
                    let (ts, ws) = g.row(v);
                    acc.reserve(ts.len());
                    near.clear();
                    near.extend(ts.iter().map(|&u| node_now[u as usize]));
                    for ((&u, &x), &(cu, pu)) in ts.iter().zip(ws).zip(near.iter()) {
                        if u != v && cu == s {
                            acc.add(pu, x.into());
                        }
                    }
                    // Candidates: well-connected parts that gain; the best one sets the bar.
                    let floor = EPS * inside[v as usize];
                    cands.clear();
                    let mut top = floor;
                    for (c, k) in acc.iter() {
                        let PartStats {
                            weight: wc, out, ..
                        } = parts_now[c as usize];
                        if out < scale * wc * (total - wc) {
                            continue;
                        }
                        let gain = k - scale * wv * wc;
                        if gain > floor {
                            top = top.max(gain);
                            cands.push((c, gain, k));
                        }
                    }
                    acc.clear();
                    choose(cands, top, splitmix(draw_seed ^ u64::from(v))).map(|(c, k)| (v, c, k))
                },
            )
            .collect_into_vec(&mut decisions);
        for &(v, c, k) in decisions.iter().flatten() {
            // Still single, and the target part still there (its only node may have left).
            if parts[v as usize].state != SINGLE || parts[c as usize].state == GONE {
                continue;
            }
            node[v as usize].1 = c;
            parts[v as usize].state = GONE;
            let p = &mut parts[c as usize];
            p.state = JOINED;
            p.weight += w[v as usize];
            p.out += inside[v as usize] - 2.0 * k;
        }
    }
    node.into_iter().map(|(_, p)| p).collect()
}

/// A refined part: its node weight, its edge weight to the rest of its community, and
/// whether its first node is still alone in it, has been joined, or has left for another.
#[derive(Clone, Copy)]
struct PartStats {
    weight: f64,
    out: f64,
    state: u8,
}

const SINGLE: u8 = 0;
const JOINED: u8 = 1;
const GONE: u8 = 2;

/// Randomness of refinement (θ in the Leiden paper, leidenalg's default): a part is chosen
/// with probability ∝ exp(gain / θ), so parts with more edges to the node win almost surely
/// and parts of equal pull are chosen nearly evenly. Always taking the very best instead
/// prefers the lightest part on every tie, which leaves many pairs and a large next level.
const THETA: f64 = 0.01;

/// One of `cands` (part, gain, edge weight to it) by the rule above, `top` the largest
/// gain; `r` is a random 64-bit draw.
fn choose(cands: &[(u32, f64, f64)], top: f64, r: u64) -> Option<(u32, f64)> {
    // Parts more than 30 θ behind the best weigh less than e^-30: left out.
    let weight = |g: f64| {
        if g < top - 30.0 * THETA {
            0.0
        } else {
            ((g - top) / THETA).exp()
        }
    };
    let total: f64 = cands.iter().map(|&(_, g, _)| weight(g)).sum();
    let mut x = (r >> 11) as f64 / (1u64 << 53) as f64 * total;
    let mut last = None;
    for &(c, g, k) in cands {
        let p = weight(g);
        if p > 0.0 {
            last = Some((c, k));
            if x < p {
                break;
            }
            x -= p;
        }
    }
    last
}

#[cfg(test)]
mod tests {
    use super::super::aggregate::Csr;
    use super::*;
    use crate::graphs::Graph;
    use rand::SeedableRng;

    /// Disjoint pairs: each node gains by joining its partner. Partners decided in the same
    /// batch swap communities, and once only swappers are left they all share one batch and
    /// would swap back and forth to the last pass; every pair must still end up together.
    #[test]
    fn partners_decided_together_still_meet() {
        let n = 4096u32;
        assert!(batch_size(n as usize) > 1);
        let edges: Vec<(u32, u32, f32)> = (0..n / 2).map(|i| (2 * i, 2 * i + 1, 1.0)).collect();
        let g = Graph::undirected(n as usize, &edges).unwrap();
        let csr = Csr {
            offsets: &g.offsets,
            targets: &g.targets,
            weights: &g.weights,
        };
        let strength: Vec<f64> = (0..n).map(|v| g.strength(v)).collect();
        let scale = 1.0 / strength.iter().sum::<f64>();
        for seed in 0..4 {
            let mut comm: Vec<u32> = (0..n).collect();
            let mut rng = Pcg64Mcg::seed_from_u64(seed);
            let moves = local_move(csr, &strength, &mut comm, scale, 0.0, 20, &mut rng);
            let apart = (0..n / 2)
                .filter(|i| comm[2 * *i as usize] != comm[2 * *i as usize + 1])
                .count();
            assert_eq!(
                apart, 0,
                "seed {seed}: {apart} pairs apart after {moves} moves"
            );
            // One move per pair, plus the swaps of partners that met in a batch.
            assert!(moves < n as usize, "seed {seed}: {moves} moves");
        }
    }
}
