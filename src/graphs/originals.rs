//! Each retweet's source found where the rows are held apart (the processes of a run), the
//! same as [`retweet::sources`] finds it in the whole data.
//!
//! A retweet's original is the first original (not a retweet) with its target's tweet id, or,
//! where the layout lost the target (the IRA data), with its exact text. Each key (a tweet id,
//! a text) has an owner among the holders, named by its hash: every holder offers its
//! originals to their keys' owners and asks the owners of its retweets' keys; an owner keeps
//! the first original of each key and answers. The account an `RT @name:` prefix names is
//! asked of holder 0, which holds the accounts' names. Two rounds, and two more for texts
//! only where some retweet names no source account.
//!
//! [`retweet::sources`]: super::retweet::sources

use super::retweet::{Source, SourceFrom};
use crate::dataset::interner::{check_hash, hash_bytes};
use crate::dataset::time::snowflake_ms;
use crate::dataset::{Dataset, TweetKind, NO_ACCOUNT, NO_TEXT, NO_TWEET, STRING_ID_BIT};
use crate::ingest::text::retweeted_name;
use hashbrown::HashMap;
use std::ops::Range;

/// Rows one holder has: `here` of `data`, each standing for dataset row `global[r]` (or `r`
/// itself where `global` is `None`). Account ids are the dataset's; texts and string tweet ids
/// may be the holder's own.
#[derive(Clone, Copy)]
pub struct Held<'a> {
    pub data: &'a Dataset,
    pub here: &'a [Range<usize>],
    pub global: Option<&'a [u32]>,
}

impl Held<'_> {
    fn global(&self, r: usize) -> u32 {
        self.global.map_or(r as u32, |g| g[r])
    }

    fn rows(&self) -> impl Iterator<Item = usize> + '_ {
        self.here.iter().flat_map(|r| r.clone())
    }
}

/// A tweet id or a text as every holder names it: a number below 2^63 as itself, a string
/// by two independent hashes (the top bit set).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct Key(u64, u64);

impl Key {
    fn of_str(s: &str) -> Key {
        Key(
            hash_bytes(s.as_bytes()) | STRING_ID_BIT,
            check_hash(s.as_bytes()),
        )
    }

    fn of_tweet(data: &Dataset, id: u64) -> Key {
        match id & STRING_ID_BIT {
            0 => Key(id, 0),
            _ => Key::of_str(data.tweet_keys.get((id & !STRING_ID_BIT) as u32)),
        }
    }

    /// The holder that owns the key, of `owners`.
    fn owner(self, owners: usize) -> usize {
        ((self.0 ^ self.1).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 32) as usize % owners
    }
}

/// An original as the owner of its key keeps it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Original {
    /// Its dataset row.
    pub row: u32,
    pub account: u32,
    pub time_ms: i64,
}

/// What one holder sends one owner first: its originals with the tweet ids the owner owns,
/// the tweet ids it asks for, the names it asks holder 0 to resolve, and whether some
/// retweet of its names no source account (then texts are matched too).
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Offer {
    ids: Vec<(Key, Original)>,
    ask_ids: Vec<Key>,
    ask_names: Vec<String>,
    unnamed: bool,
}

impl Offer {
    /// Whether some retweet of the holder names no source account (see [`Finder::take`]).
    pub fn unnamed(&self) -> bool {
        self.unnamed
    }
}

/// An owner's answer to one holder's [`Offer`], in the order asked.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Answer {
    ids: Vec<Option<Original>>,
    names: Vec<u32>,
}

/// What one holder sends one owner of texts: its first original of each text, and the
/// texts it asks for.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct TextOffer {
    texts: Vec<(Key, Original)>,
    ask_texts: Vec<Key>,
}

const NONE: u32 = u32::MAX;
/// A text whose `RT @name:` names no one (or that has none).
const NO_NAME: u32 = u32::MAX - 1;

