//! Community detection against known answers: Zachary's karate club, planted partitions,
//! LFR-style graphs, the ring of cliques (modularity's resolution limit), and properties every
//! partition must have.

use coordnet::communities::{components, leiden, nmi, quality, LeidenConfig, Partition, Quality};
use coordnet::graphs::Graph;
use coordnet::synth::graphs::{lfr, planted_partition, LfrConfig};

/// Zachary's karate club (1977), 34 members, 78 friendships, numbered from 1 as published.
const KARATE: &[(u32, &[u32])] = &[
    (1, &[2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 18, 20, 22, 32]),
    (2, &[3, 4, 8, 14, 18, 20, 22, 31]),
    (3, &[4, 8, 9, 10, 14, 28, 29, 33]),
    (4, &[8, 13, 14]),
    (5, &[7, 11]),
    (6, &[7, 11, 17]),
    (7, &[17]),
    (9, &[31, 33, 34]),
    (10, &[34]),
    (14, &[34]),
    (15, &[33, 34]),
    (16, &[33, 34]),
    (19, &[33, 34]),
    (20, &[34]),
    (21, &[33, 34]),
    (23, &[33, 34]),
    (24, &[26, 28, 30, 33, 34]),
    (25, &[26, 28, 32]),
    (26, &[32]),
    (27, &[30, 34]),
    (28, &[34]),
    (29, &[32, 34]),
    (30, &[33, 34]),
    (31, &[33, 34]),
    (32, &[33, 34]),
    (33, &[34]),
];

fn karate() -> Graph {
    let edges: Vec<(u32, u32, f32)> = KARATE
        .iter()
        .flat_map(|&(a, bs)| bs.iter().map(move |&b| (a - 1, b - 1, 1.0)))
        .collect();
    assert_eq!(edges.len(), 78);
    Graph::undirected(34, &edges).unwrap()
}

fn modularity(resolution: f64, seed: u64) -> LeidenConfig {
    LeidenConfig {
        resolution,
        seed,
        ..Default::default()
    }
}

fn cpm(resolution: f64, seed: u64) -> LeidenConfig {
    LeidenConfig {
        quality: Quality::Cpm,
        resolution,
        seed,
        ..Default::default()
    }
}

#[test]
fn karate_club_reaches_the_best_known_modularity() {
    let g = karate();
    let single = leiden(&g, &modularity(1.0, 1)).unwrap();
    assert!(single.quality >= 0.41, "one run: {}", single.quality);
    let best = leiden(
        &g,
        &LeidenConfig {
            runs: 10,
            ..modularity(1.0, 1)
        },
    )
    .unwrap();
    // 0.4198 is the optimum (Brandes et al. 2008), with four communities.
    assert!(
        (best.quality - 0.41979).abs() < 1e-4,
        "ten runs: {}",
        best.quality
    );
    assert_eq!(best.communities, 4);
    // Every seed's single run is a good partition, not a lucky one.
    for seed in 1..=20 {
        let p = leiden(&g, &modularity(1.0, seed)).unwrap();
        assert!(p.quality >= 0.40, "seed {seed}: {}", p.quality);
    }
}

#[test]
fn lfr_communities_are_recovered_and_recovery_degrades_with_mixing() {
    let mut scores = Vec::new();
    for mixing in [0.1, 0.3, 0.5, 0.7] {
        let (g, truth) = lfr(&LfrConfig::new(10_000, 20.0, mixing, 11));
        let p = leiden(&g, &modularity(1.0, 1)).unwrap();
        scores.push((mixing, nmi(&p.membership, &truth)));
    }
    eprintln!("LFR NMI by mixing: {scores:?}");
    assert!(scores[0].1 > 0.97, "{scores:?}");
    assert!(scores[1].1 > 0.95, "{scores:?}");
    assert!(scores[3].1 < scores[1].1 - 0.2, "{scores:?}");
}

