//! Flags shared by every command that reads tweet records.

use super::progress::Reporter;
use super::{one_of, set};
use coordnet::ingest::{ingest_with_progress, ActionsMapping, ObjectKind, SlashOrder};
use coordnet::pipeline::InputKind;
use coordnet::{Dataset, Format, IngestOptions, IngestStats};
use std::path::PathBuf;

/// What the input is, and where the score finds ordinary accounts to compare with: flags of
/// the commands that score (`detect`, `score`).
#[derive(clap::Args, Debug)]
pub struct BackgroundArgs {
    /// What the input is: a takedown archive (only suspects, so clusters are compared with a
    /// control collection or platform-wide figures, and `detect` splits it into operations),
    /// a mixed collection (clusters are compared with its own ordinary accounts), or auto to
    /// work it out from the data.
    #[arg(long, value_name = "KIND",
          value_parser = one_of::<InputKind>(InputKind::ALL.map(InputKind::name)))]
    pub input_kind: Option<InputKind>,

    /// A control collection: ordinary accounts' tweets, in any supported format, that the
    /// score compares clusters with (a takedown archive has no ordinary accounts of its own).
    /// Repeat the flag, or separate files with commas, for several files [default: none; the
    /// data's own accounts, or for an archive built-in platform-wide figures].
    #[arg(long, value_name = "FILE", value_delimiter = ',')]
    pub control: Vec<PathBuf>,
}

impl BackgroundArgs {
    /// Refuse a control collection that names no readable file before the input is read.
    pub fn check(&self) -> anyhow::Result<()> {
        if !self.control.is_empty() {
            coordnet::ingest::source::expand(&self.control)
                .map_err(|e| anyhow::anyhow!("--control: {e}"))?;
        }
        Ok(())
    }

    /// The control collection, read with `options`, with what reading it found, if one is
    /// given; `input` is what reading the suspects found.
    pub fn read_control(
        &self,
        options: &IngestOptions,
        input: &IngestStats,
        progress: &Reporter,
    ) -> anyhow::Result<Option<(Dataset, IngestStats)>> {
        if self.control.is_empty() {
            return Ok(None);
        }
        let (control, stats) = ingest_with_progress(&self.control, options, progress)?;
        progress.say(&format!("control collection: {}", stats.summary()));
        anyhow::ensure!(
            !control.is_empty(),
            "the control collection (--control) holds no tweets"
        );
        // The control stands for ordinary accounts: the suspects' own file measures them
        // against themselves (though for `score`, a collection holding the listed accounts
        // among others may serve).
        let same = stats.files.iter().find_map(|c| {
            let i = input
                .files
                .iter()
                .find(|i| i.sha256.is_some() && i.sha256 == c.sha256)?;
            Some((c, i))
        });
        if let Some((c, i)) = same {
            progress.say(&format!(
                "note: --control {} is the same file as the input {}: a control stands for \
                 ordinary accounts, and an archive's suspects would be compared with themselves",
                c.path.display(),
                i.path.display()
            ));
        }
        Ok(Some((control, stats)))
    }
}

#[derive(clap::Args, Debug)]
pub struct InputArgs {
    /// Input files, directories or globs: CSV or JSON lines, plain, .gz, .zst or .zip.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,

    /// Format of every input [default: recognised per file, from its name and first lines].
    #[arg(long, value_name = "FORMAT", value_parser = one_of::<Format>(Format::ALL.map(Format::name)))]
    pub format: Option<Format>,

    /// Stop at the first bad row, naming file, line and column (default: count it, go on).
    #[arg(long)]
    pub strict: bool,

    /// Stop once the input is read when more than this share of its records were rejected
    /// (copies of records already read aside): most of an input unreadable means a damaged
    /// file or a layout misread. 1 reads whatever can be read; `stats` reports whatever this is.
    #[arg(long, value_name = "SHARE", value_parser = super::share)]
    pub max_rejected: Option<f64>,

    /// The longest record (CSV row, JSON line) read, in MiB, 1 to 1024; a longer one stops
    /// the run naming its line.
    #[arg(long, value_name = "MB", value_parser = record_mb)]
    pub max_record_mb: Option<usize>,

    /// Memory the run may use (12G, 500M, ...); a stage that would pass it stops before it
    /// starts, saying what it needs.
    #[arg(long, value_name = "SIZE", value_parser = coordnet::memory::parse_size)]
    pub memory_limit: Option<u64>,

