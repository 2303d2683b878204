//! A coded batch cut down to what process 0 needs when the rows stay where they were parsed.
//!
//! Process 0 numbers the accounts and the other strings in input order, fills each account's
//! profile from its first records, drops repeated records and orders the rows by time. None
//! of that needs the rows themselves: the ids come from the order in which each batch first
//! uses the strings new to its sender, the profiles from the account fields each sender gives
//! first, the order from each row's time, and the repeats from the rows whose tweet ids
//! recur (their holders then send those few rows whole). An [`Outline`] carries just that:
//! about 16 bytes a row, where a coded batch carries the whole record.

use super::batch::{RawId, RecordBatch, Span};
use super::coded::Dict;
use super::interner::hash_bytes;
use super::{ItemKind, NO_TWEET, STRING_ID_BIT};

/// What process 0 merges of a batch whose rows stay with the process that coded it.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Outline {
    /// Each row's time, in input order.
    pub times: Vec<i64>,
    /// Each row's tweet id: the number, a string id's hash above [`STRING_ID_BIT`], or
    /// [`NO_TWEET`]. Rows that share one are compared whole before any is dropped.
    pub keys: Vec<u64>,
    /// The numbers first used in this batch, by kind, in the order the dataset's builder
    /// meets them (so ids are given as one process gives them).
    pub uses: Vec<(Dict, u32)>,
    /// Account fields the sender gives for the first time, in input order.
    pub profiles: Vec<ProfileStep>,
}

/// An account's fields as a record gives them, its strings by their numbers.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum ProfileStep {
    /// An account record (a profile row, or a tweet's author fields).
    Record {
        account: u32,
        screen_name: Option<u32>,
        created_ms: Option<i64>,
        followers: Option<u32>,
        following: Option<u32>,
    },
    /// The screen name a retweet or quote gives its target's account.
    Name { account: u32, name: u32 },
}

/// The number an outline gives an account with an empty key, which is not coded.
pub const EMPTY: u32 = u32::MAX;

/// The span an outline's account number stands for.
pub fn account_span(n: u32) -> Span {
    match n {
        EMPTY => Span::EMPTY,
        n => Span::numbered(n),
    }
}

/// A row's tweet id as an outline keys it.
pub fn tweet_key(batch: &RecordBatch, id: RawId) -> u64 {
    match id {
        RawId::None => NO_TWEET,
        RawId::Num(n) => n,
        RawId::Str(span) => STRING_ID_BIT | hash_bytes(batch.str(span).as_bytes()) >> 1,
    }
}

/// A sender's side: which account fields it has given process 0 (a bit each, by account
/// number). A field given once is set on process 0 before any later batch of this sender's
/// is merged, so giving it again would change nothing.
#[derive(Default)]
pub struct Outliner {
    given: Vec<u8>,
}

const NAME: u8 = 1;
const CREATED: u8 = 2;
const FOLLOWERS: u8 = 4;
const FOLLOWING: u8 = 8;

