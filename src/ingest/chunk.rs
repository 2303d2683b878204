//! Cut a byte stream into chunks of whole records so they can be parsed in parallel.
//!
//! CSV records may hold quoted newlines. Inside a record written by a conforming writer,
//! quotes come in pairs (`""` escapes one), so a newline ends a record exactly when the
//! number of quotes before it, counted from a record boundary, is even. Counting quotes runs
//! at memory speed, far above the CSV parser's own speed, so finding boundaries is cheap.

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

/// The longest a quoted field is taken to run on over line breaks (see `past_stray_quote`).
const QUOTED_SPAN: usize = 1 << 20;

/// A run of whole records, the line its first byte is on, and where it starts in the stream.
pub struct RawChunk {
    pub first_line: u64,
    #[cfg_attr(not(feature = "distributed"), allow(dead_code))]
    pub offset: u64,
    pub bytes: Vec<u8>,
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
            chunk_size,
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

    /// The first line, whole, however long (for detecting JSON layouts).
    pub fn peek_line(&mut self) -> std::io::Result<&[u8]> {
        let mut want = 1 << 16;
        loop {
            self.peek(want)?;
            if let Some(end) = memchr::memchr(b'\n', &self.buf) {
                return Ok(&self.buf[..end]);
            }
            if self.eof {
                return Ok(&self.buf);
            }
            if self.buf.len() >= self.max_record {
                return Err(self.too_long());
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

    pub fn next_chunk(&mut self) -> std::io::Result<Option<RawChunk>> {
        let mut want = self.chunk_size;
        loop {
            self.fill(want)?;
            if self.buf.is_empty() {
                return Ok(None);
            }
            let boundary = if self.eof {
                Some(self.buf.len())
            } else {
                self.last_boundary().or_else(|| self.past_stray_quote())
            };
            if let Some(end) = boundary {
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
                }));
            }
            // One record is larger than a chunk: read on until it ends, up to the limit.
            if self.buf.len() >= self.max_record.max(self.chunk_size) {
                return Err(self.too_long());
            }
            want = self.buf.len() * 2;
        }
    }

    fn too_long(&self) -> std::io::Error {
        std::io::Error::other(RecordTooLong {
            line: self.next_line,
            limit: self.max_record,
        })
    }

    /// A quote never closed flips the parity of every line after it, so no boundary is ever
    /// found and the rest of the file would become one record. No real quoted field runs on
    /// for a megabyte, so past that the last newline is taken as a boundary: the CSV reader
    /// then refuses the line with the stray quote, and the lines after it are rows again.
    fn past_stray_quote(&self) -> Option<usize> {
        if !self.quoted || self.buf.len() < QUOTED_SPAN.max(2 * self.chunk_size) {
            return None;
        }
        memchr::memrchr(b'\n', &self.buf).map(|i| i + 1)
    }

    /// One past the last record-ending newline in the buffer.
    fn last_boundary(&self) -> Option<usize> {
        if !self.quoted {
            return memchr::memrchr(b'\n', &self.buf).map(|i| i + 1);
        }
        // Walk back from the last newline until one has an even number of quotes before it;
        // counting is vectorised, and the first candidate almost always holds.
        let mut end = memchr::memrchr(b'\n', &self.buf)?;
        let mut quotes = count_quotes(&self.buf[..end]);
        loop {
            if quotes.is_multiple_of(2) {
                return Some(end + 1);
            }
            let prev = memchr::memrchr(b'\n', &self.buf[..end])?;
            quotes -= count_quotes(&self.buf[prev..end]);
            end = prev;
        }
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

fn count_quotes(b: &[u8]) -> usize {
    memchr_iter(b'"', b).count()
}

#[cfg(test)]
mod tests {
    use super::*;

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
