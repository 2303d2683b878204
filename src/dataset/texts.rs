//! The dataset's distinct texts: interned in memory while the input is read, and moved to a
//! temporary file as soon as they pass their memory budget. In a large collection the texts
//! are about half of the dataset, yet after ingest they are read in a few passes (normal
//! forms, words, retweet names: each streamed in id order) and for a few examples (report,
//! edge files), which read them back one by one.
//!
//! Once on disk, a text read later is told apart from those before it by two independent
//! 64-bit hashes of its bytes instead of the bytes themselves (20 bytes a text in memory, not
//! the text): two different texts share both with a chance of about n²/2^129, 10^-23 for
//! 10^8 texts.

use super::interner::{check_hash, hash_bytes, Interner, Key};
use crate::error::{Error, Result};
use hashbrown::HashTable;
use rayon::prelude::*;
use std::borrow::Cow;
use std::io::Write;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

/// Texts, each kept once and numbered: in memory, or moved to a file past a size.
#[derive(Default)]
pub struct Texts {
    strings: Interner,
    disk: Option<OnDisk>,
}

/// Texts written end to end into an unlinked temporary file (removed by the system however
/// the run ends), with where each one ends.
struct OnDisk {
    file: std::fs::File,
    dir: PathBuf,
    ends: Vec<u64>,
    /// Bytes read back per pass step ([`PASS_BYTES`]; smaller in tests).
    step_bytes: u64,
    /// While the input is still read (until [`Texts::seal`]).
    writing: Option<Writing>,
}

/// Texts not written yet, and every text's hashes, to find the id of a text seen before.
#[derive(Default)]
struct Writing {
    buffer: Vec<u8>,
    seen: HashTable<Seen>,
}

/// A text's two hashes and its id, in 20 bytes.
#[derive(Clone, Copy)]
struct Seen {
    hash: [u32; 2],
    check: [u32; 2],
    id: u32,
}

impl Seen {
    fn new(hash: u64, check: u64, id: u32) -> Seen {
        let split = |x: u64| [x as u32, (x >> 32) as u32];
        Seen {
            hash: split(hash),
            check: split(check),
            id,
        }
    }

    fn hash(&self) -> u64 {
        self.hash[0] as u64 | (self.hash[1] as u64) << 32
    }

    fn check(&self) -> u64 {
        self.check[0] as u64 | (self.check[1] as u64) << 32
    }
}

/// Bytes of texts read back per pass step, and written at a time while the input is read:
/// large enough for sequential I/O, small beside what the texts would hold in memory.
const PASS_BYTES: u64 = 32 << 20;

impl Texts {
    /// The id of `key.s`, adding it if it is new. Only while the input is read: in memory, or
    /// on disk before [`Texts::seal`].
    pub fn intern_key(&mut self, key: Key) -> u32 {
        match &mut self.disk {
            None => self.strings.intern_key(key),
            Some(d) => d.intern(key),
        }
    }

    /// Write out the texts held for writing once they fill half a step (or all of them with
    /// `all`): called between batches, so that a failing disk is an error, not a panic. The
    /// buffer is sized a step once, so a batch's texts (one chunk's) fit in what is left
    /// and it never grows by copying into fresh pages.
    pub fn flush(&mut self, all: bool) -> Result<()> {
        let Some(d) = &mut self.disk else {
            return Ok(());
        };
        let Some(w) = &mut d.writing else {
            return Ok(());
        };
        if w.buffer.is_empty() || (!all && (w.buffer.len() as u64) < d.step_bytes / 2) {
            return Ok(());
        }
        d.file
            .write_all(&w.buffer)
            .map_err(|e| cannot_write(&d.dir, e))?;
        w.buffer.clear();
        Ok(())
    }

    /// The input is read: write out the last texts and drop the hashes.
    pub fn seal(&mut self) -> Result<()> {
        self.flush(true)?;
        if let Some(d) = &mut self.disk {
            d.writing = None;
        }
        Ok(())
    }