    /// Folder for temporary files (a large input's texts, about 90 bytes per distinct text;
    /// in detect and score, the fused edges' evidence while Leiden runs, when the memory limit
    /// asks); they are removed however the run ends [default: the system's temporary folder,
    /// $TMPDIR].
    #[arg(long, value_name = "DIR")]
    pub temp_dir: Option<PathBuf>,

    /// Worker threads in this process, at most 16 per core [default: one per core].
    #[arg(long, value_parser = super::whole::<usize>, value_name = "T")]
    pub threads: Option<usize>,

    /// Action CSV: column holding the account (CooRTweet's name by default).
    #[arg(long, value_name = "COL", help_heading = ACTION_CSV)]
    pub account: Option<String>,
    /// Action CSV: column holding the time, POSIX seconds or a date-time.
    #[arg(long, value_name = "COL", help_heading = ACTION_CSV)]
    pub time: Option<String>,
    /// Action CSV: column holding the object acted on: retweeted tweet, hashtag, URL, ...
    #[arg(long, value_name = "COL", help_heading = ACTION_CSV)]
    pub object: Option<String>,
    /// Action CSV: column holding the action's own id, a tweet id.
    #[arg(long, value_name = "COL", help_heading = ACTION_CSV)]
    pub content: Option<String>,
    /// Action CSV: column holding the object's author, the retweeted account.
    #[arg(long, value_name = "COL", help_heading = ACTION_CSV)]
    pub object_account: Option<String>,
    /// Action CSV: what the object is.
    #[arg(
        long,
        value_name = "KIND",
        value_parser = one_of::<ObjectKind>(ObjectKind::ALL.map(ObjectKind::name)),
        help_heading = ACTION_CSV
    )]
    pub object_kind: Option<ObjectKind>,
    /// Action CSV: read slash dates as day/month/year (16/6/2021) [default: month/day/year,
    /// as US exports write them]. A date that reads only the other way stops the run.
    #[arg(long, help_heading = ACTION_CSV)]
    pub day_first: bool,
}

/// How much of the input's text stays in memory before the rest goes to the temporary folder.
fn text_in_memory() -> String {
    let bytes = IngestOptions::default().max_text_memory;
    format!("{} MiB", bytes >> 20)
}

/// The help heading of the flags that map an action CSV's columns.
const ACTION_CSV: &str = "Action CSV columns";

/// The most `--max-record-mb` takes: a record is held whole in memory, and no tweet record
/// comes near. (0 would refuse every record; 2^44 and more overflow the conversion to bytes.)
const MAX_RECORD_MB: usize = 1024;

fn record_mb(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(mb @ 1..=MAX_RECORD_MB) => Ok(mb),
        _ => Err(format!(
            "expected a whole number of MiB from 1 to {MAX_RECORD_MB}, such as {} (the default)",
            IngestOptions::default().max_record_bytes >> 20
        )),
    }
}

/// `--help` shows the library's defaults, in every command that reads input.
pub fn show_defaults(cmd: clap::Command) -> clap::Command {
    let d = IngestOptions::default();
    let m = ActionsMapping::coortweet();
    let reads_input = cmd.get_arguments().any(|a| a.get_id() == "max_rejected");
    if !reads_input {
        return cmd;
    }
    let share = coordnet::memory::DEFAULT_SHARE * 100.0;
    let content = coordnet::ingest::COORTWEET_CONTENT;
    let defaults = [
        ("max_rejected", d.max_rejected_share.to_string()),
        ("max_record_mb", (d.max_record_bytes >> 20).to_string()),
        (
            "memory_limit",
            format!("{share:.0}% of the memory available at start"),
        ),
        ("account", m.account),
        ("time", m.time),
        ("object", m.object),
        (
            "content",
            m.content.unwrap_or(format!("{content}, if there")),
        ),
        ("object_account", m.object_account.unwrap_or("none".into())),
        ("object_kind", m.kind.name().into()),
    ];
    super::with_defaults(cmd, &defaults)
}

impl InputArgs {
    /// The memory limit: the flag's, or the default share of what is available now.
    pub fn memory_limit(&self) -> Option<u64> {
        self.memory_limit.or_else(coordnet::memory::default_limit)
    }

