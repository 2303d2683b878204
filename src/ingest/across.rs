//! Reading across processes: each process reads and parses its share of the inputs, keeps
//! the rows it parses, and sends process 0 their [outlines](crate::dataset::outline), which
//! it merges in input order, its own too. Files and zip entries are dealt out whole ([`crate::distributed::shares`]); a
//! plain file larger than half a process's share is split by byte ranges: process 0 cuts it
//! into chunks as one process does, and tells each of the others where its chunks lie. The
//! dataset process 0 builds (with the rows each process holds) is the one a single process
//! builds from the same inputs, so everything after it is too.

use super::*;
use crate::dataset::coded::Coder;
use crate::dataset::interner::hash_bytes;
use crate::dataset::outline::Outliner;
use crate::dataset::shard::Shard;
use crate::distributed::{shares, Cut, Link};
use hashbrown::HashMap;
use std::io::{Read, Seek};

/// Who reads an input in a run across processes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Reader {
    /// One process, the whole of it.
    Whole(usize),
    /// Every process, by byte ranges: process 0 reads the file through (it takes its SHA-256
    /// anyway) and cuts it into the chunks one process cuts, finding where records end,
    /// quoted line breaks included, at the speed of reading; every N-th chunk it parses
    /// itself, and of the others it sends the process that parses them where they lie. That
    /// process reads only those bytes, from its own copy, checked against process 0's.
    Split,
}

/// Who reads each of `sources` (their sizes `sizes`) on `processes` processes. A plain file
/// more than half an even share of all the input is split (dealt whole, it would leave the
/// others idle); the rest are dealt out whole by size.
fn readers(sources: &[Source], sizes: &[u64], processes: usize) -> Vec<Reader> {
    let total: u64 = sizes.iter().sum();
    let split: Vec<bool> = (sources.iter().zip(sizes))
        .map(|(s, &size)| {
            processes > 1
                && (size as u128) * 2 * processes as u128 > total as u128
                && source::is_plain_file(s)
        })
        .collect();
    let whole: Vec<u64> = (sizes.iter().zip(&split))
        .filter(|(_, &split)| !split)
        .map(|(&size, _)| size)
        .collect();
    let mut owners = shares(&whole, processes).into_iter();
    split
        .iter()
        .map(|&split| match split {
            true => Reader::Split,
            false => Reader::Whole(owners.next().unwrap_or(0)),
        })
        .collect()
}

/// What a process sends process 0 of the inputs it reads.
#[derive(Clone, serde::Serialize, serde::Deserialize)]
pub enum Shipment {
    /// A file's layout was recognised (`None`: the file is empty).
    Format { file: u32, format: Option<Format> },
    /// The `seq`-th parsed chunk of a file.
    Batch {
        file: u32,
        seq: u32,
        batch: RecordBatch,
    },
    /// A file was read whole: how many chunks it gave, and its SHA-256 (of a split file: how
    /// many chunks process 0 cut it into, and no SHA-256, which process 0 takes).
    Done {
        file: u32,
        chunks: u32,
        sha256: String,
    },
    /// Reading failed: the error, in words, and the setting that would fix it.
    Failed {
        message: String,
        setting: Option<crate::error::Setting>,
    },
}

/// Pieces a process other than 0 may parse ahead of what it has sent (see
/// [`Cluster::PARSE_AHEAD`](crate::distributed::Cluster::PARSE_AHEAD)): a quarter of the
/// memory limit, each parsed chunk counted at twice its input's size. Reading ends before
/// the pairs are counted, so what waits here never meets the pairs' memory.
pub fn parse_ahead(opts: &IngestOptions) -> usize {
    match opts.memory_limit {
        Some(limit) => (limit / 4 / (2 * opts.chunk_bytes.max(1) as u64)) as usize,
        None => crate::distributed::Cluster::PARSE_AHEAD,
    }
}

