//! A partition of a graph's nodes, its quality computed from scratch, and the clean-ups every
//! partition gets before it is returned: disconnected communities split, ids by size.

use super::aggregate::{Csr, Rows};
use super::{LeidenConfig, Quality};
use crate::graphs::Graph;
use rayon::prelude::*;

/// Communities of a graph: `membership[v]` is node `v`'s community, numbered `0..communities`
/// from the largest (ties: the one holding the smaller node id first).
#[derive(Clone, Debug, PartialEq)]
pub struct Partition {
    pub membership: Vec<u32>,
    pub communities: usize,
    /// The quality the partition was optimised for, recomputed from scratch on the graph.
    pub quality: f64,
}

impl Partition {
    /// Community sizes, indexed by community.
    pub fn sizes(&self) -> Vec<usize> {
        let mut s = vec![0usize; self.communities];
        for &c in &self.membership {
            s[c as usize] += 1;
        }
        s
    }

    /// How the communities mix in `g`: each community's weight inside it and its strength
    /// (both counted from both ends, a self-loop twice, as in [`quality`]).
    pub fn mixing(&self, g: &Graph) -> Mixing {
        let mut inside = vec![0f64; self.communities];
        let mut strength = vec![0f64; self.communities];
        for v in 0..g.nodes() as u32 {
            let c = self.membership[v as usize] as usize;
            for (u, w) in g.neighbors(v) {
                let w = if u == v { 2.0 * w as f64 } else { w as f64 };
                strength[c] += w;
                if self.membership[u as usize] as usize == c {
                    inside[c] += w;
                }
            }
        }
        Mixing { inside, strength }
    }

    /// Build from a labelling whose communities are connected in `g`: renumber by size and
    /// compute the quality.
    pub(crate) fn finish(g: &Graph, connected: &[u32], config: &LeidenConfig) -> Partition {
        let (membership, communities) = by_size(connected);
        let quality = quality(g, &membership, config.quality, config.resolution);
        Partition {
            membership,
            communities,
            quality,
        }
    }
}

/// Each community's weight inside it and its strength ([`Partition::mixing`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Mixing {
    pub inside: Vec<f64>,
    pub strength: Vec<f64>,
}

impl Mixing {
    /// Community `c`'s share of its strength that stays inside it (0 without edges). Where
    /// communities mix at random each keeps about its share of the total strength, so at most
    /// one can keep more than half; one that does is a community in the weak sense of
    /// Radicchi et al. (2004).
    pub fn inside_share(&self, c: usize) -> f64 {
        match self.strength[c] {
            s if s > 0.0 => self.inside[c] / s,
            _ => 0.0,
        }
    }

    /// Newman's (2003) assortativity coefficient of the communities, `r = (Σ e_cc − Σ a_c²) /
    /// (1 − Σ a_c²)`: modularity over the modularity the same strengths would reach if no
    /// weight crossed between communities; 0 for random mixing, 1 for none across. Unlike
    /// modularity it is not capped near 0 when one community holds most of the weight.
    pub fn assortativity(&self) -> f64 {
        let total: f64 = self.strength.iter().sum();
        if total == 0.0 {
            return 0.0;
        }
        let inside = self.inside.iter().sum::<f64>() / total;
        let expected: f64 = self.strength.iter().map(|s| (s / total).powi(2)).sum();
        match 1.0 - expected {
            most if most > 0.0 => (inside - expected) / most,
            _ => 0.0,
        }
    }
}

/// One community per connected component (the cheap alternative to Leiden), with its
/// modularity at resolution 1.
pub fn components(g: &Graph) -> Partition {
    let config = LeidenConfig::default();
    Partition::finish(g, &g.components(), &config)
}

/// Quality of `membership` on `g`, from scratch:
/// modularity `Σ_c [in_c / 2m − γ (K_c / 2m)²]` (in_c counts each internal edge from both
/// ends, K_c the strengths), or CPM `Σ_c [e_c − γ n_c (n_c − 1) / 2]` (e_c internal weight).
pub fn quality(g: &Graph, membership: &[u32], q: Quality, resolution: f64) -> f64 {
    let n = g.nodes();
    let k = membership
        .iter()
        .map(|&c| c as usize + 1)
        .max()
        .unwrap_or(0);
    // Internal weight counted from both ends (a self-loop twice, like a strength).
    let internal: f64 = (0..n as u32)
        .into_par_iter()
        .map(|v| {
            let c = membership[v as usize];
            g.neighbors(v)
                .filter(|&(u, _)| membership[u as usize] == c)
                .map(|(u, w)| if u == v { 2.0 * w as f64 } else { w as f64 })
                .sum::<f64>()
        })
        .sum();
    match q {
        Quality::Modularity => {
            // Strengths sum whole rows: in parallel, then binned by community in order.
            let node_strength: Vec<f64> = (0..n as u32)
                .into_par_iter()
                .map(|v| g.strength(v))
                .collect();
            let mut strength = vec![0f64; k];
            let mut two_m = 0.0;
            for (&c, &s) in membership.iter().zip(&node_strength) {
                strength[c as usize] += s;
                two_m += s;
            }
            if two_m == 0.0 {
                return 0.0;
            }
            internal / two_m
                - resolution * strength.iter().map(|&s| (s / two_m).powi(2)).sum::<f64>()
        }
        Quality::Cpm => {
            let mut size = vec![0f64; k];
            for &c in membership {
                size[c as usize] += 1.0;
            }
            internal / 2.0 - resolution * size.iter().map(|&s| s * (s - 1.0) / 2.0).sum::<f64>()
        }
    }
}