/// One holder's side of the search: what it asked, and what came back.
pub struct Finder<'a> {
    held: Held<'a>,
    owners: usize,
    /// Per row of `held.data`: its retweet's target's place in `ids`, or `NONE`.
    id_of_row: Vec<u32>,
    /// The distinct targets asked for: owner, place in what that owner was asked.
    ids: Vec<(u32, u32)>,
    id_found: Vec<Option<Original>>,
    /// Per text of `held.data`: its `RT @name:` name's place in `names`, or `NONE`.
    name_of_text: Vec<u32>,
    names: usize,
    name_found: Vec<u32>,
    /// Per text: its place among the texts asked for (owner, place), once texts are asked.
    text_asked: HashMap<u32, (u32, u32)>,
    text_found: HashMap<u32, Original>,
}

impl<'a> Finder<'a> {
    /// The first round: the offer to each of `owners` holders (by holder).
    pub fn new(held: Held<'a>, owners: usize) -> (Finder<'a>, Vec<Offer>) {
        let data = held.data;
        let mut offers = vec![Offer::default(); owners];
        let mut id_of_row = vec![NONE; data.len()];
        let mut asked: HashMap<Key, u32> = HashMap::new();
        let mut ids = Vec::new();
        let mut name_of_text = Vec::new();
        let mut names: HashMap<String, u32> = HashMap::new();
        let mut unnamed = false;
        for r in held.rows() {
            let id = data.tweet_id[r];
            if data.kind(r) != TweetKind::Retweet {
                // A tweet id twice is rare: the owner keeps the first.
                if id != NO_TWEET {
                    let key = Key::of_tweet(data, id);
                    offers[key.owner(owners)]
                        .ids
                        .push((key, original(&held, r)));
                }
                continue;
            }
            let target = data.target_tweet[r];
            if target != NO_TWEET {
                let key = Key::of_tweet(data, target);
                id_of_row[r] = *asked.entry(key).or_insert_with(|| {
                    let owner = key.owner(owners);
                    let ask = &mut offers[owner].ask_ids;
                    ids.push((owner as u32, ask.len() as u32));
                    ask.push(key);
                    ids.len() as u32 - 1
                });
            }
            let text = data.text[r];
            if data.target_account[r] == NO_ACCOUNT && text != NO_TEXT {
                unnamed = true;
                if name_of_text.is_empty() {
                    name_of_text = vec![NONE; data.texts.len()];
                }
                if name_of_text[text as usize] == NONE {
                    let named = retweeted_name(&data.texts.get(text)).map(str::to_lowercase);
                    name_of_text[text as usize] = match named {
                        None => NO_NAME,
                        Some(name) => {
                            let n = names.len() as u32;
                            let ask = &mut offers[0].ask_names;
                            *names.entry(name).or_insert_with_key(|name| {
                                ask.push(name.clone());
                                n
                            })
                        }
                    };
                }
            }
        }
        offers.iter_mut().for_each(|o| o.unnamed = unnamed);
        let finder = Finder {
            held,
            owners,
            id_of_row,
            id_found: vec![None; ids.len()],
            ids,
            name_of_text,
            names: names.len(),
            name_found: Vec::new(),
            text_asked: HashMap::new(),
            text_found: HashMap::new(),
        };
        (finder, offers)
    }

    /// The answers to the first round's offers, as `data` (holder 0's, the only one asked
    /// names) resolves names.
    pub fn answer(mut offers: Vec<Offer>, data: Option<&Dataset>) -> Vec<Answer> {
        let firsts = Firsts::new(offers.iter_mut().map(|o| std::mem::take(&mut o.ids)));
        let by_name = match offers.iter().any(|o| !o.ask_names.is_empty()) {
            true => data
                .map(super::retweet::screen_name_index)
                .unwrap_or_default(),
            false => HashMap::new(),
        };
        (offers.iter())
            .map(|o| Answer {
                ids: o.ask_ids.iter().map(|k| firsts.get(k)).collect(),
                names: (o.ask_names.iter())
                    .map(|n| by_name.get(n).copied().unwrap_or(NONE))
                    .collect(),
            })
            .collect()
    }

