//! `edges.csv` and `network.gexf`: which fused edges they hold (the clusters' own, capped at
//! each account's strongest ties past a size) and their writing.

use super::*;

fn node_table(data: &Dataset, d: &Detection, nodes: &[u32]) -> NodeTable {
    // Each account's tweets from the activity, which counts the rows wherever they are.
    let mut t = NodeTable::with_tweets(data, &d.activity.tweets, nodes);
    let cluster = |u: u32| d.cluster_of[u as usize];
    t.add_column("cluster", AttrType::Integer, |u| match cluster(u) {
        NO_CLUSTER => String::new(),
        c => c.to_string(),
    });
    t.add_column("role", AttrType::Text, |u| match cluster(u) {
        NO_CLUSTER => String::new(),
        _ => d.roles[u as usize].0.name().to_string(),
    });
    t.add_column("score", AttrType::Real, |u| match cluster(u) {
        NO_CLUSTER => String::new(),
        c => cut(d.clusters[c as usize].score, 4),
    });
    t.add_column("flagged", AttrType::Boolean, |u| {
        (cluster(u) != NO_CLUSTER && d.clusters[cluster(u) as usize].flagged).to_string()
    });
    t
}

/// Whether both ends of an edge are in the same flagged cluster.
fn inside_flagged(d: &Detection, a: u32, b: u32) -> bool {
    let c = d.cluster_of[a as usize];
    c != NO_CLUSTER && c == d.cluster_of[b as usize] && d.clusters[c as usize].flagged
}

/// What the edge files hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct EdgeFileOptions {
    /// Every fused edge in `edges.csv` and every cluster in `network.gexf`, not only the
    /// flagged clusters' internal edges.
    pub all_edges: bool,
    /// Past this many edges `edges.csv` keeps each account's strongest ties only (0: no
    /// limit). At 10^8 tweets the flagged clusters hold hundreds of millions of edges, tens of
    /// GB that no one opens and few disks hold.
    pub csv_max_edges: usize,
    /// The same for `network.gexf`. Gephi lays out up to about a million edges; beyond, it
    /// stalls.
    pub gexf_max_edges: usize,
}

impl Default for EdgeFileOptions {
    fn default() -> EdgeFileOptions {
        EdgeFileOptions {
            all_edges: false,
            csv_max_edges: 20_000_000,
            gexf_max_edges: 1_000_000,
        }
    }
}

/// The edges of `edges.csv` and `network.gexf`, chosen from the fused graph.
///
/// `edges.csv` holds the fused edges inside flagged clusters (every fused edge with
/// `all_edges`); `network.gexf` holds the edges inside the clusters it shows (flagged ones, or
/// all with `all_edges`). When a file's edges number more than its limit, it keeps an edge
/// only if it is among the k strongest of one of its ends, k the largest that fits
/// (`max / accounts`, at least 1). Such a backbone keeps every account tied to its closest
/// partners, and so the clusters' shape in a layout, in a file a person can open.
pub struct EdgeFiles<'f> {
    pub csv: FusedEdges<'f>,
    /// `None`: the same edges as `csv`, not held twice.
    pub(super) gexf: Option<FusedEdges<'f>>,
    pub counts: EdgeFileCounts,
}

/// What the edge files hold, for `summary.json`.
#[derive(Clone, Debug, serde::Serialize)]
pub struct EdgeFileCounts {
    #[serde(flatten)]
    pub options: EdgeFileOptions,
    pub edges_csv: usize,
    /// Edges `edges.csv` would hold without its limit (those inside flagged clusters, or
    /// every fused edge with `--all-edges`).
    pub edges_csv_before_limit: usize,
    /// The k of its backbone, when the limit applied.
    pub edges_csv_strongest_per_account: Option<usize>,
    pub network_gexf: usize,
    /// Edges inside the clusters `network.gexf` shows, before the limit.
    pub network_gexf_before_limit: usize,
    /// The k of the backbone, when the limit applied.
    pub network_gexf_strongest_per_account: Option<usize>,
}

