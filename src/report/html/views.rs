//! What each drawn cluster's pictures show, gathered in one pass over the data.

use super::network::{self, Member};
use crate::dataset::time::DAY_MS;
use crate::dataset::{Dataset, TweetKind};
use crate::error::Result;
use crate::pipeline::Detection;
use crate::scoring::tally::Elsewhere;
use crate::scoring::timeline::{Timeline, TimelineAsk, DELAY_EDGES_S};
use crate::scoring::{Reference, Role};
use hashbrown::HashMap;

/// Bars per time chart at most: longer spans are binned by several days.
const MAX_TIME_BINS: i64 = 60;
/// The delay bins within 5 minutes (the first five of `DELAY_EDGES_S`, up to 300 s).
pub const FIVE_MINUTES_BIN: usize = 5;
/// Follower bins: below 1, 10, 100, ... (the last open).
const FOLLOWER_LABELS: [&str; 7] = [
    "0", "1-9", "10-99", "100-999", "1k-10k", "10k-100k", "100k+",
];
/// Cores whose most retweeted posts are shown, and posts each.
const EXAMPLE_CORES: usize = 3;
const EXAMPLES_PER_CORE: usize = 2;

pub struct ClusterView {
    pub bin_name: String,
    /// The first day of each time bin.
    pub bin_starts: Vec<String>,
    pub by_kind: Vec<(&'static str, Vec<u64>)>,
    pub by_role: Vec<(&'static str, Vec<u64>)>,
    pub week: [[u64; 24]; 7],
    pub delay_labels: Vec<String>,
    pub delays: Vec<f64>,
    pub delay_null: Option<(String, Vec<f64>)>,
    pub created_labels: Vec<String>,
    pub created: Vec<f64>,
    pub created_null: Option<(String, Vec<f64>)>,
    pub followers_labels: Vec<String>,
    pub followers: Vec<f64>,
    pub followers_null: Option<(String, Vec<f64>)>,
    pub drawing: String,
    /// (core, text, retweets by members) of the cores' most retweeted posts.
    pub examples: Vec<(String, String, u64)>,
}

fn shares(counts: &[u64]) -> Vec<f64> {
    let total = counts.iter().sum::<u64>().max(1) as f64;
    counts.iter().map(|&n| n as f64 / total).collect()
}

/// The share of all `values` in each bin from `lo` to `hi`, those outside included in the
/// whole: a background's accounts mostly fall outside the months a cluster's were created
/// in, and shares of those inside alone would make every month shown look common.
fn shares_of_all(values: &mut dyn Iterator<Item = i64>, lo: i64, hi: i64) -> Vec<f64> {
    let mut n = vec![0u64; (hi - lo + 1).max(0) as usize];
    let mut all = 0u64;
    for x in values {
        all += 1;
        if (lo..=hi).contains(&x) {
            n[(x - lo) as usize] += 1;
        }
    }
    let all = all.max(1) as f64;
    n.iter().map(|&k| k as f64 / all).collect()
}

fn follower_bin(f: u32) -> usize {
    match f {
        0 => 0,
        f => ((f as f64).log10().floor() as usize + 1).min(FOLLOWER_LABELS.len() - 1),
    }
}

/// Months since year 0 of a time.
fn month_of(ms: i64) -> i64 {
    let (y, m, ..) = crate::dataset::time::civil_from_ms(ms);
    y * 12 + m as i64 - 1
}

/// The standard normal distribution function (Abramowitz and Stegun 7.1.26, to 1.5e-7).
fn normal_cdf(z: f64) -> f64 {
    let x = z.abs() / std::f64::consts::SQRT_2;
    let t = 1.0 / (1.0 + 0.327_591_1 * x);
    let poly = t
        * (0.254_829_592
            + t * (-0.284_496_736
                + t * (1.421_413_741 + t * (-1.453_152_027 + t * 1.061_405_429))));
    let erf = 1.0 - poly * (-x * x).exp();
    if z >= 0.0 {
        0.5 * (1.0 + erf)
    } else {
        0.5 * (1.0 - erf)
    }
}

/// The reference delays of [`Reference::RETWEETS_WITHIN_5MIN`] (log-normal, median 1 h, sigma
/// 4.7), as shares of the delay bins.
fn reference_delays() -> Vec<f64> {
    let cdf = |s: f64| normal_cdf(((s.max(1e-3)).ln() - 3600f64.ln()) / 4.7);
    let mut prev = 0.0;
    let mut out: Vec<f64> = DELAY_EDGES_S
        .iter()
        .map(|&e| {
            let c = cdf(e as f64);
            let share = c - prev;
            prev = c;
            share
        })
        .collect();
    out.push(1.0 - prev);
    out
}

/// What to ask of the rows for the first `max` clusters' views: each drawn cluster's time bins
/// (days, or several days past [`MAX_TIME_BINS`]).
pub fn ask(d: &Detection, max: usize) -> TimelineAsk {
    let drawn = d.clusters.len().min(max);
    let bins: Vec<(i64, i64, usize)> = d.clusters[..drawn]
        .iter()
        .map(|c| {
            let first = c.profile.first_tweet_ms.unwrap_or(0).div_euclid(DAY_MS) * DAY_MS;
            let last = c.profile.last_tweet_ms.unwrap_or(first);
            let days = (last - first) / DAY_MS + 1;
            let per = (days + MAX_TIME_BINS - 1) / MAX_TIME_BINS;
            (
                first,
                per.max(1) * DAY_MS,
                ((days + per - 1) / per.max(1)) as usize,
            )
        })
        .collect();
    TimelineAsk::new(&d.cluster_of, &d.roles, bins)
}

/// The views of the clusters `ask` drew, from what the rows showed (`timeline`).
pub fn gather(
    data: &Dataset,
    d: &Detection,
    ask: &TimelineAsk,
    timeline: Timeline,
) -> Result<Vec<ClusterView>> {
    let drawn = ask.bins.len();
    let bins = &ask.bins;
    let Timeline {
        mut by_kind,
        mut by_role,
        week,
        delays,
        all_delays,
        lines,
        posts,
        span,
        ..
    } = timeline;
    // The nulls the score used: the data's own, or the platform reference. A control's
    // figures are not at hand here, so against a control no null is drawn (the parts table
    // and the explanation give the control's).
    let background = d.input.background;
    let data_background = background == crate::scoring::Background::Data.name();
    let reference_background = background == crate::scoring::Background::Reference.name();
    let delay_null = if data_background {
        Some(("all retweets in the data".to_string(), shares(&all_delays)))
    } else {
        reference_background.then(|| ("platform reference".to_string(), reference_delays()))
    };
    // Each bin by its upper edge, the last by the edge it is past.
    let edge = |e: i64| crate::graphs::format_duration(e * 1000);
    let mut delay_labels: Vec<String> = DELAY_EDGES_S
        .iter()
        .map(|&e| format!("≤{}", edge(e)))
        .collect();
    delay_labels.extend(DELAY_EDGES_S.last().map(|&e| format!(">{}", edge(e))));
    // Members by cluster.
    let mut members: Vec<Vec<u32>> = vec![Vec::new(); drawn];
    for (u, _) in d.cluster_of.iter().enumerate() {
        if let Some(c) = ask.drawn(u as u32) {
            members[c].push(u as u32);
        }
    }
    let posting: Vec<u32> = (0..data.accounts.len() as u32)
        .filter(|&u| d.activity.tweets[u as usize] > 0)
        .collect();
    let follower_shares = |who: &mut dyn Iterator<Item = u32>| {
        let mut n = vec![0u64; FOLLOWER_LABELS.len()];
        for u in who {
            let f = data.accounts.followers[u as usize];
            if f != u32::MAX {
                n[follower_bin(f)] += 1;
            }
        }
        shares(&n)
    };
    let all_followers = follower_shares(&mut posting.iter().copied());
    let first_tweet = span.map_or(0, |s| s.0);
    let mut examples = examples(data, &posts, &d.rows)?;
    Ok((0..drawn)
        .map(|c| {
            let m = &members[c];
            let (first, per, _) = bins[c];
            let bin_name = match per / DAY_MS {
                1 => "day".to_string(),
                7 => "week".to_string(),
                k => format!("{k} days"),
            };
            // Creation months of the members (years, if they span more than four), against
            // the background's.
            let months: Vec<i64> = m
                .iter()
                .map(|&u| data.accounts.created_ms[u as usize])
                .filter(|&t| t != i64::MIN)
                .map(month_of)
                .collect();
            let (lo, hi) = (
                months.iter().copied().min().unwrap_or(0),
                months.iter().copied().max().unwrap_or(0),
            );
            let by_year = hi - lo > 48;
            let unit = |mo: i64| if by_year { mo.div_euclid(12) } else { mo };
            let (lo, hi) = if by_year {
                (unit(lo).max(unit(hi) - 19), unit(hi))
            } else {
                (lo - 3, hi + 3)
            };
            let bin_shares =
                |ms: &mut dyn Iterator<Item = i64>| shares_of_all(&mut ms.map(unit), lo, hi);
            let created = bin_shares(&mut months.iter().copied());
            let created_null = if data_background {
                let all: Vec<i64> = posting
                    .iter()
                    .map(|&u| data.accounts.created_ms[u as usize])
                    .filter(|&t| t != i64::MIN)
                    .map(month_of)
                    .collect();
                Some(("all accounts".to_string(), bin_shares(&mut all.into_iter())))
            } else if reference_background {
                // Creations spread evenly over the platform's life up to the data.
                let days: Vec<i64> = (Reference::PLATFORM_START_MS / DAY_MS
                    ..first_tweet.max(Reference::PLATFORM_START_MS) / DAY_MS)
                    .map(|day| month_of(day * DAY_MS))
                    .collect();
                Some((
                    "platform reference".to_string(),
                    bin_shares(&mut days.into_iter()),
                ))
            } else {
                None
            };
            let created_labels: Vec<String> = (lo..=hi)
                .map(|x| {
                    if by_year {
                        x.to_string()
                    } else {
                        format!("{}-{:02}", x.div_euclid(12), x.rem_euclid(12) + 1)
                    }
                })
                .collect();
            // No creation date among the members: nothing to draw (the page says so).
            let (created, created_null, created_labels) = match months.is_empty() {
                true => (Vec::new(), None, Vec::new()),
                false => (created, created_null, created_labels),
            };
            let roster: Vec<Member> = m
                .iter()
                .map(|&u| Member {
                    label: data
                        .accounts
                        .screen_name(u)
                        .unwrap_or(data.accounts.key(u))
                        .to_string(),
                    core: d.roles[u as usize].0 == Role::Core,
                })
                .collect();
            let index: HashMap<u32, usize> = m.iter().enumerate().map(|(i, &u)| (u, i)).collect();
            let mut edges: Vec<(usize, usize, u64)> = lines[c]
                .iter()
                .map(|(&(a, s), &n)| (index[&a], index[&s], n))
                .collect();
            edges.sort_unstable();
            let bins = by_kind[c].first().map_or(0, Vec::len) as i64;
            let day = |b: i64| crate::dataset::time::format_iso(first + b * per)[..10].to_string();
            ClusterView {
                bin_name,
                bin_starts: (0..bins).map(day).collect(),
                by_kind: [
                    TweetKind::Original,
                    TweetKind::Retweet,
                    TweetKind::Reply,
                    TweetKind::Quote,
                ]
                .into_iter()
                .map(|k| (k.name(), std::mem::take(&mut by_kind[c][k as usize])))
                .collect(),
                by_role: [Role::Core, Role::Amplifier, Role::Other]
                    .into_iter()
                    .map(|r| (r.name(), std::mem::take(&mut by_role[c][r as usize])))
                    .collect(),
                week: week[c],
                delay_labels: delay_labels.clone(),
                delays: shares(&delays[c]),
                delay_null: delay_null.clone(),
                created_labels,
                created,
                created_null,
                followers_labels: FOLLOWER_LABELS.iter().map(|s| s.to_string()).collect(),
                followers: follower_shares(&mut m.iter().copied()),
                followers_null: data_background
                    .then(|| ("all accounts".to_string(), all_followers.clone())),
                drawing: network::draw(&roster, &edges),
                examples: std::mem::take(&mut examples[c]),
            }
        })
        .collect())
}

/// Per cluster, the most retweeted posts of its most retweeted cores (`posts`: each
/// cluster's posts by row), their authors and texts asked once for every cluster wherever
/// the rows are held.
fn examples(
    data: &Dataset,
    posts: &[HashMap<u32, u64>],
    rows: &Elsewhere,
) -> Result<Vec<Vec<(String, String, u64)>>> {
    let asked: Vec<u32> = posts.iter().flat_map(|p| p.keys().copied()).collect();
    let mut authors = rows.rows(data, &asked, false)?.into_iter();
    // Per cluster, (account, retweets, row) of the posts shown.
    let shown: Vec<Vec<(u32, u64, u32)>> = (posts.iter())
        .map(|posts| {
            let mut by_core: HashMap<u32, Vec<(u64, u32)>> = HashMap::new();
            for ((&row, &n), (account, _)) in posts.iter().zip(authors.by_ref()) {
                by_core.entry(account).or_default().push((n, row));
            }
            // (retweets of the core, core, its posts as (retweets, row)).
            type Core = (u64, u32, Vec<(u64, u32)>);
            let mut cores: Vec<Core> = by_core
                .into_iter()
                .map(|(a, mut p)| {
                    p.sort_by(|x, y| y.0.cmp(&x.0).then(x.1.cmp(&y.1)));
                    (p.iter().map(|x| x.0).sum(), a, p)
                })
                .collect();
            cores.sort_by(|x, y| y.0.cmp(&x.0).then(x.1.cmp(&y.1)));
            (cores.into_iter().take(EXAMPLE_CORES))
                .flat_map(|(_, a, p)| {
                    (p.into_iter().take(EXAMPLES_PER_CORE)).map(move |(n, r)| (a, n, r))
                })
                .collect()
        })
        .collect();
    let rows_shown: Vec<u32> = shown.iter().flatten().map(|s| s.2).collect();
    let mut texts = rows.rows(data, &rows_shown, true)?.into_iter();
    let name = |a: u32| data.accounts.screen_name(a).unwrap_or(data.accounts.key(a));
    Ok((shown.into_iter())
        .map(|shown| {
            (shown.into_iter().zip(texts.by_ref()))
                .filter_map(|((a, n, _), (_, text))| Some((name(a).to_string(), text?, n)))
                .collect()
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 37 of 943 accounts made in a month is 4% of them, however few of the rest were made in
    /// the months drawn beside it.
    #[test]
    fn a_months_share_is_of_all_the_accounts() {
        let mut months = (0..37).map(|_| 5).chain((0..906).map(|i| 100 + i % 50));
        let s = shares_of_all(&mut months, 2, 8);
        assert_eq!(s.len(), 7);
        assert!((s[3] - 37.0 / 943.0).abs() < 1e-12, "{s:?}");
        assert_eq!(s.iter().filter(|&&x| x > 0.0).count(), 1);
    }

    #[test]
    fn the_reference_delays_put_thirty_percent_within_five_minutes() {
        let r = reference_delays();
        assert_eq!(DELAY_EDGES_S[FIVE_MINUTES_BIN - 1], 300);
        let within: f64 = r[..FIVE_MINUTES_BIN].iter().sum();
        assert!(
            (within - Reference::RETWEETS_WITHIN_5MIN).abs() < 0.01,
            "{within}"
        );
        assert!((r.iter().sum::<f64>() - 1.0).abs() < 1e-9);
        assert!((normal_cdf(1.96) - 0.975).abs() < 1e-3);
    }
}
