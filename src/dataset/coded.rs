//! Record batches on their way from another process to process 0, with their repeated strings
//! as numbers. A process sends each distinct string of a kind (account keys, screen names,
//! languages, apps, hashtags, URLs, mention names) once, with the first batch that holds it,
//! and from then on only the number it gave it ([`Coder`]); texts and string tweet ids travel
//! as they are, most being new. Process 0 checks each batch as it arrives ([`admit`]) and
//! keeps, per sender, which of its own ids each number stands for (`Senders`).
//!
//! Process 0 still interns a string where one process would, at its first use in input order,
//! so every id is the one a single process gives: a string waits from its batch's arrival to
//! its first use, which comes in the same batch. Screen names are the exception: one is
//! interned only for an account that has none yet, so a name may never be used; their ids are
//! seen nowhere outside the dataset (only their strings are), so they are interned as they
//! arrive, once each, rather than kept waiting per sender.

use super::batch::{RawAccount, RawId, RawRef, RawTweet, RecordBatch, Span};
use super::interner::check_hash;
use super::interner::{Interner, Key};
use super::ItemKind;
use crate::error::{Error, Result};
use hashbrown::{HashMap, HashTable};

/// A kind of string with numbers of its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Dict {
    Account,
    Name,
    Lang,
    Client,
    Hashtag,
    Url,
    MentionName,
}

const DICTS: usize = Dict::ALL.len();

impl Dict {
    /// Every kind, in the order of their numbers' tables.
    pub const ALL: [Dict; 7] = [
        Dict::Account,
        Dict::Name,
        Dict::Lang,
        Dict::Client,
        Dict::Hashtag,
        Dict::Url,
        Dict::MentionName,
    ];
}

/// What a coded batch carries beyond its records: who sent it, how many batches it coded
/// before (numbers follow from the order of `new`, so batches must be taken in that order),
/// and the strings sent for the first time, each the next number of its kind.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Coded {
    pub sender: u32,
    pub batch: u64,
    pub new: Vec<(Dict, Span)>,
}

/// A span's length when it holds a number instead of a place in the arena (no arena is 4 GB).
const NUMBERED: u32 = u32::MAX;

impl Span {
    pub(super) fn numbered(n: u32) -> Span {
        Span {
            start: n,
            len: NUMBERED,
            hash: 0,
        }
    }

    /// The number this span stands for, in a coded batch.
    pub(super) fn number(self) -> Option<u32> {
        (self.len == NUMBERED).then_some(self.start)
    }
}

/// Every string field of a batch's records, with its kind (`None`: left as they are). Fields
/// are listed whole, so that one added to a record is a compile error here, not a span left
/// pointing into another arena.
fn each_span(batch: &mut RecordBatch, f: &mut impl FnMut(Option<Dict>, &mut Span)) {
    fn id(id: &mut RawId, f: &mut impl FnMut(Option<Dict>, &mut Span)) {
        match id {
            RawId::Str(span) => f(None, span),
            RawId::None | RawId::Num(_) => {}
        }
    }
    fn reference(r: &mut RawRef, f: &mut impl FnMut(Option<Dict>, &mut Span)) {
        let RawRef {
            tweet,
            account,
            screen_name,
        } = r;
        id(tweet, f);
        f(Some(Dict::Account), account);
        f(Some(Dict::Name), screen_name);
    }
    for t in &mut batch.tweets {
        let RawTweet {
            line: _,
            tweet,
            account,
            time_ms: _,
            resolution: _,
            kind: _,
            target,
            quote,
            text,
            lang,
            client,
            items: _,
        } = t;
        id(tweet, f);
        f(Some(Dict::Account), account);
        reference(target, f);
        if let Some(q) = quote {
            reference(q, f);
        }
        f(None, text);
        f(Some(Dict::Lang), lang);
        f(Some(Dict::Client), client);
    }
    for (kind, span) in &mut batch.items {
        let dict = match kind {
            ItemKind::Hashtag => Dict::Hashtag,
            ItemKind::Url => Dict::Url,
            ItemKind::Mention => Dict::Account,
            ItemKind::MentionName => Dict::MentionName,
        };
        f(Some(dict), span);
    }
    for a in &mut batch.accounts {
        let RawAccount {
            key,
            screen_name,
            created_ms: _,
            followers: _,
            following: _,
        } = a;
        f(Some(Dict::Account), key);
        f(Some(Dict::Name), screen_name);
    }
}

