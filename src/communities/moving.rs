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

use super::aggregate::{Accum, Csr, Weight};
use rand::seq::SliceRandom;
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

fn shuffled(n: usize, rng: &mut Pcg64Mcg) -> Vec<u32> {
    let mut order: Vec<u32> = (0..n as u32).collect();
    order.shuffle(rng);
    order
}

/// Gains below this (relative to the node's own edge weight) are rounding, not improvement.
const EPS: f64 = 1e-10;

/// Local moving from `comm` (a community id below `n` per node), updated in place. Stops
/// when a pass moves nothing, gains at most `min_gain` in total, or after `max_passes`.
/// Returns the number of moves.
pub fn local_move<W: Weight>(
    g: Csr<'_, W>,
    w: &[f64],
    comm: &mut [u32],
    scale: f64,
    min_gain: f64,
    max_passes: u32,
    rng: &mut Pcg64Mcg,
) -> usize {
    let n = g.nodes();
    let mut cw = vec![0f64; n];
    let mut size = vec![0u32; n];
    for v in 0..n {
        cw[comm[v] as usize] += w[v];
        size[comm[v] as usize] += 1;
    }
    let mut empty: Vec<u32> = (0..n as u32)
        .rev()
        .filter(|&c| size[c as usize] == 0)
        .collect();
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
        let mut gain = 0.0;
        let mut moves = 0;
        for batch in queue.chunks(batch_size(n)) {
            let (comm_now, cw_now) = (&*comm, &cw);
            batch
                .par_iter()
                .with_min_len(64)
                .map_init(
                    || (Accum::default(), Vec::new()),
                    |acc, &v| {
                        let d = comm_now[v as usize];
                        let wv = w[v as usize];
                        let (ts, ws) = g.row(v);
                        // Gather the neighbours' communities first: independent loads the
                        // CPU overlaps, where hashing each one as it arrives serialised the
                        // cache misses.
                        let (acc, cs) = acc;
                        acc.reserve(ts.len());
                        cs.clear();
                        cs.extend(ts.iter().map(|&u| comm_now[u as usize]));
                        let mut own = 0.0;
                        for ((&u, &x), &c) in ts.iter().zip(ws).zip(cs.iter()) {
                            if u != v {
                                let x: f64 = x.into();
                                own += x;
                                acc.add(c, x);
                            }
                        }
                        let stay = acc.get(d) - scale * wv * (cw_now[d as usize] - wv);
                        let mut best = (d, 0.0);
                        for (c, k) in acc.iter() {
                            if c != d {
                                let gain = k - scale * wv * cw_now[c as usize] - stay;
                                if gain > best.1 {
                                    best = (c, gain);
                                }
                            }
                        }
                        if -stay > best.1 {
                            best = (ALONE, -stay);
                        }
                        acc.clear();
                        (best.0 != d && best.1 > EPS * (own + 1.0)).then_some((v, best.0, best.1))
                    },
                )
                .collect_into_vec(&mut decisions);
            moved.clear();
            for &(v, c, g) in decisions.iter().flatten() {
                let d = comm[v as usize];
                let c = if c == ALONE {
                    match pop_empty(&mut empty, &size) {
                        Some(c) => c,
                        None => continue,
                    }
                } else {
                    c
                };
                let wv = w[v as usize];
                cw[d as usize] -= wv;
                cw[c as usize] += wv;
                size[d as usize] -= 1;
                if size[d as usize] == 0 {
                    cw[d as usize] = 0.0;
                    empty.push(d);
                }
                size[c as usize] += 1;
                comm[v as usize] = c;
                moved.push(v);
                gain += g;
                moves += 1;
            }
            // Neighbours of moved nodes are worth another look.
            moved.par_iter().with_min_len(64).for_each(|&v| {
                for &u in g.row(v).0 {
                    active[u as usize].store(true, Ordering::Relaxed);
                }
            });
        }
        total_moves += moves;
        if std::env::var_os("COORDNET_LEIDEN_TRACE").is_some() {
            eprintln!(
                "  pass: queue {} moves {moves} gain {gain:.1} min {min_gain:.1}",
                queue.len()
            );
        }
        if moves == 0 || gain <= min_gain {
            break;
        }
    }
    total_moves
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
pub fn refine<W: Weight>(
    g: Csr<'_, W>,
    w: &[f64],
    comm: &[u32],
    scale: f64,
    rng: &mut Pcg64Mcg,
) -> Vec<u32> {
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
    let mut part: Vec<u32> = (0..n as u32).collect();
    let mut part_size = vec![1u32; n];
    let mut part_weight = w.to_vec();
    // Edge weight from each part to the rest of its community.
    let mut part_out = inside.clone();
    let order = shuffled(n, rng);
    let mut decisions: Vec<Option<(u32, u32, f64)>> = Vec::new();
    for batch in order.chunks(batch_size(n)) {
        let (part_now, size_now, weight_now, out_now) =
            (&part, &part_size, &part_weight, &part_out);
        batch
            .par_iter()
            .with_min_len(64)
            .map_init(
                || (Accum::default(), Vec::new()),
                |acc, &v| {
                    if part_now[v as usize] != v || size_now[v as usize] != 1 {
                        return None;
                    }
                    let s = comm[v as usize];
                    let wv = w[v as usize];
                    let total = cw[s as usize];
                    if inside[v as usize] < scale * wv * (total - wv) {
                        return None;
                    }
                    let (ts, ws) = g.row(v);
                    let (acc, same) = acc;
                    acc.reserve(ts.len());
                    same.clear();
                    same.extend(ts.iter().map(|&u| comm[u as usize] == s));
                    for ((&u, &x), &inside_s) in ts.iter().zip(ws).zip(same.iter()) {
                        if u != v && inside_s {
                            acc.add(part_now[u as usize], x.into());
                        }
                    }
                    let mut best: Option<(u32, f64, f64)> = None;
                    for (c, k) in acc.iter() {
                        let wc = weight_now[c as usize];
                        if out_now[c as usize] < scale * wc * (total - wc) {
                            continue;
                        }
                        let gain = k - scale * wv * wc;
                        if gain > best.map_or(EPS * (inside[v as usize] + 1.0), |b| b.1) {
                            best = Some((c, gain, k));
                        }
                    }
                    acc.clear();
                    best.map(|(c, _, k)| (v, c, k))
                },
            )
            .collect_into_vec(&mut decisions);
        for &(v, c, k) in decisions.iter().flatten() {
            // Still single, and the target part still there (its only node may have left).
            if part_size[v as usize] != 1 || part[v as usize] != v || part_size[c as usize] == 0 {
                continue;
            }
            part[v as usize] = c;
            part_size[c as usize] += 1;
            part_size[v as usize] = 0;
            part_weight[c as usize] += w[v as usize];
            part_out[c as usize] += inside[v as usize] - 2.0 * k;
        }
    }
    part
}