impl<'f> EdgeFiles<'f> {
    pub fn choose(d: &'f Detection, options: EdgeFileOptions) -> EdgeFiles<'f> {
        let same_cluster = |a: u32, b: u32| {
            let c = d.cluster_of[a as usize];
            c != NO_CLUSTER && c == d.cluster_of[b as usize]
        };
        let flagged = || FusedEdges::new(&d.fused, |a, b| inside_flagged(d, a, b));
        let all = match options.all_edges {
            false => flagged(),
            true => FusedEdges::new(&d.fused, |_, _| true),
        };
        let edges_csv_before_limit = all.len();
        let (csv, csv_k) = capped(d, all, options.csv_max_edges);
        // Without `all_edges` both files draw on the flagged clusters' edges, and the GEXF's
        // backbone can come from the csv's when its limit is the smaller: each account's k
        // strongest for the smaller k are among those for the larger.
        let gexf_within_csv =
            options.gexf_max_edges > 0 && options.gexf_max_edges <= options.csv_max_edges;
        let (inside, network_gexf_before_limit) = match options.all_edges {
            true => {
                let inside = FusedEdges::new(&d.fused, same_cluster);
                let n = inside.len();
                (Some(inside), n)
            }
            false if csv_k.is_some() && !gexf_within_csv => {
                (Some(flagged()), edges_csv_before_limit)
            }
            false => (None, edges_csv_before_limit),
        };
        let max = options.gexf_max_edges;
        let (gexf, gexf_k) = match max > 0 && network_gexf_before_limit > max {
            true => {
                let (edges, k) = backbone(d, inside.as_ref().unwrap_or(&csv), max);
                (Some(edges), Some(k))
            }
            false => (inside, None),
        };
        EdgeFiles {
            counts: EdgeFileCounts {
                options,
                edges_csv: csv.len(),
                edges_csv_before_limit,
                edges_csv_strongest_per_account: csv_k,
                network_gexf: gexf.as_ref().unwrap_or(&csv).len(),
                network_gexf_before_limit,
                network_gexf_strongest_per_account: gexf_k,
            },
            csv,
            gexf,
        }
    }

    /// The edges of `network.gexf`.
    pub fn gexf(&self) -> &FusedEdges<'f> {
        self.gexf.as_ref().unwrap_or(&self.csv)
    }
}

impl EdgeFileCounts {
    /// What a person should know of the files' limits: a line for each file that hit one.
    pub fn notes(&self) -> Vec<String> {
        let note = |file: &str, flag: &str, max: usize, held: usize, of: String, k| {
            // Every account keeps its strongest tie, which can be more than the limit.
            let past = match held > max {
                true => ", more than the limit: each account keeps at least its strongest tie",
                false => "",
            };
            format!(
                "note: {file} holds {held} of {of}, each account's {k} strongest (--{flag} \
                 {max}; 0 for all){past}"
            )
        };
        let o = &self.options;
        // What each file draws on: with --all-edges, every fused edge and every cluster.
        let (csv_of, gexf_of) = match o.all_edges {
            true => ("fused edges", "edges inside clusters"),
            false => (
                "edges inside flagged clusters",
                "edges inside flagged clusters",
            ),
        };
        let csv = self.edges_csv_strongest_per_account.map(|k| {
            let of = format!("the {} {csv_of}", self.edges_csv_before_limit);
            note(
                "edges.csv",
                "csv-max-edges",
                o.csv_max_edges,
                self.edges_csv,
                of,
                k,
            )
        });
        let gexf = self.network_gexf_strongest_per_account.map(|k| {
            let of = format!("the {} {gexf_of}", self.network_gexf_before_limit);
            let held = self.network_gexf;
            note(
                "network.gexf",
                "gexf-max-edges",
                o.gexf_max_edges,
                held,
                of,
                k,
            )
        });
        csv.into_iter().chain(gexf).collect()
    }
}

/// `edges`, or past `max` (0: no limit) their backbone and its k.
fn capped<'f>(
    d: &'f Detection,
    edges: FusedEdges<'f>,
    max: usize,
) -> (FusedEdges<'f>, Option<usize>) {
    match max > 0 && edges.len() > max {
        true => {
            let (b, k) = backbone(d, &edges, max);
            (b, Some(k))
        }
        false => (edges, None),
    }
}

