//! The generator's loop: one hour at a time, organic activity, then the planted networks'
//! and traps' actions that fall in it, written in time order.

use super::accounts::{self, Account, Role};
use super::writer::{write_csv, Tweet, TweetWriter};
use super::{SynthConfig, SynthSummary};
use crate::dataset::time::snowflake_id;
use crate::error::Result;
use crate::progress::{Progress, Total};
use rand::distr::weighted::WeightedIndex;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, LogNormal, Poisson, Zipf};
use rand_pcg::Pcg64Mcg;
use std::collections::VecDeque;
use std::path::Path;

const HOUR_MS: i64 = 3_600_000;
const DAY_MS: i64 = 24 * HOUR_MS;
/// Hashtag ids above the organic vocabulary: networks' campaign tags, then trending bursts.
const NETWORK_TAGS: u32 = 1_000_000;
const TRAP_TAGS: u32 = 2_000_000;
const NETWORK_URLS: u32 = 500_000;
/// Posts per member taking part in one campaign, on average (1 to 4).
const CAMPAIGN_POSTS: f64 = 2.5;

/// What kind of planted network.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NetworkKind {
    /// Cores post; amplifiers retweet them within seconds to minutes.
    CoreAmplifier,
    /// Members post the same campaign hashtag within minutes of each other; no retweets.
    HashtagSync,
    /// Many cores that each tweet a few times, amplifiers that act a few times.
    Sparse,
    /// Campaigns: now and then a new hashtag (a hoax) that most members push in their own
    /// words over a day or two, each at their own moments; the same members every time.
    Campaign,
}

/// One planted network and how it behaves.
#[derive(Clone, Debug, serde::Serialize)]
pub struct NetworkSpec {
    pub name: String,
    pub kind: NetworkKind,
    /// Core accounts (all members, for a hashtag-synchronised network).
    pub cores: u32,
    /// Amplifiers per core.
    pub amplifiers_per_core: f64,
    /// Coordinated posts per core per day (campaign moments per day when hashtag-synced).
    pub posts_per_day: f64,
    /// Share of amplifiers (members) that act on each post (campaign moment).
    pub participation: f64,
    /// Median delay of an amplifier's retweet (member's post) after the core post (moment).
    pub delay_median_secs: f64,
    /// Organic-looking actions per member, as a share of its coordinated ones.
    pub camouflage: f64,
}

impl NetworkSpec {
    /// A network of `cores` posting accounts, each retweeted by `ratio` amplifiers.
    pub fn core_amplifier(name: &str, cores: u32, ratio: f64) -> NetworkSpec {
        NetworkSpec {
            name: name.into(),
            kind: NetworkKind::CoreAmplifier,
            cores,
            amplifiers_per_core: ratio,
            posts_per_day: 2.0,
            participation: 0.25,
            delay_median_secs: 90.0,
            camouflage: 0.3,
        }
    }

    /// A network of `members` accounts posting one hashtag at the same moments.
    pub fn hashtag_sync(name: &str, members: u32) -> NetworkSpec {
        NetworkSpec {
            name: name.into(),
            kind: NetworkKind::HashtagSync,
            cores: members,
            amplifiers_per_core: 0.0,
            posts_per_day: 2.0,
            participation: 0.7,
            delay_median_secs: 120.0,
            camouflage: 0.5,
        }
    }

    /// Like the June 2020 takedown: each core tweets about 15 times in the period and each
    /// amplifier acts about 3 times.
    pub fn sparse(name: &str, cores: u32, ratio: f64) -> NetworkSpec {
        NetworkSpec {
            name: name.into(),
            kind: NetworkKind::Sparse,
            cores,
            amplifiers_per_core: ratio,
            posts_per_day: 15.0 / 14.0,
            // Each post is retweeted by ratio * 3 / 15 amplifiers: ~3 actions per amplifier.
            participation: 3.0 / (15.0 * cores.max(1) as f64),
            delay_median_secs: 300.0,
            camouflage: 0.3,
        }
    }

