//! One account graph from many: the co-action graphs and the retweet graph fused by
//! significance, so that a kind with many weak edges cannot drown one with few strong ones.
//!
//! Each edge of each kind is tested against its own null model (co-actions: accounts shuffled
//! over the action slots with the window applied; retweets: the configuration model that keeps
//! every account's retweets made and received). An edge enters the fused graph only if its
//! p-value is at most `edge_pvalue`, and then adds its evidence, `min(-log10 p, 10)`, to the
//! account pair's weight. The weight is therefore "how surprising is everything these two did
//! together", summed over kinds; busy accounts and viral items, expected to share a lot, add
//! little.

use super::DetectConfig;
use crate::dataset::Dataset;
use crate::error::Result;
use crate::graphs::significance::poisson_upper_tail;
use crate::graphs::{
    self, estimate_window,
    retweet::{RetweetGraph, Source},
    CoEdge, Graph, Projection,
};
use rayon::prelude::*;

/// The most evidence one edge of one kind can add (p-values below 1e-10 all count the same).
pub const MAX_EVIDENCE: f64 = 10.0;

/// Evidence of an edge with p-value `p`.
pub fn evidence(p: f64) -> f64 {
    (-p.max(1e-300).log10()).clamp(0.0, MAX_EVIDENCE)
}

/// How one kind contributed to the fused graph.
#[derive(Clone, Debug, serde::Serialize)]
pub struct KindReport {
    pub kind: &'static str,
    /// The window used, as written (`none` for the retweet graph).
    pub window: String,
    /// Why this window (when it was estimated from the data).
    pub window_reason: Option<String>,
    pub edges: usize,
    pub significant_edges: usize,
    pub evidence: f64,
}

/// The fused graph and the graphs it came from.
pub struct Fused {
    /// Undirected account graph over all dataset accounts.
    pub graph: Graph,
    /// Fused edges, `a < b`, with their weight and each kind's evidence (in `kinds` order).
    pub edges: Vec<FusedEdge>,
    pub kinds: Vec<KindReport>,
    pub projections: Vec<Projection>,
    pub retweets: Option<RetweetGraph>,
    /// Each retweet row's source, where one was found (`None` for other rows).
    pub sources: Vec<Option<Source>>,
}

#[derive(Clone, Debug)]
pub struct FusedEdge {
    pub a: u32,
    pub b: u32,
    pub weight: f64,
    /// Evidence per kind, in the order of `Fused::kinds`.
    pub by_kind: Vec<f32>,
}

