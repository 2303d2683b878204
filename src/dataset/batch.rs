//! Raw records as parsers produce them, the dataset's input: a batch owns one string arena
//! and its records point into it with spans, so parsing a chunk allocates a handful of
//! vectors, not one per field.

use super::interner::{hash_bytes, Key};
use super::{ItemKind, TimeResolution, TweetKind};
use std::ops::Range;

/// A byte range in a batch's arena, with the string's interner hash (computed while parsing,
/// which runs in parallel, rather than in the serial merge).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Span {
    pub start: u32,
    pub len: u32,
    pub hash: u64,
}

impl Span {
    pub const EMPTY: Span = Span {
        start: 0,
        len: 0,
        hash: 0,
    };

    pub fn is_empty(self) -> bool {
        self.len == 0
    }
}

/// A tweet id as written: a decimal number (the usual case), some other string (hashed ids in
/// generic CSVs), or absent (the IRA layout has none).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum RawId {
    #[default]
    None,
    Num(u64),
    Str(Span),
}

/// A reference from one tweet to another: what it retweets, replies to or quotes.
#[derive(Clone, Copy, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct RawRef {
    pub tweet: RawId,
    pub account: Span,
    pub screen_name: Span,
}

/// One tweet record.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct RawTweet {
    /// 1-based line of the record in its file (first line for multi-line records).
    pub line: u64,
    pub tweet: RawId,
    pub account: Span,
    pub time_ms: i64,
    pub resolution: TimeResolution,
    pub kind: TweetKind,
    /// The retweeted, replied-to or quoted tweet, by `kind`.
    pub target: RawRef,
    /// A quote carried by a reply (a tweet can be both).
    pub quote: Option<RawRef>,
    pub text: Span,
    pub lang: Span,
    /// The app the tweet was posted with (`Twitter for iPhone`), if the format says.
    pub client: Span,
    /// Indices into the batch's `items`.
    pub items: Range<u32>,
}

/// One account's profile, as far as a record tells it.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct RawAccount {
    pub key: Span,
    pub screen_name: Span,
    pub created_ms: Option<i64>,
    pub followers: Option<u32>,
    pub following: Option<u32>,
}

/// Examples the report keeps of each reason a row is rejected or doubted.
pub const EXAMPLES: usize = 5;

/// A rejected row, or a field set to unknown: where, why, and what was expected.
#[derive(Clone, Debug, serde::Serialize)]
pub struct RawReject {
    pub line: u64,
    pub reason: &'static str,
    /// Column (CSV) or field (JSON) at fault; empty when the whole record is.
    pub column: &'static str,
    pub expected: &'static str,
    pub found: String,
}

/// A reject read back from another process. Its reason, column and expectation are the
/// parsers' own words, each kept once for the rest of the run.
impl<'de> serde::Deserialize<'de> for RawReject {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<RawReject, D::Error> {
        #[derive(serde::Deserialize)]
        struct Owned {
            line: u64,
            reason: String,
            column: String,
            expected: String,
            found: String,
        }
        let o = Owned::deserialize(d)?;
        Ok(RawReject {
            line: o.line,
            reason: keep(o.reason),
            column: keep(o.column),
            expected: keep(o.expected),
            found: o.found,
        })
    }
}

/// `s` kept for the rest of the run, once however often it is asked for: the few words
/// rejects are named by that come from a file (a header's column names) or another process.
pub(crate) fn keep(s: String) -> &'static str {
    use std::sync::Mutex;
    static KEPT: Mutex<Vec<&'static str>> = Mutex::new(Vec::new());
    let mut kept = KEPT.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(&k) = kept.iter().find(|k| **k == s) {
        return k;
    }
    let k: &'static str = Box::leak(s.into_boxed_str());
    kept.push(k);
    k
}

/// Why a row cannot be used; the row's parser returns it and the caller records it.
#[derive(Clone, Debug)]
pub struct RowError {
    pub reason: &'static str,
    pub column: &'static str,
    pub expected: &'static str,
    pub found: String,
}

impl RowError {
    /// This error, found on `line`.
    fn at(self, line: u64) -> RawReject {
        RawReject {
            line,
            reason: self.reason,
            column: self.column,
            expected: self.expected,
            found: self.found,
        }
    }

    pub fn new(
        reason: &'static str,
        column: &'static str,
        expected: &'static str,
        found: &str,
    ) -> RowError {
        let found = if found.is_empty() {
            "nothing".to_string()
        } else {
            let cut: String = found.chars().take(80).collect();
            format!("'{}'", crate::error::shown(&cut))
        };
        RowError {
            reason,
            column,
            expected,
            found,
        }
    }
}

/// Where a batch stood before a row, to [`RecordBatch::rollback`] to if the row is rejected.
#[derive(Clone, Copy, Debug)]
pub struct Mark {
    arena: usize,
    items: usize,
    accounts: usize,
    warnings: usize,
}

