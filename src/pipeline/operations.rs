//! A takedown archive split into operations.
//!
//! Every account in an archive is a suspect, so there is no background to stand out from:
//! what separates one operation from another is what each pushes over the whole period and
//! with whom. So accounts are clustered by how alike their profiles are (the mean cosine of
//! their TF-IDF profiles of retweeted posts, own texts, hashtags and mentions; see
//! [`graphs::profiles`]), with Leiden at modularity's natural resolution of 1: an operation is
//! a group more alike inside than the whole archive's similarity predicts, and resolution 2,
//! which keeps sparse networks apart from an organic mass in a collection, would cut an
//! archive's operations into crews.
//!
//! Only accounts that posted can be members: accounts the operation retweets or mentions are
//! its targets, not its members. Groups smaller than the minimum cluster size are dissolved;
//! then every account left out, and every account that used an item too common to pair on in
//! full (its place came from pairs that missed what it shares there), joins the cluster its
//! profile is most alike on average (the sum of its similarities to the cluster's members
//! over their number, so a big cluster does not draw accounts by size alone), repeated a few
//! rounds so that chains attach.
//! Accounts that share no item at all are compared by the words of their own posts. What is
//! left out then is listed with the reason.
//!
//! [`graphs::profiles`]: crate::graphs::profiles

use super::DetectConfig;
use crate::communities::{leiden, LeidenConfig, Mixing, Partition, Quality};
use crate::dataset::Dataset;
use crate::error::Result;
use crate::graphs::profiles::{self, Family, ProfileOptions, Profiles};
use crate::graphs::retweet::Source;
use crate::graphs::Graph;
use crate::memory;
use crate::progress::Progress;
use crate::scoring::NO_CLUSTER;
use hashbrown::HashMap;
use rayon::prelude::*;

/// How an archive is split into operations.
#[derive(Clone, Debug, serde::Serialize)]
pub struct ArchiveOptions {
    /// The profiles compared, and how many neighbours each account keeps.
    pub profiles: ProfileOptions,
    /// Leiden's resolution on the similarity graph (modularity).
    pub resolution: f64,
    /// Accounts with at least this many tweets are expected in a cluster; fewer tweets is
    /// given as the reason when one is not.
    pub min_tweets: u32,
}

impl Default for ArchiveOptions {
    fn default() -> ArchiveOptions {
        ArchiveOptions {
            profiles: ProfileOptions::default(),
            resolution: 1.0,
            min_tweets: 5,
        }
    }
}

/// Rounds of placing accounts (each round lets accounts attach to those that joined in the
/// last).
const ATTACH_ROUNDS: usize = 3;

/// Operations found in an archive.
pub struct Operations {
    /// Each account's cluster in `0..clusters`, or `NO_CLUSTER`.
    pub cluster_of: Vec<u32>,
    pub clusters: usize,
    /// Why each posting account outside every cluster is left out.
    pub left_out: Vec<Option<&'static str>>,
    /// Edges of the similarity graph.
    pub similarity_edges: usize,
    /// Items more accounts used than `max_item_accounts`, paired on in part.
    pub common_items: usize,
}

