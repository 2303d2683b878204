//! The main job: from a dataset to scored clusters of accounts with roles.
//!
//! [`detect`] runs every stage in order: the co-action graphs and the retweet graph, each
//! tested against its null model and fused by significance ([`graphs::fuse`]); Leiden on the
//! fused graph; clusters formed from its communities, split again where a coordinated group
//! hides inside ([`recluster`]); then per cluster the parts of the score, the roles of its
//! accounts, a profile and an explanation ([`scoring`], through `groups`). [`assess`] scores
//! groups the analyst gives instead of found ones.
//!
//! ```
//! use coordnet::{detect, ingest, DetectConfig, IngestOptions};
//! let dir = tempfile::tempdir().unwrap();
//! let path = dir.path().join("shares.csv");
//! std::fs::write(&path, "object_id,account_id,content_id,timestamp_share\n\
//!     o1,alice,c1,100\no1,bob,c2,101\n").unwrap();
//! let (data, _) = ingest(&[path], &IngestOptions::default()).unwrap();
//! let d = detect(&data, &DetectConfig::default()).unwrap();
//! assert!(d.clusters.is_empty()); // two shares are not a network
//! ```
//!
//! [`graphs::fuse`]: crate::graphs::fuse
//! [`scoring`]: crate::scoring

mod groups;
mod input_kind;
mod one_tie;
pub mod operations;
pub mod recluster;

pub use groups::assess;
use groups::*;
pub use input_kind::{background_for_groups, InputDecision, InputKind};
pub use operations::ArchiveOptions;

use crate::communities::{leiden_with_progress, LeidenConfig};
use crate::dataset::Dataset;
use crate::error::{Error, Result};
use crate::graphs::{fuse, Fused, FusionOptions};
use crate::memory;
use crate::progress::{Progress, Silent, Total};
use crate::scoring::parts;
use crate::scoring::tally::Elsewhere;
use crate::scoring::{explain, roles, AccountFeatures, Activity};
use crate::scoring::{Background, Cluster, NullFrom, Role, NO_CLUSTER};
use hashbrown::HashMap;
use std::path::PathBuf;
use std::time::Instant;

/// Settings of [`detect`]: the one place each default is written. The defaults work on a
/// takedown archive and on a mixed collection.
#[derive(Clone, Debug)]
pub struct DetectConfig {
    /// A takedown archive or a mixed collection, or worked out from the data.
    pub input_kind: InputKind,
    /// With `InputKind::Auto`: the input is an archive when at least this share of its tweets
    /// comes from accounts in clusters flagged as coordinated against the data's own
    /// background, at the default threshold (see [`InputKind`]).
    pub archive_tweet_share: f64,
    /// How an archive is split into operations.
    pub archive: ArchiveOptions,
    /// Which graphs are built and fused, with their windows and significance level.
    pub fusion: FusionOptions,
    pub leiden: LeidenConfig,
    /// Smaller groups are not clusters (their accounts get no cluster).
    pub min_cluster_size: usize,
    /// Accounts with less than this share of their evidence (each tie's in full:
    /// [`Fused::strength`](crate::graphs::Fused::strength)) inside their community are left
    /// out of it (periphery).
    pub min_internal_share: f64,
    /// Clusters scoring at least this are flagged as coordinated.
    pub threshold: f64,
    /// Stop, saying so, before or when a stage passes this many bytes (see `memory`); the
    /// outputs do not depend on it. `None` by default: the library sets no budget (the
    /// command line's default is [`crate::memory::default_limit`]).
    pub memory_limit: Option<u64>,
    /// Where a stage that would pass `memory_limit` sets aside what it does not read (default:
    /// the system's temporary folder).
    pub temp_dir: Option<PathBuf>,
    /// Rows held by the other processes of a run across processes: scoring tallies them
    /// there.
    pub elsewhere: Elsewhere,
}