#[test]
fn planted_partition_is_found_by_modularity_and_by_cpm() {
    let (g, truth) = planted_partition(4_000, 40, 16.0, 0.15, 5);
    let m = leiden(&g, &modularity(1.0, 3)).unwrap();
    assert!(
        nmi(&m.membership, &truth) > 0.97,
        "{}",
        nmi(&m.membership, &truth)
    );
    // Inside a block the density is about 16 * 0.85 / 100 = 0.14, across blocks 0.0006.
    let c = leiden(&g, &cpm(0.02, 3)).unwrap();
    assert!(
        nmi(&c.membership, &truth) > 0.97,
        "{}",
        nmi(&c.membership, &truth)
    );
}

#[test]
fn cpm_keeps_small_cliques_that_modularity_merges() {
    // 40 five-cliques in a ring: modularity's resolution limit merges neighbouring cliques,
    // CPM at any density between the ring's and the cliques' keeps every one.
    let (cliques, size) = (40u32, 5u32);
    let mut edges = Vec::new();
    for c in 0..cliques {
        for i in 0..size {
            for j in i + 1..size {
                edges.push((c * size + i, c * size + j, 1.0));
            }
        }
        edges.push((c * size, ((c + 1) % cliques) * size + 1, 1.0));
    }
    let g = Graph::undirected((cliques * size) as usize, &edges).unwrap();
    let truth: Vec<u32> = (0..cliques * size).map(|v| v / size).collect();
    let c = leiden(&g, &cpm(0.5, 1)).unwrap();
    assert_eq!(c.communities, cliques as usize);
    assert!((nmi(&c.membership, &truth) - 1.0).abs() < 1e-9);
    let m = leiden(&g, &modularity(1.0, 1)).unwrap();
    assert!(m.communities < cliques as usize, "{}", m.communities);
}

/// A graph with every awkward feature: isolated nodes, self-loops, varied weights, a hub,
/// and several components.
fn awkward(seed: u64) -> Graph {
    let (base, _) = lfr(&LfrConfig::new(1_500, 8.0, 0.4, seed));
    let mut edges: Vec<(u32, u32, f32)> = base.edges_list();
    let n = 1_600u32; // the last 100 nodes: a separate piece and isolated nodes
    for (i, e) in edges.iter_mut().enumerate() {
        e.2 = 0.5 + (i % 7) as f32;
    }
    for v in (0..1_500).step_by(97) {
        edges.push((v, v, 3.0));
    }
    for v in 1_500..1_540 {
        edges.push((v, 1_500 + (v + 1 - 1_500) % 40, 1.0));
        edges.push((7, v, 0.25));
    }
    Graph::undirected(n as usize, &edges).unwrap()
}

trait EdgesList {
    fn edges_list(&self) -> Vec<(u32, u32, f32)>;
}

impl EdgesList for Graph {
    fn edges_list(&self) -> Vec<(u32, u32, f32)> {
        (0..self.nodes() as u32)
            .flat_map(|v| {
                self.neighbors(v)
                    .filter(move |&(u, _)| v <= u)
                    .map(move |(u, w)| (v, u, w))
            })
            .collect()
    }
}

/// Modularity and CPM straight from the edge list, independently of the library's formula.
fn naive_quality(g: &Graph, m: &[u32], q: Quality, gamma: f64) -> f64 {
    let edges = g.edges_list();
    let total: f64 = edges.iter().map(|e| e.2 as f64).sum();
    let k = *m.iter().max().unwrap() as usize + 1;
    let mut inside = vec![0f64; k];
    let mut degree = vec![0f64; k];
    let mut size = vec![0f64; k];
    for &(a, b, w) in &edges {
        degree[m[a as usize] as usize] += w as f64;
        degree[m[b as usize] as usize] += w as f64;
        if m[a as usize] == m[b as usize] {
            inside[m[a as usize] as usize] += w as f64;
        }
    }
    for &c in m {
        size[c as usize] += 1.0;
    }
    (0..k)
        .map(|c| match q {
            Quality::Modularity => inside[c] / total - gamma * (degree[c] / (2.0 * total)).powi(2),
            Quality::Cpm => inside[c] - gamma * size[c] * (size[c] - 1.0) / 2.0,
        })
        .sum()
}

