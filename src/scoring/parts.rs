//! The parts of a cluster's coordination score, each in [0, 1] and each measured against what
//! chance would give the same accounts, so that busy, popular or viral is not coordinated:
//!
//! - `coaction`: how much of the members' fused evidence stays inside the cluster, times how
//!   much of it there is per member;
//! - `synchrony`: the strongest of four timing signals, each in excess of its null: how often
//!   members act on the same item within 5 minutes of each other (null: each account's times
//!   shifted by a random offset of up to half a day); how often members' retweets of each other
//!   come within 5 minutes (null: all retweets in the data); how much of their activity falls
//!   in shared bursts, and how alike their hour-of-week profiles are (see [`rhythm`]; a shared
//!   weekly schedule counts half, since a city's users share one too);
//! - `structure`: the share of members' retweets (with a known source) that go to members, in
//!   excess of the members' share of all retweets received (a cluster holding the accounts
//!   everyone retweets gets its own retweets by popularity, not by structure);
//! - `creation_burst`: the share of members created in the densest 30 days, in excess of the
//!   share of all accounts created in those days;
//! - `content_duplication`: the share of members' own texts that another member also posted;
//! - `hashtag_concentration`: how much of the members' hashtag use is of tags that the cluster
//!   owns (used mostly by it), in excess of its share of all tweets.
//!
//! An excess is `(observed - null) / (1 - null)`, floored at 0, where `observed` is shrunk
//! toward the null by a few pseudo-observations, so small clusters need stronger evidence.

use super::background::{control_fast_retweets, Background, Reference};
use super::features::Activity;
use super::rhythm::{self, Rhythm};
use super::score::{Part, Parts};
use super::NO_CLUSTER;
use crate::dataset::Dataset;
use crate::dataset::{ItemKind, TweetKind};
use crate::graphs::actions::Actions;
use crate::graphs::retweet::Source;
use crate::graphs::{CoactionKind, Fused};
use crate::hash::splitmix;
use hashbrown::HashMap;
use rayon::prelude::*;

/// Co-actions and retweets this close count as synchronous.
pub const SYNC_WINDOW_MS: i64 = 5 * 60_000;
/// The null shifts each account's times by up to this much either way.
const NULL_SHIFT_MS: i64 = 12 * 3_600_000;
/// Creation bursts are looked for in windows this long.
pub const BURST_WINDOW_MS: i64 = 30 * 86_400_000;
/// Internal evidence per member at which `coaction` is half its internal share: two edges
/// at p = 0.003 each.
const COACTION_HALF_EVIDENCE: f64 = 5.0;
/// Pseudo-observations at the null rate added to action counts, and to account counts.
const PRIOR_ACTIONS: f64 = 20.0;
const PRIOR_ACCOUNTS: f64 = 5.0;
/// A part needs this many observations to be reported.
const MIN_SUPPORT: u64 = 5;

/// The measurements behind the parts, kept for the explanation and the report.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Evidence {
    pub internal_weight: f64,
    pub boundary_weight: f64,
    /// Member actions on items another member also acted on, and those within 5 minutes of
    /// the nearest such action; the same under the shifted-time null.
    pub co_actions: u64,
    pub synced: u64,
    pub synced_null: u64,
    /// Retweets of members by members, with a known delay; within 5 minutes; the median delay.
    pub inner_retweets: u64,
    pub inner_retweets_timed: u64,
    pub inner_retweets_fast: u64,
    pub inner_median_delay_ms: Option<i64>,
    /// The middle half of those delays (quartiles): how regularly amplifiers react.
    pub inner_delay_quartiles_ms: Option<(i64, i64)>,
    /// Share of all retweets in the data (known delay) within 5 minutes.
    pub fast_null: f64,
    /// Members' retweets with a known source.
    pub retweets_known: u64,
    /// Share of all retweets (known source) that members received.
    pub received_share: f64,
    /// Members with a known creation date; in the densest 30 days; share of all accounts then.
    pub created_known: u64,
    pub created_in_burst: u64,
    pub burst_start_ms: Option<i64>,
    pub burst_null: f64,
    /// Hour-of-week profiles and shared bursts.
    pub rhythm: Rhythm,
    pub own_texts: u64,
    pub duplicated_texts: u64,
    pub hashtag_uses: u64,
    pub owned_hashtag_uses: f64,
    pub tweet_share: f64,
}

