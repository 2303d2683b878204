//! `coordnet score`: an analyst's own list of suspected accounts, scored like a cluster.

use super::input::{BackgroundArgs, InputArgs};
use super::progress::Reporter;
use super::set;
use coordnet::eval::{read_suspects, SuspectGroups};
use coordnet::ingest::ingest_with_progress;
use coordnet::pipeline::{background_for_groups, build_graphs};
use coordnet::report::detection::EdgeFiles;
use coordnet::report::summary::{GivenGroup, GivenGroupsSummary};
use coordnet::scoring::{Part, NO_CLUSTER};
use coordnet::shown::counted;
use coordnet::{assess, write_detection, DetectConfig, RunSummary};
use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

/// Score a list of suspected accounts with the same parts and roles as `detect` gives a
/// cluster, against the rest of the data (or, when the list holds most of the tweets, against a
/// control collection or platform-wide figures): co-action significance, timing synchrony,
/// core-amplifier structure, creation burst, content duplication, hashtag concentration; each
/// account gets a role (core, amplifier, other). With --group-column, each group is scored on
/// its own. The graphs are built as `detect` builds them, with the same flags: to score a
/// study's accounts as the study did, give its window and kinds.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// CSV of suspected accounts, with a header.
    #[arg(long, value_name = "SUSPECTS.csv")]
    accounts: PathBuf,

    /// Column of SUSPECTS.csv holding the account id (as written in the input: user id,
    /// hashed id or author name).
    #[arg(long, default_value = "account_id", value_name = "COL")]
    account_column: String,

    /// Column of SUSPECTS.csv naming each account's group (default: one group).
    #[arg(long, value_name = "COL")]
    group_column: Option<String>,

    #[command(flatten)]
    input: InputArgs,

    #[command(flatten)]
    background: BackgroundArgs,

    #[command(flatten)]
    fusion: super::detect::FusionArgs,

    /// Groups scoring at least this are flagged as coordinated.
    #[arg(long, value_parser = super::finite, value_name = "S")]
    threshold: Option<f64>,

    /// Also write report.html, accounts.csv, clusters.csv, edges.csv, network.gexf and
    /// summary.json here [default: print the scores only].
    #[arg(short, long, visible_alias = "out", value_name = "DIR")]
    output: Option<PathBuf>,
}

/// Why an account that posted is in no group (`left_out` in accounts.csv).
const NOT_LISTED: &str = "not on the list of suspects";

