//! `coordnet detect`: the main job, from tweet records to scored clusters with roles.

use super::graph::PairingArgs;
use super::input::{BackgroundArgs, InputArgs};
use super::progress::Reporter;
use super::{one_of, set, with_defaults};
use coordnet::communities::Quality;
use coordnet::graphs::{CoactionKind, FusionOptions, Window};
use coordnet::pipeline::InputKind;
use coordnet::progress::Progress;
use coordnet::report::detection::write_detection_with_progress;
use coordnet::report::detection::{EdgeFileOptions, EdgeFiles};
use coordnet::shown::{counted, score_shown};
use coordnet::{detect_with_progress, DetectConfig, RunSummary};
use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

/// Flagged clusters `detect` prints with their evidence; the rest are counted (every one is in
/// clusters.csv and report.html).
const FLAGGED_SHOWN: usize = 5;

/// Find coordinated clusters of accounts, assign each account a role (core, amplifier, other),
/// score each cluster with the evidence behind it, and write report.html (the analyst's page),
/// accounts.csv, clusters.csv, edges.csv, network.gexf (Gephi) and summary.json into DIR.
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

    #[command(flatten)]
    cluster: super::cluster::ClusterArgs,

    /// Output directory (created if missing).
    #[arg(short, long, visible_alias = "out", value_name = "DIR")]
    output: PathBuf,

    #[command(flatten)]
    background: BackgroundArgs,

    #[command(flatten)]
    fusion: FusionArgs,

    /// Clusters scoring at least this are flagged as coordinated.
    #[arg(long, value_parser = super::finite, value_name = "S")]
    threshold: Option<f64>,

    /// Smaller groups are not reported as clusters.
    #[arg(long, value_parser = super::whole::<usize>, value_name = "N")]
    min_cluster_size: Option<usize>,

    /// Accounts with less than this share of their evidence inside their cluster are left out
    /// of it (each tie's `-log10 p` in full, as accounts.csv's fused_strength and
    /// internal_strength show).
    #[arg(long, value_parser = super::finite, value_name = "SHARE")]
    min_internal_share: Option<f64>,

    /// In an archive, a post, text, hashtag or mention used by more accounts than this is too
    /// common to pair on in full (the pairs grow with the square of its accounts): through it
    /// each account meets only --archive-neighbours of its accounts, drawn pseudo-randomly
    /// (reported). It counts in full where no pair is made: the merge and the placement.
    #[arg(long, value_parser = super::whole::<usize>, value_name = "N")]
    max_item_accounts: Option<usize>,

    /// In an archive, operations are first found among each account's this many most similar
    /// accounts (a pair stays if either end keeps it), then merged on the similarity of every
    /// pair, summed exactly from the profiles; 0 links every two accounts that share an item,
    /// which grows with the square of the accounts. Also how many accounts each meets through
    /// an item too common to pair on in full (0: none).
    #[arg(long, value_parser = super::whole::<usize>, value_name = "N")]
    archive_neighbours: Option<usize>,

    /// Community detection quality (cpm: --resolution is the least density of a cluster, try
    /// 0.05). A takedown archive's operations are found by modularity at resolution 1,
    /// whatever this and --resolution say.
    #[arg(long, value_name = "Q", value_parser = one_of::<Quality>(Quality::ALL.map(Quality::name)))]
    quality: Option<Quality>,

    /// Leiden resolution (modularity: larger splits more). Unflagged large clusters are split
    /// again on their own subgraph wherever a flagged group hides inside. A takedown archive's
    /// operations are split by modularity at resolution 1, whatever this says.
    #[arg(long, value_parser = super::finite, value_name = "R")]
    resolution: Option<f64>,

    /// Write every fused edge to edges.csv and every cluster to network.gexf (default: the
    /// flagged clusters' internal edges, which is what an analyst lays out).
    #[arg(long)]
    all_edges: bool,

    /// Past this many edges, edges.csv keeps each account's strongest ties only, as many per
    /// account as fit (at 10^8 tweets the flagged clusters hold hundreds of millions of edges,
    /// tens of GB). 0 for no limit.
    #[arg(long, value_parser = super::whole::<usize>, value_name = "N")]
    csv_max_edges: Option<usize>,

    /// The same for network.gexf (Gephi stalls beyond about a million edges).
    #[arg(long, value_parser = super::whole::<usize>, value_name = "N")]
    gexf_max_edges: Option<usize>,

    /// Seed of Leiden and of the time-shuffled null.
    #[arg(long, value_parser = super::whole::<u64>, value_name = "S")]
    seed: Option<u64>,
}