    /// A campaign every `days_between` days on average, each lasting about `hours` hours, in
    /// which `participation` of the members post 1 to 4 times at their own moments.
    pub fn campaign(name: &str, members: u32, days_between: f64, hours: f64) -> NetworkSpec {
        NetworkSpec {
            name: name.into(),
            kind: NetworkKind::Campaign,
            cores: members,
            amplifiers_per_core: 0.0,
            posts_per_day: 1.0 / days_between,
            participation: 0.7,
            delay_median_secs: hours * 3600.0,
            camouflage: 0.5,
        }
    }

    fn amplifiers(&self) -> u32 {
        (self.cores as f64 * self.amplifiers_per_core).round() as u32
    }
}

/// An original still young enough to be retweeted.
#[derive(Clone)]
struct Original {
    id: u64,
    author: u32,
    time_ms: i64,
    hashtags: Vec<u32>,
    url: Option<u32>,
    text_seed: u64,
}

struct State {
    rng: Pcg64Mcg,
    accounts: Vec<Account>,
    organic: u32,
    seq: u64,
    /// Originals of the last day, oldest first, and each organic account's latest one.
    recent: VecDeque<Original>,
    recent_base: u64,
    latest: Vec<u64>,
    pending: Vec<Tweet>,
    /// Accounts with a tweet written: the truth lists only these, since an account without
    /// tweets is in no input and no detector can find it.
    tweeted: Vec<bool>,
    /// Only the planted networks' tweets are written (a takedown archive).
    archive_only: bool,
    /// Counts of the tweets written.
    summary: SynthSummary,
    traps: Vec<Vec<String>>,
}