/// Take in a batch process `sender` coded: it says who sent it, and it is refused unless
/// every place it points to is in it (another build, or a fault on the way, must not bring
/// process 0 down with a bad index).
pub fn admit(batch: &mut RecordBatch, sender: u32) -> Result<()> {
    let refuse = |what: &str| {
        Err(Error::cluster(format!(
            "process {sender} sent a batch that does not hold together ({what}): every process \
             must run the same build"
        )))
    };
    let Some(coded) = &mut batch.coded else {
        return refuse("not coded");
    };
    coded.sender = sender;
    let items = batch.items.len() as u32;
    let in_order = |r: &std::ops::Range<u32>| r.start <= r.end && r.end <= items;
    if !batch.tweets.iter().all(|t| in_order(&t.items)) {
        return refuse("a tweet's items");
    }
    if batch.account_at.len() != batch.accounts.len() {
        return refuse("account records");
    }
    if let Some(o) = &batch.outline {
        if o.times.len() != o.keys.len() || !batch.tweets.is_empty() || !batch.items.is_empty() {
            return refuse("an outline");
        }
    }
    let arena = std::mem::take(&mut batch.arena);
    let mut fits = true;
    each_span(batch, &mut |dict, span| {
        fits &= match span.number() {
            Some(_) => dict.is_some(),
            None => {
                let start = span.start as usize;
                arena
                    .get(start..start.saturating_add(span.len as usize))
                    .is_some()
            }
        };
    });
    batch.arena = arena;
    match fits {
        true => Ok(()),
        false => refuse("a string"),
    }
}

/// A sending process's side: the strings it has sent, numbered by kind. A string is known by
/// two independent 64-bit hashes rather than by its bytes, as the texts on disk are (see
/// `texts`): two strings share both with a chance of about n²/2^129, and a lookup then reads
/// the table alone, not the table and a string elsewhere (half the numbering's time was that
/// second read).
pub struct Coder {
    sender: u32,
    batches: u64,
    sent: [HashTable<Sent>; DICTS],
    /// The last batch's arena, for the next one's: a fresh one each time is fresh pages.
    spare: String,
}

/// A string sent: its two hashes and its number.
#[derive(Clone, Copy)]
struct Sent {
    hash: u64,
    check: u64,
    number: u32,
}

impl Coder {
    pub fn new(sender: u32) -> Coder {
        Coder {
            sender,
            batches: 0,
            sent: Default::default(),
            spare: String::new(),
        }
    }

    /// How many strings of each kind it has numbered.
    pub fn numbered(&self) -> [u32; DICTS] {
        std::array::from_fn(|d| self.sent[d].len() as u32)
    }

    /// Replace `batch`'s strings of every kind but texts by their numbers; the arena keeps the
    /// texts and the strings sent for the first time. Batches must be coded in the order
    /// process 0 merges them.
    pub fn code(&mut self, batch: &mut RecordBatch) {
        let old = std::mem::take(&mut batch.arena);
        let mut arena = std::mem::take(&mut self.spare);
        arena.clear();
        let mut new = Vec::new();
        let sent = &mut self.sent;
        each_span(batch, &mut |dict, span| {
            if span.is_empty() {
                return;
            }
            let s = &old[span.start as usize..(span.start + span.len) as usize];
            let mut place = || {
                let start = arena.len() as u32;
                arena.push_str(s);
                Span { start, ..*span }
            };
            *span = match dict {
                None => place(),
                Some(d) => {
                    let seen = &mut sent[d as usize];
                    let (hash, check) = (span.hash, check_hash(s.as_bytes()));
                    let n = match seen.find(hash, |e| e.hash == hash && e.check == check) {
                        Some(e) => e.number,
                        None => {
                            let number = seen.len() as u32;
                            seen.insert_unique(
                                hash,
                                Sent {
                                    hash,
                                    check,
                                    number,
                                },
                                |e| e.hash,
                            );
                            new.push((d, place()));
                            number
                        }
                    };
                    Span::numbered(n)
                }
            };
        });
        batch.arena = arena;
        self.spare = old;
        batch.coded = Some(Box::new(Coded {
            sender: self.sender,
            batch: self.batches,
            new,
        }));
        self.batches += 1;
    }
}

