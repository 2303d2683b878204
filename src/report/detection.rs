//! The files `coordnet detect` writes into its output directory: `accounts.csv`,
//! `clusters.csv`, `edges.csv`, `network.gexf` and `summary.json`. Column names are stable;
//! the README documents each.

use super::graph_file::{write_graph, EdgeTable, GraphFormat, NodeTable};
use crate::dataset::time::format_iso;
use crate::dataset::Dataset;
use crate::error::{Error, Result};
use crate::scoring::{Detection, Parts, NO_CLUSTER};
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

fn create(dir: &Path, name: &str) -> Result<std::io::BufWriter<std::fs::File>> {
    let path = dir.join(name);
    let f = std::fs::File::create(&path).map_err(|e| Error::io(&path, e))?;
    Ok(std::io::BufWriter::new(f))
}

fn csv_writer(dir: &Path, name: &str) -> Result<csv::Writer<std::io::BufWriter<std::fs::File>>> {
    Ok(csv::Writer::from_writer(create(dir, name)?))
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

fn csv_err(dir: &Path, name: &str) -> impl Fn(csv::Error) -> Error {
    let path = dir.join(name);
    move |e| Error::io(&path, std::io::Error::other(e))
}

/// Which accounts `accounts.csv` lists: every account that tweeted, and every clustered one.
fn listed(data: &Dataset, d: &Detection) -> Vec<u32> {
    (0..data.accounts.len() as u32)
        .filter(|&u| d.activity.tweets[u as usize] > 0 || d.cluster_of[u as usize] != NO_CLUSTER)
        .collect()
}

pub fn write_accounts(dir: &Path, data: &Dataset, d: &Detection) -> Result<()> {
    let name = "accounts.csv";
    let err = csv_err(dir, name);
    let mut w = csv_writer(dir, name)?;
    let mut header: Vec<&str> = ACCOUNT_COLUMNS.to_vec();
    header.extend(&d.features.names);
    header.extend(["created_at", "followers", "following"]);
    w.write_record(&header).map_err(&err)?;
    for u in listed(data, d) {
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
        w.write_record(&row).map_err(&err)?;
    }
    w.flush().map_err(|e| Error::io(&dir.join(name), e))
}

pub fn write_clusters(dir: &Path, d: &Detection) -> Result<()> {
    let name = "clusters.csv";
    let err = csv_err(dir, name);
    let mut w = csv_writer(dir, name)?;
    let mut header = vec![
        "cluster",
        "size",
        "n_core",
        "n_amplifier",
        "n_other",
        "score",
        "flagged",
    ];
    header.extend(Parts::NAMES);
    header.extend([
        "core_amplifier_ratio",
        "inner_retweets",
        "inner_retweet_share",
        "median_retweet_delay_s",
        "retweet_delay_q1_s",
        "retweet_delay_q3_s",
        "retweets_within_5min",
        "retweets_within_5min_null",
        "shared_burst_share",
        "shared_burst_share_null",
        "hour_of_week_similarity",
        "hour_of_week_similarity_null",
        "tweets",
        "tweets_per_account",
        "languages",
        "top_hashtags",
        "top_domains",
        "first_tweet",
        "last_tweet",
        "young_account_share",
        "median_followers",
        "explanation",
    ]);
    w.write_record(&header).map_err(&err)?;
    for c in &d.clusters {
        let e = &c.evidence;
        let p = &c.profile;
        let mut row = vec![
            c.id.to_string(),
            c.size.to_string(),
            c.n_core.to_string(),
            c.n_amplifier.to_string(),
            c.n_other.to_string(),
            format!("{:.4}", c.score),
            c.flagged.to_string(),
        ];
        row.extend(c.parts.values().iter().map(|&v| opt(v)));
        let ratio = if c.n_core > 0 {
            format!("1:{:.1}", c.n_amplifier as f64 / c.n_core as f64)
        } else {
            String::new()
        };
        row.extend([
            ratio,
            e.inner_retweets.to_string(),
            opt((e.retweets_known > 0).then(|| e.inner_retweets as f64 / e.retweets_known as f64)),
            opt(e.inner_median_delay_ms.map(|d| d as f64 / 1e3)),
            opt(e.inner_delay_quartiles_ms.map(|q| q.0 as f64 / 1e3)),
            opt(e.inner_delay_quartiles_ms.map(|q| q.1 as f64 / 1e3)),
            opt((e.inner_retweets_timed > 0)
                .then(|| e.inner_retweets_fast as f64 / e.inner_retweets_timed as f64)),
            fmt(e.fast_null),
            opt((e.rhythm.active_hours > 0)
                .then(|| e.rhythm.shared_hours as f64 / e.rhythm.active_hours as f64)),
            opt(e.rhythm.shared_null),
            opt(e.rhythm.profile_similarity),
            opt(e.rhythm.profile_null),
            p.tweets.to_string(),
            fmt(p.tweets_per_account),
            p.languages
                .iter()
                .map(|(l, s)| format!("{l}:{:.0}%", 100.0 * s))
                .collect::<Vec<_>>()
                .join(" "),
            p.top_hashtags
                .iter()
                .map(|(t, n)| format!("#{t}:{n}"))
                .collect::<Vec<_>>()
                .join(" "),
            p.top_domains
                .iter()
                .map(|(t, n)| format!("{t}:{n}"))
                .collect::<Vec<_>>()
                .join(" "),
            p.first_tweet_ms.map(format_iso).unwrap_or_default(),
            p.last_tweet_ms.map(format_iso).unwrap_or_default(),
            opt(p.young_share),
            p.median_followers
                .map(|f| f.to_string())
                .unwrap_or_default(),
            c.explanation.clone(),
        ]);
        w.write_record(&row).map_err(&err)?;
    }
    w.flush().map_err(|e| Error::io(&dir.join(name), e))
}

/// The fused edges that `keep` accepts, with each kind's evidence, as a graph table
/// (filtered before their columns are copied).
fn fused_table(d: &Detection, keep: impl Fn(u32, u32) -> bool) -> EdgeTable {
    let columns: Vec<&'static str> = d.fused.kinds.iter().map(|k| k.kind).collect();
    EdgeTable::new(
        "fused",
        false,
        columns,
        d.fused.edges.iter().filter(|e| keep(e.a, e.b)).map(|e| {
            (
                e.a,
                e.b,
                e.weight,
                e.by_kind.iter().map(|&x| x as f64).collect(),
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

/// The fused edges with each kind's evidence: inside flagged clusters, or all with `all`.
pub fn write_edges(dir: &Path, data: &Dataset, d: &Detection, all: bool) -> Result<()> {
    let table = fused_table(d, |a, b| all || inside_flagged(d, a, b));
    let path = dir.join("edges.csv");
    let mut out = create(dir, "edges.csv")?;
    write_graph(
        &mut out,
        GraphFormat::Csv,
        data,
        &table,
        &NodeTable::default(),
    )
    .and_then(|_| out.flush())
    .map_err(|e| Error::io(&path, e))
}

/// Gephi file of the flagged clusters (all clusters with `all`) and the fused edges inside
/// them: what an analyst lays out, not the whole collection.
pub fn write_gexf(dir: &Path, data: &Dataset, d: &Detection, all: bool) -> Result<()> {
    let table = fused_table(d, |a, b| {
        let c = d.cluster_of[a as usize];
        if all {
            c != NO_CLUSTER && c == d.cluster_of[b as usize]
        } else {
            inside_flagged(d, a, b)
        }
    });
    let nodes = node_table(data, d, &table.nodes());
    let path = dir.join("network.gexf");
    let mut out = create(dir, "network.gexf")?;
    write_graph(&mut out, GraphFormat::Gexf, data, &table, &nodes)
        .and_then(|_| out.flush())
        .map_err(|e| Error::io(&path, e))
}

pub fn write_summary(dir: &Path, summary: &serde_json::Value) -> Result<()> {
    let path = dir.join("summary.json");
    let mut out = create(dir, "summary.json")?;
    serde_json::to_writer_pretty(&mut out, summary)
        .map_err(std::io::Error::other)
        .and_then(|_| out.write_all(b"\n"))
        .and_then(|_| out.flush())
        .map_err(|e| Error::io(&path, e))
}

/// Write every detection file into `dir` (created if missing). Edge files hold the flagged
/// clusters' internal edges, or with `all_edges` every fused edge (and every cluster in GEXF).
pub fn write_detection(
    dir: &Path,
    data: &Dataset,
    d: &Detection,
    summary: &serde_json::Value,
    all_edges: bool,
) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    // The edge files are the big ones; write them beside the tables.
    let (tables, edges) = rayon::join(
        || {
            write_accounts(dir, data, d)?;
            write_clusters(dir, d)?;
            write_summary(dir, summary)
        },
        || {
            let (a, b) = rayon::join(
                || write_edges(dir, data, d, all_edges),
                || write_gexf(dir, data, d, all_edges),
            );
            a.and(b)
        },
    );
    tables.and(edges)
}
