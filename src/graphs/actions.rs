//! Actions: the (item, account, time) triples a co-action graph pairs up, grouped by item and
//! sorted by time inside each item, for one graph kind.

use super::retweet::Source;
use super::text_norm::{normal_form_hashes, normalize_for_cotweet, NO_FORM};
use super::CoactionKind;
use crate::dataset::interner::hash_bytes;
use crate::dataset::{Dataset, NO_TEXT, NO_TWEET, STRING_ID_BIT};
use crate::dataset::{ItemKind, TimeResolution, TweetKind};
use rayon::prelude::*;
use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Item key of a retweet whose target was recovered from text: the original's row. Tweet ids
/// are below 2^63, and string ids ([`share_keys`]: bit 63 and a hash) leave bit 62 clear, so
/// the top two bits together are free.
pub const RECOVERED_ITEM: u64 = 3 << 62;
/// Item key of a retweet whose source is unknown and not in the data, by its text's hash
/// (61 bits): identical retweet texts retweet the same post. (Recovered rows stay below 2^32,
/// so bit 61 tells the two apart.)
pub const TEXT_ITEM: u64 = RECOVERED_ITEM | 1 << 61;
/// The bits that mark recovered and text items.
const MARK_BITS: u64 = 7 << 61;

/// One kind's actions, grouped by item: the actions on item `g` are `start[g]..start[g + 1]`,
/// in time order.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Actions {
    pub kind: Option<CoactionKind>,
    /// What each item is: a tweet id (or a string id's hash), a hashtag or URL id, a mentioned
    /// account, a text's normal form's hash, or a lost target's original row or text hash.
    pub item_key: Vec<u64>,
    pub start: Vec<u32>,
    pub account: Vec<u32>,
    pub time_ms: Vec<i64>,
    /// The dataset row each action comes from.
    pub row: Vec<u32>,
    /// The coarsest time resolution among the actions.
    pub coarsest: TimeResolution,
    /// How many actions have minute resolution or coarser (for the window check).
    pub coarse_actions: usize,
    /// Retweets or replies that name no target and whose target was not found from their
    /// text (the original is not in the data, or texts were not kept): no action.
    pub unplaced: usize,
}

impl Actions {
    pub fn len(&self) -> usize {
        self.account.len()
    }

    pub fn is_empty(&self) -> bool {
        self.account.is_empty()
    }

    /// How many items were acted on.
    pub fn items(&self) -> usize {
        self.item_key.len()
    }

    /// The actions on item `g`.
    pub fn item(&self, g: usize) -> std::ops::Range<usize> {
        self.start[g] as usize..self.start[g + 1] as usize
    }

    /// Actions per account, indexed by account id (`accounts` long).
    pub fn per_account(&self, accounts: usize) -> Vec<u32> {
        let mut n = vec![0u32; accounts];
        for &a in &self.account {
            n[a as usize] += 1;
        }
        n
    }

    /// When action `i` was: its own time, or where [`Actions::keep_shared`] let the times go,
    /// its row's of the data's `time_ms`.
    pub fn time_of(&self, i: usize, time_ms: &[i64]) -> i64 {
        match self.time_ms.get(i) {
            Some(&t) => t,
            None => time_ms[self.row[i] as usize],
        }
    }

    /// Keep only the items that two or more accounts acted on, in place: the rest pair with
    /// nothing, and nothing after the projection reads them (in a collection most texts, and
    /// many retweeted posts, are acted on by one account: 4M of 13.7M actions at 10^7 tweets).
    /// The times go too unless `keep_times` (`time_ms` is left empty): an action's time is its
    /// row's, `data.time_ms[row]`, and the 8 bytes an action are the larger half of what is
    /// kept; where rows are held apart across processes, every owner of items keeps them (an
    /// action's row may be another process's).
    pub fn keep_shared(&mut self, keep_times: bool) {
        let (mut items, mut actions) = (0, 0);
        for g in 0..self.items() {
            let range = self.item(g);
            let on = &self.account[range.clone()];
            if on.iter().all(|&a| Some(&a) == on.first()) {
                continue;
            }
            for i in range {
                self.account[actions] = self.account[i];
                self.row[actions] = self.row[i];
                if keep_times {
                    self.time_ms[actions] = self.time_ms[i];
                }
                actions += 1;
            }
            self.item_key[items] = self.item_key[g];
            items += 1;
            self.start[items] = actions as u32;
        }
        self.item_key.truncate(items);
        self.item_key.shrink_to_fit();
        self.start.truncate(items + 1);
        self.start.shrink_to_fit();
        for v in [&mut self.account, &mut self.row] {
            v.truncate(actions);
            v.shrink_to_fit();
        }
        match keep_times {
            true => {
                self.time_ms.truncate(actions);
                self.time_ms.shrink_to_fit();
            }
            false => self.time_ms = Vec::new(),
        }
    }