fn assert_valid(g: &Graph, p: &Partition, q: Quality, gamma: f64) {
    let n = g.nodes();
    assert_eq!(p.membership.len(), n, "every node labelled");
    let sizes = p.sizes();
    assert_eq!(sizes.len(), p.communities);
    assert!(sizes.iter().all(|&s| s > 0), "no empty community");
    assert!(sizes.windows(2).all(|w| w[0] >= w[1]), "numbered by size");
    // Connected: a search inside each community from one member reaches all of them.
    let mut reached = vec![false; n];
    let mut seen_community = vec![false; p.communities];
    for s in 0..n {
        let c = p.membership[s] as usize;
        if seen_community[c] {
            continue;
        }
        seen_community[c] = true;
        let mut stack = vec![s as u32];
        reached[s] = true;
        let mut count = 1;
        while let Some(v) = stack.pop() {
            for (u, _) in g.neighbors(v) {
                if !reached[u as usize] && p.membership[u as usize] as usize == c {
                    reached[u as usize] = true;
                    count += 1;
                    stack.push(u);
                }
            }
        }
        assert_eq!(count, sizes[c], "community {c} is not connected");
    }
    let naive = naive_quality(g, &p.membership, q, gamma);
    assert!(
        (naive - p.quality).abs() <= 1e-9 * naive.abs().max(1.0),
        "reported {} vs recomputed {naive}",
        p.quality
    );
    assert!((quality(g, &p.membership, q, gamma) - p.quality).abs() < 1e-12);
}

#[test]
fn every_partition_is_complete_connected_and_reports_its_true_quality() {
    for seed in 1..=4 {
        let g = awkward(seed);
        for (q, gamma) in [
            (Quality::Modularity, 1.0),
            (Quality::Modularity, 2.5),
            (Quality::Cpm, 0.05),
            (Quality::Cpm, 1.0),
        ] {
            let config = LeidenConfig {
                quality: q,
                resolution: gamma,
                seed,
                ..Default::default()
            };
            let p = leiden(&g, &config).unwrap();
            assert_valid(&g, &p, q, gamma);
        }
        let c = components(&g);
        assert_valid(&g, &c, Quality::Modularity, 1.0);
        // Isolated nodes are communities of their own.
        assert!(c.sizes().iter().filter(|&&s| s == 1).count() >= 60);
    }
}

/// Weights are in the input's units: scaled by 2^-40, the graph is the same and its
/// partition as good (refinement's randomness θ is in weight units, as in the reference
/// implementation, so the partition itself may differ). A fixed floor on gains once left every
/// node alone where all weights were 1e-10.
#[test]
fn the_partition_does_not_depend_on_the_weights_unit() {
    let g = awkward(3);
    let scale = 2f32.powi(-40);
    let scaled: Vec<(u32, u32, f32)> = (g.edges_list().into_iter())
        .map(|(a, b, w)| (a, b, w * scale))
        .collect();
    let small = Graph::undirected(g.nodes(), &scaled).unwrap();
    for (config, unit) in [(modularity(1.0, 5), 1.0), (cpm(0.05, 5), scale as f64)] {
        for iterations in [2, 0] {
            let config = LeidenConfig {
                iterations,
                ..config.clone()
            };
            let p = leiden(&g, &config).unwrap();
            let scaled_config = LeidenConfig {
                resolution: config.resolution * unit,
                ..config.clone()
            };
            let q = leiden(&small, &scaled_config).unwrap();
            let (a, b) = (p.quality, q.quality / unit);
            assert!(
                b >= a - 0.02 * a.abs(),
                "{:?}: {a} against {b}",
                config.quality
            );
            assert_valid(&small, &q, config.quality, scaled_config.resolution);
        }
    }
    // The smallest case: a triangle and a pair, every weight 1e-10.
    let tiny = Graph::undirected(
        5,
        &[(0, 1, 1e-10), (1, 2, 1e-10), (2, 0, 1e-10), (3, 4, 1e-10)],
    )
    .unwrap();
    let p = leiden(&tiny, &modularity(1.0, 1)).unwrap();
    assert_eq!(p.sizes(), vec![3, 2]);
    assert!((p.quality - 0.375).abs() < 1e-9, "{}", p.quality);
}