    pub fn len(&self) -> usize {
        match &self.disk {
            Some(d) => d.ends.len(),
            None => self.strings.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes of text, all texts together.
    pub fn text_bytes(&self) -> u64 {
        match &self.disk {
            Some(d) => d.ends.last().copied().unwrap_or(0),
            None => self.strings.byte_len() as u64,
        }
    }

    /// Whether the texts are in a temporary file.
    pub fn on_disk(&self) -> bool {
        self.disk.is_some()
    }

    /// The text with id `id` (read back from disk if it is there).
    pub fn get(&self, id: u32) -> Cow<'_, str> {
        match &self.disk {
            None => Cow::Borrowed(self.strings.get(id)),
            Some(d) => {
                let range = d.range(id as usize..id as usize + 1);
                match d.waiting(&range) {
                    Some(bytes) => Cow::Borrowed(as_str(bytes)),
                    None => Cow::Owned(into_string(d.read(range))),
                }
            }
        }
    }

    /// Every text in id order (tests and checks; passes use [`Texts::par_map`]).
    pub fn iter(&self) -> impl Iterator<Item = Cow<'_, str>> + '_ {
        (0..self.len() as u32).map(|t| self.get(t))
    }

    /// `f` of every text, in id order, computed in parallel; texts on disk are read in
    /// sequential steps of a few MB.
    pub fn par_map<T: Send>(&self, f: impl Fn(&str) -> T + Sync + Send) -> Vec<T> {
        self.par_map_init(|| (), |_, _, s| f(s))
    }

    /// [`Texts::par_map`] with a scratch value per worker, made by `init`, and each text's id.
    pub fn par_map_init<S, T: Send>(
        &self,
        init: impl Fn() -> S + Sync + Send,
        f: impl Fn(&mut S, u32, &str) -> T + Sync + Send,
    ) -> Vec<T> {
        let Some(d) = &self.disk else {
            return (0..self.strings.len() as u32)
                .into_par_iter()
                .map_init(&init, |s, t| f(s, t, self.strings.get(t)))
                .collect();
        };
        let mut out = Vec::with_capacity(d.ends.len());
        d.steps(|ids, range, bytes| {
            let step: Vec<T> = ids
                .into_par_iter()
                .map_init(&init, |s, t| {
                    let r = d.range(t..t + 1);
                    let (a, b) = (
                        (r.start - range.start) as usize,
                        (r.end - range.start) as usize,
                    );
                    f(s, t as u32, as_str(&bytes[a..b]))
                })
                .collect();
            out.extend(step);
        });
        out
    }

    /// Move the texts to an unlinked temporary file in `dir`, keeping 8 bytes per text in
    /// memory, and 20 more until [`Texts::seal`] while texts are still added. The run's
    /// outputs are the same either way.
    pub fn move_to_disk(&mut self, dir: &Path) -> Result<()> {
        if self.disk.is_some() {
            return Ok(());
        }
        // Written from a borrow: on failure the texts stay, in memory.
        let failed = |e| cannot_write(dir, e);
        let mut file = tempfile::tempfile_in(dir).map_err(failed)?;
        file.write_all(self.strings.arena()).map_err(failed)?;
        let hashes: Vec<(u64, u64)> = (0..self.strings.len() as u32)
            .into_par_iter()
            .map(|t| {
                let b = self.strings.get(t).as_bytes();
                (hash_bytes(b), check_hash(b))
            })
            .collect();
        let mut seen = HashTable::with_capacity(hashes.len());
        for (id, &(hash, check)) in hashes.iter().enumerate() {
            seen.insert_unique(hash, Seen::new(hash, check, id as u32), Seen::hash);
        }
        drop(hashes);
        let (_, ends) = std::mem::take(&mut self.strings).into_arena();
        self.disk = Some(OnDisk {
            file,
            dir: dir.to_path_buf(),
            ends,
            step_bytes: PASS_BYTES,
            writing: Some(Writing {
                buffer: Vec::with_capacity(PASS_BYTES as usize),
                seen,
            }),
        });
        Ok(())
    }

    /// Bytes held in memory.
    pub fn memory_bytes(&self) -> usize {
        match &self.disk {
            Some(d) => {
                d.ends.capacity() * 8
                    + d.writing.as_ref().map_or(0, |w| {
                        w.buffer.capacity() + w.seen.capacity() * (size_of::<Seen>() + 1)
                    })
            }
            None => self.strings.memory_bytes(),
        }
    }

    /// Give back what the strings hold beyond themselves.
    pub fn shrink_to_fit(&mut self) {
        self.strings.shrink_to_fit();
    }
}

fn cannot_write(dir: &Path, e: std::io::Error) -> Error {
    crate::memory::temp_file_error(dir, "write", "the texts", e)
}

impl OnDisk {
    /// [`Texts::intern_key`] on disk: a text is the one before it with the same two hashes.
    fn intern(&mut self, key: Key) -> u32 {
        let w = self
            .writing
            .as_mut()
            .expect("texts are added only while the input is read");
        let check = check_hash(key.s.as_bytes());
        let same = |s: &Seen| s.hash() == key.hash && s.check() == check;
        if let Some(s) = w.seen.find(key.hash, same) {
            return s.id;
        }
        let id = u32::try_from(self.ends.len()).expect("more than 2^32 unique texts");
        w.buffer.extend_from_slice(key.s.as_bytes());
        self.ends
            .push(self.ends.last().copied().unwrap_or(0) + key.s.len() as u64);
        w.seen
            .insert_unique(key.hash, Seen::new(key.hash, check, id), Seen::hash);
        id
    }