    /// Keep only the actions of accounts for which `keep` holds, regrouping.
    pub fn retain_accounts(&mut self, keep: impl Fn(u32) -> bool) {
        let mut out = Actions {
            kind: self.kind,
            coarsest: self.coarsest,
            unplaced: self.unplaced,
            ..Default::default()
        };
        out.start.push(0);
        for g in 0..self.items() {
            let before = out.account.len();
            for i in self.item(g) {
                if keep(self.account[i]) {
                    out.account.push(self.account[i]);
                    out.time_ms.push(self.time_ms[i]);
                    out.row.push(self.row[i]);
                }
            }
            if out.account.len() > before {
                out.item_key.push(self.item_key[g]);
                out.start.push(out.account.len() as u32);
            }
        }
        out.coarse_actions = self.coarse_actions;
        *self = out;
    }

    /// The actions on the items whose key `keep` holds, in the same order, with what pairing
    /// reads: the part of the whole an owner of those items takes, for the tests that cut one.
    #[cfg(test)]
    pub(crate) fn of_items(&self, keep: impl Fn(u64) -> bool) -> Actions {
        let mut out = Actions {
            kind: self.kind,
            ..Default::default()
        };
        out.start.push(0);
        for g in (0..self.items()).filter(|&g| keep(self.item_key[g])) {
            let range = self.item(g);
            out.account.extend_from_slice(&self.account[range.clone()]);
            out.time_ms.extend_from_slice(&self.time_ms[range.clone()]);
            out.row.extend_from_slice(&self.row[range]);
            out.item_key.push(self.item_key[g]);
            out.start.push(out.account.len() as u32);
        }
        out
    }

    /// A readable name for item `g`.
    pub fn item_label(&self, data: &Dataset, g: usize) -> String {
        let key = self.item_key[g];
        let row =
            names_by_row(self.kind, key).then(|| RowName::of(data, self.naming_row(g) as usize));
        item_name(data, self.kind, key, row.as_ref())
    }

    /// The dataset row that names item `g` where a row does ([`names_by_row`]): a recovered
    /// target's original, else the item's first action's.
    pub fn naming_row(&self, g: usize) -> u32 {
        match self.item_key[g] {
            key if self.kind == Some(CoactionKind::CoRetweet)
                && key & MARK_BITS == RECOVERED_ITEM =>
            {
                (key & !RECOVERED_ITEM) as u32
            }
            _ => self.row[self.start[g] as usize],
        }
    }
}

/// What a row says of the items it names: its account, its text and the id of the post it
/// shares as written. Texts and string tweet ids are named by their hashes, so their names
/// are read from a row, on the process that holds it.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RowName {
    pub account: u32,
    pub text: Option<String>,
    pub target: Option<String>,
}

impl RowName {
    pub fn of(data: &Dataset, row: usize) -> RowName {
        RowName {
            account: data.account[row],
            text: data.text(row).map(|t| t.into_owned()),
            target: data.tweet_key(data.target_tweet[row]),
        }
    }
}

/// Whether `kind`'s item `key` is named from a row ([`Actions::naming_row`]): texts, string
/// tweet ids and recovered targets are; tweet ids, hashtags, URLs and accounts are named by
/// their keys.
pub fn names_by_row(kind: Option<CoactionKind>, key: u64) -> bool {
    match kind {
        Some(CoactionKind::CoRetweet) if matches!(key & MARK_BITS, TEXT_ITEM | RECOVERED_ITEM) => {
            true
        }
        Some(CoactionKind::CoRetweet | CoactionKind::CoReply) => key & STRING_ID_BIT != 0,
        Some(CoactionKind::CoHashtag | CoactionKind::CoUrl | CoactionKind::CoMention) => false,
        Some(CoactionKind::CoTweet | CoactionKind::CoSimilar) | None => true,
    }
}