/// The excess of `hits` out of `n` over the null rate, after adding `prior` observations at
/// the null rate: a handful of lucky actions in a small cluster cannot look like a campaign.
fn shrunk_excess(hits: f64, n: f64, null: f64, prior: f64) -> f64 {
    excess((hits + prior * null) / (n + prior), null)
}

fn excess(observed: f64, null: f64) -> f64 {
    if null >= 1.0 {
        return 0.0;
    }
    ((observed - null) / (1.0 - null)).clamp(0.0, 1.0)
}

/// Measure every cluster. `cluster_of[account]` is a cluster in `0..clusters` or `NO_CLUSTER`;
/// parts that compare with ordinary accounts take them from `background`.
#[allow(clippy::too_many_arguments)]
pub fn measure(
    data: &Dataset,
    activity: &Activity,
    fused: &Fused,
    cluster_of: &[u32],
    clusters: usize,
    sizes: &[usize],
    seed: u64,
    background: Background,
) -> Vec<(Parts, Evidence)> {
    let actions: Vec<&Actions> = fused
        .projections
        .iter()
        .filter(|p| p.kind != CoactionKind::CoTweet && p.kind != CoactionKind::CoSimilar)
        .map(|p| &p.actions)
        .collect();
    // The measures read the same data and each fills its own fields; most are one pass over
    // the rows or the edges, so they run side by side and every core has one to do.
    let mut ev = vec![Evidence::default(); clusters];
    let (mut weights, mut sync, mut sync_null) = (Vec::new(), Vec::new(), Vec::new());
    let (mut rhythms, mut duplicated, mut tags) = (Vec::new(), Vec::new(), Vec::new());
    let matched_accounts = matches!(background, Background::Data);
    rayon::scope(|s| {
        s.spawn(|_| {
            retweet_timing(data, &fused.sources, cluster_of, background, &mut ev);
            creation_bursts(data, cluster_of, background, &mut ev);
        });
        s.spawn(|_| weights = fused_weights(fused, cluster_of, clusters));
        s.spawn(|_| sync = synchrony(data, &actions, cluster_of, clusters, None));
        s.spawn(|_| sync_null = synchrony(data, &actions, cluster_of, clusters, Some(seed)));
        s.spawn(|_| {
            let (a, c) = (activity, cluster_of);
            rhythms = rhythm::measure(data, a, c, clusters, sizes, seed, matched_accounts);
        });
        s.spawn(|_| duplicated = duplication(data, fused, cluster_of, clusters));
        s.spawn(|_| tags = hashtags(data, cluster_of, clusters));
    });
    for (c, e) in ev.iter_mut().enumerate() {
        (e.internal_weight, e.boundary_weight) = weights[c];
        (e.co_actions, e.synced) = sync[c];
        e.synced_null = sync_null[c].1;
        e.rhythm = std::mem::take(&mut rhythms[c]);
        (e.own_texts, e.duplicated_texts) = duplicated[c];
        (e.hashtag_uses, e.owned_hashtag_uses, e.tweet_share) = tags[c];
    }

    ev.into_iter()
        .enumerate()
        .map(|(c, e)| (parts_from(&e, sizes[c]), e))
        .collect()
}

