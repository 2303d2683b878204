//! Inputs: files, directories or globs; plain, gzip, zstd or zip (each zip entry is an input
//! of its own). Readers are handed out one at a time so a zip entry can borrow its archive.
//! `zipped` lists and opens zip entries; `decompress` reads through gzip and zstd.

use crate::error::{Error, Result};
use crate::progress::Progress;
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

mod decompress;
mod zipped;

use decompress::*;
pub(crate) use decompress::{bytes_compressed, with_bytes_decompressed};
use zipped::*;

/// One input stream: a file, or one entry of a zip archive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Source {
    pub path: PathBuf,
    /// Index of the entry inside a zip archive.
    pub zip_entry: Option<(usize, String)>,
    /// Found by walking a folder, not named: one whose layout is not recognised (notes or an
    /// answer key beside the data) is left out with a warning rather than stopping the run.
    pub found: bool,
}

impl Source {
    /// The name to show in messages: `archive.zip!/entry.csv` for zip entries.
    pub fn display_path(&self) -> PathBuf {
        match &self.zip_entry {
            Some((_, name)) => PathBuf::from(format!("{}!/{}", self.path.display(), name)),
            None => self.path.clone(),
        }
    }
}

/// Where standard input is read from: given as `-`.
const STDIN: &str = "/dev/stdin";

/// Files found under `inputs`: directories are walked (sorted, hidden files skipped), globs
/// expanded, zip archives listed entry by entry. A name that matches nothing is an error.
pub fn expand(inputs: &[PathBuf]) -> Result<Vec<Source>> {
    expand_noting(inputs).map(|(sources, _)| sources)
}

/// An input found but not read, and why.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Skipped {
    pub path: PathBuf,
    pub why: String,
}

/// [`expand`], also giving what was found and left out: zip entries and files in folders
/// that are not data files by their names, compressed files and zips inside a zip, a file
/// given twice (by name, link, folder or a copy's name: its rows would count twice), and
/// folders reached again through a link (a link to a folder above would never end).
pub fn expand_noting(inputs: &[PathBuf]) -> Result<(Vec<Source>, Vec<Skipped>)> {
    let mut files = Vec::new();
    let mut skipped = Vec::new();
    let mut walked = std::collections::HashSet::new();
    for input in inputs {
        // `-` is standard input, as in most tools, read as the stream it is.
        let input = match input.as_os_str() == "-" && !input.exists() {
            true => &PathBuf::from(STDIN),
            false => input,
        };
        let s = input.to_string_lossy();
        if !input.exists() && s.contains(['*', '?', '[']) {
            let paths =
                glob::glob(&s).map_err(|e| Error::config(format!("bad glob '{s}': {e}")))?;
            let mut found: Vec<PathBuf> = paths.filter_map(|p| p.ok()).collect();
            found.sort();
            let before = files.len();
            // A file a glob matches counts as named, as it would if the shell expanded it.
            for p in found {
                if p.is_dir() {
                    let before = (files.len(), skipped.len());
                    walk(&p, &mut files, &mut skipped, &mut walked)?;
                    // Empty, not said otherwise (files left out, a folder reached again).
                    if (files.len(), skipped.len()) == before {
                        let why = format!("a folder '{s}' matches that holds no input files");
                        skipped.push(Skipped { path: p, why });
                    }
                } else if p.is_file() {
                    files.push((p, false));
                }
            }
            if files.len() == before {
                return Err(Error::config(format!("'{s}' matches no file")));
            }
        } else if input.is_dir() {
            let before = (files.len(), skipped.len());
            walk(input, &mut files, &mut skipped, &mut walked)?;
            if files.len() == before.0 {
                let passed: Vec<String> = (skipped[before.1..].iter())
                    .map(|k| k.path.to_string_lossy().into_owned())
                    .collect();
                let passed = match passed.len() {
                    0 => String::new(),
                    n => format!(
                        "; passed over {n}: {}{} (name a file to read it whatever its name)",
                        passed[..n.min(5)].join(", "),
                        if n > 5 { ", ..." } else { "" }
                    ),
                };
                return Err(Error::config(format!(
                    "directory '{s}' holds no input files (data files are named {INPUT_NAMES}){passed}"
                )));
            }
        } else if input.is_file() || is_stream(input) {
            files.push((input.clone(), false));
        } else {
            let e = std::io::Error::new(std::io::ErrorKind::NotFound, "no such file or directory");
            return Err(Error::io(input, e));
        }
    }
    let files = read_once(files, &mut skipped)?;
    let kinds: Vec<Option<Compression>> = (files.iter())
        .map(|(path, _)| (!is_stream(path)).then(|| compression(path)).transpose())
        .collect::<Result<_>>()?;
    // Plain files by name and size: a zip entry that is one of them, unzipped beside it, is
    // read once.
    let mut plain = std::collections::HashMap::new();
    for ((path, _), kind) in files.iter().zip(&kinds) {
        if let (Some(Compression::None), Some(name)) = (kind, path.file_name()) {
            let len = std::fs::metadata(path)
                .map_err(|e| Error::io(path, e))?
                .len();
            plain.entry((name.to_os_string(), len)).or_insert(path);
        }
    }
    let mut sources = Vec::new();
    for ((path, found), kind) in files.iter().zip(&kinds) {
        if *kind == Some(Compression::Zip) {
            // A zip holds files as a folder does: its entries are found, not named, named
            // or not itself.
            let (entries, left_out) = zip_entries(path)?;
            for (entry, size) in entries {
                let Some((index, name)) = &entry.zip_entry else {
                    continue;
                };
                let base = name.rsplit('/').next().unwrap_or(name);
                let copy = plain.get(&(base.into(), size));
                if let Some(&copy) = copy {
                    let hash = with_zip_entry(path, *index, |r| sha256_of(path, r))?;
                    if hash == sha256(copy)? {
                        skipped.push(Skipped {
                            path: entry.display_path(),
                            why: format!("the same content as {}, read once", copy.display()),
                        });
                        continue;
                    }
                }
                sources.push(entry);
            }
            skipped.extend(left_out.into_iter().map(|n| Skipped {
                path: PathBuf::from(format!("{}!/{n}", path.display())),
                why: "not a data file by its name, or compressed inside the zip".into(),
            }));
        } else {
            sources.push(Source {
                path: path.clone(),
                zip_entry: None,
                found: *found,
            });
        }
    }
    Ok((sources, skipped))
}

