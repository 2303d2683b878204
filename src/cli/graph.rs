//! `coordnet graph`: build one retweet or co-action graph and write it as CSV, GraphML or GEXF.

use super::input::InputArgs;
use super::progress::Reporter;
use super::{one_of, set, with_defaults};
use coordnet::graphs::CoEdge;
use coordnet::graphs::{self, coaction_graph, CoactionKind, GraphKind};
use coordnet::graphs::{GraphOptions, Window};
use coordnet::progress::Progress;
use coordnet::report::graph_file::{write_coaction_csv, EdgeWeight};
use coordnet::report::{write_graph, EdgeTable, GraphEdges, GraphFormat, NodeTable};
use std::io::Write;
use std::path::PathBuf;

/// Build a retweet or co-action graph, with time window, significance and evidence counts.
///
/// Edge columns (CSV): source, target, weight, kind, pairs (co-actions within the window),
/// items (distinct shared items), min/mean delay, idf_weight, cosine (TF-IDF), expected_pairs,
/// z and p_value (against accounts shuffled over the same action slots), example_item.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    input: InputArgs,

    #[command(flatten)]
    cluster: super::cluster::ClusterArgs,

    #[command(flatten)]
    graph: GraphArgs,

    /// Edge weight written to the file.
    #[arg(long, value_name = "W",
          value_parser = one_of::<EdgeWeight>(EdgeWeight::ALL.map(EdgeWeight::name)))]
    weight: Option<EdgeWeight>,

    /// Keep edges whose weight (as chosen by --weight) is at least this [default: every
    /// weight].
    #[arg(long, value_parser = super::finite, value_name = "N")]
    min_weight: Option<f64>,

    /// Keep edges whose p-value against the shuffled null is at most this [default: any].
    #[arg(long, value_parser = super::finite, value_name = "P")]
    pvalue: Option<f64>,

    /// Keep edges whose z-score against the shuffled null is at least this [default: any].
    #[arg(long, value_parser = super::finite, value_name = "Z")]
    min_z: Option<f64>,

    /// Output file: .csv, .graphml or .gexf (Gephi), or - for CSV on standard output.
    #[arg(short, long, visible_alias = "out", value_name = "FILE")]
    output: PathBuf,
}

/// Settings shared by `graph` and `explain`.
#[derive(clap::Args, Debug)]
pub struct GraphArgs {
    /// Graph kind.
    #[arg(long, default_value = "co-retweet", value_name = "KIND",
          value_parser = one_of::<GraphKind>(GraphKind::ALL.map(GraphKind::name)))]
    pub kind: GraphKind,

    /// Two actions on the same item count only if at most this far apart (10s, 5m, 2h, none
    /// for the whole period, auto to estimate it from the data; a bare number is seconds, as
    /// CooRTweet's time_window).
    #[arg(long, value_name = "DURATION", allow_hyphen_values = true, value_parser = |s: &str| s.parse::<Window>())]
    pub window: Option<Window>,

    #[command(flatten)]
    pub pairing: PairingArgs,

    /// Count as CooRTweet does, to reproduce its results: every row, repeated ones too, and
    /// its second participation filter.
    #[arg(long)]
    pub coortweet: bool,

    /// co-tweet and co-similar: ignore texts shorter than this after normalization.
    #[arg(long, value_parser = super::whole::<usize>, value_name = "CHARS")]
    pub min_text_chars: Option<usize>,

    /// co-similar: estimated Jaccard similarity of word bigrams that makes a near-duplicate.
    #[arg(long, value_parser = super::finite, value_name = "S")]
    pub similarity: Option<f64>,
}

/// How a co-action graph's pairs are formed: `graph`'s, `explain`'s and `detect`'s.
#[derive(clap::Args, Debug)]
pub struct PairingArgs {
    /// Accounts with fewer actions of a kind take no part in that kind's graph.
    #[arg(long, value_parser = super::whole::<u32>, value_name = "N")]
    pub min_participation: Option<u32>,

    /// Each action pairs with at most this many later actions of its item inside the window
    /// (bounds the cost of viral items; what it leaves out is reported).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub max_neighbors: Option<u32>,
}

