//! The graph a Leiden level works on, and aggregation: one node per community of the level
//! below, edges summed between communities, internal weight kept as a self-loop.

use rayon::prelude::*;

/// Edge weights: `f32` as the store keeps them (aggregation sums in `f64` and stores `f32`,
/// which keeps an aggregated level within the input's size); `f64` for callers that have it.
pub trait Weight: Copy + Send + Sync + Into<f64> {}
impl Weight for f32 {}
impl Weight for f64 {}

/// A borrowed CSR: node `v`'s neighbours are `targets[offsets[v]..offsets[v+1]]`. An
/// undirected edge sits in both rows; a self-loop sits once and counts twice in a strength.
#[derive(Clone, Copy)]
pub struct Csr<'a, W> {
    pub offsets: &'a [u64],
    pub targets: &'a [u32],
    pub weights: &'a [W],
}

impl<W: Weight> Csr<'_, W> {
    pub fn nodes(&self) -> usize {
        self.offsets.len() - 1
    }

    #[inline]
    pub fn row(&self, v: u32) -> (&[u32], &[W]) {
        let r = self.offsets[v as usize] as usize..self.offsets[v as usize + 1] as usize;
        (&self.targets[r.clone()], &self.weights[r])
    }
}

/// An aggregated level, owned.
pub struct Level {
    pub offsets: Vec<u64>,
    pub targets: Vec<u32>,
    pub weights: Vec<f32>,
    /// Node weights: each the sum of its members' (strength for modularity, size for CPM).
    pub node_weight: Vec<f64>,
}

impl Level {
    pub fn csr(&self) -> Csr<'_, f32> {
        Csr {
            offsets: &self.offsets,
            targets: &self.targets,
            weights: &self.weights,
        }
    }
}

/// Dense ids `0..k` for the distinct values of `group` (in increasing value order), and `k`.
pub fn dense_ids(group: &[u32]) -> (Vec<u32>, usize) {
    let n = group.len();
    let mut id = vec![u32::MAX; n.max(1)];
    for &c in group {
        id[c as usize] = 0;
    }
    let mut k = 0u32;
    for x in id.iter_mut() {
        if *x == 0 {
            *x = k;
            k += 1;
        }
    }
    (id, k as usize)
}

/// The edges of `g` aggregated by `new_of` (each node's new node, below `k`): a CSR over the
/// `k` new nodes, weights summed, internal weight kept as a self-loop.
pub fn aggregate<W: Weight>(
    g: Csr<'_, W>,
    new_of: &[u32],
    k: usize,
) -> (Vec<u64>, Vec<u32>, Vec<f32>) {
    let n = g.nodes();
    // Members of each new node, in old-node order (counting sort, so deterministic).
    let mut start = vec![0usize; k + 1];
    for &c in new_of {
        start[c as usize + 1] += 1;
    }
    for c in 0..k {
        start[c + 1] += start[c];
    }
    let mut members = vec![0u32; n];
    let mut fill = start.clone();
    for (v, &c) in new_of.iter().enumerate() {
        members[fill[c as usize]] = v as u32;
        fill[c as usize] += 1;
    }
    drop(fill);

    // Two passes over the new nodes, in parallel: count each one's distinct neighbours, then
    // fill its row in place (one copy of the new graph in memory, never two).
    let row_len = |c: usize| -> usize {
        members[start[c]..start[c + 1]]
            .iter()
            .map(|&v| g.row(v).0.len())
            .sum()
    };
    let fill_row = |(acc, ds): &mut (Accum, Vec<u32>), c: usize| {
        acc.reserve(row_len(c).min(k));
        for &v in &members[start[c]..start[c + 1]] {
            let (ts, ws) = g.row(v);
            // Independent loads first, then the dependent hashing.
            ds.clear();
            ds.extend(ts.iter().map(|&u| new_of[u as usize]));
            for ((&u, &w), &d) in ts.iter().zip(ws).zip(ds.iter()) {
                let w: f64 = w.into();
                // An internal edge is met from both ends; an old loop once.
                acc.add(
                    d,
                    if d as usize == c && u != v {
                        w / 2.0
                    } else {
                        w
                    },
                );
            }
        }
    };
    let degrees: Vec<u64> = (0..k)
        .into_par_iter()
        .with_min_len(256)
        .map_init(
            || (Accum::default(), Vec::new()),
            |scratch, c| {
                fill_row(scratch, c);
                let d = scratch.0.len() as u64;
                scratch.0.clear();
                d
            },
        )
        .collect();
    let mut offsets = Vec::with_capacity(k + 1);
    offsets.push(0u64);
    for d in &degrees {
        offsets.push(offsets.last().copied().unwrap_or(0) + d);
    }
    drop(degrees);
    let entries = offsets[k] as usize;
    let mut targets = vec![0u32; entries];
    let mut weights = vec![0f32; entries];
    // Disjoint row slices, handed out in runs of nodes.
    const RUN: usize = 1024;
    let mut runs = Vec::with_capacity(k.div_ceil(RUN));
    let (mut t_rest, mut w_rest) = (&mut targets[..], &mut weights[..]);
    for lo in (0..k).step_by(RUN) {
        let hi = (lo + RUN).min(k);
        let len = (offsets[hi] - offsets[lo]) as usize;
        let (t, tr) = std::mem::take(&mut t_rest).split_at_mut(len);
        let (w, wr) = std::mem::take(&mut w_rest).split_at_mut(len);
        t_rest = tr;
        w_rest = wr;
        runs.push((lo, hi, t, w));
    }
    runs.into_par_iter().for_each_init(
        || (Accum::default(), Vec::new()),
        |scratch, (lo, hi, t, w)| {
            let mut at = 0;
            for c in lo..hi {
                fill_row(scratch, c);
                for (d, x) in scratch.0.iter() {
                    t[at] = d;
                    w[at] = x as f32;
                    at += 1;
                }
                scratch.0.clear();
            }
        },
    );
    (offsets, targets, weights)
}

