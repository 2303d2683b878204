//! Builds a `Dataset` from record batches: interns as batches arrive (in input order), then
//! resolves names, drops duplicated tweet ids and sorts by time once at the end (`finish`);
//! `duplicates` finds the rows that repeat a tweet id.

use super::batch::{RawAccount, RawId, RawRef, RecordBatch, Span, EXAMPLES};
use super::coded::{Dict, Senders};
use super::interner::hash_bytes;
use super::outline::{account_span, Outline, ProfileStep};
use super::shard::{Placement, RepeatRow, Shard, NO_ROW};
use super::time::FarDates;
use super::*;
use crate::error::{Error, Result};
use hashbrown::HashMap;
use rayon::prelude::*;

mod duplicates;
mod finish;

use duplicates::*;

/// What a builder finishes with.
pub struct Built {
    pub data: Dataset,
    /// The repeated records (dropped, or kept as asked).
    pub duplicates: Vec<Duplicate>,
    /// How many rows share a tweet id with a different record.
    pub reused: u64,
    /// Where each process's records went.
    pub placements: Vec<Placement>,
    /// The rows dated far from the rest, found while their times are here (a dataset held
    /// apart keeps none).
    pub far_dates: Option<FarDates>,
}

/// A tweet dropped because its id was already seen: where it was.
#[derive(Clone, Debug)]
pub struct Duplicate {
    pub file: u32,
    pub line: u64,
    pub tweet_id: String,
}

/// Collects batches into columns; `finish` turns them into a sorted `Dataset`.
#[derive(Default)]
pub struct DatasetBuilder {
    data: Dataset,
    keep_text: bool,
    /// Line of each row in its file, and the first row of each file: for duplicate reports.
    row_line: Vec<u64>,
    file_starts: Vec<(usize, u32)>,
    /// Files whose rows may share a tweet id with another record (action CSVs: one share
    /// acting on several objects); in the others a tweet id is one tweet.
    reused_ids: Vec<u32>,
    /// Mentions known only by screen name: (index into `items`, name), resolved at the end.
    pending_names: Vec<(usize, u32)>,
    mention_names: Interner,
    /// Input bytes still to come, to size the columns from the first batch's rows per byte.
    expected_bytes: u64,
    /// Text bytes the whole input would hold at the first batch's rate.
    projected_text_bytes: u64,
    /// What the numbers in batches other processes coded stand for.
    senders: Senders,
    /// A bit per account whose profile is complete, every field known: its later records
    /// change nothing, and checking its four columns again was four cache misses a record.
    profiled: Vec<u64>,
    /// A process's own rows, its strings kept as the numbers it sent them by (see `shard`):
    /// no profiles, names or repeats, which are process 0's to settle.
    shard: bool,
    /// Where each process's batches begin, as (row, process), when another process sent some.
    pushed_by: Vec<(u32, u32)>,
    /// The account each mention by screen name was resolved to, by name id.
    name_account: Vec<u32>,
}

impl DatasetBuilder {
    pub fn new(keep_text: bool) -> DatasetBuilder {
        let mut b = DatasetBuilder {
            keep_text,
            ..Default::default()
        };
        b.data.langs.intern(""); // id 0 = unknown language
        b.data.clients.intern(""); // id 0 = unknown app
        b.data.item_offsets.push(0);
        b
    }

    /// A builder of the rows this process codes for process 0, to become its
    /// [`Shard`] once process 0 places them.
    pub fn for_shard(keep_text: bool) -> DatasetBuilder {
        DatasetBuilder {
            senders: Senders::own(),
            shard: true,
            ..DatasetBuilder::new(keep_text)
        }
    }

    /// About how many input bytes will be pushed in all.
    pub fn expect_bytes(&mut self, bytes: u64) {
        self.expected_bytes = bytes;
    }

