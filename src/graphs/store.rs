//! One compact store for every graph: compressed sparse rows with `u32` node ids and `f32`
//! weights. Undirected graphs keep each edge in both rows, so algorithms read a node's whole
//! neighbourhood from one slice.

use crate::error::{Error, Result};
use rayon::prelude::*;

/// A weighted graph in CSR form: node `v`'s neighbours are `targets[offsets[v]..offsets[v+1]]`.
/// Built by [`Graph::undirected`] or [`Graph::directed`]; a graph put together field by field
/// is checked by [`Graph::check`] before Leiden reads it.
#[derive(Clone, Debug)]
pub struct Graph {
    pub offsets: Vec<u64>,
    pub targets: Vec<u32>,
    pub weights: Vec<f32>,
    pub directed: bool,
}

/// Refuse an edge whose end is not a node of the graph.
fn check_nodes(n: usize, edges: &[(u32, u32, f32)]) -> Result<()> {
    match edges
        .par_iter()
        .find_first(|&&(a, b, _)| a as usize >= n || b as usize >= n)
    {
        Some(&(a, b, _)) => Err(Error::config(format!(
            "edge ({a}, {b}) joins a node outside the graph's {n} nodes"
        ))),
        None => Ok(()),
    }
}

/// The graph of no nodes: its one offset is where node 0's row would end.
impl Default for Graph {
    fn default() -> Graph {
        Graph {
            offsets: vec![0],
            targets: Vec::new(),
            weights: Vec::new(),
            directed: false,
        }
    }
}

impl Graph {
    /// Refuse a graph whose rows do not hold together: offsets from 0 that never fall and end
    /// at the number of targets, one weight per target, every target a node.
    pub fn check(&self) -> Result<()> {
        let bad = |what: String| {
            Err(Error::config(format!(
                "the graph's layout is broken: {what}"
            )))
        };
        let n = self.nodes();
        match (self.offsets.first(), self.offsets.last()) {
            (Some(0), Some(&end)) if end as usize == self.targets.len() => {}
            (None, _) => return bad("no offsets (the graph of no nodes has one, 0)".into()),
            (first, last) => {
                return bad(format!(
                    "offsets run from {} to {}, not from 0 to the {} targets",
                    first.copied().unwrap_or(0),
                    last.copied().unwrap_or(0),
                    self.targets.len()
                ))
            }
        }
        if let Some(v) = self.offsets.windows(2).position(|w| w[1] < w[0]) {
            return bad(format!("node {v}'s row ends before it starts"));
        }
        if self.weights.len() != self.targets.len() {
            return bad(format!(
                "{} weights for {} targets",
                self.weights.len(),
                self.targets.len()
            ));
        }
        if let Some(t) = self.targets.par_iter().find_any(|&&t| t as usize >= n) {
            return bad(format!("target {t} is not one of the {n} nodes"));
        }
        Ok(())
    }

    /// An undirected graph on `n` nodes; parallel edges are merged (weights summed) and a
    /// self-loop is kept once. An edge to a node outside `0..n` is an error.
    pub fn undirected(n: usize, edges: &[(u32, u32, f32)]) -> Result<Graph> {
        check_nodes(n, edges)?;
        let mut half: Vec<(u32, u32, f32)> = edges
            .par_iter()
            .flat_map_iter(|&(a, b, w)| {
                let back = (a != b).then_some((b, a, w));
                std::iter::once((a, b, w)).chain(back)
            })
            .collect();
        half.par_sort_unstable_by_key(|&(a, b, _)| (a, b));
        Ok(Graph::from_sorted(n, half, false))
    }

