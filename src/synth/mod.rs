//! `synth`: tweet data with known answers, written in the information-operations archive's
//! CSV layout with a `truth.csv` (`account_id, network, role`) and a `traps.csv`.
//!
//! Three things are mixed, hour by hour, so memory stays bounded at any scale:
//! - an **organic background**: heavy-tailed activity, a diurnal rhythm, retweets of popular
//!   accounts by preferential attachment, Zipf-distributed hashtags;
//! - **traps** that look coordinated in raw counts but are not: viral cascades (hundreds of
//!   ordinary accounts retweet one tweet within minutes) and trending bursts (hundreds post a
//!   new hashtag within the hour);
//! - **planted networks**: core + amplifier networks (cores post, amplifiers retweet them
//!   within seconds to minutes, accounts created in bursts, camouflage activity), a
//!   hashtag-synchronised network with no retweets, and a sparse network like the June 2020
//!   takedown (many cores that each tweet ~15 times, amplifiers that act a few times).
//!
//! Everything is drawn from one seeded generator: the same config writes the same bytes.

mod accounts;
pub mod graphs;
mod plan;
mod writer;

pub use plan::{NetworkKind, NetworkSpec};

use crate::error::{Error, Result};
use std::path::Path;

/// How many tweets a generated collection may have: the planted networks stop shrinking at a
/// fifth of their size for 100,000 tweets, and hold about 2,500 tweets then; the most is the
/// size the generator is built and checked for.
pub const TWEETS: std::ops::RangeInclusive<u64> = 10_000..=100_000_000;

/// The size the networks' sizes are set for, and `synth`'s default: at another, they scale
/// with the tweets (down to a fifth).
pub const SCALE_TWEETS: u64 = 100_000;

/// The scale of a collection of `tweets` against [`SCALE_TWEETS`], a fifth at the least.
fn scale(tweets: u64) -> f64 {
    (tweets as f64 / SCALE_TWEETS as f64).max(0.2)
}

/// The period the networks' daily rates are set for; over another, the same posts spread
/// thinner or denser (`SynthConfig::over_period`).
pub const RATE_DAYS: u32 = 14;

/// The knobs of the generator. `SynthConfig::new(tweets)` gives the defaults: a hard but
/// fair test whose planted networks scale with the number of tweets.
#[derive(Clone, Debug, serde::Serialize)]
pub struct SynthConfig {
    pub seed: u64,
    /// Tweets to write, roughly (the networks' and traps' own counts vary with the draw).
    pub tweets: u64,
    /// Length of the collection period.
    pub days: u32,
    /// Start of the period, ms since the epoch.
    pub start_ms: i64,
    /// Ordinary accounts (default: one per 25 tweets).
    pub organic_accounts: u32,
    /// Share of organic tweets that are retweets.
    pub organic_retweet_share: f64,
    /// Distinct organic hashtags, used with Zipf exponent `hashtag_zipf`.
    pub hashtag_vocabulary: u32,
    pub hashtag_zipf: f64,
    /// Viral cascades and trending-hashtag bursts (traps).
    pub viral_cascades: u32,
    pub trending_bursts: u32,
    /// Accounts taking part in each trap, drawn from [min, max].
    pub trap_accounts: (u32, u32),
    /// Planted networks.
    pub networks: Vec<NetworkSpec>,
    /// Write the 2018 dialect (`true`, `[a, b]`) instead of the 2019+ one (`True`, `['a']`).
    pub dialect_2018: bool,
    /// Write only the planted networks' accounts and their tweets, as a takedown release
    /// does; the collection around them is generated (their camouflage retweets ordinary
    /// accounts) but not written.
    pub archive_only: bool,
    /// How the tweets are compressed.
    pub compression: Compression,
    /// Files the tweets are split into, each a stretch of the period with its own header, as
    /// large releases ship (`tweets_1.csv` .. `tweets_N.csv`; one: `tweets.csv`).
    pub parts: u32,
}

/// Compression of the tweet files.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub enum Compression {
    #[default]
    None,
    Gzip,
    Zstd,
}

impl Compression {
    /// The file name's ending.
    pub fn extension(self) -> &'static str {
        match self {
            Compression::None => "csv",
            Compression::Gzip => "csv.gz",
            Compression::Zstd => "csv.zst",
        }
    }
}

impl SynthConfig {
    /// Defaults for about `tweets` tweets over [`RATE_DAYS`] days.
    pub fn new(tweets: u64) -> SynthConfig {
        let scale = scale(tweets);
        let sized = |n: f64| ((n * scale).round() as u32).max(3);
        let traps = ((3.0 * scale).round() as u32).max(2);
        // Cores and amplifiers both grow with the scale, so each post reaches a share of
        // amplifiers that shrinks with it: every amplifier keeps acting about as often at any
        // size, and the tweet count stays linear in `tweets`.
        let core_amplifier = |name: &str, cores: u32, ratio: f64| {
            let mut spec = NetworkSpec::core_amplifier(name, cores, ratio);
            spec.participation /= scale.max(1.0);
            spec
        };
        let organic_accounts = (tweets / 25).max(200) as u32;
        // Traps of 150-400 accounts, or as many as a small population allows.
        let trap_max = 400.min(organic_accounts / 3);
        SynthConfig {
            seed: 42,
            tweets,
            days: RATE_DAYS,
            start_ms: 1_583_020_800_000, // 2020-03-01T00:00:00Z
            organic_accounts,
            organic_retweet_share: 0.5,
            hashtag_vocabulary: 5_000,
            hashtag_zipf: 1.1,
            viral_cascades: traps,
            trending_bursts: traps,
            trap_accounts: (150.min(trap_max / 2), trap_max),
            networks: vec![
                core_amplifier("ca-1:2", sized(20.0), 2.0),
                core_amplifier("ca-1:5", sized(15.0), 5.0),
                core_amplifier("ca-1:10", sized(10.0), 10.0),
                NetworkSpec::hashtag_sync("hashtag-sync", sized(40.0)),
                NetworkSpec::sparse("sparse-1:5", sized(60.0), 5.0),
            ],
            dialect_2018: false,
            archive_only: false,
            compression: Compression::None,
            parts: 1,
        }
    }

