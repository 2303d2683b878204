//! The retweet graph: directed, amplifier -> source account, weighted by retweets, with the
//! delay between each original and its retweet.
//!
//! A retweet's source comes from the record (`retweet_userid`, the API's retweeted object); or
//! from an `RT @name:` prefix in its text; or, where the layout lost both (the IRA data), from
//! its exact text matching an earlier original by another account in the data. Delays use the
//! original's time when it is in the data, else the time in the retweeted tweet's snowflake id.

use super::counting::PairCount;
use super::significance::poisson_upper_tail;
use crate::dataset::TweetKind;
use crate::dataset::{Dataset, NO_ACCOUNT, NO_TEXT, NO_TWEET};
use crate::ingest::text::retweeted_name;
use hashbrown::HashMap;
use rayon::prelude::*;
use std::ops::Range;

/// How a retweet's source was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceFrom {
    /// The record names the source account, or the retweeted tweet, which the data holds.
    Record,
    /// The text starts `RT @name:`, and the name is an account of the data.
    TextPrefix,
    /// An earlier original of the data has the same text (layouts that lose the target, as
    /// the IRA data's).
    TextMatch,
}

impl SourceFrom {
    /// As a table cell says it.
    pub fn said(self) -> &'static str {
        match self {
            SourceFrom::Record => "record",
            SourceFrom::TextPrefix => "RT @name:",
            SourceFrom::TextMatch => "same text",
        }
    }
}

/// A retweet with a known source. Compact (8 bytes, `Option` included, one per dataset row:
/// 0.8 GB at 10^8 tweets): the delay is worked out from the rows when asked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Source {
    /// The source account in the low 30 bits (a dataset numbers fewer accounts), how it was
    /// found in the top two (1, 2, 3: never 0, so `Option<Source>` needs no more room).
    tagged: std::num::NonZeroU32,
    /// The original's row in the dataset, or `NO_ROW`.
    original: u32,
}

const NO_ROW: u32 = u32::MAX;
const ACCOUNT_BITS: u32 = 30;

/// A row's source on disk (see `memory::Aside`): the tag word, 0 for none, then the row.
impl crate::memory::Word for Option<Source> {
    const BYTES: usize = 8;
    fn put(self, out: &mut Vec<u8>) {
        let (tagged, original) = self.map_or((0, NO_ROW), Source::words);
        out.extend_from_slice(&tagged.to_le_bytes());
        out.extend_from_slice(&original.to_le_bytes());
    }
    fn get(bytes: &[u8]) -> Option<Source> {
        let word = |i: usize| u32::from_le_bytes(bytes[i..i + 4].try_into().expect("4 bytes"));
        Source::from_words(word(0), word(4))
    }
}

impl Source {
    pub(crate) fn new(account: u32, original_row: Option<u32>, from: SourceFrom) -> Source {
        assert!(
            account < 1 << ACCOUNT_BITS,
            "datasets number fewer accounts"
        );
        let tag = match from {
            SourceFrom::Record => 1,
            SourceFrom::TextPrefix => 2,
            SourceFrom::TextMatch => 3,
        };
        Source {
            tagged: std::num::NonZeroU32::new(tag << ACCOUNT_BITS | account).expect("tag > 0"),
            original: original_row.unwrap_or(NO_ROW),
        }
    }

    /// The source in two words, for the disk: the account with how it was found, and the
    /// original's row.
    pub(crate) fn words(self) -> (u32, u32) {
        (self.tagged.get(), self.original)
    }

    /// A source from [`Source::words`], if they are a source's.
    pub(crate) fn from_words(tagged: u32, original: u32) -> Option<Source> {
        (matches!(tagged >> ACCOUNT_BITS, 1..=3)).then(|| Source {
            tagged: std::num::NonZeroU32::new(tagged).expect("tag > 0"),
            original,
        })
    }

    /// The source account.
    pub fn account(&self) -> u32 {
        self.tagged.get() & ((1 << ACCOUNT_BITS) - 1)
    }

    /// How the source was found.
    pub fn from(&self) -> SourceFrom {
        match self.tagged.get() >> ACCOUNT_BITS {
            1 => SourceFrom::Record,
            2 => SourceFrom::TextPrefix,
            _ => SourceFrom::TextMatch,
        }
    }