    /// An undirected graph on `n` nodes from edges `a < b` sorted by `(a, b)` without
    /// repeats (as fusion makes them), filled in place: the same graph as [`Graph::undirected`]
    /// without its doubled, sorted copy of the edge list. Edges out of that order are an
    /// error. `edges` is walked twice: once to count, once to fill.
    pub fn undirected_sorted<I>(n: usize, edges: impl Fn() -> I) -> Result<Graph>
    where
        I: Iterator<Item = (u32, u32, f32)>,
    {
        let mut offsets = vec![0u64; n + 1];
        let mut last = None;
        for (a, b) in edges().map(|(a, b, _)| (a, b)) {
            if a >= b || b as usize >= n || last >= Some((a, b)) {
                return Err(Error::config(format!(
                    "edge ({a}, {b}) is not a node pair a < b < {n} after {last:?}"
                )));
            }
            last = Some((a, b));
            offsets[a as usize + 1] += 1;
            offsets[b as usize + 1] += 1;
        }
        for v in 0..n {
            offsets[v + 1] += offsets[v];
        }
        // Node v's row takes its smaller neighbours first (the edges (a, v) come before
        // (v, b) in the order), each side in increasing order: the rows come out sorted.
        let total = offsets[n] as usize;
        let (mut targets, mut weights) = (vec![0u32; total], vec![0f32; total]);
        let mut next: Vec<u64> = offsets[..n].to_vec();
        for (a, b, w) in edges() {
            for (from, to) in [(a, b), (b, a)] {
                let at = next[from as usize] as usize;
                (targets[at], weights[at]) = (to, w);
                next[from as usize] += 1;
            }
        }
        Ok(Graph {
            offsets,
            targets,
            weights,
            directed: false,
        })
    }

    /// A directed graph on `n` nodes (`a -> b`); parallel edges are merged. An edge to a node
    /// outside `0..n` is an error.
    pub fn directed(n: usize, edges: &[(u32, u32, f32)]) -> Result<Graph> {
        check_nodes(n, edges)?;
        let mut half = edges.to_vec();
        half.par_sort_unstable_by_key(|&(a, b, _)| (a, b));
        Ok(Graph::from_sorted(n, half, true))
    }

    fn from_sorted(n: usize, half: Vec<(u32, u32, f32)>, directed: bool) -> Graph {
        let mut targets = Vec::with_capacity(half.len());
        let mut weights: Vec<f32> = Vec::with_capacity(half.len());
        let mut offsets = vec![0u64; n + 1];
        let mut last: Option<(u32, u32)> = None;
        for (a, b, w) in half {
            if last == Some((a, b)) {
                *weights.last_mut().expect("a previous edge") += w;
                continue;
            }
            last = Some((a, b));
            targets.push(b);
            weights.push(w);
            offsets[a as usize + 1] += 1;
        }
        for v in 0..n {
            offsets[v + 1] += offsets[v];
        }
        Graph {
            offsets,
            targets,
            weights,
            directed,
        }
    }

    /// Nodes (accounts, numbered from 0).
    pub fn nodes(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    /// Stored adjacency entries (twice the undirected edges, minus self-loops).
    pub fn entries(&self) -> usize {
        self.targets.len()
    }

    /// Edges, each undirected edge counted once.
    pub fn edges(&self) -> usize {
        if self.directed {
            return self.targets.len();
        }
        let loops = (0..self.nodes())
            .map(|v| {
                self.neighbors(v as u32)
                    .filter(|&(u, _)| u == v as u32)
                    .count()
            })
            .sum::<usize>();
        (self.targets.len() - loops) / 2 + loops
    }

    /// Where `v`'s adjacency entries are.
    pub fn range(&self, v: u32) -> std::ops::Range<usize> {
        self.offsets[v as usize] as usize..self.offsets[v as usize + 1] as usize
    }

    /// `v`'s neighbours, with the edges' weights.
    pub fn neighbors(&self, v: u32) -> impl Iterator<Item = (u32, f32)> + '_ {
        let r = self.range(v);
        self.targets[r.clone()]
            .iter()
            .copied()
            .zip(self.weights[r].iter().copied())
    }

    /// `v`'s adjacency entries.
    pub fn degree(&self, v: u32) -> usize {
        self.range(v).len()
    }

    /// Sum of edge weights at `v` (a self-loop counts twice, as modularity wants).
    pub fn strength(&self, v: u32) -> f64 {
        self.neighbors(v)
            .map(|(u, w)| if u == v { 2.0 * w as f64 } else { w as f64 })
            .sum()
    }

    /// Nodes with at least one edge.
    pub fn active_nodes(&self) -> usize {
        (0..self.nodes())
            .filter(|&v| self.degree(v as u32) > 0)
            .count()
    }

