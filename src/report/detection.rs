//! The files `coordnet detect` writes into its output directory: `accounts.csv`,
//! `clusters.csv`, `edges.csv`, `network.gexf` and `summary.json`. Column names are stable;
//! the README documents each.

use super::graph_file::{write_graph, EdgeTable, GraphFormat, NodeTable};
use super::safe;
use crate::dataset::time::format_iso;
use crate::dataset::Dataset;
use crate::error::{Error, Result};
use crate::pipeline::Detection;
use crate::scoring::{Cluster, Part, NO_CLUSTER};
use std::io::Write;
use std::path::Path;

/// The fixed leading columns of `accounts.csv`; per-account features follow.
pub const ACCOUNT_COLUMNS: [&str; 7] = [
    "account_id",
    "screen_name",
    "cluster",
    "role",
    "role_confidence",
    "flagged",
    "score",
];

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
            let row: Vec<String> = row
                .into_iter()
                .map(|c| safe::guard(&c).into_owned())
                .collect();
            w.write_record(&row)?;
        }
        w.flush()
    })
}

fn fmt(x: f64) -> String {
    if x.is_nan() {
        String::new()
    } else if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{x:.0}")
    } else {
        format!("{x:.4}")
    }
}

fn opt(x: Option<f64>) -> String {
    x.map_or(String::new(), fmt)
}

/// Which accounts `accounts.csv` lists: every account that tweeted, and every clustered one.
fn listed(data: &Dataset, d: &Detection) -> Vec<u32> {
    (0..data.accounts.len() as u32)
        .filter(|&u| d.activity.tweets[u as usize] > 0 || d.cluster_of[u as usize] != NO_CLUSTER)
        .collect()
}

