//! `coordnet detect`: the main job, from tweet records to scored clusters with roles.

use super::input::InputArgs;
use super::progress::Stages;
use coordnet::communities::Quality;
use coordnet::graphs::{parse_duration, CoactionKind};
use coordnet::report::detection::write_detection;
use coordnet::scoring::{detect_with_progress, DetectConfig, PART_WEIGHTS};
use std::path::PathBuf;
use std::time::Instant;

/// Find coordinated clusters of accounts, assign each account a role (core, amplifier, other),
/// score each cluster with the evidence behind it, and write accounts.csv, clusters.csv,
/// edges.csv, network.gexf (Gephi) and summary.json into DIR.
///
/// Co-action graphs (co-retweet, co-hashtag, co-URL, co-mention, co-reply, co-tweet) and the
/// retweet graph are each tested against a null model and fused by significance; Leiden finds
/// clusters in the fused graph; each cluster is scored from co-action significance, timing
/// synchrony, core-amplifier structure, account-creation burst, content duplication and
/// hashtag concentration.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    input: InputArgs,

    /// Output directory (created if missing).
    #[arg(short, long, value_name = "DIR")]
    output: PathBuf,

    /// Co-action kinds to fuse, comma-separated [co-retweet, co-reply, co-hashtag, co-url,
    /// co-mention, co-tweet, co-similar].
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "co-retweet,co-hashtag,co-url,co-mention,co-reply,co-tweet",
        value_name = "KINDS"
    )]
    kinds: Vec<String>,

    /// Leave the retweet graph out of the fusion.
    #[arg(long)]
    no_retweets: bool,

    /// One time window for every kind (10s, 5m, none); default: estimated per kind from the
    /// data, at most 1h.
    #[arg(long, value_name = "DURATION")]
    window: Option<String>,

    /// An edge of any graph enters the fused graph if its p-value against that graph's null
    /// model is at most this.
    #[arg(long, default_value_t = 0.01, value_name = "P")]
    edge_pvalue: f64,

    /// Clusters scoring at least this are flagged as coordinated.
    #[arg(long, default_value_t = 0.4, value_name = "S")]
    threshold: f64,

    /// Smaller groups are not reported as clusters.
    #[arg(long, default_value_t = 3, value_name = "N")]
    min_cluster_size: usize,

    /// Accounts with less than this share of their fused evidence inside their cluster are
    /// left out of it.
    #[arg(long, default_value_t = 0.4, value_name = "SHARE")]
    min_internal_share: f64,

    /// Accounts with fewer actions of a kind take no part in that kind's graph.
    #[arg(long, default_value_t = 2, value_name = "N")]
    min_participation: u32,

    /// Community detection quality [modularity, cpm].
    #[arg(long, default_value = "modularity", value_name = "Q")]
    quality: Quality,

    /// Leiden resolution (modularity: larger splits more). Unflagged large clusters are split
    /// again on their own subgraph wherever a flagged group hides inside.
    #[arg(long, default_value_t = 2.0, value_name = "R")]
    resolution: f64,

    /// Write every fused edge to edges.csv and every cluster to network.gexf (default: the
    /// flagged clusters' internal edges, which is what an analyst lays out).
    #[arg(long)]
    all_edges: bool,

    /// Seed of Leiden and of the time-shuffled null.
    #[arg(long, default_value_t = 1, value_name = "S")]
    seed: u64,
}

impl Args {
    fn config(&self) -> anyhow::Result<DetectConfig> {
        let kinds = self
            .kinds
            .iter()
            .filter(|k| !k.trim().is_empty())
            .map(|k| {
                CoactionKind::ALL
                    .into_iter()
                    .find(|x| x.name() == k.trim())
                    .ok_or_else(|| {
                        anyhow::anyhow!(
                            "unknown co-action kind '{k}'; expected some of: {}",
                            CoactionKind::ALL.map(|x| x.name()).join(", ")
                        )
                    })
            })
            .collect::<anyhow::Result<_>>()?;
        let mut c = DetectConfig {
            kinds,
            retweets: !self.no_retweets,
            edge_pvalue: self.edge_pvalue,
            threshold: self.threshold,
            min_cluster_size: self.min_cluster_size,
            min_internal_share: self.min_internal_share,
            ..DetectConfig::default()
        };
        if let Some(w) = &self.window {
            c.window_ms = Some(parse_duration(w)?);
        }
        c.graph.min_participation = self.min_participation;
        c.leiden.quality = self.quality;
        c.leiden.resolution = self.resolution;
        c.leiden.seed = self.seed;
        c.validate()?;
        Ok(c)
    }
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let config = args.config()?;
    let started = Instant::now();
    let mut stages = Stages::new(5);
    stages.start("reading input");
    let (data, report) = coordnet::ingest(&args.input.inputs, &args.input.options())?;
    eprintln!("{}", report.summary());
    let ingest_secs = started.elapsed().as_secs_f64();

    let d = detect_with_progress(&data, &config, &mut |stage| stages.start(stage))?;
    for k in &d.fused.kinds {
        eprintln!(
            "{:<11} window {:<6} {:>9} edges, {:>8} significant",
            k.kind, k.window, k.edges, k.significant_edges
        );
    }

    stages.start("writing");
    let flagged: Vec<_> = d.clusters.iter().filter(|c| c.flagged).collect();
    let mut timings: Vec<(&str, f64)> = vec![("ingest", ingest_secs)];
    timings.extend(d.timings.iter().copied());
    let summary = serde_json::json!({
        "inputs": args.input.inputs,
        "settings": {
            "kinds": config.kinds.iter().map(|k| k.name()).collect::<Vec<_>>(),
            "retweets": config.retweets,
            "edge_pvalue": config.edge_pvalue,
            "threshold": config.threshold,
            "min_cluster_size": config.min_cluster_size,
            "min_internal_share": config.min_internal_share,
            "min_participation": config.graph.min_participation,
            "leiden": config.leiden,
            "part_weights": PART_WEIGHTS,
        },
        "graphs": d.fused.kinds,
        "counts": {
            "tweets": data.len(),
            "accounts": data.accounts.len(),
            "fused_edges": d.fused.edges.len(),
            "clusters": d.clusters.len(),
            "flagged_clusters": flagged.len(),
            "clustered_accounts": d.clusters.iter().map(|c| c.size).sum::<usize>(),
            "flagged_accounts": flagged.iter().map(|c| c.size).sum::<usize>(),
        },
        "ingest": report,
        "timings_s": timings.iter().map(|(k, v)| (k.to_string(), serde_json::json!(v))).collect::<serde_json::Map<_, _>>(),
    });
    write_detection(&args.output, &data, &d, &summary, args.all_edges)?;
    stages.finish();
    eprintln!(
        "{} clusters ({} accounts); {} flagged as coordinated ({} accounts); wrote {}",
        d.clusters.len(),
        d.clusters.iter().map(|c| c.size).sum::<usize>(),
        flagged.len(),
        flagged.iter().map(|c| c.size).sum::<usize>(),
        args.output.display()
    );
    for c in flagged.iter().take(5) {
        eprintln!(
            "  cluster {}: {} accounts, score {:.2}: {}",
            c.id, c.size, c.score, c.explanation
        );
    }
    Ok(())
}
