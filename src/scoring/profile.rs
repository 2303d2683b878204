//! The network profile takedown announcements give: tweets, tweets per account, languages, top
//! hashtags and domains, the accounts outside the cluster it amplifies, account age at first
//! tweet, followers, time span.

use super::features::Activity;
use super::tally::add_counts;
use super::tally::{each, Rows};
use super::NO_CLUSTER;
use crate::dataset::Dataset;
use crate::dataset::ItemKind;
use crate::graphs::retweet::Sources;
use crate::ingest::text;
use hashbrown::HashMap;

const YEAR_MS: i64 = 365 * 86_400_000;
/// Top hashtags, domains and languages listed per cluster.
const TOP: usize = 5;

/// A cluster's takedown profile: what its members post, with what, and who they are.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Profile {
    pub tweets: u64,
    pub tweets_per_account: f64,
    /// Language codes with their share of the cluster's tweets, largest first.
    pub languages: Vec<(String, f64)>,
    /// The apps the cluster posted with, with their share of its tweets whose app is known:
    /// one app for a whole network is a classic takedown finding.
    pub clients: Vec<(String, f64)>,
    /// Hashtags with their tweet counts, largest first.
    pub top_hashtags: Vec<(String, u64)>,
    pub top_domains: Vec<(String, u64)>,
    /// Accounts outside the cluster that its members retweet most (screen name or id), with
    /// the retweets: what an operation amplifies is not one of its members.
    pub amplified_accounts: Vec<(String, u64)>,
    pub first_tweet_ms: Option<i64>,
    pub last_tweet_ms: Option<i64>,
    /// Share of members (with a known creation date) under one year old at their first tweet.
    pub young_share: Option<f64>,
    pub median_followers: Option<u32>,
}

fn top<K: Clone + Ord>(counts: HashMap<K, u64>, n: usize) -> Vec<(K, u64)> {
    let mut v: Vec<(K, u64)> = counts.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v.truncate(n);
    v
}

/// Every cluster's profile, from all of `data`'s rows.
pub fn profiles<S: Sources + ?Sized>(
    data: &Dataset,
    activity: &Activity,
    sources: &S,
    cluster_of: &[u32],
    clusters: usize,
) -> Vec<Profile> {
    let all = 0..data.len();
    let t = ProfileTally::of_rows(
        data,
        std::slice::from_ref(&all),
        sources,
        cluster_of,
        clusters,
    );
    t.finish(data, activity, cluster_of)
}

/// Per cluster, what its members' rows say: counts that add up over parts of the rows.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ProfileTally {
    tweets: Vec<u64>,
    langs: Vec<HashMap<u16, u64>>,
    apps: Vec<HashMap<u16, u64>>,
    tags: Vec<HashMap<u32, u64>>,
    /// By URL id (domains are counted when finished).
    urls: Vec<HashMap<u32, u64>>,
    /// Retweets of accounts outside the cluster, by account.
    amplified: Vec<HashMap<u32, u64>>,
}

impl ProfileTally {
    /// Rows `rows`, their retweets' sources in `sources` (by row).
    pub fn of_rows<S: Sources + ?Sized>(
        data: &Dataset,
        rows: Rows,
        sources: &S,
        cluster_of: &[u32],
        clusters: usize,
    ) -> ProfileTally {
        let mut t = ProfileTally {
            tweets: vec![0; clusters],
            langs: vec![HashMap::new(); clusters],
            apps: vec![HashMap::new(); clusters],
            tags: vec![HashMap::new(); clusters],
            urls: vec![HashMap::new(); clusters],
            amplified: vec![HashMap::new(); clusters],
        };
        for r in each(rows) {
            let c = cluster_of[data.account[r] as usize];
            if c == NO_CLUSTER {
                continue;
            }
            let c = c as usize;
            if let Some(s) = sources.source_account(data, r) {
                if cluster_of[s as usize] != c as u32 && s != data.account[r] {
                    *t.amplified[c].entry(s).or_default() += 1;
                }
            }
            t.tweets[c] += 1;
            *t.langs[c].entry(data.lang[r]).or_default() += 1;
            if data.client[r] != 0 {
                *t.apps[c].entry(data.client[r]).or_default() += 1;
            }
            // Tweets, not uses: a tag written twice in one tweet counts once.
            let items = data.items(r);
            for (i, item) in items.iter().enumerate() {
                if items[..i].contains(item) {
                    continue;
                }
                match item.kind() {
                    ItemKind::Hashtag => *t.tags[c].entry(item.id()).or_default() += 1,
                    ItemKind::Url => *t.urls[c].entry(item.id()).or_default() += 1,
                    _ => {}
                }
            }
        }
        t
    }