/// A readable name for `kind`'s item `key`: `row` is what its naming row says, where it is
/// named by one ([`names_by_row`]).
pub fn item_name(
    data: &Dataset,
    kind: Option<CoactionKind>,
    key: u64,
    row: Option<&RowName>,
) -> String {
    let text = || row.and_then(|r| r.text.as_deref()).unwrap_or_default();
    match kind {
        Some(CoactionKind::CoRetweet) if key & MARK_BITS == TEXT_ITEM => format!("'{}'", text()),
        Some(CoactionKind::CoRetweet) if key & MARK_BITS == RECOVERED_ITEM => {
            let account = row.map_or("", |r| data.accounts.key(r.account));
            format!("@{account}: {}", text())
        }
        Some(CoactionKind::CoRetweet | CoactionKind::CoReply) if key & STRING_ID_BIT != 0 => {
            row.and_then(|r| r.target.clone()).unwrap_or_default()
        }
        Some(CoactionKind::CoRetweet | CoactionKind::CoReply) => {
            data.tweet_key(key).unwrap_or_default()
        }
        Some(CoactionKind::CoHashtag) => format!("#{}", data.hashtags.get(key as u32)),
        Some(CoactionKind::CoUrl) => data.urls.get(key as u32).to_string(),
        Some(CoactionKind::CoMention) => format!("@{}", mention_label(data, key as u32)),
        Some(CoactionKind::CoTweet) => normalize_for_cotweet(text()),
        Some(CoactionKind::CoSimilar) | None => text().to_string(),
    }
}

fn mention_label(data: &Dataset, account: u32) -> &str {
    data.accounts
        .screen_name(account)
        .unwrap_or_else(|| data.accounts.key(account))
}

/// Options that decide which rows count as actions.
#[derive(Clone, Debug)]
pub struct ActionFilter {
    /// Normalized texts shorter than this are not co-tweets ("thank you!" is not evidence).
    pub min_text_chars: usize,
}

impl Default for ActionFilter {
    fn default() -> ActionFilter {
        ActionFilter { min_text_chars: 20 }
    }
}

/// Collect `kind`'s actions from `data`.
///
/// Retweets are actions only of co-retweet: their hashtags, URLs, mentions and text belong to
/// the retweeted post, and counting them again would double every retweet's evidence.
pub fn collect(data: &Dataset, kind: CoactionKind, filter: &ActionFilter) -> Actions {
    collect_with(data, kind, filter, None)
}

/// [`collect`] with the retweets' sources already found (see [`super::retweet::sources`]).
pub fn collect_with(
    data: &Dataset,
    kind: CoactionKind,
    filter: &ActionFilter,
    sources: Option<&[Option<Source>]>,
) -> Actions {
    let keyed: Keyed;
    let mut unplaced = 0;
    match kind {
        CoactionKind::CoRetweet | CoactionKind::CoReply => {
            // Retweets that lost their target (the IRA layout) retweet the original their
            // text matches, when it is in the data.
            let lost = kind == CoactionKind::CoRetweet
                && (0..data.len()).any(|r| {
                    data.kind(r) == TweetKind::Retweet && data.target_tweet[r] == NO_TWEET
                });
            let found;
            let recovered = match (sources, lost) {
                (_, false) => &[][..],
                (Some(s), true) => s,
                (None, true) => {
                    found = super::retweet::sources(data);
                    &found[..]
                }
            };
            let original_of = |r: usize| recovered.get(r).copied().flatten()?.original_row();
            let all = 0..data.len();
            (keyed, unplaced) = share_keys(data, kind, &original_of, std::slice::from_ref(&all));
        }
        CoactionKind::CoHashtag | CoactionKind::CoUrl | CoactionKind::CoMention => {
            let all = 0..data.len();
            let want = row_item(kind).expect("a kind of a row's items");
            keyed = item_keys(data, want, std::slice::from_ref(&all));
        }
        CoactionKind::CoTweet => {
            let all = 0..data.len();
            keyed = co_tweet_keys(data, filter.min_text_chars, std::slice::from_ref(&all));
        }
        CoactionKind::CoSimilar => {
            unreachable!("near-duplicate actions come from similarity::near_duplicate_actions")
        }
    }
    let mut a = from_keyed(data, kind, keyed);
    a.unplaced = unplaced;
    a
}

