//! From communities to clusters: the periphery trimmed, small groups dropped, and large
//! unflagged communities split where a coordinated group hides inside them.
//!
//! Modularity has a resolution limit: a sparse network (many accounts, a few actions each)
//! next to a large organic mass merges into it, and no single resolution suits every scale.
//! So communities are split by score: every unflagged community large enough is clustered again
//! on its own subgraph (where modularity's null is the community's, not the whole graph's), and
//! the split is kept only if one of its parts is flagged. Parts are tried again, a few levels
//! deep. Clusters that score high are never split: a flagged network stays whole.

use super::DetectConfig;
use crate::communities::leiden;
use crate::dataset::Dataset;
use crate::error::Result;
use crate::graphs::{Fused, Graph};
use crate::scoring::{parts, Activity, Background, NO_CLUSTER};
use hashbrown::{HashMap, HashSet};

/// Levels of splitting at most.
const SPLIT_DEPTH: usize = 3;
/// A community is split only if it has this many times the minimum cluster size.
const SPLIT_MIN_FACTOR: usize = 4;

/// Clusters from a labelling: the periphery trimmed and small groups dropped. Returns each
/// account's cluster (`0..clusters` or `NO_CLUSTER`) and the number of clusters.
pub fn form(fused: &Fused, membership: &[u32], config: &DetectConfig) -> (Vec<u32>, usize) {
    let (cluster_of, label_of) = form_labelled(fused, membership, config);
    (cluster_of, label_of.len())
}

/// [`form`], also returning each cluster's label in `membership`.
fn form_labelled(fused: &Fused, membership: &[u32], config: &DetectConfig) -> (Vec<u32>, Vec<u32>) {
    let mut labels = membership.to_vec();
    trim_periphery(fused, &mut labels, config.min_internal_share);
    keep_clusters(&labels, config.min_cluster_size)
}

/// Scores of the clusters a labelling forms, keyed by label; with `only`, of those labels
/// alone. A cluster's score depends on its own members only, so scores carry over between
/// levels and each level measures just the new parts.
fn scores_by_label(
    data: &Dataset,
    activity: &Activity,
    fused: &Fused,
    membership: &[u32],
    only: Option<&HashMap<u32, u32>>,
    config: &DetectConfig,
    background: Background,
) -> HashMap<u32, (usize, f64)> {
    let (cluster_of, label_of) = match only {
        None => form_labelled(fused, membership, config),
        Some(only) => {
            let wanted: Vec<u32> = membership
                .iter()
                .map(|l| if only.contains_key(l) { *l } else { TRIMMED })
                .collect();
            form_labelled(fused, &wanted, config)
        }
    };
    let mut sizes = vec![0usize; label_of.len()];
    for &c in cluster_of.iter().filter(|&&c| c != NO_CLUSTER) {
        sizes[c as usize] += 1;
    }
    let measured = parts::measure(
        data,
        activity,
        fused,
        &cluster_of,
        label_of.len(),
        &sizes,
        config.leiden.seed,
        background,
    );
    measured
        .iter()
        .enumerate()
        .map(|(c, (p, _))| (label_of[c], (sizes[c], p.score())))
        .collect()
}

/// Split unflagged communities where a flagged cluster hides inside; returns the new labels.
pub fn split_by_score(
    data: &Dataset,
    fused: &Fused,
    mut membership: Vec<u32>,
    config: &DetectConfig,
    background: Background,
) -> Result<Vec<u32>> {
    let activity = Activity::of(data);
    let mut tried: HashSet<u32> = HashSet::new();
    let mut scores = scores_by_label(
        data,
        &activity,
        fused,
        &membership,
        None,
        config,
        background,
    );
    for _ in 0..SPLIT_DEPTH {
        let candidates: HashSet<u32> = scores
            .iter()
            .filter(|(l, &(size, s))| {
                s < config.threshold
                    && size >= SPLIT_MIN_FACTOR * config.min_cluster_size
                    && !tried.contains(*l)
            })
            .map(|(&l, _)| l)
            .collect();
        if candidates.is_empty() {
            break;
        }
        tried.extend(candidates.iter().copied());
        let (split, parent) = split_labels(fused, &membership, &candidates, config)?;
        let after = scores_by_label(
            data,
            &activity,
            fused,
            &split,
            Some(&parent),
            config,
            background,
        );
        let keep: HashSet<u32> = after
            .iter()
            .filter(|(_, &(_, s))| s >= config.threshold)
            .map(|(label, _)| parent[label])
            .collect();
        if keep.is_empty() {
            break;
        }
        for (l, new) in membership.iter_mut().zip(split) {
            if keep.contains(l) {
                *l = new;
            }
        }
        scores.retain(|l, _| !keep.contains(l));
        scores.extend(after.into_iter().filter(|(l, _)| keep.contains(&parent[l])));
    }
    Ok(membership)
}