fn parts_from(e: &Evidence, size: usize) -> Parts {
    let coaction = {
        let total = e.internal_weight + e.boundary_weight;
        let per_member = 2.0 * e.internal_weight / size.max(1) as f64;
        (total > 0.0)
            .then(|| e.internal_weight / total * per_member / (per_member + COACTION_HALF_EVIDENCE))
    };
    let sync_co = (e.co_actions >= MIN_SUPPORT).then(|| {
        let null = e.synced_null as f64 / e.co_actions as f64;
        shrunk_excess(e.synced as f64, e.co_actions as f64, null, PRIOR_ACTIONS)
    });
    let sync_rt = (e.inner_retweets_timed >= MIN_SUPPORT).then(|| {
        shrunk_excess(
            e.inner_retweets_fast as f64,
            e.inner_retweets_timed as f64,
            e.fast_null,
            PRIOR_ACTIONS,
        )
    });
    let r = &e.rhythm;
    let bursts = r
        .shared_null
        .filter(|_| r.active_hours >= MIN_SUPPORT)
        .map(|null| {
            shrunk_excess(
                r.shared_hours as f64,
                r.active_hours as f64,
                null,
                PRIOR_ACTIONS,
            )
        });
    let schedule = r.profile_similarity.zip(r.profile_null).map(|(s, null)| {
        let m = r.profiled as f64;
        0.5 * excess(s, null) * m / (m + PRIOR_ACCOUNTS)
    });
    let synchrony_from_rhythm_only = sync_co.is_none() && sync_rt.is_none();
    let synchrony = [sync_co, sync_rt, bursts, schedule]
        .into_iter()
        .flatten()
        .reduce(f64::max);
    let structure = (e.inner_retweets >= MIN_SUPPORT && e.retweets_known > 0).then(|| {
        shrunk_excess(
            e.inner_retweets as f64,
            e.retweets_known as f64,
            e.received_share,
            PRIOR_ACTIONS,
        )
    });
    let creation_burst = (e.created_known >= 3).then(|| {
        shrunk_excess(
            e.created_in_burst as f64,
            e.created_known as f64,
            e.burst_null,
            PRIOR_ACCOUNTS,
        )
    });
    let content_duplication = (e.own_texts >= MIN_SUPPORT).then(|| {
        shrunk_excess(
            e.duplicated_texts as f64,
            e.own_texts as f64,
            0.0,
            PRIOR_ACTIONS,
        )
    });
    let hashtag_concentration = (e.hashtag_uses >= MIN_SUPPORT).then(|| {
        shrunk_excess(
            e.owned_hashtag_uses,
            e.hashtag_uses as f64,
            e.tweet_share,
            PRIOR_ACTIONS,
        )
    });
    let mut parts = Parts::default();
    parts.synchrony_from_rhythm_only = synchrony_from_rhythm_only;
    for (p, v) in [
        (Part::Coaction, coaction),
        (Part::Synchrony, synchrony),
        (Part::Structure, structure),
        (Part::CreationBurst, creation_burst),
        (Part::ContentDuplication, content_duplication),
        (Part::HashtagConcentration, hashtag_concentration),
    ] {
        parts.set(p, v);
    }
    parts
}

/// Per cluster: the fused weight inside it and on its boundary.
fn fused_weights(fused: &Fused, cluster_of: &[u32], clusters: usize) -> Vec<(f64, f64)> {
    let mut w = vec![(0.0, 0.0); clusters];
    for e in fused.edges.iter() {
        let (ca, cb) = (cluster_of[e.a as usize], cluster_of[e.b as usize]);
        if ca != NO_CLUSTER && ca == cb {
            w[ca as usize].0 += e.weight();
            continue;
        }
        for c in [ca, cb] {
            if c != NO_CLUSTER {
                w[c as usize].1 += e.weight();
            }
        }
    }
    w
}

/// Per cluster: (actions with a partner, synchronous ones).
type Counts = Vec<(u64, u64)>;
/// (cluster, time, account) of one member action.
type Stamp = (u32, i64, u32);

/// Per cluster: member actions on items another member also acted on, and how many of them
/// have the nearest such action within `SYNC_WINDOW_MS`. With `shift_seed`, each account's
/// times are first shifted by its own random offset (the null).
fn synchrony(
    data: &Dataset,
    actions: &[&Actions],
    cluster_of: &[u32],
    clusters: usize,
    shift_seed: Option<u64>,
) -> Vec<(u64, u64)> {
    let shift = |u: u32| match shift_seed {
        None => 0,
        Some(s) => {
            (splitmix(s ^ (u as u64).wrapping_mul(0xD6E8_FEB8_6659_FD93))
                % (2 * NULL_SHIFT_MS as u64)) as i64
                - NULL_SHIFT_MS
        }
    };
    let per_set = |a: &Actions| {
        (0..a.items())
            .into_par_iter()
            .fold(
                || (vec![(0u64, 0u64); clusters], Vec::new()),
                |(mut acc, mut buf): (Counts, Vec<Stamp>), g| {
                    buf.clear();
                    for i in a.item(g) {
                        let u = a.account[i];
                        let c = cluster_of[u as usize];
                        if c != NO_CLUSTER {
                            buf.push((c, data.time_ms[a.row[i] as usize] + shift(u), u));
                        }
                    }
                    if buf.len() < 2 {
                        return (acc, buf);
                    }
                    buf.sort_unstable();
                    for run in buf.chunk_by(|x, y| x.0 == y.0) {
                        for (i, &(c, t, u)) in run.iter().enumerate() {
                            let left = run[..i].iter().rev().find(|x| x.2 != u).map(|x| t - x.1);
                            let right = run[i + 1..].iter().find(|x| x.2 != u).map(|x| x.1 - t);
                            let gap = match (left, right) {
                                (Some(l), Some(r)) => l.min(r),
                                (l, r) => match l.or(r) {
                                    Some(g) => g,
                                    None => continue,
                                },
                            };
                            acc[c as usize].0 += 1;
                            acc[c as usize].1 += (gap <= SYNC_WINDOW_MS) as u64;
                        }
                    }
                    (acc, buf)
                },
            )
            .map(|(acc, _)| acc)
            .reduce(
                || vec![(0, 0); clusters],
                |mut x, y| {
                    for (a, b) in x.iter_mut().zip(y) {
                        a.0 += b.0;
                        a.1 += b.1;
                    }
                    x
                },
            )
    };
    let mut total = vec![(0u64, 0u64); clusters];
    for a in actions {
        for (t, x) in total.iter_mut().zip(per_set(a)) {
            t.0 += x.0;
            t.1 += x.1;
        }
    }
    total
}

