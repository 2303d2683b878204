//! Scoring a detection against the truth: `account_id, network, role` (`network` = `organic`
//! for ordinary accounts), as `coordnet synth` writes it.
//!
//! - precision, recall and F1 of flagged accounts (flagged = in a flagged cluster);
//! - ARI and NMI of the flagged clusters against the true networks, over the accounts that are
//!   in a network or flagged (unflagged accounts share one label, as organic ones do in truth);
//! - role accuracy over network accounts that were flagged;
//! - recall per network, and how many accounts of each organic trap were flagged;
//! - every cluster, flagged or not, against the networks, over the network accounts that
//!   tweeted (in no cluster shares one label): ARI, NMI, the share in a cluster and role
//!   accuracy there. On a takedown archive (a truth without organic accounts) these are the
//!   figures that matter: every account is a suspect, and the job is to split them into
//!   operations.
//!
//! A detection is scored in memory as from its files (`coordnet eval`):
//!
//! ```
//! use coordnet::eval::{evaluate, predicted, read_traps, read_truth};
//! use coordnet::{detect, ingest, DetectConfig, IngestOptions};
//! let samples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data-samples");
//! let (data, _) = ingest(&[samples.join("tweets.csv.gz")], &IngestOptions::default()).unwrap();
//! let d = detect(&data, &DetectConfig::default()).unwrap();
//! let truth = read_truth(&samples.join("truth.csv")).unwrap();
//! let traps = read_traps(&samples.join("traps.csv")).unwrap();
//! let e = evaluate(&predicted(&data, &d), &truth, &traps);
//! assert!(e.precision > 0.9 && e.recall > 0.9, "{}", e.summary());
//! ```

use crate::communities::{ari, nmi};
use crate::error::{shown, Error, Position, Result};
use crate::report::safe::unguard;
use crate::{Dataset, Detection, Role, NO_CLUSTER};
use std::collections::BTreeMap;
use std::path::Path;

/// The map the tables here are keyed in, by account id (`hashbrown`'s, which
/// `std::collections::HashMap` is not); `collect()` into it.
pub use hashbrown::HashMap;

/// One account of a detection, as `accounts.csv` has it.
#[derive(Clone, Debug)]
pub struct Predicted {
    /// The cluster's number, or none for an account in no cluster.
    pub cluster: Option<String>,
    /// `core`, `amplifier` or `other` ([`Role::name`]); empty for an account in no cluster.
    pub role: String,
    /// Whether its cluster is flagged as coordinated.
    pub flagged: bool,
}

/// A detection's accounts as its `accounts.csv` lists them (every account that tweeted or is
/// in a cluster), without writing it: what [`read_predicted`] reads back from the file.
pub fn predicted(data: &Dataset, d: &Detection) -> HashMap<String, Predicted> {
    crate::report::detection::listed(data, d, &[])
        .into_iter()
        .map(|u| {
            let c = d.cluster_of[u as usize];
            let p = match c == NO_CLUSTER {
                true => Predicted {
                    cluster: None,
                    role: String::new(),
                    flagged: false,
                },
                false => Predicted {
                    cluster: Some(c.to_string()),
                    role: d.roles[u as usize].0.name().to_string(),
                    flagged: d.clusters[c as usize].flagged,
                },
            };
            (data.accounts.key(u).to_string(), p)
        })
        .collect()
}

#[derive(Clone, Debug, PartialEq)]
pub struct TruthRow {
    pub network: String,
    pub role: String,
}