    /// Every cluster's profile, from the tally of all the rows.
    pub fn finish(self, data: &Dataset, activity: &Activity, cluster_of: &[u32]) -> Vec<Profile> {
        let ProfileTally {
            tweets,
            mut langs,
            mut apps,
            mut tags,
            urls,
            mut amplified,
        } = self;
        let clusters = tweets.len();
        let mut domains: Vec<HashMap<&str, u64>> = (urls.into_iter())
            .map(|urls| {
                let mut d: HashMap<&str, u64> = HashMap::new();
                for (url, n) in urls {
                    *d.entry(text::domain(data.urls.get(url))).or_default() += n;
                }
                d
            })
            .collect();
        let mut members: Vec<Vec<u32>> = vec![Vec::new(); clusters];
        for (u, &c) in cluster_of.iter().enumerate() {
            if c != NO_CLUSTER {
                members[c as usize].push(u as u32);
            }
        }
        (0..clusters)
            .map(|c| {
                let m = &members[c];
                // Shares of the tweets whose language the input gives (an input without a
                // language column gives none), as the apps' are of those that name one.
                let mut of_lang = std::mem::take(&mut langs[c]);
                of_lang.remove(&0);
                let total = of_lang.values().sum::<u64>().max(1) as f64;
                let languages = top(of_lang, TOP)
                    .into_iter()
                    .map(|(l, n)| (data.langs.get(l as u32).to_string(), n as f64 / total))
                    .collect();
                let known: u64 = apps[c].values().sum();
                let clients = top(std::mem::take(&mut apps[c]), TOP)
                    .into_iter()
                    .map(|(a, n)| {
                        (
                            data.clients.get(a as u32).to_string(),
                            n as f64 / known as f64,
                        )
                    })
                    .collect();
                let top_hashtags = top(std::mem::take(&mut tags[c]), TOP)
                    .into_iter()
                    .map(|(t, n)| (data.hashtags.get(t).to_string(), n))
                    .collect();
                let top_domains = top(std::mem::take(&mut domains[c]), TOP)
                    .into_iter()
                    .map(|(d, n)| (d.to_string(), n))
                    .collect();
                let amplified_accounts = top(std::mem::take(&mut amplified[c]), TOP)
                    .into_iter()
                    .map(|(a, n)| {
                        let name = data.accounts.screen_name(a).unwrap_or(data.accounts.key(a));
                        (name.to_string(), n)
                    })
                    .collect();
                let first = m.iter().map(|&u| activity.first_ms[u as usize]).min();
                let last = m.iter().map(|&u| activity.last_ms[u as usize]).max();
                let ages: Vec<bool> = m
                    .iter()
                    .filter(|&&u| {
                        data.accounts.created_ms[u as usize] != i64::MIN
                            && activity.tweets[u as usize] > 0
                    })
                    .map(|&u| {
                        activity.first_ms[u as usize] - data.accounts.created_ms[u as usize]
                            < YEAR_MS
                    })
                    .collect();
                let mut followers: Vec<u32> = m
                    .iter()
                    .map(|&u| data.accounts.followers[u as usize])
                    .filter(|&f| f != u32::MAX)
                    .collect();
                followers.sort_unstable();
                Profile {
                    tweets: tweets[c],
                    tweets_per_account: tweets[c] as f64 / m.len().max(1) as f64,
                    languages,
                    clients,
                    top_hashtags,
                    top_domains,
                    amplified_accounts,
                    first_tweet_ms: first.filter(|&t| t != i64::MAX),
                    last_tweet_ms: last.filter(|&t| t != i64::MIN),
                    young_share: (!ages.is_empty())
                        .then(|| ages.iter().filter(|&&y| y).count() as f64 / ages.len() as f64),
                    median_followers: followers.get(followers.len() / 2).copied(),
                }
            })
            .collect()
    }
}

/// This tally and `other` (of other rows), as one.
impl std::ops::Add for ProfileTally {
    type Output = ProfileTally;

    fn add(mut self, other: ProfileTally) -> ProfileTally {
        fn add<K: std::hash::Hash + Eq>(x: &mut [HashMap<K, u64>], y: Vec<HashMap<K, u64>>) {
            for (x, y) in x.iter_mut().zip(y) {
                for (k, n) in y {
                    *x.entry(k).or_default() += n;
                }
            }
        }
        add_counts(&mut self.tweets, &other.tweets);
        add(&mut self.langs, other.langs);
        add(&mut self.apps, other.apps);
        add(&mut self.tags, other.tags);
        add(&mut self.urls, other.urls);
        add(&mut self.amplified, other.amplified);
        self
    }
}
