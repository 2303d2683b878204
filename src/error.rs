//! One error type for the whole library, small and cheap to move, whose kinds carry the
//! position of what went wrong (file, line, column) so a user can go and look.

use std::borrow::Cow;
use std::fmt;
use std::path::{Path, PathBuf};

/// Whether a terminal would act on `c` rather than show it: control characters (an escape
/// sequence can clear the screen, recolour it or fake a line) and the marks that reorder text.
fn acts_on_terminal(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}')
}

/// A value read from the input as a message may show it: what a terminal would act on is
/// written out (`\u{1b}`), line ends and tabs included, so the value stays on its one line.
pub fn shown(s: &str) -> Cow<'_, str> {
    if !s.chars().any(acts_on_terminal) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if acts_on_terminal(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A message of several lines as a terminal may show it: each line as [`shown`] writes it.
pub fn shown_lines(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| c != '\n' && acts_on_terminal(c)) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(s.split('\n').map(shown).collect::<Vec<_>>().join("\n"))
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Where in the input something was found: file, 1-based line, and column name if known.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Position {
    /// The file as the user named it (an archive's member as `archive.zip:member`).
    pub file: PathBuf,
    /// 1-based; a record spanning lines is at its first.
    pub line: u64,
    /// The column, by its header name, where one field is at fault.
    pub column: Option<String>,
}

impl Position {
    /// Line `line` of `file`, no column.
    pub fn new(file: &Path, line: u64) -> Position {
        Position {
            file: file.to_path_buf(),
            line,
            column: None,
        }
    }

    /// This position, at column `column`.
    pub fn with_column(mut self, column: impl Into<String>) -> Position {
        self.column = Some(column.into());
        self
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file.display(), self.line)?;
        if let Some(c) = &self.column {
            write!(f, ", column '{c}'")?;
        }
        Ok(())
    }
}

/// An error of the library. Boxed so that `Result<T>` stays one word wide.
pub struct Error(Box<Inner>);

/// The message a user reads, so that `fn main() -> Result<(), coordnet::Error>` prints it;
/// `{:#?}` gives the parts.
impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match f.alternate() {
            true => f
                .debug_struct("Error")
                .field("kind", &self.0.kind)
                .field("setting", &self.0.setting)
                .finish(),
            false => write!(f, "{self}"),
        }
    }
}

#[derive(Debug)]
struct Inner {
    kind: ErrorKind,
    setting: Option<Setting>,
}

/// The setting an error asks the user to change. The library says what is wrong in its own
/// terms; a front end names its own way of changing the setting (the command line, a flag).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Setting {
    /// The time window, at least this long.
    Window {
        /// The shortest window that would do, in milliseconds.
        at_least_ms: i64,
    },
    /// The input format.
    Format,
    /// The account, time and object columns of an action CSV.
    ActionColumns,
    /// The source, target and weight columns of an edge list.
    EdgeColumns,
    /// Which of an edge's weights a graph carries.
    EdgeWeight,
    /// The longest record ingest reads.
    MaxRecord,
    /// The memory a run may use.
    MemoryLimit,
    /// The share of records a run may reject.
    MaxRejected,
    /// Where large intermediate data goes.
    TempDir,
}

/// What went wrong.
#[derive(Debug)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The file could not be opened or read (includes truncated compressed streams).
    Io {
        /// The file, as the user named it.
        file: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// The file is not in the format it was expected or claimed to be.
    Format {
        /// The file, as the user named it.
        file: PathBuf,
        /// What was found, and what to do.
        message: String,
    },
    /// A row was malformed and the run was strict.
    BadRow {
        /// Where the row is.
        pos: Position,
        /// What is wrong with it.
        reason: String,
        /// What was expected there.
        expected: String,
    },
    /// A setting or argument is wrong; `message` says what to do instead.
    Config {
        /// What is wrong, and what to give instead.
        message: String,
    },
    /// The input is larger than a limit of the code; `message` says which and what to do.
    Limit {
        /// The limit, the input's size against it, and what to do.
        message: String,
    },
    /// Another process of a run across processes failed or could not be reached; `message`
    /// names the process and its host.
    Cluster {
        /// The process, its host, and what happened.
        message: String,
    },
}

