//! `coordnet`: find accounts that act together, and who drives them.
//!
//! The library is a pipeline, one module per stage, each depending only on those before it:
//!
//! - [`ingest`]: read tweet records in every format analysts have;
//! - [`dataset`]: tweets as time-sorted columns, strings interned;
//! - [`graphs`]: retweet and co-action graphs with windows, significance and evidence;
//! - [`communities`]: clusters of accounts by parallel Leiden (modularity or CPM);
//! - [`scoring`]: clusters scored for coordination, accounts given roles ([`scoring::detect`]);
//! - [`report`]: the files analysts open;
//! - [`synth`]: generated data with planted networks and known answers.

pub mod communities;
pub mod dataset;
pub mod error;
pub mod graphs;
pub mod hash;
pub mod ingest;
pub mod report;
pub mod scoring;
pub mod synth;

pub use dataset::Dataset;
pub use error::{Error, ErrorKind, Position, Result};
pub use ingest::{ingest, Format, IngestOptions, IngestReport};