/// What a process has once the inputs are read across processes.
pub enum Gathered {
    /// Process 0: the dataset and report a single process builds from all the inputs, the
    /// rows each other process holds (by process, rising), and then its own (the dataset
    /// holds none).
    First(Dataset, IngestStats, Vec<Vec<u32>>, Box<Shard>),
    /// Another process: the rows it parsed, which process 0 places among the dataset's
    /// ([`crate::distributed::serve_rows`] keeps them so).
    Other(DatasetBuilder),
}

/// Read `inputs` across the processes of `link`. Process 0 gathers the dataset a single
/// process builds from all of them, without their rows' columns; every process, process 0
/// too, holds the rows it parsed, as the dataset's rows once process 0 places them (process
/// 0 is sent only their outlines: each row's time and tweet id, and the strings and account
/// fields it gives first).
pub fn ingest_across(
    inputs: &[PathBuf],
    opts: &IngestOptions,
    progress: &dyn Progress,
    link: &Link<Shipment>,
) -> Result<Gathered> {
    let read = read_across(inputs, opts, progress, link);
    if let (Err(e), false) = (&read, link.cluster().is_first()) {
        // Process 0 says why the run stops; this process says it too, as it fails.
        link.send_urgent(Shipment::Failed {
            message: e.to_string(),
            setting: e.setting(),
        });
    }
    read
}

fn read_across(
    inputs: &[PathBuf],
    opts: &IngestOptions,
    progress: &dyn Progress,
    link: &Link<Shipment>,
) -> Result<Gathered> {
    let (sources, skipped) = super::sources(inputs, opts)?;
    let sizes: Vec<u64> = (sources.iter())
        .map(|s| source::expected_bytes(s).max(source::size_on_disk(s)))
        .collect();
    let cluster = link.cluster();
    let readers = readers(&sources, &sizes, cluster.processes());
    if !cluster.is_first() {
        let kept = send_share(&sources, &readers, opts, link)?;
        return Ok(Gathered::Other(kept));
    }
    let expected = sources.iter().map(source::expected_bytes).sum();
    // Every file counts: this process's as they are read, the others' as each arrives whole.
    progress.stage("reading input", Some(super::reading_total(&sources)));
    let names = sources.iter().map(Source::display_path).collect();
    let mut arrivals = Arrivals {
        link,
        pending: HashMap::new(),
        parsed: vec![0; cluster.processes()],
    };
    let mut own = Keeping::new(0, opts);
    let read = read_batches(
        names,
        expected,
        opts,
        None,
        Some(&mut own as &mut (dyn Prepare + Send)),
        |tx, pool| gather(&sources, &readers, opts, tx, pool, progress, &mut arrivals),
    )?;
    let keep_repeated = opts.keep_repeated_rows;
    let (built, held, own) =
        crate::distributed::place_outlined(link, read.builder, own.kept(), keep_repeated)?;
    let (data, mut stats, _) = finished(read.stats, read.started, built, opts)?;
    let mut parsed = arrivals.parsed;
    // Process 0 parsed what the others did not.
    parsed[0] = stats.rows_read.saturating_sub(parsed.iter().sum());
    stats.rows_by_process = parsed;
    stats.skipped_entries = skipped;
    Ok(Gathered::First(data, stats, held, Box::new(own)))
}

/// Read and parse this process's share, sending each file's layout, chunks and hash (of a
/// split file, its chunks and how many it was cut into). Returns the rows sent, in a builder
/// of their own.
fn send_share(
    sources: &[Source],
    readers: &[Reader],
    opts: &IngestOptions,
    link: &Link<Shipment>,
) -> Result<DatasetBuilder> {
    let me = link.cluster().process;
    let pool = BufferPool::default();
    let (tx, rx) = sync_channel(8);
    let mut sink = Ship {
        link,
        next: HashMap::new(),
        keeping: Keeping::new(me as u32, opts),
        formats: HashMap::new(),
    };
    std::thread::scope(|scope| {
        let reader = scope.spawn(|| -> Result<()> {
            let tx = tx; // dropped when reading ends, which ends the consumer's rounds
            for (file, source) in sources.iter().enumerate() {
                let file = file as u32;
                let (sent, sha256) = match readers[file as usize] {
                    Reader::Whole(p) if p != me => continue,
                    Reader::Whole(_) => send_source(file, source, opts, &tx, &pool, &Silent, None)?,
                    Reader::Split => (
                        send_cuts(file, source, opts, &tx, &pool, link)?,
                        String::new(),
                    ),
                };
                let Some(chunks) = sent else {
                    break; // the sink failed: it says why
                };
                if tx
                    .send(Message::Done {
                        file,
                        chunks,
                        sha256,
                    })
                    .is_err()
                {
                    break;
                }
            }
            Ok(())
        });
        let consumed = consume(rx, &pool, opts.memory_limit, &mut sink);
        let read = reader.join().expect("reader thread panicked");
        read.and(consumed)
    })?;
    Ok(sink.keeping.kept())
}

