//! What `summary.json` holds: the inputs, the settings, each graph's contribution, the counts
//! and the ingest statistics of one run, so that a finding can be traced to how it was made.

use crate::dataset::Dataset;
use crate::graphs::KindStats;
use crate::ingest::IngestStats;
use crate::pipeline::{DetectConfig, Detection, InputDecision, InputKind};
use crate::scoring::Part;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One `detect` run, as `summary.json` writes it.
#[derive(Serialize)]
pub struct RunSummary<'a> {
    /// The coordnet version that made the run.
    pub version: &'static str,
    /// The seed of every random draw (Leiden's order, the nulls' shifts): with the inputs
    /// (whose SHA-256 is in `ingest.files`) and the settings, it gives the same files again.
    pub seed: u64,
    /// The inputs as given (patterns expanded into `ingest.files`).
    pub inputs: &'a [PathBuf],
    /// What the input was taken for, and why.
    pub input: &'a InputDecision,
    /// The settings that shaped the result.
    pub settings: Settings<'a>,
    /// Each graph built: its window, its edges and how many were significant.
    pub graphs: &'a [KindStats],
    /// Tweets, accounts, edges, clusters and flags.
    pub counts: Counts,
    /// What was read: each file with its SHA-256, records accepted and rejected, and why.
    pub ingest: &'a IngestStats,
    /// The control collection as read, its files with their SHA-256 (set by whoever read it):
    /// the scores' nulls depend on it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub control: Option<&'a IngestStats>,
    /// Seconds per stage, reading included.
    pub timings_s: BTreeMap<&'static str, f64>,
    /// What `edges.csv` and `network.gexf` hold (set by whoever chose them).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub edge_files: Option<super::detection::EdgeFileCounts>,
}

/// A run of `coordnet score` on an analyst's list, as `summary.json` writes it: the run as
/// `detect`'s is written, and what of the list the input shows. report.html reads these
/// fields' names.
#[derive(Serialize)]
pub struct GivenGroupsSummary<'a> {
    /// The run, as `detect`'s is written.
    #[serde(flatten)]
    pub run: RunSummary<'a>,
    /// The list of suspected accounts, how many of them are not in the input, and how many
    /// are there only as others' retweets, replies or mentions (both left out).
    pub suspects: &'a Path,
    /// Listed accounts not in the input.
    pub suspects_missing: usize,
    /// Listed accounts the input only names (retweeted, replied to or mentioned).
    pub suspects_posted_nothing: usize,
    /// Both kinds left out, each as the list writes it, so the list can be reconciled.
    pub suspects_missing_listed: &'a [&'a str],
    /// The second kind, as the list writes them.
    pub suspects_posted_nothing_listed: &'a [&'a str],
    /// Each cluster's group, with the accounts the list gives it.
    pub groups: Vec<GivenGroup<'a>>,
    /// Groups none of whose listed accounts posted in the input: left out.
    pub groups_left_out: Vec<&'a str>,
}

/// A group of the list, scored as a cluster.
#[derive(Serialize)]
pub struct GivenGroup<'a> {
    /// Its number in clusters.csv.
    pub cluster: u32,
    /// Its name in the list.
    pub group: &'a str,
    /// The accounts the list gives it.
    pub listed: usize,
}

/// The settings that shaped the result. Those of finding the clusters are `None` where the
/// groups were given instead ([`RunSummary::given_groups`]).
#[derive(Serialize)]
pub struct Settings<'a> {
    /// The co-action kinds built, by name.
    pub kinds: Vec<&'static str>,
    /// Whether the retweet graph was built.
    pub retweets: bool,
    /// As given (`auto`: each kind's own, which `graphs` lists).
    pub window: String,
    /// Each action pairs with at most this many later actions of its item in the window.
    pub max_neighbors: u32,
    /// The p-value under which an edge is significant.
    pub edge_pvalue: f64,
    /// The score at which a cluster is flagged.
    pub threshold: f64,
    /// The smallest cluster kept.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_cluster_size: Option<usize>,
    /// The share of its evidence a member keeps inside its cluster.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_internal_share: Option<f64>,
    /// Accounts with fewer actions of a kind take no part in its graph.
    pub min_participation: u32,
    /// Leiden's resolution, iterations and seed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub leiden: Option<&'a crate::communities::LeidenConfig>,
    /// The score parts' weights, in the order of `scoring::Part::ALL`.
    pub part_weights: Vec<f64>,
    /// What the input was said to be (`auto`: worked out).
    pub input_kind: InputKind,
    /// The share of tweets in flagged clusters at which the input is taken for an archive.
    pub archive_tweet_share: f64,
    /// How an archive is split into operations, where it was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub archive: Option<&'a crate::pipeline::ArchiveOptions>,
}