impl Default for DetectConfig {
    fn default() -> DetectConfig {
        DetectConfig {
            input_kind: InputKind::Auto,
            archive_tweet_share: 0.5,
            archive: ArchiveOptions::default(),
            fusion: FusionOptions::default(),
            // Resolution 2: a sparse network stays apart from the organic mass around it at
            // every scale we measured; splitting by score is the fallback beyond.
            leiden: LeidenConfig {
                resolution: 2.0,
                ..LeidenConfig::default()
            },
            min_cluster_size: 3,
            min_internal_share: 0.4,
            threshold: 0.4,
            memory_limit: None,
            temp_dir: None,
            elsewhere: Elsewhere::default(),
        }
    }
}

impl DetectConfig {
    /// An error naming the first setting out of its range, if any.
    pub fn validate(&self) -> Result<()> {
        self.fusion.validate()?;
        self.leiden.validate()?;
        let default = DetectConfig::default();
        if !(0.0..=1.0).contains(&self.threshold) {
            return Err(Error::config(format!(
                "the score threshold {} is outside [0, 1]; try {} (the default)",
                self.threshold, default.threshold
            )));
        }
        if !(0.0..=1.0).contains(&self.min_internal_share) {
            return Err(Error::config(format!(
                "--min-internal-share {} is not a share of an account's ties; try {} (the \
                 default)",
                self.min_internal_share, default.min_internal_share
            )));
        }
        if !(0.0..=1.0).contains(&self.archive_tweet_share) {
            return Err(Error::config(format!(
                "the archive tweet share {} is outside [0, 1]; try {} (the default)",
                self.archive_tweet_share, default.archive_tweet_share
            )));
        }
        if self.min_cluster_size < 2 {
            return Err(Error::config(format!(
                "--min-cluster-size {} would report single accounts as clusters; try {} (the \
                 default)",
                self.min_cluster_size, default.min_cluster_size
            )));
        }
        if self.archive.profiles.max_item_accounts < 2 {
            return Err(Error::config(format!(
                "--max-item-accounts {} leaves nothing to pair accounts on; try {} (the default)",
                self.archive.profiles.max_item_accounts, default.archive.profiles.max_item_accounts
            )));
        }
        Ok(())
    }
}

/// Take whole the groups Leiden cut into fragments. A community in which fewer than a
/// cluster's worth of accounts keep `min_share` of their fused evidence inside is no group at
/// this resolution: the periphery trim would empty it. That is how a coordinated block that
/// holds more than 1/resolution of the graph's weight comes out (a takedown archive's main
/// operation; a lone group that is most of the graph is cut down to single accounts): every
/// piece of a homogeneous block is as much denser than the null as the whole, which is less
/// than the resolution asks, so the pieces are cut at random. The
/// accounts of such communities, joined by their ties among themselves, are taken whole,
/// each connected group one community; the trim then keeps those tied mostly inside it.
fn whole_where_fragmented(
    g: &crate::graphs::store::Graph,
    membership: &mut [u32],
    min_size: usize,
    min_share: f64,
) {
    if min_share <= 0.0 {
        return;
    }
    let n = g.nodes();
    let kept = periphery_kept(g, membership, min_share);
    let mut keeping: HashMap<u32, usize> = HashMap::new();
    for (&c, &k) in membership.iter().zip(&kept) {
        *keeping.entry(c).or_default() += usize::from(k);
    }
    let fragment = |c: u32| keeping[&c] < min_size.max(2);
    let mut groups = crate::graphs::store::UnionFind::new(n);
    for v in 0..n as u32 {
        if !fragment(membership[v as usize]) {
            continue;
        }
        for (u, _) in g.neighbors(v) {
            if fragment(membership[u as usize]) {
                groups.union(v, u);
            }
        }
    }
    let group = groups.labels();
    let mut size: HashMap<u32, usize> = HashMap::new();
    for v in 0..n {
        if fragment(membership[v]) && g.degree(v as u32) > 0 {
            *size.entry(group[v]).or_default() += 1;
        }
    }
    let mut next = membership.iter().copied().max().map_or(0, |m| m + 1);
    let mut label: HashMap<u32, u32> = HashMap::new();
    for v in 0..n {
        if fragment(membership[v]) && size.get(&group[v]).is_some_and(|&s| s >= min_size) {
            membership[v] = *label.entry(group[v]).or_insert_with(|| {
                next += 1;
                next - 1
            });
        }
    }
}