    /// A takedown archive cut from a collection of about `tweets` tweets: only the planted
    /// networks' accounts are written, and there are several distinct operations of each
    /// kind (core + amplifier at three ratios, two hashtag-synchronised, two sparse, two
    /// campaign networks), each with its own campaign tags, language and creation burst.
    pub fn archive(tweets: u64) -> SynthConfig {
        let mut c = SynthConfig::new(tweets);
        let scale = scale(tweets);
        let sized = |n: f64| ((n * scale).round() as u32).max(3);
        let mut extra = vec![
            NetworkSpec::hashtag_sync("hashtag-sync-b", sized(30.0)),
            NetworkSpec::sparse("sparse-1:3", sized(40.0), 3.0),
            NetworkSpec::campaign("campaign-a", sized(120.0), 3.0, 18.0),
            NetworkSpec::campaign("campaign-b", sized(80.0), 2.0, 30.0),
        ];
        c.networks.append(&mut extra);
        c.archive_only = true;
        c
    }

    /// The networks' rates for `days` days: the posts they make in [`RATE_DAYS`] days spread
    /// over the period, so that `tweets` and the networks' share hold whatever its length (a
    /// campaign every 3 days in 14 comes every 6 in 28).
    pub(crate) fn over_period(&self) -> SynthConfig {
        let mut c = self.clone();
        let f = RATE_DAYS as f64 / self.days as f64;
        for n in &mut c.networks {
            n.posts_per_day *= f;
        }
        c
    }

    /// An error naming the first setting out of its range, if any.
    pub fn validate(&self) -> Result<()> {
        let (least, most) = (TWEETS.start(), TWEETS.end());
        if self.tweets < *least {
            return Err(Error::config(format!(
                "synth is asked for at least {least} tweets, not {}: the planted networks \
                 shrink no further, so fewer would not hold them (it writes about as many as \
                 asked, a few percent either side)",
                self.tweets
            )));
        }
        if self.tweets > *most {
            return Err(Error::config(format!(
                "synth is asked for at most {most} tweets, not {}: the largest size it is measured \
                 and tested at (benches/large.sh)",
                self.tweets
            )));
        }
        if self.days == 0 {
            return Err(Error::config(format!(
                "--days 0 leaves no time to tweet in; try --days {RATE_DAYS} (the default)"
            )));
        }
        if self.organic_accounts < 10 {
            return Err(Error::config(format!(
                "--organic-accounts {} is too few for a background: synth needs at least 10",
                self.organic_accounts
            )));
        }
        if self.trap_accounts.0 > self.trap_accounts.1
            || self.trap_accounts.1 >= self.organic_accounts
        {
            return Err(Error::config(format!(
                "trap accounts {:?} must be an increasing range below the {} organic accounts",
                self.trap_accounts, self.organic_accounts
            )));
        }
        if !(0.0..=1.0).contains(&self.organic_retweet_share) || self.hashtag_zipf <= 0.0 {
            return Err(Error::config(
                "organic retweet share must be in [0, 1] and the Zipf exponent > 0",
            ));
        }
        if self.parts == 0 || self.parts > 10_000 {
            return Err(Error::config(format!(
                "{} parts: write 1 to 10000 tweet files",
                self.parts
            )));
        }
        if self.compression == Compression::Zstd && !cfg!(feature = "zstd") {
            return Err(Error::config(
                "zstd output needs the zstd feature: build with default features, or use --gzip",
            ));
        }
        if self.hashtag_vocabulary == 0 {
            return Err(Error::config(
                "the hashtag vocabulary needs at least one hashtag",
            ));
        }
        Ok(())
    }
}

/// Counts of what was written.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct SynthSummary {
    pub tweets: u64,
    pub organic_tweets: u64,
    pub network_tweets: u64,
    pub trap_tweets: u64,
    pub accounts: u64,
    pub network_accounts: u64,
}

/// Write the tweets (see `compression` and `parts`), `truth.csv` (the accounts that tweeted) and
/// `traps.csv` into `dir`.
pub fn generate(config: &SynthConfig, dir: &Path) -> Result<SynthSummary> {
    generate_with_progress(config, dir, &crate::progress::Silent)
}

/// [`generate`], saying how far it is: the period's hours, one at a time.
pub fn generate_with_progress(
    config: &SynthConfig,
    dir: &Path,
    progress: &dyn crate::progress::Progress,
) -> Result<SynthSummary> {
    config.validate()?;
    crate::report::safe::make_folders(dir).map_err(|e| Error::io(dir, e))?;
    let written = plan::run(&config.over_period(), dir, progress);
    // The tweets, whole with their truth.
    crate::report::safe::finished_under(dir);
    written
}

/// The default generated collection of about `tweets` tweets, written to `dir` and read back:
/// the library's own tests run stages on it.
#[cfg(test)]
pub(crate) fn generated_dataset(tweets: u64, dir: &Path) -> crate::Dataset {
    generate(&SynthConfig::new(tweets), dir).unwrap();
    let opts = crate::IngestOptions::default();
    crate::ingest(&[dir.join("tweets.csv")], &opts).unwrap().0
}