/// Each of `files` once, however it is reached: by path (a link, a folder and a file in it)
/// or by content (a copy under another name). Its rows would count twice, and a layout with
/// no tweet id (the IRA's) gives no way to find them afterwards. Only files of one size can be
/// copies, so only those (rare) are hashed before reading.
fn read_once(
    files: Vec<(PathBuf, bool)>,
    skipped: &mut Vec<Skipped>,
) -> Result<Vec<(PathBuf, bool)>> {
    use std::collections::HashMap;
    let mut by_path: HashMap<PathBuf, PathBuf> = HashMap::new();
    let mut sizes: HashMap<u64, usize> = HashMap::new();
    let mut kept = Vec::with_capacity(files.len());
    let mut streams: Vec<PathBuf> = Vec::new();
    for (path, found) in files {
        let mut size = None;
        if is_stream(&path) {
            // A stream given again (`-` twice) would read as empty: what it held came once.
            if streams.contains(&path) {
                let why = "given again (a stream is read once)".to_string();
                skipped.push(Skipped { path, why });
                continue;
            }
            streams.push(path.clone());
        } else {
            let real = path.canonicalize().map_err(|e| Error::io(&path, e))?;
            if let Some(first) = by_path.get(&real) {
                let why = format!("the same file as {}, read once", first.display());
                skipped.push(Skipped { path, why });
                continue;
            }
            by_path.insert(real, path.clone());
            let len = std::fs::metadata(&path)
                .map_err(|e| Error::io(&path, e))?
                .len();
            // Empty files hold no rows to count twice.
            if len > 0 {
                *sizes.entry(len).or_default() += 1;
                size = Some(len);
            }
        }
        kept.push((path, found, size));
    }
    let mut by_content: HashMap<String, PathBuf> = HashMap::new();
    let mut out = Vec::with_capacity(kept.len());
    for (path, found, size) in kept {
        if size.is_some_and(|len| sizes[&len] > 1) {
            let hash = sha256(&path)?;
            if let Some(first) = by_content.get(&hash) {
                let why = format!(
                    "the same content as {} (SHA-256 {hash}), read once",
                    first.display()
                );
                skipped.push(Skipped { path, why });
                continue;
            }
            by_content.insert(hash, path.clone());
        }
        out.push((path, found));
    }
    // A file beside its own compressed copy (`tweets.csv` and `tweets.csv.gz`, one folder
    // given): the copy once decompressed, compared only where both names are there. Read
    // twice, rows without tweet ids (IRA's layout) would all count twice, unseen.
    let plain: std::collections::HashSet<PathBuf> = out.iter().map(|f| f.0.clone()).collect();
    let mut copies = Vec::new();
    for (i, (path, _)) in out.iter().enumerate() {
        let stem = path.with_extension("");
        let compressed = matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("gz" | "zst")
        );
        let beside = compressed && plain.contains(&stem) && !is_stream(path) && !is_stream(&stem);
        if beside && sha256(&stem)? == sha256_decompressed(path)? {
            copies.push(i);
            let why = format!(
                "the same content as {} once decompressed, read once",
                stem.display()
            );
            skipped.push(Skipped {
                path: path.clone(),
                why,
            });
        }
    }
    for i in copies.into_iter().rev() {
        out.remove(i);
    }
    Ok(out)
}

