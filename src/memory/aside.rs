//! Columns set aside on disk while a stage that does not read them runs: written in order to
//! an unlinked temporary file in `--temp-dir`, read back in the same order, gone when dropped.
//!
//! ```
//! use coordnet::memory::Aside;
//! let dir = tempfile::tempdir().unwrap();
//! let (mut ids, mut times) = (vec![7u32, 9], vec![-5i64, 1 << 40]);
//! let mut out = Aside::create(dir.path(), "the example's columns").unwrap();
//! out.write(&ids).unwrap();
//! out.write(&times).unwrap();
//! let aside = out.finish().unwrap();
//! let (kept_ids, kept_times) = (std::mem::take(&mut ids), std::mem::take(&mut times));
//! let mut back = aside.read_back().unwrap();
//! assert_eq!(back.column::<u32>().unwrap(), kept_ids);
//! assert_eq!(back.column::<i64>().unwrap(), kept_times);
//! ```

use crate::error::{Error, Result, Setting};
use std::io::{BufReader, BufWriter, Read, Seek, Write};
use std::path::{Path, PathBuf};

/// A fixed-size value a column can hold on disk, little-endian.
pub trait Word: Copy {
    const BYTES: usize;
    fn put(self, out: &mut Vec<u8>);
    /// From exactly `BYTES` bytes.
    fn get(bytes: &[u8]) -> Self;
}

macro_rules! words {
    ($($t:ty),*) => {$(
        impl Word for $t {
            const BYTES: usize = size_of::<$t>();
            fn put(self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.to_le_bytes());
            }
            fn get(bytes: &[u8]) -> $t {
                <$t>::from_le_bytes(bytes.try_into().expect("a word's bytes"))
            }
        }
    )*};
}
words!(u8, u32, u64, i64, f32);

/// Values written and read this many bytes at a time.
const BLOCK_BYTES: usize = 1 << 18;

/// Columns being written; [`AsideWriter::finish`] makes them an [`Aside`].
pub struct AsideWriter {
    out: BufWriter<std::fs::File>,
    dir: PathBuf,
    what: &'static str,
    lengths: Vec<usize>,
    buf: Vec<u8>,
}

/// Columns on disk, to be read back in the order they were written.
pub struct Aside {
    file: std::fs::File,
    dir: PathBuf,
    what: &'static str,
    lengths: Vec<usize>,
}

/// An [`Aside`] being read back.
pub struct AsideReader {
    input: BufReader<std::fs::File>,
    dir: PathBuf,
    what: &'static str,
    lengths: std::vec::IntoIter<usize>,
    buf: Vec<u8>,
}

impl Aside {
    /// Start writing `what` (named in errors) to a new unlinked file in `dir`.
    pub fn create(dir: &Path, what: &'static str) -> Result<AsideWriter> {
        let file =
            tempfile::tempfile_in(dir).map_err(|e| temp_file_error(dir, "write", what, e))?;
        Ok(AsideWriter {
            out: BufWriter::with_capacity(BLOCK_BYTES, file),
            dir: dir.to_path_buf(),
            what,
            lengths: Vec::new(),
            buf: Vec::with_capacity(BLOCK_BYTES),
        })
    }

    /// Bytes on disk.
    pub fn bytes(&self) -> u64 {
        self.file.metadata().map_or(0, |m| m.len())
    }

    /// Read the columns back, from the first.
    pub fn read_back(self) -> Result<AsideReader> {
        let mut file = self.file;
        file.seek(std::io::SeekFrom::Start(0))
            .map_err(|e| temp_file_error(&self.dir, "read", self.what, e))?;
        Ok(AsideReader {
            input: BufReader::with_capacity(BLOCK_BYTES, file),
            dir: self.dir,
            what: self.what,
            lengths: self.lengths.into_iter(),
            buf: vec![0; BLOCK_BYTES],
        })
    }
}

impl AsideWriter {
    /// Append one column (the caller lets go of it once [`AsideWriter::finish`] succeeds, so
    /// that a failure leaves everything in memory).
    pub fn write<T: Word>(&mut self, column: &[T]) -> Result<()> {
        for block in column.chunks(BLOCK_BYTES / T::BYTES) {
            self.buf.clear();
            block.iter().for_each(|&x| x.put(&mut self.buf));
            let written = self.out.write_all(&self.buf);
            written.map_err(|e| temp_file_error(&self.dir, "write", self.what, e))?;
        }
        self.lengths.push(column.len());
        Ok(())
    }

    pub fn finish(self) -> Result<Aside> {
        let (dir, what) = (self.dir, self.what);
        let file = self
            .out
            .into_inner()
            .map_err(|e| temp_file_error(&dir, "write", what, e.into_error()))?;
        Ok(Aside {
            file,
            dir,
            what,
            lengths: self.lengths,
        })
    }
}

