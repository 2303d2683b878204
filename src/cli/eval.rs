//! `coordnet eval`: a detection's output directory against the truth.

use coordnet::eval::{
    align_truth, evaluate, read_predicted, read_traps, read_truth_with, TruthColumns,
};
use std::io::Write;
use std::path::PathBuf;

/// Compare `coordnet detect`'s output with the truth (`account_id, network, role`; `network`
/// = organic for ordinary accounts, as `coordnet synth` writes; `role` may be left out; other
/// names by --account-column, --network-column, --role-column, so a researchers' labels file
/// serves as it is): precision, recall and F1 of flagged accounts, ARI and NMI of clusters
/// against networks, role accuracy, recall per network, and flagged organic traps.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The truth CSV.
    #[arg(long, value_name = "TRUTH.csv")]
    truth: PathBuf,

    /// The organic traps (`trap, account_id`); default: traps.csv beside the truth, if there.
    #[arg(long, value_name = "TRAPS.csv")]
    traps: Option<PathBuf>,

    /// The truth's column of account ids, as the input names accounts (IRA's `authors.csv`:
    /// author_id).
    #[arg(long, value_name = "NAME", default_value_t = TruthColumns::default().account)]
    account_column: String,

    /// The truth's column of networks (operations, or persona labels such as IRA's
    /// account_category); `organic` marks an ordinary account.
    #[arg(long, value_name = "NAME", default_value_t = TruthColumns::default().network)]
    network_column: String,

    /// The truth's column of roles (core, amplifier, other, organic, or empty) [default:
    /// role, where the truth has it; a truth without it is scored on everything else]. A
    /// column named here must be there.
    #[arg(long, value_name = "NAME")]
    role_column: Option<String>,

    /// Print the figures as JSON.
    #[arg(long)]
    json: bool,

    /// The directory `coordnet detect` wrote.
    #[arg(value_name = "DIR")]
    dir: PathBuf,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let columns = TruthColumns {
        account: args.account_column.clone(),
        network: args.network_column.clone(),
        role: (args.role_column.clone()).unwrap_or_else(|| TruthColumns::default().role),
        role_named: args.role_column.is_some(),
    };
    let truth = read_truth_with(&args.truth, &columns)?;
    anyhow::ensure!(
        !truth.is_empty(),
        "{} holds no accounts (a header and no rows)",
        args.truth.display()
    );
    let accounts = args.dir.join("accounts.csv");
    let there = match args.dir.is_dir() {
        true => "no accounts.csv there",
        false if args.dir.exists() => "is a file, not a folder",
        false => "no such folder",
    };
    anyhow::ensure!(
        accounts.is_file(),
        "{}: {there}; give the directory `coordnet detect -o DIR` wrote",
        args.dir.display()
    );
    let predicted = read_predicted(&accounts)?;
    let truth = align_truth(truth, &args.truth, &accounts, &predicted)?;
    let traps_path = args.traps.clone().or_else(|| {
        let p = args.truth.with_file_name("traps.csv");
        p.exists().then_some(p)
    });
    let traps = match traps_path {
        Some(p) => read_traps(&p)?,
        None => Default::default(),
    };
    let e = evaluate(&predicted, &truth, &traps);
    anyhow::ensure!(
        e.truth_accounts_absent < truth.len(),
        "none of the {} accounts of {} is in {}: is the truth of another data set?",
        truth.len(),
        args.truth.display(),
        accounts.display()
    );
    if e.truth_accounts_absent > 0 {
        coordnet::tell!(
            "warning: {} of the {} accounts of {} are not in {} (they did not tweet, or the \
             truth is of more data); they are left out of every figure, as this data cannot \
             show them",
            e.truth_accounts_absent,
            truth.len(),
            args.truth.display(),
            accounts.display()
        );
    }
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&e)?)?;
    } else {
        write!(out, "{}", e.summary())?;
    }
    Ok(out.flush()?)
}
