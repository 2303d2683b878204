//! `coordnet stats`: what is in the input, and what could not be read.

use super::input::InputArgs;
use super::progress::Reporter;
use coordnet::dataset::Summary;
use coordnet::ingest::{ingest_with_progress, IngestOptions};
use std::io::Write;

/// Count records, accounts, items and rejected rows, with the time span and resolution.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    input: InputArgs,

    /// Print JSON (summary and ingest report) instead of text.
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    args.input.prepare()?;
    let progress = Reporter::new(1);
    progress.say(&args.input.memory_line());
    // `stats` is where rejected records are looked into: it reports them however many.
    let options = IngestOptions {
        max_rejected_share: 1.0,
        ..args.input.options()
    };
    let (data, stats) = ingest_with_progress(&args.input.inputs, &options, &progress)?;
    progress.finish();
    // An empty file is data with no rows; no file at all is a wrong path or folder.
    if stats.files.is_empty() {
        eprintln!("{}", stats.summary());
        let inputs: Vec<String> = (args.input.inputs.iter())
            .map(|p| p.display().to_string())
            .collect();
        anyhow::bail!(
            "no data file found in {}: every entry was passed over (see the warnings above); \
             name the files, or give --format",
            inputs.join(", ")
        );
    }
    let summary = Summary::of(&data);
    let mut out = std::io::stdout().lock();
    if args.json {
        let v = serde_json::json!({ "summary": summary, "ingest": stats });
        serde_json::to_writer_pretty(&mut out, &v)?;
        writeln!(out)?;
        return Ok(());
    }
    for f in &stats.files {
        let format = f.format.map_or("empty", |f| f.name());
        writeln!(
            out,
            "{}  [{format}]  {} rows, {} rejected",
            f.path.display(),
            f.rows_read,
            f.rows_rejected
        )?;
    }
    writeln!(out, "{}", stats.summary())?;
    let s = &summary;
    writeln!(out, "tweets              {}", s.tweets)?;
    writeln!(out, "  original          {}", s.originals)?;
    let posts = match s.retweeted_posts {
        0 if s.retweets > 0 => "  (none names the retweeted post)".to_string(),
        0 => String::new(),
        n => format!("  of {n} distinct posts"),
    };
    let without = match s.retweets_without_source {
        0 => String::new(),
        n => format!("; {n} without the retweeted account, which the retweet graph looks for"),
    };
    writeln!(out, "  retweet           {}{posts}{without}", s.retweets)?;
    writeln!(out, "  reply             {}", s.replies)?;
    writeln!(out, "  quote             {}", s.quotes)?;
    writeln!(
        out,
        "accounts            {} posting, {} seen",
        s.posting_accounts, s.accounts
    )?;
    writeln!(
        out,
        "hashtags            {} distinct, {} uses",
        s.hashtags, s.hashtag_uses
    )?;
    writeln!(
        out,
        "urls                {} distinct, {} uses",
        s.urls, s.url_uses
    )?;
    writeln!(out, "mentions            {} uses", s.mention_uses)?;
    writeln!(out, "distinct texts      {}", s.distinct_texts)?;
    writeln!(
        out,
        "time span           {} .. {}",
        s.first_time.as_deref().unwrap_or("-"),
        s.last_time.as_deref().unwrap_or("-")
    )?;
    let res: Vec<String> = s
        .time_resolution
        .iter()
        .map(|(k, v)| format!("{k}: {v}"))
        .collect();
    writeln!(out, "time resolution     {}", res.join(", "))?;
    if !s.clients.is_empty() {
        let apps: Vec<String> = s
            .clients
            .iter()
            .map(|(c, n)| format!("{} ({n})", coordnet::error::shown(c)))
            .collect();
        writeln!(out, "posted with         {}", apps.join(", "))?;
    }
    if stats.snowflake_mismatches > 0 {
        writeln!(
            out,
            "snowflake mismatch  {} (written time kept)",
            stats.snowflake_mismatches
        )?;
    }
    writeln!(
        out,
        "read in             {:.2} s ({:.0} MB)",
        stats.seconds,
        stats.bytes_read as f64 / 1e6
    )?;
    Ok(())
}
