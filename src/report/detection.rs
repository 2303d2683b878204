//! The files `coordnet detect` writes into its output directory: `accounts.csv`,
//! `clusters.csv`, `edges.csv`, `network.gexf` and `summary.json`. Column names are stable;
//! the README documents each.

use super::graph_file::{
    push_field, write_graph, write_header, write_rows, AttrType, FusedEdges, GraphEdges,
    GraphFormat, NodeTable,
};
use super::safe;
use crate::dataset::time::format_iso;
use crate::dataset::Dataset;
use crate::error::{Error, Result};
use crate::pipeline::Detection;
use crate::progress::Progress;
use crate::scoring::{Cluster, Part, NO_CLUSTER};
use crate::shown::{cut, pct};
use std::io::Write;
use std::path::Path;

/// Write `dir/name` whole or not at all (see [`safe`]).
fn create(
    dir: &Path,
    name: &str,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    safe::write_file(&dir.join(name), write)
}

/// Write `dir/name` as CSV rows, every cell as a spreadsheet must take it (see [`safe`]).
fn write_csv_rows<I, R>(dir: &Path, name: &str, header: &[&str], rows: I) -> Result<()>
where
    I: IntoIterator<Item = R>,
    R: IntoIterator<Item = String>,
{
    create(dir, name, |out| {
        let mut w = csv::Writer::from_writer(out);
        w.write_record(header.iter().map(|h| safe::guard(h).into_owned()))?;
        for row in rows {
            for c in row {
                w.write_field(safe::guard(&c).as_bytes())?;
            }
            w.write_record(None::<&[u8]>)?;
        }
        w.flush()
    })
}

fn fmt(x: f64) -> String {
    let mut buf = Vec::new();
    push_fmt(&mut buf, x);
    String::from_utf8(buf).expect("digits are ASCII")
}

/// `x` as the tables write numbers: whole numbers as integers, others with four decimals,
/// NaN (undefined) as nothing.
fn push_fmt(buf: &mut Vec<u8>, x: f64) {
    if x.is_nan() {
    } else if x.fract() == 0.0 && x.abs() < 1e15 {
        // As `{x:.0}` writes it (`-0` included), without the exact float formatting's slow
        // path (Dragon4 took 0.7% of a 1.28M-tweet detect here).
        if x.is_sign_negative() && x == 0.0 {
            buf.push(b'-');
        }
        buf.extend_from_slice(itoa::Buffer::new().format(x as i64).as_bytes());
    } else {
        let _ = write!(buf, "{x:.4}");
    }
}

fn opt(x: Option<f64>) -> String {
    x.map_or(String::new(), fmt)
}

/// Which accounts `accounts.csv` lists: every account that tweeted, every clustered one, and
/// every one the edge files name (`named`, rising: with `--all-edges`, retweeted accounts
/// that never posted), so that each edge's ends join to a row.
pub(crate) fn listed(data: &Dataset, d: &Detection, named: &[u32]) -> Vec<u32> {
    (0..data.accounts.len() as u32)
        .filter(|&u| {
            d.activity.tweets[u as usize] > 0
                || d.cluster_of[u as usize] != NO_CLUSTER
                || named.binary_search(&u).is_ok()
        })
        .collect()
}

/// Whether the clusters are named groups (`coordnet score --group-column`): then the tables
/// carry each one's name in a `group` column, after `cluster`.
fn named_groups(d: &Detection) -> bool {
    d.clusters.iter().any(|c| c.group.is_some())
}

pub fn write_accounts(dir: &Path, data: &Dataset, d: &Detection, named: &[u32]) -> Result<()> {
    let columns = account_columns(data, d);
    let header: Vec<&str> = columns.iter().map(|c| c.name).collect();
    let listed = listed(data, d, named);
    // Rows formatted in parallel straight into byte buffers: a cell a `String`, through the
    // CSV writer, was a third of the writing stage's CPU at 10^6 tweets.
    create(dir, "accounts.csv", |out| {
        write_header(out, &header)?;
        write_rows(out, listed.len(), |buf, i| {
            let u = listed[i] as usize;
            for (k, column) in columns.iter().enumerate() {
                if k > 0 {
                    buf.push(b',');
                }
                (column.cell)(buf, u);
            }
            buf.push(b'\n');
        })
    })
}

