//! Command-line arguments, one file per subcommand, each with one `run`.

mod communities;
mod detect;
mod eval;
mod explain;
mod graph;
mod input;
mod progress;
mod score;
mod stats;
mod synth;

use clap::{Parser, Subcommand};

/// Find accounts that act together on social media, and who drives them.
#[derive(Parser)]
#[command(name = "coordnet", version, about, long_about = None, arg_required_else_help = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
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
    match Cli::parse().command {
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
