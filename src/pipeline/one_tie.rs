//! Members of a flagged cluster held to it by one event.
//!
//! Between two accounts that act little, one retweet, or one action on the same item within
//! the kind's window, is rare under the graphs' nulls, so it is a significant edge; an
//! ordinary account that retweeted a member once, or that a member retweeted once, or that used
//! a hashtag or replied to a post near a member's action, then has all its evidence inside the
//! cluster, and the periphery trim keeps it. In a mixed collection such accounts pad every
//! flagged cluster: 414 ordinary accounts beside 425 planted ones in the independent
//! generator's combined collection held by one retweet, and 90 more by one co-action. So a
//! member whose ties to the rest of its flagged cluster rest on a single event stays only where
//! the account itself shows one of the cluster's signatures: it retweeted members within
//! [`SYNC_WINDOW_MS`] (its median delay), or it was created in the cluster's creation burst
//! (the densest [`BURST_WINDOW_MS`] of its members' creation dates, where that is a burst: the
//! `creation_burst` part above 0). A one-retweet amplifier of a sparse network has one or the
//! other; an ordinary account a member happened to retweet, neither. Events are counted as
//! [`Ties`]: retweets between members, and the account's rows that act on an item within the
//! kind's window of another member's action (one reply is one event, though it is a co-reply
//! and a co-mention action). A tie repeated (an amplifier retweeting one core six times, hours
//! later, as IRA accounts do) is evidence as it is.

use super::groups::{assess_groups, regroup, Groups};
use super::recluster::{self, TRIMMED};
use super::{DetectConfig, Detection};
use crate::dataset::Dataset;
use crate::error::Result;
use crate::graphs::actions::Actions;
use crate::progress::Progress;
use crate::scoring::parts::{BURST_WINDOW_MS, SYNC_WINDOW_MS};
use crate::scoring::rhythm::Plan;
use crate::scoring::tally::{self, Ask, Elsewhere, Ties};
use crate::scoring::Background;
use crate::scoring::{Part, NO_CLUSTER};

/// Why an account taken out here is in no cluster (`left_out` in accounts.csv).
pub const REASON: &str =
    "tied to a flagged cluster by one event only (one retweet, or one action near a \
     member's on the same item), with neither a retweet of a member within 5 minutes nor a \
     creation date in the cluster's creation burst";