    /// Size the columns once, from the first batch: growing them by doubling copies and
    /// faults in every page twice, and fresh pages are dear (a GB costs 0.65 s here).
    fn reserve_rows(&mut self, batch: &RecordBatch) {
        if self.expected_bytes == 0 || batch.bytes_read == 0 || batch.tweet_count() == 0 {
            return;
        }
        let per_byte = batch.tweet_count() as f64 / batch.bytes_read as f64;
        let rows = (self.expected_bytes as f64 * per_byte * 1.05) as usize;
        if batch.outline.is_some() {
            // The only columns an outline fills.
            self.expected_bytes = 0;
            self.data.time_ms.reserve(rows);
            self.data.tweet_id.reserve(rows);
            return;
        }
        if self.keep_text {
            let text_bytes: u64 = batch.tweets.iter().map(|t| t.text.len as u64).sum();
            self.projected_text_bytes =
                (self.expected_bytes as f64 * text_bytes as f64 / batch.bytes_read as f64) as u64;
        }
        self.expected_bytes = 0;
        let d = &mut self.data;
        d.tweet_id.reserve(rows);
        d.account.reserve(rows);
        d.time_ms.reserve(rows);
        d.flags.reserve(rows);
        d.target_tweet.reserve(rows);
        d.target_account.reserve(rows);
        d.text.reserve(rows);
        d.lang.reserve(rows);
        d.client.reserve(rows);
        d.item_offsets.reserve(rows);
        self.row_line.reserve(rows);
    }

    /// Move the texts to a temporary file in `dir` once they pass `limit` bytes, or after the
    /// first batch when the whole input would pass it at that batch's rate (interning them in
    /// memory first only to move them costs an arena grown by doubling, in fresh pages, and
    /// a second hashing); then write out those that came since: between batches, so that
    /// reading never holds them all.
    pub fn spill_texts(&mut self, limit: u64, dir: &std::path::Path) -> Result<()> {
        let texts = &mut self.data.texts;
        let will_pass = self.projected_text_bytes > limit;
        if !texts.on_disk() && (will_pass || texts.text_bytes() > limit) {
            texts.move_to_disk(dir)?;
        }
        texts.flush(false)
    }

    /// Whether the batches pushed from now on keep their texts.
    pub fn keep_text(&mut self, keep: bool) {
        self.keep_text = keep;
    }

    /// File `file`'s rows may share a tweet id with another record (an action CSV's do).
    pub fn ids_reused_in(&mut self, file: u32) {
        if !self.reused_ids.contains(&file) {
            self.reused_ids.push(file);
        }
    }

    /// Whether rows of `a` and `b`, the same in tweet id, account and kind, are one tweet
    /// whatever else they say: unless either file's ids are reused, a tweet id is one tweet,
    /// though a twarc2 CSV writes a retweet's items from the tweet it carries and its JSON from
    /// the retweet's own text.
    fn one_tweet(&self, a: u32, b: u32) -> bool {
        !self.reused_ids.contains(&a) && !self.reused_ids.contains(&b)
    }