/// Split `data`, a takedown archive (its retweets' sources in `sources`, each account's
/// tweets in `tweets`), into operations, saying what each step found. The profiles come from
/// the rows wherever they are held (`config.elsewhere`).
pub fn operations(
    data: &Dataset,
    sources: &[Option<Source>],
    tweets: &[u32],
    config: &DetectConfig,
    progress: &dyn Progress,
) -> Result<Operations> {
    let n = tweets.len();
    let (stage, limit) = (super::STAGES[3], config.memory_limit);
    // The words' actions are asked for before they are gathered, every family's before
    // they are weighed: what less input at a time makes fewer.
    let weighing = |actions: usize, held: u64| {
        let bytes = actions as u64 * (held + profiles::WEIGHING_BYTES);
        memory::check_or((stage, ""), bytes, limit, memory::SMALLER_INPUT)
    };
    let profiles_of = |opts: &ProfileOptions| -> Result<Profiles> {
        let gather = |words| weighing(words, profiles::ACTION_BYTES);
        let pairs = config
            .elsewhere
            .profile_pairs(data, sources, opts, &gather)?;
        weighing(pairs.iter().map(Vec::len).sum(), 0)?;
        Ok(Profiles::from_pairs(pairs, tweets, opts))
    };
    let profiles = profiles_of(&config.archive.profiles)?;
    // Said before the pair search, the longest step, so that it is not waited out in silence.
    let (entries, accounts, items) = profiles.size();
    progress.note(&format!(
        "profiles: {entries} weights of {accounts} accounts on {items} items; pairing the most \
         alike"
    ));
    let k = config.archive.profiles.neighbours;
    let similarity = profiles.similarity(k, stage, limit)?;
    progress.note(&format!(
        "similarity: {} pairs, each account's {k} most alike{}",
        similarity.edges.len(),
        match similarity.common_items {
            0 => String::new(),
            c => format!(" ({c} items too common to pair on in full)"),
        }
    ));
    let graph = Graph::undirected(n, &similarity.edges)?;
    // Modularity whatever --quality says: resolution 1 has its meaning (more alike than the
    // archive predicts) only there; CPM at 1 asks for cosines above 1 and finds no operation.
    let leiden_config = LeidenConfig {
        quality: Quality::Modularity,
        resolution: config.archive.resolution,
        ..config.leiden.clone()
    };
    let everyone: Vec<u32> = (0..n as u32).collect();
    let (partition, _) = clusters(&graph, &everyone, (&profiles, k, limit), &leiden_config)?;
    let mut label: Vec<u32> = (0..n)
        .map(|u| match tweets[u] {
            0 => NO_CLUSTER,
            _ => partition.membership[u],
        })
        .collect();
    progress.note(&format!(
        "{} clusters: Leiden on those pairs, the pieces merged on every pair's sum",
        renumber(&label).1
    ));
    let (split, parts) = split_merged(
        &mut label,
        &similarity.edges,
        (&profiles, k, limit),
        &leiden_config,
        config.min_cluster_size,
    )?;
    progress.note(&format!(
        "{split} of them split into {parts} parts that stand apart"
    ));
    dissolve_small(&mut label, config.min_cluster_size);
    // Numbered densely, so that placing sizes its per-cluster sums by the clusters.
    label = renumber(&label).0;
    // Accounts left out, and those placed from pairs that missed what they share through
    // items too common to pair on.
    let unplaced =
        |a: u32, label: &[u32]| label[a as usize] == NO_CLUSTER || profiles.uses_common_items(a);
    let mut placed = place(
        &mut label,
        tweets,
        &profiles,
        unplaced,
        ATTACH_ROUNDS,
        stage,
        limit,
    )?;
    // Members that moved can leave a cluster too small: its accounts are placed again.
    if dissolve_small(&mut label, config.min_cluster_size) > 0 {
        label = renumber(&label).0;
        let left_out = |a: u32, label: &[u32]| label[a as usize] == NO_CLUSTER;
        placed += place(&mut label, tweets, &profiles, left_out, 1, stage, limit)?;
    }
    progress.note(&format!(
        "{placed} accounts placed or moved by their mean similarity to each cluster"
    ));
    // Accounts that share no item with anyone: the words of their own posts.
    if label
        .iter()
        .zip(tweets)
        .any(|(&l, &t)| l == NO_CLUSTER && t > 0)
    {
        let words = profiles_of(&ProfileOptions {
            families: vec![Family::Words],
            ..config.archive.profiles.clone()
        })?;
        let left_out = |a: u32, label: &[u32]| label[a as usize] == NO_CLUSTER;
        let placed = place(&mut label, tweets, &words, left_out, 1, stage, limit)?;
        progress.note(&format!(
            "{placed} more accounts placed by the words of their posts"
        ));
    }
    let left_out = (0..n)
        .map(|u| {
            (label[u] == NO_CLUSTER && tweets[u] > 0).then(|| {
                if tweets[u] < config.archive.min_tweets {
                    "fewer tweets than an operation needs, and nothing alike a cluster's"
                } else {
                    "nothing alike any cluster's members (no shared post, text, hashtag, mention or word)"
                }
            })
        })
        .collect();
    let (cluster_of, clusters) = renumber(&label);
    Ok(Operations {
        cluster_of,
        clusters,
        left_out,
        similarity_edges: similarity.edges.len(),
        common_items: similarity.common_items,
    })
}