pub fn run(c: &SynthConfig, dir: &Path, progress: &dyn Progress) -> Result<SynthSummary> {
    let mut rng = Pcg64Mcg::seed_from_u64(c.seed);
    let mut accounts: Vec<Account> = (0..c.organic_accounts)
        .map(|_| accounts::organic(&mut rng, c.start_ms))
        .collect();
    // Members of network n: (cores, amplifiers) as account index ranges.
    let mut members = Vec::new();
    for (n, spec) in c.networks.iter().enumerate() {
        let burst = c.start_ms - rng.random_range(200..900) * DAY_MS;
        // A takedown release is one country's operations, mostly in one language: language
        // does not tell its operations apart.
        let lang = match c.archive_only {
            true => accounts::LANGS[0].0,
            false => accounts::LANGS[n % accounts::LANGS.len()].0,
        };
        let first = accounts.len() as u32;
        for _ in 0..spec.cores {
            accounts.push(accounts::planted(
                &mut rng,
                n as u16,
                Role::Core,
                burst,
                lang,
            ));
        }
        let mid = accounts.len() as u32;
        for _ in 0..spec.amplifiers() {
            accounts.push(accounts::planted(
                &mut rng,
                n as u16,
                Role::Amplifier,
                burst,
                lang,
            ));
        }
        members.push((first..mid, mid..accounts.len() as u32));
    }
    let ids: Vec<String> = accounts
        .iter()
        .enumerate()
        .map(|(i, a)| accounts::account_id(c.seed, i as u32, a.followers))
        .collect();
    let names: Vec<String> = accounts
        .iter()
        .enumerate()
        .map(|(i, a)| accounts::screen_name(c.seed, i as u32, a.followers))
        .collect();

    let hours = c.days as i64 * 24;
    let network_expected: f64 = c.networks.iter().map(|n| expected_tweets(n, c.days)).sum();
    let trap_expected = (c.viral_cascades + c.trending_bursts) as f64
        * (c.trap_accounts.0 + c.trap_accounts.1) as f64
        / 2.0;
    let organic_total =
        (c.tweets as f64 - network_expected - trap_expected).max(c.tweets as f64 * 0.3);
    let per_hour = organic_total / hours as f64;

    let organic = c.organic_accounts;
    let activity = WeightedIndex::new(accounts[..organic as usize].iter().map(|a| a.activity))
        .expect("weights");
    let popularity = WeightedIndex::new(accounts[..organic as usize].iter().map(|a| a.popularity))
        .expect("weights");
    let zipf = Zipf::new(c.hashtag_vocabulary as f64, c.hashtag_zipf).expect("zipf");
    let traps = schedule_traps(&mut rng, c);

    let mut out = TweetWriter::create(dir, c, ids.clone(), names)?;
    let accounts_len = accounts.len();
    let mut s = State {
        rng,
        accounts,
        organic,
        seq: 0,
        recent: VecDeque::new(),
        recent_base: 0,
        latest: vec![0; organic as usize],
        pending: Vec::new(),
        tweeted: vec![false; accounts_len],
        archive_only: c.archive_only,
        summary: SynthSummary::default(),
        traps: Vec::new(),
    };
    progress.stage(
        "generating the period hour by hour",
        Some(Total::Count(hours as u64)),
    );
    for hour in 0..hours {
        progress.advance(1);
        let h0 = c.start_ms + hour * HOUR_MS;
        let hour_of_day = (hour % 24) as f64;
        let diurnal = 1.0 + 0.6 * ((hour_of_day - 9.0) / 24.0 * std::f64::consts::TAU).sin();
        let mean = per_hour * diurnal;
        let originals = poisson(&mut s.rng, mean * (1.0 - c.organic_retweet_share));
        let retweets = poisson(&mut s.rng, mean * c.organic_retweet_share);
        let mut new_originals = Vec::new();
        let before = s.pending.len();
        for _ in 0..originals {
            let author = activity.sample(&mut s.rng) as u32;
            let t = h0 + s.rng.random_range(0..HOUR_MS);
            let tags = organic_tags(&mut s.rng, &zipf);
            let mention =
                (s.rng.random::<f64>() < 0.15).then(|| popularity.sample(&mut s.rng) as u32);
            let o = s.original(author, t, tags, mention);
            new_originals.push(o);
        }
        for _ in 0..retweets {
            let who = activity.sample(&mut s.rng) as u32;
            let source = popularity.sample(&mut s.rng);
            if let Some(o) = s.pick_recent(s.latest[source]) {
                let t = (h0 + s.rng.random_range(0..HOUR_MS)).max(o.time_ms + 1_000);
                s.retweet(who, t, &o);
            }
        }
        s.summary.organic_tweets += s.written_since(before);
        for (n, spec) in c.networks.iter().enumerate() {
            let (cores, amps) = members[n].clone();
            let posted = network_hour(&mut s, spec, n as u32, cores, amps, h0, &zipf, &popularity);
            new_originals.extend(posted);
        }
        for trap in traps
            .iter()
            .filter(|t| t.start_ms >= h0 && t.start_ms < h0 + HOUR_MS)
        {
            run_trap(&mut s, trap, &popularity, &ids);
        }
        // Originals of this hour become retweetable from the next one.
        for o in new_originals {
            if (o.author as usize) < s.latest.len() {
                s.latest[o.author as usize] = s.recent_base + s.recent.len() as u64 + 1;
            }
            s.recent.push_back(o);
        }
        while s.recent.front().is_some_and(|o| o.time_ms < h0 - DAY_MS) {
            s.recent.pop_front();
            s.recent_base += 1;
        }
        s.flush(&mut out, h0 + HOUR_MS)?;
    }
    s.flush(&mut out, i64::MAX)?;
    out.finish()?;

    // An archive holds the networks' accounts only, and `written` kept no other tweet.
    let tweeted = |t: &[bool]| t.iter().filter(|&&t| t).count() as u64;
    s.summary.accounts = tweeted(&s.tweeted);
    s.summary.network_accounts = tweeted(&s.tweeted[organic as usize..]);
    let truth = s
        .accounts
        .iter()
        .enumerate()
        .filter(|&(i, _)| s.tweeted[i])
        .map(|(i, a)| {
            let network = a.network.map_or("organic".to_string(), |n| {
                c.networks[n as usize].name.clone()
            });
            vec![ids[i].clone(), network, a.role.name().to_string()]
        });
    write_csv(
        &dir.join("truth.csv"),
        &["account_id", "network", "role"],
        truth,
    )?;
    let traps = if c.archive_only { Vec::new() } else { s.traps };
    write_csv(
        &dir.join("traps.csv"),
        &["trap", "kind", "item", "account_id"],
        traps.into_iter(),
    )?;
    Ok(s.summary)
}

