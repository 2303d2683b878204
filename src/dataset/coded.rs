//! Record batches on their way from another process to process 0, with their repeated strings
//! as numbers. A process sends each distinct string of a kind (account keys, screen names,
//! string tweet ids, languages, apps, hashtags, URLs, mention names) once, with the first
//! batch that holds it, and from then on only the number it gave it ([`Coder`]); texts travel
//! as they are, most being new. Process 0 keeps, per sender, which of its own ids each number
//! stands for ([`Senders`]).
//!
//! Process 0 still interns a string where one process would, at its first use in input order:
//! a string that arrives before anything uses it waits (the first record to name an account
//! may not be the first to give its screen name), so every id is the one a single process
//! gives, and the merge of another process's records is a lookup in a vector per string.

use super::batch::{RawId, RawRef, RawTweet, RecordBatch, Span};
use super::interner::{Interner, Key};
use super::ItemKind;
use crate::error::{Error, Result};
use hashbrown::HashMap;

/// A kind of string with numbers of its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Dict {
    Account,
    Name,
    TweetKey,
    Lang,
    Client,
    Hashtag,
    Url,
    MentionName,
}

const DICTS: usize = 8;

/// What a coded batch carries beyond its records: who sent it, and the strings sent for the
/// first time, each the next number of its kind.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Coded {
    pub sender: u32,
    pub new: Vec<(Dict, Span)>,
}

/// A span's length when it holds a number instead of a place in the arena (no arena is 4 GB).
const NUMBERED: u32 = u32::MAX;

impl Span {
    fn numbered(n: u32) -> Span {
        Span {
            start: n,
            len: NUMBERED,
            hash: 0,
        }
    }

    /// The number this span stands for, in a coded batch.
    fn number(self) -> Option<u32> {
        (self.len == NUMBERED).then_some(self.start)
    }
}

/// Every string field of a batch's records, with its kind (`None`: texts, left as they are).
fn each_span(batch: &mut RecordBatch, f: &mut impl FnMut(Option<Dict>, &mut Span)) {
    fn id(id: &mut RawId, f: &mut impl FnMut(Option<Dict>, &mut Span)) {
        if let RawId::Str(span) = id {
            f(Some(Dict::TweetKey), span);
        }
    }
    fn reference(r: &mut RawRef, f: &mut impl FnMut(Option<Dict>, &mut Span)) {
        id(&mut r.tweet, f);
        f(Some(Dict::Account), &mut r.account);
        f(Some(Dict::Name), &mut r.screen_name);
    }
    for t in &mut batch.tweets {
        let RawTweet {
            tweet,
            account,
            target,
            quote,
            text,
            lang,
            client,
            ..
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
        f(Some(Dict::Account), &mut a.key);
        f(Some(Dict::Name), &mut a.screen_name);
    }
}

/// A sending process's side: the strings it has sent, numbered by kind.
pub struct Coder {
    sender: u32,
    sent: [Interner; DICTS],
    /// The last batch's arena, for the next one's: a fresh one each time is fresh pages.
    spare: String,
}

impl Coder {
    pub fn new(sender: u32) -> Coder {
        Coder {
            sender,
            sent: Default::default(),
            spare: String::new(),
        }
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
                    let before = seen.len();
                    let n = seen.intern_key(Key { s, hash: span.hash });
                    if n as usize == before {
                        new.push((d, place()));
                    }
                    Span::numbered(n)
                }
            };
        });
        batch.arena = arena;
        self.spare = old;
        batch.coded = Some(Coded {
            sender: self.sender,
            new,
        });
    }
}

/// Process 0's side: for each sender and kind, the id each number stands for here.
#[derive(Default)]
pub(crate) struct Senders {
    /// By process number.
    by_sender: Vec<Numbers>,
    /// A number no string was sent for: the batch is refused.
    unknown: Option<(u32, Dict, u32)>,
}

#[derive(Default)]
struct Numbers {
    /// Per kind, by number: the id here, or `WAITING`.
    ids: [Vec<u32>; DICTS],
    /// Strings sent but not used yet, by kind and number.
    waiting: HashMap<(u8, u32), (Box<str>, u64)>,
}

/// No id yet: the string waits in `Numbers::waiting` (ids are below `u32::MAX - 1`).
const WAITING: u32 = u32::MAX;

impl Senders {
    /// Take note of the strings `batch` sends for the first time.
    pub fn receive(&mut self, batch: &RecordBatch) {
        let Some(coded) = &batch.coded else {
            return;
        };
        let sender = coded.sender as usize;
        if sender > u16::MAX as usize {
            self.unknown = Some((coded.sender, Dict::Account, 0));
            return;
        }
        if self.by_sender.len() <= sender {
            self.by_sender.resize_with(sender + 1, Numbers::default);
        }
        let numbers = &mut self.by_sender[sender];
        for &(dict, span) in &coded.new {
            let ids = &mut numbers.ids[dict as usize];
            let n = ids.len() as u32;
            let (start, len) = (span.start as usize, span.len as usize);
            let Some(s) = batch.arena.get(start..start.saturating_add(len)) else {
                // A string the batch does not hold: the batch is refused.
                self.unknown = Some((coded.sender, dict, n));
                return;
            };
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
        let sender = batch.coded.as_ref().map_or(u32::MAX, |c| c.sender);
        let Some(numbers) = self.by_sender.get_mut(sender as usize) else {
            self.unknown = Some((sender, dict, n));
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
                self.unknown = Some((sender, dict, n));
                0
            }
        }
    }

    /// An error if some batch used a number its sender never sent a string for.
    pub fn check(&mut self) -> Result<()> {
        match self.unknown.take() {
            None => Ok(()),
            Some((sender, dict, n)) => Err(Error::cluster(format!(
                "process {sender} sent {dict:?} number {n} before the string it stands for: \
                 every process must run the same build"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_number_never_sent_is_refused() {
        let mut senders = Senders::default();
        let mut batch = RecordBatch {
            coded: Some(Coded::default()),
            ..RecordBatch::default()
        };
        let mut interner = Interner::new();
        assert!(senders.check().is_ok());
        senders.receive(&batch);
        senders.id(&mut interner, Dict::Hashtag, &batch, Span::numbered(3));
        let e = senders.check().unwrap_err().to_string();
        assert!(e.contains("process 0 sent Hashtag number 3"), "{e}");
        // A number in a batch that says no sender.
        batch.coded = None;
        senders.id(&mut interner, Dict::Hashtag, &batch, Span::numbered(0));
        assert!(senders.check().is_err());
        // A new string said to lie beyond the batch's arena.
        let outside = Span {
            start: 2,
            len: 5,
            hash: 0,
        };
        batch.arena = "#abc".into();
        batch.coded = Some(Coded {
            sender: 1,
            new: vec![(Dict::Hashtag, outside)],
        });
        senders.receive(&batch);
        assert!(senders.check().is_err());
        assert!(
            interner.is_empty(),
            "nothing was interned from a refused batch"
        );
    }
}