impl Error {
    fn new(kind: ErrorKind) -> Error {
        Error(Box::new(Inner {
            kind,
            setting: None,
        }))
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.0.kind
    }

    /// Where in the input the error is, where it is one row's.
    pub fn position(&self) -> Option<&Position> {
        match &self.0.kind {
            ErrorKind::BadRow { pos, .. } => Some(pos),
            _ => None,
        }
    }

    /// The setting to change, where one would fix this.
    pub fn setting(&self) -> Option<Setting> {
        self.0.setting
    }

    /// This error naming its file where it was going: in folder `to` rather than `from`, the
    /// folder it was made in before being moved.
    pub fn named_in(mut self, from: &Path, to: &Path) -> Error {
        if let ErrorKind::Io { file, .. } = &mut self.0.kind {
            if let Ok(rest) = file.strip_prefix(from) {
                *file = to.join(rest);
            }
        }
        self
    }

    /// This error, naming the setting that would fix it.
    pub fn with_setting(mut self, setting: Setting) -> Error {
        self.0.setting = Some(setting);
        self
    }

    /// `file` could not be opened or read.
    pub fn io(file: &Path, source: std::io::Error) -> Error {
        Error::new(ErrorKind::Io {
            file: file.to_path_buf(),
            source,
        })
    }

    /// `file` is not in the format expected; `message` says what was found and what to do.
    pub fn format(file: &Path, message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Format {
            file: file.to_path_buf(),
            message: message.into(),
        })
    }

    /// The row at `pos` is malformed: `reason`, where `expected` was expected.
    pub fn bad_row(pos: Position, reason: impl Into<String>, expected: impl Into<String>) -> Error {
        Error::new(ErrorKind::BadRow {
            pos,
            reason: reason.into(),
            expected: expected.into(),
        })
    }

    /// A setting or argument is wrong; `message` says what to give instead.
    pub fn config(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Config {
            message: message.into(),
        })
    }

    /// The input passes a limit of the code; `message` says which and what to do.
    pub fn limit(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Limit {
            message: message.into(),
        })
    }

    /// Another process of a run across processes failed; `message` names it and its host.
    pub fn cluster(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Cluster {
            message: message.into(),
        })
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0.kind {
            ErrorKind::Io { file, source } => {
                write!(f, "{}: {}", file.display(), io_message(source))
            }
            ErrorKind::Format { file, message } => write!(f, "{}: {}", file.display(), message),
            ErrorKind::BadRow {
                pos,
                reason,
                expected,
            } => {
                write!(f, "{pos}: {reason} (expected {expected})")
            }
            ErrorKind::Config { message }
            | ErrorKind::Limit { message }
            | ErrorKind::Cluster { message } => f.write_str(message),
        }
    }
}

/// Say what an I/O error means in the user's words, not the decoder's or the system's.
fn io_message(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::UnexpectedEof => {
            "the file ends early (truncated or partly downloaded compressed file?)".to_string()
        }
        std::io::ErrorKind::InvalidData => format!("corrupt or not the expected encoding: {e}"),
        // The system's words, without its error number.
        std::io::ErrorKind::NotFound if e.raw_os_error().is_some() => {
            "no such file or directory".to_string()
        }
        std::io::ErrorKind::PermissionDenied if e.raw_os_error().is_some() => {
            "permission denied".to_string()
        }
        std::io::ErrorKind::IsADirectory => "is a folder, where a file was expected".to_string(),
        std::io::ErrorKind::NotADirectory => {
            "a part of the path is a file, where a folder was expected".to_string()
        }
        _ => e.to_string(),
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.0.kind {
            ErrorKind::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_keeps_its_lines_and_loses_what_a_terminal_acts_on() {
        assert!(matches!(shown("plain 'text' é"), Cow::Borrowed(_)));
        assert_eq!(shown("a\tb\nc\u{1b}[0m"), "a\\u{9}b\\u{a}c\\u{1b}[0m");
        assert_eq!(shown("x\u{2067}y\u{85}"), "x\\u{2067}y\\u{85}");
        assert_eq!(
            shown_lines("f.csv: bad\u{1b}[2J\n  next line"),
            "f.csv: bad\\u{1b}[2J\n  next line"
        );
    }
}
