//! What ingest read, kept and rejected, per file and per reason. Rows read always equal rows
//! accepted plus rows rejected: nothing is dropped without being counted here.

use super::Format;
use crate::dataset::batch::{RawReject, RecordBatch, EXAMPLES};
use crate::dataset::time::{format_iso, FarDates, DAY_MS};
use crate::dataset::Duplicate;
use crate::error::{Error, Result, Setting};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Rejected records that are not tweets by what they are, not by damage: a collection holds
/// them as it was sent them.
pub(crate) const STREAM_NOTICE: &str = "stream notice, not a tweet";
pub(crate) const API_ERROR: &str = "API error, not a tweet";
/// Rejected records that were read before: kept once, and no damage either.
const DUPLICATE: &str = "duplicate record (same tweet id and account; the first kept)";
const REPEATED: &str = "record an earlier file holds too (no tweet id; first copy kept)";

/// What was read of one input file.
#[derive(Debug, Default, Serialize)]
pub struct FileStats {
    /// The file as given (a zip's entry as `archive.zip!/entry`).
    pub path: PathBuf,
    /// `None` for an empty file.
    pub format: Option<Format>,
    /// Records read.
    pub rows_read: u64,
    /// Of those, kept.
    pub rows_accepted: u64,
    /// Of those, rejected (`IngestStats::rejected` says why).
    pub rows_rejected: u64,
    /// SHA-256 of the file as it is on disk (of the whole archive, for a zip entry), as
    /// `sha256sum` prints it: what a published finding was computed from.
    pub sha256: Option<String>,
    /// A CSV's columns (lowercased), to tell parts of one input that lack some of the others'.
    #[serde(skip)]
    pub columns: Vec<String>,
}

/// Rows rejected, or kept with a doubt, for one reason.
#[derive(Debug, Default, Serialize)]
pub struct ReasonStats {
    /// How many.
    pub count: u64,
    /// The first few, as `file:line: what was found (expected ...)`.
    pub examples: Vec<String>,
}

/// What was read of every input: by file, and rows rejected or doubted by reason.
#[derive(Debug, Default, Serialize)]
pub struct IngestStats {
    /// Each input file.
    pub files: Vec<FileStats>,
    /// Records read: CSV rows, JSON lines, or tweets inside API v2 pages.
    pub rows_read: u64,
    /// Of those, kept.
    pub rows_accepted: u64,
    /// Of those, rejected.
    pub rows_rejected: u64,
    /// Of the rejected, copies of records already read (each kept once).
    pub duplicates: u64,
    /// Rejected rows by reason.
    pub rejected: BTreeMap<String, ReasonStats>,
    /// Kept rows with a malformed field that was set to unknown.
    pub warnings: BTreeMap<String, ReasonStats>,
    /// Rows of account-profile files (their rows are accepted but are not tweets).
    pub profile_rows: u64,
    /// Tweets whose snowflake id disagreed with the written time (the written time was kept).
    pub snowflake_mismatches: u64,
    /// Rows kept although their tweet id was seen before with other content (an action CSV
    /// may list one share acting on several objects).
    pub reused_tweet_ids: u64,
    /// Records repeated whole and kept, when asked to keep them (CooRTweet counts every row).
    pub repeated_rows_kept: u64,
    /// Inputs found and not read, and why: files in folders and zip entries (`archive.zip!/entry`)
    /// that are not data files by their names or of no layout recognised, compressed files or
    /// zips inside a zip, a file given twice.
    pub skipped_entries: Vec<super::source::Skipped>,
    /// Bytes parsed (decompressed, where the files are compressed).
    pub bytes_read: u64,
    /// Seconds reading took.
    pub seconds: f64,
    /// Records each process parsed, in a run across processes (empty otherwise).
    #[serde(skip)]
    pub rows_by_process: Vec<u64>,
    /// Rows dated far from the rest not yet named in `warnings`: in a run across processes,
    /// their holders say whose they are ([`add_far_dates`](Self::add_far_dates)).
    #[serde(skip)]
    pub far_dates: Option<FarDates>,
}

impl IngestStats {
    /// Nothing read yet of the files `paths`.
    pub fn new(paths: Vec<PathBuf>) -> IngestStats {
        let files = paths
            .into_iter()
            .map(|path| FileStats {
                path,
                ..Default::default()
            })
            .collect();
        IngestStats {
            files,
            ..Default::default()
        }
    }

    pub(crate) fn set_columns(&mut self, file: u32, columns: &[String]) {
        self.files[file as usize].columns = columns.to_vec();
    }

