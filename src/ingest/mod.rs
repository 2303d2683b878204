//! Ingest: read tweet records in every format analysts have into one `Dataset`.
//!
//! Formats are detected per file from the header or first line (`IngestOptions::format`
//! overrides): the information-operations archive's tweet and user CSVs, the
//! FiveThirtyEight/Clemson IRA layout, generic action CSVs with a column mapping,
//! coordination-network-toolkit's CSV, Twitter API v2 and v1.1 JSON lines, and API v2 tweets
//! flattened into CSV by twarc2. Files may be plain, gzip, zstd or zip.
//!
//! One thread reads and decompresses, cutting the stream into chunks of whole records; rayon
//! parses chunks in parallel while the previous round is merged into the dataset, in input
//! order, so results do not depend on the thread count (`reading`); `recognise` tells each
//! file's format and layout.

#[cfg(feature = "distributed")]
mod across;
mod actions;
mod chunk;
mod cnt;
mod csv_rows;
mod io_archive;
mod ira;
mod reading;
mod recognise;
mod records;
pub mod source;
mod stats;
pub mod text;
pub mod time;
mod twarc_csv;
mod twitter_json;

#[cfg(feature = "distributed")]
pub use across::{ingest_across, parse_ahead, Gathered, Shipment};
pub use actions::{ActionsMapping, ObjectKind, COORTWEET_CONTENT};
pub use stats::{FileStats, IngestStats, ReasonStats};
pub use time::{SlashOrder, TIME_FROM_ID};

use crate::dataset::shard::Placement;
use crate::dataset::{Built, Dataset, DatasetBuilder, RecordBatch};
use crate::error::{Error, Position, Result, Setting};
use crate::progress::{Progress, Silent, Total};
use chunk::{BufferPool, Chunker, RawChunk, RecordTooLong};
use csv_rows::HEADER_REORDERED;
use rayon::prelude::*;
use source::Source;
use std::path::PathBuf;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::Arc;
use std::time::Instant;

use reading::*;
use recognise::*;

/// The record formats `coordnet` reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// Twitter information-operations archive tweets (`*_tweets_csv_hashed.csv`).
    IoTweets,
    /// Twitter information-operations archive users (`*_users_csv_hashed.csv`).
    IoUsers,
    /// FiveThirtyEight/Clemson IRA tweets (`author, content, publish_date, post_type, ...`).
    Ira,
    /// One action per row with a column mapping (CooRTweet's layout is recognised).
    Actions,
    /// coordination-network-toolkit's CSV (`message_id, user_id, ..., timestamp, urls`).
    Cnt,
    /// Twitter API v2 JSON lines as twarc2 writes them (pages or one tweet per line).
    TwitterV2,
    /// Twitter API v1.1 tweet objects, one per line.
    TwitterV1,
    /// API v2 tweets flattened into CSV by `twarc2 csv` (`id, author_id, created_at, ...`).
    TwarcCsv,
    /// snscrape's Twitter JSON lines (`_type: snscrape.modules.twitter.Tweet`).
    Snscrape,
}

impl Format {
    pub const ALL: [Format; 9] = [
        Format::IoTweets,
        Format::IoUsers,
        Format::Ira,
        Format::Actions,
        Format::Cnt,
        Format::TwitterV2,
        Format::TwitterV1,
        Format::TwarcCsv,
        Format::Snscrape,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Format::IoTweets => "io-tweets",
            Format::IoUsers => "io-users",
            Format::Ira => "ira",
            Format::Actions => "actions",
            Format::Cnt => "cnt",
            Format::TwitterV2 => "twitter-v2",
            Format::TwitterV1 => "twitter-v1",
            Format::TwarcCsv => "twarc-csv",
            Format::Snscrape => "snscrape",
        }
    }

    fn is_json(self) -> bool {
        matches!(
            self,
            Format::TwitterV2 | Format::TwitterV1 | Format::Snscrape
        )
    }
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Format, String> {
        crate::shown::by_name(&Format::ALL, Format::name, s, "format")
    }
}