    /// The original's row in the dataset, if it is there.
    pub fn original_row(&self) -> Option<u32> {
        (self.original != NO_ROW).then_some(self.original)
    }

    /// Milliseconds from the original to the retweet `row` of `data`: from the original's row
    /// where it is there, else from the retweeted id's snowflake time; never negative.
    pub fn delay_ms(&self, data: &Dataset, row: usize) -> Option<i64> {
        let original_ms = self.original_row().map(|o| data.time_ms[o as usize]);
        super::originals::delay_ms(data, row, original_ms)
    }
}

/// A retweet's source where the retweet's row is held apart from the original's (a shard of
/// a run across processes): the source account, and the delay where it is known, worked out
/// where both rows are.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SourceFound {
    /// The source account.
    pub account: u32,
    /// How it was found.
    pub from: SourceFrom,
    /// The delay from the original, where both times are known.
    pub delay_ms: Option<i64>,
    /// The original's row in the dataset, if it is there.
    pub original_row: Option<u32>,
}

/// The retweets' sources of some rows, by row, as the row tallies read them.
pub trait Sources: Sync {
    /// Row `row` of `data`'s source account, and the delay from the original if known.
    fn source(&self, data: &Dataset, row: usize) -> Option<SourceFound>;

    /// Row `row` of `data`'s source account alone (its delay may take a look-up).
    fn source_account(&self, data: &Dataset, row: usize) -> Option<u32> {
        self.source(data, row).map(|s| s.account)
    }

    /// Row `row`'s source where it is another account: a self-retweet is no one reacting to
    /// anyone, and no retweet figure (the delays, the fast-retweet nulls) counts it.
    fn other_source(&self, data: &Dataset, row: usize) -> Option<SourceFound> {
        self.source(data, row)
            .filter(|s| s.account != data.account[row])
    }
}

/// Each row's source as the graphs found them ([`sources`], or with the other processes of a
/// run: [`super::held::HeldApart::sources`]).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RowSources {
    /// Each retweet row's source (`None` for other rows, and for the rows other processes
    /// hold: they keep theirs).
    pub by_row: Vec<Option<Source>>,
}

impl RowSources {
    /// Sources found among the dataset's rows.
    pub fn here(by_row: Vec<Option<Source>>) -> RowSources {
        RowSources { by_row }
    }
}

impl Sources for RowSources {
    #[inline]
    fn source(&self, data: &Dataset, row: usize) -> Option<SourceFound> {
        self.by_row[..].source(data, row)
    }

    #[inline]
    fn source_account(&self, _: &Dataset, row: usize) -> Option<u32> {
        self.by_row[row].map(|s| s.account())
    }
}

/// Found among the dataset's rows, by row (as [`sources`] gives them).
impl Sources for [Option<Source>] {
    #[inline]
    fn source(&self, data: &Dataset, row: usize) -> Option<SourceFound> {
        self[row].map(|s| {
            let original_ms = (s.original_row()).map(|o| data.time_ms[o as usize]);
            SourceFound {
                account: s.account(),
                from: s.from(),
                delay_ms: super::originals::delay_ms(data, row, original_ms),
                original_row: s.original_row(),
            }
        })
    }

    #[inline]
    fn source_account(&self, _: &Dataset, row: usize) -> Option<u32> {
        self[row].map(|s| s.account())
    }
}

/// Found elsewhere, for these rows.
impl Sources for [Option<SourceFound>] {
    #[inline]
    fn source(&self, _: &Dataset, row: usize) -> Option<SourceFound> {
        self[row]
    }
}

/// One amplifier -> source edge (32 bytes: a large collection has millions).
#[derive(Clone, Debug, PartialEq)]
pub struct RetweetEdge {
    /// The account retweeting.
    pub amplifier: u32,
    /// The account retweeted.
    pub source: u32,
    /// How many of its tweets the amplifier retweeted.
    pub retweets: u32,
    /// Retweets whose delay is known, and their median and interquartile range (read through
    /// the methods: meaningful only when some delay is known).
    pub delays_known: u32,
    median_delay_ms: i64,
    delay_iqr_ms: i64,
}