    /// A line saying the memory limit and where it came from, and that the temporary folder
    /// is held in memory where it is.
    pub fn memory_line(&self) -> String {
        let dir = (self.temp_dir.clone()).unwrap_or_else(std::env::temp_dir);
        match coordnet::memory::held_in_memory(&dir) {
            true => format!(
                "{}; note: temporary files go to {}, held in memory (tmpfs) outside the limit: \
                 for an input of more than {} of text, give --temp-dir DIR on a disk",
                self.limit_line(),
                dir.display(),
                text_in_memory()
            ),
            false => self.limit_line(),
        }
    }

    fn limit_line(&self) -> String {
        use coordnet::memory::{available, format_size, DEFAULT_SHARE};
        match (self.memory_limit, self.memory_limit()) {
            (Some(l), _) => match available().filter(|&a| a < l) {
                // The kernel stops a run that takes what is not there, whatever the limit.
                Some(a) => format!(
                    "memory limit {} (--memory-limit); warning: the machine has {} available, \
                     so a run that needs more is stopped by the system, not by the limit",
                    format_size(l),
                    format_size(a)
                ),
                None => format!("memory limit {} (--memory-limit)", format_size(l)),
            },
            (None, Some(l)) => format!(
                "memory limit {} ({:.0}% of the {} available; --memory-limit to change)",
                format_size(l),
                DEFAULT_SHARE * 100.0,
                available().map_or("?".into(), format_size)
            ),
            (None, None) => "no memory limit (the system does not say what is available)".into(),
        }
    }

    /// Before reading: refuse a `--temp-dir` that cannot take a file (and warn of a system
    /// temporary folder that cannot: only a large run writes there), and size the thread pool
    /// as `--threads` says (results do not depend on it).
    pub fn prepare(&self) -> anyhow::Result<()> {
        match &self.temp_dir {
            Some(dir) => coordnet::memory::check_temp_dir(dir)?,
            None => {
                let dir = std::env::temp_dir();
                if let Err(e) = coordnet::memory::check_temp_dir(&dir) {
                    coordnet::tell!(
                        "warning: {e}; it is the system's temporary folder ($TMPDIR), where a \
                         run past {} of text or its memory limit sets files aside: give \
                         --temp-dir DIR",
                        text_in_memory()
                    );
                }
            }
        }
        if let Some(t) = self.threads {
            anyhow::ensure!(t > 0, "--threads must be 1 or more");
            // Each thread takes its own buffers and slices of the work: thousands on a few
            // cores only wait on each other (10,000 did not finish 20 rows in a minute).
            let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
            let most = MAX_THREADS_PER_CORE * cores;
            anyhow::ensure!(
                t <= most,
                "--threads {t} is more than {MAX_THREADS_PER_CORE} per core ({most} on this \
                 machine's {cores}); leave it out for one per core"
            );
            rayon::ThreadPoolBuilder::new()
                .num_threads(t)
                .build_global()
                .map_err(|e| anyhow::anyhow!("cannot start {t} threads: {e}"))?;
        }
        Ok(())
    }

    pub fn options(&self) -> IngestOptions {
        // Any action-CSV flag makes the input an action CSV; the flags not given keep
        // CooRTweet's names.
        let columns = [
            &self.account,
            &self.time,
            &self.object,
            &self.content,
            &self.object_account,
        ];
        let named = columns.iter().any(|c| c.is_some()) || self.object_kind.is_some();
        let mapping = named.then(|| {
            let d = ActionsMapping::coortweet();
            ActionsMapping {
                account: self.account.clone().unwrap_or(d.account),
                time: self.time.clone().unwrap_or(d.time),
                object: self.object.clone().unwrap_or(d.object),
                content: self.content.clone().or(d.content),
                object_account: self.object_account.clone().or(d.object_account),
                kind: self.object_kind.unwrap_or(d.kind),
            }
        });
        let mut opts = IngestOptions {
            format: self.format.or(mapping.as_ref().map(|_| Format::Actions)),
            mapping,
            strict: self.strict,
            slash_dates: match self.day_first {
                true => SlashOrder::DayFirst,
                false => SlashOrder::MonthFirst,
            },
            temp_dir: self.temp_dir.clone(),
            ..IngestOptions::default()
        };
        set(&mut opts.max_rejected_share, self.max_rejected);
        opts.memory_limit = self.memory_limit();
        if let Some(mb) = self.max_record_mb {
            opts.max_record_bytes = mb << 20; // at most 1024 MiB: `record_mb`
        }
        opts
    }
}

/// The most `--threads` per core.
const MAX_THREADS_PER_CORE: usize = 16;