/// What the run found, counted.
#[derive(Serialize)]
pub struct Counts {
    /// Tweets read (rows of the dataset).
    pub tweets: usize,
    /// Accounts with a tweet in the data (accounts.csv lists them, and any clustered account
    /// without one).
    pub accounts: usize,
    /// Accounts the data only names: retweeted, replied to, quoted or mentioned, never posting.
    pub accounts_only_named: usize,
    /// Edges of the fused graph that Leiden clustered.
    pub fused_edges: usize,
    /// Clusters (clusters.csv's rows).
    pub clusters: usize,
    /// Clusters flagged as coordinated.
    pub flagged_clusters: usize,
    /// Accounts in a cluster.
    pub clustered_accounts: usize,
    /// Accounts in a flagged cluster.
    pub flagged_accounts: usize,
    /// Tweets of the flagged clusters' accounts.
    pub flagged_tweets: u64,
    /// Accounts that posted but are in no cluster, with the reason, where the pipeline gives
    /// one (every account of an archive is expected in an operation).
    pub left_out: BTreeMap<&'static str, usize>,
    /// In an archive, items used by more accounts than `max_item_accounts`, paired on in part.
    pub items_too_common: usize,
}

impl<'a> RunSummary<'a> {
    /// The summary of `detection`, found in `data` (read from `inputs` in `ingest_secs`) with
    /// `config`.
    pub fn new(
        inputs: &'a [PathBuf],
        data: &Dataset,
        ingest: &'a IngestStats,
        ingest_secs: f64,
        config: &'a DetectConfig,
        detection: &'a Detection,
    ) -> RunSummary<'a> {
        let fusion = &config.fusion;
        let settings = Settings {
            kinds: fusion.kinds.iter().map(|k| k.name()).collect(),
            retweets: fusion.retweets,
            window: fusion.graph.window.to_string(),
            max_neighbors: fusion.graph.max_neighbors,
            edge_pvalue: fusion.edge_pvalue,
            threshold: config.threshold,
            min_cluster_size: Some(config.min_cluster_size),
            min_internal_share: Some(config.min_internal_share),
            min_participation: fusion.graph.min_participation,
            leiden: Some(&config.leiden),
            part_weights: Part::ALL.map(Part::weight).to_vec(),
            input_kind: config.input_kind,
            archive_tweet_share: config.archive_tweet_share,
            archive: Some(&config.archive),
        };
        let d = detection;
        let posting = d.activity.tweets.iter().filter(|&&n| n > 0).count();
        let counts = Counts {
            tweets: data.tweets(),
            accounts: posting,
            accounts_only_named: data.accounts.len() - posting,
            fused_edges: d.fused.edges.len(),
            clusters: d.clusters.len(),
            flagged_clusters: d.flagged().count(),
            clustered_accounts: d.clusters.iter().map(|c| c.size).sum(),
            flagged_accounts: d.flagged().map(|c| c.size).sum(),
            flagged_tweets: d.flagged().map(|c| c.profile.tweets).sum(),
            left_out: d
                .left_out
                .iter()
                .flatten()
                .fold(BTreeMap::new(), |mut m, r| {
                    *m.entry(*r).or_default() += 1;
                    m
                }),
            items_too_common: d.common_items,
        };
        let mut timings_s = BTreeMap::from([("ingest", ingest_secs)]);
        timings_s.extend(d.timings.iter().copied());
        RunSummary {
            version: env!("CARGO_PKG_VERSION"),
            seed: config.leiden.seed,
            inputs,
            input: &d.input,
            settings,
            graphs: &d.fused.kinds,
            counts,
            ingest,
            control: None,
            timings_s,
            edge_files: None,
        }
    }

    /// The summary of groups given to be scored (`coordnet score`), not found: without the
    /// settings of finding clusters, which did not apply.
    pub fn given_groups(mut self) -> RunSummary<'a> {
        let s = &mut self.settings;
        (s.min_cluster_size, s.min_internal_share) = (None, None);
        (s.leiden, s.archive) = (None, None);
        self
    }
}
