//! `coordnet communities`: clusters of an edge list by Leiden (or connected components).

use super::progress::Reporter;
use super::{one_of, set, with_defaults};
use coordnet::communities::{components, leiden, LeidenConfig, Quality};
use coordnet::graphs::edge_list::{read_edge_list, EdgeColumns};
use coordnet::progress::Progress;
use std::io::Write;
use std::path::PathBuf;

/// Find clusters in a weighted edge list (such as `coordnet graph` writes) by Leiden, and write
/// `node, cluster, cluster_size` (clusters numbered from the largest, 0 first).
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Edge list CSV with a header (plain, .gz, .zst).
    #[arg(value_name = "EDGES.csv")]
    edges: PathBuf,

    /// What to optimise; CPM keeps small dense groups apart in big graphs.
    #[arg(long, value_name = "Q", value_parser = one_of::<Quality>(Quality::ALL.map(Quality::name)))]
    quality: Option<Quality>,

    /// Resolution γ: 1 is classic modularity (larger gives smaller clusters); for CPM, the
    /// edge weight per node pair a cluster must exceed.
    #[arg(long, value_parser = super::finite, value_name = "R")]
    resolution: Option<f64>,

    /// Seed of the random node order; one seed gives one result on any number of threads.
    #[arg(long, value_parser = super::whole::<u64>, value_name = "S")]
    seed: Option<u64>,

    /// Independent runs (seeds S, S+1, ...); the best quality is kept.
    #[arg(long, value_parser = super::whole::<u32>, value_name = "N")]
    runs: Option<u32>,

    /// Leiden iterations per run, each refining the last (0: until nothing improves).
    #[arg(long, value_parser = super::whole::<u32>, value_name = "N")]
    iterations: Option<u32>,

    /// Connected components instead of Leiden (fast, coarse).
    #[arg(long, conflicts_with_all = ["quality", "resolution", "seed", "runs", "iterations"])]
    components: bool,

    /// Column holding the first node.
    #[arg(long, value_name = "COL")]
    source: Option<String>,

    /// Column holding the second node.
    #[arg(long, value_name = "COL")]
    target: Option<String>,

    /// Column holding the weight (`none`: every edge weighs 1; a missing `weight` column
    /// also means 1, and is said). Each column is found by its name, or by the one that
    /// differs from it only in case (Gephi's `Source`, `Target`, `Weight`).
    #[arg(long, value_name = "COL")]
    weight_column: Option<String>,

    /// Output CSV, or - for standard output.
    #[arg(short, long, visible_alias = "out", value_name = "FILE")]
    output: PathBuf,
}

/// `--help` shows the library's defaults.
pub fn show_defaults(cmd: clap::Command) -> clap::Command {
    let d = LeidenConfig::default();
    let c = EdgeColumns::default();
    with_defaults(
        cmd,
        &[
            ("source", c.source),
            ("target", c.target),
            ("weight_column", c.weight.unwrap_or("none".into())),
            ("quality", d.quality.name().to_string()),
            ("resolution", d.resolution.to_string()),
            ("seed", d.seed.to_string()),
            ("runs", d.runs.to_string()),
            ("iterations", d.iterations.to_string()),
        ],
    )
}

impl Args {
    fn leiden(&self) -> LeidenConfig {
        let mut c = LeidenConfig::default();
        set(&mut c.quality, self.quality);
        set(&mut c.resolution, self.resolution);
        set(&mut c.seed, self.seed);
        set(&mut c.runs, self.runs);
        set(&mut c.iterations, self.iterations);
        c
    }
}

pub fn run(args: Args) -> anyhow::Result<()> {
    if args.output.as_os_str() != "-" {
        coordnet::report::safe::check_output_dir(&args.output, std::slice::from_ref(&args.edges))?;
        coordnet::report::safe::check_can_write(&args.output, false)?;
    }
    if !args.components {
        args.leiden().validate()?;
    }
    let progress = Reporter::new(3);
    progress.stage("reading edges", None);
    let d = EdgeColumns::default();
    let columns = EdgeColumns {
        source: args.source.clone().unwrap_or(d.source),
        target: args.target.clone().unwrap_or(d.target),
        weight: match &args.weight_column {
            Some(w) if w.eq_ignore_ascii_case("none") => None,
            Some(w) => Some(w.clone()),
            None => d.weight,
        },
    };
    let list = read_edge_list(&args.edges, &columns)?;
    let g = &list.graph;
    progress.say(&format!(
        "read {} nodes and {} edges from {}{}",
        g.nodes(),
        g.edges(),
        args.edges.display(),
        if list.repeated > 0 {
            format!(" ({} repeated rows added to their edge)", list.repeated)
        } else {
            String::new()
        }
    ));
    if list.unweighted {
        coordnet::tell!(
            "note: {} has no '{}' column: every edge weighs 1 (name the weight's column with \
             --weight-column, or say --weight-column none)",
            args.edges.display(),
            columns.weight.as_deref().unwrap_or_default()
        );
    }
    if g.edges() == 0 {
        progress.say(&format!(
            "warning: {} has no edges, so every node is its own cluster; check --source, \
             --target and the file's header",
            args.edges.display()
        ));
    }
    progress.stage("finding clusters", None);
    let started = std::time::Instant::now();
    let (p, what) = if args.components {
        (components(g), "connected components".to_string())
    } else {
        let config = args.leiden();
        let p = leiden(g, &config)?;
        let name = match config.quality {
            Quality::Modularity => "modularity",
            Quality::Cpm => "CPM",
        };
        let what = format!(
            "Leiden, {name} {:.6} at resolution {}",
            p.quality, config.resolution
        );
        (p, what)
    };
    let sizes = p.sizes();
    let shown: Vec<String> = sizes.iter().take(5).map(|s| s.to_string()).collect();
    progress.say(&format!(
        "{what}: {} in {:.3} s; largest {}; {} of one node",
        coordnet::shown::counted(p.communities, "cluster"),
        started.elapsed().as_secs_f64(),
        if shown.is_empty() {
            "none".to_string()
        } else {
            shown.join(", ")
        },
        sizes.iter().filter(|&&s| s == 1).count()
    ));
    progress.stage("writing", None);
    let write = |out: &mut dyn Write| -> std::io::Result<()> {
        let mut w = csv::Writer::from_writer(out);
        w.write_record(["node", "cluster", "cluster_size"])?;
        for (v, name) in list.names.iter().enumerate() {
            let c = p.membership[v];
            let name = coordnet::report::safe::guard(name);
            w.write_record([&*name, &c.to_string(), &sizes[c as usize].to_string()])?;
        }
        w.flush()
    };
    if args.output.as_os_str() == "-" {
        let mut out = std::io::stdout().lock();
        write(&mut out)?;
        out.flush()?;
    } else {
        coordnet::report::safe::write_file(&args.output, write)?;
    }
    progress.finish();
    Ok(())
}