/// `--help` shows the library's defaults.
pub fn show_defaults(cmd: clap::Command) -> clap::Command {
    let d = DetectConfig::default();
    let mut defaults = super::detect::FusionArgs::defaults();
    defaults.extend([
        ("input_kind", d.input_kind.name().to_string()),
        ("threshold", d.threshold.to_string()),
    ]);
    super::with_defaults(cmd, &defaults)
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let started = Instant::now();
    args.input.prepare()?;
    if let Some(dir) = &args.output {
        coordnet::report::safe::check_output_dir(dir, &args.input.inputs)?;
        coordnet::report::detection::check_can_write_detection(dir)?;
    }
    let mut config = DetectConfig::default();
    set(&mut config.threshold, args.threshold);
    set(&mut config.input_kind, args.background.input_kind);
    args.fusion.apply(&mut config.fusion);
    config.memory_limit = args.input.memory_limit();
    config.temp_dir = args.input.temp_dir.clone();
    config.validate()?;
    args.background.check()?;
    let suspects = read_suspects(
        &args.accounts,
        &args.account_column,
        args.group_column.as_deref(),
    )
    .map_err(|e| match e.to_string().contains(": no column '") {
        true => anyhow::anyhow!("{e}; name the columns with --account-column and --group-column"),
        false => e.into(),
    })?;
    anyhow::ensure!(
        !suspects.is_empty(),
        "{} lists no accounts: give one account per row, in the column '{}' \
         (--account-column)",
        args.accounts.display(),
        args.account_column
    );
    let progress = Reporter::new(2 + usize::from(!args.background.control.is_empty()));
    progress.say(&args.input.memory_line());
    let (data, stats) = ingest_with_progress(&args.input.inputs, &args.input.options(), &progress)?;
    progress.say(&stats.summary());
    let ingest_secs = started.elapsed().as_secs_f64();
    let control = (args.background).read_control(&args.input.options(), &stats, &progress)?;

    // A group is scored on what its accounts did: one that is only retweeted, replied to or
    // mentioned in the input has no behaviour of its own to measure.
    let placed = SuspectGroups::place(&data, &suspects, &args.accounts, &args.account_column)?;
    let SuspectGroups {
        missing,
        posted_nothing: silent,
        ..
    } = &placed;
    let suspected = placed.suspected();
    let left_out = placed.left_out();
    let first_three = |accounts: &[&str]| {
        let quoted: Vec<String> = accounts.iter().take(3).map(|a| format!("'{a}'")).collect();
        quoted.join(", ")
    };
    if !missing.is_empty() {
        progress.say(&format!(
            "{} of {} suspected accounts are not in the input (e.g. {}); they are left out \
             (summary.json lists them all)",
            missing.len(),
            suspected,
            first_three(missing)
        ));
    }
    if !silent.is_empty() {
        progress.say(&format!(
            "{} of {} suspected accounts posted nothing in the input, only being retweeted, \
             replied to or mentioned (e.g. {}); they are left out",
            silent.len(),
            suspected,
            first_three(silent)
        ));
    }
    for g in &left_out {
        progress.say(&format!(
            "group {g}: none of its {} listed accounts posted in the input; it is left out",
            placed.listed_in(g)
        ));
    }
    anyhow::ensure!(
        !placed.names.is_empty(),
        "none of the {} accounts in {} is in the input; check --account-column (ids must be \
         written as in the input)",
        suspected,
        args.accounts.display()
    );
    let control_stats = control.as_ref().map(|c| &c.1);
    let control = control.as_ref().map(|c| &c.0);
    let control_sources = control.map(coordnet::graphs::retweet::sources);
    let control = control.zip(control_sources.as_deref());
    let (input, background) = background_for_groups(&data, &placed.cluster_of, &config, control)?;
    progress.say(&format!(
        "input: {} ({}); the groups are compared with {}",
        input.kind.name(),
        input.reason,
        input.background
    ));
    if let Some(caution) = &input.caution {
        progress.say(&format!("  warning: {caution} (--control FILE)"));
    }
    let clock = Instant::now();
    let fused = build_graphs(&data, &config, &progress)?;
    progress.finish();
    let graphs_secs = clock.elapsed().as_secs_f64();
    let clock = Instant::now();
    let (cluster_of, groups) = (placed.cluster_of.clone(), placed.names.len());
    let mut d = assess(&data, fused, cluster_of, groups, &config, background)?;
    d.timings = vec![
        ("graphs", graphs_secs),
        ("scoring", clock.elapsed().as_secs_f64()),
    ];
    d.input = input;
    // Every other account that posted is in no group because the list does not name it.
    d.left_out = (0..d.cluster_of.len())
        .map(|u| (d.activity.tweets[u] > 0 && d.cluster_of[u] == NO_CLUSTER).then_some(NOT_LISTED))
        .collect();
    // Each cluster's group name, in cluster order: clusters.csv, accounts.csv and
    // summary.json carry it by cluster, and report.html at the head of the explanation.
    let names = placed.names_of(&d);
    if args.group_column.is_some() {
        for (c, g) in d.clusters.iter_mut().zip(&names) {
            c.explanation = format!("group {g}: {}", c.explanation);
            c.group = Some(g.to_string());
        }
    }
    // The files first: a closed standard output (`| head`) ends the command quietly, and
    // must not lose them.
    if let Some(dir) = &args.output {
        let files = EdgeFiles::choose(&d, Default::default());
        let inputs = &args.input.inputs;
        let mut run = RunSummary::new(inputs, &data, &stats, ingest_secs, &config, &d);
        run.edge_files = Some(files.counts.clone());
        run.control = control_stats;
        let summary = GivenGroupsSummary {
            run: run.given_groups(),
            suspects: &args.accounts,
            suspects_missing: missing.len(),
            suspects_posted_nothing: silent.len(),
            suspects_missing_listed: missing,
            suspects_posted_nothing_listed: silent,
            groups: (d.clusters.iter().zip(&names))
                .map(|(c, &group)| GivenGroup {
                    cluster: c.id,
                    group,
                    listed: placed.listed_in(group),
                })
                .collect(),
            groups_left_out: left_out.clone(),
        };
        if let Some(note) = super::replacing(dir) {
            coordnet::tell!("{note}");
        }
        write_detection(dir, &data, &d, &summary, &files)?;
        for note in files.counts.notes() {
            coordnet::tell!("{note}");
        }
        coordnet::tell!("wrote {}", dir.display());
    }
    let mut out = std::io::stdout().lock();
    for (c, g) in d.clusters.iter().zip(&names) {
        writeln!(
            out,
            "{g}: {} of {} listed ({}, {}, {} other), score {}{}",
            counted(c.size, "account"),
            placed.listed_in(g),
            counted(c.n_core, "core"),
            counted(c.n_amplifier, "amplifier"),
            c.n_other,
            c.score_said(),
            if c.flagged { ", flagged" } else { "" }
        )?;
        let parts: Vec<String> = Part::ALL
            .iter()
            .map(|&p| {
                let v = c.parts.get(p);
                format!(
                    "{} {}",
                    p.name(),
                    v.map_or("-".into(), |v| format!("{v:.2}"))
                )
            })
            .collect();
        writeln!(out, "  {}", parts.join(", "))?;
        writeln!(out, "  {}", c.explanation)?;
    }
    out.flush()?;
    Ok(())
}