/// Chunks of a split file process 0 may cut ahead of what it has merged, per process: each
/// of the others has that many to parse while process 0 merges, and process 0 holds that many
/// of its own (4 MB chunks: 32 MB).
const CUT_AHEAD: usize = 8;

/// Process 0's side of a split file: read it through (taking its SHA-256), cut it, send this
/// process's chunks and a stand-in for each of the others' to `events`, in order, and tell
/// each of the others where its chunks lie. Returns how many chunks, and the SHA-256.
fn cut_split(
    file: u32,
    source: &Source,
    opts: &IngestOptions,
    events: &SyncSender<Message>,
    pool: &BufferPool,
    progress: &dyn Progress,
    link: &Link<Shipment>,
) -> Result<(Option<u32>, String)> {
    let processes = link.cluster().processes() as u32;
    let mut elsewhere = |from: u32, seq: u32, chunk: &RawChunk| {
        let cut = Cut::Chunk {
            file,
            seq,
            offset: chunk.offset,
            len: chunk.bytes.len() as u64,
            first_line: chunk.first_line,
            check: hash_bytes(&chunk.bytes),
            plain: chunk.plain,
        };
        link.cut(from as usize, cut)?;
        Ok(Message::Awaited { file, from, seq })
    };
    let mut share = Share {
        processes,
        elsewhere: &mut elsewhere,
    };
    let (sent, sha256) = send_source(file, source, opts, events, pool, progress, Some(&mut share))?;
    if let Some(chunks) = sent {
        for p in 1..processes {
            let mine = (chunks + processes - 1 - p) / processes;
            link.cut(p as usize, Cut::End { file, chunks, mine })?;
        }
    }
    Ok((sent, sha256))
}

/// Another process's side of a split file: its layout from its own first line, then the
/// chunks process 0 cut for this process, read from this process's copy and checked against
/// process 0's; returns how many chunks process 0 cut the file into.
fn send_cuts(
    file: u32,
    source: &Source,
    opts: &IngestOptions,
    tx: &SyncSender<Message>,
    pool: &BufferPool,
    link: &Link<Shipment>,
) -> Result<Option<u32>> {
    let name = source.display_path();
    let path = &source.path;
    let mut f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let layout = {
        let mut chunker = Chunker::new(&mut f, 1 << 16, opts.max_record_bytes, pool.clone());
        recognise_stream(&mut chunker, &name, opts)?
    };
    let format = layout.as_ref().map(Layout::format);
    if tx.send(Message::File { file, format }).is_err() {
        return Ok(None);
    }
    let layout = layout.map(Arc::new);
    let mut waiting = HashMap::new();
    let (mut next, mut end) = (0, None);
    loop {
        while let Some((offset, len, first_line, check, plain)) = waiting.remove(&next) {
            let mut bytes = pool.take();
            bytes.resize(len as usize, 0);
            let read = f
                .seek(std::io::SeekFrom::Start(offset))
                .and_then(|_| f.read_exact(&mut bytes));
            read.map_err(|e| Error::io(path, e))?;
            if hash_bytes(&bytes) != check {
                return Err(Error::cluster(format!(
                    "{}: this copy differs from process 0's in bytes {offset}..{} (from line \
                     {first_line}): every process must see the same files",
                    name.display(),
                    offset + len
                )));
            }
            let Some(layout) = layout.clone() else {
                return Err(Error::cluster(format!(
                    "{}: empty here, not on process 0",
                    name.display()
                )));
            };
            let chunk = RawChunk {
                first_line,
                offset,
                bytes,
                plain,
            };
            if tx
                .send(Message::Chunk {
                    file,
                    layout,
                    chunk,
                })
                .is_err()
            {
                return Ok(None);
            }
            next += 1;
        }
        if let Some((chunks, mine)) = end {
            if next == mine {
                return Ok(Some(chunks));
            }
        }
        // About to wait on process 0: what was read before (of this file or an earlier one)
        // is parsed and sent on meanwhile, as process 0 may be waiting for it to cut more.
        let cut = match link.next_cut(false)? {
            Some(cut) => cut,
            None => {
                if tx.send(Message::Flush).is_err() {
                    return Ok(None);
                }
                link.next_cut(true)?.expect("a cut, having waited")
            }
        };
        match cut {
            Cut::Chunk {
                file: f,
                seq,
                offset,
                len,
                first_line,
                check,
                plain,
            } if f == file => {
                waiting.insert(seq, (offset, len, first_line, check, plain));
            }
            Cut::End {
                file: f,
                chunks,
                mine,
            } if f == file => end = Some((chunks, mine)),
            cut => {
                return Err(Error::cluster(format!(
                    "{}: process 0 sent a chunk of another file ({cut:?})",
                    name.display()
                )))
            }
        }
    }
}

