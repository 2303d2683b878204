//! From communities to clusters: the periphery trimmed, small groups dropped, and large
//! unflagged communities split where a coordinated group hides inside them.
//!
//! Modularity has a resolution limit: a sparse network (many accounts, a few actions each)
//! next to a large organic mass merges into it, and no single resolution suits every scale.
//! So communities are split by score: every unflagged community large enough is clustered again
//! on its own subgraph (where modularity's null is the community's, not the whole graph's), and
//! the split is kept only if one of its parts is flagged. Parts are tried again, a few levels
//! deep. Clusters that score high are never split: a flagged network stays whole. A large
//! cluster flagged only with members held to it by one event (`one_tie`) is an unflagged
//! community once they are out, and is split as one (`unflagged_by_trim`). A flagged cluster
//! that holds several operations barely tied to each other is split into them
//! (`split_merged`).

use super::DetectConfig;
use crate::communities::{leiden, LeidenConfig, Partition};
use crate::dataset::Dataset;
use crate::error::Result;
use crate::graphs::{Fused, Graph};
use crate::progress::Progress;
use crate::scoring::{parts, Activity, Background, Evidence, Parts, NO_CLUSTER};
use hashbrown::{HashMap, HashSet};
use rayon::prelude::*;

/// Levels of splitting at most.
const SPLIT_DEPTH: usize = 3;
/// A community is split only if it has this many times the minimum cluster size.
const SPLIT_MIN_FACTOR: usize = 4;
/// Leiden iterations on a candidate's subgraph. One iteration already gives connected,
/// well-separated parts; the second only polishes modularity (+0.2% on the 1.28M-tweet
/// collection), and a split is judged by its parts' scores, not by modularity. Outputs were
/// the same with two on the real data (CooRTweet's collection, both IRA slices) and the
/// generated collection, for a tenth of `detect`'s Leiden and splitting time.
const SPLIT_ITERATIONS: u32 = 1;

/// Each cluster's parts and evidence.
pub type Measured = Vec<(Parts, Evidence)>;

/// Each cluster's size, parts and evidence, by label.
type ByLabel = HashMap<u32, (usize, Parts, Evidence)>;

/// A labelling split by score, with what was measured of the clusters it forms, by label.
pub struct Split {
    membership: Vec<u32>,
    measured: ByLabel,
    /// The clusters `membership` forms, where already formed (when nothing was split).
    formed: Option<Formed>,
}

/// Each account's cluster, and each cluster's label (see [`form_labelled`]).
type Formed = (Vec<u32>, Vec<u32>);

impl Split {
    /// Each account's label.
    pub fn membership(&self) -> &[u32] {
        &self.membership
    }

    /// Its clusters: the periphery trimmed and small groups dropped. Returns each account's
    /// cluster (`0..clusters` or `NO_CLUSTER`), the number of clusters, and each cluster's
    /// parts and evidence as measured while splitting (`None` if any is missing).
    pub fn form(
        mut self,
        fused: &Fused,
        activity: &Activity,
        config: &DetectConfig,
    ) -> (Vec<u32>, usize, Option<Measured>) {
        let (cluster_of, label_of) = (self.formed.take())
            .unwrap_or_else(|| form_labelled(fused, activity, &self.membership, config));
        let measured = (label_of.iter())
            .map(|l| self.measured.remove(l).map(|(_, p, e)| (p, e)))
            .collect();
        (cluster_of, label_of.len(), measured)
    }
}

/// Clusters from a labelling (see [`Split::form`]), with each cluster's label in `membership`.
///
/// Only accounts that posted are members, as in an archive's operations: an account known only
/// as the source of members' retweets (its own posts are not in the data) is what the cluster
/// amplifies (`amplified_accounts`), not one of its drivers; taken as a member, a news outlet
/// retweeted once became the core of a flagged cluster. Such accounts are taken out after the
/// trim, whose shares count them: the amplifiers of a source outside the data stay together.
fn form_labelled(
    fused: &Fused,
    activity: &Activity,
    membership: &[u32],
    config: &DetectConfig,
) -> Formed {
    let mut labels = membership.to_vec();
    trim_periphery(fused, &mut labels, config.min_internal_share);
    for (l, &tweets) in labels.iter_mut().zip(&activity.tweets) {
        if tweets == 0 {
            *l = TRIMMED;
        }
    }
    keep_clusters(&labels, config.min_cluster_size)
}

