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

/// What Leiden's phases need of a graph: its rows. The input graph is one flat CSR; an
/// aggregated level keeps its rows in runs of nodes, each its own allocation, so it is built
/// in one pass and never held twice.
pub trait Rows: Copy + Send + Sync {
    type W: Weight;
    fn nodes(&self) -> usize;
    /// Row entries in all (each undirected edge twice, a self-loop once).
    fn entries(&self) -> usize;
    fn row(&self, v: u32) -> (&[u32], &[Self::W]);
}

impl<W: Weight> Rows for Csr<'_, W> {
    type W = W;

    fn nodes(&self) -> usize {
        self.offsets.len() - 1
    }

    fn entries(&self) -> usize {
        self.targets.len()
    }

    #[inline]
    fn row(&self, v: u32) -> (&[u32], &[W]) {
        let r = self.offsets[v as usize] as usize..self.offsets[v as usize + 1] as usize;
        (&self.targets[r.clone()], &self.weights[r])
    }
}

/// Nodes per run of an aggregated level's rows.
const RUN: usize = 1024;

/// One run's row entries: targets and weights.
type Run = (Box<[u32]>, Box<[f32]>);

/// An aggregated level, owned: its rows in runs of [`RUN`] nodes.
pub struct Level {
    /// Row starts, counted over the whole level.
    pub offsets: Vec<u64>,
    runs: Vec<Run>,
    /// Node weights: each the sum of its members' (strength for modularity, size for CPM).
    pub node_weight: Vec<f64>,
}

impl Level {
    pub fn entries(&self) -> usize {
        self.offsets.last().map_or(0, |&e| e as usize)
    }
}

impl Rows for &Level {
    type W = f32;

    fn nodes(&self) -> usize {
        self.offsets.len() - 1
    }

    fn entries(&self) -> usize {
        Level::entries(self)
    }

    #[inline]
    fn row(&self, v: u32) -> (&[u32], &[f32]) {
        let v = v as usize;
        let (t, w) = &self.runs[v / RUN];
        let first = self.offsets[v - v % RUN];
        let r = (self.offsets[v] - first) as usize..(self.offsets[v + 1] - first) as usize;
        (&t[r.clone()], &w[r])
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

/// The level of `g` aggregated by `new_of` (each node's new node, below `k`): edges summed
/// between new nodes, internal weight kept as a self-loop; `node_weight` is the new nodes'.
pub fn aggregate<G: Rows>(g: G, new_of: &[u32], k: usize, node_weight: Vec<f64>) -> Level {
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
    // One pass over runs of new nodes, in parallel: a run's rows gather in a worker's
    // scratch, then move to an allocation of their exact size. (Counting each row's length
    // first, to fill one flat array, cost a second pass as long as the first.)
    let row_len = |c: usize| -> usize {
        members[start[c]..start[c + 1]]
            .iter()
            .map(|&v| g.row(v).0.len())
            .sum()
    };
    type Scratch = (Accum, Vec<u32>, Vec<u32>, Vec<f32>);
    let built: Vec<(Vec<u64>, Run)> = (0..k.div_ceil(RUN))
        .into_par_iter()
        .map_init(Scratch::default, |(acc, ds, ts_out, ws_out), run| {
            ts_out.clear();
            ws_out.clear();
            let (lo, hi) = (run * RUN, ((run + 1) * RUN).min(k));
            let mut degrees = Vec::with_capacity(hi - lo);
            for c in lo..hi {
                acc.reserve(row_len(c).min(k));
                let group = &members[start[c]..start[c + 1]];
                // Independent loads for all the members' rows first, then the dependent
                // hashing: the CPU waits for many cache misses at once, not a row's few.
                ds.clear();
                for &v in group {
                    ds.extend(g.row(v).0.iter().map(|&u| new_of[u as usize]));
                }
                let mut at = 0;
                for &v in group {
                    let (ts, ws) = g.row(v);
                    let row_ds = &ds[at..at + ts.len()];
                    at += ts.len();
                    for ((&u, &w), &d) in ts.iter().zip(ws).zip(row_ds) {
                        let w: f64 = w.into();
                        // An internal edge is met from both ends; an old loop once.
                        let w = if d as usize == c && u != v {
                            w / 2.0
                        } else {
                            w
                        };
                        acc.add(d, w);
                    }
                }
                degrees.push(acc.len() as u64);
                for (d, x) in acc.iter() {
                    ts_out.push(d);
                    ws_out.push(x as f32);
                }
                acc.clear();
            }
            (degrees, (ts_out[..].into(), ws_out[..].into()))
        })
        .collect();
    let mut offsets = Vec::with_capacity(k + 1);
    offsets.push(0u64);
    let mut runs = Vec::with_capacity(built.len());
    for (degrees, run) in built {
        for d in degrees {
            offsets.push(offsets.last().copied().unwrap_or(0) + d);
        }
        runs.push(run);
    }
    Level {
        offsets,
        runs,
        node_weight,
    }
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