    pub fn len(&self) -> usize {
        self.data.len()
    }

    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// Take in a batch, in input order. A batch that could take the dataset past what its
    /// `u32` ids can number is refused, before anything of it is taken in.
    pub fn push(&mut self, file: u32, batch: &RecordBatch) -> Result<()> {
        self.check_room(batch)?;
        self.reserve_rows(batch);
        self.senders.receive(batch, &mut self.data.accounts.names);
        self.note_start(file, batch);
        if let Some(outline) = &batch.outline {
            return self.push_outline(batch, outline);
        }
        let mut next_account = 0;
        for (i, t) in batch.tweets.iter().enumerate() {
            next_account = self.profiles_before(batch, next_account, i as u32);
            let tweet_id = self.tweet_id(batch, t.tweet);
            let account = self.account(batch, t.account);
            let (target_tweet, target_account) = self.reference(batch, &t.target);
            if let Some(q) = &t.quote {
                let (qt, qa) = self.reference(batch, q);
                let row = self.data.len() as u32;
                self.data.reply_quotes.push((row, qt, qa));
            }
            let d = &mut self.data;
            d.tweet_id.push(tweet_id);
            d.account.push(account);
            d.time_ms.push(t.time_ms);
            d.flags.push(t.kind as u8 | ((t.resolution as u8) << 2));
            d.target_tweet.push(target_tweet);
            d.target_account.push(target_account);
            let text = if self.keep_text && !t.text.is_empty() {
                d.texts.intern_key(batch.key(t.text))
            } else {
                NO_TEXT
            };
            d.text.push(text);
            let lang = if t.lang.is_empty() {
                0 // "", interned first
            } else {
                self.senders.id(&mut d.langs, Dict::Lang, batch, t.lang)
            };
            d.lang.push(u16::try_from(lang).unwrap_or(u16::MAX));
            let client = if t.client.is_empty() {
                0
            } else {
                self.senders
                    .id(&mut d.clients, Dict::Client, batch, t.client)
            };
            d.client.push(u16::try_from(client).unwrap_or(u16::MAX));
            for &(kind, span) in &batch.items[t.items.start as usize..t.items.end as usize] {
                let (senders, d) = (&mut self.senders, &mut self.data);
                let item = match kind {
                    ItemKind::Hashtag => Item::new(
                        kind,
                        senders.id(&mut d.hashtags, Dict::Hashtag, batch, span),
                    ),
                    ItemKind::Url => {
                        Item::new(kind, senders.id(&mut d.urls, Dict::Url, batch, span))
                    }
                    ItemKind::Mention => Item::new(kind, self.account(batch, span)),
                    ItemKind::MentionName => {
                        let names = &mut self.mention_names;
                        let name = senders.id(names, Dict::MentionName, batch, span);
                        self.pending_names.push((self.data.items.len(), name));
                        Item::new(kind, 0)
                    }
                };
                self.data.items.push(item);
            }
            self.data.item_offsets.push(self.data.items.len() as u32);
            self.row_line.push(t.line);
        }
        self.profiles_before(batch, next_account, u32::MAX);
        self.senders.check()
    }

    /// Where `batch`'s rows begin: their sender's, and their file's.
    fn note_start(&mut self, file: u32, batch: &RecordBatch) {
        let sender = batch.coded.as_ref().map_or(0, |c| c.sender);
        let start = self.data.len() as u32;
        if self.pushed_by.last().map(|&(_, p)| p) != Some(sender) {
            self.pushed_by.push((start, sender));
        }
        if self.file_starts.last().map(|&(_, f)| f) != Some(file) {
            self.file_starts.push((start as usize, file));
        }
    }

    /// Take in a batch's [`Outline`]: the strings it uses first, in the order a whole batch
    /// uses them (so each gets the id it gets there), the account fields, and each row's time
    /// and tweet id, the only columns kept (see [`finish_outlined`](Self::finish_outlined)).
    fn push_outline(&mut self, batch: &RecordBatch, outline: &Outline) -> Result<()> {
        for &(dict, n) in &outline.uses {
            let (senders, d, span) = (&mut self.senders, &mut self.data, Span::numbered(n));
            let interner = match dict {
                Dict::Account => {
                    self.account(batch, account_span(n));
                    continue;
                }
                Dict::Lang => &mut d.langs,
                Dict::Client => &mut d.clients,
                Dict::Hashtag => &mut d.hashtags,
                Dict::Url => &mut d.urls,
                Dict::MentionName => &mut self.mention_names,
                Dict::Name => continue, // interned as they arrive
            };
            senders.id(interner, dict, batch, span);
        }
        for step in &outline.profiles {
            match *step {
                ProfileStep::Record {
                    account,
                    screen_name,
                    created_ms,
                    followers,
                    following,
                } => {
                    let key = account_span(account);
                    let id = self.account(batch, key);
                    let p = RawAccount {
                        key,
                        screen_name: screen_name.map_or(Span::EMPTY, Span::numbered),
                        created_ms,
                        followers,
                        following,
                    };
                    self.fill_profile(id, batch, &p);
                }
                ProfileStep::Name { account, name } => {
                    let a = self.account(batch, account_span(account)) as usize;
                    let accounts = &mut self.data.accounts;
                    if accounts.screen_name[a] == NO_TEXT {
                        let name = Span::numbered(name);
                        accounts.screen_name[a] =
                            (self.senders).id(&mut accounts.names, Dict::Name, batch, name);
                    }
                }
            }
        }
        self.data.time_ms.extend_from_slice(&outline.times);
        self.data.tweet_id.extend_from_slice(&outline.keys);
        self.senders.check()
    }

