//! Builds a `Dataset` from record batches: interns as batches arrive (in input order), then
//! resolves names, drops duplicated tweet ids and sorts by time once at the end.

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

    /// Resolve screen-name mentions, drop repeated records (unless `keep_repeated`) and sort
    /// every column by time. Returns the dataset, the repeated records (dropped or kept), and
    /// how many rows share a tweet id with a different record (kept: an action CSV may list
    /// one share acting on two objects).
    pub fn finish(self, keep_repeated: bool) -> (Dataset, Vec<Duplicate>, u64) {
        let built = self.finish_placing(keep_repeated, 1);
        (built.data, built.duplicates, built.reused)
    }

    /// [`finish`](Self::finish), and where the records each of `processes` processes sent
    /// went, by process number (process 0's own, not sent, has no placement).
    pub fn finish_placing(mut self, keep_repeated: bool, processes: usize) -> Built {
        self.resolve_mention_names();
        let (mut dropped, duplicates, reused) = self.find_duplicates();
        if keep_repeated {
            dropped.iter_mut().for_each(|d| *d = false);
        }
        let mut d = std::mem::take(&mut self.data);

        // Rows already in time order, none dropped (the usual archive), stay where they are.
        let in_order = dropped.iter().all(|&x| !x) && d.time_ms.is_sorted();
        let mut order: Vec<u32> = (0..d.len() as u32)
            .filter(|&r| !dropped[r as usize])
            .collect();
        if !in_order {
            order.par_sort_by_key(|&r| (d.time_ms[r as usize], r));
        }
        let far_dates = FarDates::of(&order, |&r| d.time_ms[r as usize], EXAMPLES);
        let new_row: HashMap<u32, u32> = if d.reply_quotes.is_empty() {
            HashMap::new()
        } else {
            order
                .iter()
                .enumerate()
                .map(|(new, &old)| (old, new as u32))
                .collect()
        };

        let mut placed = self.placements(&order, &dropped, processes);
        // Records sent whole: each placement says which id each number stands for. (Merged by
        // their outlines, the ids were said before: `outlined_ids`.)
        for (p, placement) in placed.iter_mut().enumerate() {
            placement.ids = self.ids_of(p);
        }
        if !in_order {
            reorder(&mut d, &order);
        }
        d.reply_quotes = d
            .reply_quotes
            .iter()
            .filter_map(|&(r, t, a)| new_row.get(&r).map(|&n| (n, t, a)))
            .collect();
        d.reply_quotes.sort_unstable();
        for strings in [
            &mut d.hashtags,
            &mut d.urls,
            &mut d.langs,
            &mut d.clients,
            &mut d.tweet_keys,
        ] {
            strings.shrink_to_fit();
        }
        d.texts.shrink_to_fit();
        d.accounts.keys.shrink_to_fit();
        d.accounts.names.shrink_to_fit();
        Built {
            data: d,
            duplicates,
            reused,
            placements: placed,
            far_dates,
        }
    }

    /// Where the records of each process went, given the kept rows in their new order: in
    /// the order each process sent them, as [`Placement`]s (process 0's, when its own were
    /// not sent, covers none), their ids not yet filled.
    fn placements(&self, order: &[u32], dropped: &[bool], processes: usize) -> Vec<Placement> {
        if processes < 2 {
            return Vec::new();
        }
        let senders =
            (self.pushed_by.iter().map(|&(_, p)| p as usize + 1)).fold(processes, usize::max);
        let new_row = new_rows(order, dropped.len());
        let mut placed: Vec<Placement> = vec![Placement::default(); senders];
        for (start, end, p) in self.runs(dropped.len()) {
            if self.senders.sent_by(p) {
                let rows = &new_row[start as usize..end as usize];
                placed[p as usize].rows.extend_from_slice(rows);
            }
        }
        placed
    }

    /// Each run of rows one process sent, of `rows` in all: (first row, end, process).
    fn runs(&self, rows: usize) -> Vec<(u32, u32, u32)> {
        let ends = (self.pushed_by.iter().skip(1).map(|&(start, _)| start))
            .chain(std::iter::once(rows as u32));
        (self.pushed_by.iter().zip(ends))
            .map(|(&(start, p), end)| (start, end, p))
            .collect()
    }

    /// Per kind, by number, the id each string process `p` sent stands for; a mention by
    /// screen name stands for the account it names.
    fn ids_of(&self, p: usize) -> Vec<Vec<u32>> {
        let mut ids = self.senders.ids_of(p);
        for id in ids[Dict::MentionName as usize].iter_mut() {
            *id = (self.name_account.get(*id as usize).copied()).unwrap_or(NO_ACCOUNT);
        }
        ids
    }

    /// For a builder of outlines, once every batch is in: resolve the mentions by name, and
    /// for each of `processes` processes, which id each of its numbers stands for and which
    /// of its rows (by its own count, rising) share their tweet id with another row. Those
    /// rows, whole, are what [`finish_outlined`](Self::finish_outlined) tells repeats by.
    pub fn outlined_ids(&mut self, processes: usize) -> Vec<(Vec<Vec<u32>>, Vec<u32>)> {
        self.resolve_mention_names();
        let mut asked = vec![Vec::new(); processes];
        let mut recurring = recurring_ids(&self.data.tweet_id);
        recurring.extend(self.idless_overlaps());
        recurring.sort_unstable();
        let mut at = recurring.iter().peekable();
        let mut sent = vec![0u32; processes];
        for (start, end, p) in self.runs(self.data.len()) {
            let p = p as usize;
            if p >= processes {
                continue; // refused when the placements are made
            }
            while let Some(&&r) = at.peek().filter(|&&&r| r < end) {
                asked[p].push(sent[p] + r - start);
                at.next();
            }
            sent[p] += end - start;
        }
        (asked.into_iter().enumerate())
            .map(|(p, rows)| (self.ids_of(p), rows))
            .collect()
    }

    /// The dataset of outlines, with none of its rows here: `asked` and `whole` are the rows
    /// [`outlined_ids`](Self::outlined_ids) asked each process for and what it sent of them.
    /// Returns what [`finish_placing`](Self::finish_placing) returns, every process's
    /// placement included.
    pub fn finish_outlined(
        mut self,
        asked: &[Vec<u32>],
        whole: Vec<Vec<RepeatRow>>,
        keep_repeated: bool,
        processes: usize,
    ) -> Result<Built> {
        let mut rows: HashMap<u32, RepeatRow> = HashMap::new();
        let mut runs = self.runs(self.data.len());
        runs.retain(|&(_, _, p)| (p as usize) < asked.len());
        for (p, (asked, whole)) in asked.iter().zip(whole).enumerate() {
            if asked.len() != whole.len() {
                return Err(Error::cluster(format!(
                    "process {p} sent {} of the {} rows asked: every process must run the same \
                     build",
                    whole.len(),
                    asked.len()
                )));
            }
            // Process p's rows, by its own count, are its runs' rows in order.
            let mut mine = runs.iter().filter(|&&(_, _, q)| q as usize == p);
            let (mut run, mut before) = (mine.next(), 0);
            for (&local, row) in asked.iter().zip(whole) {
                while let Some(&(start, end, _)) = run.filter(|&&(s, e, _)| local >= before + e - s)
                {
                    before += end - start;
                    run = mine.next();
                }
                let Some(&(start, _, _)) = run else {
                    return Err(Error::cluster(format!(
                        "process {p}'s row {local} was asked for and is not one of its rows"
                    )));
                };
                rows.insert(start + local - before, row);
            }
        }
        let mut dropped = vec![false; self.data.len()];
        let (mut group, idless): (Vec<u32>, Vec<u32>) =
            rows.keys().partition(|&r| rows[r].tweet.is_some());
        group.sort_unstable_by(|a, b| (&rows[a].tweet, a).cmp(&(&rows[b].tweet, b)));
        let groups = group.chunk_by(|a, b| rows[a].tweet == rows[b].tweet);
        let same = |a: usize, b: usize| {
            let (a, b) = (&rows[&(a as u32)], &rows[&(b as u32)]);
            a.same_record(b) || (a.same_tweet(b) && self.one_tweet(a.file, b.file))
        };
        let (mut repeated, reused) = repeats(groups, same, &mut dropped);
        let mut idless: Vec<(u32, RepeatRow)> = (idless.into_iter())
            .map(|r| (r, rows[&r].clone()))
            .collect();
        idless.sort_unstable_by_key(|x| x.0);
        let time = |r: u32| self.data.time_ms[r as usize];
        repeated.extend(repeated_across_files(&idless, time, &mut dropped));
        let mut duplicates: Vec<Duplicate> = (repeated.iter())
            .map(|r| {
                let row = &rows[r];
                Duplicate {
                    file: row.file,
                    line: row.line,
                    tweet_id: row.tweet.clone().unwrap_or_default(),
                }
            })
            .collect();
        duplicates
            .sort_by(|a, b| (a.file, a.line, &a.tweet_id).cmp(&(b.file, b.line, &b.tweet_id)));
        if keep_repeated {
            dropped.iter_mut().for_each(|d| *d = false);
        }
        let d = &self.data;
        let mut order: Vec<u32> = (0..d.len() as u32)
            .filter(|&r| !dropped[r as usize])
            .collect();
        if !(d.time_ms.is_sorted() && order.len() == d.len()) {
            order.par_sort_by_key(|&r| (d.time_ms[r as usize], r));
        }
        let placed = self.placements(&order, &dropped, processes);
        let mut d = std::mem::take(&mut self.data);
        let far_dates = FarDates::of(&order, |&r| d.time_ms[r as usize], EXAMPLES);
        d.time_ms = Vec::new();
        d.tweet_id = Vec::new();
        d.held_apart = order.len();
        for strings in [&mut d.hashtags, &mut d.urls, &mut d.langs, &mut d.clients] {
            strings.shrink_to_fit();
        }
        d.accounts.keys.shrink_to_fit();
        d.accounts.names.shrink_to_fit();
        Ok(Built {
            data: d,
            duplicates,
            reused,
            placements: placed,
            far_dates,
        })
    }

    /// This process's rows (a builder [`for_shard`](Self::for_shard)) where `placement` puts
    /// them, with the ids it gives: the rows process 0 dropped as repeats go, the rest are put
    /// in the dataset's order (what the outlined path gives, from records sent whole: the
    /// tests' reference).
    #[cfg(test)]
    pub fn into_shard(mut self, placement: &Placement) -> Result<Shard> {
        self.place_ids(&placement.ids)?;
        self.into_rows(&placement.rows)
    }

    /// Give this process's rows (a builder [`for_shard`](Self::for_shard)) the ids process 0
    /// gives its numbers: `ids` per kind, by number.
    pub fn place_ids(&mut self, ids: &[Vec<u32>]) -> Result<()> {
        let d = &mut self.data;
        if ids.len() != Dict::ALL.len() {
            return refuse_placement("has no ids for some kinds of string".into());
        }
        if d.lang.contains(&u16::MAX) || d.client.contains(&u16::MAX) {
            return Err(Error::limit(
                "this process read more than 65,534 distinct languages or apps, more than a \
                 run across processes numbers: run on one process",
            ));
        }
        // Own ids are numbers plus one (see `Senders::own`); 0 stays "unknown".
        let mut unplaced = None;
        let mut id = |dict: Dict, own: u32| -> u32 {
            let found = (own.checked_sub(1))
                .and_then(|n| ids[dict as usize].get(n as usize).copied())
                .filter(|&id| id != NO_ACCOUNT);
            found.unwrap_or_else(|| {
                unplaced.get_or_insert((dict, own));
                NO_ACCOUNT
            })
        };
        for a in d.account.iter_mut() {
            *a = id(Dict::Account, *a);
        }
        for a in d.target_account.iter_mut().filter(|a| **a != NO_ACCOUNT) {
            *a = id(Dict::Account, *a);
        }
        for q in d.reply_quotes.iter_mut().filter(|q| q.2 != NO_ACCOUNT) {
            q.2 = id(Dict::Account, q.2);
        }
        let mut names = self.pending_names.iter().peekable();
        for (i, item) in d.items.iter_mut().enumerate() {
            let (kind, dict) = match item.kind() {
                ItemKind::Hashtag => (ItemKind::Hashtag, Dict::Hashtag),
                ItemKind::Url => (ItemKind::Url, Dict::Url),
                _ if names.peek().is_some_and(|&&(at, _)| at == i) => {
                    let (_, name) = names.next().expect("peeked");
                    *item = Item::new(ItemKind::Mention, id(Dict::MentionName, *name));
                    continue;
                }
                _ => (ItemKind::Mention, Dict::Account),
            };
            *item = Item::new(kind, id(dict, item.id()));
        }
        let small = |id: u32| u16::try_from(id).unwrap_or(u16::MAX);
        for (column, dict) in [(&mut d.lang, Dict::Lang), (&mut d.client, Dict::Client)] {
            for v in column.iter_mut().filter(|v| **v != 0) {
                *v = small(id(dict, *v as u32));
            }
        }
        if let Some((dict, own)) = unplaced {
            return refuse_placement(format!(
                "names no id for its {dict:?} number {}",
                own as i64 - 1
            ));
        }
        Ok(())
    }

    /// This process's rows, their ids placed, where `placed` puts them (each row this process
    /// sent: its row in the dataset, or [`NO_ROW`] for a repeat dropped), in the dataset's
    /// order, their texts sealed for reading.
    pub fn into_rows(mut self, placed: &[u32]) -> Result<Shard> {
        let d = &mut self.data;
        if placed.len() != d.len() {
            return refuse_placement(format!(
                "covers {} records, where this process sent {}",
                placed.len(),
                d.len()
            ));
        }
        let mut order: Vec<u32> = (0..d.len() as u32)
            .filter(|&r| placed[r as usize] != NO_ROW)
            .collect();
        order.sort_unstable_by_key(|&r| placed[r as usize]);
        let new_row = new_rows(&order, d.len());
        reorder(d, &order);
        d.reply_quotes = (d.reply_quotes.iter())
            .filter(|q| new_row[q.0 as usize] != NO_ROW)
            .map(|&(r, t, a)| (new_row[r as usize], t, a))
            .collect();
        d.reply_quotes.sort_unstable();
        d.texts.shrink_to_fit();
        d.texts.seal()?;
        let rows: Vec<u32> = order.iter().map(|&r| placed[r as usize]).collect();
        if rows.windows(2).any(|w| w[0] >= w[1]) {
            return refuse_placement("puts two records in one row".into());
        }
        Ok(Shard {
            rows,
            data: std::mem::take(&mut self.data),
        })
    }

    /// Find the account each mention by screen name names, adding one where none has the
    /// name. Names are taken in the order of their ids, which is the order of their first
    /// mentions, so an added account's id does not depend on whether the mentions are here.
    fn resolve_mention_names(&mut self) {
        if self.mention_names.is_empty() {
            return;
        }
        let accounts = &self.data.accounts;
        let mut by_name: HashMap<String, u32> = HashMap::new();
        for a in 0..accounts.len() as u32 {
            if let Some(name) = accounts.screen_name(a) {
                by_name.entry(name.to_lowercase()).or_insert(a);
            }
        }
        // Keys double as names in layouts that identify accounts by name (IRA).
        for a in 0..accounts.len() as u32 {
            by_name.entry(accounts.key(a).to_lowercase()).or_insert(a);
        }
        let names = std::mem::take(&mut self.mention_names);
        self.name_account = Vec::with_capacity(names.len());
        for id in 0..names.len() as u32 {
            let name = names.get(id);
            let account = match by_name.get(&name.to_lowercase()) {
                Some(&a) => a,
                None => {
                    let a = self.data.accounts.keys.intern(name);
                    let a = self.profile(a);
                    self.data.accounts.screen_name[a as usize] =
                        self.data.accounts.names.intern(name);
                    by_name.insert(name.to_lowercase(), a);
                    a
                }
            };
            self.name_account.push(account);
        }
        for (index, id) in std::mem::take(&mut self.pending_names) {
            self.data.items[index] = Item::new(ItemKind::Mention, self.name_account[id as usize]);
        }
    }

    /// A duplicate is a row equal to an earlier one in id, account, target and items.
    fn find_duplicates(&self) -> (Vec<bool>, Vec<Duplicate>, u64) {
        let d = &self.data;
        let mut dropped = vec![false; d.len()];
        let by_id = recurring_ids(&d.tweet_id);
        let groups = by_id.chunk_by(|&a, &b| d.tweet_id[a as usize] == d.tweet_id[b as usize]);
        let same = |a: usize, b: usize| {
            d.account[a] == d.account[b]
                && d.flags[a] & 3 == d.flags[b] & 3
                && ((d.target_tweet[a] == d.target_tweet[b] && d.items(a) == d.items(b))
                    || self.one_tweet(self.file_of(a), self.file_of(b)))
        };
        let (mut repeated, reused) = repeats(groups, same, &mut dropped);
        let idless: Vec<(u32, RepeatRow)> = (self.idless_overlaps().into_iter())
            .map(|r| (r, self.repeat_row(r as usize)))
            .collect();
        let time = |r: u32| d.time_ms[r as usize];
        repeated.extend(repeated_across_files(&idless, time, &mut dropped));
        let mut duplicates: Vec<Duplicate> = (repeated.iter())
            .map(|&r| Duplicate {
                file: self.file_of(r as usize),
                line: self.row_line[r as usize],
                tweet_id: d.tweet_key(d.tweet_id[r as usize]).unwrap_or_default(),
            })
            .collect();
        duplicates
            .sort_by(|a, b| (a.file, a.line, &a.tweet_id).cmp(&(b.file, b.line, &b.tweet_id)));
        (dropped, duplicates, reused)
    }

    /// Rows `rows` (a builder [`for_shard`](Self::for_shard), its ids placed) whole, for
    /// process 0 to tell repeated records by.
    pub fn repeat_rows(&self, rows: &[u32]) -> Result<Vec<RepeatRow>> {
        let d = &self.data;
        if let Some(&r) = rows.iter().find(|&&r| r as usize >= d.len()) {
            return Err(Error::cluster(format!(
                "process 0 asked for row {r} of the {} this process sent: every process must \
                 run the same build",
                d.len()
            )));
        }
        Ok(rows.iter().map(|&r| self.repeat_row(r as usize)).collect())
    }

    /// Row `r` whole, as process 0 tells repeated records by.
    fn repeat_row(&self, r: usize) -> RepeatRow {
        let d = &self.data;
        RepeatRow {
            tweet: d.tweet_key(d.tweet_id[r]),
            account: d.account[r],
            target: d.tweet_key(d.target_tweet[r]),
            kind: d.flags[r] & 3,
            items: d.items(r).iter().map(|i| i.0).collect(),
            text: d.text(r).map(|t| hash_bytes(t.as_bytes())),
            file: self.file_of(r),
            line: self.row_line[r],
        }
    }

    /// Rows without a tweet id that may repeat a row of another file (extracts that overlap,
    /// such as a month's file given beside its half-year's): those in files whose id-less
    /// rows' spans meet another file's, at a time such a row of another file has too. Rising.
    /// Only the rows' times, ids and files are read, which process 0 holds of every row.
    fn idless_overlaps(&self) -> Vec<u32> {
        let d = &self.data;
        let ends = (self.file_starts.iter().skip(1).map(|x| x.0)).chain([d.len()]);
        let mut spans: Vec<(i64, i64, usize, usize)> = (self.file_starts.iter().zip(ends))
            .filter_map(|(&(start, _), end)| {
                let idless = (start..end).filter(|&r| d.tweet_id[r] == NO_TWEET);
                let (lo, hi) = idless.fold((i64::MAX, i64::MIN), |(lo, hi), r| {
                    (lo.min(d.time_ms[r]), hi.max(d.time_ms[r]))
                });
                (lo <= hi).then_some((lo, hi, start, end))
            })
            .collect();
        spans.sort_unstable();
        let mut meets = vec![false; spans.len()];
        let mut reach = (i64::MIN, usize::MAX); // the latest end so far, and its file's span
        for i in 0..spans.len() {
            if spans[i].0 <= reach.0 {
                (meets[i], meets[reach.1]) = (true, true);
            }
            if spans[i].1 > reach.0 {
                reach = (spans[i].1, i);
            }
        }
        let mut rows: Vec<u32> = (spans.iter().zip(&meets))
            .filter(|x| *x.1)
            .flat_map(|(&(_, _, start, end), _)| start as u32..end as u32)
            .filter(|&r| d.tweet_id[r as usize] == NO_TWEET)
            .collect();
        rows.par_sort_unstable_by_key(|&r| (d.time_ms[r as usize], r));
        let mut overlaps = Vec::new();
        for group in rows.chunk_by(|&a, &b| d.time_ms[a as usize] == d.time_ms[b as usize]) {
            let file = self.file_of(group[0] as usize);
            if group.iter().any(|&r| self.file_of(r as usize) != file) {
                overlaps.extend_from_slice(group);
            }
        }
        overlaps.sort_unstable();
        overlaps
    }

    fn file_of(&self, row: usize) -> u32 {
        let i = self.file_starts.partition_point(|&(start, _)| start <= row);
        self.file_starts[i.saturating_sub(1)].1
    }
}