/// How the graphs are built and fused: `detect`'s, and those `score` scores given groups on.
#[derive(clap::Args, Debug)]
pub struct FusionArgs {
    /// Co-action kinds to fuse, comma-separated.
    #[arg(long, value_delimiter = ',', value_name = "KINDS",
          value_parser = one_of::<CoactionKind>(CoactionKind::ALL.map(CoactionKind::name)))]
    kinds: Option<Vec<CoactionKind>>,

    /// Leave the retweet graph out of the fusion.
    #[arg(long)]
    no_retweets: bool,

    /// One time window for every kind (10s, 5m, none for the whole period, or auto to
    /// estimate each kind's window from the data; a bare number is seconds, as CooRTweet's
    /// time_window).
    #[arg(long, value_name = "DURATION", allow_hyphen_values = true, value_parser = |s: &str| s.parse::<Window>())]
    window: Option<Window>,

    /// An edge of any graph enters the fused graph if its p-value against that graph's null
    /// model is at most this.
    #[arg(long, value_parser = super::finite, value_name = "P")]
    edge_pvalue: Option<f64>,

    #[command(flatten)]
    pairing: PairingArgs,
}

impl FusionArgs {
    /// The library's defaults of these flags, for `--help`.
    pub fn defaults() -> Vec<(&'static str, String)> {
        let d = DetectConfig::default();
        let kinds: Vec<&str> = d.fusion.kinds.iter().map(|k| k.name()).collect();
        vec![
            ("kinds", kinds.join(",")),
            ("window", d.fusion.graph.window.to_string()),
            ("edge_pvalue", d.fusion.edge_pvalue.to_string()),
        ]
        .into_iter()
        .chain(PairingArgs::defaults(&d.fusion.graph))
        .collect()
    }

    /// These flags laid over `fusion`.
    pub fn apply(&self, fusion: &mut FusionOptions) {
        set(&mut fusion.kinds, self.kinds.clone());
        fusion.retweets &= !self.no_retweets;
        set(&mut fusion.graph.window, self.window);
        set(&mut fusion.edge_pvalue, self.edge_pvalue);
        self.pairing.apply(&mut fusion.graph);
    }
}

/// `--help` shows the library's defaults.
pub fn show_defaults(cmd: clap::Command) -> clap::Command {
    let d = DetectConfig::default();
    let mut defaults = FusionArgs::defaults();
    defaults.extend([
        ("input_kind", d.input_kind.name().to_string()),
        ("threshold", d.threshold.to_string()),
        ("min_cluster_size", d.min_cluster_size.to_string()),
        ("min_internal_share", d.min_internal_share.to_string()),
        (
            "max_item_accounts",
            d.archive.profiles.max_item_accounts.to_string(),
        ),
        (
            "archive_neighbours",
            d.archive.profiles.neighbours.to_string(),
        ),
        ("quality", d.leiden.quality.name().to_string()),
        ("resolution", d.leiden.resolution.to_string()),
        ("seed", d.leiden.seed.to_string()),
        (
            "csv_max_edges",
            EdgeFileOptions::default().csv_max_edges.to_string(),
        ),
        (
            "gexf_max_edges",
            EdgeFileOptions::default().gexf_max_edges.to_string(),
        ),
    ]);
    with_defaults(cmd, &defaults)
}

impl Args {
    fn edge_files(&self) -> EdgeFileOptions {
        let mut o = EdgeFileOptions {
            all_edges: self.all_edges,
            ..Default::default()
        };
        set(&mut o.csv_max_edges, self.csv_max_edges);
        set(&mut o.gexf_max_edges, self.gexf_max_edges);
        o
    }

