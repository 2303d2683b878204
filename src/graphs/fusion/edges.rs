//! The fused graph's edges, held compact: account pairs in blocks, each kind's evidence in a
//! column of its own, read through [`FusedEdge`] views.

use super::*;

/// Kinds a fused edge can carry evidence of: every graph kind.
pub const MAX_KINDS: usize = GraphKind::ALL.len();

/// The fused edges as columns: each pair once, grouped by its smaller end as in a CSR, then
/// the kinds that found it and their evidence. Most edges come from one or two kinds, so this
/// takes about 16 bytes an edge where pairs and a fixed slot per kind took 36 (the fused graph
/// is the largest thing a run holds).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FusedEdges {
    /// The edges whose smaller end is account `a` are `first[a]..first[a + 1]`.
    pub(super) first: Vec<u32>,
    /// Each edge's larger end.
    pub(super) b: Vec<u32>,
    /// Edge `i`'s evidence is at `ends[i - 1]..ends[i]` (from 0 for the first).
    pub(super) ends: Vec<u32>,
    pub(super) kinds: Vec<u8>,
    pub(super) values: Vec<f32>,
}

/// One fused edge: its ends and the evidence of each kind that found it.
#[derive(Clone, Copy, Debug)]
pub struct FusedEdge<'f> {
    pub a: u32,
    pub b: u32,
    /// Indices into `Fused::kinds`, increasing, with the evidence of each in `values`.
    pub kinds: &'f [u8],
    pub values: &'f [f32],
}

impl FusedEdge<'_> {
    /// The edge's weight: its evidence summed over kinds, each kind's capped at
    /// [`MAX_EVIDENCE`], in kind order (summed when asked, not stored).
    pub fn weight(&self) -> f64 {
        self.values
            .iter()
            .map(|&x| (x as f64).min(MAX_EVIDENCE))
            .sum()
    }

    /// The edge's evidence summed over kinds in full, in kind order.
    pub fn full_evidence(&self) -> f64 {
        self.values.iter().map(|&x| x as f64).sum()
    }

    /// The evidence kind `k` (an index into `Fused::kinds`) adds to the weight (capped at
    /// [`MAX_EVIDENCE`]), 0 if that kind did not find it.
    pub fn evidence(&self, k: usize) -> f32 {
        match self.kinds.iter().position(|&x| x as usize == k) {
            Some(i) => self.values[i].min(MAX_EVIDENCE as f32),
            None => 0.0,
        }
    }
}

impl FusedEdges {
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Each edge's ends, in order; unlike [`FusedEdges::iter`], without the evidence (which
    /// may be set aside).
    pub(super) fn pairs(&self) -> impl Iterator<Item = (u32, u32)> + '_ {
        (self.first.windows(2).enumerate()).flat_map(|(a, w)| {
            self.b[w[0] as usize..w[1] as usize]
                .iter()
                .map(move |&b| (a as u32, b))
        })
    }

    /// Edge `i` (its smaller end found by binary search; [`FusedEdges::iter`] walks them).
    pub fn get(&self, i: usize) -> FusedEdge<'_> {
        let a = self.first.partition_point(|&x| x as usize <= i) - 1;
        self.edge(i, a as u32)
    }

    /// The edges at `indices` (increasing), each smaller end found forward from the one
    /// before (galloping), not by a binary search over every account per edge.
    pub fn at<'a>(&'a self, indices: &'a [u32]) -> impl Iterator<Item = FusedEdge<'a>> + 'a {
        let mut a = 0;
        indices.iter().map(move |&i| {
            let i = i as usize;
            // `first[a] <= i` holds: `a` is the smaller end of an earlier edge, or 0.
            let mut step = 1;
            while a + step < self.first.len() && self.first[a + step] as usize <= i {
                a += step;
                step *= 2;
            }
            let end = (a + step).min(self.first.len());
            a += self.first[a..end].partition_point(|&x| x as usize <= i) - 1;
            self.edge(i, a as u32)
        })
    }

    /// The evidence kind `k` adds to edge `i`'s weight: `get(i).evidence(k)` without finding
    /// its ends.
    pub fn evidence(&self, i: usize, k: usize) -> f32 {
        self.edge(i, 0).evidence(k)
    }

    pub(super) fn edge(&self, i: usize, a: u32) -> FusedEdge<'_> {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        let end = self.ends[i] as usize;
        FusedEdge {
            a,
            b: self.b[i],
            kinds: &self.kinds[start..end],
            values: &self.values[start..end],
        }
    }

    /// Every edge in order: by smaller end, then larger.
    pub fn iter(&self) -> Iter<'_> {
        self.rows(0..self.first.len().saturating_sub(1))
    }

    /// The edges whose smaller end is in `accounts`, in order.
    pub(super) fn rows(&self, accounts: std::ops::Range<usize>) -> Iter<'_> {
        let at = |a: usize| self.first.get(a).map_or(0, |&i| i as usize);
        Iter {
            edges: self,
            i: at(accounts.start),
            a: accounts.start,
            end: at(accounts.end),
        }
    }

    /// The edges in blocks of about `PAR_BLOCK_EDGES` (whole rows), the blocks in parallel.
    pub fn par_blocks(&self) -> impl IndexedParallelIterator<Item = Iter<'_>> + '_ {
        const PAR_BLOCK_EDGES: usize = 1 << 16;
        let accounts = self.first.len().saturating_sub(1);
        let blocks = self.len().div_ceil(PAR_BLOCK_EDGES).max(1);
        // Block k starts at the row holding edge k * PAR_BLOCK_EDGES.
        let start = move |k: usize| match k {
            0 => 0,
            _ if k >= blocks => accounts,
            _ => {
                self.first
                    .partition_point(|&x| (x as usize) <= k * PAR_BLOCK_EDGES)
                    - 1
            }
        };
        (0..blocks)
            .into_par_iter()
            .map(move |k| self.rows(start(k)..start(k + 1)))
    }
}

/// [`FusedEdges::iter`].
pub struct Iter<'f> {
    pub(super) edges: &'f FusedEdges,
    pub(super) i: usize,
    pub(super) a: usize,
    pub(super) end: usize,
}

impl Iter<'_> {
    /// The index of the edge `next` gives.
    pub fn next_index(&self) -> usize {
        self.i
    }
}

impl<'f> Iterator for Iter<'f> {
    type Item = FusedEdge<'f>;

    fn next(&mut self) -> Option<FusedEdge<'f>> {
        if self.i >= self.end {
            return None;
        }
        while self.edges.first[self.a + 1] as usize <= self.i {
            self.a += 1;
        }
        self.i += 1;
        Some(self.edges.edge(self.i - 1, self.a as u32))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.end - self.i;
        (left, Some(left))
    }
}

impl ExactSizeIterator for Iter<'_> {}
