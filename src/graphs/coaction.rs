//! Co-action projection: account pairs that acted on the same item within a time window.
//!
//! Each item's actions are in time order, so pairing is a sliding window: action `i` pairs
//! with the later actions `j` of the same item while `t[j] - t[i] <= window`. Nothing outside
//! the window is ever paired, which is what keeps a viral item (k actions, k(k-1)/2 pairs
//! without a window) affordable. Within the window, an action pairs with at most
//! `max_neighbors` later actions (the nearest in time); pairs a cap leaves out are counted.
//!
//! Pairs are aggregated per thread into hash maps keyed by account pair and merged, so memory
//! grows with the number of edges, not the number of pairs.

use super::actions::Actions;
use super::significance::{poisson_upper_tail, z_from_p, Fixed};
use super::CoactionKind;
use crate::dataset::{Dataset, NO_TWEET};
use crate::error::{Error, Result};
use crate::ingest::TimeResolution;
use hashbrown::HashMap;
use rayon::prelude::*;
use std::sync::atomic::{AtomicU64, Ordering};

/// How to project actions onto account pairs.
#[derive(Clone, Debug)]
pub struct CoactionOptions {
    /// Two actions on the same item pair up only if at most this far apart; `None` pairs every
    /// two actions on an item, however far apart.
    pub window_ms: Option<i64>,
    /// Accounts with fewer actions of this kind take no part (CooRTweet's `min_participation`).
    pub min_participation: u32,
    /// Edges with fewer co-action pairs are dropped.
    pub min_pairs: u32,
    /// Each action pairs with at most this many later actions of its item inside the window.
    pub max_neighbors: u32,
    /// Also apply CooRTweet's second participation filter: keep an edge only if one of its
    /// accounts has at least `min_participation` actions that were paired.
    pub coortweet_participation: bool,
}

impl Default for CoactionOptions {
    fn default() -> CoactionOptions {
        CoactionOptions {
            window_ms: Some(60_000),
            min_participation: 2,
            min_pairs: 1,
            max_neighbors: 1000,
            coortweet_participation: false,
        }
    }
}

/// One undirected co-action edge, `a < b`, with the evidence behind it.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct CoEdge {
    pub a: u32,
    pub b: u32,
    /// Co-action pairs within the window (CooRTweet's edge weight).
    pub pairs: u32,
    /// Distinct items the two acted on within the window.
    pub items: u32,
    pub min_delay_ms: i64,
    pub mean_delay_ms: f64,
    /// Sum over shared items of the item's inverse document frequency, ln(accounts / actors).
    pub idf_weight: f64,
    /// Cosine of the two accounts' TF-IDF item vectors, over the items shared in the window.
    pub cosine: f64,
    /// Pairs expected if accounts were shuffled over the same action slots (degrees kept).
    pub expected_pairs: f64,
    /// The normal z-score with the same tail probability as `p_value`.
    pub z: f64,
    /// Probability of at least `pairs` under the shuffled null (Poisson tail).
    pub p_value: f64,
    /// The first item group (in `Actions`) behind the edge, for showing evidence.
    pub exemplar_group: u32,
}

/// What a projection did, for the run summary.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct ProjectionReport {
    pub actions: usize,
    pub accounts: usize,
    pub accounts_below_min_participation: usize,
    pub items: usize,
    /// Pairs of actions formed (within the window, after the cap).
    pub pairs: u64,
    /// In-window pairs the neighbour cap left out, and the items where it did.
    pub pairs_capped: u64,
    pub items_capped: usize,
    pub edges_before_filters: usize,
    pub edges_below_min_pairs: usize,
    pub edges_below_participation: usize,
    pub edges: usize,
}

/// A projected co-action graph.
#[derive(Debug)]
pub struct Projection {
    pub kind: CoactionKind,
    pub window_ms: Option<i64>,
    pub edges: Vec<CoEdge>,
    pub report: ProjectionReport,
    pub actions: Actions,
}

#[derive(Clone, Copy)]
struct Acc {
    pairs: u32,
    items: u32,
    last_group: u32,
    first_group: u32,
    min_delay: i64,
    delay_sum: i64,
    dot: Fixed,
    idf: Fixed,
}

/// Refuse windows the data's timestamps cannot resolve.
pub fn check_window(actions: &Actions, window_ms: Option<i64>) -> Result<()> {
    let Some(w) = window_ms else { return Ok(()) };
    let res = actions.coarsest;
    if w >= res.millis() {
        return Ok(());
    }
    let unit = match res {
        TimeResolution::Millisecond => "millisecond",
        TimeResolution::Second => "second",
        TimeResolution::Minute => "minute",
        TimeResolution::Day => "day",
    };
    let which = if actions.coarse_actions > 0 {
        format!("{} actions", actions.coarse_actions)
    } else {
        "the actions".to_string()
    };
    Err(Error::config(format!(
        "a window of {} is shorter than the time resolution of the data: {which} only say \
         which {unit} they happened in (no snowflake tweet ids to refine them); use --window {} \
         or longer",
        super::format_duration(w),
        super::format_duration(res.millis()),
    )))
}

