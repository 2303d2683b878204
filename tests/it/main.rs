//! Integration tests, one binary, modules by theme.

mod archive;
mod bad_input;
mod chunk_edges;
mod cli;
mod communities;
mod detect;
mod determinism;
#[cfg(feature = "distributed")]
mod distributed;
mod formats;
mod fuzz_replay;
mod graphs;
mod hostile;
mod json_records;
mod report;
mod shared_data;
mod synth;

use coordnet::{ingest, Dataset, IngestOptions, IngestStats};
use std::path::{Path, PathBuf};

/// `../shared/data/<rel>`. Tests that call this carry
/// `#[cfg_attr(shared_data_absent, ignore = ...)]` (see build.rs), so without the data they
/// are counted as ignored; with the data, a missing file fails the test.
pub fn shared(rel: &str) -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data")
        .join(rel);
    assert!(p.exists(), "{} is missing from ../shared/data", p.display());
    p
}

/// Say on the terminal that a test is skipped, and why. Written to standard error itself, not
/// through `eprintln!`, which the test harness keeps to itself when the test passes.
pub fn skipped(why: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "SKIPPED: {why}");
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
