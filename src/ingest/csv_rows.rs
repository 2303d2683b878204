//! The row loop shared by the CSV layouts, and the field readers their dialects need.

use super::chunk::RawChunk;
use super::records::{leading_line_ends, Splitter};
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
    /// Bit `n` set when a name is `n` bytes long (63 for 63 and more), and bit `b` when one
    /// starts with ASCII byte `b` (lowercased; 0 for any other): a row's first field is told
    /// from every name by these alone, a tweet id by its first digit.
    lengths: u64,
    starts: u128,
}

/// A row that is a header: the file's own, or its columns in another order.
#[derive(Debug, PartialEq)]
enum Repeat {
    Same,
    Reordered,
}

impl Header {
    pub fn new(names: &[String]) -> Header {
        Header {
            names: names.to_vec(),
            lengths: names.iter().fold(0, |m, n| m | 1 << n.len().min(63)),
            starts: names
                .iter()
                .fold(0, |m, n| m | 1 << first_byte(n.as_bytes())),
        }
    }

    pub fn width(&self) -> usize {
        self.names.len()
    }

    /// The column names, lowercased.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Whether the row is the header again, in its order or another.
    fn repeated_in(&self, rec: Fields) -> Option<Repeat> {
        if rec.len() != self.names.len() {
            return None;
        }
        let first = rec.get(0)?.trim_ascii();
        if self.lengths & 1 << first.len().min(63) == 0 || self.starts & 1 << first_byte(first) == 0
        {
            return None;
        }
        let name = |i: usize| rec.get(i).map(|f| String::from_utf8_lossy(f.trim_ascii()));
        // Every name once, each field taking the first name left that it is: in the header's
        // own order, field i takes name i.
        let (mut seen, mut same) = (vec![false; self.names.len()], true);
        for i in 0..rec.len() {
            let f = name(i)?;
            let at =
                (0..seen.len()).find(|&k| !seen[k] && f.eq_ignore_ascii_case(&self.names[k]))?;
            seen[at] = true;
            same &= at == i;
        }
        Some(if same {
            Repeat::Same
        } else {
            Repeat::Reordered
        })
    }
}

impl Repeat {
    /// The rejection of a row that is the header: the same columns in another order stop the
    /// run (see [`HEADER_REORDERED`]).
    fn rejection(self) -> RowError {
        match self {
            Repeat::Same => RowError::new(
                "header repeated mid-file",
                "",
                "data rows (files joined with their headers?)",
                "the header row",
            ),
            Repeat::Reordered => RowError::new(
                HEADER_REORDERED,
                "",
                "one header per file: split the file at this line and give both parts, each \
                 is read under its own header",
                "the header's columns in another order",
            ),
        }
    }
}

/// A name's first byte as [`Header::starts`] keeps it.
fn first_byte(name: &[u8]) -> u32 {
    match name.first() {
        Some(&b) if b.is_ascii() => b.to_ascii_lowercase() as u32,
        _ => 0,
    }
}

/// The reason a row is rejected when it is the file's header with its columns in another
/// order (files joined, each with its header): the rows after it would be read under the
/// first header's columns, their fields swapped, so such a row stops the run.
pub const HEADER_REORDERED: &str =
    "the header again, its columns in another order (rows after it would be misread)";

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
/// `simd-csv` takes as the start of a quoted field that runs on over later rows, and on a lone
/// CR, which only the `csv` crate takes as a line end. So only a chunk the cutter found plain
/// (see [`super::records`]) goes through `simd-csv`, and one with a record of the wrong width
/// is read again with the `csv` crate, so that bad input is reported the same way wherever it
/// falls.
pub fn parse(
    chunk: &RawChunk,
    header: &Header,
    batch: &mut RecordBatch,
    mut row: impl FnMut(&Row, &mut RecordBatch) -> RowResult<()>,
) {
    let utf8 = simdutf8::basic::from_utf8(&chunk.bytes).is_ok();
    let bytes_read = batch.bytes_read;
    if chunk.plain {
        if parse_fast(chunk, header, utf8, batch, &mut row) {
            return;
        }
        batch.clear();
        batch.bytes_read = bytes_read;
    }
    parse_exact(chunk, header, utf8, batch, &mut row);
}