/// Relabel so that each community is connected in `g`: a community in several pieces
/// becomes several communities (which never lowers modularity or CPM).
pub fn split_disconnected(g: &Graph, labels: &[u32]) -> Vec<u32> {
    split_pieces(
        Csr {
            offsets: &g.offsets,
            targets: &g.targets,
            weights: &g.weights,
        },
        labels,
    )
}

pub(crate) fn split_pieces<G: Rows>(g: G, labels: &[u32]) -> Vec<u32> {
    let n = g.nodes();
    let mut out = vec![u32::MAX; n];
    let mut next = 0u32;
    let mut stack = Vec::new();
    for s in 0..n as u32 {
        if out[s as usize] != u32::MAX {
            continue;
        }
        out[s as usize] = next;
        stack.push(s);
        while let Some(v) = stack.pop() {
            for &u in g.row(v).0 {
                if out[u as usize] == u32::MAX && labels[u as usize] == labels[v as usize] {
                    out[u as usize] = next;
                    stack.push(u);
                }
            }
        }
        next += 1;
    }
    out
}

/// Renumber communities by decreasing size, ties by smallest member; returns the count.
pub fn by_size(labels: &[u32]) -> (Vec<u32>, usize) {
    let k = labels.iter().map(|&c| c as usize + 1).max().unwrap_or(0);
    let mut size = vec![0usize; k];
    let mut first = vec![u32::MAX; k];
    for (v, &c) in labels.iter().enumerate() {
        size[c as usize] += 1;
        first[c as usize] = first[c as usize].min(v as u32);
    }
    let mut ids: Vec<u32> = (0..k as u32).filter(|&c| size[c as usize] > 0).collect();
    ids.sort_unstable_by_key(|&c| (std::cmp::Reverse(size[c as usize]), first[c as usize]));
    let mut new = vec![0u32; k];
    for (i, &c) in ids.iter().enumerate() {
        new[c as usize] = i as u32;
    }
    (labels.iter().map(|&c| new[c as usize]).collect(), ids.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_separates_pieces_and_by_size_orders_largest_first() {
        // Path 0-1-2 and edge 3-4; label {0,1,2,3,4} as one community except 2.
        let g = Graph::undirected(5, &[(0, 1, 1.0), (1, 2, 1.0), (3, 4, 1.0)]).unwrap();
        let split = split_disconnected(&g, &[7, 7, 9, 7, 7]);
        assert_eq!(split[0], split[1]);
        assert_ne!(split[0], split[2]);
        assert_ne!(split[0], split[3]);
        assert_eq!(split[3], split[4]);
        let (m, k) = by_size(&[5, 2, 2, 2, 5, 9]);
        assert_eq!(k, 3);
        assert_eq!(m, vec![1, 0, 0, 0, 1, 2]);
    }

    #[test]
    fn modularity_of_two_triangles_matches_hand_computation() {
        let edges = [
            (0, 1, 1.0),
            (1, 2, 1.0),
            (0, 2, 1.0),
            (3, 4, 1.0),
            (4, 5, 1.0),
            (3, 5, 1.0),
            (2, 3, 1.0),
        ];
        let g = Graph::undirected(6, &edges).unwrap();
        // m = 7; each side: internal 3 edges, strength 7. Q = 2 * (3/7 - (7/14)^2) = 5/14.
        let q = quality(&g, &[0, 0, 0, 1, 1, 1], Quality::Modularity, 1.0);
        assert!((q - 5.0 / 14.0).abs() < 1e-12, "{q}");
        // Each side keeps 6 of its strength 7 inside; one community keeps all of it.
        let two = Partition {
            membership: vec![0, 0, 0, 1, 1, 1],
            communities: 2,
            quality: q,
        }
        .mixing(&g);
        assert_eq!(two.inside_share(0), 6.0 / 7.0);
        assert_eq!(two.inside_share(1), 6.0 / 7.0);
        // r = (12/14 − 1/2) / (1 − 1/2): Q over its most for two halves.
        assert!((two.assortativity() - 2.0 * q).abs() < 1e-12);
        let one = Partition {
            membership: vec![0; 6],
            communities: 1,
            quality: 0.0,
        }
        .mixing(&g);
        assert_eq!((one.inside_share(0), one.assortativity()), (1.0, 0.0));
        // A lopsided clean split: modularity near 0, assortativity 1.
        let lopsided = [(0, 1, 100.0), (2, 3, 1.0)];
        let g2 = Graph::undirected(4, &lopsided).unwrap();
        let m = [0, 0, 1, 1];
        let mix = Partition {
            membership: m.to_vec(),
            communities: 2,
            quality: 0.0,
        }
        .mixing(&g2);
        assert!(quality(&g2, &m, Quality::Modularity, 1.0) < 0.02);
        assert!((mix.assortativity() - 1.0).abs() < 1e-12);
        // CPM at γ = 0.5: 6 internal − 0.5 * (3 + 3) = 3.
        let h = quality(&g, &[0, 0, 0, 1, 1, 1], Quality::Cpm, 0.5);
        assert!((h - 3.0).abs() < 1e-12, "{h}");
    }
}
