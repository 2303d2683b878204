//! Command-line arguments, one file per subcommand, each with one `run`.
//!
//! Flags that tune the library are `Option`s laid over the library's own defaults, so every
//! default is written once, in the library's config; `--help` shows it from there.

mod cluster;
mod communities;
mod detect;
mod eval;
mod explain;
mod graph;
mod input;
pub(crate) mod progress;
mod score;
mod stats;
mod synth;

use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use coordnet::error::Setting;
use coordnet::graphs::format_duration;

/// Find accounts that act together on social media, and who drives them.
#[derive(Parser)]
#[command(name = "coordnet", version, about, long_about = None, arg_required_else_help = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,

    /// No progress on the terminal (the memory limit, results, warnings and errors still print).
    #[arg(long, short, global = true)]
    quiet: bool,
}

#[derive(Subcommand)]
enum Command {
    Detect(detect::Args),
    Stats(stats::Args),
    Graph(graph::Args),
    Explain(explain::Args),
    Communities(communities::Args),
    Eval(eval::Args),
    Score(score::Args),
    Synth(synth::Args),
}

pub fn run() -> anyhow::Result<()> {
    let cmd = Cli::command()
        .mut_subcommand("detect", detect::show_defaults)
        .mut_subcommand("communities", communities::show_defaults)
        .mut_subcommand("graph", graph::show_defaults)
        .mut_subcommand("explain", explain::show_defaults)
        .mut_subcommand("score", score::show_defaults)
        .mut_subcommand("synth", synth::show_range)
        // `--threshold -1` reaches the range check, which says what is allowed, instead of
        // clap's tip to write `-- -1`, which does not work for a flag's value.
        .mut_subcommands(|c| c.allow_negative_numbers(true))
        .mut_subcommands(input::show_defaults)
        .mut_subcommands(cluster::show_defaults);
    let cli = Cli::from_arg_matches(&cmd.get_matches()).unwrap_or_else(|e| e.exit());
    progress::set_quiet(cli.quiet);
    match cli.command {
        Command::Detect(a) => detect::run(a),
        Command::Eval(a) => eval::run(a),
        Command::Score(a) => score::run(a),
        Command::Stats(a) => stats::run(a),
        Command::Graph(a) => graph::run(a),
        Command::Explain(a) => explain::run(a),
        Command::Communities(a) => communities::run(a),
        Command::Synth(a) => synth::run(a),
    }
}

/// How to change a setting the library's error names, in this command line's words.
pub fn flag_for(setting: Setting) -> String {
    match setting {
        Setting::Window { at_least_ms } => {
            format!("--window, at least {}", format_duration(at_least_ms))
        }
        Setting::Format => "--format".into(),
        Setting::ActionColumns => "--format actions --account COL --time COL --object COL".into(),
        Setting::EdgeColumns => "--source, --target and --weight-column".into(),
        Setting::EdgeWeight => "--weight pairs, items, idf or cosine".into(),
        Setting::MaxRecord => "--max-record-mb".into(),
        Setting::MemoryLimit => "--memory-limit".into(),
        Setting::MaxRejected => "--max-rejected; 1 reads whatever can be read".into(),
        // Without the flag the folder is the system's: the user may not know they chose it.
        Setting::TempDir => "--temp-dir DIR; without it, $TMPDIR or /tmp".into(),
    }
}

/// A flag's value parser for a library enum: `--help` lists the enum's own names, and the
/// enum's `FromStr` reads them.
fn one_of<T>(names: impl IntoIterator<Item = &'static str>) -> impl TypedValueParser<Value = T>
where
    T: std::str::FromStr + Clone + Send + Sync + 'static,
    T::Err: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    PossibleValuesParser::new(names).try_map(|s| s.parse::<T>())
}

/// A number flag's value parser: a finite number. `nan` passes every comparison as false, so
/// `--min-z nan` kept no edge without a word, and `inf` none either.
fn finite(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        Ok(_) => Err(format!("'{s}' is not a finite number")),
        Err(_) => Err(format!("'{s}' is not a number")),
    }
}

/// A share flag's value parser: a number from 0 to 1.
fn share(s: &str) -> Result<f64, String> {
    match finite(s)? {
        v if (0.0..=1.0).contains(&v) => Ok(v),
        _ => Err(format!("'{s}' is not a share from 0 to 1")),
    }
}

/// A count flag's value parser: a whole number, 0 or more. Rust's own parser said "invalid
/// digit found in string" of `-3`.
fn whole<T: Count>(s: &str) -> Result<T, String> {
    s.trim()
        .parse::<T>()
        .map_err(|_| match s.trim().parse::<f64>() {
            Ok(v) if v < 0.0 => format!("'{s}' is negative: give a whole number, 0 or more"),
            Ok(v) if v.is_finite() && v.fract() == 0.0 => {
                format!("'{s}' is more than {}, the most this flag takes", T::MOST)
            }
            _ => format!("'{s}' is not a whole number"),
        })
}

/// The integer types of count flags, with their largest value.
trait Count: std::str::FromStr + std::fmt::Display {
    const MOST: Self;
}

impl Count for u32 {
    const MOST: u32 = u32::MAX;
}

impl Count for u64 {
    const MOST: u64 = u64::MAX;
}

impl Count for usize {
    const MOST: usize = usize::MAX;
}

/// Set `field` to the flag's value where one was given.
fn set<T>(field: &mut T, flag: Option<T>) {
    if let Some(v) = flag {
        *field = v;
    }
}

/// Where `dir` holds an earlier run's files (its summary.json), the note that they are
/// replaced: an analyst keeping two runs should not lose one without a word.
fn replacing(dir: &std::path::Path) -> Option<String> {
    dir.join("summary.json").is_file().then(|| {
        format!(
            "note: {} holds an earlier run's files; they are replaced (give another -o to keep \
             them)",
            dir.display()
        )
    })
}

/// Append each flag's library default to its help, `[default: ...]`, as clap does for
/// defaults it owns.
fn with_defaults(mut cmd: clap::Command, defaults: &[(&str, String)]) -> clap::Command {
    for (id, value) in defaults {
        cmd = cmd.mut_arg(*id, |a| {
            let help = a.get_help().map(|h| h.to_string()).unwrap_or_default();
            a.help(format!("{help} [default: {value}]"))
        });
    }
    cmd
}