#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Evaluation {
    /// Accounts in planted networks by the truth, and those of them flagged.
    pub network_accounts: usize,
    pub flagged_network_accounts: usize,
    pub flagged_accounts: usize,
    /// Accounts of the truth that are not in `accounts.csv` (they did not tweet, or the truth
    /// is another data set's).
    pub truth_accounts_absent: usize,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub ari: f64,
    pub nmi: f64,
    /// Roles right among flagged network accounts whose true role is known (none known: `None`).
    pub role_accuracy: Option<f64>,
    /// Network -> (accounts, flagged).
    pub per_network: BTreeMap<String, (usize, usize)>,
    /// Trap -> (accounts, flagged); a trap counts as flagged when most of its accounts are.
    pub traps: BTreeMap<String, (usize, usize)>,
    pub traps_flagged: usize,
    /// Accounts in any trap, each once (an account may be in two), and those of them flagged.
    pub trap_accounts: usize,
    pub trap_accounts_flagged: usize,
    /// The truth has no organic accounts: a takedown archive.
    pub archive: bool,
    /// Network accounts that tweeted (listed in `accounts.csv`), and those in any cluster.
    pub listed_network_accounts: usize,
    pub clustered_network_accounts: usize,
    /// Clusters (flagged or not; in none = one label) against networks, over listed network
    /// accounts.
    pub cluster_ari: f64,
    pub cluster_nmi: f64,
    /// Roles of clustered network accounts (of those whose true role is known).
    pub cluster_role_accuracy: Option<f64>,
    /// Network -> listed accounts in any cluster.
    pub clustered_per_network: BTreeMap<String, usize>,
    /// Cluster -> whether it is flagged, and the truth's accounts in it by network (`organic`
    /// too): which operations a cluster holds, without rebuilding it by hand.
    pub per_cluster: BTreeMap<u64, (bool, BTreeMap<String, usize>)>,
}

/// Clusters shown one to a line by [`Evaluation::summary`]; `--json` has them all.
const CLUSTERS_SHOWN: usize = 20;

/// Rows of the `wanted` columns, by line.
fn read_table(path: &Path, wanted: &[&str]) -> Result<Vec<(u64, Vec<String>)>> {
    read_table_with(path, wanted, &[], "")
}

/// Rows of the `wanted` columns and then the `optional` ones (empty where the file has no
/// such column), by line; `naming` says how to name other columns, where a header lacks one.
fn read_table_with(
    path: &Path,
    wanted: &[&str],
    optional: &[&str],
    naming: &str,
) -> Result<Vec<(u64, Vec<String>)>> {
    // Read as the inputs are: gzip or zstd by their bytes, a missing file said as such.
    let source = crate::ingest::source::Source {
        path: path.to_path_buf(),
        zip_entry: None,
        found: false,
    };
    crate::ingest::source::with_reader(&source, |file| {
        table_of(path, file, wanted, optional, naming)
    })
}

/// [`read_table_with`] from the decompressed `file`.
fn table_of(
    path: &Path,
    file: &mut dyn std::io::Read,
    wanted: &[&str],
    optional: &[&str],
    naming: &str,
) -> Result<Vec<(u64, Vec<String>)>> {
    let mut r = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(crate::ingest::source::CrlfAsLf::new(file));
    let headers = r
        .headers()
        .map_err(|e| Error::io(path, std::io::Error::other(e)))?
        .clone();
    if headers.is_empty() {
        return Err(Error::format(
            path,
            format!(
                "the file is empty (expected a header with {})",
                wanted.join(", ")
            ),
        ));
    }
    let mut cols: Vec<Option<usize>> = wanted
        .iter()
        .map(|w| {
            headers
                .iter()
                .position(|h| h == *w)
                .map(Some)
                .ok_or_else(|| {
                    // One cell holding the names apart by another mark: said, since the
                    // header then reads as one long name.
                    let other = (headers.len() == 1)
                        .then_some([('\t', "tabs"), (';', "semicolons"), ('|', "bars")])
                        .into_iter()
                        .flatten()
                        .find(|(c, _)| headers[0].contains(*c));
                    let hint = other.map_or(String::new(), |(_, by)| {
                        format!("; its names are apart by {by}: the table is read comma-separated")
                    });
                    Error::bad_row(
                        Position::new(path, 1).with_column(*w),
                        format!(
                            "no column '{w}' (the header has: {}){hint}",
                            crate::error::shown(&headers.iter().collect::<Vec<_>>().join(", "))
                        ),
                        format!("a header with {}{naming}", wanted.join(", ")),
                    )
                })
        })
        .collect::<Result<_>>()?;
    cols.extend(
        optional
            .iter()
            .map(|o| headers.iter().position(|h| h == *o)),
    );
    let mut out = Vec::new();
    for rec in r.records() {
        let rec = rec.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            // The position is said once, by the error's own: not again inside its reason.
            let (reason, expected) = match e.kind() {
                csv::ErrorKind::UnequalLengths {
                    expected_len, len, ..
                } => (
                    format!("the row has {len} fields"),
                    format!("{expected_len}, as the header has"),
                ),
                csv::ErrorKind::Utf8 { .. } => (
                    "the row is not UTF-8 text".to_string(),
                    "a UTF-8 file".to_string(),
                ),
                _ => (e.to_string(), "a well-formed CSV row".to_string()),
            };
            Error::bad_row(Position::new(path, line), reason, expected)
        })?;
        let line = rec.position().map_or(0, |p| p.line());
        out.push((
            line,
            cols.iter()
                .map(|&c| unguard(c.and_then(|c| rec.get(c)).unwrap_or_default()).to_string())
                .collect(),
        ));
    }
    Ok(out)
}

