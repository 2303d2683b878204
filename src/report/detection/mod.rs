//! The files `coordnet detect` writes into its output directory: `accounts.csv`,
//! `clusters.csv`, `edges.csv`, `network.gexf` and `summary.json`. Column names are stable;
//! the README documents each. `tables` writes the two tables, `edge_files` the two edge
//! files; the set is written whole or not at all.

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

mod edge_files;
mod tables;

pub use edge_files::*;
pub use tables::*;

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
        let readme = include_str!("../../../README.md");
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
