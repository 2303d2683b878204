//! The row loop shared by the CSV layouts, and the field readers their dialects need.

use super::chunk::RawChunk;
use crate::dataset::batch::{trim, RecordBatch, RowError};
use std::borrow::Cow;

pub type RowResult<T> = std::result::Result<T, RowError>;

/// One CSV row: its fields and the line it starts on.
pub struct Row<'r> {
    pub rec: Fields<'r>,
    pub line: u64,
    /// The whole chunk is valid UTF-8, so every field is (checked once, not per field).
    pub utf8: bool,
}

/// A record from either reader.
#[derive(Clone, Copy)]
pub enum Fields<'r> {
    Fast(&'r simd_csv::ByteRecord),
    Exact(&'r csv::ByteRecord),
}

impl<'r> Fields<'r> {
    fn get(self, i: usize) -> Option<&'r [u8]> {
        match self {
            Fields::Fast(r) => r.get(i),
            Fields::Exact(r) => r.get(i),
        }
    }

    fn len(self) -> usize {
        match self {
            Fields::Fast(r) => r.len(),
            Fields::Exact(r) => r.len(),
        }
    }

    /// A blank line: one field of nothing but whitespace.
    fn is_blank(self) -> bool {
        self.len() == 1 && self.get(0).is_some_and(|f| f.trim_ascii().is_empty())
    }
}

impl<'r> Row<'r> {
    /// Field `i` as text (invalid UTF-8 is replaced, not fatal), trimmed; "" if absent.
    pub fn get(&self, i: Option<usize>) -> Cow<'r, str> {
        match i.and_then(|i| self.rec.get(i)) {
            Some(b) if self.utf8 => {
                // SAFETY: `utf8` is set only when the chunk holding this field is valid UTF-8,
                // and the CSV parser splits only at ASCII bytes (commas, quotes, newlines).
                Cow::Borrowed(trim(unsafe { std::str::from_utf8_unchecked(b) }))
            }
            Some(b) => match String::from_utf8_lossy(b) {
                Cow::Borrowed(s) => Cow::Borrowed(trim(s)),
                Cow::Owned(s) => Cow::Owned(trim(&s).to_string()),
            },
            None => Cow::Borrowed(""),
        }
    }
}

/// A file's header, as its columns are looked up (trimmed, lowercased): its width is every
/// row's, and a row that repeats it is a header copied in mid-file (the archive's
/// consolidated mirror has them), not data.
#[derive(Debug)]
pub struct Header {
    names: Vec<String>,
}

impl Header {
    pub fn new(names: &[String]) -> Header {
        Header {
            names: names.to_vec(),
        }
    }

    pub fn width(&self) -> usize {
        self.names.len()
    }

    fn repeated_in(&self, rec: Fields) -> bool {
        rec.len() == self.names.len()
            && (0..rec.len()).all(|i| {
                rec.get(i).is_some_and(|f| {
                    let f = String::from_utf8_lossy(f);
                    f.trim().eq_ignore_ascii_case(&self.names[i])
                })
            })
    }
}

/// The rejection of a header row repeated mid-file.
fn repeated_header() -> RowError {
    RowError::new(
        "header repeated mid-file",
        "",
        "data rows (files joined with their headers?)",
        "the header row",
    )
}

/// Line numbers of byte offsets, counted forward through a chunk (offsets only grow).
struct Lines<'c> {
    bytes: &'c [u8],
    offset: usize,
    line: u64,
}