/// The SHA-256 of what the file at `path` holds, decompressed.
fn sha256_decompressed(path: &Path) -> Result<String> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    read_decompressed(path, file, |r| sha256_of(path, r))
}

/// The SHA-256 of the file at `path` as it is on disk, as `sha256sum` prints it.
fn sha256(path: &Path) -> Result<String> {
    let mut file = File::open(path).map_err(|e| Error::io(path, e))?;
    sha256_of(path, &mut file)
}

/// The SHA-256 of what `r` (read from `path`) yields, as `sha256sum` prints it.
fn sha256_of(path: &Path, r: &mut dyn Read) -> Result<String> {
    let mut hash = Sha256::new();
    std::io::copy(r, &mut hash).map_err(|e| Error::io(path, e))?;
    Ok(hex(hash))
}

fn walk(
    dir: &Path,
    out: &mut Vec<(PathBuf, bool)>,
    skipped: &mut Vec<Skipped>,
    walked: &mut std::collections::HashSet<PathBuf>,
) -> Result<()> {
    let real = dir.canonicalize().map_err(|e| Error::io(dir, e))?;
    if !walked.insert(real) {
        skipped.push(Skipped {
            path: dir.to_path_buf(),
            why: "a folder already read (reached again through a link)".into(),
        });
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            !p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out, skipped, walked)?;
        } else if is_input_name(&p) {
            out.push((p, true));
        } else {
            skipped.push(Skipped {
                path: p,
                why: format!("not a data file by its name ({INPUT_NAMES})"),
            });
        }
    }
    Ok(())
}

/// The names of the files a folder's walk reads, as messages say them.
const INPUT_NAMES: &str = ".csv, .json, .jsonl, .ndjson or .zip, plain, .gz or .zst";

/// `p`'s file name, lower case, without a compression extension.
fn data_name(p: &Path) -> String {
    let name = p
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    name.trim_end_matches(".gz")
        .trim_end_matches(".zst")
        .to_string()
}

fn is_input_name(p: &Path) -> bool {
    let name = data_name(p);
    [".csv", ".json", ".jsonl", ".ndjson", ".zip"]
        .iter()
        .any(|ext| name.ends_with(ext))
}

/// Whether `p` is named as JSON lines (`.jsonl`, `.ndjson`), compressed or not: its first
/// line may then be a record's cut-off end, and is still JSON lines.
pub fn named_json_lines(p: &Path) -> bool {
    let name = data_name(p);
    name.ends_with(".jsonl") || name.ends_with(".ndjson")
}