/// Sums of `values` by `new_of` (each item's new node, below `k`).
pub fn sum_by(new_of: &[u32], values: &[f64], k: usize) -> Vec<f64> {
    let mut sums = vec![0f64; k];
    for (&c, &x) in new_of.iter().zip(values) {
        sums[c as usize] += x;
    }
    sums
}

/// Sums per community id for one node's neighbourhood: a small open-addressing table sized
/// to the neighbourhood, so it stays in L1 cache (a dense array over all communities made
/// every edge a cache miss on large graphs). Iterates in first-insertion order, so results
/// are deterministic.
pub struct Accum {
    keys: Vec<u32>,
    values: Vec<f64>,
    mask: usize,
    slots: Vec<u32>,
}

const EMPTY: u32 = u32::MAX;

impl Default for Accum {
    fn default() -> Accum {
        Accum {
            keys: vec![EMPTY; 16],
            values: vec![0.0; 16],
            mask: 15,
            slots: Vec::new(),
        }
    }
}

impl Accum {
    /// Make room for `n` distinct ids; call on an empty accumulator.
    #[inline]
    pub fn reserve(&mut self, n: usize) {
        let cap = (2 * n).next_power_of_two().max(16);
        if cap > self.keys.len() {
            self.keys = vec![EMPTY; cap];
            self.values = vec![0.0; cap];
            self.mask = cap - 1;
        }
    }

    #[inline]
    fn slot(&self, c: u32) -> usize {
        (c.wrapping_mul(0x9E37_79B1) as usize ^ (c as usize >> 16)) & self.mask
    }

    #[inline]
    pub fn add(&mut self, c: u32, w: f64) {
        let mut i = self.slot(c);
        loop {
            let k = self.keys[i];
            if k == c {
                self.values[i] += w;
                return;
            }
            if k == EMPTY {
                self.keys[i] = c;
                self.values[i] = w;
                self.slots.push(i as u32);
                return;
            }
            i = (i + 1) & self.mask;
        }
    }

    #[inline]
    pub fn get(&self, c: u32) -> f64 {
        let mut i = self.slot(c);
        loop {
            let k = self.keys[i];
            if k == c {
                return self.values[i];
            }
            if k == EMPTY {
                return 0.0;
            }
            i = (i + 1) & self.mask;
        }
    }

    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// (id, sum) in first-insertion order.
    #[inline]
    pub fn iter(&self) -> impl Iterator<Item = (u32, f64)> + '_ {
        self.slots
            .iter()
            .map(|&i| (self.keys[i as usize], self.values[i as usize]))
    }

    #[inline]
    pub fn clear(&mut self) {
        for &i in &self.slots {
            self.keys[i as usize] = EMPTY;
        }
        self.slots.clear();
    }
}