impl<'c> Lines<'c> {
    fn new(chunk: &'c RawChunk) -> Lines<'c> {
        Lines {
            bytes: &chunk.bytes,
            offset: 0,
            line: chunk.first_line,
        }
    }

    /// The line of the record starting at or after `offset` (blank lines skipped).
    fn at(&mut self, mut offset: usize) -> u64 {
        while self
            .bytes
            .get(offset)
            .is_some_and(|b| matches!(b, b'\n' | b'\r'))
        {
            offset += 1;
        }
        let offset = offset.min(self.bytes.len()).max(self.offset);
        self.line += memchr::memchr_iter(b'\n', &self.bytes[self.offset..offset]).count() as u64;
        self.offset = offset;
        self.line
    }
}

/// Parse every row of `chunk` with `row`; rows with the wrong number of fields, or that `row`
/// rejects, are recorded with their line and leave nothing behind in the batch.
///
/// Chunks go through `simd-csv`, several times faster than the `csv` crate. The two read
/// well-formed CSV alike but part ways on a quote inside an unquoted field (`a,b"c,d`), which
/// `simd-csv` takes as the start of a quoted field that runs on over later rows; so a chunk
/// with a record of the wrong width is read again with the `csv` crate, and bad input is
/// reported exactly as before.
pub fn parse(
    chunk: &RawChunk,
    header: &Header,
    batch: &mut RecordBatch,
    mut row: impl FnMut(&Row, &mut RecordBatch) -> RowResult<()>,
) {
    let utf8 = simdutf8::basic::from_utf8(&chunk.bytes).is_ok();
    let bytes_read = batch.bytes_read;
    if !parse_fast(chunk, header, utf8, batch, &mut row) {
        batch.clear();
        batch.bytes_read = bytes_read;
        parse_exact(chunk, header, utf8, batch, &mut row);
    }
}

/// `false` at the first record of the wrong width or with broken quoting, leaving the batch
/// to be cleared.
fn parse_fast(
    chunk: &RawChunk,
    header: &Header,
    utf8: bool,
    batch: &mut RecordBatch,
    row: &mut impl FnMut(&Row, &mut RecordBatch) -> RowResult<()>,
) -> bool {
    let mut rdr = simd_csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(&chunk.bytes[..]);
    let mut rec = simd_csv::ByteRecord::new();
    let mut lines = Lines::new(chunk);
    loop {
        let start = rdr.position() as usize;
        match rdr.read_byte_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => return true,
            Err(_) => return false, // reading from memory: let the exact reader say what
        }
        let fields = Fields::Fast(&rec);
        if fields.is_blank() {
            continue;
        }
        let line = lines.at(start);
        let raw = &chunk.bytes[start..(rdr.position() as usize).min(chunk.bytes.len())];
        if fields.len() != header.width() || quoting(raw).is_some() {
            return false;
        }
        if header.repeated_in(fields) {
            batch.rows_read += 1;
            batch.reject(line, repeated_header());
            continue;
        }
        one_row(fields, line, utf8, batch, row);
    }
}

fn parse_exact(
    chunk: &RawChunk,
    header: &Header,
    utf8: bool,
    batch: &mut RecordBatch,
    row: &mut impl FnMut(&Row, &mut RecordBatch) -> RowResult<()>,
) {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(std::io::Cursor::new(&chunk.bytes[..]));
    let mut rec = csv::ByteRecord::new();
    let mut lines = Lines::new(chunk);
    loop {
        let start = rdr.position().byte() as usize;
        match rdr.read_byte_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                // Reading from memory cannot fail but for the parser's own limits.
                let line = lines.at(e.position().map_or(start, |p| p.byte() as usize));
                batch.rows_read += 1;
                batch.reject(
                    line,
                    RowError::new("unparseable CSV", "", "a CSV record", &e.to_string()),
                );
                break;
            }
        }
        let line = lines.at(rec.position().map_or(start, |p| p.byte() as usize));
        if Fields::Exact(&rec).is_blank() {
            continue;
        }
        let raw = &chunk.bytes
            [start.min(chunk.bytes.len())..(rdr.position().byte() as usize).min(chunk.bytes.len())];
        if let Some(e) = quoting(raw) {
            // The record costs its own first line only: a quote never closed would otherwise
            // join every line after it into one record. The lines after it are read again.
            let blank = raw
                .iter()
                .take_while(|b| matches!(b, b'\n' | b'\r'))
                .count();
            let raw = &raw[blank..];
            batch.rows_read += 1;
            match memchr::memchr(b'\n', raw) {
                Some(end) if end + 1 < raw.len() => {
                    let first = String::from_utf8_lossy(&raw[..end]);
                    let found = RowError::new("", "", "", first.trim_end()).found;
                    batch.reject(line, RowError { found, ..e });
                    let mut next = csv::Position::new();
                    next.set_byte((start + blank + end + 1) as u64);
                    if rdr.seek(next).is_err() {
                        break; // not for a reader in memory
                    }
                }
                _ => batch.reject(line, e),
            }
            continue;
        }
        if header.repeated_in(Fields::Exact(&rec)) {
            batch.rows_read += 1;
            batch.reject(line, repeated_header());
            continue;
        }
        if rec.len() != header.width() {
            batch.rows_read += 1;
            let found = format!("{} fields", rec.len());
            let expected = "as many fields as the header";
            batch.reject(
                line,
                RowError::new("wrong number of fields", "", expected, &found),
            );
            continue;
        }
        one_row(Fields::Exact(&rec), line, utf8, batch, row);
    }
}

