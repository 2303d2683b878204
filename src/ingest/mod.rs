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
//! order, so results do not depend on the thread count.

#[cfg(feature = "distributed")]
mod across;
mod actions;
mod chunk;
mod cnt;
mod csv_rows;
mod io_archive;
mod ira;
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

/// How one file's records are laid out: its format and, for CSVs, where its columns are.
#[derive(Debug)]
enum Layout {
    IoTweets(io_archive::TweetColumns),
    IoUsers(io_archive::UserColumns),
    Ira(ira::Columns),
    Actions(actions::Columns),
    Cnt(cnt::Columns),
    TwarcCsv(twarc_csv::Columns),
    TwitterV2,
    TwitterV1,
    Snscrape,
}

impl Layout {
    /// A CSV layout's header.
    fn header(&self) -> Option<&csv_rows::Header> {
        match self {
            Layout::IoTweets(c) => Some(&c.header),
            Layout::IoUsers(c) => Some(&c.header),
            Layout::Ira(c) => Some(&c.header),
            Layout::Actions(c) => Some(&c.header),
            Layout::Cnt(c) => Some(&c.header),
            Layout::TwarcCsv(c) => Some(&c.header),
            Layout::TwitterV2 | Layout::TwitterV1 | Layout::Snscrape => None,
        }
    }

    fn format(&self) -> Format {
        match self {
            Layout::IoTweets(_) => Format::IoTweets,
            Layout::IoUsers(_) => Format::IoUsers,
            Layout::Ira(_) => Format::Ira,
            Layout::Actions(_) => Format::Actions,
            Layout::Cnt(_) => Format::Cnt,
            Layout::TwarcCsv(_) => Format::TwarcCsv,
            Layout::TwitterV2 => Format::TwitterV2,
            Layout::TwitterV1 => Format::TwitterV1,
            Layout::Snscrape => Format::Snscrape,
        }
    }

    fn parse(&self, chunk: &RawChunk, batch: &mut RecordBatch) {
        match self {
            Layout::IoTweets(c) => csv_rows::parse(chunk, &c.header, batch, |r, b| c.row(r, b)),
            Layout::IoUsers(c) => csv_rows::parse(chunk, &c.header, batch, |r, b| c.row(r, b)),
            Layout::Ira(c) => csv_rows::parse(chunk, &c.header, batch, |r, b| c.row(r, b)),
            Layout::Actions(c) => csv_rows::parse(chunk, &c.header, batch, |r, b| c.row(r, b)),
            Layout::Cnt(c) => csv_rows::parse(chunk, &c.header, batch, |r, b| c.row(r, b)),
            Layout::TwarcCsv(c) => csv_rows::parse(chunk, &c.header, batch, |r, b| c.row(r, b)),
            Layout::TwitterV2 => twitter_json::parse_v2(chunk, batch),
            Layout::TwitterV1 => twitter_json::parse_v1(chunk, batch),
            Layout::Snscrape => twitter_json::parse_snscrape(chunk, batch),
        }
    }
}

/// Why the last record of a file cut short is refused, and what to do about it.
const CUT_SHORT: (&str, &str) = (
    "record cut short at the end of the file",
    "a whole record; the file ends inside this one, without a line break: was it cut short \
     (an interrupted download or copy)? Fetch it again",
);

/// The rejection of a record that breaks the format where the file ends inside it, without
/// the line break writers end records with: a file cut short, however the broken record
/// looks. Only a file's last chunk can end so (the cutter ends the others after a line end),
/// so whether a record reaches it does not depend on where chunks were cut.
fn cut_short(r: &mut crate::dataset::batch::RawReject) {
    (r.reason, r.expected) = CUT_SHORT;
}

/// Whether `chunk` ends without a line end: it is a file's last, cut inside a record.
fn ends_inside_a_record(chunk: &RawChunk) -> bool {
    chunk
        .bytes
        .last()
        .is_some_and(|b| !matches!(b, b'\n' | b'\r'))
}