/// How an input file is compressed, by its name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compression {
    None,
    Gzip,
    Zstd,
    Zip,
}

/// Compression by magic bytes, whatever the file is named.
pub fn compression(path: &Path) -> Result<Compression> {
    let mut magic = [0u8; 4];
    let mut f = File::open(path).map_err(|e| Error::io(path, e))?;
    let n = read_full(&mut f, &mut magic).map_err(|e| Error::io(path, e))?;
    Ok(compression_of(&magic[..n]))
}

/// Compression by a stream's first (up to 4) bytes.
fn compression_of(magic: &[u8]) -> Compression {
    match magic {
        [0x1f, 0x8b, ..] => Compression::Gzip,
        [0x28, 0xb5, 0x2f, 0xfd] => Compression::Zstd,
        [b'P', b'K', 3, 4] | [b'P', b'K', 5, 6] => Compression::Zip,
        _ => Compression::None,
    }
}

/// What a file is, by its first (up to 4) bytes, when it is something coordnet does not
/// read and would otherwise misname (a bzip2 file's bytes read as lone carriage returns, UTF-16
/// as a CSV of an unknown layout): what it is and how to make it readable.
fn unread(magic: &[u8]) -> Option<&'static str> {
    let ascii = |b: u8| b.is_ascii_graphic() || b == b' ';
    Some(match magic {
        [b'B', b'Z', b'h', b'1'..=b'9'] => {
            "is compressed with bzip2, which coordnet does not read: decompress it \
             (`bunzip2 -k FILE`) or recompress it with gzip or zstd"
        }
        [0xfd, b'7', b'z', b'X'] => {
            "is compressed with xz, which coordnet does not read: decompress it (`unxz -k \
             FILE`) or recompress it with gzip or zstd"
        }
        [b'7', b'z', 0xbc, 0xaf] => {
            "is a 7-Zip archive, which coordnet does not read: extract it (`7z x FILE`), or \
             make it a zip"
        }
        [0xff, 0xfe, ..] | [0xfe, 0xff, ..] => {
            "is UTF-16 text (it starts with a UTF-16 byte-order mark): convert it to UTF-8 \
             (`iconv -f UTF-16 -t UTF-8 FILE`)"
        }
        [a, 0, b, 0] | [0, a, 0, b] if ascii(*a) && ascii(*b) => {
            "is UTF-16 text (every other byte is zero): convert it to UTF-8 (`iconv -f \
             UTF-16LE -t UTF-8 FILE`, or UTF-16BE)"
        }
        _ => return None,
    })
}

/// What a file's contents are, after any decompression, by their first bytes (and its first
/// line, `first`), when they are not records: an archive or a second compression inside a
/// `.gz` or `.zst`, or binary data. Each read as text was misnamed (a tar's header listed as
/// missing columns, a program as lone carriage returns).
pub(crate) fn contents_unread(head: &[u8], first: &[u8]) -> Option<&'static str> {
    if let Some(what) = unread(&head[..head.len().min(4)]) {
        return Some(what);
    }
    Some(match head {
        _ if head.get(257..262) == Some(b"ustar") => {
            "is a tar archive: extract it (`tar xf FILE`) and give the folder, or the files \
             it holds"
        }
        [b'P', b'K', 3, 4, ..] => {
            "holds a zip archive inside its compression: decompress it once (`gunzip -k FILE` \
             or `unzstd FILE`) and give the zip"
        }
        [0x1f, 0x8b, ..] | [0x28, 0xb5, 0x2f, 0xfd, ..] => {
            "is compressed twice: decompress it once (`gunzip -k FILE` or `unzstd FILE`) and \
             give what that writes"
        }
        // A header or a JSON line holds no control bytes but tabs and line ends (JSON writes
        // others escaped); random bytes hold a lone CR as often, and were misnamed by it.
        _ if first[..first.len().min(512)]
            .iter()
            .any(|&b| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) || b == 0x7f) =>
        {
            "is not text: its first line holds NUL or other control bytes (a program, an image, \
             a database?); give CSV or JSON-lines files"
        }
        _ => return None,
    })
}