impl PairingArgs {
    /// The defaults of these flags in `d`, for `--help`.
    pub fn defaults(d: &GraphOptions) -> [(&'static str, String); 2] {
        [
            ("min_participation", d.min_participation.to_string()),
            ("max_neighbors", d.max_neighbors.to_string()),
        ]
    }

    /// These flags laid over `o`.
    pub fn apply(&self, o: &mut GraphOptions) {
        set(&mut o.min_participation, self.min_participation);
        set(&mut o.max_neighbors, self.max_neighbors);
    }
}

/// `--help` shows the library's defaults.
pub fn show_defaults(cmd: clap::Command) -> clap::Command {
    let cmd = show_defaults_of(cmd, &GraphOptions::default());
    with_defaults(cmd, &[("weight", EdgeWeight::default().name().into())])
}

/// `--help` shows the defaults `d` (`explain` takes `detect`'s).
pub fn show_defaults_of(cmd: clap::Command, d: &GraphOptions) -> clap::Command {
    with_defaults(
        cmd,
        &[
            ("window", d.window.to_string()),
            ("min_text_chars", d.filter.min_text_chars.to_string()),
            ("similarity", d.similarity.to_string()),
        ]
        .into_iter()
        .chain(PairingArgs::defaults(d))
        .collect::<Vec<_>>(),
    )
}

impl GraphArgs {
    pub fn options(&self) -> GraphOptions {
        self.options_over(GraphOptions::default())
    }