fn retweet_timing(
    data: &Dataset,
    sources: &[Option<Source>],
    cluster_of: &[u32],
    background: Background,
    ev: &mut [Evidence],
) {
    let mut all_timed = 0u64;
    let mut all_fast = 0u64;
    let mut all_known = 0u64;
    let mut received = vec![0u64; ev.len()];
    let mut delays: Vec<Vec<i64>> = vec![Vec::new(); ev.len()];
    for (r, s) in sources.iter().enumerate() {
        let Some(s) = s else { continue };
        let u = data.account[r];
        if s.account() == u {
            continue;
        }
        if let Some(d) = s.delay_ms(data, r) {
            all_timed += 1;
            all_fast += (d <= SYNC_WINDOW_MS) as u64;
        }
        all_known += 1;
        if let Some(&cs) = cluster_of
            .get(s.account() as usize)
            .filter(|&&c| c != NO_CLUSTER)
        {
            received[cs as usize] += 1;
        }
        let c = cluster_of[u as usize];
        if c == NO_CLUSTER {
            continue;
        }
        let e = &mut ev[c as usize];
        e.retweets_known += 1;
        if cluster_of[s.account() as usize] == c {
            e.inner_retweets += 1;
            if let Some(d) = s.delay_ms(data, r) {
                e.inner_retweets_timed += 1;
                e.inner_retweets_fast += (d <= SYNC_WINDOW_MS) as u64;
                delays[c as usize].push(d);
            }
        }
    }
    let null = match background {
        Background::Data => all_fast as f64 / all_timed.max(1) as f64,
        Background::Control(control, sources) => {
            let (timed, fast) = control_fast_retweets(control, sources, SYNC_WINDOW_MS);
            match timed {
                0 => Reference::RETWEETS_WITHIN_5MIN,
                _ => fast as f64 / timed as f64,
            }
        }
        Background::Reference => Reference::RETWEETS_WITHIN_5MIN,
    };
    for ((e, mut d), r) in ev.iter_mut().zip(delays).zip(received) {
        e.fast_null = null;
        e.received_share = r as f64 / all_known.max(1) as f64;
        if !d.is_empty() {
            d.sort_unstable();
            e.inner_median_delay_ms = Some(d[d.len() / 2]);
            e.inner_delay_quartiles_ms = Some((d[d.len() / 4], d[3 * d.len() / 4]));
        }
    }
}

fn creation_bursts(
    data: &Dataset,
    cluster_of: &[u32],
    background: Background,
    ev: &mut [Evidence],
) {
    let created = &data.accounts.created_ms;
    let known = |d: &Dataset| -> Vec<i64> {
        d.accounts
            .created_ms
            .iter()
            .copied()
            .filter(|&t| t != i64::MIN)
            .collect()
    };
    let mut all = match background {
        Background::Data => known(data),
        Background::Control(control, _) => known(control),
        Background::Reference => Vec::new(),
    };
    all.sort_unstable();
    let mut members: Vec<Vec<i64>> = vec![Vec::new(); ev.len()];
    for (u, &c) in cluster_of.iter().enumerate() {
        if c != NO_CLUSTER && created[u] != i64::MIN {
            members[c as usize].push(created[u]);
        }
    }
    for (e, mut t) in ev.iter_mut().zip(members) {
        e.created_known = t.len() as u64;
        if t.is_empty() {
            continue;
        }
        t.sort_unstable();
        let (mut best, mut start, mut j) = (0usize, t[0], 0usize);
        for i in 0..t.len() {
            while t[i] - t[j] > BURST_WINDOW_MS {
                j += 1;
            }
            if i + 1 - j > best {
                best = i + 1 - j;
                start = t[j];
            }
        }
        e.created_in_burst = best as u64;
        e.burst_start_ms = Some(start);
        e.burst_null = if all.is_empty() {
            Reference::created_within(BURST_WINDOW_MS, start + BURST_WINDOW_MS)
        } else {
            let lo = all.partition_point(|&x| x < start);
            let hi = all.partition_point(|&x| x <= start + BURST_WINDOW_MS);
            (hi - lo) as f64 / all.len() as f64
        };
    }
}

