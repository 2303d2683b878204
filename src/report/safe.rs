//! Writing files that cannot hurt the analyst who opens them, and that are never left half
//! written.
//!
//! **Spreadsheet cells.** Spreadsheets run a cell that starts with `=`, `+`, `-` or `@` (and,
//! in some, a tab or carriage return) as a formula, so a tweet or a name written into a CSV
//! could run in the analyst's spreadsheet. The rule: a cell that starts with one of these and
//! is not a plain number is written with a leading apostrophe, which spreadsheets show as
//! text and do not display; coordnet's own readers take it off again ([`unguard`]).
//!
//! **Whole files or none.** Every output is written to a hidden file beside it
//! (`.NAME.partial`) and renamed into place once complete, so an interrupted run leaves no
//! file that looks whole. An output named through a link replaces the file the link points
//! to, and the link stays; a device or a pipe (`/dev/stdout`, a FIFO) is written through, as
//! a shell redirection would, since it cannot be replaced.

use crate::error::{Error, Result};
use std::borrow::Cow;
use std::io::Write;
use std::path::{Path, PathBuf};

fn is_trigger(c: char) -> bool {
    matches!(c, '=' | '+' | '-' | '@' | '\t' | '\r')
}

/// `s` as a spreadsheet would take it as text (see the module's rule).
pub fn guard(s: &str) -> Cow<'_, str> {
    match s.chars().next() {
        Some(c) if is_trigger(c) && s.trim().parse::<f64>().is_err() => Cow::Owned(format!("'{s}")),
        _ => Cow::Borrowed(s),
    }
}

/// A cell as coordnet wrote it, with the apostrophe [`guard`] added taken off.
pub fn unguard(s: &str) -> &str {
    match s.strip_prefix('\'') {
        Some(rest) if rest.chars().next().is_some_and(is_trigger) => rest,
        _ => s,
    }
}

/// Partial files and folders being written now: what an interrupted run removes on its way
/// out ([`remove_unfinished`]), so that none is left hidden in the output folder.
static UNFINISHED: std::sync::Mutex<Vec<PathBuf>> = std::sync::Mutex::new(Vec::new());

/// Folders this run made for its outputs, outermost first: an interrupted run removes those
/// left empty, so the place is as it was.
static MADE: std::sync::Mutex<Vec<PathBuf>> = std::sync::Mutex::new(Vec::new());

/// Whether the user stopped the program. Writers hold it shared while they make a file or a
/// folder or put one in place ([`unless_stopped`]); the cleanup holds it alone, so no writer
/// makes anything behind it (the writers go on until the process exits).
static STOPPED: std::sync::RwLock<bool> = std::sync::RwLock::new(false);

/// Run `make` (making a file or folder, or moving one into place) unless the user has
/// stopped the program; the cleanup waits for it. Never nested: the lock is not reentrant.
pub fn unless_stopped<T>(make: impl FnOnce() -> std::io::Result<T>) -> std::io::Result<T> {
    let stopped = STOPPED.read().unwrap_or_else(|e| e.into_inner());
    if *stopped {
        // Not `Interrupted`, which writers retry.
        return Err(std::io::Error::other("stopped by the user"));
    }
    make()
}

/// Whether the user stopped the program (it is then removing what was being written, and
/// exits).
pub fn stopped() -> bool {
    *STOPPED.read().unwrap_or_else(|e| e.into_inner())
}

/// Note `path` (a partial file or folder) as being written, until [`finished`].
pub fn unfinished(path: &Path) {
    let mut u = UNFINISHED.lock().unwrap_or_else(|e| e.into_inner());
    u.push(path.to_path_buf());
}

/// `path` is in place or removed: nothing to clean up for it.
pub fn finished(path: &Path) {
    let mut u = UNFINISHED.lock().unwrap_or_else(|e| e.into_inner());
    u.retain(|p| p != path);
}

/// Everything noted under `dir` is in place.
pub fn finished_under(dir: &Path) {
    let mut u = UNFINISHED.lock().unwrap_or_else(|e| e.into_inner());
    u.retain(|p| !p.starts_with(dir));
}