/// How to read inputs.
#[derive(Clone, Debug)]
pub struct IngestOptions {
    /// Force one format for every file instead of detecting it.
    pub format: Option<Format>,
    /// Column mapping for generic action CSVs.
    pub mapping: Option<ActionsMapping>,
    /// Stop at the first bad row instead of counting it and going on.
    pub strict: bool,
    /// Stop once every row is read when more than this share of the records were rejected
    /// (copies of records already read aside): most of an input unreadable means a damaged
    /// file or a layout misread, and results from the rest would misrepresent it. 1: never.
    pub max_rejected_share: f64,
    /// How an action CSV's slash dates (`3/10/2021`) are read.
    pub slash_dates: SlashOrder,
    /// Keep tweet texts (needed by text graphs and the retweet graph). Without them, texts are
    /// still kept from layouts whose retweets name no retweeted tweet (the IRA layout), since
    /// the retweeted tweet is then recovered from the text.
    pub keep_text: bool,
    /// Keep records repeated whole, as CooRTweet counts every row (a table with one row per
    /// post, hashtag and URL repeats a post's hashtag rows); by default they are kept once
    /// and counted as rejected.
    pub keep_repeated_rows: bool,
    /// Bytes per parse chunk (records and rejections do not depend on it).
    pub chunk_bytes: usize,
    /// The longest record read, in bytes with its line end: a CSV row, quoted line breaks and
    /// all, or a JSON line. A longer one stops the run with an error naming the line it
    /// starts on, rather than holding memory without end (a file with no line breaks, a quote
    /// never closed).
    pub max_record_bytes: usize,
    /// Stop, saying so, when the process holds more than this many bytes (see `memory`).
    /// `None` by default: the library sets no budget (the command line's default is
    /// [`crate::memory::default_limit`]).
    pub memory_limit: Option<u64>,
    /// Texts of more than this many bytes in all move to a temporary file once read (see
    /// [`crate::dataset::Texts`]); the results are the same either way.
    pub max_text_memory: u64,
    /// Where temporary files go (the system's temporary folder if `None`).
    pub temp_dir: Option<PathBuf>,
}

impl IngestOptions {
    /// Whether a file of `format` keeps its texts: as `keep_text` says, and always in the IRA
    /// layout, whose retweets find their targets by their texts alone.
    pub fn keeps_text(&self, format: Option<Format>) -> bool {
        self.keep_text || format == Some(Format::Ira)
    }

    /// The folder temporary files go to.
    pub fn temp_dir(&self) -> PathBuf {
        self.temp_dir.clone().unwrap_or_else(std::env::temp_dir)
    }
}

impl Default for IngestOptions {
    fn default() -> IngestOptions {
        IngestOptions {
            format: None,
            mapping: None,
            strict: false,
            max_rejected_share: 0.5,
            slash_dates: SlashOrder::MonthFirst,
            keep_text: true,
            keep_repeated_rows: false,
            chunk_bytes: 4 << 20,
            max_record_bytes: 64 << 20,
            memory_limit: None,
            // 64 MiB: a sample's texts stay in memory; a large input's (about 700 MB at 10^7
            // tweets, half its dataset) go to disk, read back in a few sequential passes.
            max_text_memory: 64 << 20,
            temp_dir: None,
        }
    }
}

/// Read every input into one dataset, with a report of what was read and rejected.
pub fn ingest(inputs: &[PathBuf], opts: &IngestOptions) -> Result<(Dataset, IngestStats)> {
    ingest_with_progress(inputs, opts, &Silent)
}

/// What reading `sources` counts to: their bytes on disk, unless one is a pipe.
fn reading_total(sources: &[Source]) -> Total {
    match sources.iter().any(|s| source::is_stream(&s.path)) {
        true => Total::Streamed,
        false => Total::Bytes(sources.iter().map(source::size_on_disk).sum()),
    }
}

/// [`ingest`], telling `progress` of the bytes read from disk (of the files' total size).
pub fn ingest_with_progress(
    inputs: &[PathBuf],
    opts: &IngestOptions,
    progress: &dyn Progress,
) -> Result<(Dataset, IngestStats)> {
    let (sources, skipped) = sources(inputs, opts)?;
    let expected = sources.iter().map(source::expected_bytes).sum();
    progress.stage("reading input", Some(reading_total(&sources)));
    let names = sources.iter().map(Source::display_path).collect();
    let mut out = run(names, expected, opts, None, |tx, pool| {
        read_sources(&sources, opts, tx, pool, progress)
    });
    if let Ok((_, stats)) = &mut out {
        stats.skipped_entries = skipped;
    }
    out
}