/// A column of `accounts.csv`: its name and how an account's cell is written (straight into
/// the row's bytes), kept together so a header and its rows cannot drift apart.
struct AccountColumn<'a> {
    name: &'a str,
    cell: Box<AccountCell<'a>>,
}

/// Writes account `u`'s cell (by its index in the dataset) onto a row.
type AccountCell<'a> = dyn Fn(&mut Vec<u8>, usize) + Sync + 'a;

fn account_column<'a>(
    name: &'a str,
    cell: impl Fn(&mut Vec<u8>, usize) + Sync + 'a,
) -> AccountColumn<'a> {
    AccountColumn {
        name,
        cell: Box::new(cell),
    }
}

/// The columns of `accounts.csv`, in order: who the account is, its cluster (with the group's
/// name after it when the clusters are named groups) and role, its features, what its profile
/// says, and why it was left out of a cluster. Cells of an account in no cluster are empty
/// where they describe the cluster (`flagged` is false).
fn account_columns<'a>(data: &'a Dataset, d: &'a Detection) -> Vec<AccountColumn<'a>> {
    let cluster = move |u: usize| {
        let c = d.cluster_of[u];
        (c != NO_CLUSTER).then(|| (c, &d.clusters[c as usize]))
    };
    let accounts = &data.accounts;
    let mut columns = vec![
        account_column("account_id", |buf, u| {
            push_field(buf, accounts.key(u as u32))
        }),
        account_column("screen_name", |buf, u| {
            push_field(buf, accounts.screen_name(u as u32).unwrap_or_default())
        }),
        account_column("cluster", move |buf, u| {
            if let Some((c, _)) = cluster(u) {
                buf.extend_from_slice(itoa::Buffer::new().format(c).as_bytes());
            }
        }),
    ];
    if named_groups(d) {
        columns.push(account_column("group", move |buf, u| {
            if let Some((_, cl)) = cluster(u) {
                push_field(buf, cl.group.as_deref().unwrap_or_default());
            }
        }));
    }
    columns.extend([
        account_column("role", move |buf, u| {
            if cluster(u).is_some() {
                buf.extend_from_slice(d.roles[u].0.name().as_bytes());
            }
        }),
        account_column("role_confidence", move |buf, u| {
            if cluster(u).is_some() {
                let _ = write!(buf, "{}", cut(d.roles[u].1, 3));
            }
        }),
        account_column("flagged", move |buf, u| {
            let flagged = cluster(u).is_some_and(|(_, cl)| cl.flagged);
            buf.extend_from_slice(if flagged { b"true" } else { b"false" });
        }),
        account_column("score", move |buf, u| {
            if let Some((_, cl)) = cluster(u) {
                let _ = write!(buf, "{}", cut(cl.score, 4));
            }
        }),
    ]);
    columns.extend((d.features.names.iter().enumerate()).map(|(k, name)| {
        account_column(name, move |buf, u| push_fmt(buf, d.features.values[[u, k]]))
    }));
    columns.push(account_column("created_at", |buf, u| {
        let created = accounts.created_ms[u];
        if created != i64::MIN {
            push_field(buf, &format_iso(created));
        }
    }));
    let count = |x: u32, buf: &mut Vec<u8>| {
        if x != u32::MAX {
            buf.extend_from_slice(itoa::Buffer::new().format(x).as_bytes());
        }
    };
    columns.extend([
        account_column("followers", move |buf, u| count(accounts.followers[u], buf)),
        account_column("following", move |buf, u| count(accounts.following[u], buf)),
        account_column("left_out", |buf, u| {
            push_field(
                buf,
                d.left_out.get(u).copied().flatten().unwrap_or_default(),
            )
        }),
    ]);
    columns
}

