//! Reading through gzip and zstd, with what a decoder says of a file that ends early or
//! carries bytes after its last frame.

use super::*;

/// Bytes in memory decompressed as their first bytes say (plain, gzip or zstd), handed to
/// `f`. A zip is refused: its entries are inputs of their own.
pub(crate) fn with_bytes_decompressed<T>(
    name: &Path,
    bytes: &[u8],
    f: impl FnOnce(&mut dyn Read) -> Result<T>,
) -> Result<T> {
    match compression_of(&bytes[..bytes.len().min(4)]) {
        Compression::Zip => Err(Error::format(
            name,
            "is a zip archive: give the bytes of each entry, or save it to a file and give \
             the file",
        )),
        _ => read_decompressed(name, bytes, f),
    }
}

/// Whether bytes in memory are compressed (by their first bytes).
pub(crate) fn bytes_compressed(bytes: &[u8]) -> bool {
    compression_of(&bytes[..bytes.len().min(4)]) != Compression::None
}

/// `file` (at `path`) decompressed as its first bytes say, handed to `f`. The first bytes are
/// read from `file` itself, so a pipe is read once.
pub(super) fn read_decompressed<T>(
    path: &Path,
    mut file: impl Read,
    f: impl FnOnce(&mut dyn Read) -> Result<T>,
) -> Result<T> {
    let mut magic = [0u8; 4];
    let n = read_full(&mut file, &mut magic).map_err(|e| Error::io(path, e))?;
    let file = std::io::Cursor::new(magic[..n].to_vec()).chain(file);
    let buffered = |file| BufReader::with_capacity(1 << 20, file);
    if let Some(what) = unread(&magic[..n]) {
        return Err(Error::format(path, what));
    }
    match compression_of(&magic[..n]) {
        // The chunker reads megabytes at a time into its own buffers: a buffer in between
        // would only copy every byte once more.
        Compression::None => f(&mut { file }),
        Compression::Gzip => f(&mut Trailing::new(
            flate2::bufread::MultiGzDecoder::new(buffered(file)),
            ("gzip", "gzip -t", "zcat"),
        )),
        Compression::Zstd => zstd_reader(path, buffered(file), f),
        // Files are expanded into their entries before: this is a pipe.
        Compression::Zip => Err(Error::format(
            path,
            "a zip archive cannot be read from a pipe (its index is at the end); save it to a \
             file and give that",
        )),
    }
}

#[cfg(feature = "zstd")]
fn zstd_reader<T, R: Read>(
    path: &Path,
    r: BufReader<R>,
    f: impl FnOnce(&mut dyn Read) -> Result<T>,
) -> Result<T> {
    let d = zstd::stream::read::Decoder::with_buffer(r).map_err(|e| Error::io(path, e))?;
    f(&mut Trailing::new(d, ("zstd", "zstd -t", "zstdcat")))
}

/// A decompressing reader whose complaint about a header, once data has come through it, is
/// said as bytes after the compressed data: the decoder takes them for the next member or
/// frame, and its own words ("invalid gzip header", "Unknown frame descriptor") name no cause.
struct Trailing<R> {
    pub(super) inner: R,
    pub(super) out: u64,
    /// The compression, the command that tests it and the one that decompresses it.
    pub(super) tools: (&'static str, &'static str, &'static str),
}

impl<R> Trailing<R> {
    pub(super) fn new(inner: R, tools: (&'static str, &'static str, &'static str)) -> Trailing<R> {
        Trailing {
            inner,
            out: 0,
            tools,
        }
    }
}

impl<R: Read> Read for Trailing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self.inner.read(buf) {
            Ok(n) => {
                self.out += n as u64;
                Ok(n)
            }
            Err(e) if self.out > 0 && is_header_complaint(&e) => {
                let (what, test, cat) = self.tools;
                Err(std::io::Error::other(format!(
                    "after {} bytes decompressed, bytes follow that are not {what} (a damaged \
                     download, or something appended?): `{test}` on the file says more, and \
                     `{cat}` keeps what reads",
                    self.out
                )))
            }
            // The decoder's own words ("Data corruption detected") say neither where nor what
            // to do; errors of the disk below keep theirs.
            Err(e) if e.raw_os_error().is_none() && is_decoder_complaint(&e) => {
                let (what, test, _) = self.tools;
                Err(std::io::Error::other(format!(
                    "the {what} data is damaged after {} bytes decompressed ({e}): `{test}` on \
                     the file says more; fetch or copy it again",
                    self.out
                )))
            }
            Err(e) => Err(e),
        }
    }
}

/// Whether a decoder says its data is corrupt (a cut-short file is said apart, as such).
fn is_decoder_complaint(e: &std::io::Error) -> bool {
    use std::io::ErrorKind::{InvalidData, InvalidInput, Other};
    matches!(e.kind(), InvalidData | InvalidInput | Other)
}

/// Whether a decoder's error says the next member or frame does not start as one.
fn is_header_complaint(e: &std::io::Error) -> bool {
    let said = e.to_string();
    said.contains("invalid gzip header") || said.contains("Unknown frame descriptor")
}

#[cfg(not(feature = "zstd"))]
fn zstd_reader<T, R: Read>(
    path: &Path,
    _: BufReader<R>,
    _: impl FnOnce(&mut dyn Read) -> Result<T>,
) -> Result<T> {
    Err(Error::config(format!(
        "{}: zstd input needs the `zstd` feature",
        path.display()
    )))
}
