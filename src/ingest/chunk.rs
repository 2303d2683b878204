//! Cut a byte stream into chunks of whole records so they can be parsed in parallel.
//!
//! A chunk ends where a record ends by the rule the row parser reads with
//! ([`super::records`]), so that every record, and every rejection, is the same whatever the
//! chunk size: the quoting rules are checked 64 bytes at a time, at memory speed, and only
//! from a stray quote to the end of its record are records read the CSV reader's way. JSON
//! lines end at every newline.

use super::records::{self, Splitter};
use memchr::memchr_iter;
use std::io::Read;
use std::sync::{Arc, Mutex};

/// Chunk buffers handed back after parsing, so the reader refills warm memory instead of
/// faulting in a fresh multi-megabyte buffer per chunk.
#[derive(Clone, Default)]
pub struct BufferPool(Arc<Mutex<Vec<Vec<u8>>>>);

impl BufferPool {
    const KEEP: usize = 64;

    pub fn take(&self) -> Vec<u8> {
        let mut pool = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let mut buf = pool.pop().unwrap_or_default();
        buf.clear();
        buf
    }

    pub fn give(&self, buf: Vec<u8>) {
        let mut pool = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if pool.len() < Self::KEEP {
            pool.push(buf);
        }
    }
}

/// A run of whole records, the line its first byte is on, and where it starts in the stream.
pub struct RawChunk {
    pub first_line: u64,
    #[cfg_attr(not(feature = "distributed"), allow(dead_code))]
    pub offset: u64,
    pub bytes: Vec<u8>,
    /// CSV whose every record quotes by the rules, with no lone CR outside quotes: `simd-csv`
    /// reads it as the `csv` crate does (see [`records::plain`]).
    pub plain: bool,
}

pub struct Chunker<'r> {
    reader: &'r mut dyn Read,
    buf: Vec<u8>,
    eof: bool,
    quoted: bool,
    next_line: u64,
    /// Where `buf` starts in the stream.
    offset: u64,
    chunk_size: usize,
    /// A record (or first line) longer than this is an error, not a reason to read on.
    max_record: usize,
    pool: BufferPool,
}

/// A record longer than the limit: where it starts, and the limit.
#[derive(Debug)]
pub struct RecordTooLong {
    pub line: u64,
    pub limit: usize,
}

impl std::fmt::Display for RecordTooLong {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the record on line {} is longer than {} bytes",
            self.line, self.limit
        )
    }
}

impl std::error::Error for RecordTooLong {}

/// Where a chunk may end, and whether what comes before is plain CSV.
struct Cut {
    end: usize,
    plain: bool,
}