    /// The options given, the rest as in `o`.
    pub fn options_over(&self, mut o: GraphOptions) -> GraphOptions {
        set(&mut o.window, self.window);
        self.pairing.apply(&mut o);
        o.coortweet_participation |= self.coortweet;
        set(&mut o.filter.min_text_chars, self.min_text_chars);
        set(&mut o.similarity, self.similarity);
        o
    }
}

pub fn run(args: Args) -> anyhow::Result<()> {
    args.input.prepare()?;
    anyhow::ensure!(
        !(args.graph.coortweet && args.cluster.across()),
        "--coortweet counts on one process (CooRTweet's participation filter reads which \
         shares took part in any pair, anywhere); leave out --processes"
    );
    if args.output.as_os_str() != "-" {
        coordnet::report::safe::check_output_dir(&args.output, &args.input.inputs)?;
        if args.cluster.writes_outputs()? {
            coordnet::report::safe::check_can_write(&args.output, false)?;
        }
    }
    let format = if args.output.as_os_str() == "-" {
        GraphFormat::Csv
    } else {
        GraphFormat::from_path(&args.output)?
    };
    if let Some(p) = args.pvalue {
        anyhow::ensure!(
            (0.0..=1.0).contains(&p),
            "--pvalue {p} is not a probability; try --pvalue 0.01"
        );
        anyhow::ensure!(
            p > 0.0,
            "--pvalue 0 keeps no edge (no p-value is 0); try --pvalue 0.01"
        );
    }
    if let (Some(EdgeWeight::Cosine), Some(m)) = (args.weight, args.min_weight) {
        anyhow::ensure!(
            m <= 1.0,
            "--min-weight {m} keeps no edge: a cosine weight is at most 1; try --min-weight 0.5"
        );
    }
    misplaced_flag(&args)?;
    let mut opts = args.graph.options();
    opts.validate()?;
    opts.memory_limit = args.input.memory_limit();
    args.cluster.silence_others()?;
    let progress = Reporter::new(3);
    progress.say(&args.input.memory_line());
    // Texts are a quarter of the time to read an archive. The IRA layout keeps them
    // regardless, to recover retweet targets.
    let mut ingest_opts = args.input.options();
    ingest_opts.keep_text = args.graph.kind.reads_texts();
    // CooRTweet counts every row, repeated ones too.
    ingest_opts.keep_repeated_rows = args.graph.coortweet;
    // Across processes, the rows stay where they were parsed: a co-action graph is projected
    // there (each holder takes its rows' actions to their items' owners, which pair them), and
    // each holder sends what its rows' retweets add to the retweet graph.
    let (read, session) = (args.cluster).read(&args.input.inputs, &ingest_opts, &progress)?;
    let Some((data, stats)) = read else {
        return Ok(()); // this process's share is read, and served while asked: its part is done
    };
    progress.say(&stats.summary());
    if let Some(own) = session.own_rows() {
        progress.say(&format!(
            "rows held where they were parsed: {own} of {} on process 0",
            data.tweets()
        ));
    }
    opts.counter = session.counter();
    opts.holders = session.holders();
    let built = build(&args, &data, &opts, format, &progress, &session);
    session.finish()?;
    built
}

/// Refuse a flag given for a graph kind that never reads it: one table of which flag applies
/// to which kinds.
fn misplaced_flag(args: &Args) -> anyhow::Result<()> {
    let coaction = matches!(args.graph.kind, GraphKind::Coaction(_));
    let co = "co-action graphs";
    args.graph.misplaced_flag(&[
        // What only co-action graphs have: a shuffled null and its weights.
        ("--pvalue", args.pvalue.is_some(), coaction, co),
        ("--min-z", args.min_z.is_some(), coaction, co),
        ("--weight", args.weight.is_some(), coaction, co),
    ])
}

impl GraphArgs {
    /// Refuse a graph flag given for a kind that never reads it, or one of `more`: (flag,
    /// given, applies to this kind, the kinds it applies to).
    pub fn misplaced_flag(&self, more: &[(&str, bool, bool, &str)]) -> anyhow::Result<()> {
        let coaction = matches!(self.kind, GraphKind::Coaction(_));
        let is = |k: CoactionKind| self.kind == GraphKind::Coaction(k);
        let texts = is(CoactionKind::CoTweet) || is(CoactionKind::CoSimilar);
        let co = "co-action graphs";
        let flags = [
            // What only co-action graphs have: a window and participation.
            ("--window", self.window.is_some(), coaction, co),
            (
                "--min-participation",
                self.pairing.min_participation.is_some(),
                coaction,
                co,
            ),
            (
                "--max-neighbors",
                self.pairing.max_neighbors.is_some(),
                coaction,
                co,
            ),
            ("--coortweet", self.coortweet, coaction, co),
            (
                "--min-text-chars",
                self.min_text_chars.is_some(),
                texts,
                "co-tweet or co-similar",
            ),
            (
                "--similarity",
                self.similarity.is_some(),
                is(CoactionKind::CoSimilar),
                "co-similar",
            ),
        ];
        let Some(&(flag, _, _, kinds)) = more.iter().chain(&flags).find(|f| f.1 && !f.2) else {
            return Ok(());
        };
        let this = match self.kind {
            GraphKind::Retweet => "the retweet graph (its edges are retweet counts with their \
                                   delays, filtered by --min-weight)"
                .to_string(),
            GraphKind::Coaction(k) => k.name().to_string(),
        };
        anyhow::bail!("{flag} applies to {kinds} only, not to {this}; leave {flag} out, or choose {kinds} with --kind")
    }
}

/// Build the graph `args` asks for of `data` and write it.
fn build(
    args: &Args,
    data: &coordnet::Dataset,
    opts: &GraphOptions,
    format: GraphFormat,
    progress: &Reporter,
    session: &super::cluster::Session,
) -> anyhow::Result<()> {
    progress.stage(
        &format!("building the {} graph", args.graph.kind.name()),
        None,
    );
    let (nodes, table) = match args.graph.kind {
        GraphKind::Retweet => {
            let g = graphs::retweet_graph_held(data, opts)?;
            let r = &g.stats;
            progress.say(&format!(
                "retweets: {} ({} source from record, {} from 'RT @name:', {} from matching \
                 text, {} unknown, {} self-retweets)",
                r.retweets,
                r.source_from_record,
                r.source_from_text_prefix,
                r.source_from_text_match,
                r.source_unknown,
                r.self_retweets
            ));
            let min = args.min_weight.unwrap_or(1.0).max(1.0).ceil() as u32;
            let table = EdgeTable::retweet(&g, min);
            (table.nodes(), table)
        }
        GraphKind::Coaction(kind) => {
            let mut p = coaction_graph(data, kind, opts)?;
            if let Some(reason) = &p.window_reason {
                progress.say(&format!("window: {reason}"));
            }
            progress.say(&projection_summary(&p));
            let weight = args.weight.unwrap_or_default();
            let keep = |e: &CoEdge| {
                args.min_weight.is_none_or(|m| weight.of(e) >= m)
                    && args.pvalue.is_none_or(|m| e.p_value <= m)
                    && args.min_z.is_none_or(|m| e.z >= m)
            };
            if format == GraphFormat::Csv {
                // Straight from the projection: no table of every edge's columns in between.
                p.edges.retain(|e| keep(e));
                progress.stage("writing", None);
                write_output(&args.output, |out| {
                    write_coaction_csv(out, data, &p, weight)
                })?;
                progress.finish();
                let mut seen = vec![false; data.accounts.len()];
                for e in &p.edges {
                    (seen[e.a as usize], seen[e.b as usize]) = (true, true);
                }
                let accounts = seen.iter().filter(|&&x| x).count();
                wrote(p.edges.len(), accounts, &args.output);
                return Ok(());
            }
            let table = EdgeTable::coaction(data, &p, weight, keep);
            (table.nodes(), table)
        }
    };
    // Each account's tweets, counted where the rows are held.
    let tweets = session.elsewhere().activity(data)?.tweets;
    let nodes = NodeTable::with_tweets(data, &tweets, &nodes);
    progress.stage("writing", None);
    write_output(&args.output, |out| {
        write_graph(out, format, data, &table, &nodes)
    })?;
    progress.finish();
    wrote(table.edges.len(), nodes.values.len(), &args.output);
    Ok(())
}

/// Hand `write` the output, standard output for `-`, and flush it.
fn write_output(
    path: &std::path::Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> anyhow::Result<()> {
    if path.as_os_str() == "-" {
        let mut out = std::io::stdout().lock();
        write(&mut out)?;
        out.flush()?;
    } else {
        coordnet::report::safe::write_file(path, write)?;
    }
    Ok(())
}

fn wrote(edges: usize, accounts: usize, path: &std::path::Path) {
    coordnet::tell!(
        "wrote {edges} edges between {accounts} accounts to {}",
        path.display()
    );
}

/// What a projection did, in lines for the terminal.
pub fn projection_summary(p: &graphs::Projection) -> String {
    let r = &p.stats;
    let mut out = String::new();
    let window = p
        .window_ms
        .map_or("none".to_string(), graphs::format_duration);
    out += &format!(
        "{} (window {window}): {} actions by {} accounts on {} items ({} accounts below \
         --min-participation); {} pairs -> {} edges",
        p.kind.name(),
        r.actions,
        r.accounts,
        r.items,
        r.accounts_below_min_participation,
        r.pairs,
        // The edges the pairs make; CooRTweet's filter, said below, drops some of them.
        r.edges + r.edges_below_participation
    );
    out += &coordnet::progress::shared_out("actions taken", &r.actions_by_process);
    out += &coordnet::progress::shared_out("pairs counted", &r.pairs_by_process);
    if r.unplaced > 0 {
        out += &format!(
            "\n  {} shares name no retweeted or replied-to tweet, and none could be found from \
             their text; they take no part",
            r.unplaced
        );
    }
    if r.pairs_capped > 0 {
        out += &format!(
            "\n  --max-neighbors left out {} in-window pairs on {} busy items",
            r.pairs_capped, r.items_capped
        );
    }
    if r.edges_below_participation > 0 {
        // CooRTweet's own figure, the pairs its coordinated network holds, is the sum of
        // the `pairs` of the edges kept.
        let kept: u64 = p.edges.iter().map(|e| u64::from(e.pairs)).sum();
        out += &format!(
            "\n  of the {} edges, {} dropped by CooRTweet's participation filter: {} edges \
             holding {kept} coordinated pairs",
            r.edges + r.edges_below_participation,
            r.edges_below_participation,
            r.edges
        );
    }
    out
}