    /// Take the answers to the first round (by owner). Returns the second round's offers
    /// (texts) if `unnamed` (some holder's retweet names no source account).
    pub fn take(&mut self, answers: Vec<Answer>, unnamed: bool) -> Option<Vec<TextOffer>> {
        self.name_found = vec![NONE; self.names];
        for (&(owner, at), found) in self.ids.iter().zip(&mut self.id_found) {
            let answer = answers.get(owner as usize);
            *found = answer
                .and_then(|a| a.ids.get(at as usize))
                .copied()
                .flatten();
        }
        if let Some(a) = answers.into_iter().next() {
            for (n, found) in a.names.into_iter().enumerate().take(self.names) {
                self.name_found[n] = found;
            }
        }
        unnamed.then(|| self.text_offers())
    }

    fn text_offers(&mut self) -> Vec<TextOffer> {
        let (held, owners) = (self.held, self.owners);
        let data = held.data;
        let mut offers = vec![TextOffer::default(); owners];
        let mut offered = vec![false; data.texts.len()];
        for r in held.rows() {
            let text = data.text[r];
            if text == NO_TEXT {
                continue;
            }
            if data.kind(r) != TweetKind::Retweet {
                if !std::mem::replace(&mut offered[text as usize], true) {
                    let key = Key::of_str(&data.texts.get(text));
                    offers[key.owner(owners)]
                        .texts
                        .push((key, original(&held, r)));
                }
            } else if self.name_wanted(r) && !self.text_asked.contains_key(&text) {
                let key = Key::of_str(&data.texts.get(text));
                let owner = key.owner(owners);
                let ask = &mut offers[owner].ask_texts;
                self.text_asked
                    .insert(text, (owner as u32, ask.len() as u32));
                ask.push(key);
            }
        }
        offers
    }

    /// Whether retweet row `r` names no source account, in the record or its text.
    fn name_wanted(&self, r: usize) -> bool {
        let data = self.held.data;
        data.target_account[r] == NO_ACCOUNT
            && data.text[r] != NO_TEXT
            && self.named(data.text[r]) == NO_ACCOUNT
    }

    fn named(&self, text: u32) -> u32 {
        match self.name_of_text.get(text as usize) {
            Some(&n) if n < NO_NAME => self.name_found[n as usize],
            _ => NO_ACCOUNT,
        }
    }

    /// The answers to the text offers (by holder).
    pub fn answer_texts(mut offers: Vec<TextOffer>) -> Vec<Vec<Option<Original>>> {
        let firsts = Firsts::new(offers.iter_mut().map(|o| std::mem::take(&mut o.texts)));
        (offers.iter())
            .map(|o| o.ask_texts.iter().map(|k| firsts.get(k)).collect())
            .collect()
    }

    /// Take the answers to the text offers (by owner).
    pub fn take_texts(&mut self, answers: Vec<Vec<Option<Original>>>) {
        for (&text, &(owner, at)) in &self.text_asked {
            let found = (answers.get(owner as usize))
                .and_then(|a| a.get(at as usize).copied())
                .flatten();
            if let Some(o) = found {
                self.text_found.insert(text, o);
            }
        }
    }