/// Per cluster: the members' own texts, and those another member also posted.
fn duplication(
    data: &Dataset,
    fused: &Fused,
    cluster_of: &[u32],
    clusters: usize,
) -> Vec<(u64, u64)> {
    let mut texts = vec![(0, 0); clusters];
    for r in 0..data.len() {
        let c = cluster_of[data.account[r] as usize];
        if c != NO_CLUSTER && data.kind(r) != TweetKind::Retweet && data.text[r] != u32::MAX {
            texts[c as usize].0 += 1;
        }
    }
    let Some(p) = fused
        .projections
        .iter()
        .find(|p| p.kind == CoactionKind::CoTweet)
    else {
        return texts;
    };
    let a = &p.actions;
    let mut buf: Vec<(u32, u32)> = Vec::new();
    for g in 0..a.items() {
        buf.clear();
        buf.extend(
            a.item(g)
                .map(|i| (cluster_of[a.account[i] as usize], a.account[i]))
                .filter(|x| x.0 != NO_CLUSTER),
        );
        buf.sort_unstable();
        for run in buf.chunk_by(|x, y| x.0 == y.0) {
            if run.iter().any(|x| x.1 != run[0].1) {
                texts[run[0].0 as usize].1 += run.len() as u64;
            }
        }
    }
    texts
}

/// Per cluster: the members' hashtag uses, the owned share of them (see the module), and the
/// members' share of all tweets.
fn hashtags(data: &Dataset, cluster_of: &[u32], clusters: usize) -> Vec<(u64, f64, f64)> {
    let mut uses = vec![0u64; data.hashtags.len()];
    let mut by_cluster: HashMap<(u32, u32), u64> = HashMap::new();
    let mut tweets = vec![0u64; clusters];
    let mut out = vec![(0, 0.0, 0.0); clusters];
    for r in 0..data.len() {
        let c = cluster_of[data.account[r] as usize];
        if c != NO_CLUSTER {
            tweets[c as usize] += 1;
        }
        for item in data
            .items(r)
            .iter()
            .filter(|i| i.kind() == ItemKind::Hashtag)
        {
            uses[item.id() as usize] += 1;
            if c != NO_CLUSTER {
                *by_cluster.entry((c, item.id())).or_default() += 1;
            }
        }
    }
    // Summed in a fixed order: a map's order changes from run to run, and so would the
    // last bits of the sum.
    let mut by_cluster: Vec<((u32, u32), u64)> = by_cluster.into_iter().collect();
    by_cluster.sort_unstable();
    for ((c, tag), n) in by_cluster {
        let o = &mut out[c as usize];
        o.0 += n;
        o.1 += n as f64 * n as f64 / uses[tag as usize] as f64;
    }
    for (o, t) in out.iter_mut().zip(tweets) {
        o.2 = t as f64 / data.len().max(1) as f64;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synchrony_is_the_strongest_timing_signal_and_a_shared_schedule_counts_half() {
        let rhythm = Rhythm {
            profiled: 95,
            profile_similarity: Some(0.9),
            profile_null: Some(0.5),
            active_hours: 980,
            shared_hours: 0,
            shared_null: Some(0.1),
            burst_members: 2,
        };
        let e = Evidence {
            rhythm: rhythm.clone(),
            ..Evidence::default()
        };
        // Only the schedule: half its excess (0.8), shrunk by 95 / (95 + 5).
        let s = parts_from(&e, 100).get(Part::Synchrony).unwrap();
        assert!((s - 0.5 * 0.8 * 0.95).abs() < 1e-12, "{s}");
        // Shared bursts in 90% of 980 active hours against a null of 10%.
        let e = Evidence {
            rhythm: Rhythm {
                shared_hours: 882,
                ..rhythm
            },
            ..Evidence::default()
        };
        let expected = shrunk_excess(882.0, 980.0, 0.1, PRIOR_ACTIONS);
        assert_eq!(parts_from(&e, 100).get(Part::Synchrony), Some(expected));
        assert!(expected > 0.85);
        // No timing evidence at all: no synchrony part.
        assert_eq!(
            parts_from(&Evidence::default(), 100).get(Part::Synchrony),
            None
        );
    }
}