pub fn write_accounts(dir: &Path, data: &Dataset, d: &Detection) -> Result<()> {
    let mut header: Vec<&str> = ACCOUNT_COLUMNS.to_vec();
    header.extend(&d.features.names);
    header.extend(["created_at", "followers", "following", "left_out"]);
    let rows = listed(data, d).into_iter().map(|u| {
        let ui = u as usize;
        let c = d.cluster_of[ui];
        let (role, conf, flagged, score) = if c == NO_CLUSTER {
            (String::new(), String::new(), "false", String::new())
        } else {
            let cl = &d.clusters[c as usize];
            (
                d.roles[ui].0.name().to_string(),
                format!("{:.3}", d.roles[ui].1),
                if cl.flagged { "true" } else { "false" },
                format!("{:.4}", cl.score),
            )
        };
        let mut row = vec![
            data.accounts.key(u).to_string(),
            data.accounts.screen_name(u).unwrap_or_default().to_string(),
            if c == NO_CLUSTER {
                String::new()
            } else {
                c.to_string()
            },
            role,
            conf,
            flagged.to_string(),
            score,
        ];
        row.extend(d.features.values.row(ui).iter().map(|&x| fmt(x)));
        let created = data.accounts.created_ms[ui];
        row.push(if created == i64::MIN {
            String::new()
        } else {
            format_iso(created)
        });
        for x in [data.accounts.followers[ui], data.accounts.following[ui]] {
            row.push(if x == u32::MAX {
                String::new()
            } else {
                x.to_string()
            });
        }
        row.push(
            d.left_out
                .get(ui)
                .copied()
                .flatten()
                .unwrap_or_default()
                .to_string(),
        );
        row
    });
    write_csv_rows(dir, "accounts.csv", &header, rows)
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

/// The columns of `clusters.csv`, in order.
pub fn cluster_columns() -> Vec<ClusterColumn> {
    let ratio = |num: u64, den: u64| (den > 0).then(|| num as f64 / den as f64);
    let joined = |items: Vec<String>| items.join(" ");
    let mut columns = vec![
        column("cluster", |c| c.id.to_string()),
        column("size", |c| c.size.to_string()),
        column("n_core", |c| c.n_core.to_string()),
        column("n_amplifier", |c| c.n_amplifier.to_string()),
        column("n_other", |c| c.n_other.to_string()),
        column("score", |c| format!("{:.4}", c.score)),
        column("flagged", |c| c.flagged.to_string()),
    ];
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
        column("retweets_within_5min_null", |c| fmt(c.evidence.fast_null)),
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
                    .map(|(l, s)| format!("{l}:{:.0}%", 100.0 * s))
                    .collect(),
            )
        }),
        column("top_clients", move |c| {
            joined(
                c.profile
                    .clients
                    .iter()
                    .map(|(a, s)| format!("{a}:{:.0}%", 100.0 * s))
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
                    .map(|(a, n)| format!("@{a}:{n}"))
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
    let columns = cluster_columns();
    let header: Vec<&str> = columns.iter().map(|(name, _)| *name).collect();
    let rows = d.clusters.iter().map(|c| {
        columns
            .iter()
            .map(|(_, value)| value(c))
            .collect::<Vec<_>>()
    });
    write_csv_rows(dir, "clusters.csv", &header, rows)
}

/// The fused edges that `keep` accepts, with each kind's evidence, as a graph table
/// (filtered before their columns are copied).
fn fused_table(d: &Detection, keep: impl Fn(u32, u32) -> bool) -> EdgeTable {
    let columns: Vec<&'static str> = d.fused.kinds.iter().map(|k| k.kind).collect();
    let n = columns.len();
    EdgeTable::new(
        "fused",
        false,
        columns,
        d.fused.edges.iter().filter(|e| keep(e.a, e.b)).map(|e| {
            (
                e.a,
                e.b,
                e.weight(),
                e.by_kind[..n].iter().map(|&x| x as f64).collect(),
            )
        }),
    )
}

fn node_table(data: &Dataset, d: &Detection, nodes: &[u32]) -> NodeTable {
    let mut t = NodeTable::basic(data, nodes);
    let cluster = |u: u32| d.cluster_of[u as usize];
    t.add_column("cluster", |u| match cluster(u) {
        NO_CLUSTER => String::new(),
        c => c.to_string(),
    });
    t.add_column("role", |u| match cluster(u) {
        NO_CLUSTER => String::new(),
        _ => d.roles[u as usize].0.name().to_string(),
    });
    t.add_column("score", |u| match cluster(u) {
        NO_CLUSTER => String::new(),
        c => format!("{:.4}", d.clusters[c as usize].score),
    });
    t.add_column("flagged", |u| {
        (cluster(u) != NO_CLUSTER && d.clusters[cluster(u) as usize].flagged).to_string()
    });
    t
}

/// Whether both ends of an edge are in the same flagged cluster.
fn inside_flagged(d: &Detection, a: u32, b: u32) -> bool {
    let c = d.cluster_of[a as usize];
    c != NO_CLUSTER && c == d.cluster_of[b as usize] && d.clusters[c as usize].flagged
}

/// `edges.csv`, the fused edges with each kind's evidence (inside flagged clusters, or all
/// with `--all-edges`), and `network.gexf`, the Gephi file of the flagged clusters (all
/// clusters with `all`) and the fused edges inside them: what an analyst lays out, not the
/// whole collection. Without `all` both hold the same edges, so one table serves both.
fn write_edge_files(dir: &Path, data: &Dataset, d: &Detection, all: bool) -> Result<()> {
    let csv = |table: &EdgeTable| {
        create(dir, "edges.csv", |out| {
            write_graph(out, GraphFormat::Csv, data, table, &NodeTable::default())
        })
    };
    let gexf = |table: &EdgeTable| {
        let nodes = node_table(data, d, &table.nodes());
        create(dir, "network.gexf", |out| {
            write_graph(out, GraphFormat::Gexf, data, table, &nodes)
        })
    };
    if !all {
        let table = fused_table(d, |a, b| inside_flagged(d, a, b));
        let (a, b) = rayon::join(|| csv(&table), || gexf(&table));
        return a.and(b);
    }
    // One table at a time: every fused edge, then the clusters' internal ones.
    csv(&fused_table(d, |_, _| true))?;
    gexf(&fused_table(d, |a, b| {
        let c = d.cluster_of[a as usize];
        c != NO_CLUSTER && c == d.cluster_of[b as usize]
    }))
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

/// Write every detection file into `dir` (created if missing), the analyst's page
/// (`report.html`) among them. Edge files hold the flagged clusters' internal edges, or with
/// `all_edges` every fused edge (and every cluster in GEXF).
pub fn write_detection(
    dir: &Path,
    data: &Dataset,
    d: &Detection,
    summary: &impl serde::Serialize,
    all_edges: bool,
) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    // The edge files are the big ones; write them beside the tables.
    let summary = serde_json::to_value(summary)
        .map_err(|e| Error::io(&dir.join("summary.json"), e.into()))?;
    let (tables, edges) = rayon::join(
        || {
            write_accounts(dir, data, d)?;
            write_clusters(dir, d)?;
            write_summary(dir, &summary)?;
            super::html::write_report(dir, data, d, &summary)
        },
        || write_edge_files(dir, data, d, all_edges),
    );
    tables.and(edges)
}