/// Actions before they are grouped: `(item key, dataset row)`.
pub type Keyed = Vec<(u64, u32)>;

/// The item a row names that a co-action kind's actions are on: hashtags, URLs and mentioned
/// accounts; `None` for the kinds whose items are tweets or texts.
pub fn row_item(kind: CoactionKind) -> Option<ItemKind> {
    match kind {
        CoactionKind::CoHashtag => Some(ItemKind::Hashtag),
        CoactionKind::CoUrl => Some(ItemKind::Url),
        CoactionKind::CoMention => Some(ItemKind::Mention),
        _ => None,
    }
}

/// `kind`'s actions of `rows`, with their items named alike on every process that holds rows
/// ([`super::held::HeldApart::take_items`]), and how many of them name no item (see
/// [`Actions::unplaced`]): a row's hashtags, URLs or mentions ([`item_keys`]), its text's
/// normal form ([`co_tweet_keys`], texts of at least `min_chars` characters), or the post it
/// shares ([`share_keys`], with `original_of`, the dataset row of the original a retweet
/// that lost its target was found to share); `None` for co-similar, whose forms are grouped
/// first ([`super::similarity`]).
pub fn keys_of_rows(
    data: &Dataset,
    kind: CoactionKind,
    min_chars: usize,
    original_of: &OriginalOf<'_>,
    rows: &[Range<usize>],
) -> Option<(Keyed, usize)> {
    match (kind, row_item(kind)) {
        (_, Some(want)) => Some((item_keys(data, want, rows), 0)),
        (CoactionKind::CoTweet, None) => Some((co_tweet_keys(data, min_chars, rows), 0)),
        (CoactionKind::CoRetweet | CoactionKind::CoReply, None) => {
            Some(share_keys(data, kind, original_of, rows))
        }
        _ => None,
    }
}

/// The dataset row of the original that a retweet row (by its row in the data at hand) was
/// found to share by its text, if any ([`super::retweet::Source::original_row`]).
pub type OriginalOf<'a> = dyn Fn(usize) -> Option<u32> + Sync + 'a;

/// The co-retweet or co-reply actions of `rows` (`kind` says which), and how many shares name
/// no item. A share's item is the post it names: its tweet id; where a retweet lost it (the
/// IRA layout), the original its text was found to share, by the original's dataset row
/// (`original_of`), or else its own text (identical retweet texts retweet the same post,
/// wherever it is). String tweet ids and texts are named by their hashes, as every holder
/// names them: a holder's own numbers for them are its own.
pub fn share_keys(
    data: &Dataset,
    kind: CoactionKind,
    original_of: &OriginalOf<'_>,
    rows: &[Range<usize>],
) -> (Keyed, usize) {
    let want = match kind {
        CoactionKind::CoRetweet => TweetKind::Retweet,
        _ => TweetKind::Reply,
    };
    // A share whose content is its own object is not a share (CooRTweet drops these as
    // loops).
    let is_share = |r: usize| {
        data.kind(r) == want
            && (data.tweet_id[r] == NO_TWEET || data.target_tweet[r] != data.tweet_id[r])
    };
    let lost_for_good = AtomicUsize::new(0);
    let mut keyed: Keyed = (rows.par_iter())
        .flat_map(|rows| rows.clone().into_par_iter())
        .filter(|&r| is_share(r))
        .filter_map(|r| match data.target_tweet[r] {
            NO_TWEET if want == TweetKind::Reply => {
                lost_for_good.fetch_add(1, Ordering::Relaxed);
                None
            }
            NO_TWEET => match (original_of(r), data.text[r]) {
                (Some(o), _) => Some((RECOVERED_ITEM | o as u64, r as u32)),
                (None, NO_TEXT) => {
                    lost_for_good.fetch_add(1, Ordering::Relaxed);
                    None
                }
                (None, t) => Some((TEXT_ITEM | t as u64, r as u32)),
            },
            t => Some((tweet_key(data, t), r as u32)),
        })
        .collect();
    texts_by_hash(data, &mut keyed, |k| &mut k.0);
    (keyed, lost_for_good.into_inner())
}

