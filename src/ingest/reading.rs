//! The reading itself: one thread reads and decompresses each source into chunks of whole
//! records, rayon parses them, and the batches are merged into the dataset in input order.

use super::*;

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
pub(super) fn cut_short(r: &mut crate::dataset::batch::RawReject) {
    (r.reason, r.expected) = CUT_SHORT;
}

/// Whether `chunk` ends without a line end: it is a file's last, cut inside a record.
pub(super) fn ends_inside_a_record(chunk: &RawChunk) -> bool {
    chunk
        .bytes
        .last()
        .is_some_and(|b| !matches!(b, b'\n' | b'\r'))
}

/// What the reading thread sends: a file's layout once known, then its chunks.
pub(super) enum Message {
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
pub(super) trait Sink {
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
    pub(super) opts: &'a IngestOptions,
    pub(super) builder: &'a mut DatasetBuilder,
    pub(super) stats: &'a mut IngestStats,
    pub(super) prepare: Option<&'a mut (dyn Prepare + Send + 'p)>,
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

/// Inputs in memory up to this size are read without a reader thread (see [`ingest_bytes`]).
pub(super) const INLINE_BYTES: usize = 64 << 10;

/// Parse what `read` sends, in parallel, into one dataset. `read` runs on a thread of its own,
/// or first and on this thread when `queue` holds every message it will send.
pub(super) fn run(
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
pub(super) struct ReadBatches {
    pub(super) builder: DatasetBuilder,
    pub(super) stats: IngestStats,
    pub(super) started: Instant,
}

/// Something done to each batch, in input order, before it is merged.
pub(super) trait Prepare {
    fn prepare(&mut self, file: u32, format: Option<Format>, batch: &mut RecordBatch)
        -> Result<()>;
}

/// Read what `read` sends into a builder, each batch first through `prepare` if given.
pub(super) fn read_batches(
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
pub(super) fn finished(
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

pub(super) fn read_sources(
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
pub(super) fn send_source(
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
pub(super) struct Share<'a> {
    pub(super) processes: u32,
    pub(super) elsewhere: &'a mut StandIn<'a>,
}

/// What stands for a chunk another process parses: given that process, its count of its own
/// chunks so far and the chunk.
type StandIn<'a> = dyn FnMut(u32, u32, &RawChunk) -> Result<Message> + 'a;

/// Recognise one stream's layout and send it in chunks of whole records (with `share`, only
/// this process's chunks, and what stands for the others); returns how many chunks the
/// stream was cut into, or `None` when the consumer stopped.
pub(super) fn send_stream(
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
pub(super) fn read_error(name: &std::path::Path, e: std::io::Error) -> Error {
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

pub(super) fn consume(
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
pub(super) fn merge(
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