/// Make the folder `dir` and those above it that are missing, noting the ones made; whether
/// `dir` was made.
pub fn make_folders(dir: &Path) -> std::io::Result<bool> {
    unless_stopped(|| {
        let missing: Vec<&Path> = dir
            .ancestors()
            .take_while(|a| !a.as_os_str().is_empty() && !a.exists())
            .collect();
        let mut made_dir = false;
        for a in missing.into_iter().rev() {
            // Only what this call made is noted: a path through `..` (`new/../kept`), or a
            // folder another process makes meanwhile, names one that was there.
            match std::fs::create_dir(a) {
                Ok(()) => {
                    MADE.lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push(a.to_path_buf());
                    made_dir = a == dir;
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && a.is_dir() => {}
                Err(e) => return Err(e),
            }
        }
        Ok(made_dir)
    })
}

/// Remove every partial file and folder being written, then the folders made for them that
/// are left empty: for a program stopped by the user (Ctrl-C), just before it exits. From
/// here on nothing is made or moved into place. Returns how many were removed.
pub fn remove_unfinished() -> usize {
    *STOPPED.write().unwrap_or_else(|e| e.into_inner()) = true;
    let u = UNFINISHED.lock().unwrap_or_else(|e| e.into_inner());
    let mut removed = 0;
    for p in u.iter() {
        let gone = match p.is_dir() {
            true => std::fs::remove_dir_all(p),
            false => std::fs::remove_file(p),
        };
        removed += usize::from(gone.is_ok());
    }
    let made = MADE.lock().unwrap_or_else(|e| e.into_inner());
    for dir in made.iter().rev() {
        // Only an empty folder goes: one that holds anything was not this run's alone.
        let _ = std::fs::remove_dir(dir);
    }
    removed
}

/// The hidden file an output is written to before it is renamed into place.
pub fn partial(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned());
    path.with_file_name(format!(".{name}.partial"))
}

/// A device, a pipe or a socket, or a standard stream: something an output is written
/// through, not replaced.
pub(crate) fn is_special(path: &Path) -> bool {
    standard_stream(path).is_some()
        || std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir())
}

/// The standard stream a path names (`/dev/stdout`, `/dev/fd/2`, `/proc/self/fd/1`). It is
/// written through this process's own descriptor, where the shell's redirection put it:
/// after what is there (`>>`, or a command before in the same redirection). Reached by name,
/// a file it was redirected to would be replaced, or written over from its start.
fn standard_stream(path: &Path) -> Option<u8> {
    match path.to_str()? {
        "/dev/stdout" | "/dev/fd/1" | "/proc/self/fd/1" => Some(1),
        "/dev/stderr" | "/dev/fd/2" | "/proc/self/fd/2" => Some(2),
        _ => None,
    }
}

/// A handle on standard stream `n` (1 or 2) that shares its position, once what the
/// process wrote to it before is out.
#[cfg(unix)]
fn open_standard_stream(n: u8) -> std::io::Result<std::fs::File> {
    use std::os::fd::AsFd;
    let fd = match n {
        1 => {
            std::io::stdout().flush()?;
            std::io::stdout().as_fd().try_clone_to_owned()?
        }
        _ => std::io::stderr().as_fd().try_clone_to_owned()?,
    };
    Ok(std::fs::File::from(fd))
}

/// The file a link at `path` points to, through every link; `path` itself when it is no
/// link. The target need not exist.
fn through_links(path: &Path) -> PathBuf {
    let mut p = path.to_path_buf();
    // As many links as the system follows (Linux's MAXSYMLINKS).
    for _ in 0..40 {
        match std::fs::read_link(&p) {
            Ok(to) => p = p.parent().unwrap_or(Path::new("")).join(to),
            Err(_) => break,
        }
    }
    p
}

