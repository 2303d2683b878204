//! Benchmark graphs with planted communities, for checking community detection against known
//! answers and for timing it at scale.
//!
//! - [`planted_partition`]: equal communities; each node draws `avg_degree / 2` edges, a
//!   share `mixing` of them to nodes outside its community.
//! - [`lfr`]: LFR-style (Lancichinetti, Fortunato & Radicchi 2008): power-law degrees and
//!   community sizes, each node's edges split `1 − mixing` inside, `mixing` outside, wired by a
//!   configuration model inside each community and across the graph. Unlike the reference
//!   generator it does not rewire to fix every degree exactly: self-loops and repeated pairs
//!   are dropped, and an internal degree larger than its community allows is capped.
//!
//! Both are seeded and return the graph (unit weights) and the planted community of each node.

use crate::graphs::Graph;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64Mcg;
use rayon::prelude::*;

/// `n` nodes in `communities` equal blocks (node `v` in block `v % communities`).
pub fn planted_partition(
    n: usize,
    communities: usize,
    avg_degree: f64,
    mixing: f64,
    seed: u64,
) -> (Graph, Vec<u32>) {
    let k = communities.max(1);
    let truth: Vec<u32> = (0..n).map(|v| (v % k) as u32).collect();
    let per_node = avg_degree / 2.0;
    let mut edges: Vec<(u32, u32, f32)> = (0..n)
        .into_par_iter()
        .flat_map_iter(|v| {
            let mut rng =
                Pcg64Mcg::seed_from_u64(seed ^ (v as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
            let whole = per_node.floor() as usize;
            let draws = whole + usize::from(rng.random::<f64>() < per_node - whole as f64);
            let block = v % k;
            let in_block = (n - block).div_ceil(k);
            (0..draws)
                .filter_map(|_| {
                    let u = if rng.random::<f64>() < mixing || in_block < 2 {
                        rng.random_range(0..n)
                    } else {
                        block + k * rng.random_range(0..in_block)
                    };
                    (u != v).then_some((v.min(u) as u32, v.max(u) as u32, 1.0f32))
                })
                .collect::<Vec<_>>()
        })
        .collect();
    dedup(&mut edges);
    (
        Graph::undirected(n, &edges).expect("generated edges join generated nodes"),
        truth,
    )
}

/// Settings of [`lfr`]. The defaults are the classic LFR benchmark's shape.
#[derive(Clone, Debug)]
pub struct LfrConfig {
    pub nodes: usize,
    pub avg_degree: f64,
    pub max_degree: usize,
    /// Exponent of the degree distribution (τ1).
    pub degree_exponent: f64,
    /// Exponent of the community-size distribution (τ2).
    pub community_exponent: f64,
    pub min_community: usize,
    pub max_community: usize,
    /// Share of each node's edges that leave its community (μ).
    pub mixing: f64,
    pub seed: u64,
}

impl LfrConfig {
    /// An LFR benchmark of `nodes` nodes: degree exponent 2.5, community exponent 1.5,
    /// communities from 1.5 times the mean degree up to a tenth of the nodes (100 to 1,000).
    pub fn new(nodes: usize, avg_degree: f64, mixing: f64, seed: u64) -> LfrConfig {
        LfrConfig {
            nodes,
            avg_degree,
            max_degree: (avg_degree * 2.5).ceil() as usize,
            degree_exponent: 2.5,
            community_exponent: 1.5,
            min_community: (avg_degree * 1.5).ceil() as usize,
            max_community: (nodes / 10)
                .clamp(100, 1000)
                .max((avg_degree * 4.0) as usize),
            mixing,
            seed,
        }
    }
}

/// A continuous power law on `[lo, hi]` with exponent `tau`, sampled by inverting its CDF.
fn power_law(rng: &mut Pcg64Mcg, lo: f64, hi: f64, tau: f64) -> f64 {
    let e = 1.0 - tau;
    let u: f64 = rng.random();
    ((hi.powf(e) - lo.powf(e)) * u + lo.powf(e)).powf(1.0 / e)
}

fn power_law_mean(lo: f64, hi: f64, tau: f64) -> f64 {
    let (a, b) = (1.0 - tau, 2.0 - tau);
    (hi.powf(b) - lo.powf(b)) / b * a / (hi.powf(a) - lo.powf(a))
}

/// An LFR-style graph and its planted communities.
pub fn lfr(c: &LfrConfig) -> (Graph, Vec<u32>) {
    let n = c.nodes;
    let mut rng = Pcg64Mcg::seed_from_u64(c.seed);
    // The smallest degree that gives the asked mean, by bisection.
    let hi = c.max_degree as f64;
    let (mut a, mut b) = (1.0, hi);
    for _ in 0..60 {
        let mid = (a + b) / 2.0;
        if power_law_mean(mid, hi, c.degree_exponent) < c.avg_degree {
            a = mid;
        } else {
            b = mid;
        }
    }
    let degree: Vec<usize> = (0..n)
        .map(|_| power_law(&mut rng, a, hi, c.degree_exponent).round() as usize)
        .collect();
    // Community sizes until they cover every node.
    let mut sizes = Vec::new();
    let mut covered = 0;
    while covered < n {
        let s = power_law(
            &mut rng,
            c.min_community as f64,
            c.max_community as f64,
            c.community_exponent,
        )
        .round() as usize;
        let s = s.min(n - covered);
        if s < c.min_community && !sizes.is_empty() {
            *sizes.last_mut().expect("not empty") += s;
        } else {
            sizes.push(s);
        }
        covered += s;
    }
    let mut slots: Vec<u32> = sizes
        .iter()
        .enumerate()
        .flat_map(|(i, &s)| std::iter::repeat_n(i as u32, s))
        .collect();
    slots.shuffle(&mut rng);
    let truth = slots;
    let mut members: Vec<Vec<u32>> = vec![Vec::new(); sizes.len()];
    for (v, &cm) in truth.iter().enumerate() {
        members[cm as usize].push(v as u32);
    }
    let internal = |v: usize| {
        let k_in = ((1.0 - c.mixing) * degree[v] as f64).round() as usize;
        k_in.min(sizes[truth[v] as usize].saturating_sub(1))
    };
    // Inside each community: a configuration model on the internal stubs.
    let mut edges: Vec<(u32, u32, f32)> = members
        .par_iter()
        .enumerate()
        .flat_map_iter(|(i, m)| {
            let mut rng = Pcg64Mcg::seed_from_u64(
                c.seed ^ (i as u64 + 1).wrapping_mul(0xA24B_AED4_963E_E407),
            );
            let mut stubs: Vec<u32> = m
                .iter()
                .flat_map(|&v| std::iter::repeat_n(v, internal(v as usize)))
                .collect();
            stubs.shuffle(&mut rng);
            pairs(&stubs)
        })
        .collect();
    // Across the graph: a configuration model on the remaining stubs, pairs inside one
    // community dropped.
    let mut stubs: Vec<u32> = (0..n)
        .flat_map(|v| std::iter::repeat_n(v as u32, degree[v] - internal(v).min(degree[v])))
        .collect();
    stubs.shuffle(&mut rng);
    edges.extend(
        pairs(&stubs)
            .into_iter()
            .filter(|&(u, v, _)| truth[u as usize] != truth[v as usize]),
    );
    dedup(&mut edges);
    (
        Graph::undirected(n, &edges).expect("generated edges join generated nodes"),
        truth,
    )
}

/// Consecutive stubs paired, self-pairs dropped, each pair as (smaller, larger).
fn pairs(stubs: &[u32]) -> Vec<(u32, u32, f32)> {
    stubs
        .chunks_exact(2)
        .filter(|p| p[0] != p[1])
        .map(|p| (p[0].min(p[1]), p[0].max(p[1]), 1.0))
        .collect()
}

fn dedup(edges: &mut Vec<(u32, u32, f32)>) {
    edges.par_sort_unstable_by_key(|&(a, b, _)| (a, b));
    edges.dedup_by_key(|e| (e.0, e.1));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lfr_has_the_asked_size_degree_and_mixing() {
        let (g, truth) = lfr(&LfrConfig::new(5_000, 20.0, 0.3, 7));
        assert_eq!(g.nodes(), 5_000);
        let mean = 2.0 * g.edges() as f64 / 5_000.0;
        assert!((16.0..=22.0).contains(&mean), "mean degree {mean}");
        let (mut out, mut all) = (0.0, 0.0);
        for v in 0..5_000u32 {
            for (u, _) in g.neighbors(v) {
                all += 1.0;
                if truth[u as usize] != truth[v as usize] {
                    out += 1.0;
                }
            }
        }
        let mixing = out / all;
        assert!((0.25..=0.35).contains(&mixing), "mixing {mixing}");
    }

    #[test]
    fn planted_partition_mixes_as_asked() {
        let (g, truth) = planted_partition(2_000, 10, 16.0, 0.2, 3);
        let mean = 2.0 * g.edges() as f64 / 2_000.0;
        assert!((14.0..=17.0).contains(&mean), "mean degree {mean}");
        let outside = (0..2_000u32)
            .flat_map(|v| g.neighbors(v).map(move |(u, _)| (u, v)))
            .filter(|&(u, v)| truth[u as usize] != truth[v as usize])
            .count() as f64
            / g.entries() as f64;
        // Random draws land outside with probability mixing * 9/10 (plus block draws inside).
        assert!((0.14..=0.22).contains(&outside), "outside share {outside}");
    }
}