/// A tweet id (not `NO_TWEET`) as every process names it: a number as itself, a string id by
/// its hash (a process's own numbers for string ids are its own).
pub fn tweet_key(data: &Dataset, t: u64) -> u64 {
    match t & STRING_ID_BIT {
        0 => t,
        _ => {
            let id = data.tweet_keys.get((t & !STRING_ID_BIT) as u32);
            STRING_ID_BIT | hash_bytes(id.as_bytes()) & !MARK_BITS
        }
    }
}

/// Items of `entries` named `TEXT_ITEM | text id` (`item` says where an entry's item is)
/// renamed `TEXT_ITEM` and their text's hash, as every process names them: text ids are a
/// process's own. Only the texts named are hashed.
pub fn texts_by_hash<T: Send>(
    data: &Dataset,
    entries: &mut [T],
    item: impl Fn(&mut T) -> &mut u64 + Sync,
) {
    let mut wanted = vec![false; data.texts.len()];
    let mut any = false;
    for e in entries.iter_mut() {
        let key = *item(e);
        if key & MARK_BITS == TEXT_ITEM {
            wanted[(key & !TEXT_ITEM) as usize] = true;
            any = true;
        }
    }
    if !any {
        return;
    }
    let hashes = data.texts.par_map_init(
        || (),
        |_, t, text| match wanted[t as usize] {
            true => TEXT_ITEM | hash_bytes(text.as_bytes()) & !MARK_BITS,
            false => 0,
        },
    );
    entries.par_iter_mut().for_each(|e| {
        let key = item(e);
        if *key & MARK_BITS == TEXT_ITEM {
            *key = hashes[(*key & !TEXT_ITEM) as usize];
        }
    });
}

/// The actions on `want` items ([`row_item`]) of `rows`: `(item id, row)` for each such item a
/// row that is not a retweet names, once a row.
pub fn item_keys(data: &Dataset, want: ItemKind, rows: &[Range<usize>]) -> Keyed {
    let mut keyed = Vec::new();
    let mut seen: Vec<u32> = Vec::new();
    let rows = rows.iter().flat_map(|rows| rows.clone());
    for r in rows.filter(|&r| data.kind(r) != TweetKind::Retweet) {
        seen.clear();
        for item in data.items(r).iter().filter(|i| i.kind() == want) {
            // A tweet naming the same hashtag twice is one action.
            if !seen.contains(&item.id()) {
                seen.push(item.id());
                keyed.push((item.id() as u64, r as u32));
            }
        }
    }
    keyed
}

/// An action on its way to the process that owns its item, from the one that holds its row:
/// `(item key, dataset row, account, time)`.
pub type Travelling = (u64, u32, u32, i64);

/// Group actions that came whole to their item's owner, as [`from_keyed`] groups those of
/// rows held here: by item, and by row within it (time order). Only what pairing reads is
/// filled in.
pub fn from_travelled(kind: CoactionKind, mut actions: Vec<Travelling>) -> Actions {
    actions.par_sort_unstable_by_key(|&(item, row, _, _)| (item, row));
    let mut a = Actions {
        kind: Some(kind),
        ..Default::default()
    };
    a.start.push(0);
    for (i, &(item, row, account, time)) in actions.iter().enumerate() {
        if i > 0 && actions[i - 1].0 != item {
            a.start.push(i as u32);
        }
        if i == 0 || actions[i - 1].0 != item {
            a.item_key.push(item);
        }
        a.row.push(row);
        a.account.push(account);
        a.time_ms.push(time);
    }
    if !actions.is_empty() {
        a.start.push(actions.len() as u32);
    }
    a
}

