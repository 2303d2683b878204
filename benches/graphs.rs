//! Co-action projection throughput and peak memory per graph kind, on `coordnet synth` data.
//!
//! `cargo bench --bench graphs` (`COORDNET_BENCH_TWEETS`, default 300,000 tweets): criterion
//! medians of `coaction_graph` (actions collected, window 60 s, pairs, weights, significance)
//! per kind, in actions per second; then, outside criterion, each kind's actions, pairs,
//! edges and peak heap during the projection (collecting the actions included), per action and
//! against the bytes of its output edges. The generated data has no replies and no repeated
//! original texts, so co-reply, co-tweet and co-similar time only their collection there.

#[path = "common/alloc.rs"]
mod alloc;

use coordnet::graphs::{coaction_graph, CoEdge, CoactionKind, GraphOptions, Window};
use coordnet::synth::{generate, SynthConfig};
use coordnet::{ingest, IngestOptions};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::time::Duration;

const KINDS: [CoactionKind; 7] = CoactionKind::ALL;

fn bench(c: &mut Criterion) {
    let tweets = std::env::var("COORDNET_BENCH_TWEETS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(300_000);
    let dir = tempfile::tempdir().unwrap();
    generate(&SynthConfig::new(tweets), dir.path()).unwrap();
    let (data, _) = ingest(&[dir.path().join("tweets.csv")], &IngestOptions::default()).unwrap();
    let opts = GraphOptions {
        window: Window::Fixed(60_000),
        ..Default::default()
    };
    println!("{} tweets", data.len());
    println!("kind         actions    pairs       edges     peak heap  bytes/action  peak / output edges");
    let mut actions = Vec::new();
    for kind in KINDS {
        let (p, peak) = alloc::peak_during(|| coaction_graph(&data, kind, &opts).unwrap());
        let out = p.edges.len() * std::mem::size_of::<CoEdge>();
        // Against the output only where there is one to speak of.
        let ratio = if p.edges.len() >= 1_000 {
            format!("{:.1}x", peak as f64 / out as f64)
        } else {
            "-".to_string()
        };
        let per_action = match p.stats.actions {
            0 => "-".to_string(),
            n => format!("{:.0}", peak as f64 / n as f64),
        };
        println!(
            "{:<12} {:<10} {:<11} {:<9} {:<10} {per_action:<13} {ratio}",
            kind.name(),
            p.stats.actions,
            p.stats.pairs,
            p.edges.len(),
            format!("{:.1} MB", peak as f64 / 1e6),
        );
        actions.push(p.stats.actions);
    }
    let mut group = c.benchmark_group("projection");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(5));
    for (kind, n) in KINDS.into_iter().zip(actions) {
        group.throughput(Throughput::Elements(n as u64));
        group.bench_function(kind.name(), |b| {
            b.iter(|| coaction_graph(&data, kind, &opts).unwrap())
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