/// What the reading thread sends: a file's layout once known, then its chunks.
enum Message {
    File {
        file: u32,
        format: Option<Format>,
    },
    Chunk {
        file: u32,
        layout: Arc<Layout>,
        chunk: RawChunk,
    },
    /// A chunk another process parsed (a run across processes).
    #[cfg_attr(not(feature = "distributed"), allow(dead_code))]
    Parsed {
        file: u32,
        batch: RecordBatch,
    },
    /// The reader waits on another process: parse and pass on what it sent so far, rather
    /// than wait for a round to fill.
    #[cfg_attr(not(feature = "distributed"), allow(dead_code))]
    Flush,
    /// Where the `seq`-th chunk process `from` parses of `file` goes, once it arrives (what
    /// process 0's cutting hands its merging, never the parsers).
    #[cfg_attr(not(feature = "distributed"), allow(dead_code))]
    Awaited {
        file: u32,
        from: u32,
        seq: u32,
    },
    /// A file read whole, with its chunks and SHA-256: for a sink that passes it on.
    #[cfg_attr(not(feature = "distributed"), allow(dead_code))]
    Done {
        file: u32,
        chunks: u32,
        sha256: String,
    },
}

/// Where parsed batches go, in input order: into the dataset, or (a process other than the
/// first in a run across processes) to process 0.
trait Sink {
    /// A file's layout is known (`None`: the file is empty).
    fn format(&mut self, file: u32, format: Option<Format>) -> Result<()>;
    /// Take `batches`; returns them, emptied or not, for reuse.
    fn take(&mut self, batches: Vec<(u32, RecordBatch)>) -> Result<Vec<(u32, RecordBatch)>>;
    /// A file was read whole.
    fn done(&mut self, _file: u32, _chunks: u32, _sha256: String) -> Result<()> {
        Ok(())
    }
    /// A CSV file's columns (lowercased), as its first chunk comes in.
    fn columns(&mut self, _file: u32, _columns: &[String]) {}
}

/// The dataset being built, and the report of what was read.
struct Merge<'a, 'p> {
    opts: &'a IngestOptions,
    builder: &'a mut DatasetBuilder,
    stats: &'a mut IngestStats,
    prepare: Option<&'a mut (dyn Prepare + Send + 'p)>,
}

impl Sink for Merge<'_, '_> {
    fn format(&mut self, file: u32, format: Option<Format>) -> Result<()> {
        self.stats.set_format(file, format);
        Ok(())
    }

    fn columns(&mut self, file: u32, columns: &[String]) {
        self.stats.set_columns(file, columns);
    }