#[test]
fn leiden_beats_components_and_singletons() {
    let (g, _) = lfr(&LfrConfig::new(3_000, 15.0, 0.3, 2));
    let p = leiden(&g, &modularity(1.0, 1)).unwrap();
    let singletons: Vec<u32> = (0..3_000).collect();
    assert!(p.quality > quality(&g, &singletons, Quality::Modularity, 1.0) + 0.5);
    assert!(p.quality > components(&g).quality + 0.5);
}

#[test]
fn one_seed_gives_one_partition_whatever_the_thread_count() {
    let (g, _) = lfr(&LfrConfig::new(60_000, 12.0, 0.4, 9));
    let run = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| leiden(&g, &modularity(1.0, 42)).unwrap())
    };
    let one = run(1);
    let three = run(3);
    assert_eq!(one, three);
    let other_seed = leiden(&g, &modularity(1.0, 43)).unwrap();
    assert_ne!(one.membership, other_seed.membership);
}

#[test]
fn directed_graphs_and_negative_weights_are_refused_with_advice() {
    let d = Graph::directed(3, &[(0, 1, 1.0), (1, 2, 1.0)]).unwrap();
    let e = leiden(&d, &LeidenConfig::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("undirected"), "{e}");
    let neg = Graph::undirected(3, &[(0, 1, 1.0), (1, 2, -2.0)]).unwrap();
    let e = leiden(&neg, &LeidenConfig::default()).unwrap_err();
    assert_eq!(e.setting(), Some(coordnet::error::Setting::EdgeWeight));
    let e = e.to_string();
    assert!(
        e.contains("negative") && e.contains("pairs, items, idf or cosine"),
        "{e}"
    );
    let e = leiden(&neg, &modularity(0.0, 1)).unwrap_err().to_string();
    assert!(e.contains("resolution"), "{e}");
}

#[test]
fn the_empty_graph_has_the_empty_partition_and_a_broken_layout_is_refused() {
    for g in [Graph::default(), Graph::undirected(0, &[]).unwrap()] {
        let p = leiden(&g, &LeidenConfig::default()).unwrap();
        assert_eq!(p.membership.len(), 0);
    }
    // A graph put together field by field: each way its rows can fail to hold together.
    let ok = Graph::undirected(3, &[(0, 1, 1.0), (1, 2, 1.0)]).unwrap();
    type Breaking = fn(&mut Graph);
    let broken: [(&str, Breaking); 5] = [
        ("no offsets", |g| g.offsets.clear()),
        ("offsets run from 0 to 9", |g| {
            *g.offsets.last_mut().unwrap() = 9
        }),
        ("node 1's row ends before it starts", |g| {
            g.offsets[1] = 3;
            g.offsets[2] = 1
        }),
        ("3 weights for 4 targets", |g| {
            g.weights.pop();
        }),
        ("target 7 is not one of the 3 nodes", |g| g.targets[0] = 7),
    ];
    for (why, breaking) in broken {
        let mut g = ok.clone();
        breaking(&mut g);
        let e = leiden(&g, &LeidenConfig::default()).unwrap_err();
        assert!(
            matches!(e.kind(), coordnet::ErrorKind::Config { .. }),
            "{e}"
        );
        assert!(e.to_string().contains(why), "{why}: {e}");
    }
}

#[test]
fn components_with_leiden_settings_and_zero_runs_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let edges = super::write(dir.path(), "e.csv", "source,target,weight\na,b,1\nb,c,1\n");
    let out = dir.path().join("c.csv");
    let (edges, out) = (edges.to_str().unwrap(), out.to_str().unwrap());
    for (flags, said) in [
        (
            &["--components", "--quality", "cpm"][..],
            "cannot be used with",
        ),
        (&["--components", "--runs", "3"][..], "cannot be used with"),
        (&["--runs", "0"][..], "at least 1 run"),
    ] {
        let o = super::coordnet(&[&["communities", edges, "-o", out][..], flags].concat());
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{flags:?}: {err}");
        assert!(err.contains(said), "{flags:?}: {err}");
    }
}