/// Process 0's side: for each sender and kind, the id each number stands for here. A
/// process's builder of its own rows ([`Senders::own`]) keeps each number as it is.
#[derive(Default)]
pub(crate) struct Senders {
    /// Numbers are ids: the builder of a process's own coded rows (see `shard`).
    own: bool,
    /// By process number.
    by_sender: Vec<Numbers>,
    /// Why a batch is refused: a number no string was sent for, or a batch out of order.
    refused: Option<String>,
}

#[derive(Default)]
struct Numbers {
    /// Batches taken so far.
    batches: u64,
    /// Per kind, by number: the id here, or `WAITING`.
    ids: [Vec<u32>; DICTS],
    /// Strings sent but not used yet, by kind and number (until later in their batch).
    waiting: HashMap<(u8, u32), (Box<str>, u64)>,
}

/// No id yet: the string waits in `Numbers::waiting` (ids are below `u32::MAX - 1`).
const WAITING: u32 = u32::MAX;

impl Senders {
    /// For a process's own coded batches: each number stands for itself, plus one (so that 0
    /// stays "unknown" for languages and apps), until the placement says which id it is.
    pub fn own() -> Senders {
        Senders {
            own: true,
            ..Senders::default()
        }
    }

    /// Take note of the strings `batch` sends for the first time; screen names go into `names`
    /// at once.
    pub fn receive(&mut self, batch: &RecordBatch, names: &mut Interner) {
        let Some(coded) = &batch.coded else {
            return;
        };
        if self.own {
            return;
        }
        let sender = coded.sender as usize;
        if sender > u16::MAX as usize {
            self.refused = Some(format!("a batch from process {sender}, which cannot be"));
            return;
        }
        if self.by_sender.len() <= sender {
            self.by_sender.resize_with(sender + 1, Numbers::default);
        }
        let numbers = &mut self.by_sender[sender];
        if coded.batch != numbers.batches {
            self.refused = Some(format!(
                "process {sender}'s batch {} where its batch {} was due",
                coded.batch, numbers.batches
            ));
            return;
        }
        numbers.batches += 1;
        for &(dict, span) in &coded.new {
            let ids = &mut numbers.ids[dict as usize];
            let n = ids.len() as u32;
            let (start, len) = (span.start as usize, span.len as usize);
            let Some(s) = batch.arena.get(start..start.saturating_add(len)) else {
                self.refused = Some(format!(
                    "process {sender}'s {dict:?} number {n}, which its batch does not hold"
                ));
                return;
            };
            if dict == Dict::Name {
                ids.push(names.intern_key(Key { s, hash: span.hash }));
                continue;
            }
            ids.push(WAITING);
            numbers
                .waiting
                .insert((dict as u8, n), (s.into(), span.hash));
        }
    }

    /// The id in `interner` of the string `span` holds or stands for, interning it there if
    /// this is its first use.
    pub fn id(
        &mut self,
        interner: &mut Interner,
        dict: Dict,
        batch: &RecordBatch,
        span: Span,
    ) -> u32 {
        let Some(n) = span.number() else {
            return interner.intern_key(batch.key(span));
        };
        if self.own {
            return n + 1;
        }
        let sender = batch.coded.as_ref().map_or(u32::MAX, |c| c.sender);
        let Some(numbers) = self.by_sender.get_mut(sender as usize) else {
            self.refused = Some(format!("{dict:?} number {n} in a batch from no process"));
            return 0;
        };
        match numbers.ids[dict as usize].get(n as usize).copied() {
            Some(WAITING) => {
                let (s, hash) = (numbers.waiting)
                    .remove(&(dict as u8, n))
                    .expect("a waiting string");
                let id = interner.intern_key(Key { s: &s, hash });
                numbers.ids[dict as usize][n as usize] = id;
                id
            }
            Some(id) => id,
            None => {
                self.refused = Some(format!(
                    "process {sender}'s {dict:?} number {n} before the string it stands for"
                ));
                0
            }
        }
    }

    /// Whether process `p` sent coded batches.
    pub fn sent_by(&self, p: u32) -> bool {
        self.by_sender
            .get(p as usize)
            .is_some_and(|n| n.batches > 0)
    }

    /// Per kind, by number, the id here of each string `sender` sent (`WAITING`: never used,
    /// so no row of the sender's names it).
    pub fn ids_of(&self, sender: usize) -> Vec<Vec<u32>> {
        match self.by_sender.get(sender) {
            Some(n) => n.ids.to_vec(),
            None => vec![Vec::new(); DICTS],
        }
    }

