//! `coordnet synth`: write generated data with planted networks and its truth.

use coordnet::synth::{generate_with_progress, Compression, SynthConfig, SCALE_TWEETS, TWEETS};
use std::path::PathBuf;

/// Generate tweets in the information-operations archive's CSV layout, with planted
/// coordinated networks, organic traps and the truth (`truth.csv`, `traps.csv`).
///
/// Network sizes scale with --tweets (defaults are for 100,000 tweets: core+amplifier
/// networks of 20+40, 15+75 and 10+100 accounts, a 40-account hashtag-synchronised network
/// and a sparse 60+300 network, 3 viral cascades and 3 trending bursts).
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Output directory (created if missing).
    #[arg(short, long, visible_alias = "output", value_name = "DIR")]
    out: PathBuf,

    /// About how many tweets to write (the range: `show_range`).
    #[arg(long, value_parser = super::whole::<u64>, default_value_t = SCALE_TWEETS)]
    tweets: u64,

    /// Seed: the same seed and settings write the same files.
    #[arg(long, value_parser = super::whole::<u64>)]
    seed: Option<u64>,

    /// Length of the period in days; the networks post as much in all, spread over it.
    #[arg(long, value_parser = super::whole::<u32>, default_value_t = coordnet::synth::RATE_DAYS)]
    days: u32,

    /// Ordinary accounts [default: tweets / 25].
    #[arg(long, value_parser = super::whole::<u32>)]
    organic_accounts: Option<u32>,

    /// Viral cascades and trending-hashtag bursts, each [default: 3 per 100,000 tweets, at least 2].
    #[arg(long, value_parser = super::whole::<u32>)]
    traps: Option<u32>,

    /// Write the 2018 dialect (true/false, [a, b]) instead of the 2019+ one (True/False, ['a']).
    #[arg(long)]
    dialect_2018: bool,

    /// Compress the tweet files with gzip.
    #[arg(long, conflicts_with = "zstd")]
    gzip: bool,

    /// Compress the tweet files with zstd (smaller and faster to read than gzip).
    #[arg(long)]
    zstd: bool,

    /// Split the tweets into N files (tweets_1.csv .. tweets_N.csv), each a stretch of the
    /// period with its own header, as large releases ship.
    #[arg(long, value_parser = super::whole::<u32>, value_name = "N", default_value_t = 1)]
    parts: u32,

    /// Write a takedown archive: only the planted networks' accounts and tweets, with
    /// several distinct operations of each kind (core + amplifier at three ratios, two
    /// hashtag-synchronised, two sparse, two campaign networks). --tweets sizes the
    /// collection they are cut from.
    #[arg(long)]
    archive_only: bool,
}

/// `--help` gives the range of tweets the library takes, and its seed.
pub fn show_range(cmd: clap::Command) -> clap::Command {
    let (least, most) = (TWEETS.start(), TWEETS.end());
    let cmd = cmd.mut_arg("tweets", |a| {
        a.help(format!("About how many tweets to write, {least} to {most}"))
    });
    let seed = SynthConfig::new(SCALE_TWEETS).seed;
    super::with_defaults(cmd, &[("seed", seed.to_string())])
}

pub fn run(a: Args) -> anyhow::Result<()> {
    coordnet::report::safe::check_can_write(&a.out, true)?;
    let mut c = match a.archive_only {
        true => SynthConfig::archive(a.tweets),
        false => SynthConfig::new(a.tweets),
    };
    if let Some(seed) = a.seed {
        c.seed = seed;
    }
    c.days = a.days;
    c.dialect_2018 = a.dialect_2018;
    c.parts = a.parts;
    c.compression = match (a.gzip, a.zstd) {
        (true, _) => Compression::Gzip,
        (_, true) => Compression::Zstd,
        _ => Compression::None,
    };
    if let Some(n) = a.organic_accounts {
        c.organic_accounts = n;
    }
    if let Some(t) = a.traps {
        c.viral_cascades = t;
        c.trending_bursts = t;
    }
    refuse_stale_parts(&a.out, &c)?;
    let progress = super::progress::Reporter::new(1);
    let s = generate_with_progress(&c, &a.out, &progress)?;
    progress.finish();
    if c.archive_only {
        // The collection the archive is cut from is generated, not written: its organic and
        // trap tweets are not counted.
        coordnet::tell!(
            "wrote {} tweets by {} accounts in {} planted networks (a takedown archive: their \
             tweets only) to {}",
            s.tweets,
            s.accounts,
            c.networks.len(),
            a.out.display()
        );
    } else {
        coordnet::tell!(
            "wrote {} tweets ({} organic, {} in planted networks, {} in traps) by {} accounts \
             ({} in networks) to {}",
            s.tweets,
            s.organic_tweets,
            s.network_tweets,
            s.trap_tweets,
            s.accounts,
            s.network_accounts,
            a.out.display()
        );
    }
    Ok(())
}

/// Tweet files of an earlier run in `dir` that this one would not replace (other parts, or
/// another compression) are refused: the folder read as input would mix both data sets.
fn refuse_stale_parts(dir: &std::path::Path, c: &SynthConfig) -> anyhow::Result<()> {
    let ext = c.compression.extension();
    let written: Vec<String> = match c.parts {
        1 => vec![format!("tweets.{ext}")],
        n => (1..=n).map(|k| format!("tweets_{k}.{ext}")).collect(),
    };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(()); // a folder not there yet holds nothing
    };
    let mut stale: Vec<String> = entries
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| {
            let stem = n.split('.').next().unwrap_or("");
            let part = stem.strip_prefix("tweets_");
            let ours = stem == "tweets" || part.is_some_and(|k| k.parse::<u32>().is_ok());
            ours && n[stem.len()..].starts_with(".csv") && !written.contains(n)
        })
        .collect();
    stale.sort();
    anyhow::ensure!(
        stale.is_empty(),
        "{} already holds {} of an earlier run, which this one would not replace: read as a \
         folder, both data sets would mix. Write to an empty folder, or remove them",
        dir.display(),
        stale.join(", ")
    );
    Ok(())
}
