//! Per-account features: what each account did on its own (tweets by kind, activity span) and
//! how it relates to its cluster (retweets made to and received from the cluster's members,
//! and how fast). Kept as an `ndarray` matrix, one row per account, one named column per
//! feature, so the report writes whichever columns exist and learned parts read them as is.

use super::tally::{add_counts, each, Rows};
use super::NO_CLUSTER;
use crate::dataset::time::DAY_MS;
use crate::dataset::Dataset;
use crate::dataset::TweetKind;
use crate::graphs::retweet::{quantile, Sources};
use ndarray::Array2;

/// What each account did, from its own rows.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Activity {
    pub tweets: Vec<u32>,
    pub originals: Vec<u32>,
    pub retweets: Vec<u32>,
    pub replies: Vec<u32>,
    pub quotes: Vec<u32>,
    /// First and last tweet, ms (`i64::MAX` / `i64::MIN` for accounts that never tweeted).
    pub first_ms: Vec<i64>,
    pub last_ms: Vec<i64>,
    /// The days (since the epoch, UTC) the rows have tweets on, ascending.
    pub days: Vec<i64>,
}

impl Activity {
    /// The activity of every account, from all of `data`'s rows.
    pub fn of(data: &Dataset) -> Activity {
        Activity::of_rows(
            data,
            std::slice::from_ref(&(0..data.len())),
            data.accounts.len(),
        )
    }

    /// What rows `rows` tell of the activity of each of `accounts` accounts: the activities
    /// of parts of the rows add up (`+`) to the whole's.
    pub fn of_rows(data: &Dataset, rows: Rows, accounts: usize) -> Activity {
        let n = accounts;
        let mut a = Activity {
            tweets: vec![0; n],
            originals: vec![0; n],
            retweets: vec![0; n],
            replies: vec![0; n],
            quotes: vec![0; n],
            first_ms: vec![i64::MAX; n],
            last_ms: vec![i64::MIN; n],
            days: Vec::new(),
        };
        for r in each(rows) {
            let day = data.time_ms[r].div_euclid(DAY_MS);
            // Rows come in time order, so a day's rows are together.
            if a.days.last() != Some(&day) {
                a.days.push(day);
            }
            let u = data.account[r] as usize;
            a.tweets[u] += 1;
            match data.kind(r) {
                TweetKind::Original => a.originals[u] += 1,
                TweetKind::Retweet => a.retweets[u] += 1,
                TweetKind::Reply => a.replies[u] += 1,
                TweetKind::Quote => a.quotes[u] += 1,
            }
            a.first_ms[u] = a.first_ms[u].min(data.time_ms[r]);
            a.last_ms[u] = a.last_ms[u].max(data.time_ms[r]);
        }
        a.days.sort_unstable(); // in case the rows' ranges are not in order
        a.days.dedup();
        a
    }

    /// Share of an account's tweets that it wrote itself (everything but retweets).
    pub fn own_share(&self, u: usize) -> f64 {
        if self.tweets[u] == 0 {
            return 0.0;
        }
        1.0 - self.retweets[u] as f64 / self.tweets[u] as f64
    }
}

/// This activity and `other` (of other rows), as one.
impl std::ops::Add<&Activity> for Activity {
    type Output = Activity;

    fn add(mut self, other: &Activity) -> Activity {
        add_counts(&mut self.tweets, &other.tweets);
        add_counts(&mut self.originals, &other.originals);
        add_counts(&mut self.retweets, &other.retweets);
        add_counts(&mut self.replies, &other.replies);
        add_counts(&mut self.quotes, &other.quotes);
        (self.first_ms.iter_mut().zip(&other.first_ms)).for_each(|(x, &y)| *x = (*x).min(y));
        (self.last_ms.iter_mut().zip(&other.last_ms)).for_each(|(x, &y)| *x = (*x).max(y));
        self.days.extend_from_slice(&other.days);
        self.days.sort_unstable();
        self.days.dedup();
        self
    }
}

/// Amplification inside clusters: retweets whose amplifier and source share a cluster.
#[derive(Clone, Debug, Default)]
pub struct Amplification {
    /// Retweets an account made of members of its own cluster.
    pub made: Vec<u32>,
    /// Retweets an account received from members of its own cluster.
    pub received: Vec<u32>,
    /// Median delay of the account's in-cluster retweets, ms (`-1` if none known).
    pub median_delay_ms: Vec<i64>,
}