impl RetweetEdge {
    /// The median delay from original to retweet, if any delay is known.
    pub fn median_delay_ms(&self) -> Option<i64> {
        (self.delays_known > 0).then_some(self.median_delay_ms)
    }

    /// The delays' interquartile range, if any delay is known.
    pub fn delay_iqr_ms(&self) -> Option<i64> {
        (self.delays_known > 0).then_some(self.delay_iqr_ms)
    }
}

/// The `p` quantile of sorted delays, the nearest rank at `(n - 1) p` (one convention for every
/// delay median and quartile written: edges, accounts, clusters). `sorted` must not be empty.
pub fn quantile<T: Copy>(sorted: &[T], p: f64) -> T {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// Counts of what recovery found.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RetweetStats {
    /// Retweets in the data.
    pub retweets: usize,
    /// Of those, with the source named by the record.
    pub source_from_record: usize,
    /// Found by the text's `RT @name:`.
    pub source_from_text_prefix: usize,
    /// Found by an earlier original with the same text.
    pub source_from_text_match: usize,
    /// Not found.
    pub source_unknown: usize,
    /// Retweets of one's own tweets (kept out of the graph).
    pub self_retweets: usize,
}

/// The amplifier -> source graph, and how its retweets' sources were found.
#[derive(Debug)]
pub struct RetweetGraph {
    /// One edge per amplifier and source.
    pub edges: Vec<RetweetEdge>,
    /// How the sources were found.
    pub stats: RetweetStats,
}

/// Every retweet row's source, where one can be found (`None` for other rows).
pub fn sources(data: &Dataset) -> Vec<Option<Source>> {
    let by_name = screen_name_index(data);
    // The earliest original (non-retweet) row per text, and the row of each tweet id, built
    // side by side (each a pass over the rows that no other work overlapped). Text ids are
    // dense, so the first is a vector; the map is sized at once (grown by doubling, it was
    // rehashed into fresh pages several times).
    let is_original = |r: usize| data.kind(r) != TweetKind::Retweet;
    let (first_with_text, row_of_tweet) = rayon::join(
        || {
            let mut first = vec![NO_ROW; data.texts.len()];
            for r in (0..data.len()).filter(|&r| is_original(r)) {
                if let Some(f) = first.get_mut(data.text[r] as usize) {
                    if *f == NO_ROW {
                        *f = r as u32;
                    }
                }
            }
            first
        },
        || {
            let originals = (0..data.len())
                .into_par_iter()
                .filter(|&r| is_original(r))
                .count();
            let mut row_of_tweet: HashMap<u64, u32> = HashMap::with_capacity(originals);
            for r in (0..data.len()).filter(|&r| is_original(r)) {
                if data.tweet_id[r] != NO_TWEET {
                    row_of_tweet.entry(data.tweet_id[r]).or_insert(r as u32);
                }
            }
            row_of_tweet
        },
    );
    // The account each text's 'RT @name:' names, in one pass over the texts (which may be on
    // disk), when some retweet does not name its source.
    let unnamed = (0..data.len()).any(|r| {
        data.kind(r) == TweetKind::Retweet
            && data.target_account[r] == NO_ACCOUNT
            && data.text[r] != NO_TEXT
    });
    let named: Vec<u32> = match unnamed {
        false => Vec::new(),
        true => data.texts.par_map(|text| {
            retweeted_name(text)
                .and_then(|name| by_name.get(&name.to_lowercase()).copied())
                .unwrap_or(NO_ACCOUNT)
        }),
    };
    (0..data.len())
        .into_par_iter()
        .map(|r| {
            if data.kind(r) != TweetKind::Retweet {
                return None;
            }
            let t = data.time_ms[r];
            let target = data.target_tweet[r];
            let original_row = (target != NO_TWEET)
                .then(|| row_of_tweet.get(&target).copied())
                .flatten();
            if data.target_account[r] != NO_ACCOUNT {
                let account = data.target_account[r];
                return Some(Source::new(account, original_row, SourceFrom::Record));
            }
            // The record names the retweeted tweet but not its author: the tweet, in the
            // data, does.
            if let Some(o) = original_row {
                let account = data.account[o as usize];
                return Some(Source::new(account, Some(o), SourceFrom::Record));
            }
            if data.text[r] == NO_TEXT {
                return None;
            }
            match named[data.text[r] as usize] {
                NO_ACCOUNT => {}
                a => return Some(Source::new(a, original_row, SourceFrom::TextPrefix)),
            }
            let o = first_with_text[data.text[r] as usize];
            if o == NO_ROW {
                return None;
            }
            // The retweeter's own post makes it a self-retweet, as a record would say.
            let o_row = o as usize;
            if data.time_ms[o_row] > t {
                return None;
            }
            Some(Source::new(
                data.account[o_row],
                Some(o),
                SourceFrom::TextMatch,
            ))
        })
        .collect()
}