    /// Each retweet's source among the rows held, with the time of the original it names
    /// (if in the data): `(row of held.data, source)`, rows rising.
    pub fn found(&self) -> Vec<(u32, Source, Option<i64>)> {
        let data = self.held.data;
        let mut out = Vec::new();
        for r in self.held.rows() {
            if data.kind(r) != TweetKind::Retweet {
                continue;
            }
            let by_id = match self.id_of_row[r] {
                NONE => None,
                i => self.id_found[i as usize],
            };
            let original_row = by_id.map(|o| o.row);
            let time = by_id.map(|o| o.time_ms);
            let found = if data.target_account[r] != NO_ACCOUNT {
                let s = Source::new(data.target_account[r], original_row, SourceFrom::Record);
                Some((s, time))
            } else if let Some(o) = by_id {
                // As `retweet::sources`: the retweeted tweet, in the data, names its author.
                let s = Source::new(o.account, Some(o.row), SourceFrom::Record);
                Some((s, time))
            } else if data.text[r] == NO_TEXT {
                None
            } else {
                match self.named(data.text[r]) {
                    NO_ACCOUNT => (self.text_found.get(&data.text[r]))
                        .filter(|o| o.time_ms <= data.time_ms[r])
                        .map(|o| {
                            let s = Source::new(o.account, Some(o.row), SourceFrom::TextMatch);
                            (s, Some(o.time_ms))
                        }),
                    a => Some((Source::new(a, original_row, SourceFrom::TextPrefix), time)),
                }
            };
            if let Some((s, time)) = found {
                out.push((r as u32, s, time));
            }
        }
        out
    }
}

/// Milliseconds from the original to retweet row `r` of `data`: from the original's time if
/// it is in the data, else from the retweeted id's snowflake time; never negative.
pub fn delay_ms(data: &Dataset, r: usize, original_ms: Option<i64>) -> Option<i64> {
    let origin = original_ms.or_else(|| match data.target_tweet[r] {
        NO_TWEET => None,
        target => snowflake_ms(target),
    });
    origin.map(|o| data.time_ms[r] - o).filter(|&d| d >= 0)
}

fn original(held: &Held, r: usize) -> Original {
    Original {
        row: held.global(r),
        account: held.data.account[r],
        time_ms: held.data.time_ms[r],
    }
}

/// The first original (lowest row) of each key, of every holder's offers.
struct Firsts(HashMap<Key, Original>);

impl Firsts {
    fn new(offers: impl Iterator<Item = Vec<(Key, Original)>>) -> Firsts {
        let offers: Vec<Vec<(Key, Original)>> = offers.collect();
        // Sized at once: grown by doubling, the table is rehashed into fresh pages.
        let mut firsts = HashMap::with_capacity(offers.iter().map(Vec::len).sum());
        for (key, o) in offers.into_iter().flatten() {
            firsts
                .entry(key)
                .and_modify(|f: &mut Original| {
                    if o.row < f.row {
                        *f = o
                    }
                })
                .or_insert(o);
        }
        Firsts(firsts)
    }

