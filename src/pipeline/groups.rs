//! Groups made clusters: each measured, scored, given its members' roles and explained
//! ([`assess`] for groups given from outside, as `coordnet score` has them).

use super::*;

/// Score given groups of accounts: `cluster_of[account]` is a group in `0..clusters` or
/// `NO_CLUSTER`. Parts, roles and profiles as `detect` computes them; groups are renumbered by
/// score, highest first.
pub fn assess(
    data: &Dataset,
    fused: Fused,
    cluster_of: Vec<u32>,
    clusters: usize,
    config: &DetectConfig,
    background: Background,
) -> Result<Detection> {
    check_groups(data, &cluster_of, Some(clusters))?;
    let groups = Groups {
        cluster_of,
        clusters,
        measured: None,
    };
    let activity = config.elsewhere.activity(data)?;
    assess_groups(data, activity, fused, groups, config, background)
}

/// Given groups fit the data: one entry per account, each a group below `clusters` (when
/// known) or `NO_CLUSTER`.
pub(super) fn check_groups(
    data: &Dataset,
    cluster_of: &[u32],
    clusters: Option<usize>,
) -> Result<()> {
    let accounts = data.accounts.len();
    if cluster_of.len() != accounts {
        return Err(Error::config(format!(
            "cluster_of has {} entries for the dataset's {accounts} accounts: give one per \
             account, NO_CLUSTER for those in no group",
            cluster_of.len()
        )));
    }
    let beyond = |g: u32| g != NO_CLUSTER && clusters.is_some_and(|c| g as usize >= c);
    if let Some((a, &g)) = cluster_of.iter().enumerate().find(|&(_, &g)| beyond(g)) {
        return Err(Error::config(format!(
            "cluster_of puts account {} in group {g}, beyond the {} groups given: number \
             groups from 0, or raise `clusters`",
            data.accounts.key(a as u32),
            clusters.unwrap_or_default()
        )));
    }
    Ok(())
}

/// Groups to assess, with their parts and evidence where already measured.
pub(super) struct Groups {
    pub(super) cluster_of: Vec<u32>,
    pub(super) clusters: usize,
    pub(super) measured: Option<recluster::Measured>,
}

pub(super) fn assess_groups(
    data: &Dataset,
    activity: Activity,
    fused: Fused,
    groups: Groups,
    config: &DetectConfig,
    background: Background,
) -> Result<Detection> {
    let Groups {
        mut cluster_of,
        clusters,
        measured,
    } = groups;
    let sizes = sizes(&cluster_of, clusters);
    let measured = match measured {
        Some(m) => m,
        None => parts::measure(
            data,
            &activity,
            &fused,
            &cluster_of,
            clusters,
            &sizes,
            config.leiden.seed,
            background,
            &config.elsewhere,
        )?,
    };
    let rows = (config.elsewhere).report(data, &fused.sources, &cluster_of, clusters)?;
    let amp = rows.amplification.finish();
    let profiles = rows.profiles.finish(data, &activity, &cluster_of);
    let roles: Vec<(Role, f64)> = (0..data.accounts.len())
        .map(|u| {
            if cluster_of[u] == NO_CLUSTER {
                (Role::Other, 0.0)
            } else {
                roles::role(&activity, &amp, u)
            }
        })
        .collect();
    let mut counts = vec![[0usize; 3]; clusters];
    for (u, &c) in cluster_of.iter().enumerate() {
        if c != NO_CLUSTER {
            counts[c as usize][roles[u].0 as usize] += 1;
        }
    }
    let mut out: Vec<Cluster> = measured
        .into_iter()
        .zip(profiles)
        .enumerate()
        .map(|(c, ((parts, evidence), profile))| {
            let score = parts.score();
            let [n_core, n_amplifier, n_other] = counts[c];
            let mut cluster = Cluster {
                id: c as u32,
                size: sizes[c],
                n_core,
                n_amplifier,
                n_other,
                score,
                flagged: score >= config.threshold,
                parts,
                evidence,
                profile,
                explanation: String::new(),
                group: None,
            };
            cluster.explanation = explain(&cluster);
            cluster
        })
        .collect();
    renumber_by_score(&mut out, &mut cluster_of);
    let (strength, internal) = fused.strengths(&cluster_of, NO_CLUSTER);
    let features = AccountFeatures::build(&activity, &amp, strength, &internal);
    Ok(Detection {
        input: InputDecision::unset(background),
        fused,
        cluster_of,
        clusters: out,
        roles,
        features,
        activity,
        left_out: Vec::new(),
        common_items: 0,
        timings: Vec::new(),
        rows: config.elsewhere.clone(),
    })
}