/// Cluster each candidate community's own subgraph. Returns the new labelling (other
/// communities unchanged) and each new label's parent.
fn split_labels(
    fused: &Fused,
    membership: &[u32],
    candidates: &HashSet<u32>,
    config: &DetectConfig,
) -> Result<(Vec<u32>, HashMap<u32, u32>)> {
    let mut local = vec![u32::MAX; membership.len()];
    let mut members: HashMap<u32, Vec<u32>> = HashMap::new();
    for (u, l) in membership.iter().enumerate() {
        if candidates.contains(l) {
            let m = members.entry(*l).or_default();
            local[u] = m.len() as u32;
            m.push(u as u32);
        }
    }
    // Each candidate's internal edges by index (4 bytes an edge: the candidates can hold most
    // of a collection's fused graph). Members are numbered in account order, so the edges come
    // out as `Graph::undirected_sorted` takes them, without a sorted copy.
    let mut edges: HashMap<u32, Vec<u32>> = HashMap::new();
    for (i, e) in fused.edges.iter().enumerate() {
        let l = membership[e.a as usize];
        if l == membership[e.b as usize] && candidates.contains(&l) {
            edges.entry(l).or_default().push(i as u32);
        }
    }
    let mut next = membership.iter().copied().max().map_or(0, |m| m + 1);
    let mut split = membership.to_vec();
    let mut parent = HashMap::new();
    let mut order: Vec<u32> = candidates.iter().copied().collect();
    order.sort_unstable();
    for l in order {
        let m = &members[&l];
        let inside = edges.remove(&l).unwrap_or_default();
        let g = Graph::undirected_sorted(m.len(), || {
            (fused.edges.at(&inside))
                .map(|e| (local[e.a as usize], local[e.b as usize], e.weight() as f32))
        })?;
        drop(inside);
        let p = leiden(&g, &config.leiden)?;
        for (i, &u) in m.iter().enumerate() {
            split[u as usize] = next + p.membership[i];
        }
        for c in 0..p.communities as u32 {
            parent.insert(next + c, l);
        }
        next += p.communities as u32;
    }
    Ok((split, parent))
}

/// Take out of their community the accounts with less than `min_share` of their fused
/// evidence inside it: an ordinary account that retweeted a network's post once is tied to it
/// by one edge and to everyone else by the rest. They get the label `u32::MAX - 1`, which
/// `keep_clusters` never keeps.
fn trim_periphery(fused: &Fused, membership: &mut [u32], min_share: f64) {
    if min_share <= 0.0 {
        return;
    }
    let (strength, internal) = fused.strengths(membership, TRIMMED);
    for (u, c) in membership.iter_mut().enumerate() {
        if strength[u] > 0.0 && internal[u] < min_share * strength[u] {
            *c = TRIMMED;
        }
    }
}

const TRIMMED: u32 = u32::MAX - 1;

/// Keep labels held by at least `min_size` accounts, numbered `0..` by first appearance;
/// others get `NO_CLUSTER`. Returns each account's cluster and each cluster's label.
fn keep_clusters(membership: &[u32], min_size: usize) -> (Vec<u32>, Vec<u32>) {
    let mut size: HashMap<u32, usize> = HashMap::new();
    for &l in membership {
        *size.entry(l).or_default() += 1;
    }
    let mut id: HashMap<u32, u32> = HashMap::new();
    let mut label_of = Vec::new();
    let cluster_of = membership
        .iter()
        .map(|&l| {
            if l == TRIMMED || size[&l] < min_size.max(2) {
                return NO_CLUSTER;
            }
            *id.entry(l).or_insert_with(|| {
                label_of.push(l);
                label_of.len() as u32 - 1
            })
        })
        .collect();
    (cluster_of, label_of)
}