/// What one chunk of input parses into.
#[derive(Clone, Default, Debug, serde::Serialize, serde::Deserialize)]
pub struct RecordBatch {
    pub arena: String,
    pub tweets: Vec<RawTweet>,
    pub items: Vec<(ItemKind, Span)>,
    pub accounts: Vec<RawAccount>,
    /// For each account record, how many tweets preceded it: interning follows input order
    /// exactly, so ids do not depend on where chunks were cut.
    pub account_at: Vec<u32>,
    pub rejects: Vec<RawReject>,
    /// Fields that were malformed and set to unknown while the row was kept.
    pub warnings: Vec<RawReject>,
    /// Records (rows, or tweets inside JSON pages) seen in this chunk.
    pub rows_read: u64,
    /// Rows that were account profiles (user CSVs), accepted without being tweets.
    pub profiles_read: u64,
    /// Uncompressed bytes this batch was parsed from.
    pub bytes_read: u64,
    /// Records whose tweet id had snowflake bits that disagree with the written time.
    pub snowflake_mismatches: u64,
    /// Set when another process sent the batch with its repeated strings as numbers.
    pub coded: Option<Box<super::coded::Coded>>,
    /// Set (with `coded`) when the rows stay with the process that parsed them, and only
    /// their outline travels: `tweets`, `items` and `accounts` are then empty.
    pub outline: Option<Box<super::outline::Outline>>,
}

impl RecordBatch {
    /// Empty, keeping the buffers: ingest reuses batches so each chunk parses into warm
    /// memory instead of faulting in fresh pages (about a tenth of ingest time otherwise).
    pub fn clear(&mut self) {
        self.arena.clear();
        self.tweets.clear();
        self.items.clear();
        self.accounts.clear();
        self.account_at.clear();
        self.rejects.clear();
        self.warnings.clear();
        self.rows_read = 0;
        self.profiles_read = 0;
        self.bytes_read = 0;
        self.snowflake_mismatches = 0;
        self.coded = None;
        self.outline = None;
    }

    /// Tweets this batch holds, or outlines.
    pub fn tweet_count(&self) -> usize {
        match &self.outline {
            Some(o) => o.times.len(),
            None => self.tweets.len(),
        }
    }

    /// Copy `s` into the arena.
    pub fn push_str(&mut self, s: &str) -> Span {
        if s.is_empty() {
            return Span::EMPTY;
        }
        let start = self.arena.len();
        self.arena.push_str(s);
        Span {
            start: start as u32,
            len: s.len() as u32,
            hash: hash_bytes(s.as_bytes()),
        }
    }

    pub fn str(&self, span: Span) -> &str {
        &self.arena[span.start as usize..(span.start + span.len) as usize]
    }

    /// The string at `span` with its hash, ready for an interner.
    pub fn key(&self, span: Span) -> Key<'_> {
        if span.is_empty() {
            return Key::new("");
        }
        Key {
            s: self.str(span),
            hash: span.hash,
        }
    }

    /// A tweet id: decimal strings become numbers, anything else is kept as a string.
    pub fn push_id(&mut self, s: &str) -> RawId {
        let s = trim(s);
        if s.is_empty() {
            return RawId::None;
        }
        match parse_decimal_id(s) {
            Some(n) => RawId::Num(n),
            None => RawId::Str(self.push_str(s)),
        }
    }

    pub fn push_item(&mut self, kind: ItemKind, s: &str) {
        if !s.is_empty() {
            let span = self.push_str(s);
            self.items.push((kind, span));
        }
    }

    pub fn items_from(&self, start: usize) -> Range<u32> {
        start as u32..self.items.len() as u32
    }

    /// One record read (at `line`) and added by `add`: counted, and where `add` refuses it,
    /// rejected with whatever it had added taken back, so no half record stays. Whether it
    /// was kept.
    pub fn read_record(
        &mut self,
        line: u64,
        add: impl FnOnce(&mut RecordBatch) -> Result<(), RowError>,
    ) -> bool {
        self.rows_read += 1;
        let mark = self.mark();
        let Err(e) = add(self) else {
            return true;
        };
        self.rollback(mark);
        self.reject(line, e);
        false
    }

    /// Record a rejected row.
    pub fn reject(&mut self, line: u64, e: RowError) {
        self.rejects.push(e.at(line));
    }

    /// Record a malformed field that was set to unknown while its row was kept.
    pub fn warn(&mut self, line: u64, e: RowError) {
        self.warnings.push(e.at(line));
    }

    pub fn add_account(&mut self, a: RawAccount) {
        self.accounts.push(a);
        self.account_at.push(self.tweets.len() as u32);
    }

    /// Take in the profile a tweet row gives its author, in the layouts that repeat it on
    /// every row; `screen_name` pushes the row's name, asked for only when it can count
    /// (`a.screen_name` is not read).
    ///
    /// Every row counts, wherever the chunks were cut: the dataset keeps each field's first
    /// value in input order ([`DatasetBuilder`](super::DatasetBuilder)). Rows of one account
    /// mostly come together, so a row whose author the batch's last record is about (the
    /// previous row's, every row adding to one) fills in only the fields that record lacks:
    /// the same first values, one record a run of rows. Call it last in a row's parse, as
    /// nothing rolls back what it fills in.
    pub fn add_row_account(
        &mut self,
        a: RawAccount,
        screen_name: impl FnOnce(&mut RecordBatch) -> Span,
    ) {
        let run = self.accounts.last().is_some_and(|last| {
            last.key.hash == a.key.hash && self.str(last.key) == self.str(a.key)
        });
        if !run {
            let screen_name = screen_name(self);
            return self.add_account(RawAccount { screen_name, ..a });
        }
        let i = self.accounts.len() - 1;
        if self.accounts[i].screen_name.is_empty() {
            self.accounts[i].screen_name = screen_name(self);
        }
        let last = &mut self.accounts[i];
        last.created_ms = last.created_ms.or(a.created_ms);
        last.followers = last.followers.or(a.followers);
        last.following = last.following.or(a.following);
    }

    /// Forget what a rejected row had added, so the batch holds no trace of it: its strings,
    /// items, profiles, and the warnings about fields it would have been kept without.
    pub fn rollback(&mut self, mark: Mark) {
        self.arena.truncate(mark.arena);
        self.items.truncate(mark.items);
        self.accounts.truncate(mark.accounts);
        self.account_at.truncate(mark.accounts);
        self.warnings.truncate(mark.warnings);
    }

    pub fn mark(&self) -> Mark {
        Mark {
            arena: self.arena.len(),
            items: self.items.len(),
            accounts: self.accounts.len(),
            warnings: self.warnings.len(),
        }
    }
}