/// Project `actions` (collected from `data`) onto account pairs.
pub fn project(data: &Dataset, mut actions: Actions, opts: &CoactionOptions) -> Result<Projection> {
    let kind = actions.kind.expect("actions are collected for a kind");
    let accounts = data.accounts.len();
    check_window(&actions, opts.window_ms)?;
    let mut report = ProjectionReport::default();
    let per_account = actions.per_account(accounts);
    let active_before = per_account.iter().filter(|&&n| n > 0).count();
    if opts.min_participation > 1 {
        let m = opts.min_participation;
        actions.retain_accounts(|a| per_account[a as usize] >= m);
    }
    let degree = actions.per_account(accounts);
    report.actions = actions.len();
    report.accounts = degree.iter().filter(|&&n| n > 0).count();
    report.accounts_below_min_participation = active_before - report.accounts;
    report.items = actions.groups();

    let weights = ItemWeights::new(&actions, &degree, report.accounts);
    let window = opts.window_ms.unwrap_or(i64::MAX);
    let cap = opts.max_neighbors.max(1) as usize;
    let paired: Vec<AtomicU64> = (0..actions.len().div_ceil(64))
        .map(|_| AtomicU64::new(0))
        .collect();

    struct Local {
        map: HashMap<u64, Acc>,
        pairs: u64,
        slot_pairs: u64,
        capped: u64,
        items_capped: usize,
    }
    let local = (0..actions.groups())
        .into_par_iter()
        .with_min_len(256)
        .fold(
            || Local {
                map: HashMap::new(),
                pairs: 0,
                slot_pairs: 0,
                capped: 0,
                items_capped: 0,
            },
            |mut l, g| {
                let range = actions.group(g);
                if range.len() < 2 {
                    return l;
                }
                let acc = &actions.account[range.clone()];
                let t = &actions.time_ms[range.clone()];
                let tf = ItemWeights::counts(acc);
                let idf = weights.idf[g];
                let mut hi = 0;
                let mut capped_here = 0u64;
                for i in 0..acc.len() {
                    hi = hi.max(i + 1);
                    while hi < acc.len() && t[hi] - t[i] <= window {
                        hi += 1;
                    }
                    let limit = hi.min(i + 1 + cap);
                    capped_here += (hi - limit) as u64;
                    l.slot_pairs += (limit - i - 1) as u64;
                    for j in i + 1..limit {
                        let (x, y) = (acc[i], acc[j]);
                        if x == y {
                            continue;
                        }
                        mark(&paired, range.start + i);
                        mark(&paired, range.start + j);
                        l.pairs += 1;
                        let key = pair_key(x, y);
                        let delay = t[j] - t[i];
                        let e = l.map.entry(key).or_insert(Acc {
                            pairs: 0,
                            items: 0,
                            last_group: u32::MAX,
                            first_group: g as u32,
                            min_delay: i64::MAX,
                            delay_sum: 0,
                            dot: Fixed::ZERO,
                            idf: Fixed::ZERO,
                        });
                        e.pairs += 1;
                        e.delay_sum += delay;
                        e.min_delay = e.min_delay.min(delay);
                        e.first_group = e.first_group.min(g as u32);
                        if e.last_group != g as u32 {
                            e.last_group = g as u32;
                            e.items += 1;
                            e.idf += Fixed::from(idf);
                            let wx = weights.tf_idf(&tf, x, idf);
                            let wy = weights.tf_idf(&tf, y, idf);
                            e.dot += Fixed::from(wx * wy);
                        }
                    }
                }
                if capped_here > 0 {
                    l.capped += capped_here;
                    l.items_capped += 1;
                }
                l
            },
        )
        .reduce_with(|mut a, mut b| {
            if a.map.len() < b.map.len() {
                std::mem::swap(&mut a, &mut b);
            }
            for (k, v) in b.map {
                a.map
                    .entry(k)
                    .and_modify(|e| {
                        e.pairs += v.pairs;
                        e.items += v.items;
                        e.delay_sum += v.delay_sum;
                        e.min_delay = e.min_delay.min(v.min_delay);
                        e.first_group = e.first_group.min(v.first_group);
                        e.dot += v.dot;
                        e.idf += v.idf;
                    })
                    .or_insert(v);
            }
            a.pairs += b.pairs;
            a.slot_pairs += b.slot_pairs;
            a.capped += b.capped;
            a.items_capped += b.items_capped;
            a
        });
    let Some(local) = local else {
        return Ok(Projection {
            kind,
            window_ms: opts.window_ms,
            edges: Vec::new(),
            report,
            actions,
        });
    };
    report.pairs = local.pairs;
    report.pairs_capped = local.capped;
    report.items_capped = local.items_capped;
    report.edges_before_filters = local.map.len();

    let qualifies = if opts.coortweet_participation {
        Some(paired_participation(
            data,
            &actions,
            &paired,
            opts.min_participation,
        ))
    } else {
        None
    };
    // Expected pairs of (a, b) when accounts are shuffled over the fixed action slots:
    // 2 * slot_pairs * k_a * k_b / (M (M - 1)).
    let m = actions.len() as f64;
    let null_scale = if m > 1.0 {
        2.0 * local.slot_pairs as f64 / (m * (m - 1.0))
    } else {
        0.0
    };
    let all: Vec<(u64, Acc)> = local.map.into_iter().collect();
    let keep_accounts = |key: u64| match &qualifies {
        Some(q) => q[(key >> 32) as usize] || q[key as u32 as usize],
        None => true,
    };
    report.edges_below_min_pairs = all.iter().filter(|(_, e)| e.pairs < opts.min_pairs).count();
    report.edges_below_participation = all
        .iter()
        .filter(|(k, e)| e.pairs >= opts.min_pairs && !keep_accounts(*k))
        .count();
    let mut edges: Vec<CoEdge> = all
        .into_par_iter()
        .filter(|(k, e)| e.pairs >= opts.min_pairs && keep_accounts(*k))
        .map(|(key, e)| {
            let (a, b) = ((key >> 32) as u32, key as u32);
            let expected = null_scale * degree[a as usize] as f64 * degree[b as usize] as f64;
            let norm = weights.norm[a as usize] * weights.norm[b as usize];
            let p_value = poisson_upper_tail(e.pairs as u64, expected);
            CoEdge {
                a,
                b,
                pairs: e.pairs,
                items: e.items,
                min_delay_ms: e.min_delay,
                mean_delay_ms: e.delay_sum as f64 / e.pairs as f64,
                idf_weight: e.idf.get(),
                cosine: if norm > 0.0 {
                    (e.dot.get() / norm).min(1.0)
                } else {
                    0.0
                },
                expected_pairs: expected,
                z: z_from_p(p_value),
                p_value,
                exemplar_group: e.first_group,
            }
        })
        .collect();
    edges.par_sort_unstable_by_key(|e| (e.a, e.b));
    report.edges = edges.len();
    Ok(Projection {
        kind,
        window_ms: opts.window_ms,
        edges,
        report,
        actions,
    })
}

