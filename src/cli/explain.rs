//! `coordnet explain A B`: why two accounts are linked, item by item.

use super::graph::{projection_summary, GraphArgs};
use super::input::InputArgs;
use coordnet::dataset::time::format_iso;
use coordnet::graphs::evidence::{self, evidence};
use coordnet::graphs::fusion::FusionOptions;
use coordnet::graphs::{coaction_graph, format_duration, GraphKind, GraphOptions};
use coordnet::scoring::rhythm;
use coordnet::Dataset;
use std::io::Write;

/// Show the shared retweets, hashtags, URLs or texts behind the edge between two accounts (or,
/// with `--kind retweet`, the retweets between them),
/// with both timestamps, and the edge's weights against the shuffled null.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// First account: its id as written in the input, or its screen name.
    #[arg(value_name = "A")]
    a: String,
    /// Second account.
    #[arg(value_name = "B")]
    b: String,

    #[command(flatten)]
    input: InputArgs,

    #[command(flatten)]
    graph: GraphArgs,

    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,

    /// Also write the evidence as a page (styles and charts inline; opens offline) [default:
    /// none].
    #[arg(long, value_name = "FILE")]
    html: Option<std::path::PathBuf>,
}

/// `detect`'s graph settings: `explain` shows the evidence behind `detect`'s edges, each kind
/// with the window estimated from the data as `detect` estimates it.
fn detect_options() -> GraphOptions {
    FusionOptions::default().graph
}

/// `detect`'s defaults in `--help`.
pub fn show_defaults(cmd: clap::Command) -> clap::Command {
    super::graph::show_defaults_of(cmd, &detect_options())
}

pub fn run(args: Args) -> anyhow::Result<()> {
    if let Some(path) = &args.html {
        coordnet::report::safe::check_can_write(path, false)?;
    }
    anyhow::ensure!(
        args.a.trim_start_matches('@') != args.b.trim_start_matches('@'),
        "'{}' given twice: explain shows what links two accounts; give two",
        args.a
    );
    args.graph.misplaced_flag(&[])?;
    args.input.prepare()?;
    let opts = args.graph.options_over(detect_options());
    let mut ingest_opts = args.input.options();
    // CooRTweet counts every row, repeated ones too.
    ingest_opts.keep_repeated_rows = args.graph.coortweet;
    let (data, _) = coordnet::ingest(&args.input.inputs, &ingest_opts)?;
    let mut finder = data.accounts.finder();
    let mut find = |who: &str| -> anyhow::Result<u32> {
        finder.find(who).ok_or_else(|| {
            let who = who.trim().trim_start_matches('@');
            anyhow::anyhow!("no account '{who}' in the input (give its id or screen name)")
        })
    };
    let (a, b) = (find(&args.a)?, find(&args.b)?);
    // Each account as the data writes it (an id in capitals or `@Name` found it).
    let names = [written(&data, a, &args.a), written(&data, b, &args.b)];
    anyhow::ensure!(
        a != b,
        "'{}' and '{}' are one account (its id and its screen name): explain shows what links \
         two accounts; give two",
        args.a,
        args.b
    );
    // When they are active, apart from what they act on.
    let (pa, pb) = (rhythm::profile(&data, a), rhythm::profile(&data, b));
    let hour_of_week_cosine = rhythm::cosine(pa.view(), pb.view());
    let shared_hours = rhythm::shared_hours(&data, a, b);
    let activity = format!(
        "activity: {} and {} tweets; hour-of-week profiles cosine {:.2}; active in the same \
         clock hour {} time{}",
        pa.sum(),
        pb.sum(),
        hour_of_week_cosine,
        shared_hours,
        if shared_hours == 1 { "" } else { "s" }
    );
    let kind = match args.graph.kind {
        GraphKind::Coaction(kind) => kind,
        GraphKind::Retweet => {
            let rhythm = serde_json::json!({"hour_of_week_cosine": hour_of_week_cosine,
                "shared_active_hours": shared_hours});
            return retweets_between(&args, &data, (a, b), &names, &activity, rhythm);
        }
    };
    let p = coaction_graph(&data, kind, &opts)?;
    coordnet::tell!("{}", projection_summary(&p));
    let (x, y) = (a.min(b), a.max(b));
    let edge = p.edges.iter().find(|e| e.a == x && e.b == y);
    let items = evidence(&data, &p, a, b);
    if let Some(path) = &args.html {
        let page = coordnet::report::html::pair_page(&data, &p, a, b, edge, &items);
        coordnet::report::safe::write_file(path, |out| out.write_all(page.as_bytes()))?;
        coordnet::tell!("wrote {}", path.display());
    }
    let mut out = std::io::stdout().lock();
    if args.json {
        // The edge as the data names things: its accounts are "a" and "b" above, and its
        // exemplar item is named, not numbered.
        let edge = edge.map(|e| {
            let mut v = serde_json::to_value(e).expect("an edge serializes");
            let fields = v.as_object_mut().expect("an edge is an object");
            fields.remove("a");
            fields.remove("b");
            fields.remove("exemplar_item");
            fields.insert("exemplar_item".into(), p.exemplar_name(&data, e).into());
            v
        });
        let v = serde_json::json!({"a": data.accounts.key(a), "b": data.accounts.key(b),
            "kind": kind, "window_ms": p.window_ms, "edge": edge, "evidence": items,
            "hour_of_week_cosine": hour_of_week_cosine, "shared_active_hours": shared_hours});
        serde_json::to_writer_pretty(&mut out, &v)?;
        writeln!(out)?;
        return Ok(());
    }
    let window = p.window_ms.map_or("over the whole period".into(), |w| {
        format!("within {}", format_duration(w))
    });
    match edge {
        Some(e) => writeln!(
            out,
            "{} -- {}: {} {} pair{} {window} on {} item{} (min delay {}, mean {})\n\
             expected under the shuffled null: {:.3} pairs; z = {:.1}, p {}; TF-IDF cosine {:.3}",
            names[0],
            names[1],
            e.pairs,
            kind.name(),
            if e.pairs == 1 { "" } else { "s" },
            e.items,
            if e.items == 1 { "" } else { "s" },
            delay_shown(e.min_delay_ms as f64),
            delay_shown(e.mean_delay_ms),
            e.expected_pairs,
            e.z,
            coordnet::graphs::significance::p_shown(e.p_value),
            e.cosine
        )?,
        None => writeln!(
            out,
            "{} -- {}: no {} edge {window} (with these settings)",
            names[0],
            names[1],
            kind.name()
        )?,
    }
    writeln!(out, "{activity}")?;
    let shared: std::collections::HashSet<&str> = items.iter().map(|e| e.item.as_str()).collect();
    let within = items.iter().filter(|e| e.within_window).count();
    let own = kind.whose_items();
    writeln!(
        out,
        "shared {}s{own}: {} ({within} pairs of actions within the window, each listed)",
        kind.item_noun(),
        shared.len()
    )?;
    if !items.is_empty() {
        writeln!(
            out,
            "  {:<24}  {:<24}  {:>10}   item",
            format!("time of {}", names[0].chars().take(14).collect::<String>()),
            format!("time of {}", names[1].chars().take(14).collect::<String>()),
            "delay"
        )?;
    }
    for ev in &items {
        writeln!(
            out,
            "  {:<24}  {:<24}  {:>10} {}  {}",
            format_iso(ev.time_a_ms),
            format_iso(ev.time_b_ms),
            delay_shown(ev.delay_ms as f64),
            if ev.within_window { " " } else { "*" },
            coordnet::error::shown(&ev.item)
        )?;
    }
    if items.iter().any(|e| !e.within_window) {
        writeln!(out, "  (* outside the window: not part of the edge)")?;
    }
    Ok(())
}

