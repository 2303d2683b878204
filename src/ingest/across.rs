//! Reading across processes: each process reads and parses its share of the inputs (whole
//! files and zip entries, [`crate::distributed::shares`]) and sends the parsed chunks to
//! process 0, which merges every share in input order. The dataset process 0 builds is the
//! one a single process builds from the same inputs, so everything after it is too.

use super::*;
use crate::distributed::{shares, Link};
use hashbrown::HashMap;

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
    /// A file was read whole: how many chunks it gave, and its SHA-256.
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

/// Read `inputs` across the processes of `link`. Process 0 returns the dataset and report a
/// single process builds from all of them; the others read their share, send it to process 0
/// and return `None`.
pub fn ingest_across(
    inputs: &[PathBuf],
    opts: &IngestOptions,
    progress: &dyn Progress,
    link: &Link<Shipment>,
) -> Result<Option<(Dataset, IngestStats)>> {
    let read = read_across(inputs, opts, progress, link);
    if let (Err(e), false) = (&read, link.cluster().is_first()) {
        // Process 0 says why the run stops; this process says it too, as it fails.
        let _ = link.send(Shipment::Failed {
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
) -> Result<Option<(Dataset, IngestStats)>> {
    let (sources, skipped) = source::expand_noting(inputs)?;
    let sizes: Vec<u64> = (sources.iter())
        .map(|s| source::expected_bytes(s).max(source::size_on_disk(s)))
        .collect();
    let cluster = link.cluster();
    let owner = shares(&sizes, cluster.processes());
    let me = cluster.process;
    let mine: Vec<usize> = (0..sources.len()).filter(|&f| owner[f] == me).collect();
    if !cluster.is_first() {
        return send_share(&sources, &mine, opts, link).map(|_| None);
    }
    let expected = sources.iter().map(source::expected_bytes).sum();
    // Every file counts: this process's as they are read, the others' as each arrives whole.
    let on_disk = sources.iter().map(source::size_on_disk).sum();
    progress.stage("reading input", Some(Total::Bytes(on_disk)));
    let names = sources.iter().map(Source::display_path).collect();
    let (data, mut stats) = run(names, expected, opts, None, |tx, pool| {
        gather(&sources, &owner, opts, tx, pool, progress, link)
    })?;
    stats.skipped_entries = skipped;
    Ok(Some((data, stats)))
}

/// Read and parse this process's share, sending each file's layout, chunks and hash.
fn send_share(
    sources: &[Source],
    mine: &[usize],
    opts: &IngestOptions,
    link: &Link<Shipment>,
) -> Result<()> {
    let pool = BufferPool::default();
    let (tx, rx) = sync_channel(8);
    let mut sink = Ship {
        link,
        next: HashMap::new(),
    };
    std::thread::scope(|scope| {
        let reader = scope.spawn(|| -> Result<()> {
            let tx = tx; // dropped when reading ends, which ends the consumer's rounds
            for &file in mine {
                let (sent, sha256) =
                    send_source(file as u32, &sources[file], opts, &tx, &pool, &Silent)?;
                let Some(chunks) = sent else {
                    break; // the sink failed: it says why
                };
                let done = Message::Done {
                    file: file as u32,
                    chunks,
                    sha256,
                };
                if tx.send(done).is_err() {
                    break;
                }
            }
            Ok(())
        });
        let consumed = consume(rx, &pool, opts.memory_limit, &mut sink);
        let read = reader.join().expect("reader thread panicked");
        read.and(consumed)
    })
}

/// Sends parsed chunks to process 0, numbered within their file.
struct Ship<'a> {
    link: &'a Link<Shipment>,
    next: HashMap<u32, u32>,
}

impl Sink for Ship<'_> {
    fn format(&mut self, file: u32, format: Option<Format>) -> Result<()> {
        self.link.send(Shipment::Format { file, format })
    }

    fn take(&mut self, batches: Vec<(u32, RecordBatch)>) -> Result<Vec<(u32, RecordBatch)>> {
        for (file, batch) in batches {
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

/// A file read by another process, as its pieces arrive (in any order).
#[derive(Default)]
struct Arriving {
    format: Option<Option<Format>>,
    batches: HashMap<u32, RecordBatch>,
    done: Option<(u32, String)>,
}

/// Process 0's reader: its own files read here, the others' chunks passed on as they arrive,
/// all in input order. Returns every file's SHA-256.
fn gather(
    sources: &[Source],
    owner: &[usize],
    opts: &IngestOptions,
    tx: SyncSender<Message>,
    pool: BufferPool,
    progress: &dyn Progress,
    link: &Link<Shipment>,
) -> Result<Vec<String>> {
    let mut hashes = Vec::with_capacity(sources.len());
    let mut arriving: HashMap<u32, Arriving> = HashMap::new();
    for (file, source) in sources.iter().enumerate() {
        let file = file as u32;
        if owner[file as usize] == 0 {
            let (sent, hash) = send_source(file, source, opts, &tx, &pool, progress)?;
            hashes.push(hash);
            if sent.is_none() {
                break; // the consumer stopped (strict mode error)
            }
            continue;
        }
        let mut seq = 0;
        let mut started = false;
        loop {
            let a = arriving.entry(file).or_default();
            // Each piece merged (or passed on) in input order lets its sender send another.
            let sender = owner[file as usize];
            if !started {
                if let Some(format) = a.format.take() {
                    started = true;
                    link.taken(sender);
                    if tx.send(Message::File { file, format }).is_err() {
                        return Ok(hashes);
                    }
                }
            }
            while let Some(batch) = started.then(|| a.batches.remove(&seq)).flatten() {
                seq += 1;
                link.taken(sender);
                if tx.send(Message::Parsed { file, batch }).is_err() {
                    return Ok(hashes);
                }
            }
            if started && a.done.as_ref().is_some_and(|(chunks, _)| *chunks == seq) {
                let sha256 = a.done.take().map(|(_, h)| h).unwrap_or_default();
                link.taken(sender);
                arriving.remove(&file);
                hashes.push(sha256);
                progress.advance(source::size_on_disk(source));
                break;
            }
            let (from, piece) = link.recv()?;
            match piece {
                Shipment::Format { file, format } => {
                    arriving.entry(file).or_default().format = Some(format)
                }
                Shipment::Batch { file, seq, batch } => {
                    arriving.entry(file).or_default().batches.insert(seq, batch);
                }
                Shipment::Done {
                    file,
                    chunks,
                    sha256,
                } => arriving.entry(file).or_default().done = Some((chunks, sha256)),
                Shipment::Failed { message, setting } => {
                    let e = Error::cluster(format!("{}: {message}", link.cluster().name(from)));
                    return Err(match setting {
                        Some(s) => e.with_setting(s),
                        None => e,
                    });
                }
            }
        }
    }
    Ok(hashes)
}
