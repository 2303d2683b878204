//! Leiden speed and memory on LFR-style graphs (average degree 20, mixing 0.3).
//!
//! `cargo bench --bench leiden`: criterion median of a whole `leiden()` run (modularity, one
//! run, default settings) on a 1M-node, 10M-edge graph, in edges per second; then, outside
//! criterion, peak heap during one run as a multiple of the input CSR's bytes.
//!
//! `COORDNET_LEIDEN_SCALING=1 cargo bench --bench leiden`: instead, one timed run per size from
//! 10^5 to 10^8 edges (`COORDNET_LEIDEN_MAX_EDGES` to stop earlier), printing seconds, edges
//! per second, modularity, communities and peak heap against the CSR.
//!
//! `COORDNET_LEIDEN_LOCALITY=1 cargo bench --bench leiden`: instead, whether memory or work
//! bounds a run on the 1M-node graph: the time of one sweep that reads every neighbour's
//! community and that community's weight (the memory a local-moving pass cannot avoid), and
//! whole runs on the graph as generated (random ids) and renumbered so that each planted
//! community's nodes have consecutive ids (neighbours then mostly share cache lines).

use coordnet::communities::{leiden, LeidenConfig};
use coordnet::graphs::Graph;
use coordnet::synth::graphs::{lfr, LfrConfig};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::time::{Duration, Instant};

#[path = "common/alloc.rs"]
mod alloc;

/// An LFR-style graph with about `edges` edges (average degree 20).
fn graph(edges: usize) -> Graph {
    let nodes = edges / 10;
    let (mut g, _) = lfr(&LfrConfig::new(nodes, 20.0, 0.3, 1));
    g.offsets.shrink_to_fit();
    g.targets.shrink_to_fit();
    g.weights.shrink_to_fit();
    g
}

/// Seconds, modularity, communities, and peak heap during the run over the CSR's bytes
/// (the CSR itself included, so 2.0 means the run added as much again).
fn measure(g: &Graph) -> (f64, f64, usize, f64) {
    let t = Instant::now();
    let (p, extra) = alloc::peak_during(|| leiden(g, &LeidenConfig::default()).unwrap());
    let secs = t.elapsed().as_secs_f64();
    let csr = g.memory_bytes();
    (
        secs,
        p.quality,
        p.communities,
        (csr + extra) as f64 / csr as f64,
    )
}

fn scaling() {
    let max: usize = std::env::var("COORDNET_LEIDEN_MAX_EDGES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000_000);
    println!("threads: {}", rayon::current_num_threads());
    println!("edges       nodes       seconds  M edges/s  modularity  communities  peak/CSR");
    let mut edges = 100_000;
    while edges <= max {
        let g = graph(edges);
        let (secs, q, k, mem) = measure(&g);
        println!(
            "{:<11} {:<11} {:<8.3} {:<10.2} {:<11.4} {:<12} {:.2}",
            g.edges(),
            g.nodes(),
            secs,
            g.edges() as f64 / secs / 1e6,
            q,
            k,
            mem
        );
        edges *= 10;
    }
}

/// `g` with node ids renumbered by `truth` (planted community, then old id).
fn by_community(g: &Graph, truth: &[u32]) -> Graph {
    let mut order: Vec<u32> = (0..g.nodes() as u32).collect();
    order.sort_by_key(|&v| (truth[v as usize], v));
    let mut id = vec![0u32; g.nodes()];
    for (new, &old) in order.iter().enumerate() {
        id[old as usize] = new as u32;
    }
    let edges: Vec<(u32, u32, f32)> = (0..g.nodes() as u32)
        .flat_map(|v| g.neighbors(v).map(move |(u, w)| (v, u, w)))
        .filter(|&(v, u, _)| v < u)
        .map(|(v, u, w)| (id[v as usize], id[u as usize], w))
        .collect();
    Graph::undirected(g.nodes(), &edges).unwrap()
}

/// Seconds for one parallel sweep over every row entry reading the neighbour's community
/// (a fixed scramble of the ids) and that community's weight.
fn lookup_sweep(g: &Graph) -> f64 {
    use rayon::prelude::*;
    let n = g.nodes() as u64;
    let comm: Vec<u32> = (0..n).map(|v| (v * 2_654_435_761 % n) as u32).collect();
    let weight: Vec<f64> = (0..n).map(|v| v as f64).collect();
    let t = Instant::now();
    let total: f64 = (0..g.nodes() as u32)
        .into_par_iter()
        .with_min_len(256)
        .map(|v| {
            g.neighbors(v)
                .map(|(u, _)| weight[comm[u as usize] as usize])
                .sum::<f64>()
        })
        .sum();
    std::hint::black_box(total);
    t.elapsed().as_secs_f64()
}

fn locality() {
    let (g, truth) = lfr(&LfrConfig::new(1_000_000, 20.0, 0.3, 1));
    let h = by_community(&g, &truth);
    let median = |mut xs: Vec<f64>| {
        xs.sort_by(f64::total_cmp);
        xs[xs.len() / 2]
    };
    let sweep = median((0..5).map(|_| lookup_sweep(&g)).collect());
    println!(
        "{} row entries; one sweep reading each neighbour's community and its weight: {sweep:.3} s \
         (median of 5)",
        g.targets.len()
    );
    // Interleaved, so both orders meet the same spells of machine speed.
    let (mut random, mut ordered) = (Vec::new(), Vec::new());
    for _ in 0..3 {
        for (graph, times) in [(&g, &mut random), (&h, &mut ordered)] {
            let t = Instant::now();
            let p = leiden(graph, &LeidenConfig::default()).unwrap();
            times.push(t.elapsed().as_secs_f64());
            println!(
                "  run: {:.3} s, modularity {:.4}",
                times[times.len() - 1],
                p.quality
            );
        }
    }
    println!(
        "whole run, median of 3: random ids {:.2} s, ids by planted community {:.2} s",
        median(random),
        median(ordered)
    );
}

fn bench(c: &mut Criterion) {
    if std::env::var_os("COORDNET_LEIDEN_SCALING").is_some() {
        scaling();
        return;
    }
    if std::env::var_os("COORDNET_LEIDEN_LOCALITY").is_some() {
        locality();
        return;
    }
    let g = graph(10_000_000);
    let (secs, q, k, mem) = measure(&g);
    println!(
        "LFR graph: {} nodes, {} edges, CSR {:.0} MB; one run {secs:.2} s, modularity {q:.4}, \
         {k} communities, peak heap {mem:.2}x the CSR",
        g.nodes(),
        g.edges(),
        g.memory_bytes() as f64 / 1e6
    );
    let mut group = c.benchmark_group("leiden");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    group.throughput(Throughput::Elements(g.edges() as u64));
    group.bench_function("modularity-1M-nodes-10M-edges", |b| {
        b.iter(|| leiden(&g, &LeidenConfig::default()).unwrap())
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