impl Outliner {
    /// Replace the records of `batch`, coded by a [`Coder`](super::coded::Coder) that has
    /// now numbered `numbered` strings of each kind, by their [`Outline`]. The arena keeps
    /// the strings sent for the first time, which process 0 needs; the rest stays with the
    /// rows kept here.
    pub fn outline(&mut self, batch: &mut RecordBatch, numbered: [u32; Dict::ALL.len()]) {
        let Some(coded) = &batch.coded else {
            return;
        };
        // Numbers at or above `first` are new in this batch; each is listed at its first use.
        let mut first = numbered;
        for &(dict, _) in &coded.new {
            first[dict as usize] -= 1;
        }
        let mut listed: Vec<Vec<bool>> = (Dict::ALL.iter())
            .map(|&d| vec![false; (numbered[d as usize] - first[d as usize]) as usize])
            .collect();
        let mut times = Vec::with_capacity(batch.tweets.len());
        let mut keys = Vec::with_capacity(batch.tweets.len());
        let mut used = Vec::new();
        let mut uses = |dict: Dict, span: Span| {
            if dict == Dict::Account && span.is_empty() {
                used.push((dict, EMPTY)); // an account with no key is one too
                return;
            }
            let Some(n) = span.number() else { return };
            let d = dict as usize;
            if let Some(seen) = n
                .checked_sub(first[d])
                .and_then(|i| listed[d].get_mut(i as usize))
            {
                if !*seen {
                    *seen = true;
                    used.push((dict, n));
                }
            }
        };
        let mut steps = Vec::new();
        let mut next_account = 0;
        // The builder's order (`DatasetBuilder::push`): each tweet's account records before
        // it, then its id, author, target, quote, language, app and items.
        for (i, t) in batch.tweets.iter().enumerate() {
            while next_account < batch.accounts.len() && batch.account_at[next_account] <= i as u32
            {
                let p = &batch.accounts[next_account];
                uses(Dict::Account, p.key);
                steps.extend(self.record(p));
                next_account += 1;
            }
            uses(Dict::Account, t.account);
            for r in std::iter::once(&t.target).chain(&t.quote) {
                if r.account.is_empty() {
                    continue;
                }
                uses(Dict::Account, r.account);
                if let (Some(account), Some(name)) = (r.account.number(), r.screen_name.number()) {
                    steps.extend(
                        self.give(account, NAME)
                            .then_some(ProfileStep::Name { account, name }),
                    );
                }
            }
            uses(Dict::Lang, t.lang);
            uses(Dict::Client, t.client);
            for &(kind, span) in &batch.items[t.items.start as usize..t.items.end as usize] {
                let dict = match kind {
                    ItemKind::Hashtag => Dict::Hashtag,
                    ItemKind::Url => Dict::Url,
                    ItemKind::Mention => Dict::Account,
                    ItemKind::MentionName => Dict::MentionName,
                };
                uses(dict, span);
            }
            times.push(t.time_ms);
            keys.push(tweet_key(batch, t.tweet));
        }
        for p in &batch.accounts[next_account..] {
            uses(Dict::Account, p.key);
            steps.extend(self.record(p));
        }
        let outline = Outline {
            times,
            keys,
            uses: used,
            profiles: steps,
        };
        // Only the strings sent for the first time stay in the arena.
        let old = std::mem::take(&mut batch.arena);
        let coded = batch.coded.as_mut().expect("coded, above");
        for (_, span) in &mut coded.new {
            let start = batch.arena.len() as u32;
            batch
                .arena
                .push_str(&old[span.start as usize..(span.start + span.len) as usize]);
            span.start = start;
        }
        batch.tweets.clear();
        batch.items.clear();
        batch.accounts.clear();
        batch.account_at.clear();
        batch.outline = Some(Box::new(outline));
    }

    /// Mark `field` of `account` given; whether it was not before.
    fn give(&mut self, account: u32, field: u8) -> bool {
        if account == EMPTY {
            return true; // rare: given each time, rather than a bit at u32::MAX
        }
        let i = account as usize;
        if self.given.len() <= i {
            self.given.resize(i + 1, 0);
        }
        let new = self.given[i] & field == 0;
        self.given[i] |= field;
        new
    }

    /// An account record's fields not given before, if any.
    fn record(&mut self, p: &super::batch::RawAccount) -> Option<ProfileStep> {
        let account = match p.key.is_empty() {
            true => EMPTY,
            false => p.key.number()?,
        };
        let mut step = |field: u8, known: bool| known && self.give(account, field);
        let screen_name = p.screen_name.number().filter(|_| step(NAME, true));
        let created_ms = p.created_ms.filter(|_| step(CREATED, true));
        let followers = p.followers.filter(|_| step(FOLLOWERS, true));
        let following = p.following.filter(|_| step(FOLLOWING, true));
        let any = screen_name.is_some()
            || created_ms.is_some()
            || followers.is_some()
            || following.is_some();
        any.then_some(ProfileStep::Record {
            account,
            screen_name,
            created_ms,
            followers,
            following,
        })
    }
}
