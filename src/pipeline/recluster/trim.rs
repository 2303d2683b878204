//! The periphery trim (accounts with too little of their evidence inside their community
//! leave it), the groups kept as clusters, and why an account is in none.

use super::*;

/// Take out of their community the accounts with less than `min_share` of their fused
/// evidence inside it: an ordinary account that retweeted a network's post once is tied to it
/// by one edge and to everyone else by the rest. They get the label `u32::MAX - 1`, which
/// `keep_clusters` never keeps. Repeated until every account left meets the share: an
/// account tied mostly to those taken out falls below it in turn.
pub(in crate::pipeline) fn trim_periphery(fused: &Fused, membership: &mut [u32], min_share: f64) {
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
pub(in crate::pipeline) fn trim_rounds(
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

pub(in crate::pipeline) const TRIMMED: u32 = u32::MAX - 1;

/// Keep labels held by at least `min_size` accounts, numbered `0..` by first appearance;
/// others get `NO_CLUSTER`. Returns each account's cluster and each cluster's label.
pub(in crate::pipeline) fn keep_clusters(
    membership: &[u32],
    min_size: usize,
) -> (Vec<u32>, Vec<u32>) {
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
pub fn left_out(
    d: &crate::pipeline::Detection,
    config: &DetectConfig,
) -> Vec<Option<&'static str>> {
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
}