    fn take(&mut self, mut batches: Vec<(u32, RecordBatch)>) -> Result<Vec<(u32, RecordBatch)>> {
        if let Some(prepare) = &mut self.prepare {
            for (file, batch) in &mut batches {
                let format = self.stats.files[*file as usize].format;
                prepare.prepare(*file, format, batch)?;
            }
        }
        merge(batches, self.opts, self.builder, self.stats)
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

/// Inputs in memory up to this size are read without a reader thread (see [`ingest_bytes`]).
const INLINE_BYTES: usize = 64 << 10;

/// Parse what `read` sends, in parallel, into one dataset. `read` runs on a thread of its own,
/// or first and on this thread when `queue` holds every message it will send.
fn run(
    names: Vec<PathBuf>,
    expected_bytes: u64,
    opts: &IngestOptions,
    queue: Option<usize>,
    read: impl FnOnce(SyncSender<Message>, BufferPool) -> Result<Vec<String>> + Send,
) -> Result<(Dataset, IngestStats)> {
    let read = read_batches(names, expected_bytes, opts, queue, None, read)?;
    let built = read.builder.finish_placing(opts.keep_repeated_rows, 1);
    let (data, stats, _) = finished(read.stats, read.started, built, opts)?;
    Ok((data, stats))
}

/// Every batch taken into a builder, and the report so far.
struct ReadBatches {
    builder: DatasetBuilder,
    stats: IngestStats,
    started: Instant,
}

/// Something done to each batch, in input order, before it is merged.
trait Prepare {
    fn prepare(&mut self, file: u32, format: Option<Format>, batch: &mut RecordBatch)
        -> Result<()>;
}

/// Read what `read` sends into a builder, each batch first through `prepare` if given.
fn read_batches(
    names: Vec<PathBuf>,
    expected_bytes: u64,
    opts: &IngestOptions,
    queue: Option<usize>,
    prepare: Option<&mut (dyn Prepare + Send)>,
    read: impl FnOnce(SyncSender<Message>, BufferPool) -> Result<Vec<String>> + Send,
) -> Result<ReadBatches> {
    let started = Instant::now();
    let mut stats = IngestStats::new(names);
    let mut builder = DatasetBuilder::new(opts.keep_text);
    builder.expect_bytes(expected_bytes);
    let pool = BufferPool::default();
    let mut sink = Merge {
        opts,
        builder: &mut builder,
        stats: &mut stats,
        prepare,
    };
    let hashes = if let Some(len) = queue {
        let (tx, rx) = sync_channel(len);
        let read = read(tx, pool.clone());
        let consumed = consume(rx, &pool, opts.memory_limit, &mut sink);
        read.and_then(|hashes| consumed.map(|_| hashes))
    } else {
        let (tx, rx) = sync_channel(8);
        std::thread::scope(|scope| {
            let reader = scope.spawn(|| read(tx, pool.clone()));
            let consumed = consume(rx, &pool, opts.memory_limit, &mut sink);
            let read = reader.join().expect("reader thread panicked");
            // A reading error explains a short read better than anything the consumer saw.
            read.and_then(|hashes| consumed.map(|_| hashes))
        })
    }?;
    for (file, hash) in stats.files.iter_mut().zip(hashes) {
        file.sha256 = Some(hash);
    }
    Ok(ReadBatches {
        builder,
        stats,
        started,
    })
}

/// The dataset and report, from what the builder finished with.
fn finished(
    mut stats: IngestStats,
    started: Instant,
    built: Built,
    opts: &IngestOptions,
) -> Result<(Dataset, IngestStats, Vec<Placement>)> {
    let Built {
        data: mut dataset,
        duplicates,
        reused,
        placements,
        far_dates,
    } = built;
    if dataset.texts.text_bytes() > opts.max_text_memory {
        dataset.texts.move_to_disk(&opts.temp_dir())?;
    }
    dataset.texts.seal()?;
    // A file read as the format --format names, of which no record reads so, is not that
    // format: a run of nothing but rejections would end in an empty result, not an error.
    if let Some(format) = opts.format {
        let wrong = stats
            .files
            .iter()
            .find(|f| f.rows_read > 0 && f.rows_accepted == 0);
        if let Some(f) = wrong {
            let shown = f.path.display().to_string();
            let example = (stats.rejected.values())
                .flat_map(|r| r.examples.iter())
                .find(|e| e.starts_with(&shown))
                .map_or(String::new(), |e| format!(" (e.g. {e})"));
            // The column flags make every input an action CSV, with or without --format.
            let (given, advice) = match opts.mapping {
                Some(_) => (
                    "the column flags",
                    "check the columns --account, --time and --object name",
                ),
                None => (
                    "--format",
                    "leave out --format to have each file's format recognised",
                ),
            };
            return Err(Error::format(
                &f.path,
                format!(
                    "none of its {} records reads as {} ({given}){example}; {advice}",
                    f.rows_read,
                    format.name()
                ),
            ));
        }
    }
    stats.check_rejected(opts.max_rejected_share)?;
    if opts.keep_repeated_rows {
        stats.repeated_rows_kept = duplicates.len() as u64;
    } else if let (true, Some(d)) = (opts.strict, duplicates.first()) {
        // Found once every row is in: the first one by file and line stops a strict run.
        let d = (duplicates.iter())
            .min_by_key(|x| (x.file, x.line))
            .unwrap_or(d);
        let path = &stats.files[d.file as usize].path;
        let (pos, why) = match d.tweet_id.is_empty() {
            false => (
                Position::new(path, d.line).with_column("tweet id"),
                format!(
                    "tweet {} is a duplicate record (its tweet id was seen before)",
                    d.tweet_id
                ),
            ),
            true => (
                Position::new(path, d.line),
                "this record, without a tweet id, is in an earlier file too (files that \
                 overlap given together?)"
                    .to_string(),
            ),
        };
        return Err(Error::bad_row(
            pos,
            why,
            "each record once (without --strict the first copy is kept)",
        ));
    } else {
        stats.add_duplicates(&duplicates);
    }
    stats.reused_tweet_ids = reused;
    match (far_dates, dataset.held_apart) {
        (Some(far), 0) => stats.add_far_dates(&far, |r| {
            let r = r as usize;
            let account = dataset.accounts.key(dataset.account[r]).to_string();
            (account, dataset.tweet_key(dataset.tweet_id[r]))
        }),
        // Named once their holders can be asked (`IngestStats::far_dates`).
        (far, _) => stats.far_dates = far,
    }
    stats.seconds = started.elapsed().as_secs_f64();
    Ok((dataset, stats, placements))
}

fn read_sources(
    sources: &[Source],
    opts: &IngestOptions,
    tx: SyncSender<Message>,
    pool: BufferPool,
    progress: &dyn Progress,
) -> Result<Vec<String>> {
    let mut hashes = Vec::with_capacity(sources.len());
    for (file, source) in sources.iter().enumerate() {
        let (sent, hash) = send_source(file as u32, source, opts, &tx, &pool, progress, None)?;
        hashes.push(hash);
        if sent.is_none() {
            break; // the consumer stopped (strict mode error): nothing more to read
        }
    }
    Ok(hashes)
}

/// Open input `file` and send it as [`send_stream`] does; also returns its SHA-256.
fn send_source(
    file: u32,
    source: &Source,
    opts: &IngestOptions,
    tx: &SyncSender<Message>,
    pool: &BufferPool,
    progress: &dyn Progress,
    share: Option<&mut Share>,
) -> Result<(Option<u32>, String)> {
    let name = source.display_path();
    source::with_reader_hashed(source, progress, |reader| {
        send_stream(file, &name, reader, opts, tx, pool.clone(), share)
    })
}

/// Which of a stream's chunks process 0 parses when it cuts a file split across processes:
/// every `processes`-th from the first. The others go to `elsewhere`, with the process that
/// parses them and that process's count of its own chunks so far; it gives what stands for
/// each in the stream.
#[cfg_attr(not(feature = "distributed"), allow(dead_code))]
struct Share<'a> {
    processes: u32,
    elsewhere: &'a mut StandIn<'a>,
}

/// What stands for a chunk another process parses: given that process, its count of its own
/// chunks so far and the chunk.
type StandIn<'a> = dyn FnMut(u32, u32, &RawChunk) -> Result<Message> + 'a;

/// Recognise one stream's layout and send it in chunks of whole records (with `share`, only
/// this process's chunks, and what stands for the others); returns how many chunks the
/// stream was cut into, or `None` when the consumer stopped.
fn send_stream(
    file: u32,
    name: &std::path::Path,
    reader: &mut dyn std::io::Read,
    opts: &IngestOptions,
    tx: &SyncSender<Message>,
    pool: BufferPool,
    mut share: Option<&mut Share>,
) -> Result<Option<u32>> {
    let mut chunker = Chunker::new(
        reader,
        opts.chunk_bytes,
        opts.max_record_bytes,
        pool.clone(),
    );
    let io = |e| read_error(name, e);
    let layout = recognise_stream(&mut chunker, name, opts)?;
    let Some(layout) = layout else {
        return Ok(tx
            .send(Message::File { file, format: None })
            .ok()
            .map(|_| 0));
    };
    let layout = Arc::new(layout);
    let format = Some(layout.format());
    if tx.send(Message::File { file, format }).is_err() {
        return Ok(None);
    }
    let mut chunks = 0;
    while let Some(chunk) = chunker.next_chunk().map_err(io)? {
        let seq = chunks;
        chunks += 1;
        let message = match share.as_deref_mut() {
            Some(s) if seq % s.processes != 0 => {
                let stand_in = (s.elsewhere)(seq % s.processes, seq / s.processes, &chunk)?;
                pool.give(chunk.bytes);
                stand_in
            }
            _ => Message::Chunk {
                file,
                layout: layout.clone(),
                chunk,
            },
        };
        if tx.send(message).is_err() {
            return Ok(None);
        }
    }
    Ok(Some(chunks))
}

/// A reading error in the user's words: a record too long names its line and the limit.
fn read_error(name: &std::path::Path, e: std::io::Error) -> Error {
    match e.get_ref().and_then(|x| x.downcast_ref::<RecordTooLong>()) {
        Some(t) => Error::limit(format!(
            "{}:{}: a record longer than {}, the most one may hold (a line break missing, or a \
             quote never closed?)",
            name.display(),
            t.line,
            match t.limit % (1 << 20) {
                0 => format!("{} MiB", t.limit >> 20),
                _ => format!("{} bytes", t.limit),
            }
        ))
        .with_setting(Setting::MaxRecord),
        None => Error::io(name, e),
    }
}

/// The layout of the stream `chunker` reads, named `name`; `None` when it is empty.
fn recognise_stream(
    chunker: &mut Chunker,
    name: &std::path::Path,
    opts: &IngestOptions,
) -> Result<Option<Layout>> {
    recognise(chunker, name, opts).map_err(|e| match e {
        RecogniseError::Io(e) => read_error(name, e),
        RecogniseError::Unknown { error, .. } | RecogniseError::Other(error) => error,
    })
}

fn consume(
    rx: Receiver<Message>,
    pool: &BufferPool,
    memory_limit: Option<u64>,
    sink: &mut (dyn Sink + Send),
) -> Result<()> {
    let round_size = 2 * rayon::current_num_threads().max(1);
    let mut parsed: Vec<(u32, RecordBatch)> = Vec::new();
    // Merged batches, emptied for the next round's chunks.
    let spare: std::sync::Mutex<Vec<RecordBatch>> = Default::default();
    let (mut closed, mut flush) = (false, false);
    // Record bytes taken in so far, for a stop over the memory limit to say how far it got.
    let mut taken = 0u64;
    let mut columns_seen = hashbrown::HashSet::new();
    loop {
        let mut round = Vec::with_capacity(round_size);
        // After a flush, the round parsed last goes to the sink before anything more is read.
        let flushing = std::mem::take(&mut flush);
        while !flushing && round.len() < round_size {
            match rx.recv() {
                Ok(Message::File { file, format }) => sink.format(file, format)?,
                Ok(Message::Done {
                    file,
                    chunks,
                    sha256,
                }) => sink.done(file, chunks, sha256)?,
                Ok(Message::Flush) => {
                    flush = !round.is_empty();
                    break;
                }
                Ok(m) => {
                    if let Message::Chunk { file, layout, .. } = &m {
                        if let Some(h) = layout.header().filter(|_| columns_seen.insert(*file)) {
                            sink.columns(*file, h.names());
                        }
                    }
                    round.push(m)
                }
                Err(_) => {
                    closed = true;
                    break;
                }
            }
        }
        if round.is_empty() && parsed.is_empty() {
            match closed {
                true => break,
                false => continue,
            }
        }
        let to_merge = std::mem::take(&mut parsed);
        let take = || spare.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let (merged, next) = rayon::join(
            || sink.take(to_merge),
            || {
                round
                    .par_iter_mut()
                    .map(|m| parse_chunk(m, take))
                    .collect::<Vec<_>>()
            },
        );
        let mut done = merged?;
        for (_, b) in &mut done {
            b.clear();
        }
        // A round's worth is all the next round can use; more (chunks parsed by other
        // processes come in batches of their own) would only hold memory.
        let mut spare = spare.lock().unwrap_or_else(|e| e.into_inner());
        let room = round_size.saturating_sub(spare.len());
        spare.extend(done.into_iter().map(|(_, b)| b).take(room));
        drop(spare);
        parsed = next;
        for m in round {
            if let Message::Chunk { chunk, .. } = m {
                taken += chunk.bytes.len() as u64;
                pool.give(chunk.bytes);
            }
        }
        let stage = match taken {
            0 => "reading input".to_string(),
            _ => format!(
                "reading input (after the first {} of records, decompressed)",
                crate::memory::format_size(taken)
            ),
        };
        crate::memory::check_now(&stage, memory_limit, crate::memory::SMALLER_INPUT)?;
    }
    Ok(())
}

/// Parse a chunk into a spare batch (or a new one); a chunk parsed elsewhere passes through.
fn parse_chunk(m: &mut Message, spare: impl Fn() -> Option<RecordBatch>) -> (u32, RecordBatch) {
    let (file, layout, chunk) = match m {
        Message::Chunk {
            file,
            layout,
            chunk,
        } => (file, layout, chunk),
        Message::Parsed {
            file,
            batch: parsed,
        } => return (*file, std::mem::take(parsed)),
        Message::File { .. } | Message::Done { .. } | Message::Flush | Message::Awaited { .. } => {
            unreachable!("rounds hold chunks")
        }
    };
    let mut batch = spare().unwrap_or_default();
    batch.bytes_read = chunk.bytes.len() as u64;
    if batch.tweets.capacity() == 0 {
        // A new batch: sized for short rows at once rather than grown by doubling.
        batch.tweets.reserve(chunk.bytes.len() / 128);
        batch.arena.reserve(chunk.bytes.len() / 2);
    }
    layout.parse(chunk, &mut batch);
    (*file, batch)
}

/// Merge parsed batches in input order; returns them for reuse.
fn merge(
    batches: Vec<(u32, RecordBatch)>,
    opts: &IngestOptions,
    builder: &mut DatasetBuilder,
    stats: &mut IngestStats,
) -> Result<Vec<(u32, RecordBatch)>> {
    for (file, batch) in &batches {
        let (file, batch) = (*file, batch);
        // Rows that mean the others would be misread stop the run.
        let reordered = (batch.rejects.iter())
            .find(|r| r.reason == HEADER_REORDERED || r.reason == actions::SLASH_ORDER);
        if let Some(r) = reordered {
            let mut pos = Position::new(&stats.files[file as usize].path, r.line);
            let mut why = r.reason.to_string();
            if r.reason == actions::SLASH_ORDER {
                pos = pos.with_column(r.column);
                why = format!("{why}: found {}", r.found);
            }
            return Err(Error::bad_row(pos, why, r.expected));
        }
        if opts.strict {
            let first = batch
                .rejects
                .iter()
                .chain(&batch.warnings)
                .min_by_key(|r| r.line);
            if let Some(r) = first {
                let mut pos = Position::new(&stats.files[file as usize].path, r.line);
                if !r.column.is_empty() {
                    pos = pos.with_column(r.column);
                }
                return Err(Error::bad_row(
                    pos,
                    format!("{}: found {}", r.reason, r.found),
                    r.expected,
                ));
            }
        }
        let format = stats.files[file as usize].format;
        builder.keep_text(opts.keeps_text(format));
        if format == Some(Format::Actions) {
            builder.ids_reused_in(file);
        }
        builder.push(file, batch)?;
        builder.spill_texts(opts.max_text_memory, &opts.temp_dir())?;
        stats.add_batch(file, batch);
    }
    Ok(batches)
}

enum RecogniseError {
    Io(std::io::Error),
    /// No layout recognised: `reason` says why in a sentence without the file's name.
    Unknown {
        reason: String,
        error: Error,
    },
    Other(Error),
}

impl From<std::io::Error> for RecogniseError {
    fn from(e: std::io::Error) -> RecogniseError {
        RecogniseError::Io(e)
    }
}

impl From<Error> for RecogniseError {
    fn from(e: Error) -> RecogniseError {
        RecogniseError::Other(e)
    }
}

/// The layout of a file from its first line (JSON: its first line of tweets); `None` for an
/// empty file.
fn recognise(
    chunker: &mut Chunker,
    name: &std::path::Path,
    opts: &IngestOptions,
) -> std::result::Result<Option<Layout>, RecogniseError> {
    let first = chunker.peek_line()?.to_vec();
    if let Some(what) = source::contents_unread(chunker.peek(512)?, &first) {
        return Err(Error::format(name, what).into());
    }
    let trimmed = first.trim_ascii();
    if trimmed.is_empty() {
        if chunker.peek(1 << 16)?.trim_ascii().is_empty() {
            return Ok(None);
        }
        let m = "starts with a blank line; expected a CSV header or a JSON object on line 1";
        return Err(Error::format(name, m).into());
    }
    // Old Mac exports end lines with a lone carriage return: the whole file would read as its
    // first line.
    if memchr::memchr(b'\r', trimmed).is_some() {
        let m = "ends its lines with lone carriage returns (an old Mac export?); convert them to \
                 newlines first (tr '\\r' '\\n')";
        return Err(Error::format(name, m).into());
    }
    let looks_json =
        trimmed.first().is_some_and(|&c| c == b'{' || c == b'[') || source::named_json_lines(name);
    let wanted = opts.format;
    if looks_json || wanted.is_some_and(Format::is_json) {
        let format = match wanted {
            Some(f) if f.is_json() => f,
            Some(f) => {
                return Err(Error::format(
                    name,
                    format!("is JSON, not the {} CSV that was asked for", f.name()),
                )
                .with_setting(Setting::Format)
                .into())
            }
            None => match twitter_json::recognise(chunker, opts.max_record_bytes)? {
                Ok(format) => format,
                Err(reason) => {
                    let error = Error::format(name, &reason);
                    return Err(RecogniseError::Unknown { reason, error });
                }
            },
        };
        chunker.set_quoted(false);
        return Ok(Some(match format {
            Format::TwitterV2 => Layout::TwitterV2,
            Format::Snscrape => Layout::Snscrape,
            _ => Layout::TwitterV1,
        }));
    }
    chunker.set_quoted(true);
    let head = chunker.peek_line()?.to_vec();
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(&head[..]);
    let mut header = csv::StringRecord::new();
    let ok = rdr
        .read_record(&mut header)
        .map_err(|e| Error::format(name, format!("unreadable CSV header: {e}")))?;
    if !ok {
        return Ok(None);
    }
    let header: Vec<String> = header
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    let consumed = (head.len() + 1).min(chunker.peek(head.len() + 1)?.len());
    chunker.skip(consumed, 1);
    let Some(format) = csv_format(&header, opts) else {
        // API v2 tweets flattened by another tool than twarc2: say why they are not read.
        let v2 = twarc_csv::Columns::is_v2_tweets(&header);
        if let (true, Err(why)) = (v2, twarc_csv::Columns::new(&header)) {
            let reason = format!("API v2 tweets as CSV, but {why}");
            let error = Error::format(name, &reason).with_setting(Setting::ActionColumns);
            return Err(RecogniseError::Unknown { reason, error });
        }
        if let [only] = &header[..] {
            let other = match (only.contains('\t'), only.contains(';')) {
                (true, _) => Some(("tab", "-t")),
                (false, true) => Some(("semicolon", "-d ';'")),
                _ => None,
            };
            if let Some((by, flag)) = other {
                let reason = format!(
                    "{by}-separated values; coordnet reads comma-separated CSV (convert it \
                     first, e.g. with csvkit: csvformat {flag} FILE > FILE.csv)"
                );
                let error = Error::format(name, &reason);
                return Err(RecogniseError::Unknown { reason, error });
            }
        }
        let reason = format!("unknown CSV layout (columns: {})", header.join(", "));
        let error = Error::format(
            name,
            format!(
                "{reason}; name its account, time and object columns as an action CSV, or give \
                 its format"
            ),
        )
        .with_setting(Setting::ActionColumns);
        return Err(RecogniseError::Unknown { reason, error });
    };
    Ok(Some(csv_layout(&header, format, opts, name)?))
}

/// The format a CSV of this header is read as: `opts`' or the one its columns say, if any.
fn csv_format(header: &[String], opts: &IngestOptions) -> Option<Format> {
    let has = |n: &str| header.iter().any(|h| h == n);
    let count = |names: &[&str]| names.iter().filter(|n| has(n)).count();
    // A layout is known by a few of its own columns, so that a file lacking one it needs is
    // told so, rather than taken for another layout or none.
    let io_tweets = count(&["tweetid", "tweet_time", "tweet_text"]);
    let ira = count(&[
        "content",
        "publish_date",
        "harvested_date",
        "post_type",
        "region",
    ]);
    Some(match opts.format {
        Some(f) => f,
        None if opts.mapping.is_some() => Format::Actions,
        None if io_tweets >= 2 || io_tweets == 1 && has("userid") => Format::IoTweets,
        None if has("userid") && has("account_creation_date") => Format::IoUsers,
        None if has("content") && has("publish_date") || ira >= 3 => Format::Ira,
        None if actions::Columns::is_coortweet(header) => Format::Actions,
        None if cnt::Columns::is_cnt(header) => Format::Cnt,
        None if twarc_csv::Columns::is_twarc_csv(header) => Format::TwarcCsv,
        None => return None,
    })
}

fn csv_layout(
    header: &[String],
    format: Format,
    opts: &IngestOptions,
    name: &std::path::Path,
) -> Result<Layout> {
    let err = |m: String| Error::format(name, m);
    Ok(match format {
        Format::IoTweets => Layout::IoTweets(io_archive::TweetColumns::new(header).map_err(err)?),
        Format::IoUsers => Layout::IoUsers(io_archive::UserColumns::new(header).map_err(err)?),
        Format::Ira => Layout::Ira(ira::Columns::new(header).map_err(err)?),
        Format::Cnt => Layout::Cnt(cnt::Columns::new(header).map_err(err)?),
        Format::TwarcCsv => Layout::TwarcCsv(twarc_csv::Columns::new(header).map_err(err)?),
        Format::Actions => Layout::Actions(
            actions::Columns::new(header, opts.mapping.as_ref(), opts.slash_dates)
                .map_err(|m| err(m).with_setting(Setting::ActionColumns))?,
        ),
        Format::TwitterV2 | Format::TwitterV1 | Format::Snscrape => {
            unreachable!("JSON handled before")
        }
    })
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