pub(crate) fn screen_name_index(data: &Dataset) -> HashMap<String, u32> {
    let a = &data.accounts;
    (0..a.len() as u32)
        .filter_map(|id| a.screen_name(id).map(|n| (n.to_lowercase(), id)))
        .collect()
}

/// Build the retweet graph.
pub fn retweet_graph(data: &Dataset) -> RetweetGraph {
    let found = RowSources::here(sources(data));
    from_part(retweet_part(
        data,
        &found,
        std::slice::from_ref(&(0..data.len())),
    ))
}

/// What some rows' retweets add to the retweet graph: how their sources were found, and each
/// one's amplifier -> source pair with its delay (-1 where unknown). Parts of the rows held
/// apart add up.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RetweetPart {
    /// How the rows' sources were found.
    pub stats: RetweetStats,
    /// Each retweet's pair key (amplifier and source) and delay.
    pub delays: Vec<(u64, i64)>,
}

impl std::ops::Add for RetweetPart {
    type Output = RetweetPart;

    fn add(mut self, other: RetweetPart) -> RetweetPart {
        let (s, o) = (&mut self.stats, other.stats);
        s.retweets += o.retweets;
        s.source_from_record += o.source_from_record;
        s.source_from_text_prefix += o.source_from_text_prefix;
        s.source_from_text_match += o.source_from_text_match;
        s.source_unknown += o.source_unknown;
        s.self_retweets += o.self_retweets;
        self.delays.extend(other.delays);
        self
    }
}

impl RetweetPart {
    /// Whether every pair names accounts below `accounts`.
    pub fn within(&self, accounts: usize) -> bool {
        let fits = |a: u64| a < accounts as u64;
        (self.delays.iter()).all(|&(k, _)| fits(k >> 32) && fits(k & 0xffff_ffff))
    }
}

/// The part of `rows` of `data`, whose retweets' sources `found` gives.
pub fn retweet_part<S: Sources + ?Sized>(
    data: &Dataset,
    found: &S,
    rows: &[Range<usize>],
) -> RetweetPart {
    let mut part = RetweetPart::default();
    let stats = &mut part.stats;
    for r in rows.iter().flat_map(|rows| rows.clone()) {
        if data.kind(r) != TweetKind::Retweet {
            continue;
        }
        stats.retweets += 1;
        let Some(s) = found.source(data, r) else {
            stats.source_unknown += 1;
            continue;
        };
        match s.from {
            SourceFrom::Record => stats.source_from_record += 1,
            SourceFrom::TextPrefix => stats.source_from_text_prefix += 1,
            SourceFrom::TextMatch => stats.source_from_text_match += 1,
        }
        let Some(key) = pair_key(data.account[r], s.account) else {
            stats.self_retweets += 1;
            continue;
        };
        part.delays.push((key, s.delay_ms.unwrap_or(-1)));
    }
    part
}