    /// Per CSV file that lacks columns other files of its format have, those columns: its
    /// rows carry none of what they give (links, retweet sources), without a word. Hashtags
    /// are left out: a file without their column has them taken from its text.
    pub fn missing_columns(&self) -> Vec<(&std::path::Path, Vec<&str>)> {
        let from_text = [super::io_archive::HASHTAGS, super::twarc_csv::HASHTAGS];
        let csv = || self.files.iter().filter(|f| !f.columns.is_empty());
        // Every column of each format, once (an archive ships in hundreds of parts).
        let mut of_format: Vec<(Option<Format>, std::collections::BTreeSet<&str>)> = Vec::new();
        for f in csv() {
            let columns = f.columns.iter().map(String::as_str);
            match of_format.iter_mut().find(|(format, _)| *format == f.format) {
                Some((_, all)) => all.extend(columns),
                None => of_format.push((f.format, columns.collect())),
            }
        }
        csv()
            .filter_map(|f| {
                let all = &of_format.iter().find(|(format, _)| *format == f.format)?.1;
                let lacks: Vec<&str> = (all.iter().copied())
                    .filter(|c| !f.columns.iter().any(|own| own == c) && !from_text.contains(c))
                    .collect();
                (!lacks.is_empty()).then_some((f.path.as_path(), lacks))
            })
            .collect()
    }

    pub(crate) fn set_format(&mut self, file: u32, format: Option<Format>) {
        self.files[file as usize].format = format;
    }

    pub(crate) fn add_batch(&mut self, file: u32, b: &RecordBatch) {
        let accepted = b.tweet_count() as u64 + b.profiles_read;
        let f = &mut self.files[file as usize];
        f.rows_read += b.rows_read;
        f.rows_accepted += accepted;
        f.rows_rejected += b.rejects.len() as u64;
        debug_assert_eq!(
            b.rows_read,
            accepted + b.rejects.len() as u64,
            "{}",
            f.path.display()
        );
        let path = f.path.clone();
        self.rows_read += b.rows_read;
        self.rows_accepted += accepted;
        self.rows_rejected += b.rejects.len() as u64;
        self.profile_rows += b.profiles_read;
        self.snowflake_mismatches += b.snowflake_mismatches;
        self.bytes_read += b.bytes_read;
        for r in &b.rejects {
            note(&mut self.rejected, &path, r);
        }
        for r in &b.warnings {
            note(&mut self.warnings, &path, r);
        }
    }

    /// Repeated records found at the end (by tweet id, or without one, across files) move
    /// from accepted to rejected.
    pub(crate) fn add_duplicates(&mut self, duplicates: &[Duplicate]) {
        for d in duplicates {
            let f = &mut self.files[d.file as usize];
            f.rows_accepted -= 1;
            f.rows_rejected += 1;
            let (reason, expected, found) = match d.tweet_id.is_empty() {
                false => (DUPLICATE, "each record once", d.tweet_id.clone()),
                true => (
                    REPEATED,
                    "each record once: files that overlap given together?",
                    "the time, account, text, target and items of a row of an earlier file".into(),
                ),
            };
            let r = RawReject {
                line: d.line,
                reason,
                column: "",
                expected,
                found,
            };
            let path = f.path.clone();
            note(&mut self.rejected, &path, &r);
        }
        self.rows_accepted -= duplicates.len() as u64;
        self.duplicates += duplicates.len() as u64;
        self.rows_rejected += duplicates.len() as u64;
    }

    /// Rows dated far from the rest ([`FarDates`]), as a warning: `name` gives each example
    /// row's account and tweet id.
    pub fn add_far_dates(
        &mut self,
        far: &FarDates,
        name: impl Fn(u32) -> (String, Option<String>),
    ) {
        let entry = self.warnings.entry(FAR_DATE.to_string()).or_default();
        entry.count += far.count as u64;
        let (lo, hi) = far.middle;
        let day = |ms: i64| format_iso(ms)[..10].to_string();
        let example = |&(r, t): &(u32, i64)| {
            let (side, days) = match t < lo {
                true => ("before", (lo - t) / DAY_MS),
                false => ("after", (t - hi) / DAY_MS),
            };
            let (account, tweet) = name(r);
            let tweet = tweet.map_or(String::new(), |id| format!(" {id}"));
            format!(
                "{}: tweet{tweet} by {account}, {days} days {side} the middle 98% of rows ({} \
                 to {})",
                format_iso(t),
                day(lo),
                day(hi)
            )
        };
        entry.examples = far.examples.iter().map(example).collect();
    }