    fn get(&self, key: &Key) -> Option<Original> {
        self.0.get(key).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graphs::retweet;

    /// Every holder's search run in turn here, as the processes of a run would run it: each
    /// holder's sources (`found`).
    fn find_all(holders: &[Held], names: &Dataset) -> Vec<Vec<(u32, Source, Option<i64>)>> {
        let n = holders.len();
        let (mut finders, offers): (Vec<_>, Vec<_>) =
            holders.iter().map(|&h| Finder::new(h, n)).unzip();
        let unnamed = offers
            .iter()
            .any(|o: &Vec<Offer>| o.iter().any(|o| o.unnamed));
        // answers[owner][holder]
        let answers: Vec<Vec<Answer>> = (0..n)
            .map(|owner| {
                let to_owner: Vec<Offer> = offers.iter().map(|o| o[owner].clone()).collect();
                Finder::answer(to_owner, (owner == 0).then_some(names))
            })
            .collect();
        let texts: Vec<Option<Vec<TextOffer>>> = (finders.iter_mut().enumerate())
            .map(|(h, f)| f.take(answers.iter().map(|a| a[h].clone()).collect(), unnamed))
            .collect();
        if unnamed {
            let texts: Vec<Vec<TextOffer>> =
                texts.into_iter().map(Option::unwrap_or_default).collect();
            let answers: Vec<Vec<Vec<Option<Original>>>> = (0..n)
                .map(|owner| {
                    let to_owner: Vec<TextOffer> = texts.iter().map(|o| o[owner].clone()).collect();
                    Finder::answer_texts(to_owner)
                })
                .collect();
            for (h, f) in finders.iter_mut().enumerate() {
                f.take_texts(answers.iter().map(|a| a[h].clone()).collect());
            }
        }
        finders.iter().map(Finder::found).collect()
    }

    /// Sources found by holders of any cut of the rows are those of the whole data, with
    /// every way of finding one at work: some retweets lose their source account (found from
    /// their target in the data, or else the `RT @name:` prefix or the text) and some their
    /// target too (found by text alone).
    #[test]
    fn holders_of_any_cut_find_the_sources_of_the_whole() {
        let dir = tempfile::tempdir().unwrap();
        let mut data = crate::synth::generated_dataset(60_000, dir.path());
        let row_of: HashMap<u64, usize> = (0..data.len())
            .filter(|&r| data.kind(r) != TweetKind::Retweet)
            .map(|r| (data.tweet_id[r], r))
            .collect();
        let mut retweets = 0;
        for r in 0..data.len() {
            if data.kind(r) == TweetKind::Retweet {
                retweets += 1;
                if retweets % 3 == 0 {
                    data.target_account[r] = NO_ACCOUNT;
                }
                // The retweeted tweet not in the data either (its author found by name).
                if retweets % 15 == 0 {
                    data.target_tweet[r] = 1 + r as u64;
                }
                // As in the IRA layout: no target, and the original's text without a prefix.
                if retweets % 6 == 0 {
                    if let Some(&o) = row_of.get(&data.target_tweet[r]) {
                        data.text[r] = data.text[o];
                        // A later original with the same text: the first is the one.
                        if let Some(o2) = (o + 1..r).find(|&o2| data.kind(o2) != TweetKind::Retweet)
                        {
                            data.text[o2] = data.text[o];
                        }
                    }
                    data.target_tweet[r] = NO_TWEET;
                }
            }
        }
        let whole = retweet::sources(&data);
        let from = |f: SourceFrom| whole.iter().flatten().filter(|s| s.from() == f).count();
        assert!(
            from(SourceFrom::Record) > 1000,
            "{}",
            from(SourceFrom::Record)
        );
        // Retweets naming no account, found by their target in the data.
        let by_id = (0..data.len())
            .filter(|&r| data.kind(r) == TweetKind::Retweet && data.target_account[r] == NO_ACCOUNT)
            .filter(|&r| whole[r].is_some_and(|s| s.from() == SourceFrom::Record))
            .count();
        assert!(by_id > 1000, "{by_id}");
        assert!(from(SourceFrom::TextPrefix) > 100);
        assert!(from(SourceFrom::TextMatch) > 100);
        let n = data.len();
        let expected: Vec<(usize, Source, Option<i64>)> = (0..n)
            .filter_map(|r| whole[r].map(|s| (r, s, s.delay_ms(&data, r))))
            .collect();
        for holders in [1, 2, 3, 5] {
            let cuts: Vec<Vec<Range<usize>>> = (0..holders)
                .map(|h| {
                    (0..n)
                        .step_by(997)
                        .skip(h)
                        .step_by(holders)
                        .map(|lo| lo..(lo + 997).min(n))
                        .collect()
                })
                .collect();
            let held: Vec<Held> = (cuts.iter())
                .map(|here| Held {
                    data: &data,
                    here,
                    global: None,
                })
                .collect();
            let mut found: Vec<(usize, Source, Option<i64>)> = find_all(&held, &data)
                .into_iter()
                .flatten()
                .map(|(r, s, t)| (r as usize, s, delay_ms(&data, r as usize, t)))
                .collect();
            found.sort_by_key(|f| f.0);
            assert_eq!(found.len(), expected.len(), "{holders} holders");
            assert!(found == expected, "{holders} holders");
        }
    }
}
