//! Flagged clusters that hold several operations, split into them ([`split_merged`]).

use super::*;

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
pub(in crate::pipeline) fn split_merged(
    data: &Dataset,
    d: &crate::pipeline::Detection,
    config: &DetectConfig,
    background: Background,
) -> Result<Option<crate::pipeline::Groups>> {
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
    Ok(Some(crate::pipeline::Groups {
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