/// The co-tweet actions of `rows`: `(normal form's hash, row)` for each that is not a retweet
/// and whose text's normal form has at least `min_chars` characters. Only those texts are
/// normalised: a retweet's text (a third of a collection's distinct texts) is never a
/// co-tweet.
pub fn co_tweet_keys(data: &Dataset, min_chars: usize, rows: &[Range<usize>]) -> Keyed {
    let rows = || {
        (rows.iter().flat_map(|rows| rows.clone()))
            .filter(|&r| data.kind(r) != TweetKind::Retweet && data.text[r] != NO_TEXT)
    };
    let mut wanted = vec![false; data.texts.len()];
    for r in rows() {
        wanted[data.text[r] as usize] = true;
    }
    let forms = normal_form_hashes(data, min_chars, &wanted);
    drop(wanted);
    rows()
        .filter_map(|r| match forms[data.text[r] as usize] {
            NO_FORM => None,
            form => Some((form, r as u32)),
        })
        .collect()
}

/// Group `(item, row)` pairs: rows are time-ordered in the dataset, so sorting by (item, row)
/// puts each item's actions in time order.
pub fn from_keyed(data: &Dataset, kind: CoactionKind, mut keyed: Keyed) -> Actions {
    keyed.par_sort_unstable();
    let mut a = Actions {
        kind: Some(kind),
        ..Default::default()
    };
    a.account = keyed
        .par_iter()
        .map(|&(_, r)| data.account[r as usize])
        .collect();
    a.time_ms = keyed
        .par_iter()
        .map(|&(_, r)| data.time_ms[r as usize])
        .collect();
    a.row = keyed.par_iter().map(|&(_, r)| r).collect();
    a.start.push(0);
    for (i, w) in keyed.iter().enumerate() {
        if i > 0 && keyed[i - 1].0 != w.0 {
            a.start.push(i as u32);
        }
        if i == 0 || keyed[i - 1].0 != w.0 {
            a.item_key.push(w.0);
        }
    }
    if !keyed.is_empty() {
        a.start.push(keyed.len() as u32);
    }
    (a.coarsest, a.coarse_actions) = coarseness(data, &keyed);
    a
}

