//! The graph a Leiden level works on, and aggregation: one node per community of the level
//! below, edges summed between communities, internal weight kept as a self-loop.

use rayon::prelude::*;

/// Edge weights as the input graph stores them (`f32`) or as aggregation sums them (`f64`).
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
    pub weights: Vec<f64>,
    /// Node weights: each the sum of its members' (strength for modularity, size for CPM).
    pub node_weight: Vec<f64>,
}

impl Level {
    pub fn csr(&self) -> Csr<'_, f64> {
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

/// Degrees, targets, weights and node weights of a run of new nodes.
type RowsChunk = (Vec<u64>, Vec<u32>, Vec<f64>, Vec<f64>);

/// Aggregate `g` by `group` (a community id per node, ids below `g.nodes()`): returns the new
/// level and each old node's new node.
pub fn aggregate<W: Weight>(
    g: Csr<'_, W>,
    node_weight: &[f64],
    group: &[u32],
) -> (Level, Vec<u32>) {
    let n = g.nodes();
    let (id, k) = dense_ids(group);
    let new_of: Vec<u32> = group.par_iter().map(|&c| id[c as usize]).collect();
    // Members of each new node, in old-node order (counting sort, so deterministic).
    let mut start = vec![0usize; k + 1];
    for &c in &new_of {
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

    // Rows in parallel chunks of new nodes, each chunk with a thread's dense accumulator, then
    // concatenated in order.
    const CHUNK: usize = 2048;
    let pool = ScratchPool::new(k);
    let chunks: Vec<RowsChunk> = (0..k.div_ceil(CHUNK))
        .into_par_iter()
        .map(|ch| {
            let mut acc = pool.get();
            let lo = ch * CHUNK;
            let hi = (lo + CHUNK).min(k);
            let mut degrees = Vec::with_capacity(hi - lo);
            let mut targets = Vec::new();
            let mut weights = Vec::new();
            let mut nw = Vec::with_capacity(hi - lo);
            for c in lo..hi {
                let mut own = 0.0;
                for &v in &members[start[c]..start[c + 1]] {
                    own += node_weight[v as usize];
                    let (ts, ws) = g.row(v);
                    for (&u, &w) in ts.iter().zip(ws) {
                        let d = new_of[u as usize];
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
                degrees.push(acc.touched.len() as u64);
                acc.drain(|d, w| {
                    targets.push(d);
                    weights.push(w);
                });
                nw.push(own);
            }
            (degrees, targets, weights, nw)
        })
        .collect();
    let entries: usize = chunks.iter().map(|c| c.1.len()).sum();
    let mut offsets = Vec::with_capacity(k + 1);
    offsets.push(0u64);
    let mut targets = Vec::with_capacity(entries);
    let mut weights = Vec::with_capacity(entries);
    let mut node_weight_new = Vec::with_capacity(k);
    for (deg, t, w, nw) in chunks {
        for d in deg {
            offsets.push(offsets.last().copied().unwrap_or(0) + d);
        }
        targets.extend_from_slice(&t);
        weights.extend_from_slice(&w);
        node_weight_new.extend_from_slice(&nw);
    }
    let level = Level {
        offsets,
        targets,
        weights,
        node_weight: node_weight_new,
    };
    (level, new_of)
}

/// A dense accumulator over community ids: `add` in any order, then `drain` in first-touch
/// order (deterministic for a deterministic sequence of adds).
pub struct Accum {
    pub value: Vec<f64>,
    seen: Vec<bool>,
    pub touched: Vec<u32>,
}

impl Accum {
    pub fn new(n: usize) -> Accum {
        Accum {
            value: vec![0.0; n],
            seen: vec![false; n],
            touched: Vec::new(),
        }
    }

    #[inline]
    pub fn add(&mut self, c: u32, w: f64) {
        let i = c as usize;
        if !self.seen[i] {
            self.seen[i] = true;
            self.touched.push(c);
        }
        self.value[i] += w;
    }

    #[inline]
    pub fn get(&self, c: u32) -> f64 {
        self.value[c as usize]
    }

    /// Visit every touched id with its sum, and reset.
    pub fn drain(&mut self, mut f: impl FnMut(u32, f64)) {
        for &c in &self.touched {
            f(c, self.value[c as usize]);
            self.value[c as usize] = 0.0;
            self.seen[c as usize] = false;
        }
        self.touched.clear();
    }

    pub fn clear(&mut self) {
        self.drain(|_, _| {});
    }
}

/// One accumulator per rayon thread, so a parallel loop allocates `n`-sized scratch once
/// per thread rather than once per task.
pub struct ScratchPool {
    slots: Vec<std::sync::Mutex<Option<Accum>>>,
    n: usize,
}

pub enum Scratch<'a> {
    Pooled(std::sync::MutexGuard<'a, Option<Accum>>),
    Own(Accum),
}

impl ScratchPool {
    pub fn new(n: usize) -> ScratchPool {
        let threads = rayon::current_num_threads().max(1);
        ScratchPool {
            slots: (0..threads).map(|_| std::sync::Mutex::new(None)).collect(),
            n,
        }
    }

    pub fn get(&self) -> Scratch<'_> {
        let i = rayon::current_thread_index().unwrap_or(0) % self.slots.len();
        match self.slots[i].try_lock() {
            Ok(mut guard) => {
                if guard.is_none() {
                    *guard = Some(Accum::new(self.n));
                }
                Scratch::Pooled(guard)
            }
            // Only if a task nests inside another on one thread; never expected.
            Err(_) => Scratch::Own(Accum::new(self.n)),
        }
    }
}

impl std::ops::Deref for Scratch<'_> {
    type Target = Accum;
    fn deref(&self) -> &Accum {
        match self {
            Scratch::Pooled(g) => g.as_ref().expect("filled on get"),
            Scratch::Own(a) => a,
        }
    }
}

impl std::ops::DerefMut for Scratch<'_> {
    fn deref_mut(&mut self) -> &mut Accum {
        match self {
            Scratch::Pooled(g) => g.as_mut().expect("filled on get"),
            Scratch::Own(a) => a,
        }
    }
}