/// Rows `(line, account, what the row says of it)` with each account once, in file order, at
/// its first line. An
/// account on two rows that say different things (`what`: two groups, two networks) is an
/// error naming both lines: which one the file means cannot be told. The same row twice is
/// kept once.
fn one_row_per_account<V: PartialEq>(
    path: &Path,
    column: &str,
    what: &str,
    rows: impl IntoIterator<Item = (u64, String, V)>,
) -> Result<Vec<(u64, String, V)>> {
    let mut out: Vec<(u64, String, V)> = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (line, account, v) in rows {
        if account.trim().is_empty() {
            return Err(Error::bad_row(
                Position::new(path, line).with_column(column),
                "the account is empty",
                "an account id on every row",
            ));
        }
        match seen.get(&account) {
            Some(&i) if out[i].2 == v => {}
            Some(&i) => {
                let first = out[i].0;
                return Err(Error::bad_row(
                    Position::new(path, line).with_column(column),
                    format!("account '{account}' is on line {first} too, with another {what}"),
                    format!("each account with one {what}"),
                ));
            }
            None => {
                seen.insert(account.clone(), out.len());
                out.push((line, account, v));
            }
        }
    }
    Ok(out)
}

/// The truth's column names: `account_id, network, role` as `synth` writes them, or a
/// researchers' labels file's own (IRA's `authors.csv`: `author_id`, `account_category`).
#[derive(Clone, Debug)]
pub struct TruthColumns {
    pub account: String,
    pub network: String,
    /// Optional in the file unless `role_named`: a truth without roles is scored on
    /// everything else.
    pub role: String,
    /// The user named the role column, so a file without it is a mistake (a misspelt name
    /// would otherwise turn role accuracy off without a word).
    pub role_named: bool,
}

impl Default for TruthColumns {
    fn default() -> Self {
        TruthColumns {
            account: "account_id".into(),
            network: "network".into(),
            role: "role".into(),
            role_named: false,
        }
    }
}

/// The truth, with `synth`'s column names.
pub fn read_truth(path: &Path) -> Result<HashMap<String, TruthRow>> {
    read_truth_with(path, &TruthColumns::default())
}