/// The labels `d`'s clusters become once members of clusters flagged at `threshold` held by
/// one event without a signature of their own are taken out (`TRIMMED`), and whether each
/// account was taken out so; `None` if no one is. Round after round: a member tied to those taken out may
/// be left with one event, or below the trim's minimum internal share, in turn. The share is
/// the trim's, which counted the accounts that posted nothing as members where they were in
/// the community (the amplifiers of a source outside the data stay together); they are members
/// no longer, so every tie to one counts as inside here, and an account falls below the share
/// only by what it lost to those taken out. The events are tallied where the rows and items
/// are (`elsewhere`: other processes').
fn without_lone_ties(
    d: &Detection,
    data: &Dataset,
    elsewhere: &Elsewhere,
    min_share: f64,
    threshold: f64,
) -> Result<Option<(Vec<u32>, Vec<bool>)>> {
    let flagged: Vec<bool> = d.clusters.iter().map(|c| c.score >= threshold).collect();
    let burst: Vec<Option<(i64, i64)>> = (d.clusters.iter())
        .map(|c| {
            let bursts = c.parts.get(Part::CreationBurst).is_some_and(|v| v > 0.0);
            let start = c.evidence.burst_start_ms.filter(|_| bursts)?;
            Some((start, start + BURST_WINDOW_MS))
        })
        .collect();
    let created_ms = &data.accounts.created_ms;
    let delay = d.features.column("median_delay_to_cluster_s");
    let signed = |u: usize, c: u32| {
        let fast = delay[u] * 1e3 <= SYNC_WINDOW_MS as f64; // NaN (no retweet of a member) is not
        let made_then =
            burst[c as usize].is_some_and(|(from, to)| (from..=to).contains(&created_ms[u]));
        fast || made_then
    };
    let windows = d.fused.windows();
    let sets: Vec<&Actions> = d.fused.projections.iter().map(|p| &p.actions).collect();
    let blocks = tally::blocks(
        &elsewhere.here(data),
        &sets,
        2 * rayon::current_num_threads(),
    );
    let plan = Plan::default();
    let mut labels: Vec<u32> = (d.cluster_of.iter())
        .map(|&c| if c == NO_CLUSTER { TRIMMED } else { c })
        .collect();
    let mut lone = vec![false; labels.len()];
    // The trim's inside share, asked for only once someone is taken out.
    let mut inside: Option<Vec<f64>> = None;
    loop {
        // Only the members of flagged clusters are asked about.
        let asked: Vec<u32> = (labels.iter())
            .map(|&c| match c != TRIMMED && flagged[c as usize] {
                true => c,
                false => NO_CLUSTER,
            })
            .collect();
        // Of those, the ones without a signature are counted; the others are their partners.
        let unsigned: Vec<bool> = (0..labels.len())
            .map(|u| asked[u] != NO_CLUSTER && !signed(u, asked[u]))
            .collect();
        if !unsigned.contains(&true) {
            break;
        }
        let ask = Ask {
            cluster_of: &asked,
            clusters: flagged.len(),
            plan: &plan,
            seed: 0,
            hashtags: 0,
            ties_of: &unsigned,
            windows: &windows,
        };
        let here = || tally::tally(data, None, &d.fused.sources, &sets, None, &blocks, &ask);
        let ties = match &elsewhere.0 {
            None => here(),
            Some(e) => e.tally(&ask, &here)?,
        }
        .ties;
        let out: Vec<bool> = (0..labels.len())
            .map(|u| unsigned[u] && ties.get(&(u as u32)).map_or(0, Ties::events) <= 1)
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
    Ok(lone.contains(&true).then_some((labels, lone)))
}

/// Clusters with members held by one event taken out, as groups to assess, and whether each
/// account was taken out so.
pub(super) type Trimmed = (Groups, Vec<bool>);

/// The collection's answer as the analyst would get it, to decide what the input is: `d`
/// (from the split whose labels are `labels`) with the members of clusters flagged at the
/// default threshold held by one event taken out, as groups to assess, and who was taken out
/// (`None` if no one is). A large cluster flagged only with such members is an unflagged
/// community, so it is clustered again as those are ([`recluster::unflagged_by_trim`]), once,
/// and `d` returned is of that split.
pub(super) fn answer(
    data: &Dataset,
    mut d: Detection,
    labels: Vec<u32>,
    config: &DetectConfig,
    background: Background,
    progress: &dyn Progress,
) -> Result<(Detection, Option<Trimmed>)> {
    let default = DetectConfig::default().threshold;
    let mut decided = trimmed(data, &d, default, config, background)?;
    let lost =
        (decided.as_ref()).map(|(g, _)| recluster::unflagged_by_trim(&d, g, &labels, config));
    if let Some(lost) = lost.filter(|l| !l.is_empty()) {
        progress.note(&format!(
            "{} large clusters flagged only with members held by one event: clustered again",
            lost.len()
        ));
        let split = recluster::split_by_score(
            data,
            &d.activity,
            &d.fused,
            labels,
            config,
            background,
            progress,
            &lost,
        )?;
        let (cluster_of, clusters, measured) = split.form(&d.fused, &d.activity, config);
        let groups = Groups {
            cluster_of,
            clusters,
            measured,
        };
        d = assess_groups(data, d.activity, d.fused, groups, config, background)?;
        decided = trimmed(data, &d, default, config, background)?;
    }
    Ok((d, decided))
}

/// `d`'s clusters with the members of those flagged at `threshold` held by one event taken
/// out ([`without_lone_ties`]), the clusters that lost some measured again, as groups to
/// assess; and who was taken out. `None` if no one is.
pub(super) fn trimmed(
    data: &Dataset,
    d: &Detection,
    threshold: f64,
    config: &DetectConfig,
    background: Background,
) -> Result<Option<Trimmed>> {
    let min_share = config.min_internal_share;
    let lone = without_lone_ties(d, data, &config.elsewhere, min_share, threshold)?;
    let regrouped = |(labels, lone): (Vec<u32>, Vec<bool>)| {
        let groups = regroup(data, d, (&labels, &lone), config, background)?;
        Ok((groups, lone))
    };
    lone.map(regrouped).transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// On the generated collection, ordinary accounts tied to a network by one event are taken
    /// out of it, and no planted account is.
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
    }
}