    fn config(&self) -> anyhow::Result<DetectConfig> {
        let mut c = DetectConfig::default();
        set(&mut c.input_kind, self.background.input_kind);
        self.fusion.apply(&mut c.fusion);
        set(&mut c.threshold, self.threshold);
        set(&mut c.min_cluster_size, self.min_cluster_size);
        set(&mut c.min_internal_share, self.min_internal_share);
        set(
            &mut c.archive.profiles.max_item_accounts,
            self.max_item_accounts,
        );
        set(&mut c.archive.profiles.neighbours, self.archive_neighbours);
        set(&mut c.leiden.quality, self.quality);
        set(&mut c.leiden.resolution, self.resolution);
        set(&mut c.leiden.seed, self.seed);
        c.memory_limit = self.input.memory_limit();
        c.temp_dir = self.input.temp_dir.clone();
        c.validate()?;
        Ok(c)
    }
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let config = args.config()?;
    coordnet::report::safe::check_output_dir(&args.output, &args.input.inputs)?;
    args.background.check()?;
    if args.cluster.writes_outputs()? {
        coordnet::report::detection::check_can_write_detection(&args.output)?;
    }
    args.input.prepare()?;
    let started = Instant::now();
    args.cluster.silence_others()?;
    let stages = coordnet::pipeline::stages(config.input_kind);
    let progress = Reporter::new(stages + 2 + usize::from(!args.background.control.is_empty()));
    progress.say(&args.input.memory_line());
    // Said before the run, so that an analyst keeping an earlier run can stop this one.
    if args.cluster.writes_outputs()? {
        let notes = [
            coordnet::report::detection::clear_unfinished(&args.output),
            super::replacing(&args.output),
        ];
        notes.iter().flatten().for_each(|note| progress.say(note));
    }
    let options = args.input.options();
    match (args.cluster).read(&args.input.inputs, &options, &progress)? {
        (Some((data, stats)), session) => {
            let read = Read {
                data,
                stats,
                session,
            };
            detect_and_write(&args, config, read, started, &progress)
        }
        (None, _) => Ok(()), // this process's part (its share, and pairs) is done
    }
}

/// What process 0 has read, and the session with the other processes (if any).
struct Read {
    data: coordnet::Dataset,
    stats: coordnet::IngestStats,
    session: super::cluster::Session,
}