    /// Whether `batch` fits, counting every string it holds as new: rows, items and strings
    /// are numbered by `u32` (items of one kind by 30 bits), and this keeps every id in range
    /// without a check per string.
    fn check_room(&self, batch: &RecordBatch) -> Result<()> {
        let d = &self.data;
        let (tweets, items) = (batch.tweet_count() as u64, batch.items.len() as u64);
        let strings = 3 * tweets + items + batch.accounts.len() as u64;
        let ids = u32::MAX as u64 - 1;
        let checks = [
            ("tweets", d.len() as u64 + tweets, ids),
            (
                "hashtags, URLs and mentions",
                d.items.len() as u64 + items,
                ids,
            ),
            (
                "distinct hashtags",
                d.hashtags.len() as u64 + items,
                ITEM_IDS,
            ),
            ("distinct URLs", d.urls.len() as u64 + items, ITEM_IDS),
            ("accounts", d.accounts.len() as u64 + strings, ITEM_IDS),
            ("distinct texts", d.texts.len() as u64 + tweets, ids),
            (
                "distinct string tweet ids",
                d.tweet_keys.len() as u64 + 3 * tweets,
                ids,
            ),
        ];
        match checks.into_iter().find(|&(_, n, limit)| n > limit) {
            Some((what, _, limit)) => Err(Error::limit(format!(
                "the input holds more {what} than one dataset can number ({limit}); split it \
                 and run on the parts"
            ))),
            None => Ok(()),
        }
    }

    /// Take in the batch's account records that came before tweet `tweet`.
    fn profiles_before(&mut self, batch: &RecordBatch, mut next: usize, tweet: u32) -> usize {
        if self.shard {
            return batch.accounts.len();
        }
        while next < batch.accounts.len() && batch.account_at[next] <= tweet {
            let p = &batch.accounts[next];
            let id = self.account(batch, p.key);
            self.fill_profile(id, batch, p);
            next += 1;
        }
        next
    }

    fn tweet_id(&mut self, batch: &RecordBatch, id: RawId) -> u64 {
        match id {
            RawId::None => NO_TWEET,
            RawId::Num(n) => n,
            RawId::Str(span) => {
                STRING_ID_BIT | self.data.tweet_keys.intern_key(batch.key(span)) as u64
            }
        }
    }

    fn reference(&mut self, batch: &RecordBatch, r: &RawRef) -> (u64, u32) {
        let tweet = self.tweet_id(batch, r.tweet);
        let account = if !r.account.is_empty() {
            let a = self.account(batch, r.account);
            if self.shard {
                return (tweet, a);
            }
            let accounts = &mut self.data.accounts;
            if !r.screen_name.is_empty() && accounts.screen_name[a as usize] == NO_TEXT {
                accounts.screen_name[a as usize] =
                    (self.senders).id(&mut accounts.names, Dict::Name, batch, r.screen_name);
            }
            a
        } else {
            NO_ACCOUNT
        };
        (tweet, account)
    }

    /// The account `span` of `batch` names, adding an empty profile if it is new.
    fn account(&mut self, batch: &RecordBatch, span: Span) -> u32 {
        let keys = &mut self.data.accounts.keys;
        let id = self.senders.id(keys, Dict::Account, batch, span);
        match self.shard {
            true => id,
            false => self.profile(id),
        }
    }

