//! Zip archives: their data entries listed (each an input of its own, names repeated in the
//! archive refused) and read one at a time.

use super::*;

/// A zip's data entries, each with its size once decompressed, and the names of those left out.
type ZipListing = (Vec<(Source, u64)>, Vec<String>);

/// Why a zip archive cannot be read: its end (the table of its entries) missing, as where a
/// download stopped early, said so.
#[cfg(feature = "zip")]
fn unreadable_zip(path: &Path, e: impl std::fmt::Display) -> Error {
    let e = e.to_string();
    let why = match e.contains("EOCD") || e.contains("end of central directory") {
        true => "its end, which lists its entries, is missing (truncated or partly downloaded?)"
            .to_string(),
        false => e,
    };
    Error::format(path, format!("not a readable zip archive: {why}"))
}

/// The data entries of a zip archive, and the names of those left out. The entries are
/// `found` as the archive is.
#[cfg(feature = "zip")]
pub(super) fn zip_entries(path: &Path) -> Result<ZipListing> {
    let f = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut archive =
        zip::ZipArchive::new(BufReader::new(f)).map_err(|e| unreadable_zip(path, e))?;
    refuse_repeated_names(path, &mut archive)?;
    let mut out = Vec::new();
    let mut skipped = Vec::new();
    for i in 0..archive.len() {
        let entry = archive
            .by_index_raw(i)
            .map_err(|e| Error::format(path, format!("zip entry {i} unreadable: {e}")))?;
        let name = entry.name().to_string();
        if !entry.is_file() || name.contains("__MACOSX") {
            continue;
        }
        if is_data_entry(&name) {
            let size = entry.size();
            let source = Source {
                path: path.to_path_buf(),
                zip_entry: Some((i, name)),
                found: true,
            };
            out.push((source, size));
        } else {
            skipped.push(name);
        }
    }
    Ok((out, skipped))
}

/// Refuse an archive holding two data entries of one name. The zip crate keeps one entry per
/// name (the last; it offers no way to the others), so the other's rows would be lost unsaid.
/// The central directory is walked here to find the records the crate did not keep.
#[cfg(feature = "zip")]
fn refuse_repeated_names<R: Read + std::io::Seek>(
    path: &Path,
    archive: &mut zip::ZipArchive<R>,
) -> Result<()> {
    use std::collections::{HashMap, HashSet};
    let unreadable = |i, e| Error::format(path, format!("zip entry {i} unreadable: {e}"));
    // Each kept entry by where its record starts, and its name by its stored bytes.
    let mut kept = HashSet::new();
    let mut names: HashMap<Vec<u8>, String> = HashMap::new();
    for i in 0..archive.len() {
        let entry = archive.by_index_raw(i).map_err(|e| unreadable(i, e))?;
        kept.insert(entry.central_header_start());
        names.insert(entry.name_raw().to_vec(), entry.name().to_string());
    }
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let records = central_directory_records(file, archive.central_directory_start())
        .map_err(|e| unreadable_zip(path, e))?;
    for (_, raw) in records.iter().filter(|(at, _)| !kept.contains(at)) {
        let name = names
            .get(raw)
            .cloned()
            .unwrap_or_else(|| String::from_utf8_lossy(raw).into_owned());
        if is_data_entry(&name) {
            let count = records.iter().filter(|(_, r)| r == raw).count();
            return Err(Error::format(
                path,
                format!(
                    "holds {count} entries named '{name}', and only the last of them can be \
                     read from the archive; unzip it, answer [r]ename each time unzip asks to \
                     replace '{name}', and give the unzipped files instead"
                ),
            ));
        }
    }
    Ok(())
}

/// The central directory's records from `start` on, each as (where it starts, the name's
/// stored bytes), up to the first that is not one (the end records follow the last).
#[cfg(feature = "zip")]
fn central_directory_records(file: File, start: u64) -> std::io::Result<Vec<(u64, Vec<u8>)>> {
    const SIGNATURE: [u8; 4] = [b'P', b'K', 1, 2];
    // Signature, versions, flags, method, time, date, CRC, sizes, then the lengths.
    const FIXED: usize = 46;
    let mut r = BufReader::new(file);
    std::io::Seek::seek(&mut r, std::io::SeekFrom::Start(start))?;
    let (mut at, mut out) = (start, Vec::new());
    let mut head = [0u8; FIXED];
    loop {
        if read_full(&mut r, &mut head)? < FIXED || head[..4] != SIGNATURE {
            return Ok(out);
        }
        let len = |i: usize| u16::from_le_bytes([head[i], head[i + 1]]) as u64;
        let (name_len, rest) = (len(28), len(30) + len(32));
        let mut name = vec![0u8; name_len as usize];
        r.read_exact(&mut name)?;
        r.seek_relative(rest as i64)?;
        out.push((at, name));
        at += FIXED as u64 + name_len + rest;
    }
}

/// Whether a zip entry of this name is read as data. Entries are read as they are stored: a
/// compressed file or a zip inside the zip would be read as bytes, so it is left out (and
/// said so); so are a folder's entry and macOS's resource forks.
#[cfg(feature = "zip")]
fn is_data_entry(name: &str) -> bool {
    let nested = [".zip", ".gz", ".zst"]
        .iter()
        .any(|e| name.to_lowercase().ends_with(e));
    is_input_name(Path::new(name)) && !nested && !name.ends_with('/') && !name.contains("__MACOSX")
}

#[cfg(not(feature = "zip"))]
pub(super) fn zip_entries(path: &Path) -> Result<ZipListing> {
    Err(Error::config(format!(
        "{}: zip input needs the `zip` feature (build with default features)",
        path.display()
    )))
}

#[cfg(feature = "zip")]
pub(super) fn with_zip_entry<T>(
    path: &Path,
    index: usize,
    f: impl FnOnce(&mut dyn Read) -> Result<T>,
) -> Result<T> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut archive =
        zip::ZipArchive::new(BufReader::new(file)).map_err(|e| unreadable_zip(path, e))?;
    let mut entry = archive
        .by_index(index)
        .map_err(|e| Error::format(path, format!("zip entry {index} unreadable: {e}")))?;
    f(&mut entry)
}

#[cfg(not(feature = "zip"))]
pub(super) fn with_zip_entry<T>(
    path: &Path,
    _: usize,
    _: impl FnOnce(&mut dyn Read) -> Result<T>,
) -> Result<T> {
    zip_entries(path).map(|_| unreachable!())
}