impl AsideReader {
    /// The next column, which must hold `T`s as written.
    pub fn column<T: Word>(&mut self) -> Result<Vec<T>> {
        let n = self.lengths.next().expect("no more columns were set aside");
        let mut column = Vec::with_capacity(n);
        let per_block = BLOCK_BYTES / T::BYTES;
        for start in (0..n).step_by(per_block) {
            let bytes = &mut self.buf[..T::BYTES * (n - start).min(per_block)];
            let read = self.input.read_exact(bytes);
            read.map_err(|e| temp_file_error(&self.dir, "read", self.what, e))?;
            column.extend(bytes.chunks_exact(T::BYTES).map(T::get));
        }
        Ok(column)
    }
}

/// Refuse a folder for temporary files that cannot take one (missing, not a folder, no
/// permission) before the input is read, rather than when the first file is set aside.
pub fn check_temp_dir(dir: &Path) -> Result<()> {
    tempfile::tempfile_in(dir).map(drop).map_err(|e| {
        let e = std::io::Error::new(e.kind(), format!("cannot make a temporary file there: {e}"));
        Error::io(dir, e).with_setting(Setting::TempDir)
    })
}

/// Whether `dir` is on a file system held in memory (tmpfs, ramfs), by the deepest mount
/// above it in `/proc/self/mountinfo`: what is set aside there takes memory the limit does
/// not count. `false` where the system does not say.
pub fn held_in_memory(dir: &Path) -> bool {
    let mounts = std::fs::read_to_string("/proc/self/mountinfo");
    let (Ok(dir), Ok(mounts)) = (dir.canonicalize(), mounts) else {
        return false;
    };
    mount_kind(&mounts, &dir).is_some_and(|kind| kind == "tmpfs" || kind == "ramfs")
}

/// The file system type of the deepest mount above `dir` (the last one mounted there).
fn mount_kind<'a>(mountinfo: &'a str, dir: &Path) -> Option<&'a str> {
    super::mounts(mountinfo)
        .filter(|m| dir.starts_with(&m.point))
        .max_by_key(|m| Path::new(&m.point).components().count())
        .map(|m| m.kind)
}

/// A temporary file in `dir` (`--temp-dir`) that could not be written or read.
pub(crate) fn temp_file_error(dir: &Path, verb: &str, what: &str, e: std::io::Error) -> Error {
    let e = std::io::Error::new(
        e.kind(),
        format!("cannot {verb} {what} in a temporary file there: {e}"),
    );
    Error::io(dir, e).with_setting(Setting::TempDir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_is_on_the_deepest_mount_above_it() {
        let mounts = "22 1 252:0 / / rw,relatime - ext4 /dev/vda rw\n\
                      25 22 0:23 / /dev/shm rw,relatime - tmpfs tmpfs rw\n\
                      26 22 0:24 / /tmp rw - ext4 /dev/vdb rw\n\
                      27 26 0:25 / /tmp/in\\040memory rw - tmpfs tmpfs rw\n\
                      28 26 0:26 / /tmp rw - tmpfs tmpfs rw\n";
        let kind = |dir: &str| mount_kind(mounts, Path::new(dir));
        assert_eq!(kind("/dev/shm/x"), Some("tmpfs"));
        assert_eq!(
            kind("/dev/shmx"),
            Some("ext4"),
            "a mount point is whole components"
        );
        assert_eq!(kind("/home/a"), Some("ext4"));
        assert_eq!(kind("/tmp/in memory/b"), Some("tmpfs"));
        // Mounted over the first /tmp: the later one counts.
        assert_eq!(kind("/tmp/b"), Some("tmpfs"));
        assert_eq!(mount_kind("", Path::new("/tmp")), None);
    }

    #[test]
    fn columns_of_every_width_come_back_in_order_across_blocks() {
        let dir = tempfile::tempdir().unwrap();
        let n = 3 * BLOCK_BYTES / 4 + 5; // more than a block of every width
        let bytes: Vec<u8> = (0..n).map(|i| i as u8).collect();
        let words: Vec<u32> = (0..n as u32).map(|i| i.wrapping_mul(2654435761)).collect();
        let floats: Vec<f32> = (0..n).map(|i| i as f32 / 7.0).collect();
        let times: Vec<i64> = (0..n as i64).map(|i| -i << 33).collect();
        let empty: Vec<u64> = Vec::new();
        let mut out = Aside::create(dir.path(), "test columns").unwrap();
        out.write(&bytes).unwrap();
        out.write(&empty).unwrap();
        out.write(&words).unwrap();
        out.write(&floats).unwrap();
        out.write(&times).unwrap();
        let aside = out.finish().unwrap();
        assert_eq!(aside.bytes(), (n * (1 + 4 + 4 + 8)) as u64);
        let mut back = aside.read_back().unwrap();
        assert_eq!(back.column::<u8>().unwrap(), bytes);
        assert_eq!(back.column::<u64>().unwrap(), empty);
        assert_eq!(back.column::<u32>().unwrap(), words);
        assert_eq!(back.column::<f32>().unwrap(), floats);
        assert_eq!(back.column::<i64>().unwrap(), times);
    }

    #[test]
    fn a_folder_that_cannot_hold_the_file_names_the_setting() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing");
        let e = Aside::create(&missing, "the edges' evidence")
            .err()
            .unwrap();
        assert_eq!(e.setting(), Some(Setting::TempDir), "{e}");
        assert!(e.to_string().contains("the edges' evidence"), "{e}");
    }
}