/// The truth, its columns named by `columns`.
pub fn read_truth_with(path: &Path, columns: &TruthColumns) -> Result<HashMap<String, TruthRow>> {
    let (wanted, optional): (&[&str], &[&str]) = match columns.role_named {
        true => (&[&columns.account, &columns.network, &columns.role], &[]),
        false => (&[&columns.account, &columns.network], &[&columns.role]),
    };
    let rows = read_table_with(
        path,
        wanted,
        optional,
        " (or name the file's own with --account-column, --network-column and --role-column)",
    )?;
    // Detect's roles, and synth's name for an ordinary account's.
    let roles = [
        Role::Core.name(),
        Role::Amplifier.name(),
        Role::Other.name(),
        "organic",
    ];
    let rows = rows
        .into_iter()
        .map(|(line, mut v)| {
            let role = v.pop().unwrap_or_default();
            // A role spelled otherwise (`Core`, `boss`) would only count as a wrong one.
            if !role.is_empty() && !roles.contains(&role.as_str()) {
                return Err(Error::bad_row(
                    Position::new(path, line).with_column(&columns.role),
                    format!("role is '{role}'"),
                    format!("{}, or empty where unknown", roles.join(", ")),
                ));
            }
            let network = v.pop().unwrap_or_default();
            // An unlabelled account would be a network of its own, named "".
            if network.trim().is_empty() {
                return Err(Error::bad_row(
                    Position::new(path, line).with_column(&columns.network),
                    "the network is empty",
                    "a network on every row (organic for an ordinary account)",
                ));
            }
            Ok((
                line,
                v.pop().unwrap_or_default(),
                TruthRow { network, role },
            ))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(
        one_row_per_account(path, &columns.account, "network or role", rows)?
            .into_iter()
            .map(|(_, account, row)| (account, row))
            .collect(),
    )
}

/// `accounts.csv` of a detection.
pub fn read_predicted(path: &Path) -> Result<HashMap<String, Predicted>> {
    let rows = read_table(path, &["account_id", "cluster", "role", "flagged"])?;
    rows.into_iter()
        .map(|(line, v)| {
            let flagged = match v[3].as_str() {
                "true" => true,
                "false" => false,
                other => {
                    return Err(Error::bad_row(
                        Position::new(path, line).with_column("flagged"),
                        format!("flagged is '{other}'"),
                        "true or false",
                    ))
                }
            };
            Ok((
                v[0].clone(),
                Predicted {
                    cluster: (!v[1].is_empty()).then(|| v[1].clone()),
                    role: v[2].clone(),
                    flagged,
                },
            ))
        })
        .collect()
}

/// The truth's accounts as `accounts` (an `accounts.csv`) names them: one not there by its id
/// is found by its id in another case, or by its screen name in any case (with or without
/// `@`), where one account answers, as `score --accounts` finds them. A labels file keyed by
/// screen names written otherwise (IRA handles, case-insensitive) would lose those accounts.
pub fn align_truth(
    truth: HashMap<String, TruthRow>,
    truth_path: &Path,
    accounts: &Path,
    predicted: &HashMap<String, Predicted>,
) -> Result<HashMap<String, TruthRow>> {
    if truth.keys().all(|id| predicted.contains_key(id)) {
        return Ok(truth);
    }
    let rows = read_table_with(accounts, &["account_id"], &["screen_name"], "")?;
    // Lowercased id or name -> the account, or "" where two accounts answer.
    let mut by: HashMap<String, String> = HashMap::new();
    let mut add = |key: String, id: &str| {
        let entry = by.entry(key).or_insert_with(|| id.to_string());
        if entry != id {
            entry.clear();
        }
    };
    for (_, v) in &rows {
        add(v[0].to_lowercase(), &v[0]);
        if !v[1].is_empty() {
            add(v[1].trim_start_matches('@').to_lowercase(), &v[0]);
        }
    }
    let mut out = HashMap::with_capacity(truth.len());
    let mut rest = Vec::new();
    for (id, t) in truth {
        match predicted.contains_key(&id) {
            true => drop(out.insert(id, t)),
            false => rest.push((id, t)),
        }
    }
    rest.sort_by(|a, b| a.0.cmp(&b.0));
    // Where the account is named already, by its id or another spelling, the labels must
    // agree: one is not to be kept and the other counted as not in the data.
    let mut named_as: HashMap<String, String> = HashMap::new();
    for (id, t) in rest {
        let key = id.trim().trim_start_matches('@').to_lowercase();
        let Some(account) = by.get(&key).filter(|a| !a.is_empty()).cloned() else {
            out.insert(id, t);
            continue;
        };
        match out.get(&account) {
            None => {
                named_as.insert(account.clone(), id);
                out.insert(account, t);
            }
            Some(same) if *same == t => {}
            Some(other) => {
                let first = named_as.get(&account).unwrap_or(&account);
                return Err(Error::format(
                    truth_path,
                    format!(
                        "'{}' and '{}' name the same account of {} ('{}'), with different \
                         labels ({} and {}); give each account one network and role",
                        shown(first),
                        shown(&id),
                        accounts.display(),
                        shown(&account),
                        shown(&other.network),
                        shown(&t.network),
                    ),
                ));
            }
        }
    }
    Ok(out)
}

/// `traps.csv` as `synth` writes it: trap -> its accounts.
pub fn read_traps(path: &Path) -> Result<BTreeMap<String, Vec<String>>> {
    let rows = read_table(path, &["trap", "account_id"])?;
    let mut traps: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (_, v) in rows {
        traps.entry(v[0].clone()).or_default().push(v[1].clone());
    }
    Ok(traps)
}

/// The detection `predicted` against `truth`: accounts of the truth that are not in the
/// detection (a labels file of a whole release beside one slice of it) cannot be found in
/// this data, and are left out of every figure but `truth_accounts_absent`.
pub fn evaluate(
    predicted: &HashMap<String, Predicted>,
    truth: &HashMap<String, TruthRow>,
    traps: &BTreeMap<String, Vec<String>>,
) -> Evaluation {
    let here: HashMap<String, TruthRow> = (truth.iter())
        .filter(|(id, _)| predicted.contains_key(*id))
        .map(|(id, t)| (id.clone(), t.clone()))
        .collect();
    let mut e = evaluate_present(predicted, &here, traps);
    e.truth_accounts_absent = truth.len() - here.len();
    e
}

/// [`evaluate`] of a truth whose accounts are all in the detection.
fn evaluate_present(
    predicted: &HashMap<String, Predicted>,
    truth: &HashMap<String, TruthRow>,
    traps: &BTreeMap<String, Vec<String>>,
) -> Evaluation {
    let flagged = |id: &str| predicted.get(id).is_some_and(|p| p.flagged);
    let mut e = Evaluation::default();
    let (mut tp, mut roles_right, mut roles_seen) = (0usize, 0usize, 0usize);
    for (id, t) in truth {
        let planted = t.network != "organic";
        if planted {
            e.network_accounts += 1;
            let slot = e.per_network.entry(t.network.clone()).or_default();
            slot.0 += 1;
            if flagged(id) {
                slot.1 += 1;
                tp += 1;
                if !t.role.is_empty() {
                    roles_seen += 1;
                    roles_right += (predicted[id].role == t.role) as usize;
                }
            }
        }
    }
    e.flagged_network_accounts = tp;
    e.flagged_accounts = predicted.values().filter(|p| p.flagged).count();
    e.precision = tp as f64 / e.flagged_accounts.max(1) as f64;
    e.recall = tp as f64 / e.network_accounts.max(1) as f64;
    e.f1 = if tp == 0 {
        0.0
    } else {
        2.0 * e.precision * e.recall / (e.precision + e.recall)
    };
    e.role_accuracy = (roles_seen > 0).then(|| roles_right as f64 / roles_seen as f64);

    // Clusters against networks, over accounts planted or flagged.
    let mut ids: Vec<&String> = truth
        .iter()
        .filter(|(_, t)| t.network != "organic")
        .map(|(id, _)| id)
        .chain(
            predicted
                .iter()
                .filter(|(_, p)| p.flagged)
                .map(|(id, _)| id),
        )
        .collect();
    ids.sort();
    ids.dedup();
    let mut labels: HashMap<String, u32> = HashMap::new();
    let mut label = |s: String| {
        let n = labels.len() as u32;
        *labels.entry(s).or_insert(n)
    };
    let mut true_labels = Vec::with_capacity(ids.len());
    let mut found_labels = Vec::with_capacity(ids.len());
    for id in ids {
        let t = truth
            .get(id)
            .map_or("organic".to_string(), |t| t.network.clone());
        true_labels.push(label(format!("t:{t}")));
        let p = match predicted.get(id) {
            Some(p) if p.flagged => format!("p:{}", p.cluster.clone().unwrap_or_default()),
            _ => "p:-".to_string(),
        };
        found_labels.push(label(p));
    }
    if !true_labels.is_empty() {
        e.ari = ari(&true_labels, &found_labels);
        e.nmi = nmi(&true_labels, &found_labels);
    }
    clusters_against_networks(predicted, truth, &mut e);
    let in_traps: std::collections::BTreeSet<&String> = traps.values().flatten().collect();
    e.trap_accounts = in_traps.len();
    e.trap_accounts_flagged = in_traps.iter().filter(|a| flagged(a)).count();
    for (trap, accounts) in traps {
        let hit = accounts.iter().filter(|a| flagged(a)).count();
        e.traps.insert(trap.clone(), (accounts.len(), hit));
        if hit * 2 > accounts.len() {
            e.traps_flagged += 1;
        }
    }
    e
}

/// Every cluster, flagged or not, against the networks, over the network accounts listed in
/// the detection (those that tweeted).
fn clusters_against_networks(
    predicted: &HashMap<String, Predicted>,
    truth: &HashMap<String, TruthRow>,
    e: &mut Evaluation,
) {
    e.archive = truth.values().all(|t| t.network != "organic");
    let mut listed: Vec<(&String, &TruthRow, &Predicted)> = truth
        .iter()
        .filter(|(_, t)| t.network != "organic")
        .filter_map(|(id, t)| predicted.get(id).map(|p| (id, t, p)))
        .collect();
    listed.sort_by(|a, b| a.0.cmp(b.0));
    e.listed_network_accounts = listed.len();
    let mut labels: HashMap<String, u32> = HashMap::new();
    let mut label = |s: String| {
        let n = labels.len() as u32;
        *labels.entry(s).or_insert(n)
    };
    let (mut true_labels, mut found_labels) = (Vec::new(), Vec::new());
    let (mut roles_right, mut roles_seen, mut clustered) = (0usize, 0usize, 0usize);
    for &(_, t, p) in &listed {
        true_labels.push(label(format!("t:{}", t.network)));
        found_labels.push(label(format!("p:{}", p.cluster.as_deref().unwrap_or("-"))));
        if p.cluster.is_some() {
            clustered += 1;
            if !t.role.is_empty() {
                roles_seen += 1;
                roles_right += (p.role == t.role) as usize;
            }
            *e.clustered_per_network
                .entry(t.network.clone())
                .or_default() += 1;
        }
    }
    e.clustered_network_accounts = clustered;
    for (t, p) in truth
        .iter()
        .filter_map(|(id, t)| Some((t, predicted.get(id)?)))
    {
        // Clusters are numbered by detect; a name that is not a number keeps the slot after.
        let Some(c) = p.cluster.as_deref() else {
            continue;
        };
        let c = c.parse().unwrap_or(u64::MAX);
        let slot = e
            .per_cluster
            .entry(c)
            .or_insert((p.flagged, BTreeMap::new()));
        *slot.1.entry(t.network.clone()).or_default() += 1;
    }
    e.cluster_role_accuracy = (roles_seen > 0).then(|| roles_right as f64 / roles_seen as f64);
    if !true_labels.is_empty() {
        e.cluster_ari = ari(&true_labels, &found_labels);
        e.cluster_nmi = nmi(&true_labels, &found_labels);
    }
}

/// A role accuracy for a terminal: `n/a` with why (no network account among those
/// `counted`, or a truth without roles).
fn accuracy(a: Option<f64>, counted: usize, among: &str) -> String {
    match a {
        Some(a) => format!("{a:.3}"),
        None if counted == 0 => format!("n/a (no network account {among})"),
        None => "n/a (the truth gives no roles)".to_string(),
    }
}

impl Evaluation {
    /// Lines for a terminal.
    pub fn summary(&self) -> String {
        let mut s = format!(
            "flagged {} accounts, {} of them in the truth's networks (which hold {} accounts)\n\
             precision {}  recall {:.3}  F1 {:.3}\n\
             ARI {:.3}  NMI {:.3}  role accuracy {}\n",
            self.flagged_accounts,
            self.flagged_network_accounts,
            self.network_accounts,
            match self.flagged_accounts {
                0 => "n/a (nothing flagged)".to_string(),
                // Nothing flagged can be wrong where the truth holds no ordinary account.
                _ if self.archive => format!(
                    "{:.3} (the truth names no ordinary account: see the clusters below)",
                    self.precision
                ),
                _ => format!("{:.3}", self.precision),
            },
            self.recall,
            self.f1,
            self.ari,
            self.nmi,
            accuracy(self.role_accuracy, self.flagged_network_accounts, "flagged")
        );
        for (n, (total, hit)) in &self.per_network {
            s.push_str(&format!(
                "  network {n:<16} recall {:.3} ({hit} of {total})\n",
                *hit as f64 / (*total).max(1) as f64
            ));
        }
        s.push_str(&format!(
            "all clusters against networks{}: {} of {} network accounts in a cluster; ARI {:.3}  \
             NMI {:.3}  role accuracy {}\n",
            if self.archive {
                " (a takedown archive)"
            } else {
                ""
            },
            self.clustered_network_accounts,
            self.listed_network_accounts,
            self.cluster_ari,
            self.cluster_nmi,
            accuracy(
                self.cluster_role_accuracy,
                self.clustered_network_accounts,
                "in a cluster"
            )
        ));
        for (c, (flagged, networks)) in self.per_cluster.iter().take(CLUSTERS_SHOWN) {
            let mut by: Vec<(&String, &usize)> = networks.iter().collect();
            by.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
            let held: Vec<String> = by.iter().map(|(n, k)| format!("{n} {k}")).collect();
            s.push_str(&format!(
                "  cluster {c:<4} {:<12} {}\n",
                if *flagged { "flagged" } else { "not flagged" },
                held.join(", ")
            ));
        }
        if self.per_cluster.len() > CLUSTERS_SHOWN {
            s.push_str(&format!(
                "  and {} more clusters (--json lists them all)\n",
                self.per_cluster.len() - CLUSTERS_SHOWN
            ));
        }
        if !self.traps.is_empty() {
            let (accounts, hit) = (self.trap_accounts, self.trap_accounts_flagged);
            s.push_str(&format!(
                "traps: {} of {} flagged ({hit} of their {accounts} accounts flagged)\n",
                self.traps_flagged,
                self.traps.len()
            ));
        }
        s
    }
}

/// An analyst's list of suspected accounts: the `column` of each row, with its group from
/// `group_column` if given (one group otherwise, `suspects`). Returns (line, account, group)
/// in file order, each account once, groups without stray spaces; an account in two groups, or
/// a row without its group, is an error.
pub fn read_suspects(
    path: &Path,
    column: &str,
    group_column: Option<&str>,
) -> Result<Vec<(u64, String, String)>> {
    let mut wanted = vec![column];
    wanted.extend(group_column);
    let mut rows = Vec::new();
    for (line, mut v) in read_table(path, &wanted)? {
        let group = match group_column {
            None => "suspects".to_string(),
            Some(g) => {
                let group = v.pop().unwrap_or_default().trim().to_string();
                if group.is_empty() {
                    return Err(Error::bad_row(
                        Position::new(path, line).with_column(g),
                        "the group is empty",
                        "a group on every row",
                    ));
                }
                group
            }
        };
        rows.push((line, v.pop().unwrap_or_default(), group));
    }
    one_row_per_account(path, column, "group", rows)
}

/// An analyst's list of suspects ([`read_suspects`]) placed in the data: each group's
/// accounts that posted, as the clusters [`crate::assess`] scores, and what the list names
/// that cannot be scored. Accounts are found by id or screen name (`@name`, any case, stray
/// spaces), as `explain` finds them.
#[derive(Debug)]
pub struct SuspectGroups<'a> {
    /// Each account's group, an index into `names`; `NO_CLUSTER` for none.
    pub cluster_of: Vec<u32>,
    /// The groups with an account that posted, in the list's order.
    pub names: Vec<String>,
    /// Listed accounts not in the input, as the list writes them.
    pub missing: Vec<&'a str>,
    /// Listed accounts there only as others' retweets, replies or mentions: nothing of
    /// their own to measure.
    pub posted_nothing: Vec<&'a str>,
    /// Each group's listed accounts (each once however it is spelt), in the list's order.
    pub listed: Vec<(&'a str, usize)>,
    /// Each group's first member, which names its cluster once [`crate::assess`] renumbers.
    first_member: Vec<u32>,
}

impl<'a> SuspectGroups<'a> {
    /// Place `suspects`, read from `path` (its accounts in `column`), in `data`. One account
    /// given two groups (by its id and its `@name`, say) is an error naming both lines.
    pub fn place(
        data: &Dataset,
        suspects: &'a [(u64, String, String)],
        path: &Path,
        column: &str,
    ) -> Result<SuspectGroups<'a>> {
        let mut posted = vec![false; data.accounts.len()];
        for &u in &data.account {
            posted[u as usize] = true;
        }
        let mut cluster_of = vec![NO_CLUSTER; data.accounts.len()];
        let (mut names, mut first_member): (Vec<String>, Vec<u32>) = (Vec::new(), Vec::new());
        let (mut missing, mut posted_nothing) = (Vec::new(), Vec::new());
        let mut finder = data.accounts.finder();
        // Two spellings of one account (its id and `@name`, or another case) on two lines.
        let mut listed_on: HashMap<u32, (u64, &str, &str)> = HashMap::new();
        let mut listed: Vec<(&str, usize)> = Vec::new();
        fn list<'a>(listed: &mut Vec<(&'a str, usize)>, group: &'a str) {
            match listed.iter_mut().find(|(g, _)| *g == group) {
                Some((_, n)) => *n += 1,
                None => listed.push((group, 1)),
            }
        }
        // One not in the input counts once by its spelling, as the finder reads it.
        let mut missing_seen: std::collections::HashSet<String> = Default::default();
        for (line, account, group) in suspects {
            let Some(u) = finder.find(account) else {
                let spelt = account.trim().trim_start_matches('@').to_lowercase();
                if missing_seen.insert(spelt) {
                    missing.push(account.as_str());
                    list(&mut listed, group);
                }
                continue;
            };
            match listed_on.get(&u) {
                Some(&(_, _, first)) if first == group => continue,
                Some(&(first_line, first, _)) => {
                    return Err(Error::bad_row(
                        Position::new(path, *line).with_column(column),
                        format!(
                            "'{account}' names the account line {first_line} gives as \
                             '{first}', there with another group"
                        ),
                        "each account with one group",
                    ));
                }
                None => {
                    list(&mut listed, group);
                    listed_on.insert(u, (*line, account, group))
                }
            };
            if !posted[u as usize] {
                posted_nothing.push(account.as_str());
                continue;
            }
            let g = match names.iter().position(|x| x == group) {
                Some(g) => g,
                None => {
                    names.push(group.clone());
                    first_member.push(u);
                    names.len() - 1
                }
            };
            cluster_of[u as usize] = g as u32;
        }
        Ok(SuspectGroups {
            cluster_of,
            names,
            missing,
            posted_nothing,
            listed,
            first_member,
        })
    }

    /// How many accounts the list gives `group`.
    pub fn listed_in(&self, group: &str) -> usize {
        (self.listed.iter())
            .find(|(g, _)| *g == group)
            .map_or(0, |x| x.1)
    }

    /// How many accounts the list names, each once.
    pub fn suspected(&self) -> usize {
        self.listed.iter().map(|x| x.1).sum()
    }

    /// The groups none of whose listed accounts posted in the input: left out.
    pub fn left_out(&self) -> Vec<&'a str> {
        (self.listed.iter())
            .filter(|(g, _)| !self.names.iter().any(|x| x == g))
            .map(|(g, _)| *g)
            .collect()
    }

    /// Each cluster's group name, in the cluster order of `d`, scored from these groups.
    pub fn names_of(&self, d: &Detection) -> Vec<&str> {
        (d.clusters.iter())
            .map(|c| {
                (self.first_member.iter())
                    .position(|&u| d.cluster_of[u as usize] == c.id)
                    .map_or("?", |g| self.names[g].as_str())
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Labels keyed by screen names in another case, or with `@`, find their accounts; an
    /// account two rows could mean is left out rather than guessed.
    #[test]
    fn the_truth_finds_accounts_by_id_or_screen_name_in_any_case() {
        let dir = tempfile::tempdir().unwrap();
        let accounts = dir.path().join("accounts.csv");
        std::fs::write(
            &accounts,
            "account_id,screen_name,cluster,role,flagged\n\
             Bob_X,Bob_X,0,core,true\n\
             777,Carol,0,amplifier,true\n\
             Dup,dup,1,core,false\n\
             dUp,other,1,core,false\n",
        )
        .unwrap();
        let predicted = read_predicted(&accounts).unwrap();
        let row = |n: &str| TruthRow {
            network: n.into(),
            role: String::new(),
        };
        let truth: HashMap<String, TruthRow> = [
            ("bob_x", "op"),
            ("@carol", "op"),
            ("DUP", "op"),
            ("nobody", "op"),
        ]
        .into_iter()
        .map(|(id, n)| (id.to_string(), row(n)))
        .collect();
        let aligned = align_truth(truth, Path::new("truth.csv"), &accounts, &predicted).unwrap();
        let mut keys: Vec<&str> = aligned.keys().map(String::as_str).collect();
        keys.sort();
        assert_eq!(keys, ["777", "Bob_X", "DUP", "nobody"]);
        let e = evaluate(&predicted, &aligned, &BTreeMap::new());
        assert_eq!(
            (e.flagged_network_accounts, e.truth_accounts_absent),
            (2, 2)
        );
        // The two absent accounts (`DUP` is two rows' case, `nobody` none) count nowhere: the
        // network holds the two accounts the data has, both flagged.
        assert_eq!((e.network_accounts, e.recall), (2, 1.0));
        assert_eq!(e.per_network["op"], (2, 2));
    }
}