fn one_row(
    rec: Fields,
    line: u64,
    utf8: bool,
    batch: &mut RecordBatch,
    row: &mut impl FnMut(&Row, &mut RecordBatch) -> RowResult<()>,
) {
    batch.rows_read += 1;
    let mark = batch.mark();
    if let Err(e) = row(&Row { rec, line, utf8 }, batch) {
        batch.rollback(mark);
        batch.reject(line, e);
    }
}

/// An id as written, refused when it is in float notation (`1.23390562780210E+18`,
/// `877919995476496385.0`): a spreadsheet or pandas turned it into a float, which holds 15 to
/// 17 digits, so an 18- or 19-digit id has lost its last ones and ids collide.
pub fn id<'s>(s: &'s str, column: &'static str) -> RowResult<&'s str> {
    if s.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(s); // nearly every id: nothing of a float in it
    }
    let floaty = s.bytes().any(|b| matches!(b, b'.' | b'e' | b'E'))
        && s.bytes().any(|b| b.is_ascii_digit())
        && s.bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'));
    if floaty {
        return Err(RowError::new(
            "id in float notation",
            column,
            "an id written out in full (a spreadsheet or pandas made it a float and cut its last digits)",
            s,
        ));
    }
    Ok(s)
}

/// Whether a record's raw bytes quote by the rules: a field is either wholly quoted (quotes
/// inside doubled) or holds no quote at all. The CSV readers take a stray quote
/// (`"unterminated"123,...`, `a"b`) as part of a field; such a row's fields cannot be trusted.
///
/// Quotes alternate in parity, counted from the record's start. One with an even count before
/// it opens a field or is the second of a doubled pair, so the byte before it is a separator,
/// a quote or the start; one with an odd count closes a field or starts a doubled pair, so the
/// byte after it is a separator, a quote or the end; and the count ends even. These rules are
/// checked 64 bytes at a time on bit masks (SSE2 byte comparisons on x86-64): archive rows
/// quote every field, and visiting quote by quote was a quarter of parsing them.
fn well_quoted(raw: &[u8]) -> bool {
    // Parity of every quote so far, and whether the last byte was a separator or a quote
    // (the start counts as one): carried from block to block.
    let mut odd = false;
    let mut last_bounds = true;
    let mut pending_close = false;
    let mut padded = [b','; 64];
    for chunk in raw.chunks(64) {
        let block: &[u8; 64] = match chunk.try_into() {
            Ok(b) => b,
            Err(_) => {
                // The end reads as a separator, which is what it is to a field.
                padded[..chunk.len()].copy_from_slice(chunk);
                &padded
            }
        };
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `masks` needs SSE2, which is part of x86-64 itself.
        let (quotes, separators) = unsafe { masks(block) };
        #[cfg(not(target_arch = "x86_64"))]
        let (quotes, separators) = masks(block);
        let bounds = quotes | separators;
        // Inclusive prefix parity of the quotes, flipped if an odd count came before.
        let mut parity = quotes;
        for shift in [1, 2, 4, 8, 16, 32] {
            parity ^= parity << shift;
        }
        if odd {
            parity = !parity;
        }
        let opening = quotes & parity; // even count before
        let closing = quotes & !parity; // odd count before
        if pending_close && bounds & 1 == 0 {
            return false;
        }
        let before = (bounds << 1) | last_bounds as u64;
        if opening & !before != 0 {
            return false;
        }
        // The last byte's successor is in the next block: checked there.
        let after = bounds >> 1;
        if closing & !after & !(1 << 63) != 0 {
            return false;
        }
        pending_close = closing >> 63 == 1;
        odd = parity >> 63 == 1;
        last_bounds = bounds >> 63 == 1;
    }
    !odd
}

/// Bit masks of a block's quotes and of its separators (comma, CR, LF), bit i for byte i.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "sse2")]
fn masks(block: &[u8; 64]) -> (u64, u64) {
    use std::arch::x86_64::*; // SSE2, which every x86-64 has
    let (mut quotes, mut separators) = (0, 0);
    for (k, part) in block.chunks_exact(16).enumerate() {
        let half = |i: usize| i64::from_le_bytes(part[i..i + 8].try_into().unwrap());
        let v = _mm_set_epi64x(half(8), half(0));
        let eq = |b: u8| _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(b as i8))) as u64;
        quotes |= eq(b'"') << (16 * k);
        separators |= (eq(b',') | eq(b'\r') | eq(b'\n')) << (16 * k);
    }
    (quotes, separators)
}

#[cfg(not(target_arch = "x86_64"))]
fn masks(block: &[u8; 64]) -> (u64, u64) {
    block.iter().enumerate().fold((0, 0), |(q, s), (i, &b)| {
        (
            q | ((b == b'"') as u64) << i,
            s | (matches!(b, b',' | b'\r' | b'\n') as u64) << i,
        )
    })
}