    fn start(&self, t: usize) -> u64 {
        if t == 0 {
            0
        } else {
            self.ends[t - 1]
        }
    }

    fn range(&self, ids: std::ops::Range<usize>) -> std::ops::Range<u64> {
        self.start(ids.start)..self.ends[ids.end - 1]
    }

    /// `step(ids, range, bytes)` over the texts in order, a few MB of them at a time: their ids,
    /// where they lie in the file, and those bytes.
    fn steps(&self, mut step: impl FnMut(std::ops::Range<usize>, std::ops::Range<u64>, &[u8])) {
        assert!(
            self.writing.is_none(),
            "texts are read in passes once sealed"
        );
        let mut first = 0;
        while first < self.ends.len() {
            let start = self.start(first);
            let mut last = first + 1;
            while last < self.ends.len() && self.ends[last] - start <= self.step_bytes {
                last += 1;
            }
            let range = self.range(first..last);
            let bytes = self.read(range.clone());
            step(first..last, range, &bytes);
            first = last;
        }
    }

    /// The bytes at `range` while they wait to be written (a text is written whole, so it
    /// is all in the file or all waiting).
    fn waiting(&self, range: &std::ops::Range<u64>) -> Option<&[u8]> {
        let w = self.writing.as_ref()?;
        let written = self.ends.last().copied().unwrap_or(0) - w.buffer.len() as u64;
        let at = range.start.checked_sub(written)? as usize;
        Some(&w.buffer[at..at + (range.end - range.start) as usize])
    }