/// The retweet graph of every row's retweets, `part`.
pub fn from_part(part: RetweetPart) -> RetweetGraph {
    let (stats, mut delays) = (part.stats, part.delays);
    delays.par_sort_unstable();
    let mut edges = Vec::new();
    let mut known: Vec<i64> = Vec::new();
    let mut i = 0;
    while i < delays.len() {
        let key = delays[i].0;
        let mut j = i;
        while j < delays.len() && delays[j].0 == key {
            j += 1;
        }
        // Unknown delays sort first (-1); the known ones follow in order.
        known.clear();
        known.extend(delays[i..j].iter().map(|d| d.1).filter(|&d| d >= 0));
        let q = |p: f64| quantile(&known, p);
        edges.push(RetweetEdge {
            amplifier: (key >> 32) as u32,
            source: key as u32,
            retweets: (j - i) as u32,
            delays_known: known.len() as u32,
            median_delay_ms: if known.is_empty() { 0 } else { q(0.5) },
            delay_iqr_ms: if known.is_empty() {
                0
            } else {
                q(0.75) - q(0.25)
            },
        });
        i = j;
    }
    RetweetGraph { edges, stats }
}

/// A retweet's amplifier -> source pair, `amplifier << 32 | source` (`None` for a retweet
/// of one's own tweet, which the graph leaves out).
pub fn pair_key(amplifier: u32, source: u32) -> Option<u64> {
    (source != amplifier).then_some((amplifier as u64) << 32 | source as u64)
}

/// The amplifier -> source pair of every retweet in `rows` with a known source, own
/// retweets left out: the retweet graph as fusion reads it, before counting (8 bytes a
/// retweet; the delays are not needed there).
pub fn pair_keys(data: &Dataset, found: &[Option<Source>], rows: &[Range<usize>]) -> Vec<u64> {
    (rows.par_iter().flat_map(|rows| rows.clone()))
        .filter_map(|r| pair_key(data.account[r], found[r].as_ref()?.account()))
        .collect()
}

/// Retweets (their keys) per unit when they are counted elsewhere
/// ([`crate::graphs::counting::Unit`]: 512 KB).
pub const KEYS_UNIT: usize = 1 << 16;

/// `keys` counted: `(key, retweets)` by key, sorted (the keys are sorted in place).
pub fn count_keys(keys: &mut [u64]) -> Vec<(u64, u32)> {
    keys.par_sort_unstable();
    let mut out: Vec<(u64, u32)> = Vec::new();
    for &key in keys.iter() {
        match out.last_mut() {
            Some((last, n)) if *last == key => *n += 1,
            _ => out.push((key, 1)),
        }
    }
    out
}

/// The retweets each of `accounts` accounts made and received among `keys` (u32 is enough:
/// each retweet is a row, and rows are numbered in u32).
fn made_and_received(keys: &[u64], accounts: usize) -> (Vec<u32>, Vec<u32>) {
    let mut made = vec![0u32; accounts];
    let mut received = vec![0u32; accounts];
    for &key in keys {
        made[(key >> 32) as usize] += 1;
        received[key as u32 as usize] += 1;
    }
    (made, received)
}

/// A share of the configuration model's totals: the retweets some rows' accounts made and
/// received, by account (those with any), and in all.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct RetweetTotals {
    /// Retweets made, by account.
    pub made: Vec<(u32, u32)>,
    /// Retweets received, by account.
    pub received: Vec<(u32, u32)>,
    /// Retweets in all.
    pub total: u64,
}

impl RetweetTotals {
    /// The totals of `keys` (from [`pair_key`]) among `accounts` accounts (`None` if a key
    /// names an account past them).
    pub fn of(keys: &[u64], accounts: usize) -> Option<RetweetTotals> {
        let known = |a: u64| (a as usize) < accounts;
        if !keys
            .iter()
            .all(|&k| known(k >> 32) && known(k & u64::from(u32::MAX)))
        {
            return None;
        }
        let (made, received) = made_and_received(keys, accounts);
        let some = |counts: Vec<u32>| -> Vec<(u32, u32)> {
            (counts.into_iter().enumerate())
                .filter(|&(_, n)| n > 0)
                .map(|(a, n)| (a as u32, n))
                .collect()
        };
        Some(RetweetTotals {
            made: some(made),
            received: some(received),
            total: keys.len() as u64,
        })
    }

    /// Shares added: their lists end to end.
    pub fn extend(&mut self, other: RetweetTotals) {
        self.made.extend(other.made);
        self.received.extend(other.received);
        self.total += other.total;
    }