fn expected_tweets(n: &NetworkSpec, days: u32) -> f64 {
    let posts = n.cores as f64 * n.posts_per_day * days as f64;
    let acts = match n.kind {
        NetworkKind::HashtagSync => {
            n.posts_per_day * days as f64 * n.cores as f64 * n.participation
        }
        NetworkKind::Campaign => {
            n.posts_per_day * days as f64 * n.cores as f64 * n.participation * CAMPAIGN_POSTS
        }
        _ => posts * (1.0 + n.amplifiers() as f64 * n.participation),
    };
    acts * (1.0 + n.camouflage)
}

fn poisson(rng: &mut Pcg64Mcg, mean: f64) -> u64 {
    if mean <= 0.0 {
        return 0;
    }
    Poisson::new(mean).expect("positive mean").sample(rng) as u64
}

fn organic_tags(rng: &mut Pcg64Mcg, zipf: &Zipf<f64>) -> Vec<u32> {
    let n = match rng.random::<f64>() {
        u if u < 0.55 => 0,
        u if u < 0.85 => 1,
        _ => 2,
    };
    (0..n).map(|_| zipf.sample(rng) as u32 - 1).collect()
}

fn lognormal_ms(rng: &mut Pcg64Mcg, median_secs: f64, sigma: f64) -> i64 {
    (LogNormal::new(median_secs.ln(), sigma)
        .expect("lognormal")
        .sample(rng)
        * 1000.0) as i64
        + 1_000
}

impl State {
    fn next_id(&mut self, t: i64) -> u64 {
        self.seq += 1;
        snowflake_id(t, self.seq)
    }

    fn original(
        &mut self,
        author: u32,
        t: i64,
        hashtags: Vec<u32>,
        mention: Option<u32>,
    ) -> Original {
        let id = self.next_id(t);
        let url = (self.rng.random::<f64>() < 0.2).then(|| self.rng.random_range(0..20_000));
        let text_seed = self.rng.random();
        let o = Original {
            id,
            author,
            time_ms: t,
            hashtags,
            url,
            text_seed,
        };
        self.pending.push(Tweet {
            id,
            account: author,
            time_ms: t,
            retweet_of: None,
            hashtags: o.hashtags.clone(),
            url: o.url,
            mention,
            text_seed,
        });
        o
    }

    fn retweet(&mut self, who: u32, t: i64, o: &Original) {
        let id = self.next_id(t);
        self.pending.push(Tweet {
            id,
            account: who,
            time_ms: t,
            retweet_of: Some((o.id, o.author)),
            hashtags: o.hashtags.clone(),
            url: o.url,
            mention: None,
            text_seed: o.text_seed,
        });
    }

    /// The original with sequence number `seq` (1-based) if still recent, else any recent one.
    fn pick_recent(&mut self, seq: u64) -> Option<Original> {
        if seq > self.recent_base {
            if let Some(o) = self.recent.get((seq - 1 - self.recent_base) as usize) {
                return Some(o.clone());
            }
        }
        if self.recent.is_empty() {
            return None;
        }
        let i = self.rng.random_range(0..self.recent.len());
        Some(self.recent[i].clone())
    }