    /// The bytes at `range` of the file. The file is ours, unlinked, and holds them once
    /// written: failing to read it back is a fault of the machine (a disk error), not of the
    /// input, and there is no sensible way on.
    fn read(&self, range: std::ops::Range<u64>) -> Vec<u8> {
        let mut buf = vec![0; (range.end - range.start) as usize];
        if let Err(e) = self.file.read_exact_at(&mut buf, range.start) {
            panic!(
                "could not read the texts back from their temporary file in {}: {e}",
                self.dir.display()
            );
        }
        buf
    }
}

fn as_str(b: &[u8]) -> &str {
    // The texts were whole `&str`s when interned and are cut at their own ends.
    std::str::from_utf8(b).expect("texts are cut at their own ends")
}

fn into_string(b: Vec<u8>) -> String {
    String::from_utf8(b).expect("texts are cut at their own ends")
}

impl std::fmt::Debug for Texts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let place = if self.on_disk() {
            "on disk"
        } else {
            "in memory"
        };
        write!(f, "Texts({} {place})", self.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_read_the_same_from_disk() {
        let mut t = Texts::default();
        let words = ["", "one", "ünï ✓", "", "three", "one"];
        let ids: Vec<u32> = words.iter().map(|w| t.intern_key(Key::new(w))).collect();
        assert_eq!(ids, [0, 1, 2, 0, 3, 1]);
        let before: Vec<String> = t.iter().map(String::from).collect();
        let lens = t.par_map(|s| s.len());
        let with_ids = |t: &Texts| t.par_map_init(|| (), |_, id, s| (id, s.to_string()));
        let seen = with_ids(&t);
        let dir = tempfile::tempdir().unwrap();
        t.move_to_disk(dir.path()).unwrap();
        t.seal().unwrap();
        assert!(t.on_disk());
        assert_eq!(t.iter().map(String::from).collect::<Vec<_>>(), before);
        assert_eq!(t.par_map(|s| s.len()), lens);
        // Read back in steps of a few bytes too: texts split across steps, one per step,
        // one longer than a step.
        for step in [1, 3, 5, 8] {
            t.disk.as_mut().unwrap().step_bytes = step;
            assert_eq!(t.par_map(|s| s.to_string()), before, "step {step}");
            assert_eq!(with_ids(&t), seen, "step {step}");
        }
        assert_eq!(with_ids(&t), seen);
        assert_eq!(t.get(2), "ünï ✓");
        assert_eq!(t.text_bytes(), lens.iter().sum::<usize>() as u64);
    }

    #[test]
    fn texts_added_after_the_move_get_the_ids_they_would_in_memory() {
        let words = [
            "a", "b", "a", "", "c", "b", "d", "c", "", "ünï", "d", "e", "a",
        ];
        let dir = tempfile::tempdir().unwrap();
        let mut memory = Texts::default();
        let in_memory: Vec<u32> = words
            .iter()
            .map(|w| memory.intern_key(Key::new(w)))
            .collect();
        for moved_after in [0, 1, 3, 6, words.len()] {
            let mut t = Texts::default();
            let mut ids = Vec::new();
            for (i, w) in words.iter().enumerate() {
                if i == moved_after {
                    t.move_to_disk(dir.path()).unwrap();
                }
                ids.push(t.intern_key(Key::new(w)));
                if let Some(d) = &mut t.disk {
                    d.step_bytes = 2; // written out a text or two at a time
                }
                t.flush(false).unwrap();
            }
            if moved_after == words.len() {
                t.move_to_disk(dir.path()).unwrap();
            }
            // Each reads back before the seal too, written out or still waiting.
            let want: Vec<String> = memory.iter().map(String::from).collect();
            let unsealed: Vec<String> = t.iter().map(String::from).collect();
            assert_eq!(unsealed, want, "moved after {moved_after}, not sealed");
            t.seal().unwrap();
            assert_eq!(ids, in_memory, "moved after {moved_after}");
            let back: Vec<String> = t.iter().map(String::from).collect();
            assert_eq!(back, want, "moved after {moved_after}");
            assert_eq!(t.text_bytes(), memory.text_bytes());
        }
    }

    #[test]
    fn a_folder_that_cannot_take_the_texts_leaves_them_in_memory() {
        let mut t = Texts::default();
        t.intern_key(Key::new("kept"));
        let dir = tempfile::tempdir().unwrap();
        let e = t.move_to_disk(&dir.path().join("absent")).unwrap_err();
        assert!(e.to_string().contains("absent"), "{e}");
        assert!(!t.on_disk());
        assert_eq!(t.get(0), "kept");
    }
}