/// The rejection of a row that breaks the quoting rules, if it does.
fn quoting(raw: &[u8]) -> Option<RowError> {
    (!well_quoted(raw)).then(|| {
        let found = String::from_utf8_lossy(raw);
        RowError::new(
            "malformed CSV quoting",
            "",
            "fields either wholly quoted (quotes inside doubled) or without quotes",
            found.trim_end(),
        )
    })
}

/// Index of the column named `name` (headers are lowercased), if present.
pub fn column(header: &[String], name: &str) -> Option<usize> {
    header.iter().position(|h| h == name)
}

/// Index of a column that must be present.
pub fn required(header: &[String], name: &str) -> std::result::Result<usize, String> {
    column(header, name)
        .ok_or_else(|| format!("has no '{name}' column (columns: {})", header.join(", ")))
}

/// `true`/`True`/`TRUE`/`1` or `false`/`False`/`FALSE`/`0`; empty is `None`.
pub fn boolean(s: &str, column: &'static str) -> RowResult<Option<bool>> {
    match s {
        "" => Ok(None),
        "true" | "True" | "TRUE" | "1" | "1.0" => Ok(Some(true)),
        "false" | "False" | "FALSE" | "0" | "0.0" => Ok(Some(false)),
        _ => Err(RowError::new("bad boolean", column, "true or false", s)),
    }
}

/// A count written `12` or `12.0`; empty is `None`. Never through floats.
pub fn count(s: &str, column: &'static str) -> RowResult<Option<u32>> {
    if s.is_empty() {
        return Ok(None);
    }
    let int = s.strip_suffix(".0").unwrap_or(s);
    int.parse::<u32>()
        .map(Some)
        .map_err(|_| RowError::new("bad count", column, "a whole number like 12 or 12.0", s))
}

/// A profile count that should not cost the row its tweet: malformed means unknown, with a
/// warning (an error under --strict).
pub fn soft_count(
    s: &str,
    column: &'static str,
    line: u64,
    batch: &mut RecordBatch,
) -> Option<u32> {
    count(s, column).unwrap_or_else(|e| {
        batch.warn(line, e);
        None
    })
}

/// A list as the archive writes it: `[a, b]`, `['a', 'b']`, `[]` or empty.
pub fn list(s: &str, column: &'static str, mut f: impl FnMut(&str)) -> RowResult<()> {
    if s.is_empty() || s == "[]" {
        return Ok(());
    }
    let inner = s
        .strip_prefix('[')
        .and_then(|x| x.strip_suffix(']'))
        .ok_or_else(|| RowError::new("bad list", column, "a list like [a, b] or ['a', 'b']", s))?
        .trim();
    if inner.is_empty() {
        return Ok(());
    }
    if inner.starts_with(['\'', '"']) {
        return quoted_list(inner, column, s, f);
    }
    // Unquoted (2018) lists: Python joined items with ", "; URLs may hold bare commas.
    let sep = if inner.contains(", ") { ", " } else { "," };
    for item in inner.split(sep) {
        let item = item.trim();
        if !item.is_empty() {
            f(item);
        }
    }
    Ok(())
}

fn quoted_list(
    inner: &str,
    column: &'static str,
    whole: &str,
    mut f: impl FnMut(&str),
) -> RowResult<()> {
    let bad = || RowError::new("bad list", column, "a list like ['a', 'b']", whole);
    let mut chars = inner.chars().peekable();
    let mut item = String::new();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        let Some(q) = chars.next() else { return Ok(()) };
        if q != '\'' && q != '"' {
            return Err(bad());
        }
        item.clear();
        loop {
            match chars.next() {
                None => return Err(bad()),
                Some('\\') => item.push(chars.next().ok_or_else(bad)?),
                Some(c) if c == q => break,
                Some(c) => item.push(c),
            }
        }
        if !item.is_empty() {
            f(&item);
        }
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        match chars.next() {
            None => return Ok(()),
            Some(',') => {}
            Some(_) => return Err(bad()),
        }
    }
}

#[cfg(test)]
mod tests {