    /// Write the pending tweets before `until_ms`, in time order: those [`State::written`]
    /// keeps.
    fn flush(&mut self, out: &mut TweetWriter, until_ms: i64) -> Result<()> {
        self.pending.sort_by_key(|t| (t.time_ms, t.id));
        let split = self.pending.partition_point(|t| t.time_ms < until_ms);
        for t in self.pending.drain(..split) {
            if !Self::written(self.archive_only, &self.accounts, &t) {
                continue;
            }
            out.write(&t, &self.accounts)?;
            self.tweeted[t.account as usize] = true;
            self.summary.tweets += 1;
        }
        Ok(())
    }

    /// Whether `t` is written: every tweet, or in an archive only the planted networks' own.
    fn written(archive_only: bool, accounts: &[Account], t: &Tweet) -> bool {
        !archive_only || accounts[t.account as usize].network.is_some()
    }

    /// How many of the tweets made since `pending` held `before` will be written: the
    /// summary counts what the files hold, not the collection an archive is cut from.
    fn written_since(&self, before: usize) -> u64 {
        (self.pending[before..].iter())
            .filter(|t| Self::written(self.archive_only, &self.accounts, t))
            .count() as u64
    }
}

/// One hour of a planted network: coordinated actions plus camouflage.
#[allow(clippy::too_many_arguments)]
fn network_hour(
    s: &mut State,
    spec: &NetworkSpec,
    n: u32,
    cores: std::ops::Range<u32>,
    amps: std::ops::Range<u32>,
    h0: i64,
    zipf: &Zipf<f64>,
    popularity: &WeightedIndex<f64>,
) -> Vec<Original> {
    let everyone = cores.start..amps.end;
    let campaign = |rng: &mut Pcg64Mcg| NETWORK_TAGS + n * 100 + rng.random_range(0..4);
    let mut posted = Vec::new();
    let before = s.pending.len();
    match spec.kind {
        NetworkKind::CoreAmplifier | NetworkKind::Sparse => {
            let per_hour = spec.posts_per_day / 24.0;
            let amp_list: Vec<u32> = amps.collect();
            for core in cores.clone() {
                for _ in 0..poisson(&mut s.rng, per_hour) {
                    let t = h0 + s.rng.random_range(0..HOUR_MS);
                    let mut tags = vec![campaign(&mut s.rng)];
                    if s.rng.random::<f64>() < 0.5 {
                        tags.push(campaign(&mut s.rng));
                    }
                    tags.dedup();
                    let mut o = s.original(core, t, tags, None);
                    if s.rng.random::<f64>() < 0.5 {
                        o.url = Some(NETWORK_URLS + n * 50 + s.rng.random_range(0..50));
                        s.pending.last_mut().expect("just pushed").url = o.url;
                    }
                    let k = (amp_list.len() as f64 * spec.participation)
                        .round()
                        .max(1.0) as usize;
                    let chosen: Vec<u32> =
                        amp_list.choose_multiple(&mut s.rng, k).copied().collect();
                    for a in chosen {
                        let delay = lognormal_ms(&mut s.rng, spec.delay_median_secs, 1.0);
                        s.retweet(a, t + delay, &o);
                    }
                    posted.push(o);
                }
            }
        }
        NetworkKind::Campaign => {
            if poisson(&mut s.rng, spec.posts_per_day / 24.0) > 0 {
                // A new tag each time: the network's own tags after its first four.
                let tag = NETWORK_TAGS + n * 100 + 4 + s.rng.random_range(0..90);
                let hours = spec.delay_median_secs / 3600.0;
                let span = (lognormal_ms(&mut s.rng, hours * 3600.0, 0.4) as f64)
                    .min(2.0 * hours * HOUR_MS as f64) as i64;
                for m in cores.clone() {
                    if s.rng.random::<f64>() < spec.participation {
                        for _ in 0..s.rng.random_range(1..=4) {
                            let t = h0 + s.rng.random_range(0..span.max(1));
                            let mut tags = vec![tag];
                            tags.extend(organic_tags(&mut s.rng, zipf).into_iter().take(1));
                            s.original(m, t, tags, None);
                        }
                    }
                }
            }
        }
        NetworkKind::HashtagSync => {
            if poisson(&mut s.rng, spec.posts_per_day / 24.0) > 0 {
                let moment = h0 + s.rng.random_range(0..HOUR_MS);
                let tag = campaign(&mut s.rng);
                for m in cores.clone() {
                    if s.rng.random::<f64>() < spec.participation {
                        let t = moment + lognormal_ms(&mut s.rng, spec.delay_median_secs, 0.8);
                        let mut tags = vec![tag];
                        tags.extend(organic_tags(&mut s.rng, zipf).into_iter().take(1));
                        s.original(m, t, tags, None);
                    }
                }
            }
        }
    }
    // Camouflage: members also retweet popular organic tweets and post ordinary ones.
    let coordinated = (s.pending.len() - before) as f64;
    for _ in 0..poisson(&mut s.rng, coordinated * spec.camouflage) {
        let who = s.rng.random_range(everyone.clone());
        let t = h0 + s.rng.random_range(0..HOUR_MS);
        if s.rng.random::<bool>() {
            let source = popularity.sample(&mut s.rng);
            if let Some(o) = s.pick_recent(s.latest[source]) {
                s.retweet(who, t.max(o.time_ms + 1_000), &o);
            }
        } else {
            let tags = organic_tags(&mut s.rng, zipf);
            s.original(who, t, tags, None);
        }
    }
    s.summary.network_tweets += s.written_since(before);
    posted
}

