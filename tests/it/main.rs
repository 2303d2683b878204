//! Integration tests, one binary, modules by theme.

mod bad_input;
mod cli;
mod communities;
mod detect;
mod formats;
mod graphs;
mod shared_data;
mod synth;

use coordnet::{ingest, Dataset, IngestOptions, IngestStats};
use std::path::{Path, PathBuf};

/// `../shared/data/<rel>` if present; otherwise say loudly that the test is skipped.
pub fn shared(rel: &str) -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data")
        .join(rel);
    if p.exists() {
        Some(p)
    } else {
        // Straight to the handle: libtest captures `eprintln!`, and a skip must be seen.
        use std::io::Write;
        let msg = format!(
            "SKIPPED: {} is absent (tests that need ../shared/data skip without it)\n",
            p.display()
        );
        let _ = std::io::stderr().write_all(msg.as_bytes());
        None
    }
}

/// Run the `coordnet` binary as a user would.
pub fn coordnet(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_coordnet"))
        .args(args)
        .output()
        .unwrap()
}

pub fn read(paths: &[PathBuf]) -> (Dataset, IngestStats) {
    ingest(paths, &IngestOptions::default()).expect("ingest")
}

pub fn write(dir: &Path, name: &str, content: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, content).unwrap();
    p
}

/// Row of the tweet with this id.
pub fn row_of(d: &Dataset, id: u64) -> usize {
    d.tweet_id
        .iter()
        .position(|&t| t == id)
        .unwrap_or_else(|| panic!("tweet {id} not found"))
}

/// The items of one kind that row `row` carries, as strings.
pub fn items_of(d: &Dataset, row: usize, kind: coordnet::dataset::ItemKind) -> Vec<String> {
    d.items(row)
        .iter()
        .filter(|i| i.kind() == kind)
        .map(|&i| d.item_str(i).to_string())
        .collect()
}

pub fn hashtags_of(d: &Dataset, row: usize) -> Vec<String> {
    items_of(d, row, coordnet::dataset::ItemKind::Hashtag)
}

pub fn urls_of(d: &Dataset, row: usize) -> Vec<String> {
    items_of(d, row, coordnet::dataset::ItemKind::Url)
}

pub fn mentions_of(d: &Dataset, row: usize) -> Vec<String> {
    items_of(d, row, coordnet::dataset::ItemKind::Mention)
}

/// The accounting identity every run must keep.
pub fn assert_balanced(r: &IngestStats) {
    assert_eq!(
        r.rows_read,
        r.rows_accepted + r.rows_rejected,
        "rows read != accepted + rejected"
    );
    let by_reason: u64 = r.rejected.values().map(|x| x.count).sum();
    assert_eq!(
        by_reason, r.rows_rejected,
        "rejections by reason do not add up"
    );
}