/// Which accounts the periphery trim keeps in their community (`recluster`'s rule, the same
/// sums), on Leiden's graph, where each round visits only the neighbours of those it takes out:
/// repeated, since an account tied mostly to those taken out falls below the share in turn.
fn periphery_kept(
    g: &crate::graphs::store::Graph,
    membership: &[u32],
    min_share: f64,
) -> Vec<bool> {
    use rayon::prelude::*;
    let n = g.nodes();
    let strength: Vec<f64> = (0..n as u32)
        .into_par_iter()
        .map(|v| g.strength(v))
        .collect();
    let mut kept: Vec<bool> = strength.iter().map(|&s| s > 0.0).collect();
    let mut inside: Vec<f64> = (0..n as u32)
        .into_par_iter()
        .map(|v| {
            let c = membership[v as usize];
            (g.neighbors(v))
                .filter(|&(u, _)| membership[u as usize] == c)
                .map(|(u, w)| if u == v { 2.0 * w as f64 } else { w as f64 })
                .sum()
        })
        .collect();
    let short =
        |v: usize, kept: &[bool], inside: &[f64]| kept[v] && inside[v] < min_share * strength[v];
    let mut below: Vec<u32> = (0..n as u32)
        .filter(|&v| short(v as usize, &kept, &inside))
        .collect();
    // Each round takes out those below the share; only their neighbours inside lose weight.
    while !below.is_empty() {
        for &v in &below {
            kept[v as usize] = false;
        }
        let mut touched = Vec::new();
        for &v in &below {
            let c = membership[v as usize];
            for (u, w) in g.neighbors(v) {
                if u != v && kept[u as usize] && membership[u as usize] == c {
                    inside[u as usize] -= w as f64;
                    touched.push(u);
                }
            }
        }
        touched.sort_unstable();
        touched.dedup();
        below = (touched.into_iter())
            .filter(|&u| short(u as usize, &kept, &inside))
            .collect();
    }
    kept
}

/// The result of [`detect`].
pub struct Detection {
    /// What the input was taken for, and why.
    pub input: InputDecision,
    pub fused: Fused,
    /// Each dataset account's cluster, or `NO_CLUSTER`.
    pub cluster_of: Vec<u32>,
    /// Clusters, numbered by score, highest first.
    pub clusters: Vec<Cluster>,
    /// Each account's role and confidence (meaningful for clustered accounts only).
    pub roles: Vec<(Role, f64)>,
    pub features: AccountFeatures,
    pub activity: Activity,
    /// Why each posting account in no cluster was left out, where the pipeline says (in an
    /// archive, every account is expected in an operation).
    pub left_out: Vec<Option<&'static str>>,
    /// In an archive, items too common to pair accounts on (see `ProfileOptions`).
    pub common_items: usize,
    /// Seconds per stage.
    pub timings: Vec<(&'static str, f64)>,
    /// Where the data's rows are, for what the report reads of them.
    pub rows: Elsewhere,
}

impl Detection {
    /// The clusters flagged as coordinated, highest score first.
    pub fn flagged(&self) -> impl Iterator<Item = &Cluster> {
        self.clusters.iter().filter(|c| c.flagged)
    }

    /// The members of cluster `id` (a [`Cluster::id`]): each account's index in the dataset
    /// (`data.accounts.key(a)` names it), its role and the role's confidence. One pass over
    /// every account: to list every cluster's, [`Detection::members_by_cluster`] makes one.
    pub fn members(&self, id: u32) -> impl Iterator<Item = (u32, Role, f64)> + '_ {
        (self.cluster_of.iter().enumerate())
            .filter(move |&(_, &c)| c == id && id != NO_CLUSTER)
            .map(|(a, _)| (a as u32, self.roles[a].0, self.roles[a].1))
    }

