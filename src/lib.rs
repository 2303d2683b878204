//! `coordnet`: find accounts that act together, and who drives them.
//!
//! The library is a pipeline, one module per stage, each depending only on those before it
//! (the dataset's vocabulary aside, which every stage speaks):
//!
//! - [`ingest`](mod@ingest): read tweet records in every format analysts have;
//! - [`dataset`]: tweets as time-sorted columns, strings interned, and the data's vocabulary;
//! - [`graphs`]: retweet and co-action graphs with windows and significance, fused into one;
//! - [`communities`]: clusters of accounts by parallel Leiden (modularity or CPM);
//! - [`scoring`]: a cluster's coordination score with its evidence, each account's role;
//! - [`pipeline`]: the main job, [`detect`], from a dataset to scored clusters;
//! - [`report`]: the files analysts open;
//! - [`eval`]: a detection scored against known answers;
//! - [`synth`]: generated data with planted networks and known answers.
//!
//! Every stage may use [`error`], [`memory`] (the budget), [`progress`] and [`shown`] (how
//! figures read). `distributed` (the Cargo feature of that name) runs the stages across processes:
//! its reading is ingest's, dealt out by it.
//!
//! ```
//! use coordnet::{detect, ingest, write_detection, DetectConfig, IngestOptions, RunSummary};
//! use coordnet::report::detection::EdgeFiles;
//! let dir = tempfile::tempdir().unwrap();
//! let input = dir.path().join("shares.csv");
//! std::fs::write(&input, "object_id,account_id,content_id,timestamp_share\n\
//!     o1,alice,c1,100\no1,bob,c2,101\n").unwrap();
//! let inputs = [input];
//! let (data, report) = ingest(&inputs, &IngestOptions::default()).unwrap();
//! let config = DetectConfig::default();
//! let d = detect(&data, &config).unwrap();
//! let files = EdgeFiles::choose(&d, Default::default());
//! let mut summary = RunSummary::new(&inputs, &data, &report, report.seconds, &config, &d);
//! summary.edge_files = Some(files.counts.clone());
//! let out = dir.path().join("out");
//! write_detection(&out, &data, &d, &summary, &files).unwrap();
//! assert!(out.join("clusters.csv").exists());
//! ```

// The README's library example compiles: rustdoc tests its Rust block.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeExample;

pub mod communities;
pub mod dataset;
#[cfg(feature = "distributed")]
pub mod distributed;
pub mod error;
pub mod eval;
pub mod graphs;
pub mod hash;
pub mod ingest;
pub mod memory;
pub mod pipeline;
pub mod progress;
pub mod report;
pub mod scoring;
pub mod shown;
pub mod synth;

pub use dataset::Dataset;
pub use error::{Error, ErrorKind, Position, Result, Setting};
pub use ingest::{ingest, ingest_bytes, Format, IngestOptions, IngestStats};
pub use pipeline::{assess, detect, detect_with_progress, DetectConfig, Detection};
pub use report::detection::{write_detection, EdgeFiles};
pub use report::summary::RunSummary;
pub use scoring::{Cluster, Role, NO_CLUSTER};