/// A process's own rows on their way to process 0's merging, in input order: each batch
/// coded (its strings sent before as numbers), kept here whole (see `crate::dataset::shard`)
/// and cut to its outline for process 0.
struct Keeping<'a> {
    coder: Coder,
    kept: DatasetBuilder,
    outliner: Outliner,
    opts: &'a IngestOptions,
}

impl<'a> Keeping<'a> {
    fn new(me: u32, opts: &'a IngestOptions) -> Keeping<'a> {
        Keeping {
            coder: Coder::new(me),
            kept: DatasetBuilder::for_shard(opts.keep_text),
            outliner: Outliner::default(),
            opts,
        }
    }

    /// The rows kept.
    fn kept(self) -> DatasetBuilder {
        self.kept
    }
}

impl Prepare for Keeping<'_> {
    /// Process 0's own batches go this way too; the others' arrive coded.
    fn prepare(
        &mut self,
        file: u32,
        format: Option<Format>,
        batch: &mut RecordBatch,
    ) -> Result<()> {
        if batch.coded.is_some() {
            return Ok(());
        }
        self.coder.code(batch);
        // Texts as process 0 keeps them (see `merge`).
        let kept = &mut self.kept;
        kept.keep_text(self.opts.keeps_text(format));
        kept.push(file, batch)?;
        kept.spill_texts(self.opts.max_text_memory, &self.opts.temp_dir())?;
        self.outliner.outline(batch, self.coder.numbered());
        Ok(())
    }
}

/// Sends parsed chunks to process 0, numbered within their file (batches are taken here in
/// the order process 0 merges them).
struct Ship<'a> {
    link: &'a Link<Shipment>,
    next: HashMap<u32, u32>,
    keeping: Keeping<'a>,
    formats: HashMap<u32, Option<Format>>,
}

impl Sink for Ship<'_> {
    fn format(&mut self, file: u32, format: Option<Format>) -> Result<()> {
        self.formats.insert(file, format);
        self.link.send(Shipment::Format { file, format })
    }

    fn take(&mut self, batches: Vec<(u32, RecordBatch)>) -> Result<Vec<(u32, RecordBatch)>> {
        for (file, mut batch) in batches {
            let format = self.formats.get(&file).copied().flatten();
            self.keeping.prepare(file, format, &mut batch)?;
            let seq = self.next.entry(file).or_default();
            let batch = Shipment::Batch {
                file,
                seq: *seq,
                batch,
            };
            *seq += 1;
            self.link.send(batch)?;
        }
        Ok(Vec::new())
    }

    fn done(&mut self, file: u32, chunks: u32, sha256: String) -> Result<()> {
        self.link.send(Shipment::Done {
            file,
            chunks,
            sha256,
        })
    }
}