/// Labels held by fewer than `min_size` accounts become `NO_CLUSTER`.
/// Returns how many accounts were in them.
fn dissolve_small(label: &mut [u32], min_size: usize) -> usize {
    let mut size: HashMap<u32, usize> = HashMap::new();
    for &l in label.iter().filter(|&&l| l != NO_CLUSTER) {
        *size.entry(l).or_default() += 1;
    }
    let mut dissolved = 0;
    for l in label.iter_mut() {
        if *l != NO_CLUSTER && size[l] < min_size.max(2) {
            *l = NO_CLUSTER;
            dissolved += 1;
        }
    }
    dissolved
}

/// Each posting account that `who` names (given the labels at a round's start) joins the
/// cluster whose members its profile is most alike on average, if any is
/// ([`Profiles::mean_similarities`]: the sum of its similarities to the members over their
/// number, so a big cluster does not draw accounts by size alone; exact, items too common to
/// pair on included). Rounds until none moves, at most `rounds`: each lets accounts attach to
/// those that joined in the last. Returns how many accounts joined or moved.
fn place(
    label: &mut [u32],
    tweets: &[u32],
    profiles: &Profiles,
    who: impl Fn(u32, &[u32]) -> bool + Sync,
    rounds: usize,
    stage: &str,
    limit: Option<u64>,
) -> Result<usize> {
    let mut moved = vec![false; label.len()];
    for _ in 0..rounds {
        let Some(&last) = label.iter().filter(|&&l| l != NO_CLUSTER).max() else {
            break;
        };
        let sums = profiles.group_sums(label, stage, limit)?;
        let now: &[u32] = label;
        let moves: Vec<(u32, u32)> = (0..now.len() as u32)
            .into_par_iter()
            .filter(|&a| tweets[a as usize] > 0 && who(a, now))
            .map_init(
                || (vec![0f64; last as usize + 1], Vec::new()),
                |(acc, out), a| {
                    let own = now[a as usize];
                    profiles.mean_similarities(a, own, &sums, acc, out);
                    let best = out
                        .iter()
                        .filter(|&&(_, mean)| mean > 0.0)
                        .max_by(|x, y| x.1.total_cmp(&y.1).then(y.0.cmp(&x.0)));
                    best.filter(|&&(l, _)| l != own).map(|&(l, _)| (a, l))
                },
            )
            .flatten()
            .collect();
        if moves.is_empty() {
            break;
        }
        for (a, l) in moves {
            label[a as usize] = l;
            moved[a as usize] = true;
        }
    }
    Ok(moved.iter().filter(|&&m| m).count())
}

/// Labels renumbered `0..` by first appearance.
fn renumber(label: &[u32]) -> (Vec<u32>, usize) {
    let mut id: HashMap<u32, u32> = HashMap::new();
    let cluster_of = label
        .iter()
        .map(|&l| {
            if l == NO_CLUSTER {
                return NO_CLUSTER;
            }
            let next = id.len() as u32;
            *id.entry(l).or_insert(next)
        })
        .collect();
    (cluster_of, id.len())
}

/// Leiden on `g`, the similarity graph of `accounts` (local node `i` is account
/// `accounts[i]`). When the graph keeps only each account's `k` most similar (`k` > 0), Leiden
/// there splits large operations into pieces, for the ties that hold an operation together are
/// many weak ones: the pieces are then merged by Leiden on the graph of every pair aggregated
/// onto them, made exactly from the profiles without the pairs
/// ([`Profiles::between_groups`]). The quality is that graph's, and so is how the
/// communities mix there, returned beside it.
fn clusters(
    g: &Graph,
    accounts: &[u32],
    (profiles, k, limit): (&Profiles, usize, Option<u64>),
    config: &LeidenConfig,
) -> Result<(Partition, Mixing)> {
    let pieces = leiden(g, config)?;
    if k == 0 {
        let mixing = pieces.mixing(g);
        return Ok((pieces, mixing));
    }
    let between = profiles.between_groups(
        accounts,
        &pieces.membership,
        pieces.communities,
        super::STAGES[3],
        limit,
    )?;
    let between = Graph::undirected(pieces.communities, &between)?;
    let merged = leiden(&between, config)?;
    let mixing = merged.mixing(&between);
    let partition = Partition {
        membership: pieces
            .membership
            .iter()
            .map(|&p| merged.membership[p as usize])
            .collect(),
        communities: merged.communities,
        quality: merged.quality,
    };
    Ok((partition, mixing))
}