/// The edges of `inside` that are among the k strongest of either end, k = `max / accounts`
/// (at least 1), so that at most about `max` remain.
fn backbone<'f>(d: &'f Detection, inside: &FusedEdges<'f>, max: usize) -> (FusedEdges<'f>, usize) {
    use rayon::prelude::*;
    use std::sync::atomic::{AtomicU32, Ordering::Relaxed};
    let n = d.cluster_of.len();
    // Every pass over the edges runs on every core, block by block (at 10^8 tweets there are
    // hundreds of millions): ends are counted and weights placed through atomics, so a row's
    // weights come in any order, which its k-th strongest does not depend on.
    let blocks = || inside.indices().par_chunks(1 << 16);
    let counted: Vec<AtomicU32> = (0..=n).map(|_| AtomicU32::new(0)).collect();
    blocks().for_each(|block| {
        for e in d.fused.edges.at(block) {
            counted[e.a as usize + 1].fetch_add(1, Relaxed);
            counted[e.b as usize + 1].fetch_add(1, Relaxed);
        }
    });
    let mut start: Vec<u32> = counted.into_iter().map(AtomicU32::into_inner).collect();
    let accounts = start.iter().filter(|&&x| x > 0).count().max(1);
    let k = (max / accounts).max(1);
    for v in 0..n {
        start[v + 1] += start[v];
    }
    // Each account's weights inside, grouped by account (4 bytes an end, as f32 bits).
    let next: Vec<AtomicU32> = start[..n].iter().map(|&s| AtomicU32::new(s)).collect();
    let weights: Vec<AtomicU32> = (0..start[n]).map(|_| AtomicU32::new(0)).collect();
    blocks().for_each(|block| {
        for e in d.fused.edges.at(block) {
            let w = (e.weight() as f32).to_bits();
            for u in [e.a as usize, e.b as usize] {
                weights[next[u].fetch_add(1, Relaxed) as usize].store(w, Relaxed);
            }
        }
    });
    drop(next);
    // Each account's k-th strongest tie inside (the weights as the graph holds them, f32).
    let threshold: Vec<f32> = (0..n)
        .into_par_iter()
        .map_init(Vec::new, |row, v| {
            let ends = &weights[start[v] as usize..start[v + 1] as usize];
            if ends.len() <= k {
                return f32::NEG_INFINITY;
            }
            row.clear();
            row.extend(ends.iter().map(|w| f32::from_bits(w.load(Relaxed))));
            *row.select_nth_unstable_by(k - 1, |x, y| y.total_cmp(x)).1
        })
        .collect();
    drop(weights);
    let chosen = blocks()
        .flat_map_iter(|block| {
            (block.iter().zip(d.fused.edges.at(block)))
                .filter(|(_, e)| {
                    let w = e.weight() as f32;
                    w >= threshold[e.a as usize] || w >= threshold[e.b as usize]
                })
                .map(|(&i, _)| i)
        })
        .collect();
    (FusedEdges::from_indices(&d.fused, chosen), k)
}

/// `edges.csv` and `network.gexf` (see [`EdgeFiles`]), written from the fused graph.
pub(super) fn write_edge_files(
    dir: &Path,
    data: &Dataset,
    d: &Detection,
    files: &EdgeFiles,
    progress: &dyn Progress,
) -> Result<()> {
    let (csv, gexf) = rayon::join(
        || {
            create(dir, "edges.csv", |out| {
                write_graph(
                    out,
                    GraphFormat::Csv,
                    data,
                    &files.csv,
                    &NodeTable::default(),
                )
            })?;
            written(dir, "edges.csv", progress);
            Ok(())
        },
        || {
            // Every member of a cluster the file shows is a node, tied or not (an archive's
            // operation holds accounts with no fused edge inside it); the file's edges are
            // inside those clusters, so their ends are among them.
            let shown = |c: u32| {
                c != NO_CLUSTER
                    && (files.counts.options.all_edges || d.clusters[c as usize].flagged)
            };
            let members: Vec<u32> = (0..d.cluster_of.len() as u32)
                .filter(|&u| shown(d.cluster_of[u as usize]))
                .collect();
            let nodes = node_table(data, d, &members);
            create(dir, "network.gexf", |out| {
                write_graph(out, GraphFormat::Gexf, data, files.gexf(), &nodes)
            })?;
            written(dir, "network.gexf", progress);
            Ok(())
        },
    );
    csv.and(gexf)
}

/// Say that `dir/name` is written, with its size: writing a large run's files takes long
/// enough to want telling how far it is.
pub(super) fn written(dir: &Path, name: &str, progress: &dyn Progress) {
    let size = std::fs::metadata(dir.join(name)).map_or(0, |m| m.len());
    progress.note(&format!(
        "{name} written ({})",
        crate::memory::format_size(size)
    ));
}
