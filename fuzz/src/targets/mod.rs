//! The fuzz targets' bodies, one module each: `fuzz_targets/` holds libFuzzer's entry points,
//! and the library's tests replay the corpora and crashes through the same functions.

pub mod durations;
pub mod edge_list;
pub mod ingest_actions;
pub mod ingest_actions_mapping;
pub mod ingest_cnt;
pub mod ingest_io_tweets;
pub mod ingest_io_users;
pub mod ingest_ira;
pub mod ingest_recognise;
pub mod ingest_snscrape;
pub mod ingest_twarc_csv;
pub mod ingest_twitter_v1;
pub mod ingest_twitter_v2;
pub mod objects_twitter_v1;
pub mod objects_twitter_v2;
pub mod rows_io_tweets;
pub mod timestamps;

/// Every target by name (its folder under `corpus/` and `artifacts/`).
pub const ALL: &[(&str, fn(&[u8]))] = &[
    ("durations", durations::run),
    ("edge_list", edge_list::run),
    ("ingest_actions", ingest_actions::run),
    ("ingest_actions_mapping", ingest_actions_mapping::run),
    ("ingest_cnt", ingest_cnt::run),
    ("ingest_io_tweets", ingest_io_tweets::run),
    ("ingest_io_users", ingest_io_users::run),
    ("ingest_ira", ingest_ira::run),
    ("ingest_recognise", ingest_recognise::run),
    ("ingest_snscrape", ingest_snscrape::run),
    ("ingest_twarc_csv", ingest_twarc_csv::run),
    ("ingest_twitter_v1", ingest_twitter_v1::run),
    ("ingest_twitter_v2", ingest_twitter_v2::run),
    ("objects_twitter_v1", objects_twitter_v1::run),
    ("objects_twitter_v2", objects_twitter_v2::run),
    ("rows_io_tweets", rows_io_tweets::run),
    ("timestamps", timestamps::run),
];