/// The inputs to read, and those found and left out: [`source::expand_noting`]'s, less the
/// files found in a folder whose layout is not recognised (without `strict`: a folder's notes
/// or answer key should not stop the run, yet a file named is meant to be read).
pub(crate) fn sources(
    inputs: &[PathBuf],
    opts: &IngestOptions,
) -> Result<(Vec<Source>, Vec<source::Skipped>)> {
    let (sources, mut skipped) = source::expand_noting(inputs)?;
    if opts.strict {
        return Ok((sources, skipped));
    }
    let mut kept = Vec::with_capacity(sources.len());
    for s in sources {
        match unrecognised(&s, opts)? {
            Some(why) => skipped.push(source::Skipped {
                path: s.display_path(),
                why,
            }),
            None => kept.push(s),
        }
    }
    Ok((kept, skipped))
}

/// Why a file found in a folder is left out, if its layout is not one `coordnet` recognises.
/// Its first lines are read for this, and again when it is read; any other fault is left for
/// that reading to report.
fn unrecognised(s: &Source, opts: &IngestOptions) -> Result<Option<String>> {
    if !s.found || (s.zip_entry.is_none() && source::is_stream(&s.path)) {
        return Ok(None);
    }
    let name = s.display_path();
    source::with_reader(s, |reader| {
        let pool = BufferPool::default();
        let mut chunker = Chunker::new(reader, opts.chunk_bytes, opts.max_record_bytes, pool);
        Ok(match recognise(&mut chunker, &name, opts) {
            Err(RecogniseError::Unknown { reason, .. }) => Some(format!(
                "{reason}; to read it, name it on the command line with --format FORMAT (an action CSV: \
                 --format actions --account COL --time COL --object COL)"
            )),
            _ => None,
        })
    })
}