/// Levels of splitting at most.
const SPLIT_DEPTH: usize = 2;

/// Modularity's resolution limit merges small operations in a large archive: each cluster is
/// clustered again on its own subgraph, where the null is the cluster's own, and split when
/// the parts are apart on two counts. At least two parts of the minimum cluster size or more
/// keep more than half of their similarity inside ([`Mixing::inside_share`]), which at most
/// one part can where members mix at random; and the parts reach more than half of the
/// separation they would have with no similarity across ([`Mixing::assortativity`]), which
/// crews of one operation, tied to each other almost as much as within, do not. Parts that
/// keep less are left out, to be attached again by similarity like every other left-out
/// account. (Modularity cannot make this test: one part holding most of a cluster's
/// similarity caps the modularity of even a clean split near 0.)
fn split_merged(
    label: &mut [u32],
    edges: &[(u32, u32, f32)],
    profiles: (&Profiles, usize, Option<u64>),
    config: &LeidenConfig,
    min_size: usize,
) -> Result<(usize, usize)> {
    let (mut clusters_split, mut parts) = (0, 0);
    let mut next = label
        .iter()
        .filter(|&&l| l != NO_CLUSTER)
        .max()
        .map_or(0, |m| m + 1);
    let mut candidates: Vec<u32> = {
        let mut l: Vec<u32> = label.iter().copied().filter(|&l| l != NO_CLUSTER).collect();
        l.sort_unstable();
        l.dedup();
        l
    };
    for _ in 0..SPLIT_DEPTH {
        let mut members: HashMap<u32, Vec<u32>> = HashMap::new();
        for (u, &l) in label.iter().enumerate() {
            if candidates.binary_search(&l).is_ok() {
                members.entry(l).or_default().push(u as u32);
            }
        }
        let mut local = vec![u32::MAX; label.len()];
        let mut sub_edges: HashMap<u32, Vec<(u32, u32, f32)>> = HashMap::new();
        for m in members.values() {
            for (i, &u) in m.iter().enumerate() {
                local[u as usize] = i as u32;
            }
        }
        for &(a, b, w) in edges {
            let l = label[a as usize];
            if l == label[b as usize] && members.contains_key(&l) {
                sub_edges
                    .entry(l)
                    .or_default()
                    .push((local[a as usize], local[b as usize], w));
            }
        }
        let mut split = Vec::new();
        for &l in &candidates {
            let Some(m) = members.get(&l).filter(|m| m.len() >= 2 * min_size) else {
                continue;
            };
            let g = Graph::undirected(m.len(), sub_edges.get(&l).map_or(&[][..], |e| &e[..]))?;
            let (p, mixing) = clusters(&g, m, profiles, config)?;
            let sizes = p.sizes();
            let apart: Vec<bool> = (0..p.communities)
                .map(|c| sizes[c] >= min_size && mixing.inside_share(c) > 0.5)
                .collect();
            if apart.iter().filter(|&&a| a).count() < 2 || mixing.assortativity() <= 0.5 {
                continue;
            }
            for (i, &u) in m.iter().enumerate() {
                let c = p.membership[i];
                label[u as usize] = match apart[c as usize] {
                    true => next + c,
                    false => NO_CLUSTER,
                };
            }
            split.extend(
                (0..p.communities as u32)
                    .filter(|&c| apart[c as usize])
                    .map(|c| next + c),
            );
            clusters_split += 1;
            parts += apart.iter().filter(|&&a| a).count();
            next += p.communities as u32;
        }
        if split.is_empty() {
            break;
        }
        split.sort_unstable();
        candidates = split;
    }
    Ok((clusters_split, parts))
}
