//! Scoring: from a dataset to scored clusters of accounts with roles — the main job.
//!
//! [`detect`] runs the pipeline: every enabled co-action graph and the retweet graph, each
//! tested against its null model and fused by significance ([`fuse`]); Leiden on the fused
//! graph; then per cluster the parts of the coordination score ([`parts`]), the roles of its
//! accounts ([`roles`]), a network profile ([`profile`]) and a plain-language explanation.
//!
//! The score is the weighted mean of the parts a cluster has evidence for (weights in
//! [`PART_WEIGHTS`]); `flagged` means score >= `threshold`.
//!
//! ```
//! use coordnet::scoring::{detect, DetectConfig};
//! use coordnet::{ingest, IngestOptions};
//! let dir = tempfile::tempdir().unwrap();
//! let path = dir.path().join("shares.csv");
//! std::fs::write(&path, "object_id,account_id,content_id,timestamp_share\n\
//!     o1,alice,c1,100\no1,bob,c2,101\n").unwrap();
//! let (data, _) = ingest(&[path], &IngestOptions::default()).unwrap();
//! let d = detect(&data, &DetectConfig::default()).unwrap();
//! assert!(d.clusters.is_empty()); // two shares are not a network
//! ```

mod clusters;
pub mod eval;
pub mod features;
pub mod fuse;
pub mod parts;
pub mod profile;
pub mod rhythm;
pub mod roles;

pub use features::{AccountFeatures, Activity, Amplification};
pub use fuse::{fuse, Fused};
pub use parts::{Evidence, Parts};
pub use profile::Profile;
pub use roles::Role;

use crate::communities::{leiden, LeidenConfig};
use crate::dataset::Dataset;
use crate::error::{Error, Result};
use crate::graphs::{format_duration, CoactionKind, GraphOptions};
use std::time::Instant;

/// Marks "in no cluster".
pub const NO_CLUSTER: u32 = u32::MAX;

/// Weights of the parts in the score, in `Parts::NAMES` order.
pub const PART_WEIGHTS: [f64; 6] = [0.15, 0.25, 0.15, 0.15, 0.1, 0.2];

/// Settings of [`detect`]. The defaults work on a takedown archive and on a mixed collection.
#[derive(Clone, Debug)]
pub struct DetectConfig {
    /// Co-action kinds fused with the retweet graph.
    pub kinds: Vec<CoactionKind>,
    /// Fuse the retweet graph too.
    pub retweets: bool,
    /// One window for every kind; `None` estimates each kind's window from the data.
    pub window_ms: Option<Option<i64>>,
    /// Estimated windows are capped here (a window of days pairs everything).
    pub max_auto_window_ms: i64,
    /// Settings shared by every co-action graph (window is set per kind).
    pub graph: GraphOptions,
    /// An edge enters the fused graph if its p-value is at most this.
    pub edge_pvalue: f64,
    pub leiden: LeidenConfig,
    /// Smaller groups are not clusters (their accounts get no cluster).
    pub min_cluster_size: usize,
    /// Accounts with less than this share of their fused evidence inside their community are
    /// left out of it (periphery).
    pub min_internal_share: f64,
    /// Clusters scoring at least this are flagged as coordinated.
    pub threshold: f64,
}

impl Default for DetectConfig {
    fn default() -> DetectConfig {
        DetectConfig {
            kinds: vec![
                CoactionKind::CoRetweet,
                CoactionKind::CoHashtag,
                CoactionKind::CoUrl,
                CoactionKind::CoMention,
                CoactionKind::CoReply,
                CoactionKind::CoTweet,
            ],
            retweets: true,
            window_ms: None,
            max_auto_window_ms: 3_600_000,
            graph: GraphOptions::default(),
            edge_pvalue: 0.01,
            // Resolution 2: a sparse network stays apart from the organic mass around it at
            // every scale we measured; splitting by score is the fallback beyond.
            leiden: LeidenConfig {
                resolution: 2.0,
                ..LeidenConfig::default()
            },
            min_cluster_size: 3,
            min_internal_share: 0.4,
            threshold: 0.4,
        }
    }
}

impl DetectConfig {
    pub fn validate(&self) -> Result<()> {
        if !(0.0..=1.0).contains(&self.edge_pvalue) {
            return Err(Error::config(format!(
                "the edge p-value {} is not a probability; try 0.01",
                self.edge_pvalue
            )));
        }
        if !(0.0..=1.0).contains(&self.threshold) {
            return Err(Error::config(format!(
                "the score threshold {} is outside [0, 1]; try 0.5",
                self.threshold
            )));
        }
        if self.kinds.is_empty() && !self.retweets {
            return Err(Error::config(
                "no graph to build: enable the retweet graph or at least one co-action kind",
            ));
        }
        Ok(())
    }
}