/// Read one input held in memory (plain, gzip or zstd; a zip's entries one by one), named
/// `name` in messages: what [`ingest`] does with a file, for callers that have the bytes
/// already (an HTTP body, say; and the fuzzers).
///
/// ```
/// use coordnet::{ingest_bytes, IngestOptions};
/// let body = b"object_id,account_id,content_id,timestamp_share\n\
///     o1,alice,c1,1623881091\no1,bob,c2,1623881095\n";
/// let (data, stats) = ingest_bytes("shares.csv", body, &IngestOptions::default()).unwrap();
/// assert_eq!((data.len(), stats.rows_rejected), (2, 0));
/// // A bad row is named by its line, as in a file.
/// let bad = b"object_id,account_id,content_id,timestamp_share\no1,alice,c1,yesterday\n";
/// let options = IngestOptions { strict: true, ..IngestOptions::default() };
/// let e = ingest_bytes("shares.csv", bad, &options).unwrap_err();
/// assert_eq!(e.position().map(|p| p.line), Some(2));
/// ```
pub fn ingest_bytes(
    name: &str,
    bytes: &[u8],
    opts: &IngestOptions,
) -> Result<(Dataset, IngestStats)> {
    let path = PathBuf::from(name);
    // A small plain input is chunked before parsing on the calling thread: a reader thread's
    // start and hand-offs cost more than reading a few kilobytes. Every chunk holds a byte at
    // least, so the queue holds them all and sending never waits. What decompresses to an
    // unknown size has its reader thread.
    let small = bytes.len() <= INLINE_BYTES && !source::bytes_compressed(bytes);
    let queue = small.then_some(bytes.len() + 2);
    run(
        vec![path.clone()],
        bytes.len() as u64,
        opts,
        queue,
        |tx, pool| {
            source::with_bytes_decompressed(&path, bytes, |r| {
                send_stream(0, &path, r, opts, &tx, pool, None)
            })
            .map(|_| Vec::new())
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset::coded::Coder;
    use crate::dataset::Interner;

    /// The batches one process parses `csv` into, in order.
    fn batches(csv: &str, opts: &IngestOptions) -> Vec<RecordBatch> {
        struct Keep(Vec<RecordBatch>);
        impl Sink for Keep {
            fn format(&mut self, _: u32, _: Option<Format>) -> Result<()> {
                Ok(())
            }
            fn take(&mut self, b: Vec<(u32, RecordBatch)>) -> Result<Vec<(u32, RecordBatch)>> {
                self.0.extend(b.into_iter().map(|(_, b)| b));
                Ok(Vec::new())
            }
        }
        let pool = BufferPool::default();
        // Every chunk holds a byte at least: the queue takes them all without waiting.
        let (tx, rx) = sync_channel(csv.len() + 2);
        let path = PathBuf::from("c.csv");
        send_stream(0, &path, &mut csv.as_bytes(), opts, &tx, pool.clone(), None).unwrap();
        drop(tx);
        let mut keep = Keep(Vec::new());
        consume(rx, &pool, None, &mut keep).unwrap();
        keep.0
    }

    #[test]
    fn batches_coded_by_another_process_merge_into_the_dataset_plain_ones_give() {
        // Accounts, screen names, hashtags, languages and texts that repeat across chunks.
        let mut csv = String::from(
            "tweetid,userid,user_screen_name,tweet_text,tweet_time,is_retweet,retweet_userid,\
             retweet_tweetid,hashtags,tweet_language\n",
        );
        // 2000 rows (about 200 KB): more than the 64 KB read to recognise the layout.
        for i in 0..2000u32 {
            // New accounts and tags keep coming, in coded chunks too.
            let (a, b, rt) = (i / 9, (i * 7) % (i / 4 + 1), i % 3 == 0);
            csv += &format!(
                "{},acct{a},name{a},text {},2020-01-01 00:{:02},{rt},{},{},[tag{}],{}\n",
                1000 + i,
                i % 13,
                i % 60,
                if rt {
                    format!("acct{b}")
                } else {
                    String::new()
                },
                if rt {
                    (1000 + i / 2).to_string()
                } else {
                    String::new()
                },
                i % 5 + i / 50,
                if i % 2 == 0 { "en" } else { "fr" },
            );
        }
        let opts = IngestOptions {
            chunk_bytes: 8 << 10,
            ..IngestOptions::default()
        };
        let parsed = batches(&csv, &opts);
        assert!(parsed.len() > 8, "several chunks: {}", parsed.len());
        let build = |code: bool| {
            let mut coder = Coder::new(1);
            let mut builder = DatasetBuilder::new(true);
            let mut arena = (0, 0);
            for (i, batch) in parsed.iter().enumerate() {
                let mut batch = batch.clone();
                // Every other chunk parsed by process 1, coded as it sends it.
                if code && i % 2 == 1 {
                    arena.0 += batch.arena.len();
                    coder.code(&mut batch);
                    arena.1 += batch.arena.len();
                }
                builder.push(0, &batch).unwrap();
            }
            (builder.finish(false).0, arena)
        };
        let (plain, _) = build(false);
        let (coded, (before, after)) = build(true);
        assert!(
            after * 2 < before,
            "strings sent before are not sent again: {before} -> {after}"
        );
        assert_eq!(coded.len(), plain.len());
        assert_eq!(coded.accounts.len(), plain.accounts.len());
        for a in 0..plain.accounts.len() as u32 {
            assert_eq!(coded.accounts.key(a), plain.accounts.key(a));
            assert_eq!(coded.accounts.screen_name(a), plain.accounts.screen_name(a));
        }
        assert_eq!(coded.account, plain.account);
        assert_eq!(coded.target_account, plain.target_account);
        assert_eq!(coded.items, plain.items);
        assert_eq!(coded.lang, plain.lang);
        assert_eq!(coded.text, plain.text);
        let strings = |i: &Interner| i.iter().map(str::to_string).collect::<Vec<_>>();
        assert_eq!(strings(&coded.hashtags), strings(&plain.hashtags));
        assert_eq!(strings(&coded.langs), strings(&plain.langs));
    }
}