/// `false` at the first record of the wrong width, leaving the batch to be cleared.
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
        if fields.len() != header.width() {
            return false;
        }
        let line = lines.at(start);
        if let Some(repeat) = header.repeated_in(fields) {
            batch.rows_read += 1;
            batch.reject(line, repeat.rejection());
            continue;
        }
        one_row(fields, line, utf8, batch, row);
    }
}

/// Every record as [`Splitter`] reads it: a record that breaks the quoting rules costs its own
/// first line only, and the lines after it are read again.
fn parse_exact(
    chunk: &RawChunk,
    header: &Header,
    utf8: bool,
    batch: &mut RecordBatch,
    row: &mut impl FnMut(&Row, &mut RecordBatch) -> RowResult<()>,
) {
    let mut split = Splitter::new(&chunk.bytes);
    let mut rec = csv::ByteRecord::new();
    let mut lines = Lines::new(chunk);
    let cut = super::ends_inside_a_record(chunk);
    // A broken record that runs to the end of a file cut short is refused as cut short.
    let reject = |batch: &mut RecordBatch, line: u64, end: usize, e: RowError| {
        batch.reject(line, e);
        if cut && end == chunk.bytes.len() {
            super::cut_short(batch.rejects.last_mut().expect("just pushed"));
        }
    };
    while let Some(step) = split.next_record(&mut rec) {
        let step = match step {
            Ok(step) => step,
            Err((start, e)) => {
                // Reading from memory cannot fail but for the parser's own limits.
                let line = lines.at(e.position().map_or(start, |p| p.byte() as usize));
                batch.rows_read += 1;
                batch.reject(
                    line,
                    RowError::new("unparseable CSV", "", "a CSV record", &e.to_string()),
                );
                break;
            }
        };
        let line = lines.at(rec.position().map_or(step.start, |p| p.byte() as usize));
        // Before the blank test: a malformed record's fields hold lines past its first, which
        // a chunk may end before (a lone `"` opening whitespace lines is not blank).
        if step.malformed {
            let raw = &chunk.bytes[step.start..step.end];
            let raw = &raw[leading_line_ends(raw)..];
            let first = raw.split(|&b| b == b'\n').next().unwrap_or_default();
            batch.rows_read += 1;
            reject(batch, line, step.end, malformed_quoting(first));
            continue;
        }
        if Fields::Exact(&rec).is_blank() {
            continue;
        }
        if let Some(repeat) = header.repeated_in(Fields::Exact(&rec)) {
            batch.rows_read += 1;
            batch.reject(line, repeat.rejection());
            continue;
        }
        if rec.len() != header.width() {
            batch.rows_read += 1;
            let found = format!(
                "{} fields where the header has {}",
                rec.len(),
                header.width()
            );
            let expected = "as many fields as the header";
            reject(
                batch,
                line,
                step.end,
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
    if !batch.read_record(line, |batch| row(&Row { rec, line, utf8 }, batch)) {
        return;
    }
    // A chunk not all UTF-8 (Latin-1, Windows-1252 exports): each row kept with its bytes
    // replaced is said, so a name read as `M\u{FFFD}ller` does not pass unseen.
    if !utf8 {
        let bad = (0..rec.len())
            .filter_map(|i| rec.get(i))
            .find(|f| simdutf8::basic::from_utf8(f).is_err());
        if let Some(f) = bad {
            batch.warn(
                line,
                RowError::new(
                    "text not in UTF-8 (row kept, the bytes replaced with U+FFFD)",
                    "",
                    ENCODING_HINT,
                    &String::from_utf8_lossy(f),
                ),
            );
        }
    }
}

/// What to do with a file in another encoding than UTF-8.
const ENCODING_HINT: &str = "UTF-8 text (the file is in another encoding: convert it first, e.g. \
                             `iconv -f WINDOWS-1252 -t UTF-8`, naming its own encoding)";

/// An id as written, refused when it is in float notation (`1.23390562780210E+18`,
/// `877919995476496385.0`): a spreadsheet or pandas turned it into a float, which holds 15 to
/// 17 digits, so an 18- or 19-digit id has lost its last ones and ids collide. Refused too
/// when it held bytes that are not UTF-8 ([`Row::get`] replaced them): `Иван` and `Петр` in
/// Windows-1251 would both read `����` and be one account.
pub fn id<'s>(s: &'s str, column: &'static str) -> RowResult<&'s str> {
    if s.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(s); // nearly every id: nothing of a float in it
    }
    if s.contains(char::REPLACEMENT_CHARACTER) {
        return Err(RowError::new("id not in UTF-8", column, ENCODING_HINT, s));
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

/// The rejection of a record that breaks the quoting rules, showing its first line.
fn malformed_quoting(first_line: &[u8]) -> RowError {
    let found = String::from_utf8_lossy(first_line);
    RowError::new(
        "malformed CSV quoting",
        "",
        "fields either wholly quoted (quotes inside doubled) or without quotes",
        found.trim_end(),
    )
}

/// Index of the column named `name` (headers are lowercased), if present. A name two columns
/// share is refused: which of them holds the data cannot be known, and reading the first
/// would read the wrong one without a word half the time.
pub fn column(header: &[String], name: &str) -> std::result::Result<Option<usize>, String> {
    let mut at = (header.iter().enumerate()).filter_map(|(i, h)| (h == name).then_some(i));
    match (at.next(), at.next()) {
        (Some(a), Some(b)) => Err(format!(
            "has two columns named '{name}' (columns {} and {} of its header), and which to read \
             cannot be told: rename or remove the one not meant",
            a + 1,
            b + 1
        )),
        (first, _) => Ok(first),
    }
}

/// Index of a column that must be present.
pub fn required(header: &[String], name: &str) -> std::result::Result<usize, String> {
    column(header, name)?
        .ok_or_else(|| format!("has no '{name}' column (columns: {})", header.join(", ")))
}

/// `true`/`True`/`TRUE`/`1` or `false`/`False`/`FALSE`/`0`; empty is `None`.
pub fn boolean(s: &str, column: &'static str) -> RowResult<Option<bool>> {
    match s {
        "" => Ok(None),
        "true" | "True" | "TRUE" | "1" | "1.0" => Ok(Some(true)),
        "false" | "False" | "FALSE" | "0" | "0.0" => Ok(Some(false)),
        _ => Err(RowError::new(
            "bad boolean",
            column,
            "true or false (or 1 or 0)",
            s,
        )),
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

/// A profile date that should not cost the row its tweet, as [`soft_count`]: empty is unknown,
/// malformed is unknown with a warning.
pub fn soft_date(
    s: &str,
    column: &'static str,
    expected: &'static str,
    line: u64,
    batch: &mut RecordBatch,
) -> Option<i64> {
    match super::time::parse_datetime(s) {
        Some((ms, _)) => Some(ms),
        None if s.is_empty() => None,
        None => {
            batch.warn(line, RowError::new("bad date", column, expected, s));
            None
        }
    }
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
    if inner.contains(", ") {
        inner
            .split(", ")
            .map(str::trim)
            .filter(|x| !x.is_empty())
            .for_each(f);
        return Ok(());
    }
    // Split at bare commas, but a piece after a link that does not start a link of its own
    // is the rest of that link (`[http://a.com/x,y]` is one URL).
    let is_link = |x: &str| x.contains("://") || x.starts_with("www.");
    let mut link: Option<usize> = None; // where the link being read starts
    let mut start = 0;
    for at in inner
        .match_indices(',')
        .map(|(at, _)| at)
        .chain([inner.len()])
    {
        let piece = inner[start..at].trim();
        if link.is_none() || is_link(piece) {
            if let Some(l) = link.take() {
                f(inner[l..start - 1].trim());
            }
            if is_link(piece) {
                link = Some(start);
            } else if !piece.is_empty() {
                f(piece);
            }
        }
        start = at + 1;
    }
    if let Some(l) = link {
        f(inner[l..].trim());
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
        assert_eq!(items("[a,b]").unwrap(), vec!["a", "b"]);
        assert_eq!(
            items("[http://a.com/x,y]").unwrap(),
            vec!["http://a.com/x,y"]
        );
        assert_eq!(
            items("[http://a.com/x,y,www.b.com/z,,http://c.com/]").unwrap(),
            vec!["http://a.com/x,y", "www.b.com/z,", "http://c.com/"]
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