/// Write `path` whole or not at all: `write` fills a buffered file beside it, which is
/// renamed into place when `write` succeeds and removed when it fails.
pub fn write_file(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    if is_special(path) {
        let through = (|| {
            let f = match standard_stream(path) {
                #[cfg(unix)]
                Some(n) => open_standard_stream(n)?,
                _ => std::fs::OpenOptions::new().write(true).open(path)?,
            };
            let mut out = std::io::BufWriter::new(f);
            write(&mut out)?;
            out.flush()
        })();
        return through.map_err(|e| Error::io(path, disk_full_said(e)));
    }
    let target = through_links(path);
    let path = target.as_path();
    let tmp = partial(path);
    unfinished(&tmp);
    let result = (|| {
        // The folders [`check_can_write`] allowed for are made here.
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            make_folders(dir)?;
        }
        let f = unless_stopped(|| std::fs::File::create(&tmp))?;
        let mut out = std::io::BufWriter::new(f);
        write(&mut out)?;
        out.flush()?;
        out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        unless_stopped(|| std::fs::rename(&tmp, path))
    })();
    let result = result.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Error::io(path, disk_full_said(e))
    });
    finished(&tmp);
    result
}

/// A write that found its disk full says what to do.
fn disk_full_said(e: std::io::Error) -> std::io::Error {
    match e.kind() {
        std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded => std::io::Error::new(
            e.kind(),
            format!("{e}: the disk is full; free space on it, or write to another disk (-o)"),
        ),
        _ => e,
    }
}

/// Refuse an output place this process cannot write (a folder that cannot be made, a
/// read-only file system, a file in its way), before any work: a long run should not end in
/// an error at the writing. `is_dir`: the output is a folder to make or fill, not a file.
pub fn check_can_write(output: &Path, is_dir: bool) -> Result<()> {
    if !is_dir && is_special(output) {
        return Ok(());
    }
    let target = through_links(output);
    let place = if is_dir {
        target.as_path()
    } else {
        target.parent().unwrap_or(&target)
    };
    // Where the outputs' folders would be made: the nearest part of the path that exists (a
    // relative path none of which exists is made in the working folder).
    let existing = place
        .ancestors()
        .find(|p| p.exists())
        .unwrap_or(Path::new("."));
    let cannot = |why: String| {
        Error::config(format!(
            "cannot write the output {}: {why}; choose another place for it",
            output.display()
        ))
    };
    if !existing.is_dir() {
        return Err(cannot(format!("{} is not a folder", existing.display())));
    }
    if !is_dir && output.is_dir() {
        return Err(cannot("a folder of that name is there".into()));
    }
    // A file with no name in the folder (removed when dropped) tells what permissions and
    // mounts allow, for root too.
    tempfile::tempfile_in(existing).map(drop).map_err(|e| {
        cannot(format!(
            "no file can be made in {} ({e})",
            existing.display()
        ))
    })
}

/// Refuse to write into a directory that holds one of the inputs, is one, or is inside an
/// input folder: outputs would mix with them, and a later run would read its own outputs as
/// data. An output file that is an input is refused too.
pub fn check_output_dir(dir: &Path, inputs: &[PathBuf]) -> Result<()> {
    let Some(out) = absolute(dir) else {
        return Ok(());
    };
    for input in inputs {
        let Ok(p) = input.canonicalize() else {
            continue;
        };
        let what = if p == out {
            "is"
        } else if p.parent() == Some(out.as_path()) {
            "holds"
        } else if out.starts_with(&p) && p.is_dir() {
            "is inside"
        } else {
            continue;
        };
        return Err(Error::config(format!(
            "the output {} {what} the input {}; write the outputs to a place of their own",
            dir.display(),
            input.display()
        )));
    }
    Ok(())
}