    /// Every account is one of `accounts`.
    pub fn within(&self, accounts: usize) -> bool {
        (self.made.iter().chain(&self.received)).all(|&(a, _)| (a as usize) < accounts)
    }
}

/// The retweet edges' test, under the configuration model: with `R` retweets in all, an
/// account that made `out_a` and one that received `in_b` are expected to form
/// `out_a * in_b / R` of them; an edge is significant when its Poisson tail is at most
/// `alpha`.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct RetweetTest {
    made: Vec<u32>,
    received: Vec<u32>,
    total: u64,
    alpha: f64,
}

impl RetweetTest {
    /// The test of the graph whose retweets are `keys` (from [`pair_keys`]).
    pub fn new(keys: &[u64], accounts: usize, alpha: f64) -> RetweetTest {
        let (made, received) = made_and_received(keys, accounts);
        RetweetTest {
            made,
            received,
            total: keys.len() as u64,
            alpha,
        }
    }

    /// The retweets of `totals` (rows held elsewhere) counted in too.
    pub fn add(&mut self, totals: &RetweetTotals) {
        for (counts, of) in [
            (&mut self.made, &totals.made),
            (&mut self.received, &totals.received),
        ] {
            for &(account, n) in of {
                counts[account as usize] += n;
            }
        }
        self.total += totals.total;
    }

    /// The p-value of `n` retweets from the pair `key`.
    pub fn p_value(&self, key: u64, n: u32) -> f64 {
        let (a, b) = ((key >> 32) as usize, key as u32 as usize);
        let expected = self.made[a] as f64 * self.received[b] as f64 / self.total.max(1) as f64;
        poisson_upper_tail(n as u64, expected)
    }

    /// A share of the graph's edges (each pair in one share only), tested: `significant`
    /// holds `(amplifier, source, p-value)`.
    pub fn test(&self, pairs: impl IntoIterator<Item = (u64, u32)>) -> PairCount {
        let mut c = PairCount::default();
        for (key, n) in pairs {
            c.edges_before_filters += 1;
            c.kept += 1;
            c.pairs += n as u64;
            let p = self.p_value(key, n);
            if p <= self.alpha {
                c.significant.push(((key >> 32) as u32, key as u32, p));
            }
        }
        c
    }
}