/// How coarse the times of the actions `keyed` are: the coarsest resolution, and how many
/// are minute-resolved or coarser.
pub fn coarseness(data: &Dataset, keyed: &Keyed) -> (TimeResolution, usize) {
    keyed
        .par_iter()
        .map(|&(_, r)| {
            let res = data.resolution(r as usize);
            (res, usize::from(res >= TimeResolution::Minute))
        })
        .reduce(
            || (TimeResolution::default(), 0),
            |x, y| (x.0.max(y.0), x.1 + y.1),
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A generated collection where some retweets name their target by a string id, and some
    /// lost it as in the IRA layout: with the original's text (found by text), or with their
    /// own (shared by text, or by the `RT @name:` prefix with no original).
    fn with_string_and_lost_targets(dir: &std::path::Path) -> Dataset {
        use crate::dataset::NO_ACCOUNT;
        let mut data = crate::synth::generated_dataset(20_000, dir);
        let row_of: std::collections::HashMap<u64, usize> = (0..data.len())
            .filter(|&r| data.kind(r) != TweetKind::Retweet)
            .map(|r| (data.tweet_id[r], r))
            .collect();
        let mut retweets = 0;
        for r in 0..data.len() {
            if data.kind(r) != TweetKind::Retweet {
                continue;
            }
            retweets += 1;
            let target = data.target_tweet[r];
            if retweets % 5 == 0 {
                let key = format!("s{target}");
                data.target_tweet[r] = STRING_ID_BIT | data.tweet_keys.intern(&key) as u64;
            } else if retweets % 7 < 2 {
                if let (0, Some(&o)) = (retweets % 7, row_of.get(&target)) {
                    data.text[r] = data.text[o];
                }
                data.target_tweet[r] = NO_TWEET;
                data.target_account[r] = NO_ACCOUNT;
            }
        }
        data
    }

    /// Where the rows are held apart, each holder takes the actions of its own rows (the
    /// co-tweet forms, and the hashtags, URLs, mentions and shared posts it sends their items'
    /// owners): those of any cut add up to the whole's, each from its own rows, and so do the
    /// shares that name no item.
    #[test]
    fn actions_of_any_cut_are_the_wholes() {
        let dir = tempfile::tempdir().unwrap();
        let data = with_string_and_lost_targets(dir.path());
        let sources = super::super::retweet::sources(&data);
        let original_of = |r: usize| sources[r]?.original_row();
        let n = data.len();
        let all = 0..n;
        let kinds = [
            CoactionKind::CoTweet,
            CoactionKind::CoHashtag,
            CoactionKind::CoUrl,
            CoactionKind::CoMention,
            CoactionKind::CoRetweet,
        ];
        for kind in kinds {
            let keys =
                |rows: &[Range<usize>]| keys_of_rows(&data, kind, 20, &original_of, rows).unwrap();
            let (mut whole, unplaced) = keys(std::slice::from_ref(&all));
            assert!(whole.len() > n / 20, "{kind:?}: {} of {n}", whole.len());
            whole.sort_unstable();
            let collected = collect(&data, kind, &ActionFilter::default());
            assert_eq!(collected.unplaced, unplaced);
            assert_eq!(collected.len(), whole.len());
            for cuts in [
                vec![0, n],
                vec![0, 997, 5_003, n],
                vec![0, 1, 2, n / 2, n - 1, n],
            ] {
                let pieces: Vec<Range<usize>> = cuts.windows(2).map(|w| w[0]..w[1]).collect();
                // A holder of every other piece, and one of the rest.
                let (even, odd): (Vec<_>, Vec<_>) =
                    (pieces.iter().cloned().enumerate()).partition(|(i, _)| i % 2 == 0);
                let (mut got, mut lost) = (Vec::new(), 0);
                for held in [even, odd] {
                    let held: Vec<Range<usize>> = held.into_iter().map(|(_, r)| r).collect();
                    let (taken, unplaced) = keys(&held);
                    assert!(taken
                        .iter()
                        .all(|&(_, r)| held.iter().any(|h| h.contains(&(r as usize)))));
                    got.extend(taken);
                    lost += unplaced;
                }
                got.sort_unstable();
                assert_eq!(got, whole, "{kind:?} cut at {cuts:?}");
                assert_eq!(lost, unplaced, "{kind:?} cut at {cuts:?}");
            }
        }
    }

    /// A shared post is named by what every holder can name it by: a numeric tweet id as
    /// itself, a string id and a lost target's text by their hashes (a holder's own numbers
    /// for them are its own), a post found by text by the original's dataset row.
    #[test]
    fn shared_posts_are_named_alike_everywhere() {
        let dir = tempfile::tempdir().unwrap();
        let data = with_string_and_lost_targets(dir.path());
        let sources = super::super::retweet::sources(&data);
        let original_of = |r: usize| sources[r]?.original_row();
        let all = 0..data.len();
        let kind = CoactionKind::CoRetweet;
        let (keyed, _) = share_keys(&data, kind, &original_of, std::slice::from_ref(&all));
        let mut seen = [0; 4];
        for &(item, r) in &keyed {
            let r = r as usize;
            let target = data.target_tweet[r];
            let hashed = |s: &str| hash_bytes(s.as_bytes()) & !MARK_BITS;
            let (want, which) = match item & MARK_BITS {
                TEXT_ITEM => (TEXT_ITEM | hashed(&data.text(r).unwrap()), 0),
                RECOVERED_ITEM => (RECOVERED_ITEM | original_of(r).unwrap() as u64, 1),
                _ if target & STRING_ID_BIT != 0 => {
                    (STRING_ID_BIT | hashed(&data.tweet_key(target).unwrap()), 2)
                }
                _ => (target, 3),
            };
            assert_eq!(item, want, "row {r}");
            seen[which] += 1;
        }
        assert!(seen.iter().all(|&k| k > 100), "{seen:?}");
        // Each kind of item is labelled as written.
        let a = collect(&data, kind, &ActionFilter::default());
        let label = |mark: u64| {
            let g = (0..a.items())
                .find(|&g| a.item_key[g] & MARK_BITS == mark)
                .unwrap();
            (a.item_label(&data, g), a.row[a.start[g] as usize] as usize)
        };
        let (text, r) = label(TEXT_ITEM);
        assert_eq!(text, format!("'{}'", data.text(r).unwrap()));
        let (id, r) = label(STRING_ID_BIT);
        assert_eq!(Some(id), data.tweet_key(data.target_tweet[r]));
        assert!(data
            .tweet_key(data.target_tweet[r])
            .unwrap()
            .starts_with('s'));
    }

    /// Keeping the shared items drops those one account acted on, and with `keep_times` each
    /// kept action's own time, the one its row gives.
    #[test]
    fn shared_items_keep_their_times_where_asked() {
        let dir = tempfile::tempdir().unwrap();
        let data = crate::synth::generated_dataset(20_000, dir.path());
        let whole = collect(&data, CoactionKind::CoRetweet, &ActionFilter::default());
        let (mut timed, mut bare) = (whole.clone(), whole.clone());
        timed.keep_shared(true);
        bare.keep_shared(false);
        let alone = (0..whole.items())
            .filter(|&g| {
                let on = &whole.account[whole.item(g)];
                on.iter().all(|&a| a == on[0])
            })
            .count();
        assert!(alone > 100 && timed.items() > 100, "{alone}");
        assert_eq!(timed.items(), whole.items() - alone);
        assert_eq!(
            (&timed.item_key, &timed.start),
            (&bare.item_key, &bare.start)
        );
        assert_eq!((&timed.account, &timed.row), (&bare.account, &bare.row));
        assert!(bare.time_ms.is_empty());
        assert_eq!(timed.time_ms.len(), timed.len());
        for i in 0..timed.len() {
            assert_eq!(timed.time_ms[i], bare.time_of(i, &data.time_ms));
        }
    }

    /// The items of any owner, taken from the whole, are the whole's items it owns, each with
    /// all its actions in order: the owners' parts together are the whole.
    #[test]
    fn each_owners_items_of_the_whole_add_up_to_it() {
        let dir = tempfile::tempdir().unwrap();
        let data = crate::synth::generated_dataset(20_000, dir.path());
        let whole = collect(&data, CoactionKind::CoHashtag, &ActionFilter::default());
        assert!(whole.items() > 100);
        for n in [1, 2, 3] {
            let parts: Vec<Actions> = (0..n)
                .map(|p| whole.of_items(|item| crate::graphs::held::owner(item, n) == p))
                .collect();
            assert_eq!(
                parts.iter().map(Actions::items).sum::<usize>(),
                whole.items()
            );
            for part in &parts {
                assert_eq!(part.start.len(), part.items() + 1);
                for g in 0..part.items() {
                    let w = whole
                        .item_key
                        .iter()
                        .position(|&k| k == part.item_key[g])
                        .unwrap();
                    let (mine, theirs) = (part.item(g), whole.item(w));
                    assert_eq!(part.account[mine.clone()], whole.account[theirs.clone()]);
                    assert_eq!(part.time_ms[mine.clone()], whole.time_ms[theirs.clone()]);
                    assert_eq!(part.row[mine], whole.row[theirs]);
                }
            }
        }
    }

    /// Actions that travelled to their items' owner, in any order, group as the actions of
    /// the rows held here do: the same items, and each item's actions in the same order.
    #[test]
    fn travelled_actions_group_as_those_held_here() {
        let dir = tempfile::tempdir().unwrap();
        let data = crate::synth::generated_dataset(20_000, dir.path());
        let kind = CoactionKind::CoHashtag;
        let here = collect(&data, kind, &ActionFilter::default());
        assert!(here.items() > 100 && here.len() > 2 * here.items());
        let mut travelled: Vec<Travelling> = (0..here.len())
            .map(|i| {
                let g = here.start.partition_point(|&s| s as usize <= i) - 1;
                (
                    here.item_key[g],
                    here.row[i],
                    here.account[i],
                    here.time_ms[i],
                )
            })
            .collect();
        travelled.reverse();
        let third = travelled.len() / 3;
        travelled.rotate_left(third);
        let got = from_travelled(kind, travelled);
        assert_eq!(got.item_key, here.item_key);
        assert_eq!(got.start, here.start);
        assert_eq!(got.row, here.row);
        assert_eq!(got.account, here.account);
        assert_eq!(got.time_ms, here.time_ms);
    }
}