    /// Every cluster's members (accounts' indices, rising), by cluster id, in one pass.
    pub fn members_by_cluster(&self) -> Vec<Vec<u32>> {
        let mut by = vec![Vec::new(); self.clusters.len()];
        for (a, &c) in self.cluster_of.iter().enumerate() {
            if let Some(members) = by.get_mut(c as usize) {
                members.push(a as u32);
            }
        }
        by
    }
}

/// The stages of [`detect`], in order, as [`detect_with_progress`] announces them; the last
/// two run only on a takedown archive.
pub const STAGES: [&str; 5] = [
    "building graphs",
    "finding communities",
    "scoring clusters",
    "splitting the archive into operations",
    "scoring operations",
];

/// What, besides more memory, lets the graphs fit: fewer pairs to form.
const GRAPHS_HELP: &str =
    "build fewer kinds of graph (--kinds, --no-retweets) or pair within a narrower --window";

/// What, besides more memory, lets Leiden fit: fewer edges in the fused graph.
const LEIDEN_HELP: &str =
    "keep fewer edges: fewer kinds of graph (--kinds), a narrower --window or a lower --edge-pvalue";

/// The fused graph of `config`'s kinds, built within its memory limit as the first of
/// [`STAGES`]: `detect`'s graphs, and those that given groups are scored on.
pub fn build_graphs(
    data: &Dataset,
    config: &DetectConfig,
    progress: &dyn Progress,
) -> Result<Fused> {
    let limit = config.memory_limit;
    let graph_bytes = graphs_estimate(data);
    // Counted by the tweet alone: only a smaller input makes it smaller.
    memory::check_before(STAGES[0], graph_bytes, limit, memory::SMALLER_INPUT)?;
    let graphs = config.fusion.kinds.len() + usize::from(config.fusion.retweets);
    progress.stage(STAGES[0], Some(Total::Count(graphs as u64)));
    // Two kinds' work at once where the budget holds twice the graphs' estimate.
    let mut fusion = FusionOptions {
        two_lanes: !memory::would_pass(2 * graph_bytes, limit),
        ..config.fusion.clone()
    };
    fusion.graph.memory_limit = limit;
    let fused = fuse(data, &fusion, progress)?;
    if let Some(counter) = &config.fusion.graph.counter.0 {
        counter.done();
    }
    memory::check_now(STAGES[0], limit, GRAPHS_HELP)?;
    Ok(fused)
}

/// Before [`detect`] on `data`: a warning where whole runs of as many tweets, of the shape
/// `config` asks for (a collection's where the data will say), peaked past the memory limit
/// here ([`memory::whole_run_warning`]). Nothing where the graphs' own check will stop the run
/// at once, since that stop gives the same figures.
pub fn memory_warning(data: &Dataset, config: &DetectConfig) -> Option<String> {
    let limit = config.memory_limit;
    if memory::would_pass(graphs_estimate(data), limit) {
        return None;
    }
    let archive = config.input_kind == InputKind::Archive;
    memory::whole_run_warning(data.tweets() as u64, archive, limit)
}

/// What the graphs of `data` are expected to add, counted by the tweet.
fn graphs_estimate(data: &Dataset) -> u64 {
    data.tweets() as u64 * memory::GRAPH_BYTES_PER_TWEET
}

/// How many of [`STAGES`] a run with `input_kind` announces at most: a collection's or an
/// archive's two, or with the kind taken from the data, the collection's and then, if it
/// turns out an archive, the archive's (else it says [`Progress::skipped`]).
pub fn stages(input_kind: InputKind) -> usize {
    match input_kind {
        InputKind::Auto => STAGES.len(),
        InputKind::Collection | InputKind::Archive => STAGES.len() - 2,
    }
}

/// Run the whole pipeline on `data`.
pub fn detect(data: &Dataset, config: &DetectConfig) -> Result<Detection> {
    detect_with_progress(data, None, config, &Silent)
}