impl<'r> Chunker<'r> {
    pub fn new(
        reader: &'r mut dyn Read,
        chunk_size: usize,
        max_record: usize,
        pool: BufferPool,
    ) -> Chunker<'r> {
        Chunker {
            reader,
            max_record,
            buf: Vec::new(),
            eof: false,
            quoted: false,
            next_line: 1,
            offset: 0,
            // An empty chunk would read nothing more.
            chunk_size: chunk_size.max(1),
            pool,
        }
    }

    /// Whether records may hold quoted newlines (CSV) or end at every newline (JSON lines).
    pub fn set_quoted(&mut self, quoted: bool) {
        self.quoted = quoted;
    }

    /// At least `n` bytes of what comes next (fewer at the end of the stream), BOM removed.
    pub fn peek(&mut self, n: usize) -> std::io::Result<&[u8]> {
        self.fill(n)?;
        if self.next_line == 1 && self.buf.starts_with(b"\xEF\xBB\xBF") {
            self.buf.drain(..3);
            self.offset += 3;
        }
        Ok(&self.buf)
    }

    /// The first line, whole, however long (for detecting JSON layouts), within the limit.
    pub fn peek_line(&mut self) -> std::io::Result<&[u8]> {
        let mut want = 1 << 16;
        loop {
            self.peek(want)?;
            let end = memchr::memchr(b'\n', &self.buf);
            if end.map_or(self.buf.len(), |lf| lf + 1) > self.max_record {
                return Err(self.too_long(0));
            }
            if let Some(end) = end {
                return Ok(&self.buf[..end]);
            }
            if self.eof {
                return Ok(&self.buf);
            }
            want *= 2;
        }
    }

    /// Drop the first `n` bytes (a header already read) that span `lines` lines.
    pub fn skip(&mut self, n: usize, lines: u64) {
        let n = n.min(self.buf.len());
        self.buf.drain(..n);
        self.offset += n as u64;
        self.next_line += lines;
    }

    /// The next chunk: whole records, up to `chunk_size` bytes unless the first is longer.
    pub fn next_chunk(&mut self) -> std::io::Result<Option<RawChunk>> {
        let mut want = self.chunk_size;
        loop {
            self.fill(want)?;
            if self.buf.is_empty() {
                return Ok(None);
            }
            // The buffer may hold more (the first bytes read to recognise the layout).
            let window = want.min(self.buf.len());
            let eof = self.eof && window == self.buf.len();
            let cut = match self.quoted {
                true => csv_cut(&self.buf[..window], eof, self.max_record),
                false => line_cut(&self.buf[..window], eof, self.max_record),
            };
            let cut = cut.map_err(|start| self.too_long(start))?;
            if let Some(Cut { end, plain }) = cut {
                let mut rest = self.pool.take();
                rest.reserve(self.chunk_size);
                rest.extend_from_slice(&self.buf[end..]);
                let mut bytes = std::mem::replace(&mut self.buf, rest);
                bytes.truncate(end);
                let first_line = self.next_line;
                self.next_line += memchr_iter(b'\n', &bytes).count() as u64;
                let offset = self.offset;
                self.offset += bytes.len() as u64;
                return Ok(Some(RawChunk {
                    first_line,
                    offset,
                    bytes,
                    plain,
                }));
            }
            // No record ends in the window: the first is longer than a chunk. Read on until it
            // ends, or is longer than the limit.
            if window > self.max_record {
                return Err(self.too_long(0));
            }
            want = window
                .saturating_mul(2)
                .min(self.max_record.saturating_add(1));
        }
    }

    /// The record that starts at `start` in the buffer is longer than the limit.
    fn too_long(&self, start: usize) -> std::io::Error {
        let start = start + records::leading_line_ends(&self.buf[start..]);
        std::io::Error::other(RecordTooLong {
            line: self.next_line + memchr_iter(b'\n', &self.buf[..start]).count() as u64,
            limit: self.max_record,
        })
    }

    fn fill(&mut self, want: usize) -> std::io::Result<()> {
        if self.eof || self.buf.len() >= want {
            return Ok(());
        }
        let start = self.buf.len();
        // `read_to_end` reads into spare capacity; plain files then skip zeroing the buffer.
        let missing = (want - start) as u64;
        self.buf.reserve(want - start);
        if let Err(e) = (&mut *self.reader).take(missing).read_to_end(&mut self.buf) {
            self.buf.truncate(start);
            return Err(e);
        }
        if self.buf.len() < want {
            self.eof = true;
        }
        Ok(())
    }
}

/// Where a chunk of JSON lines may end, each line checked against the limit; `Err` with
/// where a line too long starts.
fn line_cut(buf: &[u8], eof: bool, max_record: usize) -> Result<Option<Cut>, usize> {
    let end = match eof {
        true => buf.len(),
        false => match memchr::memrchr(b'\n', buf) {
            Some(lf) => lf + 1,
            None => return Ok(None),
        },
    };
    let mut start = 0;
    for lf in memchr_iter(b'\n', &buf[..end]) {
        if lf + 1 - start > max_record {
            return Err(start);
        }
        start = lf + 1;
    }
    if end - start > max_record {
        return Err(start);
    }
    Ok(Some(Cut { end, plain: false }))
}

/// Where a chunk of CSV may end: after the last record, read as the row parser reads
/// records, that no byte yet to be read can change; `Err` with where a record longer than
/// the limit starts.
///
/// While the quoting rules hold, [`records::plain`] finds record ends from quote parity.
/// From the last boundary before a stray quote, [`Splitter`] reads records as the parser's
/// exact reader does until one ends past the stray quote, and the rules are checked again
/// from there. A record read so counts only if it ended before the end of the buffer.
fn csv_cut(buf: &[u8], eof: bool, max: usize) -> Result<Option<Cut>, usize> {
    let mut cut = None;
    // Records up to here quote by the rules, with no lone CR.
    let mut plain_to = buf.len();
    // A record boundary.
    let mut from = 0;
    loop {
        let p = records::plain(&buf[from..], eof, max);
        if let Some(start) = p.too_long {
            return Err(from + start);
        }
        if let Some(c) = p.last_cut {
            cut = Some(from + c);
        }
        if let Some(cr) = p.lone_cr {
            plain_to = plain_to.min(from + cr);
        }
        let Some(broken) = p.broken else { break };
        let broken = from + broken;
        let start = p.last_cut.map_or(from, |c| from + c);
        plain_to = plain_to.min(start);
        let mut split = Splitter::new(&buf[start..]);
        let mut rec = csv::ByteRecord::new();
        let mut resume = None;
        while let Some(Ok(step)) = split.next_record(&mut rec) {
            if !eof && start + step.read_to >= buf.len() {
                break;
            }
            let raw = &buf[start + step.start..start + step.read_to];
            let blank = records::leading_line_ends(raw);
            if raw.len() - blank > max {
                return Err(start + step.start + blank);
            }
            let end = start + step.end;
            if let Some(c) = cut_after(buf, end, eof) {
                cut = Some(c);
            }
            if end > broken {
                resume = Some(end);
                break;
            }
        }
        match resume {
            Some(end) => from = end,
            None => break,
        }
    }
    if eof {
        cut = Some(buf.len());
        // `simd-csv` drops a CR that ends the last field of a last record without a line end,
        // quoted or not; the `csv` crate keeps a quoted one.
        if buf.ends_with(b"\r\"") {
            plain_to = 0;
        }
    }
    Ok(cut.map(|end| Cut {
        end,
        plain: end <= plain_to,
    }))
}

