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
//! `truth` reads the tables `eval` compares; `suspects` reads and places an analyst's list for
//! `coordnet score`.
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

mod suspects;
mod truth;

pub use suspects::*;
pub use truth::*;

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

/// An account's line of the truth.
#[derive(Clone, Debug, PartialEq)]
pub struct TruthRow {
    /// Its network (`organic` for an ordinary account).
    pub network: String,
    /// Its role (`core`, `amplifier`, ...), or empty where the truth gives none.
    pub role: String,
}

/// How a `detect` output compares with the truth: what `coordnet eval` prints.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Evaluation {
    /// Accounts in planted networks by the truth.
    pub network_accounts: usize,
    /// Of those, flagged.
    pub flagged_network_accounts: usize,
    /// Accounts flagged, of any network.
    pub flagged_accounts: usize,
    /// Accounts of the truth that are not in `accounts.csv` (they did not tweet, or the truth
    /// is another data set's).
    pub truth_accounts_absent: usize,
    /// Flagged network accounts over flagged accounts.
    pub precision: f64,
    /// Flagged network accounts over network accounts.
    pub recall: f64,
    /// The harmonic mean of the two.
    pub f1: f64,
    /// Adjusted Rand index of flagged clusters against networks (unflagged: one label).
    pub ari: f64,
    /// Normalized mutual information of the same.
    pub nmi: f64,
    /// Roles right among flagged network accounts whose true role is known (none known: `None`).
    pub role_accuracy: Option<f64>,
    /// Network -> (accounts, flagged).
    pub per_network: BTreeMap<String, (usize, usize)>,
    /// Trap -> (accounts, flagged); a trap counts as flagged when most of its accounts are.
    pub traps: BTreeMap<String, (usize, usize)>,
    /// Traps counted as flagged.
    pub traps_flagged: usize,
    /// Accounts in any trap, each once (an account may be in two).
    pub trap_accounts: usize,
    /// Of those, flagged.
    pub trap_accounts_flagged: usize,
    /// The truth has no organic accounts: a takedown archive.
    pub archive: bool,
    /// Network accounts that tweeted (listed in `accounts.csv`).
    pub listed_network_accounts: usize,
    /// Of those, in any cluster.
    pub clustered_network_accounts: usize,
    /// Adjusted Rand index of clusters (flagged or not; in none = one label) against
    /// networks, over listed network accounts.
    pub cluster_ari: f64,
    /// Normalized mutual information of the same.
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