/// Sizes, parts and evidence of the clusters a labelling forms, keyed by label; with `only`,
/// of those labels alone. A cluster's parts depend on its own members only, so they carry
/// over between levels (and to the final scoring), and each level measures just the new parts.
/// Returns the clusters formed too.
fn measure_by_label(
    data: &Dataset,
    activity: &Activity,
    fused: &Fused,
    membership: &[u32],
    only: Option<&HashMap<u32, u32>>,
    config: &DetectConfig,
    background: Background,
) -> Result<(Formed, ByLabel)> {
    let (cluster_of, label_of) = match only {
        None => form_labelled(fused, activity, membership, config),
        Some(only) => {
            let wanted: Vec<u32> = membership
                .iter()
                .map(|l| if only.contains_key(l) { *l } else { TRIMMED })
                .collect();
            form_labelled(fused, activity, &wanted, config)
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
        &config.elsewhere,
    )?;
    let measured = (measured.into_iter().enumerate())
        .map(|(c, (p, e))| (label_of[c], (sizes[c], p, e)))
        .collect();
    Ok(((cluster_of, label_of), measured))
}

/// Split unflagged communities where a flagged cluster hides inside, the labels in
/// `unflagged` taken as unflagged whatever they score; returns the new labels and what was
/// measured of the clusters they form.
#[allow(clippy::too_many_arguments)]
pub fn split_by_score(
    data: &Dataset,
    activity: &Activity,
    fused: &Fused,
    mut membership: Vec<u32>,
    config: &DetectConfig,
    background: Background,
    progress: &dyn Progress,
    unflagged: &HashSet<u32>,
) -> Result<Split> {
    let mut tried: HashSet<u32> = HashSet::new();
    let (formed, mut scores) =
        measure_by_label(data, activity, fused, &membership, None, config, background)?;
    let mut formed = Some(formed);
    progress.note(&format!("{} clusters scored", scores.len()));
    for _ in 0..SPLIT_DEPTH {
        let candidates: HashSet<u32> = scores
            .iter()
            .filter(|(l, (size, p, _))| {
                (p.score() < config.threshold || unflagged.contains(*l))
                    && *size >= SPLIT_MIN_FACTOR * config.min_cluster_size
                    && !tried.contains(*l)
            })
            .map(|(&l, _)| l)
            .collect();
        if candidates.is_empty() {
            break;
        }
        tried.extend(candidates.iter().copied());
        let (split, parent) = split_labels(
            fused,
            &membership,
            &candidates,
            config,
            config.leiden.resolution,
        )?;
        progress.note(&format!(
            "{} large unflagged communities clustered again: {} parts",
            candidates.len(),
            parent.len()
        ));
        let (_, after) = measure_by_label(
            data,
            activity,
            fused,
            &split,
            Some(&parent),
            config,
            background,
        )?;
        let keep: HashSet<u32> = after
            .iter()
            .filter(|(_, (_, p, _))| p.score() >= config.threshold)
            .map(|(label, _)| parent[label])
            .collect();
        progress.note(&format!(
            "{} parts scored; {} communities split where a part is flagged",
            after.len(),
            keep.len()
        ));
        if keep.is_empty() {
            break;
        }
        formed = None;
        for (l, new) in membership.iter_mut().zip(split) {
            if keep.contains(l) {
                *l = new;
            }
        }
        scores.retain(|l, _| !keep.contains(l));
        scores.extend(after.into_iter().filter(|(l, _)| keep.contains(&parent[l])));
    }
    Ok(Split {
        membership,
        measured: scores,
        formed,
    })
}

/// The labels (in `labels`, the split's) of `d`'s large flagged clusters that `trimmed`, the
/// same clusters with members held by one event taken out, leaves unflagged. Their flag was
/// those members': on the independent generator's combined collection (seed 34) a community
/// of 30,412 mostly ordinary accounts scored 0.400 with 12,103 of them, 0.384 without, and
/// hid six of the eight planted cells, since a flagged community is not clustered again.
pub(super) fn unflagged_by_trim(
    d: &super::Detection,
    trimmed: &super::Groups,
    labels: &[u32],
    config: &DetectConfig,
) -> HashSet<u32> {
    let Some(measured) = &trimmed.measured else {
        return HashSet::new();
    };
    let large = SPLIT_MIN_FACTOR * config.min_cluster_size;
    (trimmed.cluster_of.iter().zip(&d.cluster_of).zip(labels))
        .filter(|((&now, &was), _)| {
            // A member now was one before: the trim only takes members out.
            now != NO_CLUSTER
                && {
                    let was = &d.clusters[was as usize];
                    was.flagged && was.size >= large
                }
                && measured[now as usize].0.score() < config.threshold
        })
        .map(|(_, &l)| l)
        .collect()
}

/// A flagged cluster is split into operations only where its flagged parts keep this share
/// of its members (a split takes the flag from almost no one)...
const MERGED_KEEP: f64 = 0.9;
/// ... and the ties between its parts are at most this share of what chance gives them (the
/// configuration model on the cluster's own ties: an order of magnitude fewer). Measured:
/// operations merged by modularity, 0.000-0.002; the factions of one operation, 0.23-0.99.
const MERGED_CROSS: f64 = 0.1;

/// Flagged clusters that hold several operations, split into them. On a large graph
/// modularity merges small dense groups joined by a few ties (its resolution limit): on the
/// independent generator's combined collection (seed 42) a copy-paste operation, a slow one
/// and a cell (80, 63 and 10 accounts, 16 of 38,893 of the cluster's fused weight between
/// them) came out as one flagged cluster. Each large flagged cluster is clustered again on its
/// own subgraph at resolution 1 (the detect default, 2, leaves a near-clique's accounts apart,
/// since on its own subgraph every pair is as expected), and split where two or more parts
/// are flagged, keep [`MERGED_KEEP`] of its members, and are tied to each other
/// [`MERGED_CROSS`] as much as chance would tie them or less: one operation's factions (its
/// cores' amplifiers, say) are tied far more. Run on the collection's answer, once members
/// held by one event are out, which would fill the parts that are not flagged. Returns the
/// clusters with those split, as groups to assess; `None` if none is.
pub(super) fn split_merged(
    data: &Dataset,
    d: &super::Detection,
    config: &DetectConfig,
    background: Background,
) -> Result<Option<super::Groups>> {
    let large = SPLIT_MIN_FACTOR * config.min_cluster_size;
    let candidates: HashSet<u32> = (d.clusters.iter())
        .filter(|c| c.flagged && c.size >= large)
        .map(|c| c.id)
        .collect();
    if candidates.is_empty() {
        return Ok(None);
    }
    // The accounts in no cluster share one label past the clusters', never a candidate.
    let clusters = d.clusters.len();
    let labels: Vec<u32> = (d.cluster_of.iter())
        .map(|&c| if c == NO_CLUSTER { clusters as u32 } else { c })
        .collect();
    let (split, parent) = split_labels(&d.fused, &labels, &candidates, config, 1.0)?;
    // Parts tied apart first (one pass over the edges): measuring the parts is the cost, and
    // most flagged clusters are one operation, whose parts are tied as chance ties them.
    let apart = apart(&d.fused, &labels, &split, &candidates);
    let apart = |c: &u32| apart.get(c).is_some_and(|&r| r <= MERGED_CROSS);
    let parent: HashMap<u32, u32> = (parent.into_iter()).filter(|(_, c)| apart(c)).collect();
    if parent.is_empty() {
        return Ok(None);
    }
    let ((part_of, label_of), mut after) = measure_by_label(
        data,
        &d.activity,
        &d.fused,
        &split,
        Some(&parent),
        config,
        background,
    )?;
    let mut flagged: HashMap<u32, (usize, usize)> = HashMap::new();
    for (label, (size, p, _)) in &after {
        if p.score() >= config.threshold {
            let (parts, members) = flagged.entry(parent[label]).or_default();
            *parts += 1;
            *members += size;
        }
    }
    let keep: HashSet<u32> = (flagged.iter())
        .filter(|&(&c, &(parts, members))| {
            parts >= 2 && members as f64 >= MERGED_KEEP * d.clusters[c as usize].size as f64
        })
        .map(|(&c, _)| c)
        .collect();
    if keep.is_empty() {
        return Ok(None);
    }
    // The clusters not split keep their parts and evidence; a split one's formed parts take
    // its place, each as measured here.
    let mut measured: Measured = Vec::new();
    let mut new_of_old = vec![NO_CLUSTER; clusters];
    for c in (0..clusters).filter(|c| !keep.contains(&(*c as u32))) {
        new_of_old[c] = measured.len() as u32;
        let kept = &d.clusters[c];
        measured.push((kept.parts.clone(), kept.evidence.clone()));
    }
    let mut new_of_part = vec![NO_CLUSTER; label_of.len()];
    for (k, label) in label_of.iter().enumerate() {
        if keep.contains(&parent[label]) {
            new_of_part[k] = measured.len() as u32;
            let (_, p, e) = after.remove(label).expect("each part measured");
            measured.push((p, e));
        }
    }
    let cluster_of = (d.cluster_of.iter().zip(&part_of))
        .map(|(&c, &part)| match c {
            NO_CLUSTER => NO_CLUSTER,
            c if keep.contains(&c) && part != NO_CLUSTER => new_of_part[part as usize],
            c if keep.contains(&c) => NO_CLUSTER,
            c => new_of_old[c as usize],
        })
        .collect();
    Ok(Some(super::Groups {
        cluster_of,
        clusters: measured.len(),
        measured: Some(measured),
    }))
}

/// For each candidate (a label in `labels`), the fused weight between its parts (labels in
/// `split`) over what the configuration model on its own ties gives them:
/// `W (1 - Σ_p (vol_p / 2W)²)`, `W` the weight inside it and `vol_p` a part's degrees there.
fn apart(
    fused: &Fused,
    labels: &[u32],
    split: &[u32],
    candidates: &HashSet<u32>,
) -> HashMap<u32, f64> {
    let (mut inside, mut between) = (HashMap::<u32, f64>::new(), HashMap::<u32, f64>::new());
    let mut volume: HashMap<u32, (u32, f64)> = HashMap::new();
    for e in fused.edges.iter() {
        let (c, other) = (labels[e.a as usize], labels[e.b as usize]);
        if c != other || !candidates.contains(&c) {
            continue;
        }
        let w = e.weight();
        *inside.entry(c).or_default() += w;
        let (pa, pb) = (split[e.a as usize], split[e.b as usize]);
        for p in [pa, pb] {
            volume.entry(p).or_insert((c, 0.0)).1 += w;
        }
        if pa != pb {
            *between.entry(c).or_default() += w;
        }
    }
    let mut squares: HashMap<u32, f64> = HashMap::new();
    for (c, v) in volume.values() {
        *squares.entry(*c).or_default() += (v / (2.0 * inside[c])).powi(2);
    }
    (inside.iter())
        .map(|(&c, &w)| {
            let expected = w * (1.0 - squares[&c]);
            let between = between.get(&c).copied().unwrap_or(0.0);
            (
                c,
                if expected > 0.0 {
                    between / expected
                } else {
                    1.0
                },
            )
        })
        .collect()
}

/// Cluster each candidate community's own subgraph at `resolution`. Returns the new labelling (other
/// communities unchanged) and each new label's parent.
fn split_labels(
    fused: &Fused,
    membership: &[u32],
    candidates: &HashSet<u32>,
    config: &DetectConfig,
    resolution: f64,
) -> Result<(Vec<u32>, HashMap<u32, u32>)> {
    // Candidates in label order, and each label's place among them (labels are dense).
    let mut order: Vec<u32> = candidates.iter().copied().collect();
    order.sort_unstable();
    let next = membership.iter().copied().max().map_or(0, |m| m + 1);
    let mut slot = vec![u32::MAX; next as usize];
    for (i, &l) in order.iter().enumerate() {
        slot[l as usize] = i as u32;
    }
    let slot_of = |u: u32| slot[membership[u as usize] as usize];
    let mut local = vec![u32::MAX; membership.len()];
    let mut members: Vec<Vec<u32>> = vec![Vec::new(); order.len()];
    for u in 0..membership.len() as u32 {
        if let Some(m) = members.get_mut(slot_of(u) as usize) {
            local[u as usize] = m.len() as u32;
            m.push(u);
        }
    }
    // Each candidate's internal edges by index (4 bytes an edge: the candidates can hold most
    // of a collection's fused graph). Members are numbered in account order, so the edges come
    // out as `Graph::undirected_sorted` takes them, without a sorted copy.
    let mut edges: Vec<Vec<u32>> = vec![Vec::new(); order.len()];
    for (i, e) in fused.edges.iter().enumerate() {
        let k = slot_of(e.a);
        if k != u32::MAX && k == slot_of(e.b) {
            edges[k as usize].push(i as u32);
        }
    }
    // Candidates are clustered side by side: most are small, and Leiden on a small graph
    // keeps one core busy.
    let leiden_config = LeidenConfig {
        iterations: SPLIT_ITERATIONS,
        resolution,
        ..config.leiden.clone()
    };
    let partitions: Vec<Partition> = (members.par_iter().zip(edges))
        .map(|(m, inside)| {
            let g = Graph::undirected_sorted(m.len(), || {
                (fused.edges.at(&inside))
                    .map(|e| (local[e.a as usize], local[e.b as usize], e.weight() as f32))
            })?;
            drop(inside);
            leiden(&g, &leiden_config)
        })
        .collect::<Result<_>>()?;
    let mut next = next;
    let mut split = membership.to_vec();
    let mut parent = HashMap::new();
    for ((l, m), p) in order.iter().zip(&members).zip(partitions) {
        for (i, &u) in m.iter().enumerate() {
            split[u as usize] = next + p.membership[i];
        }
        for c in 0..p.communities as u32 {
            parent.insert(next + c, *l);
        }
        next += p.communities as u32;
    }
    Ok((split, parent))
}

/// Take out of their community the accounts with less than `min_share` of their fused
/// evidence inside it: an ordinary account that retweeted a network's post once is tied to it
/// by one edge and to everyone else by the rest. They get the label `u32::MAX - 1`, which
/// `keep_clusters` never keeps. Repeated until every account left meets the share: an
/// account tied mostly to those taken out falls below it in turn.
pub(super) fn trim_periphery(fused: &Fused, membership: &mut [u32], min_share: f64) {
    if min_share <= 0.0 {
        return;
    }
    let (strength, mut internal) = fused.strengths(membership, TRIMMED);
    let below = below_share(membership, strength, &internal, min_share);
    trim_rounds(fused, membership, strength, &mut internal, min_share, below);
}

/// The trim's rounds: those marked `out` leave their group (`TRIMMED`), the others lose their
/// ties inside to them from `internal`, and those it leaves below `min_share` of their
/// `strength` are out in turn, until no one is.
pub(super) fn trim_rounds(
    fused: &Fused,
    membership: &mut [u32],
    strength: &[f64],
    internal: &mut [f64],
    min_share: f64,
    mut out: Vec<bool>,
) {
    while out.contains(&true) {
        // What the others lose: their ties inside the group to those taken out now (a pass
        // over the edges that adds only where an end is taken out, not a new sum of all).
        let lost = fused.weight_where(|a, b| {
            (out[a as usize] || out[b as usize]) && membership[a as usize] == membership[b as usize]
        });
        for (u, c) in membership.iter_mut().enumerate() {
            internal[u] -= lost[u];
            if out[u] {
                *c = TRIMMED;
            }
        }
        out = below_share(membership, strength, internal, min_share);
    }
}

/// Accounts still in a group with less than `min_share` of their strength inside it.
fn below_share(
    membership: &[u32],
    strength: &[f64],
    internal: &[f64],
    min_share: f64,
) -> Vec<bool> {
    (0..membership.len())
        .map(|u| {
            membership[u] != TRIMMED && strength[u] > 0.0 && internal[u] < min_share * strength[u]
        })
        .collect()
}

pub(super) const TRIMMED: u32 = u32::MAX - 1;

/// Keep labels held by at least `min_size` accounts, numbered `0..` by first appearance;
/// others get `NO_CLUSTER`. Returns each account's cluster and each cluster's label.
pub(super) fn keep_clusters(membership: &[u32], min_size: usize) -> (Vec<u32>, Vec<u32>) {
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

/// Why each account of a collection that posted is in no cluster: it has no significant tie;
/// its ties all lead to accounts in no cluster (a group under the minimum cluster size, or
/// left out as well); too little of them lead into clusters (the trim's minimum internal
/// share); or enough do, but into clusters other than its own community's (a community split
/// or dropped), leaving too little inside that (the same trim).
pub fn left_out(d: &super::Detection, config: &DetectConfig) -> Vec<Option<&'static str>> {
    let cluster_of = &d.cluster_of;
    let clustered = |u: u32| cluster_of[u as usize] != NO_CLUSTER;
    let strength = d.fused.strength();
    let into_clusters = d.fused.weight_where(|a, b| clustered(a) || clustered(b));
    (0..cluster_of.len())
        .map(|u| {
            let posted = d.activity.tweets[u] > 0;
            (posted && !clustered(u as u32)).then(|| {
                let (all, into) = (strength[u], into_clusters[u]);
                if all <= 0.0 {
                    "no significant tie to another account"
                } else if into <= 0.0 {
                    "tied only to accounts in no cluster (a group under the minimum cluster \
                     size, or left out too)"
                } else if into < config.min_internal_share * all {
                    "too few of its ties lead into a cluster (under the minimum internal share)"
                } else {
                    "enough of its ties lead into clusters, but too few inside its own \
                     community (under the minimum internal share)"
                }
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graphs::fuse;
    use std::sync::Mutex;

    /// Notes, kept.
    struct Notes(Mutex<Vec<String>>);

    impl Progress for Notes {
        fn note(&self, what: &str) {
            self.0.lock().unwrap().push(what.to_string());
        }
    }

    /// The trim weighs ties by their evidence in full: a member tied to each of its cell far
    /// beyond chance (p near 1e-40) stays, though dozens of chance ties elsewhere (p near
    /// 0.003, each its own group) would outweigh it were each of its cell's ties counted at the
    /// fused weight's cap of 10; a member held by one such chance tie still goes.
    #[test]
    fn strong_ties_inside_outweigh_many_chance_ties_elsewhere() {
        let mut edges = Vec::new();
        for a in 0..5u32 {
            edges.extend((a + 1..5).map(|b| (a, b, 40.0)));
        }
        edges.extend((100..130).map(|b| (0, b, 2.5)));
        edges.push((1, 5, 2.5));
        edges.extend((130..140).map(|b| (5, b, 2.5)));
        let fused = Fused::of_edges(140, edges);
        let mut labels: Vec<u32> = (0..140).map(|u| if u < 6 { 0 } else { u }).collect();
        trim_periphery(
            &fused,
            &mut labels,
            DetectConfig::default().min_internal_share,
        );
        assert_eq!(&labels[..6], &[0, 0, 0, 0, 0, TRIMMED]);
        // At the cap, account 0's cell would be 4 x 10 of its 4 x 10 + 30 x 2.5: under 0.4.
        assert!(40.0 / (40.0 + 75.0) < DetectConfig::default().min_internal_share);
    }

    /// What splitting by score measured of the clusters it forms is what measuring them afresh
    /// gives, whether a split was kept (resolution 1 on the generated collection: the sparse
    /// network hides in an organic community) or not (the default, 2).
    /// Every clustered account keeps at least `min_internal_share` of its fused evidence inside
    /// its cluster, as accounts.csv shows: trimming one account can take another below it.
    #[test]
    fn every_clustered_account_keeps_the_minimum_internal_share() {
        let dir = tempfile::tempdir().unwrap();
        let data = crate::synth::generated_dataset(100_000, dir.path());
        let config = DetectConfig::default();
        let fused = fuse(&data, &config.fusion, &crate::progress::Silent).unwrap();
        let partition = leiden(&fused.graph().unwrap(), &config.leiden).unwrap();
        let once = {
            let mut labels = partition.membership.clone();
            let (strength, internal) = fused.strengths(&labels, TRIMMED);
            for (u, c) in labels.iter_mut().enumerate() {
                if strength[u] > 0.0 && internal[u] < config.min_internal_share * strength[u] {
                    *c = TRIMMED;
                }
            }
            keep_clusters(&labels, config.min_cluster_size).0
        };
        let (cluster_of, _) =
            form_labelled(&fused, &Activity::of(&data), &partition.membership, &config);
        let below = |cluster_of: &[u32]| {
            let (strength, internal) = fused.strengths(cluster_of, NO_CLUSTER);
            (0..cluster_of.len())
                .filter(|&u| cluster_of[u] != NO_CLUSTER)
                .filter(|&u| internal[u] < config.min_internal_share * strength[u] - 1e-9)
                .count()
        };
        // One pass leaves some below the share (the case this guards against), the trim none.
        assert!(below(&once) > 0);
        assert_eq!(below(&cluster_of), 0);
        assert!(cluster_of.iter().filter(|&&c| c != NO_CLUSTER).count() > 100);
    }

    #[test]
    fn clusters_measured_while_splitting_are_those_measured_afresh() {
        let dir = tempfile::tempdir().unwrap();
        let data = crate::synth::generated_dataset(100_000, dir.path());
        let activity = Activity::of(&data);
        let mut splits_kept = Vec::new();
        for resolution in [1.0, 2.0] {
            let config = DetectConfig {
                leiden: LeidenConfig {
                    resolution,
                    ..DetectConfig::default().leiden
                },
                ..DetectConfig::default()
            };
            let fused = fuse(&data, &config.fusion, &crate::progress::Silent).unwrap();
            let partition = leiden(&fused.graph().unwrap(), &config.leiden).unwrap();
            let notes = Notes(Mutex::new(Vec::new()));
            let background = Background::Data;
            let membership = partition.membership;
            let split = split_by_score(
                &data,
                &activity,
                &fused,
                membership,
                &config,
                background,
                &notes,
                &HashSet::new(),
            )
            .unwrap();
            let kept: usize = (notes.0.lock().unwrap().iter())
                .filter_map(|n| {
                    n.split("; ")
                        .nth(1)?
                        .split(" ")
                        .next()?
                        .parse::<usize>()
                        .ok()
                })
                .sum();
            splits_kept.push(kept);
            let (cluster_of, clusters, measured) = split.form(&fused, &activity, &config);
            let measured = measured.expect("every cluster was measured while splitting");
            let mut sizes = vec![0; clusters];
            for &c in cluster_of.iter().filter(|&&c| c != NO_CLUSTER) {
                sizes[c as usize] += 1;
            }
            let seed = config.leiden.seed;
            let fresh = parts::measure(
                &data,
                &activity,
                &fused,
                &cluster_of,
                clusters,
                &sizes,
                seed,
                background,
                &config.elsewhere,
            )
            .unwrap();
            assert!(clusters > 5);
            for (c, ((p, e), (fresh_p, fresh_e))) in measured.iter().zip(&fresh).enumerate() {
                assert_eq!(p, fresh_p, "cluster {c} at resolution {resolution}");
                assert_eq!(format!("{e:?}"), format!("{fresh_e:?}"));
            }
        }
        assert!(splits_kept[0] > 0, "no split kept at resolution 1");
        assert_eq!(splits_kept[1], 0, "a split kept at resolution 2");
    }
}