/// Process 0's placement of a process's records does not fit them.
fn refuse_placement<T>(what: String) -> Result<T> {
    Err(Error::cluster(format!(
        "process 0's placement of this process's records {what}: every process must run the \
         same build on the same inputs"
    )))
}

/// Rows whose tweet id another row has too, by id and then row: none when the ids rise row
/// after row, as an archive's do.
fn recurring_ids(ids: &[u64]) -> Vec<u32> {
    let mut known = ids.iter().filter(|&&id| id != NO_TWEET);
    let rising = known.next().is_none_or(|&first| {
        known
            .try_fold(first, |prev, &id| (id > prev).then_some(id))
            .is_some()
    });
    if rising {
        return Vec::new();
    }
    let mut by_id: Vec<u32> = (0..ids.len() as u32)
        .filter(|&r| ids[r as usize] != NO_TWEET)
        .collect();
    by_id.par_sort_unstable_by_key(|&r| (ids[r as usize], r));
    let mut recurring = Vec::new();
    for group in by_id.chunk_by(|&a, &b| ids[a as usize] == ids[b as usize]) {
        if group.len() > 1 {
            recurring.extend_from_slice(group);
        }
    }
    recurring
}

/// Of `groups` (rows sharing a tweet id, each group in row order), the rows that repeat an
/// earlier kept row of their group (`same`), marked in `dropped`; and how many rows reuse an
/// id for another record (kept: an action CSV may list one share acting on two objects).
fn repeats<'a>(
    groups: impl Iterator<Item = &'a [u32]>,
    same: impl Fn(usize, usize) -> bool,
    dropped: &mut [bool],
) -> (Vec<u32>, u64) {
    let (mut repeated, mut reused) = (Vec::new(), 0);
    for group in groups {
        for (i, &r) in group.iter().enumerate().skip(1) {
            let r = r as usize;
            let mut earlier = (group[..i].iter().map(|&k| k as usize)).filter(|&k| !dropped[k]);
            if earlier.any(|k| same(k, r)) {
                dropped[r] = true;
                repeated.push(r as u32);
            } else {
                reused += 1;
            }
        }
    }
    (repeated, reused)
}