/// `s.trim()`, without its walk over Unicode white space for the fields (nearly all) that
/// begin and end with a printable ASCII character.
pub fn trim(s: &str) -> &str {
    match (s.as_bytes().first(), s.as_bytes().last()) {
        (Some(first), Some(last)) if first.is_ascii_graphic() && last.is_ascii_graphic() => s,
        _ => s.trim(),
    }
}

/// A decimal id that fits below 2^63 (the top bit marks string ids in the dataset). Never
/// goes through floats: archive ids are 18-19 digits and lose precision in an f64.
pub fn parse_decimal_id(s: &str) -> Option<u64> {
    if s.is_empty() || s.len() > 19 {
        return None;
    }
    // 19 digits at most: below 10^19, which fits a u64.
    let mut n = 0u64;
    for b in s.bytes() {
        let digit = b.wrapping_sub(b'0');
        if digit > 9 {
            return None;
        }
        n = n * 10 + u64::from(digit);
    }
    (n != 0 && n < 1 << 63).then_some(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows of one account in a row make one record, each field the first the rows give;
    /// another account's row between them starts another.
    #[test]
    fn a_run_of_rows_is_one_record_of_first_values() {
        let mut b = RecordBatch::default();
        let row = |b: &mut RecordBatch, key: &str, name: &str, followers, following| {
            let key = b.push_str(key);
            let a = RawAccount {
                key,
                followers,
                following,
                ..RawAccount::default()
            };
            b.add_row_account(a, |b| b.push_str(name));
        };
        row(&mut b, "u1", "", None, Some(1));
        row(&mut b, "u1", "first", Some(10), Some(2));
        row(&mut b, "u1", "second", Some(11), None);
        row(&mut b, "u2", "other", None, None);
        row(&mut b, "u1", "third", Some(12), Some(3));
        let got: Vec<_> = (b.accounts.iter())
            .map(|a| (b.str(a.key), b.str(a.screen_name), a.followers, a.following))
            .collect();
        assert_eq!(
            got,
            [
                ("u1", "first", Some(10), Some(1)),
                ("u2", "other", None, None),
                ("u1", "third", Some(12), Some(3)),
            ]
        );
        assert_eq!(b.account_at, [0, 0, 0]);
    }

    #[test]
    fn trim_is_str_trim() {
        for s in [
            "",
            " ",
            "a",
            " a",
            "a ",
            "\ta\n",
            "1234",
            "\u{3000}x",
            "x\u{a0}",
            "é",
            " é ",
            "\u{2003}",
            "#tag",
            "a b",
            "\u{a0}\u{a0}",
        ] {
            assert_eq!(trim(s), s.trim(), "{s:?}");
        }
    }

    #[test]
    fn decimal_ids_are_those_below_2_to_the_63() {
        assert_eq!(
            parse_decimal_id("877919995476496385"),
            Some(877919995476496385)
        );
        assert_eq!(parse_decimal_id("9223372036854775807"), Some((1 << 63) - 1));
        for s in [
            "",
            "0",
            "9223372036854775808",
            "9999999999999999999",
            "12a",
            "-1",
            "+1",
        ] {
            assert_eq!(parse_decimal_id(s), None, "{s:?}");
        }
        assert_eq!(parse_decimal_id("00000000000000000012"), None); // 20 digits
        assert_eq!(parse_decimal_id("0000000000000000012"), Some(12));
    }
}