/// `d`'s clusters again, with the labels `labels` (`d`'s cluster ids, or `TRIMMED`): a cluster
/// that lost members is measured again, the others keep their parts and evidence. The
/// accounts marked in `apart` were taken out as held by one event: their ties count neither
/// inside a cluster nor at its boundary ([`parts::measure_apart`]). Ready for
/// [`assess_groups`] with `d`'s activity and graphs.
pub(super) fn regroup(
    data: &Dataset,
    d: &Detection,
    (labels, apart): (&[u32], &[bool]),
    config: &DetectConfig,
    background: Background,
) -> Result<Groups> {
    let (cluster_of, old_of) = recluster::keep_clusters(labels, config.min_cluster_size);
    let clusters = old_of.len();
    let sizes = sizes(&cluster_of, clusters);
    let changed: Vec<bool> = (0..clusters)
        .map(|c| sizes[c] != d.clusters[old_of[c] as usize].size)
        .collect();
    // The changed clusters alone, numbered in order: a cluster's parts depend on its members.
    let mut again = vec![NO_CLUSTER; clusters];
    let mut n = 0;
    for c in (0..clusters).filter(|&c| changed[c]) {
        again[c] = n;
        n += 1;
    }
    let of_changed: Vec<u32> = (cluster_of.iter())
        .map(|&c| {
            if c == NO_CLUSTER {
                NO_CLUSTER
            } else {
                again[c as usize]
            }
        })
        .collect();
    let changed_sizes: Vec<usize> = (0..clusters)
        .filter(|&c| changed[c])
        .map(|c| sizes[c])
        .collect();
    let mut remeasured = parts::measure_apart(
        data,
        &d.activity,
        &d.fused,
        (&of_changed, n as usize, &changed_sizes),
        apart,
        config.leiden.seed,
        background,
        &config.elsewhere,
    )?
    .into_iter();
    let measured = (0..clusters)
        .map(|c| match changed[c] {
            true => remeasured.next().expect("one measure per changed cluster"),
            false => {
                let kept = &d.clusters[old_of[c] as usize];
                (kept.parts.clone(), kept.evidence.clone())
            }
        })
        .collect();
    Ok(Groups {
        cluster_of,
        clusters,
        measured: Some(measured),
    })
}

/// Members per group.
pub(super) fn sizes(cluster_of: &[u32], clusters: usize) -> Vec<usize> {
    let mut sizes = vec![0usize; clusters];
    for &c in cluster_of.iter().filter(|&&c| c != NO_CLUSTER) {
        sizes[c as usize] += 1;
    }
    sizes
}

/// Number clusters by score, so cluster 0 is the one to look at first.
fn renumber_by_score(clusters: &mut [Cluster], cluster_of: &mut [u32]) {
    clusters.sort_by(|a, b| b.score.total_cmp(&a.score).then(b.size.cmp(&a.size)));
    let mut renumber = vec![0u32; clusters.len()];
    for (new, c) in clusters.iter_mut().enumerate() {
        renumber[c.id as usize] = new as u32;
        c.id = new as u32;
    }
    for c in cluster_of.iter_mut().filter(|c| **c != NO_CLUSTER) {
        *c = renumber[*c as usize];
    }
}