fn pair_key(x: u32, y: u32) -> u64 {
    let (a, b) = if x < y { (x, y) } else { (y, x) };
    ((a as u64) << 32) | b as u64
}

fn mark(bits: &[AtomicU64], i: usize) {
    bits[i / 64].fetch_or(1 << (i % 64), Ordering::Relaxed);
}

fn is_marked(bits: &[AtomicU64], i: usize) -> bool {
    bits[i / 64].load(Ordering::Relaxed) & (1 << (i % 64)) != 0
}

/// CooRTweet's refined participation: an account qualifies if at least `min` of its actions
/// are shares whose content id took part in some pair (content ids compared by value, as
/// CooRTweet does, so a reused content id counts wherever it appears).
fn paired_participation(
    data: &Dataset,
    actions: &Actions,
    paired: &[AtomicU64],
    min: u32,
) -> Vec<bool> {
    let content = |i: usize| {
        let row = actions.row[i] as usize;
        match data.tweet_id[row] {
            NO_TWEET => u64::MAX - row as u64,
            id => id,
        }
    };
    let paired_content: hashbrown::HashSet<u64> = (0..actions.len())
        .filter(|&i| is_marked(paired, i))
        .map(content)
        .collect();
    let mut n = vec![0u32; data.accounts.len()];
    for i in 0..actions.len() {
        if paired_content.contains(&content(i)) {
            n[actions.account[i] as usize] += 1;
        }
    }
    n.into_iter().map(|c| c >= min.max(1)).collect()
}

/// Per-item inverse document frequencies and per-account TF-IDF norms.
struct ItemWeights {
    idf: Vec<f64>,
    norm: Vec<f64>,
}

impl ItemWeights {
    fn new(actions: &Actions, degree: &[u32], accounts: usize) -> ItemWeights {
        let n = accounts.max(1) as f64;
        let mut norm_sq = vec![0.0f64; degree.len()];
        let mut idf = Vec::with_capacity(actions.groups());
        for g in 0..actions.groups() {
            let tf = ItemWeights::counts(&actions.account[actions.group(g)]);
            let w = (n / tf.len() as f64).ln();
            idf.push(w);
            for &(a, c) in &tf {
                let x = (1.0 + (c as f64).ln()) * w;
                norm_sq[a as usize] += x * x;
            }
        }
        ItemWeights {
            idf,
            norm: norm_sq.into_iter().map(f64::sqrt).collect(),
        }
    }

    /// (account, actions on this item), sorted by account.
    fn counts(acc: &[u32]) -> Vec<(u32, u32)> {
        let mut v = acc.to_vec();
        v.sort_unstable();
        let mut out: Vec<(u32, u32)> = Vec::new();
        for a in v {
            match out.last_mut() {
                Some((b, c)) if *b == a => *c += 1,
                _ => out.push((a, 1)),
            }
        }
        out
    }

    fn tf_idf(&self, tf: &[(u32, u32)], a: u32, idf: f64) -> f64 {
        let c = tf
            .binary_search_by_key(&a, |&(x, _)| x)
            .map_or(1, |i| tf[i].1);
        (1.0 + (c as f64).ln()) * idf
    }
}