/// One scored cluster.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Cluster {
    pub id: u32,
    pub size: usize,
    pub n_core: usize,
    pub n_amplifier: usize,
    pub n_other: usize,
    pub score: f64,
    pub flagged: bool,
    pub parts: Parts,
    pub evidence: Evidence,
    pub profile: Profile,
    pub explanation: String,
}

/// The result of [`detect`].
pub struct Detection {
    pub fused: Fused,
    /// Each dataset account's cluster, or `NO_CLUSTER`.
    pub cluster_of: Vec<u32>,
    /// Clusters, numbered by score, highest first.
    pub clusters: Vec<Cluster>,
    /// Each account's role and confidence (meaningful for clustered accounts only).
    pub roles: Vec<(Role, f64)>,
    pub features: AccountFeatures,
    pub activity: Activity,
    /// Seconds per stage.
    pub timings: Vec<(&'static str, f64)>,
}

/// Run the whole pipeline on `data`.
pub fn detect(data: &Dataset, config: &DetectConfig) -> Result<Detection> {
    detect_with_progress(data, config, &mut |_| {})
}

/// [`detect`], calling `stage` as each stage starts ("building graphs", "finding
/// communities", "scoring clusters"), so that a long run can show where it is.
pub fn detect_with_progress(
    data: &Dataset,
    config: &DetectConfig,
    stage: &mut dyn FnMut(&'static str),
) -> Result<Detection> {
    config.validate()?;
    let mut timings = Vec::new();
    let mut clock = Instant::now();
    let mut lap = |name: &'static str, timings: &mut Vec<(&'static str, f64)>| {
        timings.push((name, clock.elapsed().as_secs_f64()));
        clock = Instant::now();
    };
    stage("building graphs");
    let fused = fuse::fuse(data, config)?;
    lap("graphs", &mut timings);

    stage("finding communities");
    let partition = leiden(&fused.graph, &config.leiden)?;
    let membership = clusters::split_by_score(data, &fused, partition.membership, config)?;
    let (cluster_of, clusters) = clusters::form(&fused, &membership, config);
    lap("communities", &mut timings);

    stage("scoring clusters");
    let mut d = assess(data, fused, cluster_of, clusters, config);
    lap("scoring", &mut timings);
    d.timings = timings;
    Ok(d)
}

/// Score given groups of accounts: `cluster_of[account]` is a group in `0..clusters` or
/// `NO_CLUSTER`. Parts, roles and profiles as `detect` computes them; groups are renumbered by
/// score, highest first.
pub fn assess(
    data: &Dataset,
    fused: Fused,
    mut cluster_of: Vec<u32>,
    clusters: usize,
    config: &DetectConfig,
) -> Detection {
    let activity = Activity::of(data);
    let amp = Amplification::of(data, &fused.sources, &cluster_of);
    let mut sizes = vec![0usize; clusters];
    for &c in cluster_of.iter().filter(|&&c| c != NO_CLUSTER) {
        sizes[c as usize] += 1;
    }
    let measured = parts::measure(
        data,
        &activity,
        &fused,
        &cluster_of,
        clusters,
        &sizes,
        config.leiden.seed,
    );
    let profiles = profile::profiles(data, &activity, &cluster_of, clusters);
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
            let score = score(&parts);
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
            };
            cluster.explanation = explain(&cluster);
            cluster
        })
        .collect();
    // Number clusters by score, so cluster 0 is the one to look at first.
    out.sort_by(|a, b| b.score.total_cmp(&a.score).then(b.size.cmp(&a.size)));
    let mut renumber = vec![0u32; clusters];
    for (new, c) in out.iter_mut().enumerate() {
        renumber[c.id as usize] = new as u32;
        c.id = new as u32;
    }
    for c in cluster_of.iter_mut().filter(|c| **c != NO_CLUSTER) {
        *c = renumber[*c as usize];
    }

    let (strength, internal) = strengths(&fused, &cluster_of, NO_CLUSTER);
    let features = AccountFeatures::build(&activity, &amp, &strength, &internal);
    Detection {
        fused,
        cluster_of,
        clusters: out,
        roles,
        features,
        activity,
        timings: Vec::new(),
    }
}

/// The weighted mean of the parts a cluster has evidence for, the modus parts
/// ([`Parts::modus`]) only where they raise it.
pub fn score(parts: &Parts) -> f64 {
    let values = parts.values();
    let modus_parts = parts.modus();
    let (mut sum, mut weight) = (0.0, 0.0);
    for ((v, w), modus) in values.iter().zip(PART_WEIGHTS).zip(modus_parts) {
        if let (Some(v), false) = (v, modus) {
            sum += v * w;
            weight += w;
        }
    }
    let mean = |s: f64, w: f64| if w == 0.0 { 0.0 } else { s / w };
    // Add modus parts best first while each raises the mean.
    let mut modus: Vec<(f64, f64)> = values
        .iter()
        .zip(PART_WEIGHTS)
        .zip(modus_parts)
        .filter_map(|((v, w), m)| v.filter(|_| m).map(|v| (v, w)))
        .collect();
    modus.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (v, w) in modus {
        if v > mean(sum, weight) {
            sum += v * w;
            weight += w;
        }
    }
    mean(sum, weight)
}