    /// Account `id`, just interned, with an empty profile if it is new.
    fn profile(&mut self, id: u32) -> u32 {
        let a = &mut self.data.accounts;
        if id as usize == a.screen_name.len() {
            a.screen_name.push(NO_TEXT);
            a.created_ms.push(i64::MIN);
            a.followers.push(u32::MAX);
            a.following.push(u32::MAX);
        }
        id
    }

    /// First value seen wins, so a profile is what the earliest record said.
    fn fill_profile(&mut self, id: u32, batch: &RecordBatch, p: &RawAccount) {
        let i = id as usize;
        let (word, bit) = (i / 64, 1u64 << (i % 64));
        if self.profiled.get(word).is_some_and(|w| w & bit != 0) {
            return;
        }
        let a = &mut self.data.accounts;
        if a.screen_name[i] == NO_TEXT && !p.screen_name.is_empty() {
            a.screen_name[i] = (self.senders).id(&mut a.names, Dict::Name, batch, p.screen_name);
        }
        if let (i64::MIN, Some(c)) = (a.created_ms[i], p.created_ms) {
            a.created_ms[i] = c;
        }
        if let (u32::MAX, Some(f)) = (a.followers[i], p.followers) {
            a.followers[i] = f;
        }
        if let (u32::MAX, Some(f)) = (a.following[i], p.following) {
            a.following[i] = f;
        }
        let complete = a.screen_name[i] != NO_TEXT
            && a.created_ms[i] != i64::MIN
            && a.followers[i] != u32::MAX
            && a.following[i] != u32::MAX;
        if complete {
            if self.profiled.len() <= word {
                self.profiled.resize(word + 1, 0);
            }
            self.profiled[word] |= bit;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A profile is what the earliest record said, field by field, however its records are
    /// spread over batches; a profile once complete is not read again, and nothing changes.
    #[test]
    fn each_profile_field_is_the_first_one_given() {
        let mut x: u64 = 7;
        let mut below = |n: u64| {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (x >> 33) % n
        };
        let mut builder = DatasetBuilder::new(false);
        type Profile = (Option<String>, Option<i64>, Option<u32>, Option<u32>);
        let mut want: HashMap<String, Profile> = HashMap::new();
        let mut complete = 0;
        for _ in 0..30 {
            let mut b = RecordBatch::default();
            for _ in 0..40 {
                let key = format!("a{}", below(25));
                let name = (below(3) == 0).then(|| format!("n{}", below(100)));
                let created = (below(3) == 0).then(|| below(1000) as i64);
                let followers = (below(2) == 0).then(|| below(50) as u32);
                let following = (below(4) == 0).then(|| below(50) as u32);
                let w = want.entry(key.clone()).or_default();
                w.0 = w.0.take().or(name.clone());
                w.1 = w.1.or(created);
                w.2 = w.2.or(followers);
                w.3 = w.3.or(following);
                let key = b.push_str(&key);
                let screen_name = name.map_or(Span::EMPTY, |n| b.push_str(&n));
                b.add_account(RawAccount {
                    key,
                    screen_name,
                    created_ms: created,
                    followers,
                    following,
                });
            }
            builder.push(0, &b).unwrap();
            complete = builder.profiled.iter().map(|w| w.count_ones()).sum::<u32>();
        }
        assert!(
            complete > 10,
            "most profiles complete by the end: {complete}"
        );
        let (d, _, _) = builder.finish(false);
        assert_eq!(d.accounts.len(), want.len());
        for (key, (name, created, followers, following)) in want {
            let a = d.accounts.keys.lookup(&key).unwrap();
            assert_eq!(d.accounts.screen_name(a), name.as_deref(), "{key}");
            let i = a as usize;
            assert_eq!(
                d.accounts.created_ms[i],
                created.unwrap_or(i64::MIN),
                "{key}"
            );
            assert_eq!(
                d.accounts.followers[i],
                followers.unwrap_or(u32::MAX),
                "{key}"
            );
            assert_eq!(
                d.accounts.following[i],
                following.unwrap_or(u32::MAX),
                "{key}"
            );
        }
    }
}