/// Build every enabled graph and fuse them.
pub fn fuse(data: &Dataset, config: &DetectConfig) -> Result<Fused> {
    let mut kinds = Vec::new();
    let mut projections = Vec::new();
    for &kind in &config.kinds {
        let mut opts = config.graph.clone();
        let actions = graphs::coaction_actions(data, kind, &opts)?;
        let mut reason = None;
        opts.window_ms = match config.window_ms {
            Some(w) => w,
            None => {
                let est = estimate_window(&actions, 2.0);
                let floor = actions.coarsest.millis().max(1000);
                let w = est
                    .window_ms
                    .clamp(floor, config.max_auto_window_ms.max(floor));
                reason = Some(if w == est.window_ms {
                    est.explanation
                } else {
                    format!(
                        "{}; capped at {}",
                        est.explanation,
                        graphs::format_duration(w)
                    )
                });
                Some(w)
            }
        };
        if opts.window_ms.is_some()
            && graphs::coaction::check_window(&actions, opts.window_ms).is_err()
        {
            // Coarse timestamps cannot resolve the window: use the whole period rather than
            // fail, and say so.
            reason = Some(format!(
                "timestamps are {} at best, too coarse for a window; using the whole period",
                actions.coarsest.name()
            ));
            opts.window_ms = None;
        }
        let p = graphs::coaction::project(data, actions, &opts.coaction())?;
        kinds.push(KindReport {
            kind: kind.name(),
            window: p
                .window_ms
                .map_or("none".to_string(), graphs::format_duration),
            window_reason: reason,
            edges: p.edges.len(),
            significant_edges: 0,
            evidence: 0.0,
        });
        projections.push(p);
    }
    // Sources are kept: roles and timing read each retweet's source and delay.
    let sources = graphs::retweet::sources(data);
    let retweets = config
        .retweets
        .then(|| graphs::retweet::from_sources(data, &sources));

    let n_kinds = kinds.len() + retweets.is_some() as usize;
    // Every significant edge of every kind as (pair, kind, evidence), then grouped by pair.
    let mut entries: Vec<((u32, u32), u8, f32)> = Vec::new();
    for (k, p) in projections.iter().enumerate() {
        let (count, total) = add_coaction(&mut entries, &p.edges, k, config.edge_pvalue);
        kinds[k].significant_edges = count;
        kinds[k].evidence = total;
    }
    if let Some(rt) = &retweets {
        let tested = retweet_significance(rt, data.accounts.len());
        let k = kinds.len();
        let mut report = KindReport {
            kind: "retweet",
            window: "none".into(),
            window_reason: None,
            edges: rt.edges.len(),
            significant_edges: 0,
            evidence: 0.0,
        };
        for (e, p) in rt.edges.iter().zip(tested) {
            if p > config.edge_pvalue || e.amplifier == e.source {
                continue;
            }
            let key = (e.amplifier.min(e.source), e.amplifier.max(e.source));
            let ev = evidence(p);
            entries.push((key, k as u8, ev as f32));
            report.significant_edges += 1;
            report.evidence += ev;
        }
        kinds.push(report);
    }

    entries.par_sort_unstable_by_key(|e| e.0);
    let edges: Vec<FusedEdge> = entries
        .par_chunk_by(|x, y| x.0 == y.0)
        .map(|run| {
            let mut by_kind = vec![0.0f32; n_kinds];
            for &(_, k, ev) in run {
                // Mutual retweeting is one relation: keep the stronger direction.
                by_kind[k as usize] = by_kind[k as usize].max(ev);
            }
            FusedEdge {
                a: run[0].0 .0,
                b: run[0].0 .1,
                weight: by_kind.iter().map(|&x| x as f64).sum(),
                by_kind,
            }
        })
        .collect();
    let list: Vec<(u32, u32, f32)> = edges.iter().map(|e| (e.a, e.b, e.weight as f32)).collect();
    let graph = Graph::undirected(data.accounts.len(), &list);
    Ok(Fused {
        graph,
        edges,
        kinds,
        projections,
        retweets,
        sources,
    })
}

fn add_coaction(
    entries: &mut Vec<((u32, u32), u8, f32)>,
    edges: &[CoEdge],
    k: usize,
    alpha: f64,
) -> (usize, f64) {
    let mut count = 0;
    let mut total = 0.0;
    for e in edges.iter().filter(|e| e.p_value <= alpha) {
        let ev = evidence(e.p_value);
        entries.push(((e.a, e.b), k as u8, ev as f32));
        count += 1;
        total += ev;
    }
    (count, total)
}

/// P-value of each retweet edge under the configuration model: with `R` retweets in all, an
/// account that made `out_a` and one that received `in_b` are expected to form
/// `out_a * in_b / R` of them.
pub fn retweet_significance(rt: &RetweetGraph, accounts: usize) -> Vec<f64> {
    let mut made = vec![0u64; accounts];
    let mut received = vec![0u64; accounts];
    let mut total = 0u64;
    for e in &rt.edges {
        made[e.amplifier as usize] += e.retweets as u64;
        received[e.source as usize] += e.retweets as u64;
        total += e.retweets as u64;
    }
    rt.edges
        .par_iter()
        .map(|e| {
            let expected = made[e.amplifier as usize] as f64 * received[e.source as usize] as f64
                / total.max(1) as f64;
            poisson_upper_tail(e.retweets as u64, expected)
        })
        .collect()
}
