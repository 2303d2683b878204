//! What a cluster's pictures show of its members' rows: tweets by kind and by role over time,
//! their hours of the week, and the cluster's own retweets (delays, amplifier -> core lines,
//! the cores' most retweeted posts), with the data's span and time resolutions. A tally over
//! rows like the others ([`super::tally`]): taken where the rows are, added up.

use super::rhythm::hour_of_week;
use super::tally::{add_counts, each, Rows};
use super::{Role, NO_CLUSTER};
use crate::dataset::Dataset;
use crate::graphs::retweet::Sources;
use hashbrown::HashMap;

/// Upper edges of the retweet-delay bins, in seconds (the last bin is open).
pub const DELAY_EDGES_S: [i64; 11] = [
    10, 30, 60, 120, 300, 600, 1800, 3600, 10_800, 43_200, 86_400,
];

/// The delay bin of `ms`.
pub fn delay_bin(ms: i64) -> usize {
    DELAY_EDGES_S.partition_point(|&e| e * 1000 < ms)
}

/// What is asked: the clusters drawn, their members' roles and their time bins.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct TimelineAsk {
    /// Each account's cluster, or `NO_CLUSTER`; clusters from `bins.len()` on are not drawn.
    pub cluster_of: Vec<u32>,
    /// Each account's role (`Role as u8`).
    pub roles: Vec<u8>,
    /// Per drawn cluster: the first bin's start and each bin's width (ms), and how many bins.
    pub bins: Vec<(i64, i64, usize)>,
}

impl TimelineAsk {
    pub fn new(cluster_of: &[u32], roles: &[(Role, f64)], bins: Vec<(i64, i64, usize)>) -> Self {
        TimelineAsk {
            cluster_of: cluster_of.to_vec(),
            roles: roles.iter().map(|r| r.0 as u8).collect(),
            bins,
        }
    }

    /// The drawn cluster of `account`, if any.
    pub fn drawn(&self, account: u32) -> Option<usize> {
        let c = self.cluster_of[account as usize];
        (c != NO_CLUSTER && (c as usize) < self.bins.len()).then_some(c as usize)
    }
}

/// Per drawn cluster, what its members' rows show; and of every row, the span, the time
/// resolutions and the retweets' delays.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Timeline {
    /// Members' tweets per time bin, by kind (`TweetKind as usize`) and by role.
    pub by_kind: Vec<[Vec<u64>; 4]>,
    pub by_role: Vec<[Vec<u64>; 3]>,
    /// Members' tweets per day of the week and hour.
    pub week: Vec<[[u64; 24]; 7]>,
    /// Delays of retweets inside the cluster, by [`delay_bin`].
    pub delays: Vec<Vec<u64>>,
    /// Delays of every retweet of another account.
    pub all_delays: Vec<u64>,
    /// Retweets inside the cluster of a core, by (amplifier, core).
    pub lines: Vec<HashMap<(u32, u32), u64>>,
    /// Those retweets by the original's row, where it is in the data.
    pub posts: Vec<HashMap<u32, u64>>,
    /// The first and last tweet (ms), if any.
    pub span: Option<(i64, i64)>,
    /// Tweets per time resolution (`TimeResolution as usize`).
    pub resolutions: [u64; 4],
}

impl Timeline {
    fn new(ask: &TimelineAsk) -> Timeline {
        let drawn = ask.bins.len();
        let bins = |c: usize| vec![0; ask.bins[c].2];
        Timeline {
            by_kind: (0..drawn)
                .map(|c| std::array::from_fn(|_| bins(c)))
                .collect(),
            by_role: (0..drawn)
                .map(|c| std::array::from_fn(|_| bins(c)))
                .collect(),
            week: vec![[[0; 24]; 7]; drawn],
            delays: vec![vec![0; DELAY_EDGES_S.len() + 1]; drawn],
            all_delays: vec![0; DELAY_EDGES_S.len() + 1],
            lines: vec![HashMap::new(); drawn],
            posts: vec![HashMap::new(); drawn],
            span: None,
            resolutions: [0; 4],
        }
    }

    /// Rows `rows` of `data`, their retweets' sources in `sources`.
    pub fn of_rows<S: Sources + ?Sized>(
        data: &Dataset,
        rows: Rows,
        sources: &S,
        ask: &TimelineAsk,
    ) -> Timeline {
        let mut t = Timeline::new(ask);
        for r in each(rows) {
            let time = data.time_ms[r];
            t.span = Some(
                t.span
                    .map_or((time, time), |(a, b)| (a.min(time), b.max(time))),
            );
            t.resolutions[data.resolution(r) as usize] += 1;
            let a = data.account[r];
            let drawn = ask.drawn(a);
            if let Some(c) = drawn {
                let (first, per, n) = ask.bins[c];
                let bin = (((time - first) / per).max(0) as usize).min(n - 1);
                t.by_kind[c][data.kind(r) as usize][bin] += 1;
                t.by_role[c][ask.roles[a as usize] as usize][bin] += 1;
                let h = hour_of_week(time);
                t.week[c][h / 24][h % 24] += 1;
            }
            let Some(s) = sources.other_source(data, r) else {
                continue;
            };
            if let Some(ms) = s.delay_ms {
                t.all_delays[delay_bin(ms)] += 1;
            }
            let Some(c) = drawn.filter(|&c| ask.drawn(s.account) == Some(c)) else {
                continue;
            };
            if let Some(ms) = s.delay_ms {
                t.delays[c][delay_bin(ms)] += 1;
            }
            if ask.roles[s.account as usize] == Role::Core as u8 {
                *t.lines[c].entry((a, s.account)).or_default() += 1;
                if let Some(o) = s.original_row {
                    *t.posts[c].entry(o).or_default() += 1;
                }
            }
        }
        t
    }
}

/// This tally and `other` (of other rows), as one.
impl std::ops::Add for Timeline {
    type Output = Timeline;

    fn add(mut self, other: Timeline) -> Timeline {
        for (x, y) in self.by_kind.iter_mut().zip(&other.by_kind) {
            x.iter_mut().zip(y).for_each(|(x, y)| add_counts(x, y));
        }
        for (x, y) in self.by_role.iter_mut().zip(&other.by_role) {
            x.iter_mut().zip(y).for_each(|(x, y)| add_counts(x, y));
        }
        for (x, y) in self.week.iter_mut().zip(&other.week) {
            x.iter_mut().zip(y).for_each(|(x, y)| add_slice(x, y));
        }
        for (x, y) in self.delays.iter_mut().zip(&other.delays) {
            add_counts(x, y);
        }
        add_counts(&mut self.all_delays, &other.all_delays);
        add_maps(&mut self.lines, other.lines);
        add_maps(&mut self.posts, other.posts);
        self.span = match (self.span, other.span) {
            (Some((a, b)), Some((c, d))) => Some((a.min(c), b.max(d))),
            (x, y) => x.or(y),
        };
        add_slice(&mut self.resolutions, &other.resolutions);
        self
    }
}

fn add_maps<K: std::hash::Hash + Eq>(a: &mut [HashMap<K, u64>], b: Vec<HashMap<K, u64>>) {
    for (x, y) in a.iter_mut().zip(b) {
        for (k, n) in y {
            *x.entry(k).or_default() += n;
        }
    }
}

fn add_slice(a: &mut [u64], b: &[u64]) {
    a.iter_mut().zip(b).for_each(|(x, &y)| *x += y);
}