/// A named pipe or a device such as `/dev/stdin`: read once, as it comes, never reopened
/// (opening it again would lose what the first opening read).
pub(crate) fn is_stream(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir())
}

/// Read until `buf` is full or the stream ends; the number of bytes read.
pub(crate) fn read_full(r: &mut dyn Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// About how many bytes `source` holds once decompressed (gzip and zstd taken as 5:1, zip
/// entries as unknown): enough to size the dataset's columns before they fill.
pub fn expected_bytes(source: &Source) -> u64 {
    if source.zip_entry.is_some() || is_stream(&source.path) {
        return 0;
    }
    let len = std::fs::metadata(&source.path).map_or(0, |m| m.len());
    match compression(&source.path) {
        Ok(Compression::None) => len,
        Ok(Compression::Gzip | Compression::Zstd) => len.saturating_mul(5),
        _ => 0,
    }
}

/// Whether `source` is a file on disk read as it is stored (not compressed, not a zip entry,
/// not a pipe): one that can be cut into chunks by more than one reader alike.
pub fn is_plain_file(source: &Source) -> bool {
    source.zip_entry.is_none()
        && !is_stream(&source.path)
        && compression(&source.path).is_ok_and(|c| c == Compression::None)
}

/// Bytes of `source` on disk, as read (a zip entry's archive is not counted).
pub fn size_on_disk(source: &Source) -> u64 {
    match source.zip_entry {
        Some(_) => 0,
        None => std::fs::metadata(&source.path).map_or(0, |m| m.len()),
    }
}

/// Open `source` decompressed and hand its reader to `f`.
pub fn with_reader<T>(source: &Source, f: impl FnOnce(&mut dyn Read) -> Result<T>) -> Result<T> {
    with_reader_hashed(source, &crate::progress::Silent, f).map(|(t, _)| t)
}

/// [`with_reader`], also giving the SHA-256 of the file as it is on disk (as `sha256sum`
/// prints it), taken while it is read; for a zip entry, of the whole archive. `progress`
/// advances by the bytes read from disk.
pub fn with_reader_hashed<T>(
    source: &Source,
    progress: &dyn Progress,
    f: impl FnOnce(&mut dyn Read) -> Result<T>,
) -> Result<(T, String)> {
    let path = &source.path;
    if let Some((index, _)) = &source.zip_entry {
        let t = with_zip_entry(path, *index, f)?;
        return Ok((t, sha256(path)?));
    }
    let mut hash = Sha256::new();
    let file = Hashing {
        inner: File::open(path).map_err(|e| Error::io(path, e))?,
        hash: &mut hash,
        progress,
    };
    let t = read_decompressed(path, file, f)?;
    Ok((t, hex(hash)))
}

/// A reader that hashes what passes through it.
struct Hashing<'h, R> {
    inner: R,
    hash: &'h mut Sha256,
    progress: &'h dyn Progress,
}

impl<R: Read> Read for Hashing<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hash.update(&buf[..n]);
        self.progress.advance(n as u64);
        Ok(n)
    }
}