/// Of `rows` (rows without a tweet id, whole, rising: [`DatasetBuilder::idless_overlaps`]),
/// those that repeat a kept row of another, earlier file at the same time (`time`) in
/// account, kind, target, text and items, marked in `dropped`. A row repeated within one file
/// stays: nothing tells it from two tweets alike in the same minute.
fn repeated_across_files(
    rows: &[(u32, RepeatRow)],
    time: impl Fn(u32) -> i64,
    dropped: &mut [bool],
) -> Vec<u32> {
    let key = |i: usize| {
        let (r, w) = &rows[i];
        (time(*r), w.account, w.kind, w.text, &w.target)
    };
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_by(|&a, &b| (key(a), a).cmp(&(key(b), b)));
    let mut repeated = Vec::new();
    for group in order.chunk_by(|&a, &b| key(a) == key(b)) {
        for (i, &at) in group.iter().enumerate().skip(1) {
            let (r, row) = &rows[at];
            let copy = |&k: &usize| {
                let (earlier, e) = &rows[k];
                !dropped[*earlier as usize] && e.file != row.file && e.items == row.items
            };
            if group[..i].iter().any(copy) {
                dropped[*r as usize] = true;
                repeated.push(*r);
            }
        }
    }
    repeated
}

/// Where each of `rows` rows goes when rows `order` are kept in that order: its place in
/// `order`, or `NO_ROW`.
fn new_rows(order: &[u32], rows: usize) -> Vec<u32> {
    let mut new_row = vec![NO_ROW; rows];
    for (new, &old) in order.iter().enumerate() {
        new_row[old as usize] = new as u32;
    }
    new_row
}

/// Keep rows `order` of `d`'s row columns, in that order.
pub(super) fn reorder(d: &mut Dataset, order: &[u32]) {
    let mut items = Vec::with_capacity(d.items.len());
    let mut item_offsets = Vec::with_capacity(order.len() + 1);
    item_offsets.push(0u32);
    for &r in order {
        items.extend_from_slice(d.items(r as usize));
        item_offsets.push(items.len() as u32);
    }
    d.items = items;
    d.item_offsets = item_offsets;
    d.tweet_id = permute(&d.tweet_id, order);
    d.account = permute(&d.account, order);
    d.time_ms = permute(&d.time_ms, order);
    d.flags = permute(&d.flags, order);
    d.target_tweet = permute(&d.target_tweet, order);
    d.target_account = permute(&d.target_account, order);
    d.text = permute(&d.text, order);
    d.lang = permute(&d.lang, order);
    d.client = permute(&d.client, order);
}

fn permute<T: Copy + Send + Sync>(column: &[T], order: &[u32]) -> Vec<T> {
    order.par_iter().map(|&r| column[r as usize]).collect()
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
