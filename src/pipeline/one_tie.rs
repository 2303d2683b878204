//! Members of a flagged cluster held to it by one retweet.
//!
//! Between two accounts that retweet little, one retweet is rare under the retweet graph's
//! null, so it is a significant edge; an ordinary account that retweeted a member once, or
//! that a member retweeted once, then has all its evidence inside the cluster, and the
//! periphery trim keeps it. In a mixed collection such accounts pad every flagged cluster: 414
//! ordinary accounts beside 425 planted ones in the independent generator's combined
//! collection. So a member whose one edge into its flagged cluster is a retweet edge holding a
//! single retweet stays only where the account itself shows one of the cluster's signatures:
//! it retweeted members within [`SYNC_WINDOW_MS`] (its median delay), or it was created in the
//! cluster's creation burst (the densest [`BURST_WINDOW_MS`] of its members' creation dates,
//! where that is a burst: the `creation_burst` part above 0). A one-retweet amplifier of a
//! sparse network has one or the other; an ordinary account a member happened to retweet,
//! neither. A tie repeated (an amplifier retweeting one core six times, hours later, as IRA
//! accounts do) and a co-action edge (acting within the kind's window is timing of its own)
//! are evidence as they are.

use super::recluster::{self, TRIMMED};
use super::Detection;
use crate::graphs::GraphKind;
use crate::scoring::parts::{BURST_WINDOW_MS, SYNC_WINDOW_MS};
use crate::scoring::{Part, NO_CLUSTER};
use rayon::prelude::*;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering::Relaxed};

/// Why an account taken out here is in no cluster (`left_out` in accounts.csv).
pub const REASON: &str =
    "tied to a flagged cluster by one retweet only, with neither a retweet of \
     a member within 5 minutes nor a creation date in the cluster's creation burst";

/// The labels `d`'s clusters become once members of flagged clusters held by one retweet
/// without a signature of their own are taken out (`TRIMMED`), and whether each account was
/// taken out so; `None` if no one is. Round after round: a member tied to those taken out may
/// be left with one retweet, or below the trim's minimum internal share, in turn. The share is
/// the trim's, which counted the accounts that posted nothing as members where they were in
/// the community (the amplifiers of a source outside the data stay together); they are members
/// no longer, so every tie to one counts as inside here, and an account falls below the share
/// only by what it lost to those taken out.
pub(super) fn without_lone_ties(
    d: &Detection,
    created_ms: &[i64],
    min_share: f64,
) -> Option<(Vec<u32>, Vec<bool>)> {
    let flagged: Vec<bool> = d.clusters.iter().map(|c| c.flagged).collect();
    let burst: Vec<Option<(i64, i64)>> = (d.clusters.iter())
        .map(|c| {
            let bursts = c.parts.get(Part::CreationBurst).is_some_and(|v| v > 0.0);
            let start = c.evidence.burst_start_ms.filter(|_| bursts)?;
            Some((start, start + BURST_WINDOW_MS))
        })
        .collect();
    let delay = d.features.column("median_delay_to_cluster_s");
    let made = d.features.column("retweets_to_cluster");
    let received = d.features.column("retweeted_by_cluster");
    // One retweet, either way: a tie repeated is evidence of its own.
    let once = |u: usize| made[u] + received[u] <= 1.0;
    let signed = |u: usize, c: u32| {
        let fast = delay[u] * 1e3 <= SYNC_WINDOW_MS as f64; // NaN (no retweet of a member) is not
        let made_then =
            burst[c as usize].is_some_and(|(from, to)| (from..=to).contains(&created_ms[u]));
        fast || made_then
    };
    let mut labels: Vec<u32> = (d.cluster_of.iter())
        .map(|&c| if c == NO_CLUSTER { TRIMMED } else { c })
        .collect();
    let mut lone = vec![false; labels.len()];
    // The trim's inside share, asked for only once someone is taken out.
    let mut inside: Option<Vec<f64>> = None;
    loop {
        let (ties, coacts) = inner_ties(d, &labels, &flagged);
        let out: Vec<bool> = (0..labels.len())
            .map(|u| {
                let c = labels[u];
                let held = c != TRIMMED && flagged[c as usize] && ties[u] == 1 && !coacts[u];
                held && once(u) && !signed(u, c)
            })
            .collect();
        if !out.contains(&true) {
            break;
        }
        let inside = inside.get_or_insert_with(|| {
            let tweets = &d.activity.tweets;
            (d.fused).weight_where(|a, b| {
                let (ca, cb) = (labels[a as usize], labels[b as usize]);
                (ca != TRIMMED && ca == cb) || tweets[a as usize] == 0 || tweets[b as usize] == 0
            })
        });
        for (l, o) in lone.iter_mut().zip(&out) {
            *l |= *o;
        }
        let strength = d.fused.strength();
        recluster::trim_rounds(&d.fused, &mut labels, strength, inside, min_share, out);
    }
    lone.contains(&true).then_some((labels, lone))
}

/// Each account's fused edges to others of its flagged cluster, and whether one of them
/// is a co-action: acting on the same item within the kind's window is timing evidence of
/// its own, which a retweet edge (no window) is not.
fn inner_ties(d: &Detection, labels: &[u32], flagged: &[bool]) -> (Vec<u32>, Vec<bool>) {
    let retweet = (d.fused.kinds.iter()).position(|k| k.kind == GraphKind::Retweet.name());
    let ties: Vec<AtomicU32> = (0..labels.len()).map(|_| AtomicU32::new(0)).collect();
    let coacts: Vec<AtomicBool> = (0..labels.len()).map(|_| AtomicBool::new(false)).collect();
    let counted = |c: u32| c != TRIMMED && flagged[c as usize];
    d.fused.edges.par_blocks().for_each(|block| {
        for e in block {
            let c = labels[e.a as usize];
            if e.a != e.b && counted(c) && labels[e.b as usize] == c {
                let coaction = e.kinds.iter().any(|&k| Some(k as usize) != retweet);
                for u in [e.a, e.b] {
                    ties[u as usize].fetch_add(1, Relaxed);
                    if coaction {
                        coacts[u as usize].store(true, Relaxed);
                    }
                }
            }
        }
    });
    (
        ties.into_iter().map(AtomicU32::into_inner).collect(),
        coacts.into_iter().map(AtomicBool::into_inner).collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// On the generated collection, ordinary accounts tied to a network by one retweet are
    /// taken out of it, and no planted account is; what stays meets the rule.
    #[test]
    fn only_ordinary_accounts_are_taken_out_for_a_lone_tie() {
        let dir = tempfile::tempdir().unwrap();
        let data = crate::synth::generated_dataset(100_000, dir.path());
        let config = super::super::DetectConfig::default();
        let d = super::super::detect(&data, &config).unwrap();
        let mut truth = csv::Reader::from_path(dir.path().join("truth.csv")).unwrap();
        let network: hashbrown::HashMap<String, String> = (truth.records())
            .map(|r| {
                let r = r.unwrap();
                (r[0].to_string(), r[1].to_string())
            })
            .collect();
        let lone: Vec<&str> = (d.left_out.iter().enumerate())
            .filter(|(_, why)| **why == Some(REASON))
            .map(|(u, _)| data.accounts.key(u as u32))
            .collect();
        assert!(lone.len() >= 2, "{lone:?}");
        for a in &lone {
            assert_eq!(network.get(*a).map(String::as_str), Some("organic"), "{a}");
        }
        assert!(
            without_lone_ties(&d, &data.accounts.created_ms, config.min_internal_share).is_none()
        );
    }
}