struct Trap {
    id: u32,
    viral: bool,
    start_ms: i64,
    size: u32,
}

fn schedule_traps(rng: &mut Pcg64Mcg, c: &SynthConfig) -> Vec<Trap> {
    let span = c.days as i64 * DAY_MS;
    let n = c.viral_cascades + c.trending_bursts;
    (0..n)
        .map(|id| Trap {
            id,
            viral: id < c.viral_cascades,
            // After the first day, so there are originals to go viral.
            start_ms: c.start_ms
                + DAY_MS.min(span / 2)
                + rng.random_range(0..span - DAY_MS.min(span / 2)),
            size: rng.random_range(c.trap_accounts.0..=c.trap_accounts.1),
        })
        .collect()
}

/// A viral cascade or trending burst: ordinary accounts, chosen at random, acting on one
/// item within minutes, and never together again.
fn run_trap(s: &mut State, trap: &Trap, popularity: &WeightedIndex<f64>, ids: &[String]) {
    let people: Vec<u32> =
        rand::seq::index::sample(&mut s.rng, s.organic as usize, trap.size as usize)
            .into_iter()
            .map(|i| i as u32)
            .collect();
    let before = s.pending.len();
    let (kind, item) = if trap.viral {
        let source = popularity.sample(&mut s.rng);
        let Some(o) = s.pick_recent(s.latest[source]) else {
            return;
        };
        for &p in &people {
            let t = trap.start_ms.max(o.time_ms + 1_000) + lognormal_ms(&mut s.rng, 180.0, 1.0);
            s.retweet(p, t, &o);
        }
        ("viral-cascade", o.id.to_string())
    } else {
        let tag = TRAP_TAGS + trap.id;
        for &p in &people {
            let t = trap.start_ms + lognormal_ms(&mut s.rng, 900.0, 0.8);
            s.original(p, t, vec![tag], None);
        }
        ("trending-burst", super::writer::hashtag_name(tag))
    };
    s.summary.trap_tweets += s.written_since(before);
    for p in people {
        s.traps.push(vec![
            format!("trap-{}", trap.id),
            kind.to_string(),
            item.clone(),
            ids[p as usize].clone(),
        ]);
    }
}