/// What one process sent of a file, as its pieces arrive (in any order).
#[derive(Default)]
struct Arriving {
    format: Option<Option<Format>>,
    batches: HashMap<u32, RecordBatch>,
    done: Option<(u32, String)>,
}

/// The pieces other processes sent, kept until process 0 merges them in input order.
struct Arrivals<'l> {
    link: &'l Link<Shipment>,
    /// By file and the process that sent them.
    pending: HashMap<(u32, usize), Arriving>,
    /// Records each process parsed, of the batches taken.
    parsed: Vec<u64>,
}

impl Arrivals<'_> {
    /// Wait until `ready` finds what it wants among what `from` sent of `file`. Each piece
    /// taken lets its sender send another.
    fn wait<T>(
        &mut self,
        file: u32,
        from: usize,
        mut ready: impl FnMut(&mut Arriving) -> Option<T>,
    ) -> Result<T> {
        loop {
            if let Some(t) = ready(self.pending.entry((file, from)).or_default()) {
                self.link.taken(from);
                return Ok(t);
            }
            let (sender, piece) = self.link.recv()?;
            let pending = &mut self.pending;
            match piece {
                Shipment::Format { file, format } => {
                    pending.entry((file, sender)).or_default().format = Some(format)
                }
                Shipment::Batch {
                    file,
                    seq,
                    mut batch,
                } => {
                    crate::dataset::coded::admit(&mut batch, sender as u32)?;
                    let at = pending.entry((file, sender)).or_default();
                    at.batches.insert(seq, batch);
                }
                Shipment::Done {
                    file,
                    chunks,
                    sha256,
                } => pending.entry((file, sender)).or_default().done = Some((chunks, sha256)),
                Shipment::Failed { message, setting } => {
                    let e =
                        Error::cluster(format!("{}: {message}", self.link.cluster().name(sender)));
                    return Err(match setting {
                        Some(s) => e.with_setting(s),
                        None => e,
                    });
                }
            }
        }
    }

    /// The layout `from` found for `file`.
    fn format(&mut self, file: u32, from: usize) -> Result<Option<Format>> {
        self.wait(file, from, |a| a.format.take())
    }

    /// The `seq`-th batch `from` parsed of `file`.
    fn batch(&mut self, file: u32, from: usize, seq: u32) -> Result<RecordBatch> {
        let batch = self.wait(file, from, |a| a.batches.remove(&seq))?;
        self.parsed[from] += batch.rows_read;
        Ok(batch)
    }

    /// The `seq`-th batch `from` parsed of `file`, or, when it sent `seq` batches and no more,
    /// the file's SHA-256 (and all it sent of the file is taken).
    fn next(
        &mut self,
        file: u32,
        from: usize,
        seq: u32,
    ) -> Result<std::result::Result<RecordBatch, String>> {
        let next = self.wait(file, from, |a| match a.batches.remove(&seq) {
            Some(batch) => Some(Ok(batch)),
            None => (a.done.take_if(|(chunks, _)| *chunks == seq)).map(|(_, sha256)| Err(sha256)),
        })?;
        if let Ok(batch) = &next {
            self.parsed[from] += batch.rows_read;
        }
        Ok(next)
    }

    /// Wait until `from` has sent all it parsed of `file`; what it sent is then all taken.
    fn done(&mut self, file: u32, from: usize) -> Result<()> {
        self.wait(file, from, |a| a.done.take())?;
        self.pending.remove(&(file, from));
        Ok(())
    }
}