/// [`detect`] with a control collection of ordinary accounts' tweets (the background a
/// takedown archive lacks; see [`Background`]), telling `progress` each of [`STAGES`] as it
/// starts and what it found, so that a long run can show where it is.
pub fn detect_with_progress(
    data: &Dataset,
    control: Option<&Dataset>,
    config: &DetectConfig,
    progress: &dyn Progress,
) -> Result<Detection> {
    // A stop for memory names its stage's need; what a whole run takes is said beside it.
    detect_within(data, control, config, progress)
        .map_err(|e| memory::with_whole_run(e, data.tweets() as u64))
}

fn detect_within(
    data: &Dataset,
    control: Option<&Dataset>,
    config: &DetectConfig,
    progress: &dyn Progress,
) -> Result<Detection> {
    let stage = |name: &str| progress.stage(name, None);
    config.validate()?;
    let mut timings = Vec::new();
    let mut clock = Instant::now();
    let mut lap = |name: &'static str, timings: &mut Vec<(&'static str, f64)>| {
        timings.push((name, clock.elapsed().as_secs_f64()));
        clock = Instant::now();
    };
    let limit = config.memory_limit;
    let mut fused = build_graphs(data, config, progress)?;
    let control_sources = control.map(crate::graphs::retweet::sources);
    let control = control.zip(control_sources.as_deref());
    let background = |archive: bool| Background::of(control, archive);
    lap("graphs", &mut timings);

    // A collection's clusters, scored: the answer for a collection, and in doubt the test of
    // whether the data has a background at all.
    let mut share = None;
    let fused = if config.input_kind == InputKind::Archive {
        fused
    } else {
        stage(STAGES[1]);
        // Leiden reads only the graph: past the limit, what it does not read waits on disk.
        let leiden_bytes = fused.edges.len() as u64 * memory::LEIDEN_BYTES_PER_EDGE;
        let set_aside = memory::would_pass(leiden_bytes, limit)
            .then(|| (config.temp_dir.clone()).unwrap_or_else(std::env::temp_dir));
        let aside_bytes = set_aside.as_ref().map_or(0, |_| fused.aside_bytes());
        memory::check_before(
            STAGES[1],
            leiden_bytes.saturating_sub(aside_bytes),
            limit,
            LEIDEN_HELP,
        )?;
        if let Some(dir) = &set_aside {
            progress.note(&format!(
                "{} that Leiden does not read set aside in {} while it runs (--memory-limit)",
                memory::format_size(aside_bytes),
                dir.display()
            ));
        }
        let partition = fused.with_graph(set_aside.as_deref(), |g| {
            let mut p = leiden_with_progress(g, &config.leiden, progress)?;
            whole_where_fragmented(
                g,
                &mut p.membership,
                config.min_cluster_size,
                config.min_internal_share,
            );
            Ok(p)
        })?;
        let activity = config.elsewhere.activity(data)?;
        let split = recluster::split_by_score(
            data,
            &activity,
            &fused,
            partition.membership,
            config,
            background(false),
            progress,
            &Default::default(),
        )?;
        let labels = split.membership().to_vec();
        let (cluster_of, clusters, measured) = split.form(&fused, &activity, config);
        progress.note(&format!(
            "{clusters} clusters (Leiden: {} communities, quality {:.3})",
            partition.communities, partition.quality
        ));
        lap("communities", &mut timings);
        stage(STAGES[2]);
        let groups = Groups {
            cluster_of,
            clusters,
            measured,
        };
        let d = assess_groups(data, activity, fused, groups, config, background(false))?;
        let (mut d, decided) =
            one_tie::answer(data, d, labels, config, background(false), progress)?;
        let s = input_kind::coordinated_tweet_share(&d, decided.as_ref().map(|(g, _)| g));
        if config.input_kind == InputKind::Collection || s < config.archive_tweet_share {
            if config.input_kind == InputKind::Auto {
                progress.skipped(2); // the archive's, counted on until now
            }
            let against = d.input.background;
            let trimmed = match config.threshold == DetectConfig::default().threshold {
                true => decided,
                false => one_tie::trimmed(data, &d, config.threshold, config, background(false))?,
            };
            let lone = match trimmed {
                Some((groups, lone)) => {
                    d = assess_groups(
                        data,
                        d.activity,
                        d.fused,
                        groups,
                        config,
                        background(false),
                    )?;
                    lone
                }
                None => Vec::new(),
            };
            if let Some(groups) = recluster::split_merged(data, &d, config, background(false))? {
                let (activity, fused) = (d.activity, d.fused);
                d = assess_groups(data, activity, fused, groups, config, background(false))?;
            }
            lap("scoring", &mut timings);
            d.input = InputDecision::new(InputKind::Collection, config, Some(s), against, against);
            d.timings = timings;
            d.fused.release_actions();
            // After the actions go: at 10^8 tweets the reasons' sums take about 100 MB.
            d.left_out = recluster::left_out(&d, config);
            for (why, lone) in d.left_out.iter_mut().zip(lone) {
                if lone && why.is_some() {
                    *why = Some(one_tie::REASON);
                }
            }
            return Ok(d);
        }
        share = Some(s);
        lap("scoring", &mut timings);
        d.fused
    };

    stage(STAGES[3]);
    memory::check_now(STAGES[3], limit, memory::SMALLER_INPUT)?;
    let activity = config.elsewhere.activity(data)?;
    let ops = operations::operations(
        data,
        &fused.sources.by_row,
        &activity.tweets,
        config,
        progress,
    )?;
    progress.note(&format!(
        "{} operations, from {} similarity edges",
        ops.clusters, ops.similarity_edges
    ));
    lap("operations", &mut timings);
    stage(STAGES[4]);
    let groups = Groups {
        cluster_of: ops.cluster_of,
        clusters: ops.clusters,
        measured: None,
    };
    let mut d = assess_groups(data, activity, fused, groups, config, background(true))?;
    d.left_out = ops.left_out;
    d.common_items = ops.common_items;
    // The share was measured in the collection pipeline, against its background.
    let against = background(false).name();
    d.input = InputDecision::new(
        InputKind::Archive,
        config,
        share,
        against,
        d.input.background,
    );
    // A control that gave no figure left every null to the reference: said so, not named
    // as the background.
    let from_control = |c: &Cluster| {
        let e = &c.evidence;
        e.fast_null_from == NullFrom::Control || e.burst_null_from == NullFrom::Control
    };
    if matches!(background(true), Background::Control(..))
        && !d.clusters.is_empty()
        && !d.clusters.iter().any(from_control)
    {
        d.input.background = Background::CONTROL_GAVE_NONE;
    }
    lap("scoring operations", &mut timings);
    d.timings = timings;
    d.fused.release_actions();
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::communities::leiden;
    use crate::graphs::store::Graph;
    use std::collections::HashSet;

    /// The trim on Leiden's graph keeps the accounts `recluster`'s trim keeps, on the fused
    /// edges, for the same communities: the rule is written twice (each where it is cheap), so
    /// this is what holds the two together.
    #[test]
    fn the_trim_on_leidens_graph_is_the_trim_on_the_fused_edges() {
        let dir = tempfile::tempdir().unwrap();
        let data = crate::synth::generated_dataset(100_000, dir.path());
        let config = DetectConfig::default();
        let fused = crate::graphs::fuse(&data, &config.fusion, &crate::progress::Silent).unwrap();
        let g = fused.graph().unwrap();
        let membership = leiden(&g, &config.leiden).unwrap().membership;
        for share in [config.min_internal_share, 0.6] {
            let kept = periphery_kept(&g, &membership, share);
            let mut labels = membership.clone();
            recluster::trim_periphery(&fused, &mut labels, share);
            let tied = |v: &usize| g.degree(*v as u32) > 0;
            let trimmed = (0..g.nodes()).filter(tied).filter(|&v| !kept[v]).count();
            assert!(trimmed > 100, "{trimmed} trimmed at {share}");
            for v in (0..g.nodes()).filter(tied) {
                assert_eq!(
                    kept[v],
                    labels[v] != recluster::TRIMMED,
                    "account {v} at {share}"
                );
            }
        }
    }

    /// A takedown archive's main operation, as the fused graph shows it: a homogeneous block
    /// (every pair of 120 accounts tied, at random strengths) holding most of the weight, beside
    /// three small groups. Resolution 2 cuts the block into random pieces, each of which the
    /// periphery trim would empty; taken whole, the block is one community again, and the small
    /// groups keep theirs.
    #[test]
    fn a_block_holding_most_of_the_weight_is_taken_whole_again() {
        let mut edges = Vec::new();
        let mut x: u64 = 7;
        let mut weight = || {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            1.0 + (x >> 40) as f32 / (1u64 << 24) as f32
        };
        for a in 0..120u32 {
            for b in a + 1..120 {
                edges.push((a, b, weight()));
            }
        }
        for g in 0..3u32 {
            let base = 120 + 8 * g;
            for a in base..base + 8 {
                for b in a + 1..base + 8 {
                    edges.push((a, b, 2.0 * weight()));
                }
            }
            // One tie to the block, as an ordinary account's retweet would make.
            edges.push((base, g, 1.0));
        }
        let g = Graph::undirected(144, &edges).unwrap();
        let config = DetectConfig::default();
        let mut membership = leiden(&g, &config.leiden).unwrap().membership;
        let pieces: HashSet<u32> = membership[..120].iter().copied().collect();
        assert!(pieces.len() > 1, "resolution 2 left the block whole");
        whole_where_fragmented(
            &g,
            &mut membership,
            config.min_cluster_size,
            config.min_internal_share,
        );
        assert!(membership[..120].iter().all(|&c| c == membership[0]));
        for g in 0..3 {
            let group = &membership[120 + 8 * g..128 + 8 * g];
            assert!(group.iter().all(|&c| c == group[0] && c != membership[0]));
        }
        // The groups stay apart from each other too.
        let labels: HashSet<u32> = (0..3).map(|g| membership[120 + 8 * g]).collect();
        assert_eq!(labels.len(), 3);
    }

    /// Groups that do not fit the data are refused, naming what to fix, never a panic: a
    /// library caller builds `cluster_of` by hand.
    #[test]
    fn groups_that_do_not_fit_the_data_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let data = crate::synth::generated_dataset(10_000, dir.path());
        let config = DetectConfig::default();
        let n = data.accounts.len();
        let run = |cluster_of: Vec<u32>, clusters: usize| {
            let fused = crate::graphs::fuse(&data, &config.fusion, &crate::progress::Silent);
            let background = Background::of(None, false);
            assess(
                &data,
                fused.unwrap(),
                cluster_of,
                clusters,
                &config,
                background,
            )
        };
        let short = run(vec![0; n - 1], 1).err().unwrap().to_string();
        assert!(
            short.contains(&format!("{} entries for the dataset's {n}", n - 1)),
            "{short}"
        );
        let mut beyond = vec![NO_CLUSTER; n];
        beyond[3] = 5;
        let e = run(beyond, 1).err().unwrap().to_string();
        assert!(e.contains("in group 5, beyond the 1 groups given"), "{e}");
        assert!(background_for_groups(&data, &[0; 2], &config, None).is_err());
        // One that fits is scored.
        let mut fits = vec![NO_CLUSTER; n];
        fits[..20].iter_mut().for_each(|g| *g = 0);
        let d = run(fits, 1).unwrap();
        assert_eq!(d.clusters.len(), 1);
        // Its members are the accounts given, with the roles scoring gave them.
        let members: Vec<(u32, Role, f64)> = d.members(0).collect();
        assert_eq!(members.len(), 20);
        assert!(members
            .iter()
            .all(|&(a, role, _)| a < 20 && role == d.roles[a as usize].0));
        let by_role = |r: Role| members.iter().filter(|m| m.1 == r).count();
        let c = &d.clusters[0];
        assert_eq!(
            (by_role(Role::Core), by_role(Role::Amplifier)),
            (c.n_core, c.n_amplifier)
        );
        assert_eq!(d.members(NO_CLUSTER).count(), 0);
    }
}