    /// An error if a batch was refused (see `refused`).
    pub fn check(&mut self) -> Result<()> {
        match self.refused.take() {
            None => Ok(()),
            Some(what) => Err(Error::cluster(format!(
                "refused {what}: every process must run the same build"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset::outline::Outliner;
    use crate::dataset::shard::NO_ROW;
    use crate::dataset::{DatasetBuilder, Duplicate, TimeResolution, TweetKind};

    /// A small generator, so that the test needs no seeded crate.
    struct Lcg(u64);

    impl Lcg {
        fn below(&mut self, n: u64) -> u64 {
            self.0 = (self.0)
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (self.0 >> 33) % n
        }

        fn pick(&mut self, prefix: &str, n: u64) -> String {
            format!("{prefix}{}", self.below(n))
        }
    }

    /// A batch of random records drawing on small vocabularies, so that strings repeat across
    /// batches and senders: accounts with and without screen names (which may differ from one
    /// record to the next), string and numeric ids, quotes, every kind of item.
    fn random_batch(r: &mut Lcg) -> RecordBatch {
        let mut b = RecordBatch::default();
        let reference = |b: &mut RecordBatch, r: &mut Lcg| RawRef {
            tweet: match r.below(2) {
                0 => b.push_id(&r.pick("k", 200)),
                _ => RawId::None,
            },
            account: match r.below(3) {
                0 => Span::EMPTY,
                _ => b.push_str(&r.pick("a", 60)),
            },
            screen_name: match r.below(2) {
                0 => b.push_str(&r.pick("n", 40)),
                _ => Span::EMPTY,
            },
        };
        for _ in 0..1 + r.below(30) {
            if r.below(3) == 0 {
                // Now and then a record with no key: an account too, though never coded.
                let key = match r.pick("a", 60) {
                    k if k.ends_with('7') => Span::EMPTY,
                    k => b.push_str(&k),
                };
                let screen_name = match r.below(2) {
                    0 => b.push_str(&r.pick("n", 40)),
                    _ => Span::EMPTY,
                };
                b.add_account(RawAccount {
                    key,
                    screen_name,
                    created_ms: Some(r.below(100) as i64),
                    followers: None,
                    following: Some(3),
                });
            }
            let tweet = match r.below(2) {
                0 => b.push_id(&r.pick("k", 200)),
                _ => b.push_id(&(1 + r.below(300)).to_string()),
            };
            let account = b.push_str(&r.pick("a", 60));
            let target = reference(&mut b, r);
            let quote = (r.below(4) == 0).then(|| reference(&mut b, r));
            let mut maybe = |b: &mut RecordBatch, prefix, n, odds| match r.below(odds) {
                0 => Span::EMPTY,
                _ => b.push_str(&r.pick(prefix, n)),
            };
            let text = maybe(&mut b, "t", 80, 5);
            let lang = maybe(&mut b, "l", 5, 3);
            let client = maybe(&mut b, "c", 7, 3);
            let start = b.items.len();
            for _ in 0..r.below(5) {
                let (kind, s) = match r.below(4) {
                    0 => (ItemKind::Hashtag, r.pick("h", 50)),
                    1 => (ItemKind::Url, r.pick("u", 50)),
                    2 => (ItemKind::Mention, r.pick("a", 60)),
                    _ => (ItemKind::MentionName, r.pick("n", 50)),
                };
                b.push_item(kind, &s);
            }
            let items = b.items_from(start);
            let time_ms = r.below(1000) as i64;
            b.tweets.push(RawTweet {
                line: 1,
                tweet,
                account,
                time_ms,
                resolution: TimeResolution::Second,
                kind: TweetKind::Retweet,
                target,
                quote,
                text,
                lang,
                client,
                items,
            });
        }
        b.rows_read = b.tweets.len() as u64;
        b
    }

    fn strings(i: &Interner) -> Vec<String> {
        i.iter().map(str::to_string).collect()
    }

    #[test]
    fn batches_from_several_senders_merge_into_the_dataset_one_process_builds() {
        for seed in 0..100u64 {
            let mut r = Lcg(seed * 7919 + 1);
            let batches: Vec<RecordBatch> = (0..40).map(|_| random_batch(&mut r)).collect();
            let mut plain = DatasetBuilder::new(true);
            for b in &batches {
                plain.push(0, b).unwrap();
            }
            // Each batch from one of 4 processes; process 0's own stay plain.
            let mut coders: Vec<Coder> = (0..4).map(Coder::new).collect();
            let mut coded = DatasetBuilder::new(true);
            for b in &batches {
                let mut b = b.clone();
                let sender = r.below(4) as u32;
                if sender != 0 {
                    coders[sender as usize].code(&mut b);
                    // Through serde, as between processes.
                    b = serde_json::from_slice(&serde_json::to_vec(&b).unwrap()).unwrap();
                    admit(&mut b, sender).unwrap();
                }
                coded.push(0, &b).unwrap();
            }
            let (p, _, p_reused) = plain.finish(false);
            let (c, _, c_reused) = coded.finish(false);
            assert_eq!(p_reused, c_reused, "seed {seed}");
            assert_eq!(p.tweet_id, c.tweet_id, "seed {seed}");
            assert_eq!(p.account, c.account, "seed {seed}");
            assert_eq!(p.target_tweet, c.target_tweet, "seed {seed}");
            assert_eq!(p.target_account, c.target_account, "seed {seed}");
            assert_eq!(p.reply_quotes, c.reply_quotes, "seed {seed}");
            assert_eq!(p.text, c.text, "seed {seed}");
            assert_eq!((&p.lang, &p.client), (&c.lang, &c.client), "seed {seed}");
            assert_eq!(p.items, c.items, "seed {seed}");
            assert_eq!(p.item_offsets, c.item_offsets, "seed {seed}");
            let (pa, ca) = (&p.accounts, &c.accounts);
            assert_eq!(strings(&pa.keys), strings(&ca.keys), "seed {seed}");
            for a in 0..pa.len() as u32 {
                assert_eq!(pa.screen_name(a), ca.screen_name(a), "seed {seed}");
            }
            assert_eq!(pa.created_ms, ca.created_ms, "seed {seed}");
            assert_eq!(
                (&pa.followers, &pa.following),
                (&ca.followers, &ca.following)
            );
            for (x, y) in [
                (&p.hashtags, &c.hashtags),
                (&p.urls, &c.urls),
                (&p.langs, &c.langs),
                (&p.clients, &c.clients),
                (&p.tweet_keys, &c.tweet_keys),
            ] {
                assert_eq!(strings(x), strings(y), "seed {seed}");
            }
        }
    }

    /// Batches cut to their outlines: process 0 numbers every string, fills every profile,
    /// tells the same repeats and places every process's rows as it does from the whole
    /// batches, each process sending the rows it is asked for whole.
    #[test]
    fn outlined_batches_place_the_rows_as_whole_batches_do() {
        let (mut repeated, mut reused_ids, mut profiles) = (0, 0, 0);
        let tmp = tempfile::tempdir().unwrap();
        for seed in 0..60u64 {
            let mut r = Lcg(seed * 7_927 + 5);
            let mut whole_coders: Vec<Coder> = (0..4).map(Coder::new).collect();
            let mut coders: Vec<Coder> = (0..4).map(Coder::new).collect();
            let mut outliners: Vec<Outliner> = (0..4).map(|_| Outliner::default()).collect();
            let mut own: Vec<DatasetBuilder> =
                (0..4).map(|_| DatasetBuilder::for_shard(true)).collect();
            let (mut whole, mut outlined) = (DatasetBuilder::new(true), DatasetBuilder::new(true));
            for file in 0..40 {
                let b = random_batch(&mut r);
                let sender = r.below(4) as u32;
                let mut w = b.clone();
                whole_coders[sender as usize].code(&mut w);
                admit(&mut w, sender).unwrap();
                whole.push(file, &w).unwrap();
                let mut o = b;
                let coder = &mut coders[sender as usize];
                coder.code(&mut o);
                own[sender as usize].push(file, &o).unwrap();
                // Half the seeds keep the texts on disk, as large inputs do.
                let limit = if seed % 2 == 0 { 0 } else { u64::MAX };
                own[sender as usize].spill_texts(limit, tmp.path()).unwrap();
                outliners[sender as usize].outline(&mut o, coder.numbered());
                assert!(o.tweets.is_empty() && o.accounts.is_empty(), "seed {seed}");
                profiles += o.outline.as_ref().unwrap().profiles.len();
                o = serde_json::from_slice(&serde_json::to_vec(&o).unwrap()).unwrap();
                admit(&mut o, sender).unwrap();
                outlined.push(file, &o).unwrap();
            }
            let built = whole.finish_placing(false, 4);
            let far = built.far_dates.clone();
            let (d, dups, reused, placed) =
                (built.data, built.duplicates, built.reused, built.placements);
            let mut asked = Vec::new();
            let mut sent = Vec::new();
            for (p, (ids, rows)) in outlined.outlined_ids(4).into_iter().enumerate() {
                assert_eq!(ids, placed[p].ids, "seed {seed}, process {p}");
                own[p].place_ids(&ids).unwrap();
                sent.push(own[p].repeat_rows(&rows).unwrap());
                asked.push(rows);
            }
            let o = outlined.finish_outlined(&asked, sent, false, 4).unwrap();
            let (o_dups, o_placed) = (o.duplicates, o.placements);
            let at = format!("seed {seed}");
            assert_eq!(o.far_dates, far, "{at}");
            assert_eq!(o.reused, reused, "{at}");
            let o = o.data;
            assert_eq!((o.len(), o.tweets()), (0, d.len()), "{at}");
            let dup = |x: &Vec<Duplicate>| {
                let mut v: Vec<_> = x
                    .iter()
                    .map(|d| (d.file, d.line, d.tweet_id.clone()))
                    .collect();
                v.sort();
                v
            };
            assert_eq!(dup(&o_dups), dup(&dups), "{at}");
            for (p, builder) in own.into_iter().enumerate() {
                assert_eq!(o_placed[p].rows, placed[p].rows, "{at}, process {p}");
                let shard = builder.into_rows(&o_placed[p].rows).unwrap();
                for (i, &g) in shard.rows.iter().enumerate() {
                    assert_eq!(shard.data.text(i), d.text(g as usize), "{at}, row {g}");
                }
            }
            let (pa, oa) = (&d.accounts, &o.accounts);
            assert_eq!(strings(&pa.keys), strings(&oa.keys), "{at}");
            for a in 0..pa.len() as u32 {
                assert_eq!(pa.screen_name(a), oa.screen_name(a), "{at}, account {a}");
            }
            assert_eq!(
                (&pa.created_ms, &pa.followers, &pa.following),
                (&oa.created_ms, &oa.followers, &oa.following),
                "{at}"
            );
            for (x, y) in [
                (&d.hashtags, &o.hashtags),
                (&d.urls, &o.urls),
                (&d.langs, &o.langs),
                (&d.clients, &o.clients),
            ] {
                assert_eq!(strings(x), strings(y), "{at}");
            }
            repeated += dups.len();
            reused_ids += reused;
        }
        assert!(repeated > 0 && reused_ids > 0 && profiles > 0);
    }

    /// Each process keeps the rows it coded; placed by process 0, they are the dataset's rows
    /// with every column the same (strings by their text), and no row is in two shards.
    #[test]
    fn each_process_s_rows_placed_are_the_dataset_s_rows() {
        let key = |d: &crate::dataset::Dataset, id: u64| d.tweet_key(id);
        let mut repeats = 0;
        for seed in 0..60u64 {
            let mut r = Lcg(seed * 104_729 + 3);
            let mut coders: Vec<Coder> = (0..4).map(Coder::new).collect();
            let mut own: Vec<DatasetBuilder> =
                (0..4).map(|_| DatasetBuilder::for_shard(true)).collect();
            let mut whole = DatasetBuilder::new(true);
            for _ in 0..40 {
                let mut b = random_batch(&mut r);
                let sender = r.below(4) as u32;
                if sender != 0 {
                    coders[sender as usize].code(&mut b);
                    own[sender as usize].push(0, &b).unwrap();
                    admit(&mut b, sender).unwrap();
                }
                whole.push(0, &b).unwrap();
            }
            let built = whole.finish_placing(false, 4);
            let (d, placed) = (built.data, built.placements);
            assert_eq!(placed.len(), 4);
            let mut seen = vec![false; d.len()];
            let mut held = 0;
            for (p, builder) in own.into_iter().enumerate().skip(1) {
                repeats += placed[p].rows.iter().filter(|&&r| r == NO_ROW).count();
                let shard = builder.into_shard(&placed[p]).unwrap();
                let s = &shard.data;
                held += shard.len();
                for (i, &g) in shard.rows.iter().enumerate() {
                    let g = g as usize;
                    assert!(!seen[g], "seed {seed}: row {g} in two shards");
                    seen[g] = true;
                    let at = format!("seed {seed}, process {p}, row {g}");
                    assert_eq!(key(s, s.tweet_id[i]), key(&d, d.tweet_id[g]), "{at}");
                    assert_eq!(s.account[i], d.account[g], "{at}");
                    assert_eq!(
                        (s.time_ms[i], s.flags[i]),
                        (d.time_ms[g], d.flags[g]),
                        "{at}"
                    );
                    assert_eq!(
                        key(s, s.target_tweet[i]),
                        key(&d, d.target_tweet[g]),
                        "{at}"
                    );
                    assert_eq!(s.target_account[i], d.target_account[g], "{at}");
                    assert_eq!(s.text(i), d.text(g), "{at}");
                    assert_eq!((s.lang[i], s.client[i]), (d.lang[g], d.client[g]), "{at}");
                    assert_eq!(s.items(i), d.items(g), "{at}");
                    let quotes = |d: &crate::dataset::Dataset, row: usize| {
                        (d.reply_quotes.iter())
                            .filter(|q| q.0 as usize == row)
                            .map(|q| (key(d, q.1), q.2))
                            .collect::<Vec<_>>()
                    };
                    assert_eq!(quotes(s, i), quotes(&d, g), "{at}");
                }
            }
            assert!(
                held < d.len(),
                "seed {seed}: process 0 parsed some rows too"
            );
        }
        assert!(repeats > 0, "some records were dropped as repeats");
    }

    #[test]
    fn a_batch_that_does_not_hold_together_is_refused() {
        let mut r = Lcg(7);
        let mut coder = Coder::new(1);
        let batch = loop {
            let mut b = random_batch(&mut r);
            if b.tweets.len() > 2 && !b.items.is_empty() && !b.accounts.is_empty() {
                coder.code(&mut b);
                break b;
            }
        };
        let refused = |spoil: &dyn Fn(&mut RecordBatch)| {
            let mut b = batch.clone();
            spoil(&mut b);
            admit(&mut b, 1).unwrap_err().to_string()
        };
        assert!(admit(&mut batch.clone(), 1).is_ok());
        let e = refused(&|b| b.tweets[1].items = 0..b.items.len() as u32 + 1);
        assert!(
            e.contains("process 1 sent a batch that does not hold together"),
            "{e}"
        );
        refused(&|b| {
            b.tweets[0].text = Span {
                start: 0,
                len: u32::MAX,
                hash: 0,
            }
        });
        refused(&|b| {
            b.tweets[0].text = Span {
                start: u32::MAX - 1,
                len: 1,
                hash: 0,
            }
        });
        refused(&|b| {
            b.account_at.pop();
        });
        refused(&|b| b.coded = None);
        // Who sent it is the link's word, not the batch's.
        let mut b = batch.clone();
        admit(&mut b, 2).unwrap();
        assert_eq!(b.coded.unwrap().sender, 2);
    }

    #[test]
    fn numbers_never_sent_and_batches_out_of_order_are_refused() {
        let mut senders = Senders::default();
        let mut names = Interner::new();
        let mut batch = RecordBatch {
            coded: Some(Box::default()),
            ..RecordBatch::default()
        };
        let mut interner = Interner::new();
        assert!(senders.check().is_ok());
        senders.receive(&batch, &mut names);
        senders.id(&mut interner, Dict::Hashtag, &batch, Span::numbered(3));
        let e = senders.check().unwrap_err().to_string();
        assert!(
            e.contains("process 0's Hashtag number 3 before the string"),
            "{e}"
        );
        // The same batch again: process 0 has taken batch 0 of process 0.
        senders.receive(&batch, &mut names);
        let e = senders.check().unwrap_err().to_string();
        assert!(e.contains("batch 0 where its batch 1 was due"), "{e}");
        // A new string said to lie beyond the batch's arena.
        batch.arena = "#abc".into();
        batch.coded = Some(Box::new(Coded {
            sender: 1,
            batch: 0,
            new: vec![(
                Dict::Hashtag,
                Span {
                    start: 2,
                    len: 5,
                    hash: 0,
                },
            )],
        }));
        senders.receive(&batch, &mut names);
        assert!(senders.check().is_err());
        assert!(
            interner.is_empty(),
            "nothing was interned from a refused batch"
        );
    }
}