/// `explain --kind retweet`: each retweet either account made of the other's posts, with
/// both times, and each direction's count against the retweet graph's null.
fn retweets_between(
    args: &Args,
    data: &Dataset,
    (a, b): (u32, u32),
    names: &[String; 2],
    activity: &str,
    rhythm: serde_json::Value,
) -> anyhow::Result<()> {
    let alpha = FusionOptions::default().edge_pvalue;
    let between = evidence::retweets_between(data, a, b, alpha);
    if let Some(path) = &args.html {
        let page = coordnet::report::html::retweets_page(data, a, b, &between, alpha);
        coordnet::report::safe::write_file(path, |out| out.write_all(page.as_bytes()))?;
        coordnet::tell!("wrote {}", path.display());
    }
    let mut out = std::io::stdout().lock();
    if args.json {
        let v = serde_json::json!({"a": data.accounts.key(a), "b": data.accounts.key(b),
            "kind": "retweet", "a_retweeted_b": between.made[0], "b_retweeted_a": between.made[1],
            "p_value_a_retweeted_b": between.p_value[0], "p_value_b_retweeted_a": between.p_value[1],
            "retweets": between.retweets, "rhythm": rhythm});
        serde_json::to_writer_pretty(&mut out, &v)?;
        writeln!(out)?;
        return Ok(());
    }
    writeln!(out, "{}", between.said(0, &names[0], &names[1], alpha))?;
    writeln!(out, "{}", between.said(1, &names[1], &names[0], alpha))?;
    writeln!(out, "{activity}")?;
    if between.retweets.is_empty() {
        return Ok(());
    }
    writeln!(
        out,
        "  {:<16}  {:<24}  {:<24}  {:>10}  {:<11}  original",
        "retweeter", "time of the retweet", "time of the original", "delay", "source from"
    )?;
    for rt in &between.retweets {
        writeln!(
            out,
            "  {:<16}  {:<24}  {:<24}  {:>10}  {:<11}  {}",
            rt.retweeter.chars().take(16).collect::<String>(),
            rt.time,
            rt.original_time.as_deref().unwrap_or("-"),
            rt.delay_ms.map_or("-".into(), |d| delay_shown(d as f64)),
            rt.source_from.said(),
            rt.original_id.as_deref().unwrap_or("-")
        )?;
    }
    Ok(())
}

/// A delay in seconds while it is short, past a minute as `format_duration` writes spans
/// (21h15m, not 76500.0 s).
fn delay_shown(ms: f64) -> String {
    match ms < 60_000.0 {
        true => format!("{:.1} s", ms / 1e3),
        false => format_duration(ms.round() as i64),
    }
}

/// Account `u` as the data writes it: its screen name where `given` named it so (in any
/// case, with or without `@`), else its id.
fn written(data: &Dataset, u: u32, given: &str) -> String {
    let given = given.trim().trim_start_matches('@');
    match data.accounts.screen_name(u) {
        Some(name) if data.accounts.key(u) != given && name.eq_ignore_ascii_case(given) => {
            name.to_string()
        }
        _ => data.accounts.key(u).to_string(),
    }
}