impl Amplification {
    /// The retweets among members of every cluster, from all of `data`'s rows.
    pub fn of<S: Sources + ?Sized>(
        data: &Dataset,
        sources: &S,
        cluster_of: &[u32],
    ) -> Amplification {
        let all = 0..data.len();
        Amplification::of_rows(data, std::slice::from_ref(&all), sources, cluster_of).finish()
    }

    /// What rows `rows` (their retweets' sources in `sources`, by row) tell: parts of the rows
    /// add up (`+`), and the sum is finished once.
    pub fn of_rows<S: Sources + ?Sized>(
        data: &Dataset,
        rows: Rows,
        sources: &S,
        cluster_of: &[u32],
    ) -> AmplificationTally {
        let n = cluster_of.len();
        let mut t = AmplificationTally {
            made: vec![0; n],
            received: vec![0; n],
            delays: Vec::new(),
        };
        for r in each(rows) {
            let Some(s) = sources.source_account(data, r) else {
                continue;
            };
            let u = data.account[r];
            if s == u {
                continue;
            }
            let c = cluster_of[u as usize];
            if c == NO_CLUSTER || cluster_of[s as usize] != c {
                continue;
            }
            t.made[u as usize] += 1;
            t.received[s as usize] += 1;
            if let Some(d) = sources.source(data, r).and_then(|s| s.delay_ms) {
                t.delays.push((u, d));
            }
        }
        t
    }
}

/// Amplification counted over some rows: retweets made and received in one's own cluster,
/// and the delays of those made (any order).
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AmplificationTally {
    made: Vec<u32>,
    received: Vec<u32>,
    delays: Vec<(u32, i64)>,
}

impl AmplificationTally {
    /// Each account's counts, and the median of its delays.
    pub fn finish(mut self) -> Amplification {
        let mut median_delay_ms = vec![-1; self.made.len()];
        self.delays.sort_unstable();
        for run in self.delays.chunk_by(|x, y| x.0 == y.0) {
            median_delay_ms[run[0].0 as usize] = quantile(run, 0.5).1;
        }
        Amplification {
            made: self.made,
            received: self.received,
            median_delay_ms,
        }
    }
}

/// This tally and `other` (of other rows), as one.
impl std::ops::Add for AmplificationTally {
    type Output = AmplificationTally;

    fn add(mut self, other: AmplificationTally) -> AmplificationTally {
        add_counts(&mut self.made, &other.made);
        add_counts(&mut self.received, &other.received);
        self.delays.extend(other.delays);
        self
    }
}

/// The account feature matrix: `values[[account, j]]` is feature `names[j]`.
#[derive(Clone, Debug)]
pub struct AccountFeatures {
    pub names: Vec<&'static str>,
    pub values: Array2<f64>,
}

impl AccountFeatures {
    /// The feature called `name`, by account.
    pub fn column(&self, name: &str) -> ndarray::ArrayView1<'_, f64> {
        let i = (self.names.iter().position(|n| *n == name))
            .unwrap_or_else(|| panic!("no account feature {name}"));
        self.values.column(i)
    }

    /// Every account's features, in accounts.csv's order of columns.
    pub fn build(
        activity: &Activity,
        amp: &Amplification,
        strength: &[f64],
        internal: &[f64],
    ) -> AccountFeatures {
        let names = vec![
            "tweets",
            "originals",
            "retweets",
            "replies",
            "quotes",
            "own_share",
            "retweets_to_cluster",
            "retweeted_by_cluster",
            "median_delay_to_cluster_s",
            "fused_strength",
            "internal_strength",
        ];
        let n = activity.tweets.len();
        let mut values = Array2::<f64>::zeros((n, names.len()));
        for (u, mut row) in values.rows_mut().into_iter().enumerate() {
            let delay = amp.median_delay_ms[u];
            let cells = [
                activity.tweets[u] as f64,
                activity.originals[u] as f64,
                activity.retweets[u] as f64,
                activity.replies[u] as f64,
                activity.quotes[u] as f64,
                activity.own_share(u),
                amp.made[u] as f64,
                amp.received[u] as f64,
                if delay < 0 {
                    f64::NAN
                } else {
                    delay as f64 / 1e3
                },
                strength[u],
                internal[u],
            ];
            for (slot, v) in row.iter_mut().zip(cells) {
                *slot = v;
            }
        }
        AccountFeatures { names, values }
    }
}