/// From the dataset to the outputs.
fn detect_and_write(
    args: &Args,
    mut config: DetectConfig,
    read: Read,
    started: Instant,
    progress: &Reporter,
) -> anyhow::Result<()> {
    let Read {
        data,
        stats,
        session,
    } = read;
    progress.say(&stats.summary());
    anyhow::ensure!(
        data.tweets() > 0,
        "no tweets were read from the input ({} records, {} rejected): nothing to detect",
        stats.rows_read,
        stats.rows_rejected
    );
    let ingest_secs = started.elapsed().as_secs_f64();
    if let Some(warning) = coordnet::pipeline::memory_warning(&data, &config) {
        progress.say(&warning);
    }

    let control = (args.background).read_control(&args.input.options(), &stats, progress)?;
    if let Some(own) = session.own_rows() {
        progress.say(&format!(
            "rows held where they were parsed: {own} of {} on process 0",
            data.tweets()
        ));
    }
    config.fusion.graph.counter = session.counter();
    config.fusion.graph.holders = session.holders();
    config.elsewhere = session.elsewhere();
    let d = detect_with_progress(&data, control.as_ref().map(|c| &c.0), &config, progress)?;
    let tallied = session.rows_tallied();
    if !tallied.is_empty() {
        progress.say(&format!("rows scored where they are held{tallied}"));
    }
    let config = &config;
    progress.say(&format!(
        "input: {} ({})",
        d.input.kind.name(),
        d.input.reason
    ));
    if control.is_some() && d.input.kind != InputKind::Archive {
        progress.say(
            "note: --control not used: the input is a collection, whose own accounts are the \
             background its clusters are scored against",
        );
    }
    for k in &d.fused.kinds {
        // A kind without edges says why, where its window is the default for want of data.
        let why = (k.window_reason.as_deref())
            .and_then(coordnet::graphs::window::defaulted_why)
            .filter(|_| k.edges == 0)
            .map_or(String::new(), |why| format!(" ({why})"));
        progress.say(&format!(
            "{:<11} window {:<6} {:>9} edges, {:>8} significant{why}",
            k.kind, k.window, k.edges, k.significant_edges
        ));
        if k.pairs_capped > 0 {
            progress.say(&format!(
                "  note: {} in-window pairs on {} items left out by --max-neighbors {}",
                k.pairs_capped, k.items_capped, config.fusion.graph.max_neighbors
            ));
        }
    }
    if d.common_items > 0 {
        progress.say(&format!(
            "note: {} items used by more than --max-item-accounts {} accounts paired on in part (counted in full in the merge and placement)",
            d.common_items, config.archive.profiles.max_item_accounts
        ));
    }

    progress.stage("writing", None);
    let inputs = &args.input.inputs;
    let files = EdgeFiles::choose(&d, args.edge_files());
    progress.note(&format!(
        "edges chosen: {} for edges.csv, {} for network.gexf",
        files.counts.edges_csv, files.counts.network_gexf
    ));
    let mut summary = RunSummary::new(inputs, &data, &stats, ingest_secs, config, &d);
    summary.edge_files = Some(files.counts.clone());
    summary.control = control.as_ref().map(|c| &c.1);
    write_detection_with_progress(&args.output, &data, &d, &summary, &files, progress)?;
    // The report's pictures are drawn from every process's rows too.
    session.finish()?;
    progress.finish();
    for note in files.counts.notes() {
        progress.say(&note);
    }
    // The results on standard output, as stats, score and eval print theirs (the first
    // FLAGGED_SHOWN flagged clusters, the rest counted); progress and
    // warnings stay on standard error.
    let flagged: Vec<_> = d.flagged().collect();
    let mut out = std::io::stdout().lock();
    let counts = &summary.counts;
    writeln!(
        out,
        "{} cluster{} ({} accounts); {} flagged as coordinated ({} accounts, {:.0}% of the \
         tweets); wrote {}",
        d.clusters.len(),
        if d.clusters.len() == 1 { "" } else { "s" },
        counts.clustered_accounts,
        counts.flagged_clusters,
        counts.flagged_accounts,
        100.0 * counts.flagged_tweets as f64 / counts.tweets.max(1) as f64,
        args.output.display()
    )?;
    for c in flagged.iter().take(FLAGGED_SHOWN) {
        writeln!(
            out,
            "  cluster {}: {} accounts, score {}: {}",
            c.id,
            c.size,
            score_shown(c.score),
            c.explanation
        )?;
    }
    // What is not shown is counted, so that no cluster goes unmentioned.
    let more = flagged.len().saturating_sub(FLAGGED_SHOWN);
    let below = d.clusters.len() - flagged.len();
    let unshown: Vec<String> = [
        (more > 0).then(|| counted(more, "more flagged cluster")),
        (below > 0).then(|| {
            let below = counted(below, "cluster");
            format!("{below} scoring under the threshold {}", config.threshold)
        }),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !unshown.is_empty() {
        writeln!(
            out,
            "  and {}: every cluster is in {} and {}",
            unshown.join(", and "),
            args.output.join("clusters.csv").display(),
            args.output.join("report.html").display()
        )?;
    }
    // In an archive every account is a suspect: those in no operation are counted, not lost.
    let outside = d.left_out.iter().filter(|why| why.is_some()).count();
    if d.input.kind == InputKind::Archive && outside > 0 {
        writeln!(
            out,
            "  {} in no operation: why, for each, is in the left_out column of {}",
            counted(outside, "posting account"),
            args.output.join("accounts.csv").display()
        )?;
    }
    if stats.rows_rejected > 0 {
        writeln!(
            out,
            "  {} of the {} records read were rejected: the reasons are above and in {}",
            stats.rows_rejected,
            stats.rows_read,
            args.output.join("summary.json").display()
        )?;
    }
    out.flush()?;
    Ok(())
}