impl RetweetGraph {
    /// The graph in the CSR store, weighted by retweets.
    pub fn to_graph(&self, accounts: usize) -> crate::error::Result<super::Graph> {
        let e: Vec<(u32, u32, f32)> = self
            .edges
            .iter()
            .map(|e| (e.amplifier, e.source, e.retweets as f32))
            .collect();
        super::Graph::directed(accounts, &e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    /// Clusters' quartiles were `d[n/4]` and `d[3n/4]`: with four delays the third quartile
    /// was the largest, with three the middle half was the whole range.
    #[test]
    fn quartiles_are_the_nearest_rank_and_leave_the_extremes_out_of_the_middle_half() {
        let four = [10, 20, 30, 40];
        assert_eq!((quantile(&four, 0.25), quantile(&four, 0.75)), (20, 30));
        let three = [10, 20, 30];
        assert_eq!((quantile(&three, 0.25), quantile(&three, 0.75)), (20, 30));
        // Medians as every count of delays had them: the upper middle for an even count.
        for n in 1..20usize {
            let d: Vec<usize> = (0..n).collect();
            assert_eq!(quantile(&d, 0.5), d[n / 2]);
        }
    }

    #[test]
    fn retweets_counted_in_shares_are_the_edges_counted_at_once() {
        // Skewed: a few busy sources, many amplifiers, repeated pairs.
        let mut rng = rand_pcg::Pcg64::seed_from_u64(7);
        let accounts = 300u64;
        let keys: Vec<u64> = (0..20_000)
            .map(|_| {
                let amplifier = rng.random_range(0..accounts);
                let source = rng.random_range(0..accounts).min(rng.random_range(0..20));
                amplifier << 32 | source
            })
            .filter(|k| k >> 32 != k & 0xffff_ffff)
            .collect();
        let mut want: HashMap<u64, u32> = HashMap::new();
        for &k in &keys {
            *want.entry(k).or_default() += 1;
        }
        let whole = count_keys(&mut keys.clone());
        assert!(whole.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(whole.len(), want.len());
        assert!(whole.iter().all(|&(k, n)| want[&k] == n));

        let test = RetweetTest::new(&keys, accounts as usize, 0.01);
        let at_once = test.test(whole.iter().copied());
        // Each edge's p-value worked out apart: the retweets each account made and received,
        // and the configuration model's expectation from them.
        let (mut made, mut received) = (HashMap::new(), HashMap::new());
        for (&k, &n) in &want {
            *made.entry(k >> 32).or_insert(0u64) += n as u64;
            *received.entry(k & 0xffff_ffff).or_insert(0u64) += n as u64;
        }
        let mut reference: Vec<(u32, u32, f64)> = (want.iter())
            .map(|(&k, &n)| {
                let expected =
                    (made[&(k >> 32)] * received[&(k & 0xffff_ffff)]) as f64 / keys.len() as f64;
                (
                    (k >> 32) as u32,
                    k as u32,
                    poisson_upper_tail(n as u64, expected),
                )
            })
            .filter(|e| e.2 <= 0.01)
            .collect();
        reference.sort_unstable_by_key(|e| (e.0, e.1));
        let bits = |v: &[(u32, u32, f64)]| -> Vec<(u32, u32, u64)> {
            v.iter().map(|e| (e.0, e.1, e.2.to_bits())).collect()
        };
        assert_eq!(bits(&at_once.significant), bits(&reference));
        assert_eq!(at_once.kept, whole.len() as u64);

        // The test put together from the totals of three holders' retweets (ragged shares,
        // as where the rows are held apart) is the whole's.
        let mut from_shares = RetweetTest::new(&keys[..777], accounts as usize, 0.01);
        for share in [&keys[777..12_345], &keys[12_345..]] {
            let totals = RetweetTotals::of(share, accounts as usize).unwrap();
            assert!(RetweetTotals::of(share, 299).is_none());
            assert!(totals.within(accounts as usize) && !totals.within(299));
            let mut twice = totals.clone();
            twice.extend(totals.clone());
            assert_eq!(twice.total, 2 * share.len() as u64);
            from_shares.add(&totals);
        }
        let shared = from_shares.test(whole.iter().copied());
        assert_eq!(bits(&shared.significant), bits(&reference));

        // Units counted apart (as on the processes of a run) and summed by pair, then tested
        // in two shares by key.
        let mut summed: HashMap<u64, u32> = HashMap::new();
        for chunk in keys.chunks(1000) {
            for (k, n) in crate::graphs::counting::Unit::Retweets(chunk.to_vec()).pairs() {
                *summed.entry(k).or_default() += n;
            }
        }
        let (odd, even): (Vec<_>, Vec<_>) = summed.into_iter().partition(|(k, _)| k % 2 == 1);
        let mut shares = test.test(odd);
        shares.add(test.test(even));
        shares.significant.sort_unstable_by_key(|e| (e.0, e.1));
        assert_eq!(bits(&shares.significant), bits(&reference));
        assert_eq!(shares.pairs, keys.len() as u64);
        assert_eq!(shares.edges_before_filters, whole.len() as u64);
        // Some pairs stand out under the configuration model, most do not.
        let found = at_once.significant.len();
        assert!(
            found > 0 && found < whole.len() / 2,
            "{found} of {}",
            whole.len()
        );
    }

    #[test]
    fn a_source_packs_its_account_and_how_it_was_found_in_8_bytes() {
        assert_eq!(std::mem::size_of::<Option<Source>>(), 8);
        let last = (1 << ACCOUNT_BITS) - 1;
        for from in [
            SourceFrom::Record,
            SourceFrom::TextPrefix,
            SourceFrom::TextMatch,
        ] {
            for (account, row) in [(0, None), (7, Some(0)), (last, Some(u32::MAX - 1))] {
                let s = Source::new(account, row, from);
                assert_eq!(
                    (s.account(), s.from(), s.original_row()),
                    (account, from, row)
                );
            }
        }
    }
}