/// Where a chunk may end after a record that ends at `end`: there, after an LF or a lone CR;
/// after the LF of a CRLF (the readers skip line ends before a record); not after a CR whose
/// next byte is yet to be read.
fn cut_after(buf: &[u8], end: usize, eof: bool) -> Option<usize> {
    match (buf[..end].last(), buf.get(end)) {
        (Some(b'\r'), Some(b'\n')) => Some(end + 1),
        (Some(b'\n'), _) | (Some(b'\r'), Some(_)) => Some(end),
        _ if eof && end == buf.len() => Some(end),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A record as a reader sees it: where it starts in the stream (past blank lines), and
    /// its fields, or for a malformed record its first line, which is all it costs.
    type Record = (usize, Result<Vec<Vec<u8>>, Vec<u8>>);

    /// The records of `data` cut into chunks of `chunk_size`, each chunk read as the row
    /// parser reads it; or the line where a record longer than `max_record` starts. A chunk
    /// found plain must read the same with `simd-csv`.
    fn records(data: &[u8], chunk_size: usize, max_record: usize) -> Result<Vec<Record>, u64> {
        let mut r = data;
        let mut c = Chunker::new(&mut r, chunk_size, max_record, BufferPool::default());
        c.set_quoted(true);
        let mut out = Vec::new();
        loop {
            let chunk = match c.next_chunk() {
                Ok(Some(chunk)) => chunk,
                Ok(None) => return Ok(out),
                Err(e) => {
                    return Err(e
                        .get_ref()
                        .unwrap()
                        .downcast_ref::<RecordTooLong>()
                        .unwrap()
                        .line)
                }
            };
            let at = chunk.offset as usize;
            assert_eq!(&data[at..at + chunk.bytes.len()], &chunk.bytes[..]);
            let lines = memchr_iter(b'\n', &data[..at]).count() as u64;
            assert_eq!(chunk.first_line, 1 + lines);
            let mut split = Splitter::new(&chunk.bytes);
            let mut rec = csv::ByteRecord::new();
            let mut exact = Vec::new();
            while let Some(step) = split.next_record(&mut rec) {
                let step = step.unwrap();
                let raw = &chunk.bytes[step.start..step.end];
                let start = records::leading_line_ends(raw);
                let fields = match step.malformed {
                    true => Err(raw[start..].split(|&b| b == b'\n').next().unwrap().to_vec()),
                    false => Ok(rec.iter().map(<[u8]>::to_vec).collect()),
                };
                exact.push((at + step.start + start, fields));
            }
            if chunk.plain {
                let mut rdr = simd_csv::ReaderBuilder::new()
                    .has_headers(false)
                    .flexible(true)
                    .from_reader(&chunk.bytes[..]);
                let mut rec = simd_csv::ByteRecord::new();
                let mut fast = Vec::new();
                while rdr.read_byte_record(&mut rec).unwrap() {
                    fast.push(Ok(rec.iter().map(<[u8]>::to_vec).collect()));
                }
                let fields: Vec<_> = exact.iter().map(|r| r.1.clone()).collect();
                assert_eq!(fast, fields, "{:?}", String::from_utf8_lossy(&chunk.bytes));
            }
            out.extend(exact);
        }
    }

    /// Reads in every chunk size agree with the read in one chunk.
    fn same_in_any_chunks(data: &[u8], max_record: usize) {
        let whole = records(data, data.len() + 1, max_record);
        for size in 1..=data.len().min(70) {
            assert_eq!(
                records(data, size, max_record),
                whole,
                "{:?} in chunks of {size}",
                String::from_utf8_lossy(data)
            );
        }
    }

    #[test]
    fn records_are_the_same_in_chunks_of_any_size_for_every_short_input() {
        // Every string of up to 6 bytes over the bytes that matter, and of up to 5 with a
        // record limit that some records pass.
        let alphabet = [b'"', b',', b'\r', b'\n', b'a'];
        for len in 0..=6u32 {
            for mut code in 0..5usize.pow(len) {
                let data: Vec<u8> = (0..len)
                    .map(|_| {
                        let b = alphabet[code % 5];
                        code /= 5;
                        b
                    })
                    .collect();
                same_in_any_chunks(&data, usize::MAX);
                if len < 6 {
                    same_in_any_chunks(&data, 3);
                }
            }
        }
    }

    #[test]
    fn records_are_the_same_in_chunks_of_any_size_for_hostile_rows() {
        // Rows mostly well quoted, with stray quotes, quotes after closing quotes, quoted line
        // breaks, CRLF and lone CRs.
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = move |n: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % n
        };
        for _ in 0..1500 {
            let mut data = Vec::new();
            for _ in 0..1 + next(8) {
                for f in 0..1 + next(4) {
                    if f > 0 {
                        data.push(b',');
                    }
                    let quoted = next(2) == 0;
                    if quoted {
                        data.push(b'"');
                    }
                    for _ in 0..next(6) {
                        data.extend_from_slice(match (next(12), quoted) {
                            (0, true) => b"\"\"",
                            (1, true) => b"\n",
                            (2, true) => b"\r\n",
                            (3, true) => b",",
                            _ => b"x",
                        });
                    }
                    if quoted {
                        data.push(b'"');
                    }
                }
                data.extend_from_slice(if next(4) == 0 { b"\r\n" } else { b"\n" });
            }
            for _ in 0..next(3) {
                // A stray or missing quote, a lone CR or a line break somewhere.
                let at = next(data.len() as u64 + 1) as usize;
                match next(4) {
                    0 if data.get(at) == Some(&b'"') => drop(data.remove(at)),
                    0 | 1 => data.insert(at, b'"'),
                    2 => data.insert(at, b'\r'),
                    _ => data.insert(at, b'\n'),
                }
            }
            same_in_any_chunks(&data, usize::MAX);
            same_in_any_chunks(&data, 1 + next(20) as usize);
        }
    }

    #[test]
    fn chunks_end_on_records_even_with_quoted_newlines() {
        let mut data = Vec::new();
        for i in 0..500 {
            data.extend_from_slice(format!("{i},\"a \"\"quoted\"\"\nline\",x\n").as_bytes());
        }
        let mut r = &data[..];
        let mut c = Chunker::new(&mut r, 100, 1 << 20, BufferPool::default());
        c.set_quoted(true);
        let mut all = Vec::new();
        let mut expected_line = 1;
        while let Some(chunk) = c.next_chunk().unwrap() {
            assert_eq!(chunk.first_line, expected_line);
            let text = String::from_utf8(chunk.bytes.clone()).unwrap();
            assert!(
                text.ends_with(",x\n"),
                "chunk must end on a record: {text:?}"
            );
            expected_line += text.matches('\n').count() as u64;
            assert_eq!(chunk.offset, all.len() as u64);
            all.extend(chunk.bytes);
        }
        assert_eq!(all, data);
    }

    /// Where each chunk starts in the stream, a byte order mark and a header skipped: another
    /// reader finds the chunk's bytes there (a file split across processes).
    #[test]
    fn chunks_know_where_they_start_in_the_stream() {
        let mut data = b"\xEF\xBB\xBFid,text\n".to_vec();
        for i in 0..20_000 {
            data.extend_from_slice(format!("{i},\"two\nlines\"\n").as_bytes());
        }
        let mut r = &data[..];
        let mut c = Chunker::new(&mut r, 1 << 16, 1 << 20, BufferPool::default());
        c.set_quoted(true);
        let header = c.peek_line().unwrap().len() + 1;
        c.skip(header, 1);
        let mut at = b"\xEF\xBB\xBFid,text\n".len();
        while let Some(chunk) = c.next_chunk().unwrap() {
            assert_eq!(chunk.offset as usize, at);
            assert_eq!(&data[at..at + chunk.bytes.len()], &chunk.bytes[..]);
            at += chunk.bytes.len();
        }
        assert_eq!(at, data.len());
    }
}