/// Each account's fused strength, and the part of it inside its cluster (`none` marks no
/// cluster).
pub(crate) fn strengths(fused: &Fused, cluster_of: &[u32], none: u32) -> (Vec<f64>, Vec<f64>) {
    let n = cluster_of.len();
    let mut strength = vec![0.0; n];
    let mut internal = vec![0.0; n];
    for e in &fused.edges {
        for u in [e.a, e.b] {
            strength[u as usize] += e.weight;
        }
        let c = cluster_of[e.a as usize];
        if c != none && c == cluster_of[e.b as usize] {
            internal[e.a as usize] += e.weight;
            internal[e.b as usize] += e.weight;
        }
    }
    (strength, internal)
}

fn pct(x: f64) -> String {
    format!("{:.0}%", 100.0 * x)
}

/// A plain-language account of the score.
pub fn explain(c: &Cluster) -> String {
    let e = &c.evidence;
    let mut s = Vec::new();
    if e.inner_retweets > 0 {
        let mut line = format!(
            "{} amplifiers made {} retweets of the cluster's {} cores ({} of their retweets with \
             a known source)",
            c.n_amplifier,
            e.inner_retweets,
            c.n_core,
            pct(e.inner_retweets as f64 / e.retweets_known.max(1) as f64)
        );
        if let (Some(d), Some((q1, q3))) = (e.inner_median_delay_ms, e.inner_delay_quartiles_ms) {
            line.push_str(&format!(
                ", median delay {} (middle half {}-{}), {} within 5 min; null expectation {}",
                format_duration(d),
                format_duration(q1),
                format_duration(q3),
                pct(e.inner_retweets_fast as f64 / e.inner_retweets_timed.max(1) as f64),
                pct(e.fast_null)
            ));
        }
        s.push(line);
    } else {
        s.push(format!(
            "{} accounts ({} core, {} amplifier) with no retweets of each other",
            c.size, c.n_core, c.n_amplifier
        ));
    }
    if e.co_actions > 0 {
        s.push(format!(
            "{} of {} co-actions on shared items within 5 min of another member (time-shifted \
             null {})",
            pct(e.synced as f64 / e.co_actions as f64),
            e.co_actions,
            pct(e.synced_null as f64 / e.co_actions as f64)
        ));
    }
    let r = &e.rhythm;
    if let (Some(null), true) = (r.shared_null, r.shared_hours > 0) {
        s.push(format!(
            "{} of members' active hours shared with {}+ other members (day-shifted null {})",
            pct(r.shared_hours as f64 / r.active_hours as f64),
            r.burst_members,
            pct(null)
        ));
    }
    // A shared weekly schedule is worth a mention only where it stands out.
    if let (Some(sim), Some(null)) = (r.profile_similarity, r.profile_null) {
        if sim > null + 0.05 {
            s.push(format!(
                "hour-of-week profiles of {} members at mean cosine {sim:.2} (matched random \
                 accounts {null:.2})",
                r.profiled
            ));
        }
    }
    if let Some(b) = c.parts.creation_burst.filter(|&b| b > 0.2) {
        s.push(format!(
            "{} of accounts created within 30 days (all accounts: {}; burst {:.2})",
            pct(e.created_in_burst as f64 / e.created_known.max(1) as f64),
            pct(e.burst_null),
            b
        ));
    }
    if e.duplicated_texts > 0 {
        s.push(format!(
            "{} of own texts also posted by another member",
            pct(e.duplicated_texts as f64 / e.own_texts.max(1) as f64)
        ));
    }
    if let Some((tag, n)) = c.profile.top_hashtags.first() {
        s.push(format!(
            "top hashtag #{tag} ({n} tweets); {} of hashtag use on tags the cluster owns",
            pct(e.owned_hashtag_uses / e.hashtag_uses.max(1) as f64)
        ));
    }
    s.join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_parts_count_only_where_they_raise_the_score() {
        let base = Parts {
            coaction: Some(0.8),
            synchrony: Some(0.6),
            creation_burst: Some(0.4),
            hashtag_concentration: Some(0.2),
            ..Parts::default()
        };
        let plain = score(&base);
        // Weighted mean of the four general parts.
        let expected = (0.8 * 0.15 + 0.6 * 0.25 + 0.4 * 0.15 + 0.2 * 0.2) / 0.75;
        assert!((plain - expected).abs() < 1e-12);
        // No retweets among members (structure 0) is no evidence of innocence.
        let low = Parts {
            structure: Some(0.0),
            content_duplication: Some(0.0),
            ..base.clone()
        };
        assert_eq!(score(&low), plain);
        // A strong amplification structure raises it.
        let high = Parts {
            structure: Some(0.9),
            ..base
        };
        assert!(score(&high) > plain);
        assert_eq!(score(&Parts::default()), 0.0);
    }
}