/// Process 0's reader: its own files read here, the others' chunks passed on as they arrive
/// (counted in `arrivals`), all in input order. Returns every file's SHA-256.
fn gather(
    sources: &[Source],
    readers: &[Reader],
    opts: &IngestOptions,
    tx: SyncSender<Message>,
    pool: BufferPool,
    progress: &dyn Progress,
    arrivals: &mut Arrivals,
) -> Result<Vec<String>> {
    let mut hashes = Vec::with_capacity(sources.len());
    let link = arrivals.link;
    let processes = link.cluster().processes();
    for (file, source) in sources.iter().enumerate() {
        let file = file as u32;
        match readers[file as usize] {
            Reader::Whole(0) => {
                let (sent, hash) = send_source(file, source, opts, &tx, &pool, progress, None)?;
                hashes.push(hash);
                if sent.is_none() {
                    break; // the consumer stopped (strict mode error)
                }
            }
            Reader::Whole(from) => {
                let format = arrivals.format(file, from)?;
                if tx.send(Message::File { file, format }).is_err() {
                    break;
                }
                let mut seq = 0;
                let sha256 = loop {
                    match arrivals.next(file, from, seq)? {
                        Ok(batch) => {
                            seq += 1;
                            if tx.send(Message::Parsed { file, batch }).is_err() {
                                return Ok(hashes);
                            }
                        }
                        Err(sha256) => break sha256,
                    }
                };
                arrivals.pending.remove(&(file, from));
                hashes.push(sha256);
                progress.advance(source::size_on_disk(source));
            }
            Reader::Split => {
                for from in 1..processes {
                    arrivals.format(file, from)?;
                }
                let (events, queue) = sync_channel(CUT_AHEAD * processes);
                let cut = std::thread::scope(|scope| -> Result<_> {
                    let pool = &pool;
                    // The cutter owns the sending end: when it ends, so does the queue.
                    let cutter = scope.spawn(move || {
                        cut_split(file, source, opts, &events, pool, progress, link)
                    });
                    // In order: this process's chunks to its parsers, each of the others' in
                    // its place once it arrives.
                    for message in queue {
                        let message = match message {
                            Message::Awaited { file, from, seq } => {
                                let batch = arrivals.batch(file, from as usize, seq)?;
                                Message::Parsed { file, batch }
                            }
                            m => m,
                        };
                        if tx.send(message).is_err() {
                            break;
                        }
                    }
                    cutter.join().expect("cutting thread panicked")
                })?;
                let (sent, hash) = cut;
                hashes.push(hash);
                if sent.is_none() {
                    break;
                }
                // Each of the others parsed every chunk it was sent (its count is process 0's).
                for from in 1..processes {
                    arrivals.done(file, from)?;
                }
            }
        }
    }
    Ok(hashes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_file_above_half_a_share_is_split_and_the_rest_dealt_whole() {
        let dir = tempfile::tempdir().unwrap();
        let file = |name: &str, bytes: &[u8]| {
            let path = dir.path().join(name);
            std::fs::write(&path, bytes).unwrap();
            Source {
                path,
                zip_entry: None,
                found: false,
            }
        };
        let big = file("big.csv", b"tweetid,userid\n");
        let gzip = file("big.csv.gz", &[0x1f, 0x8b, 8, 0]);
        let small: Vec<Source> = (0..4).map(|i| file(&format!("{i}.csv"), b"a\n")).collect();
        let sources = [vec![big, gzip], small].concat();
        let sizes = [1000, 1000, 100, 100, 100, 100];
        // 2400 bytes on 2 processes: a file above 600 is split if plain; a gzip file cannot be
        // cut where its records end without decompressing it, so it is dealt whole.
        assert_eq!(
            readers(&sources, &sizes, 2),
            [
                Reader::Split,
                Reader::Whole(0),
                Reader::Whole(1),
                Reader::Whole(1),
                Reader::Whole(1),
                Reader::Whole(1)
            ]
        );
        // Four equal files deal out evenly on 2 processes; on 3, a share is smaller than a
        // file, and each is split.
        assert_eq!(
            readers(&sources[2..], &sizes[2..], 2),
            [0, 1, 0, 1].map(Reader::Whole)
        );
        assert!(readers(&sources[2..], &sizes[2..], 3)
            .iter()
            .all(|r| *r == Reader::Split));
        // One process reads everything whole.
        assert!(readers(&sources, &sizes, 1)
            .iter()
            .all(|r| *r == Reader::Whole(0)));
    }
}
