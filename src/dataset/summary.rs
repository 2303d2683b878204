//! A dataset at a glance: what `coordnet stats` prints.

use super::*;
use serde::Serialize;

/// Counts of a dataset's tweets by kind, accounts and items, its time span and resolution,
/// its apps and the memory it holds.
#[derive(Debug, Serialize)]
pub struct Summary {
    /// Rows, each a tweet.
    pub tweets: usize,
    /// Posts of one's own: neither retweet, reply nor quote.
    pub originals: usize,
    /// Retweets.
    pub retweets: usize,
    /// Replies.
    pub replies: usize,
    /// Quotes.
    pub quotes: usize,
    /// Retweets whose source account is not known (the IRA layout's case).
    pub retweets_without_source: usize,
    /// Distinct posts retweeted, where the retweets name them: co-retweet's items.
    pub retweeted_posts: usize,
    /// Accounts that posted at least one tweet.
    pub posting_accounts: usize,
    /// All accounts seen: posting, retweeted, replied to or mentioned.
    pub accounts: usize,
    /// Distinct hashtags.
    pub hashtags: usize,
    /// Distinct normalized URLs.
    pub urls: usize,
    /// Distinct texts.
    pub distinct_texts: usize,
    /// Uses of hashtags, over every tweet.
    pub hashtag_uses: usize,
    /// Uses of URLs, over every tweet.
    pub url_uses: usize,
    /// Mentions, over every tweet.
    pub mention_uses: usize,
    /// The first tweet's time, UTC, as RFC 3339.
    pub first_time: Option<String>,
    /// The last tweet's time.
    pub last_time: Option<String>,
    /// Tweets per time resolution (`millisecond`, `second`, `minute`, `day`).
    pub time_resolution: BTreeMap<&'static str, usize>,
    /// The apps tweets were posted with, most used first (at most `TOP_CLIENTS`), with their
    /// tweets; tweets whose app the format does not give are not counted.
    pub clients: Vec<(String, usize)>,
    /// What the dataset holds in memory.
    pub memory: Memory,
}

use std::collections::BTreeMap;

/// Apps listed at most.
const TOP_CLIENTS: usize = 10;

impl Summary {
    /// The summary of `d`.
    pub fn of(d: &Dataset) -> Summary {
        let mut by_kind = [0usize; 4];
        let mut resolution = BTreeMap::new();
        let mut retweets_without_source = 0;
        let mut retweeted: Vec<u64> = Vec::new();
        for row in 0..d.len() {
            let kind = d.kind(row);
            by_kind[kind as usize] += 1;
            if kind == TweetKind::Retweet && d.target_account[row] == NO_ACCOUNT {
                retweets_without_source += 1;
            }
            if kind == TweetKind::Retweet && d.target_tweet[row] != NO_TWEET {
                retweeted.push(d.target_tweet[row]);
            }
            *resolution.entry(d.resolution(row).name()).or_insert(0) += 1;
        }
        retweeted.sort_unstable();
        retweeted.dedup();
        let mut posting = vec![false; d.accounts.len()];
        for &a in &d.account {
            posting[a as usize] = true;
        }
        let uses = |k: ItemKind| d.items.iter().filter(|i| i.kind() == k).count();
        let mut by_client = vec![0usize; d.clients.len()];
        d.client.iter().for_each(|&c| by_client[c as usize] += 1);
        let mut clients: Vec<(String, usize)> = by_client
            .iter()
            .enumerate()
            .skip(1)
            .filter(|&(_, &n)| n > 0)
            .map(|(c, &n)| (d.clients.get(c as u32).to_string(), n))
            .collect();
        clients.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        clients.truncate(TOP_CLIENTS);
        Summary {
            tweets: d.len(),
            originals: by_kind[TweetKind::Original as usize],
            retweets: by_kind[TweetKind::Retweet as usize],
            replies: by_kind[TweetKind::Reply as usize],
            quotes: by_kind[TweetKind::Quote as usize],
            retweets_without_source,
            retweeted_posts: retweeted.len(),
            posting_accounts: posting.iter().filter(|&&p| p).count(),
            accounts: d.accounts.len(),
            hashtags: d.hashtags.len(),
            urls: d.urls.len(),
            distinct_texts: d.texts.len(),
            hashtag_uses: uses(ItemKind::Hashtag),
            url_uses: uses(ItemKind::Url),
            mention_uses: uses(ItemKind::Mention),
            first_time: d
                .time_ms
                .first()
                .map(|&t| crate::dataset::time::format_iso(t)),
            last_time: d
                .time_ms
                .last()
                .map(|&t| crate::dataset::time::format_iso(t)),
            time_resolution: resolution,
            clients,
            memory: d.memory(),
        }
    }
}