/// `path` made absolute with its links resolved, whether or not it exists yet: its nearest
/// existing ancestor resolved, the rest added. `None` if nothing of it can be resolved.
fn absolute(path: &Path) -> Option<PathBuf> {
    let path = match path.is_absolute() {
        true => path.to_path_buf(),
        false => std::env::current_dir().ok()?.join(path),
    };
    let base = path
        .ancestors()
        .find_map(|a| Some((a, a.canonicalize().ok()?)))?;
    Some(base.1.join(path.strip_prefix(base.0).ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_output_place_that_cannot_be_written_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a-file");
        std::fs::write(&file, "x").unwrap();
        // Places that can be written, made or not yet made.
        check_can_write(dir.path(), true).unwrap();
        check_can_write(&dir.path().join("new/deeper"), true).unwrap();
        check_can_write(&dir.path().join("edges.csv"), false).unwrap();
        check_can_write(Path::new("edges.csv"), false).unwrap();
        // A file where a folder would be made.
        let e = check_can_write(&file.join("out"), true).unwrap_err();
        assert!(e.to_string().contains("is not a folder"), "{e}");
        let e = check_can_write(&file.join("edges.csv"), false).unwrap_err();
        assert!(e.to_string().contains("is not a folder"), "{e}");
        // A folder where a file would be written.
        let e = check_can_write(dir.path(), false).unwrap_err();
        assert!(e.to_string().contains("a folder of that name"), "{e}");
        // Devices are written through.
        check_can_write(Path::new("/dev/null"), false).unwrap();
        // Nothing was left behind.
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1);
    }

    #[test]
    fn formulas_become_text_and_numbers_stay_numbers() {
        assert_eq!(guard("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(guard("@outlet"), "'@outlet");
        assert_eq!(guard("-1+2"), "'-1+2");
        assert_eq!(guard("-0.5"), "-0.5");
        assert_eq!(guard("#tag"), "#tag");
        for s in ["=1+1", "+x", "@a", "-b", "plain", "'quoted", "-2"] {
            assert_eq!(unguard(&guard(s)), s);
        }
    }

    /// `-o link` replaced the link with a file and `-o /dev/full` replaced the device (as
    /// root): a link's target is replaced and the link kept; a device or pipe is written to.
    #[cfg(unix)]
    #[test]
    fn links_devices_and_pipes_are_written_through_not_replaced() {
        use std::os::unix::fs::FileTypeExt;
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target.csv");
        std::fs::write(&target, "old").unwrap();
        let link = dir.path().join("link.csv");
        std::os::unix::fs::symlink("target.csv", &link).unwrap();
        check_can_write(&link, false).unwrap();
        write_file(&link, |w| w.write_all(b"new")).unwrap();
        assert!(std::fs::symlink_metadata(&link).unwrap().is_symlink());
        assert_eq!(std::fs::read(&target).unwrap(), b"new");
        // A link to a file not there yet makes it.
        let dangling = dir.path().join("dangling.csv");
        std::os::unix::fs::symlink("made.csv", &dangling).unwrap();
        write_file(&dangling, |w| w.write_all(b"made")).unwrap();
        assert_eq!(std::fs::read(dir.path().join("made.csv")).unwrap(), b"made");

        write_file(Path::new("/dev/null"), |w| w.write_all(b"gone")).unwrap();
        assert!(std::fs::metadata("/dev/null")
            .unwrap()
            .file_type()
            .is_char_device());
        let fifo = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if !made.is_ok_and(|s| s.success()) {
            return;
        }
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || std::fs::read(&fifo).unwrap())
        };
        write_file(&fifo, |w| w.write_all(b"piped")).unwrap();
        assert_eq!(reader.join().unwrap(), b"piped");
        assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
    }

    /// `-o new/../kept` had `kept`, which was there, noted as made, and so removed on Ctrl-C.
    #[test]
    fn only_the_folders_made_are_noted_as_made() {
        let dir = tempfile::tempdir().unwrap();
        let kept = dir.path().join("kept");
        std::fs::create_dir(&kept).unwrap();
        let noted = |p: &Path| MADE.lock().unwrap().iter().any(|m| m == p);
        assert!(!make_folders(&dir.path().join("new/../kept")).unwrap());
        assert!(noted(&dir.path().join("new")));
        assert!(!noted(&dir.path().join("new/../kept")) && !noted(&kept));
        let deep = dir.path().join("a/b/");
        assert!(make_folders(&deep).unwrap());
        assert!(deep.is_dir() && noted(&dir.path().join("a")) && noted(&deep));
        assert!(!make_folders(&deep).unwrap());
    }

    #[test]
    fn an_output_is_whole_or_absent() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.csv");
        write_file(&p, |w| w.write_all(b"a,b\n")).unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"a,b\n");
        let failed = write_file(&dir.path().join("half.csv"), |w| {
            w.write_all(b"a,")?;
            Err(std::io::Error::other("interrupted"))
        });
        assert!(failed.is_err());
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["out.csv"]);
    }
}