    /// Bytes held by the three arrays.
    pub fn memory_bytes(&self) -> usize {
        self.offsets.capacity() * 8 + self.targets.capacity() * 4 + self.weights.capacity() * 4
    }

    /// Connected-component label of every node (the smallest node id in its component);
    /// directed edges are followed both ways.
    pub fn components(&self) -> Vec<u32> {
        let mut sets = UnionFind::new(self.nodes());
        for v in 0..self.nodes() as u32 {
            for &u in &self.targets[self.range(v)] {
                sets.union(v, u);
            }
        }
        sets.labels()
    }
}

/// Disjoint sets over `0..n` whose representative is always the smallest member.
pub struct UnionFind(Vec<u32>);

impl UnionFind {
    /// `n` sets of one.
    pub fn new(n: usize) -> UnionFind {
        UnionFind((0..n as u32).collect())
    }

    /// The representative of `x`'s set.
    pub fn find(&mut self, mut x: u32) -> u32 {
        let p = &mut self.0;
        while p[x as usize] != x {
            p[x as usize] = p[p[x as usize] as usize];
            x = p[x as usize];
        }
        x
    }

    /// `a`'s set and `b`'s as one.
    pub fn union(&mut self, a: u32, b: u32) {
        let (a, b) = (self.find(a), self.find(b));
        if a != b {
            self.0[a.max(b) as usize] = a.min(b);
        }
    }

    /// Each element's representative.
    pub fn labels(mut self) -> Vec<u32> {
        (0..self.0.len() as u32).map(|x| self.find(x)).collect()
    }
}

/// Sizes of the connected components that have at least one edge, largest first.
pub fn component_sizes(g: &Graph) -> Vec<usize> {
    let labels = g.components();
    let mut size = vec![0usize; g.nodes()];
    for v in 0..g.nodes() {
        if g.degree(v as u32) > 0 {
            size[labels[v] as usize] += 1;
        }
    }
    let mut sizes: Vec<usize> = size.into_iter().filter(|&s| s > 0).collect();
    sizes.sort_unstable_by(|a, b| b.cmp(a));
    sizes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_edges_fill_the_same_graph_as_the_sorting_build() {
        // Pseudo-random sorted unique pairs a < b over 300 nodes.
        let mut edges = Vec::new();
        let mut x = 7u64;
        for a in 0..300u32 {
            for b in a + 1..300 {
                x = crate::hash::splitmix(x);
                if x.is_multiple_of(29) {
                    edges.push((a, b, (x % 1000) as f32 / 7.0));
                }
            }
        }
        let sorted = Graph::undirected_sorted(300, || edges.iter().copied()).unwrap();
        let built = Graph::undirected(300, &edges).unwrap();
        assert_eq!(sorted.offsets, built.offsets);
        assert_eq!(sorted.targets, built.targets);
        assert_eq!(sorted.weights, built.weights);
        for bad in [
            vec![(1, 2, 1.0), (0, 3, 1.0)],
            vec![(2, 1, 1.0)],
            vec![(1, 1, 1.0)],
            vec![(0, 1, 1.0), (0, 1, 1.0)],
            vec![(0, 300, 1.0)],
        ] {
            assert!(Graph::undirected_sorted(300, || bad.iter().copied()).is_err());
        }
    }

    #[test]
    fn undirected_rows_hold_both_directions_and_merge_parallel_edges() {
        let g =
            Graph::undirected(5, &[(0, 1, 1.0), (1, 2, 2.0), (1, 0, 0.5), (3, 3, 1.0)]).unwrap();
        assert_eq!(g.nodes(), 5);
        assert_eq!(g.edges(), 3);
        assert_eq!(g.neighbors(0).collect::<Vec<_>>(), vec![(1, 1.5)]);
        assert_eq!(g.neighbors(1).collect::<Vec<_>>(), vec![(0, 1.5), (2, 2.0)]);
        assert_eq!(g.strength(3), 2.0);
        assert_eq!(g.degree(4), 0);
        assert_eq!(component_sizes(&g), vec![3, 1]);
        let labels = g.components();
        assert_eq!(labels[2], 0);
        assert_eq!(labels[4], 4);
    }
}