    /// An error when more than `max_share` of the records read were rejected, copies of
    /// records already read and records that are no tweets (stream notices, API errors)
    /// aside, naming the file with the most and its main reason.
    pub fn check_rejected(&self, max_share: f64) -> Result<()> {
        let damage = |reason: &&String| {
            ![STREAM_NOTICE, API_ERROR, DUPLICATE, REPEATED].contains(&reason.as_str())
        };
        let mut reasons: Vec<_> = self.rejected.iter().filter(|(r, _)| damage(r)).collect();
        let bad: u64 = reasons.iter().map(|(_, r)| r.count).sum();
        if bad == 0 || bad as f64 <= max_share * self.rows_read as f64 {
            return Ok(());
        }
        let Some(worst) = self.files.iter().max_by_key(|f| f.rows_rejected) else {
            return Ok(());
        };
        let shown = worst.path.display().to_string();
        reasons.sort_by_key(|(_, r)| std::cmp::Reverse(r.count));
        let why = reasons.first().map_or(String::new(), |(reason, r)| {
            let example = (r.examples.iter())
                .find(|e| e.starts_with(&shown))
                .or(r.examples.first())
                .map_or(String::new(), |e| format!(", e.g. {e}"));
            format!(" ({} {reason}{example})", r.count)
        });
        let in_all = match self.files.len() {
            1 => String::new(),
            _ => format!("; {bad} of the {} records read in all", self.rows_read),
        };
        let layout = worst.format.map_or("any layout", |f| f.name());
        let (r, n) = (worst.rows_rejected, worst.rows_read);
        let rejected = match (r, n) {
            (_, 1) => "its one record was rejected".to_string(),
            _ if r == n => format!("all {n} of its records were rejected"),
            _ => format!("{r} of its {n} records were rejected"),
        };
        Err(Error::format(
            &worst.path,
            format!(
                "{rejected}{why}{in_all}, more than the {} a run may reject: the input is \
                 damaged, or is not laid out as {layout} (--format names the layout; `coordnet \
                 stats` lists every reason)",
                crate::shown::pct(max_share),
            ),
        )
        .with_setting(Setting::MaxRejected))
    }

    /// Human-readable summary, one fact a line.
    pub fn summary(&self) -> String {
        let mut s = format!(
            "read {} records from {} file(s){}: {} accepted, {} rejected{}",
            self.rows_read,
            self.files.len(),
            crate::progress::shared_out("parsed", &self.rows_by_process),
            self.rows_accepted,
            self.rows_rejected,
            match self.duplicates {
                0 => String::new(),
                n => format!(" ({n} of them copies of records already read, each kept once)"),
            }
        );
        // A folder of notes beside the data should not bury the rest of the summary.
        const SHOWN: usize = 10;
        for e in self.skipped_entries.iter().take(SHOWN) {
            s.push_str(&format!(
                "\n  warning: {} not read: {}",
                e.path.display(),
                e.why
            ));
        }
        if self.skipped_entries.len() > SHOWN {
            s.push_str(&format!(
                "\n  warning: {} more inputs not read (all are listed by `coordnet stats --json`)",
                self.skipped_entries.len() - SHOWN
            ));
        }
        for f in self.files.iter().filter(|f| f.rows_read == 0) {
            let what = match f.format {
                None => "is empty",
                Some(_) => "holds a header and no records",
            };
            s.push_str(&format!("\n  warning: {} {what}", f.path.display()));
        }
        for (path, lacks) in self.missing_columns() {
            s.push_str(&format!(
                "\n  warning: {} has no {} column{}, which other files of its layout have: its \
                 rows carry nothing of {}",
                path.display(),
                lacks.join(", "),
                if lacks.len() == 1 { "" } else { "s" },
                if lacks.len() == 1 { "it" } else { "them" }
            ));
        }
        // FiveThirtyEight's `retweet` flag is 1 for quotes too: only `post_type` tells them.
        let ira_unsplit = |f: &&FileStats| {
            let has = |c: &str| f.columns.iter().any(|h| h == c);
            f.format == Some(Format::Ira) && has("retweet") && !has("post_type")
        };
        for f in self.files.iter().filter(ira_unsplit) {
            s.push_str(&format!(
                "\n  warning: {} has no post_type column: its rows with retweet = 1 are read as \
                 retweets, quote tweets among them",
                f.path.display()
            ));
        }
        for (reason, r) in &self.rejected {
            s.push_str(&format!("\n  rejected {:>9}  {reason}", r.count));
            for e in &r.examples {
                s.push_str(&format!("\n      e.g. {e}"));
            }
        }
        for (reason, r) in &self.warnings {
            // A warning that says what became of the row itself is not told it again.
            let kept = match reason.contains("row kept") {
                true => "",
                false => " (row kept, field unknown)",
            };
            s.push_str(&format!("\n  warning  {:>9}  {reason}{kept}", r.count));
            for e in &r.examples {
                s.push_str(&format!("\n      e.g. {e}"));
            }
        }
        if self.repeated_rows_kept > 0 {
            s.push_str(&format!(
                "\n  note     {:>9}  records repeated whole, kept as CooRTweet keeps them",
                self.repeated_rows_kept
            ));
        }
        if self.reused_tweet_ids > 0 {
            s.push_str(&format!(
                "\n  note     {:>9}  rows reuse a tweet id with other content (kept as separate actions)",
                self.reused_tweet_ids
            ));
        }
        s
    }
}

/// The warning's reason (a key of summary.json's `warnings`).
const FAR_DATE: &str =
    "dated far from the other rows (a placeholder for a missing date?); row kept";

fn note(map: &mut BTreeMap<String, ReasonStats>, path: &std::path::Path, r: &RawReject) {
    let entry = map.entry(r.reason.to_string()).or_default();
    entry.count += 1;
    if entry.examples.len() < EXAMPLES {
        let column = if r.column.is_empty() {
            String::new()
        } else {
            format!(", column '{}'", r.column)
        };
        entry.examples.push(format!(
            "{}:{}{column}: found {} (expected {})",
            path.display(),
            r.line,
            r.found,
            r.expected
        ));
    }
}