    /// The quoting rules walked byte by byte, as a state machine: what `well_quoted` must
    /// agree with.
    fn well_quoted_bytewise(raw: &[u8]) -> bool {
        #[derive(PartialEq)]
        enum S {
            Start,
            Bare,
            Quoted,
            QuoteInQuoted,
        }
        let mut s = S::Start;
        for &b in raw {
            s = match (s, b) {
                (S::Start, b'"') => S::Quoted,
                (S::Start | S::Bare, b',' | b'\r' | b'\n') => S::Start,
                (S::Start | S::Bare, _) if b == b'"' => return false,
                (S::Start | S::Bare, _) => S::Bare,
                (S::Quoted, b'"') => S::QuoteInQuoted,
                (S::Quoted, _) => S::Quoted,
                (S::QuoteInQuoted, b'"') => S::Quoted,
                (S::QuoteInQuoted, b',' | b'\r' | b'\n') => S::Start,
                (S::QuoteInQuoted, _) => return false,
            };
        }
        s != S::Quoted
    }

    #[test]
    fn quotes_are_checked_as_the_bytewise_rules_say() {
        // Every string of up to 7 bytes over the bytes that matter.
        let alphabet = [b'"', b',', b'\r', b'\n', b'a'];
        let mut checked = 0;
        for len in 0..=7u32 {
            for mut code in 0..5usize.pow(len) {
                let raw: Vec<u8> = (0..len)
                    .map(|_| {
                        let b = alphabet[code % 5];
                        code /= 5;
                        b
                    })
                    .collect();
                assert_eq!(
                    well_quoted(&raw),
                    well_quoted_bytewise(&raw),
                    "{:?}",
                    String::from_utf8_lossy(&raw)
                );
                checked += 1;
            }
        }
        assert_eq!(checked, 97_656);
    }

    #[test]
    fn quotes_are_checked_across_blocks_as_the_bytewise_rules_say() {
        // Long records, mostly well quoted, with the bytes that matter at every offset of the
        // 64-byte blocks.
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let (mut good, mut bad) = (0, 0);
        for _ in 0..20_000 {
            let mut raw = Vec::new();
            let fields = 1 + next() % 12;
            for f in 0..fields {
                if f > 0 {
                    raw.push(b',');
                }
                let len = next() % 40;
                let quoted = next() % 2 == 0;
                if quoted {
                    raw.push(b'"');
                }
                for _ in 0..len {
                    raw.push(match next() % 9 {
                        0 if quoted => b'"',
                        0 => b'a',
                        1 if quoted => b',',
                        _ => b'a',
                    });
                    if quoted && raw.last() == Some(&b'"') {
                        raw.push(b'"');
                    }
                }
                if quoted {
                    raw.push(b'"');
                }
            }
            raw.push(b'\n');
            if next() % 3 == 0 {
                // A stray or missing quote somewhere.
                let at = (next() % raw.len() as u64) as usize;
                if raw[at] == b'"' {
                    raw.remove(at);
                } else {
                    raw.insert(at, b'"');
                }
            }
            let expected = well_quoted_bytewise(&raw);
            assert_eq!(
                well_quoted(&raw),
                expected,
                "{:?}",
                String::from_utf8_lossy(&raw)
            );
            if expected {
                good += 1;
            } else {
                bad += 1;
            }
        }
        assert!(good > 10_000 && bad > 3_000, "{good} {bad}");
    }

    use super::*;

    fn items(s: &str) -> RowResult<Vec<String>> {
        let mut v = Vec::new();
        list(s, "hashtags", |x| v.push(x.to_string()))?;
        Ok(v)
    }

    #[test]
    fn both_list_dialects() {
        assert_eq!(items("").unwrap(), Vec::<String>::new());
        assert_eq!(items("[]").unwrap(), Vec::<String>::new());
        assert_eq!(items("[maga, tcot]").unwrap(), vec!["maga", "tcot"]);
        assert_eq!(items("[2572896396]").unwrap(), vec!["2572896396"]);
        assert_eq!(items("['maga', 'tcot']").unwrap(), vec!["maga", "tcot"]);
        assert_eq!(items(r#"['it\'s', "a,b"]"#).unwrap(), vec!["it's", "a,b"]);
        assert_eq!(
            items("[http://a.com/x,y]").unwrap(),
            vec!["http://a.com/x", "y"]
        );
        assert_eq!(
            items("[http://a.com/x,y, http://b.com]").unwrap(),
            vec!["http://a.com/x,y", "http://b.com"]
        );
        assert!(items("maga").is_err());
        assert!(items("['unterminated]").is_err());
    }

    #[test]
    fn booleans_and_counts() {
        assert_eq!(boolean("True", "c").unwrap(), Some(true));
        assert_eq!(boolean("false", "c").unwrap(), Some(false));
        assert!(boolean("yes", "c").is_err());
        assert_eq!(count("12.0", "c").unwrap(), Some(12));
        assert_eq!(count("", "c").unwrap(), None);
        assert!(count("1.5", "c").is_err());
    }
}