fn hex(hash: Sha256) -> String {
    hash.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// A stream with its CRLF line ends read as LF. The `csv` crate places a record of a CRLF
/// file on the line before its own (an account list or an edge list saved by Excel or
/// Python's `csv` module named line 1, the header, for a row on line 2); with LF ends it
/// counts right. A CR not before an LF is left as it is.
pub struct CrlfAsLf<R> {
    inner: R,
    buf: Vec<u8>,
    pos: usize,
    len: usize,
    eof: bool,
}

impl<R: Read> CrlfAsLf<R> {
    pub fn new(inner: R) -> CrlfAsLf<R> {
        CrlfAsLf {
            inner,
            buf: vec![0; 1 << 16],
            pos: 0,
            len: 0,
            eof: false,
        }
    }

    /// More bytes after those not yet taken (at most a CR waiting for what follows it).
    fn fill(&mut self) -> std::io::Result<()> {
        let keep = self.len - self.pos;
        self.buf.copy_within(self.pos..self.len, 0);
        (self.pos, self.len) = (0, keep);
        let n = self.inner.read(&mut self.buf[keep..])?;
        self.eof = n == 0;
        self.len += n;
        Ok(())
    }
}

impl<R: Read> Read for CrlfAsLf<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let mut w = 0;
        while w < out.len() {
            let cr_at_end = self.pos + 1 == self.len && self.buf[self.pos] == b'\r';
            if self.pos == self.len || (cr_at_end && !self.eof) {
                if w > 0 {
                    break;
                }
                self.fill()?;
                if self.pos == self.len {
                    break;
                }
                continue;
            }
            let b = self.buf[self.pos];
            self.pos += 1;
            if b == b'\r' && self.pos < self.len && self.buf[self.pos] == b'\n' {
                continue;
            }
            out[w] = b;
            w += 1;
        }
        Ok(w)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader handing out at most `step` bytes a read.
    struct Trickle<'a>(&'a [u8], usize);

    impl Read for Trickle<'_> {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            let n = self.0.len().min(self.1).min(out.len());
            out[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn crlf_reads_as_lf_however_the_stream_is_cut() {
        let text = b"a,b\r\n1,\"x\r\ny\"\r\n\r\r\n2\rz\r";
        let expected = b"a,b\n1,\"x\ny\"\n\r\n2\rz\r";
        for step in 1..text.len() + 1 {
            for out in [1, 2, 3, 64] {
                let mut r = CrlfAsLf::new(Trickle(text, step));
                let mut got = Vec::new();
                let mut b = vec![0u8; out];
                loop {
                    let n = r.read(&mut b).unwrap();
                    if n == 0 {
                        break;
                    }
                    got.extend_from_slice(&b[..n]);
                }
                assert_eq!(got, expected, "step {step}, out {out}");
            }
        }
    }

    fn names(sources: &[Source]) -> Vec<String> {
        sources
            .iter()
            .map(|s| s.path.file_name().unwrap().to_string_lossy().into_owned())
            .collect()
    }

    #[cfg(unix)]
    #[test]
    fn each_file_is_read_once_however_often_it_is_reached_and_link_loops_end() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().join("data");
        std::fs::create_dir_all(d.join("sub")).unwrap();
        std::fs::write(d.join("a.csv"), "a\n").unwrap();
        std::fs::write(d.join("sub/b.csv"), "b\n").unwrap();
        std::fs::write(d.join("notes.txt"), "x\n").unwrap();
        // A link to the folder above and one to itself: a walk that follows them never ends.
        std::os::unix::fs::symlink("..", d.join("sub/up")).unwrap();
        std::os::unix::fs::symlink("../sub", d.join("sub/again")).unwrap();
        let a = d.join("a.csv");
        let (sources, skipped) = expand_noting(&[d.clone(), a.clone(), a]).unwrap();
        assert_eq!(names(&sources), ["a.csv", "b.csv"]);
        let why = |name: &str| {
            (skipped.iter())
                .filter(|s| s.path.ends_with(name))
                .map(|s| s.why.clone())
                .collect::<Vec<_>>()
        };
        assert!(
            why("notes.txt")[0].starts_with("not a data file"),
            "{skipped:?}"
        );
        assert!(why("sub/again")[0].contains("already read"), "{skipped:?}");
        assert!(why("sub/up")[0].contains("already read"), "{skipped:?}");
        // a.csv is in the folder, and given twice more.
        let twice = why("a.csv");
        assert_eq!(twice.len(), 2, "{skipped:?}");
        assert!(twice.iter().all(|w| w.starts_with("the same file as")));
    }

    #[test]
    fn a_glob_that_matches_a_folder_reads_the_folder() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("mixed")).unwrap();
        std::fs::write(dir.path().join("mixed/t.csv"), "t\n").unwrap();
        std::fs::write(dir.path().join("mixone.csv"), "m\n").unwrap();
        let glob = dir.path().join("mix*");
        let (sources, _) = expand_noting(&[glob]).unwrap();
        assert_eq!(names(&sources), ["t.csv", "mixone.csv"]);
        let none = dir.path().join("nothing*");
        assert!(expand(&[none])
            .unwrap_err()
            .to_string()
            .contains("matches no file"));
    }
}