/// A column of `clusters.csv`: its name and how a cluster's value is written, kept together
/// so a header and its rows cannot drift apart.
type ClusterColumn = (&'static str, Box<dyn Fn(&Cluster) -> String + Sync>);

fn column(
    name: &'static str,
    value: impl Fn(&Cluster) -> String + Sync + 'static,
) -> ClusterColumn {
    (name, Box::new(value))
}

/// The columns of `clusters.csv`, in order (with a `group` column if `grouped`).
pub fn cluster_columns(grouped: bool) -> Vec<ClusterColumn> {
    let ratio = |num: u64, den: u64| (den > 0).then(|| num as f64 / den as f64);
    let joined = |items: Vec<String>| items.join(" ");
    let mut columns = vec![column("cluster", |c| c.id.to_string())];
    if grouped {
        columns.push(column("group", |c| c.group.clone().unwrap_or_default()));
    }
    columns.extend([
        column("size", |c| c.size.to_string()),
        column("n_core", |c| c.n_core.to_string()),
        column("n_amplifier", |c| c.n_amplifier.to_string()),
        column("n_other", |c| c.n_other.to_string()),
        column("score", |c| cut(c.score, 4)),
        column("flagged", |c| c.flagged.to_string()),
    ]);
    columns.extend(Part::ALL.map(|p| column(p.name(), move |c: &Cluster| opt(c.parts.get(p)))));
    columns.extend([
        column("core_amplifier_ratio", |c| {
            if c.n_core > 0 {
                format!("1:{:.1}", c.n_amplifier as f64 / c.n_core as f64)
            } else {
                String::new()
            }
        }),
        column("inner_retweets", |c| c.evidence.inner_retweets.to_string()),
        column("inner_retweet_share", move |c| {
            opt(ratio(c.evidence.inner_retweets, c.evidence.retweets_known))
        }),
        column("median_retweet_delay_s", |c| {
            opt(c.evidence.inner_median_delay_ms.map(|d| d as f64 / 1e3))
        }),
        column("retweet_delay_q1_s", |c| {
            opt(c
                .evidence
                .inner_delay_quartiles_ms
                .map(|q| q.0 as f64 / 1e3))
        }),
        column("retweet_delay_q3_s", |c| {
            opt(c
                .evidence
                .inner_delay_quartiles_ms
                .map(|q| q.1 as f64 / 1e3))
        }),
        column("retweets_within_5min", move |c| {
            let e = &c.evidence;
            opt(ratio(e.inner_retweets_fast, e.inner_retweets_timed))
        }),
        column("retweets_within_5min_null", |c| opt(c.evidence.fast_null)),
        column("shared_burst_share", move |c| {
            let r = &c.evidence.rhythm;
            opt(ratio(r.shared_hours, r.active_hours))
        }),
        column("shared_burst_share_null", |c| {
            opt(c.evidence.rhythm.shared_null)
        }),
        column("hour_of_week_similarity", |c| {
            opt(c.evidence.rhythm.profile_similarity)
        }),
        column("hour_of_week_similarity_null", |c| {
            opt(c.evidence.rhythm.profile_null)
        }),
        column("tweets", |c| c.profile.tweets.to_string()),
        column("tweets_per_account", |c| fmt(c.profile.tweets_per_account)),
        column("languages", move |c| {
            joined(
                c.profile
                    .languages
                    .iter()
                    .map(|(l, s)| format!("{l}:{}", pct(*s)))
                    .collect(),
            )
        }),
        column("top_clients", move |c| {
            joined(
                c.profile
                    .clients
                    .iter()
                    .map(|(a, s)| format!("{a}:{}", pct(*s)))
                    .collect(),
            )
        }),
        column("top_hashtags", move |c| {
            joined(
                c.profile
                    .top_hashtags
                    .iter()
                    .map(|(t, n)| format!("#{t}:{n}"))
                    .collect(),
            )
        }),
        column("top_domains", move |c| {
            joined(
                c.profile
                    .top_domains
                    .iter()
                    .map(|(t, n)| format!("{t}:{n}"))
                    .collect(),
            )
        }),
        column("amplified_accounts", move |c| {
            joined(
                c.profile
                    .amplified_accounts
                    .iter()
                    // No '@': the name may be an id, and a cell that starts with '@' is
                    // guarded against spreadsheets with a quote.
                    .map(|(a, n)| format!("{a}:{n}"))
                    .collect(),
            )
        }),
        column("first_tweet", |c| {
            c.profile.first_tweet_ms.map(format_iso).unwrap_or_default()
        }),
        column("last_tweet", |c| {
            c.profile.last_tweet_ms.map(format_iso).unwrap_or_default()
        }),
        column("young_account_share", |c| opt(c.profile.young_share)),
        column("median_followers", |c| {
            c.profile
                .median_followers
                .map(|f| f.to_string())
                .unwrap_or_default()
        }),
        column("explanation", |c| c.explanation.clone()),
    ]);
    columns
}

pub fn write_clusters(dir: &Path, d: &Detection) -> Result<()> {
    let columns = cluster_columns(named_groups(d));
    let header: Vec<&str> = columns.iter().map(|(name, _)| *name).collect();
    let rows = d.clusters.iter().map(|c| {
        columns
            .iter()
            .map(|(_, value)| value(c))
            .collect::<Vec<_>>()
    });
    write_csv_rows(dir, "clusters.csv", &header, rows)
}

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
    gexf: Option<FusedEdges<'f>>,
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
fn write_edge_files(
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
fn written(dir: &Path, name: &str, progress: &dyn Progress) {
    let size = std::fs::metadata(dir.join(name)).map_or(0, |m| m.len());
    progress.note(&format!(
        "{name} written ({})",
        crate::memory::format_size(size)
    ));
}

/// `summary.json`, keys in sorted order.
pub fn write_summary(dir: &Path, summary: &impl serde::Serialize) -> Result<()> {
    let path = dir.join("summary.json");
    let summary = serde_json::to_value(summary).map_err(|e| Error::io(&path, e.into()))?;
    create(dir, "summary.json", |out| {
        serde_json::to_writer_pretty(&mut *out, &summary).map_err(std::io::Error::other)?;
        out.write_all(b"\n")
    })
}

/// The files [`write_detection`] writes in its folder.
pub const FILES: [&str; 6] = [
    "accounts.csv",
    "clusters.csv",
    "edges.csv",
    "network.gexf",
    "summary.json",
    "report.html",
];

/// Refuse, before any work, a folder [`write_detection`] could not fill: one that cannot be
/// made or written, or that holds a folder under one of [`FILES`]' names (found only at the
/// end, after the other files were written).
pub fn check_can_write_detection(dir: &Path) -> Result<()> {
    safe::check_can_write(dir, true)?;
    for name in FILES {
        let file = dir.join(name);
        if file.is_dir() {
            safe::check_can_write(&file, false)?;
        }
    }
    Ok(())
}

/// Remove the files a run killed while writing (by the kernel, or `kill -9`, which nothing
/// can catch) left in `dir`'s hidden staging folder, saying how much went: they would hold
/// the disk until a run wrote to the same folder again.
pub fn clear_unfinished(dir: &Path) -> Option<String> {
    let staging = dir.join(STAGING);
    if !staging.is_dir() {
        return None;
    }
    let bytes: u64 = std::fs::read_dir(&staging)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.metadata().ok())
        .map(|m| m.len())
        .sum();
    let removed = std::fs::remove_dir_all(&staging).is_ok();
    Some(match removed {
        true => format!(
            "note: removed {} of unfinished files that a run stopped while writing left in {}",
            crate::memory::format_size(bytes),
            staging.display()
        ),
        false => format!(
            "note: {} holds {} of unfinished files that a run stopped while writing left, and \
             they could not be removed: remove the folder",
            staging.display(),
            crate::memory::format_size(bytes)
        ),
    })
}

/// Write every detection file into `dir` (created if missing), the analyst's page
/// (`report.html`) among them, with the edge files `files` chose.
pub fn write_detection(
    dir: &Path,
    data: &Dataset,
    d: &Detection,
    summary: &impl serde::Serialize,
    files: &EdgeFiles,
) -> Result<()> {
    write_detection_with_progress(dir, data, d, summary, files, &crate::progress::Silent)
}

/// [`write_detection`], telling `progress` of each file as it is written.
pub fn write_detection_with_progress(
    dir: &Path,
    data: &Dataset,
    d: &Detection,
    summary: &impl serde::Serialize,
    files: &EdgeFiles,
    progress: &dyn Progress,
) -> Result<()> {
    let made = safe::make_folders(dir).map_err(|e| Error::io(dir, e))?;
    // The set whole or not at all: the files are made in a hidden folder inside `dir` and
    // moved out together once all are written, so a failure (a full disk) leaves the
    // folder as it was, an earlier run's set included.
    let staging = dir.join(STAGING);
    let _ = std::fs::remove_dir_all(&staging);
    safe::unless_stopped(|| {
        std::fs::create_dir(&staging)?;
        safe::unfinished(&staging);
        Ok(())
    })
    .map_err(|e| Error::io(&staging, e))?;
    // Without --all-edges the edge files hold clustered accounts' edges only.
    let named = match files.counts.options.all_edges {
        true => {
            let mut named = files.csv.nodes();
            named.extend(files.gexf().nodes());
            named.sort_unstable();
            named.dedup();
            named
        }
        false => Vec::new(),
    };
    let written = (|| {
        let summary = serde_json::to_value(summary)
            .map_err(|e| Error::io(&dir.join("summary.json"), e.into()))?;
        // The edge files are the big ones; write them beside the tables.
        let (tables, edges) = rayon::join(
            || {
                write_accounts(&staging, data, d, &named)?;
                written(&staging, "accounts.csv", progress);
                write_clusters(&staging, d)?;
                write_summary(&staging, &summary)?;
                super::html::write_report(&staging, data, d, &summary)?;
                written(&staging, "report.html", progress);
                Ok(())
            },
            || write_edge_files(&staging, data, d, files, progress),
        );
        tables.and(edges)?;
        // All moved or none: Ctrl-C waits for the moves.
        let mut failed = None;
        safe::unless_stopped(|| {
            for name in FILES {
                let to = dir.join(name);
                std::fs::rename(staging.join(name), &to).inspect_err(|_| failed = Some(to))?;
            }
            Ok(())
        })
        .map_err(|e| Error::io(failed.as_deref().unwrap_or(&staging), e))
    })();
    let _ = std::fs::remove_dir_all(&staging);
    safe::finished(&staging);
    if written.is_err() && made {
        let _ = std::fs::remove_dir(dir);
    }
    written.map_err(|e: Error| e.named_in(&staging, dir))
}

/// The hidden folder inside the output folder where [`write_detection`] makes its files.
const STAGING: &str = ".coordnet.partial";

#[cfg(test)]
mod tests {
    use super::{cluster_columns, fmt};

    /// The README listed `top_hashtags, top_domains, top_clients`, where the file has
    /// `top_clients` first.
    #[test]
    fn the_readme_names_the_cluster_columns_in_the_files_order() {
        let readme = include_str!("../../README.md");
        let at = readme
            .find("- **`clusters.csv`**")
            .expect("clusters.csv's paragraph");
        let text = &readme[at + 1..];
        let text = &text[..text.find("\n- **").unwrap_or(text.len())];
        let columns: Vec<&str> = cluster_columns(true).iter().map(|c| c.0).collect();
        // Each column the README names in backquotes (flags aside), in the order it names them.
        let mut named: Vec<usize> = Vec::new();
        for quoted in text.split('`').skip(1).step_by(2) {
            if quoted.contains("--") {
                continue;
            }
            for word in quoted.split([',', ' ']) {
                let c = columns.iter().position(|&c| c == word);
                if let Some(c) = c.filter(|c| !named.contains(c)) {
                    named.push(c);
                }
            }
        }
        let names = |ix: &[usize]| ix.iter().map(|&i| columns[i]).collect::<Vec<_>>();
        let mut in_file_order = named.clone();
        in_file_order.sort_unstable();
        assert_eq!(names(&named), names(&in_file_order));
        assert!(named.len() >= columns.len() - 3, "{:?}", names(&named));
    }

    #[test]
    fn whole_numbers_are_written_as_the_exact_formatting_writes_them() {
        for x in [
            0.0,
            -0.0,
            1.0,
            -7.0,
            1234567.0,
            999_999_999_999_999.0,
            -4.5e14,
            2f64.powi(49),
        ] {
            assert_eq!(fmt(x), format!("{x:.0}"), "{x}");
        }
        assert_eq!(fmt(0.25), "0.2500");
        assert_eq!(fmt(1e15), format!("{:.4}", 1e15));
        assert_eq!(fmt(f64::NAN), "");
    }
}
