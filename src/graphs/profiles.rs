//! Account profiles over the whole period, and the graph of how alike they are.
//!
//! In a takedown archive every account is a suspect: the question is not who acts together
//! beyond chance, but which operation each account belongs to. Accounts of one operation push
//! the same things (the same posts to retweet, the same texts, hashtags and mentions) over
//! weeks, not only within minutes, so an account's profile is what it acted on over the whole
//! period, as one TF-IDF vector per [`Family`] (sublinear counts, `idf = ln(N / df)` over the
//! N posting accounts, items of a single account left out since they tell nothing about
//! anyone else). Two accounts' similarity is the mean over families of their cosines; a
//! family an account never used adds 0.
//!
//! The pairs are found through an inverted index (item -> accounts), so the work is the sum
//! over items of their accounts squared, never all pairs of accounts. Through an item used by
//! more than [`ProfileOptions::max_item_accounts`] accounts, too common to pair on in full,
//! each account meets only the accounts nearest it in a pseudo-random order of the item's
//! accounts, as many as it keeps neighbours: the work grows with the item's accounts, not
//! their square. Such items count in full wherever no pair is made.

use super::actions::{texts_by_hash, tweet_key, OriginalOf, RECOVERED_ITEM, TEXT_ITEM};
use super::retweet::Source;
use super::text_norm::{normal_form_hashes, words, NO_FORM};
use crate::dataset::interner::hash_bytes;
use crate::dataset::NO_CLUSTER;
use crate::dataset::{Dataset, ItemKind, TweetKind, NO_TEXT, NO_TWEET};
use crate::error::Result;
use crate::memory;
use rayon::prelude::*;
use std::convert::Infallible;
use std::ops::Range;

/// What, besides more memory, lets the similarity graph fit: fewer neighbours kept per account.
pub const WHAT_HELPS: &str =
    "keep fewer of each account's most alike (a lower --archive-neighbours, above 0: 0 keeps every pair)";

/// What an account acted on, one kind of item per family.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Family {
    /// Posts retweeted (by tweet id, by the original its text matches, or by the text itself
    /// when the source is unknown), and the account's own posts, so that a source shares an
    /// item with everyone who retweets it.
    Retweeted,
    /// Own texts, normalised as for co-tweet.
    Texts,
    /// Hashtags of every post, retweets included: an amplifier's topic is what it retweets.
    Hashtags,
    /// Mentioned accounts of every post, retweets included.
    Mentions,
    /// Words of own posts (three letters or more): what accounts that share no item still
    /// have in common.
    Words,
}

impl Family {
    pub fn name(self) -> &'static str {
        match self {
            Family::Retweeted => "retweeted",
            Family::Texts => "texts",
            Family::Hashtags => "hashtags",
            Family::Mentions => "mentions",
            Family::Words => "words",
        }
    }
}

/// Settings of [`Profiles::similarity`].
#[derive(Clone, Debug, serde::Serialize)]
pub struct ProfileOptions {
    pub families: Vec<Family>,
    /// Texts shorter than this after normalisation are not items (as for co-tweet).
    pub min_text_chars: usize,
    /// Items used by more accounts than this are too common to pair on in full: each account
    /// meets `neighbours` of their accounts only (counted in the result).
    pub max_item_accounts: usize,
    /// Each account keeps its this many most similar accounts, and a pair stays if either end
    /// keeps it (0: every pair that shares an item). The operations found on that graph are
    /// merged again on the graph of every pair, aggregated exactly from the profiles (see
    /// `pipeline::operations`), so the result hardly depends on it; it bounds the pairs. It is
    /// also how many accounts each meets through an item too common to pair on in full.
    pub neighbours: usize,
}

impl Default for ProfileOptions {
    fn default() -> ProfileOptions {
        ProfileOptions {
            families: vec![
                Family::Retweeted,
                Family::Texts,
                Family::Hashtags,
                Family::Mentions,
            ],
            min_text_chars: 20,
            // Pairing an item in full costs the square of its accounts; each account meeting
            // `neighbours` (100) of them costs its accounts times 100: at 5,000 the square is
            // 50 times the windows. A generated archive of 3.8M tweets then finds its pairs in
            // 6 s instead of 20 s (52 items met in windows, not 8), at cluster ARI 0.961
            // against 0.963; one of 371k tweets, where one item passes 5,000, at 0.969 against
            // 0.972 (docs/performance.md).
            max_item_accounts: 5_000,
            // Every pair grows with the square of the accounts an item reaches (24 GB for a
            // generated archive of 3.8M tweets and 105k accounts). With 100: the same IRA
            // figures as every pair, a better split of the generated 371k-tweet archive
            // (cluster ARI 0.972 against 0.963) in a seventh of the memory, and the 3.8M-tweet
            // one in 1.4 GB (docs/performance.md).
            neighbours: 100,
        }
    }
}

/// Profiles of every dataset account: one sparse vector, the families' blocks each of length
/// 1 (or empty), items numbered across families.
pub struct Profiles {
    /// Account `a`'s entries are `offsets[a]..offsets[a + 1]` of `items` and `weights`.
    offsets: Vec<usize>,
    items: Vec<u32>,
    weights: Vec<f32>,
    /// Each item's accounts and their weights (the inverted index).
    item_offsets: Vec<usize>,
    postings: Vec<(u32, f32)>,
    families: usize,
    /// Accounts each account meets through an item too common to pair on (0: none).
    window: usize,
    /// Whether each item is too common to pair on.
    common: Vec<bool>,
    /// Items too common to pair on.
    pub common_items: usize,
}

impl Profiles {
    /// Entries (an account's weight on an item) in all, the accounts that have any, and the
    /// items.
    pub fn size(&self) -> (usize, usize, usize) {
        let accounts = self.offsets.windows(2).filter(|w| w[1] > w[0]).count();
        (
            self.items.len(),
            accounts,
            self.item_offsets.len().saturating_sub(1),
        )
    }
}

/// The similarity graph: undirected edges `a < b` weighted by the mean cosine.
pub struct Similarity {
    pub edges: Vec<(u32, u32, f32)>,
    pub common_items: usize,
}

impl Profiles {
    /// The profiles of every account of `data` over `opts.families`, its retweets' sources
    /// as [`sources`] finds them (the retweeted family reads them): [`Profiles::from_pairs`]
    /// of every row's [`family_pairs`].
    ///
    /// [`sources`]: super::retweet::sources
    pub fn build(data: &Dataset, sources: &[Option<Source>], opts: &ProfileOptions) -> Profiles {
        let original_of = |r: usize| sources[r].and_then(|s| s.original_row());
        let all = 0..data.len();
        let all = std::slice::from_ref(&all);
        let take = |_| Ok::<_, Infallible>(());
        let Ok(pairs) = family_pairs(data, &original_of, opts, all, None, &take);
        let mut tweets = vec![0u32; data.accounts.len()];
        data.account.iter().for_each(|&a| tweets[a as usize] += 1);
        Profiles::from_pairs(pairs, &tweets, opts)
    }

    /// The profiles of the accounts that made `tweets[a]` tweets each, from every row's
    /// actions of each family of `opts` (as [`family_pairs`] names them, any rows' in any
    /// order).
    pub fn from_pairs(pairs: FamilyPairs, tweets: &[u32], opts: &ProfileOptions) -> Profiles {
        let n = tweets.len();
        let posting = tweets.iter().filter(|&&t| t > 0).count().max(1);
        // (account, global item, weight) for every family, each family's block normalised.
        let mut entries: Vec<(u32, u32, f32)> = Vec::new();
        let mut next_item = 0u32;
        let mut common: Vec<bool> = Vec::new();
        for family in pairs {
            let (block, too_common) = weigh(family, posting, opts.max_item_accounts);
            entries.extend(block.into_iter().map(|(a, i, w)| (a, next_item + i, w)));
            next_item += too_common.len() as u32;
            common.extend(too_common);
        }
        let common_items = common.iter().filter(|&&c| c).count();
        entries.par_sort_unstable_by_key(|e| (e.0, e.1));
        let mut offsets = vec![0usize; n + 1];
        for e in &entries {
            offsets[e.0 as usize + 1] += 1;
        }
        for a in 0..n {
            offsets[a + 1] += offsets[a];
        }
        let mut item_offsets = vec![0usize; next_item as usize + 1];
        for e in &entries {
            item_offsets[e.1 as usize + 1] += 1;
        }
        for i in 0..next_item as usize {
            item_offsets[i + 1] += item_offsets[i];
        }
        let mut fill = item_offsets.clone();
        let mut postings = vec![(0u32, 0f32); entries.len()];
        for &(a, i, w) in &entries {
            postings[fill[i as usize]] = (a, w);
            fill[i as usize] += 1;
        }
        // A too common item's accounts in a pseudo-random order, in which each meets only
        // those nearest to it (see `Profiles::neighbours`).
        for i in (0..next_item as usize).filter(|&i| common[i]) {
            postings[item_offsets[i]..item_offsets[i + 1]].sort_unstable_by_key(|p| shuffled(p.0));
        }
        Profiles {
            offsets,
            items: entries.iter().map(|e| e.1).collect(),
            weights: entries.iter().map(|e| e.2).collect(),
            item_offsets,
            postings,
            families: opts.families.len().max(1),
            window: opts.neighbours,
            common,
            common_items,
        }
    }

    /// Where `a` meets others among `users`, a too common item's accounts in their
    /// pseudo-random order: the positions (modulo their number) of the `window` accounts
    /// around it (rounded up to an even number), half on each side, wrapping at the ends, so
    /// that `a` meets `b` when `b` meets `a`; every position when there are no more; none when
    /// `window` is 0.
    fn met(&self, a: u32, users: &[(u32, f32)]) -> std::ops::Range<usize> {
        let n = users.len();
        let half = self.window.div_ceil(2);
        if self.window == 0 {
            return 0..0;
        }
        if half >= n / 2 {
            return 0..n;
        }
        let at = users
            .binary_search_by_key(&shuffled(a), |p| shuffled(p.0))
            .unwrap_or_default();
        at + n - half..at + n + half + 1
    }

    /// Whether account `a` used an item too common to pair on: its place in a graph of pairs
    /// misses what it shares through that item.
    pub fn uses_common_items(&self, a: u32) -> bool {
        let range = self.offsets[a as usize]..self.offsets[a as usize + 1];
        range
            .into_iter()
            .any(|k| self.common[self.items[k] as usize])
    }

    /// Account `a`'s mean cosine with every account it shares an item with, into `out` as
    /// (account, similarity), using `acc` (all zeros, one slot per account) as scratch.
    /// Through an item too common to pair on, `a` meets only the `window` accounts nearest to
    /// it in the item's pseudo-random order (the same pairs from either end), so the pairs
    /// grow with its accounts, not their square; what a pair found so shares through other
    /// such items is left out of its similarity unless they meet there too.
    pub fn neighbours(
        &self,
        a: u32,
        acc: &mut [f32],
        touched: &mut Vec<u32>,
        out: &mut Vec<(u32, f32)>,
    ) {
        out.clear();
        let (lo, hi) = (self.offsets[a as usize], self.offsets[a as usize + 1]);
        for k in lo..hi {
            let (item, w) = (self.items[k] as usize, self.weights[k]);
            let users = &self.postings[self.item_offsets[item]..self.item_offsets[item + 1]];
            // The accounts met, as one or two slices (a window that wraps), without a
            // division per account met: this is the loop an archive's operations spend most of
            // their time in.
            let parts = match self.common[item] {
                false => [users, &[]],
                true => wrapped(users, self.met(a, users)),
            };
            for &(b, wb) in parts.into_iter().flatten() {
                if b != a {
                    if acc[b as usize] == 0.0 {
                        touched.push(b);
                    }
                    acc[b as usize] += w * wb;
                }
            }
        }
        let f = self.families as f32;
        for b in touched.drain(..) {
            out.push((b, acc[b as usize] / f));
            acc[b as usize] = 0.0;
        }
    }

    /// Every pair of accounts that share an item, with their mean cosine, or with `k` > 0 the
    /// pairs among either end's `k` most similar. The pairs grow with the square of the
    /// accounts an item reaches, so `stage` stops, saying so, when the process passes `limit`
    /// while they are found or would pass it when they are joined.
    pub fn similarity(&self, k: usize, stage: &str, limit: Option<u64>) -> Result<Similarity> {
        let n = self.offsets.len() - 1;
        const RUN: usize = 256;
        // Each account's neighbours, the k most similar (ties to the lower id) by id, when k
        // is set; every pair a < b otherwise.
        let runs: Vec<Vec<(u32, u32, f32)>> = (0..n.div_ceil(RUN))
            .into_par_iter()
            .map_init(
                || (vec![0f32; n], Vec::new(), Vec::new()),
                |(acc, touched, out), run| {
                    memory::check_now(stage, limit, WHAT_HELPS)?;
                    let mut edges = Vec::new();
                    for a in (run * RUN) as u32..((run + 1) * RUN).min(n) as u32 {
                        self.neighbours(a, acc, touched, out);
                        out.retain(|&(b, s)| s > 0.0 && (k > 0 || b > a));
                        if k > 0 && out.len() > k {
                            out.select_nth_unstable_by(k - 1, |x, y| {
                                y.1.total_cmp(&x.1).then(x.0.cmp(&y.0))
                            });
                            out.truncate(k);
                        }
                        edges.extend(out.iter().map(|&(b, s)| (a, b, s)));
                    }
                    edges.sort_unstable_by_key(|e| (e.0, e.1));
                    Ok(edges)
                },
            )
            .collect::<Result<_>>()?;
        // Joined, then doubled and sorted into a graph: three copies at most.
        let edges: usize = runs.iter().map(Vec::len).sum();
        memory::check_before(stage, 3 * 12 * edges as u64, limit, WHAT_HELPS)?;
        let mut edges = runs.concat();
        if k > 0 {
            edges = union_of_neighbours(edges);
        }
        Ok(Similarity {
            edges,
            common_items: self.common_items,
        })
    }
}

/// The positions `range` of `users` (modulo their number, at most one turn) as the slices
/// they are, in the same order.
fn wrapped<T>(users: &[T], range: std::ops::Range<usize>) -> [&[T]; 2] {
    if range.is_empty() {
        return [&[], &[]];
    }
    let (start, len) = (range.start % users.len(), range.len().min(users.len()));
    match start + len <= users.len() {
        true => [&users[start..start + len], &[]],
        false => [&users[start..], &users[..start + len - users.len()]],
    }
}

impl Profiles {
    /// The similarity graph of `accounts` aggregated onto `group` (local account `i` is in
    /// group `group[i]`, below `groups`): the summed similarity of every two groups, and
    /// inside each group as a self-loop, with no pair of accounts made. A pair's similarity is
    /// a dot product of profiles over the families, so summing over the pairs between two
    /// groups is the dot product of their summed profiles; inside one, half of the summed
    /// profile's square less each account's own. What aggregating the graph of every pair
    /// gives (up to rounding), and so the same modularity for any merge of the groups.
    /// Like [`Profiles::similarity`], `stage` stops at `limit`: the group pairs can be many
    /// when Leiden cut the kept pairs into many pieces.
    pub fn between_groups(
        &self,
        accounts: &[u32],
        group: &[u32],
        groups: usize,
        stage: &str,
        limit: Option<u64>,
    ) -> Result<Vec<(u32, u32, f32)>> {
        let mut own = vec![0f64; groups];
        let mut entries: Vec<(u32, u32, f64)> = Vec::new();
        for (&a, &g) in accounts.iter().zip(group) {
            for k in self.offsets[a as usize]..self.offsets[a as usize + 1] {
                let w = self.weights[k] as f64;
                entries.push((self.items[k], g, w));
                own[g as usize] += w * w;
            }
        }
        entries.par_sort_unstable_by_key(|e| (e.0, e.1));
        let mut dot: hashbrown::HashMap<(u32, u32), f64> = hashbrown::HashMap::new();
        let mut sums: Vec<(u32, f64)> = Vec::new();
        for (i, item) in entries.chunk_by(|x, y| x.0 == y.0).enumerate() {
            if i % 4096 == 0 {
                memory::check_now(stage, limit, memory::SMALLER_INPUT)?;
            }
            sums.clear();
            for same in item.chunk_by(|x, y| x.1 == y.1) {
                sums.push((same[0].1, same.iter().map(|e| e.2).sum()));
            }
            for (i, &(g, s)) in sums.iter().enumerate() {
                for &(h, t) in &sums[i..] {
                    *dot.entry((g, h)).or_default() += s * t;
                }
            }
        }
        let f = self.families as f64;
        let mut edges: Vec<(u32, u32, f32)> = dot
            .into_iter()
            .map(|((g, h), d)| {
                let w = match g == h {
                    true => (d - own[g as usize]) / 2.0,
                    false => d,
                };
                (g, h, (w / f).max(0.0) as f32)
            })
            .filter(|e| e.2 > 0.0)
            .collect();
        edges.sort_unstable_by_key(|e| (e.0, e.1));
        Ok(edges)
    }
}

impl Profiles {
    /// The summed profile of each group (`group[a]` for every account, `NO_CLUSTER` for none):
    /// what every account's mean similarity to each group's members is made from, exactly and
    /// with items too common to pair on, without a pair of accounts.
    /// Like [`Profiles::similarity`], `stage` stops at `limit`.
    pub fn group_sums(&self, group: &[u32], stage: &str, limit: Option<u64>) -> Result<GroupSums> {
        // The members' entries, sorted in place (two copies of 12 bytes each at most), and an
        // offset per item.
        let members = group.iter().enumerate().filter(|&(_, &g)| g != NO_CLUSTER);
        let count: usize = members
            .map(|(a, _)| self.offsets[a + 1] - self.offsets[a])
            .sum();
        let bytes = 2 * 12 * count + 8 * self.item_offsets.len();
        memory::check_before(stage, bytes as u64, limit, memory::SMALLER_INPUT)?;
        let mut entries: Vec<(u32, u32, f32)> = Vec::with_capacity(count);
        let mut size = Vec::new();
        for (a, &g) in group.iter().enumerate().filter(|&(_, &g)| g != NO_CLUSTER) {
            if size.len() <= g as usize {
                size.resize(g as usize + 1, 0u32);
            }
            size[g as usize] += 1;
            let range = self.offsets[a]..self.offsets[a + 1];
            entries.extend(range.map(|k| (self.items[k], g, self.weights[k])));
        }
        entries.par_sort_unstable_by_key(|e| (e.0, e.1));
        let items = self.item_offsets.len() - 1;
        let mut offsets = vec![0usize; items + 1];
        let mut sums: Vec<(u32, f32)> = Vec::new();
        for same in entries.chunk_by(|x, y| (x.0, x.1) == (y.0, y.1)) {
            offsets[same[0].0 as usize + 1] += 1;
            sums.push((
                same[0].1,
                same.iter().map(|e| e.2 as f64).sum::<f64>() as f32,
            ));
        }
        for i in 0..items {
            offsets[i + 1] += offsets[i];
        }
        Ok(GroupSums {
            offsets,
            sums,
            size,
        })
    }

    /// Account `a`'s mean similarity to the members of each group it shares an item with
    /// (itself left out of its own group), into `out` as (group, mean similarity), using
    /// `acc` (all zeros, one slot per group) as scratch.
    pub fn mean_similarities(
        &self,
        a: u32,
        own: u32,
        groups: &GroupSums,
        acc: &mut [f64],
        out: &mut Vec<(u32, f64)>,
    ) {
        out.clear();
        let mut self_dot = 0.0;
        for k in self.offsets[a as usize]..self.offsets[a as usize + 1] {
            let (item, w) = (self.items[k] as usize, self.weights[k] as f64);
            self_dot += w * w;
            for &(g, s) in &groups.sums[groups.offsets[item]..groups.offsets[item + 1]] {
                // Weights are positive, so a group's sum is 0 until it is first reached.
                let add = w * s as f64;
                if add > 0.0 {
                    if acc[g as usize] == 0.0 {
                        out.push((g, 0.0));
                    }
                    acc[g as usize] += add;
                }
            }
        }
        let f = self.families as f64;
        for (g, mean) in out.iter_mut() {
            let (dot, others) = match *g == own {
                true => (acc[*g as usize] - self_dot, groups.size[*g as usize] - 1),
                false => (acc[*g as usize], groups.size[*g as usize]),
            };
            acc[*g as usize] = 0.0;
            *mean = if others > 0 {
                dot / f / others as f64
            } else {
                0.0
            };
        }
    }
}

/// Each group's summed profile, by item ([`Profiles::group_sums`]).
pub struct GroupSums {
    /// Item `i`'s groups and their summed weights are `sums[offsets[i]..offsets[i + 1]]`.
    offsets: Vec<usize>,
    sums: Vec<(u32, f32)>,
    /// Members of each group.
    size: Vec<u32>,
}

/// An account's place in the pseudo-random order of a too common item's accounts. The order is
/// the same for every item, so that a pair that meets through one item mostly meets through
/// the others it shares too, and its similarity counts them: an order of its own for each item
/// left each pair one item's share, and the 37.5M-tweet archive came out in 3 operations of 9.
fn shuffled(a: u32) -> (u64, u32) {
    (crate::hash::splitmix(a as u64), a)
}

/// Pairs `a < b` from each account's kept neighbours `(a, b)`, sorted by `(a, b)`: a pair kept
/// by both ends takes the lower id's similarity (what every pair takes without a cut), one
/// kept by the higher id only takes that end's.
fn union_of_neighbours(kept: Vec<(u32, u32, f32)>) -> Vec<(u32, u32, f32)> {
    let mut pairs: Vec<(u32, u32, f32, bool)> = kept
        .into_iter()
        .map(|(a, b, s)| (a.min(b), a.max(b), s, a > b))
        .collect();
    // From the lower id first (false < true), then keep the first of each pair.
    pairs.par_sort_unstable_by_key(|&(a, b, _, from_high)| (a, b, from_high));
    pairs.dedup_by_key(|p| (p.0, p.1));
    pairs.into_iter().map(|(a, b, s, _)| (a, b, s)).collect()
}

/// Each family's (account, item key) actions, one per action, in the order of
/// `opts.families`: what [`Profiles::from_pairs`] weighs. The actions of parts of the rows add
/// up to the whole's.
pub type FamilyPairs = Vec<Vec<(u32, u64)>>;

/// The actions of `rows` (of `data`, whose row `r` is dataset row `global[r]`, or `r` without
/// `global`) of each family of `opts`, their items named as every process that holds rows
/// names them: tweet ids ([`tweet_key`]), dataset rows, hashtag and account ids, and the
/// hashes of texts, normal forms and words (a process's own numbers for these are its own).
/// `original_of` gives the dataset row of the original a retweet's text was found to share.
/// `may_gather` is asked before the words' actions are gathered whether that many may be:
/// they are held nowhere else, where the other families' are at most the rows' and items'
/// own number.
pub fn family_pairs<E>(
    data: &Dataset,
    original_of: &OriginalOf<'_>,
    opts: &ProfileOptions,
    rows: &[Range<usize>],
    global: Option<&[u32]>,
    may_gather: &(dyn Fn(usize) -> std::result::Result<(), E> + Sync),
) -> std::result::Result<FamilyPairs, E> {
    let rows = || rows.iter().flat_map(|rows| rows.clone());
    let own = |r: usize| data.kind(r) != TweetKind::Retweet;
    // The texts of own posts among the rows, for the families that read them.
    let own_texts = || {
        let mut wanted = vec![false; data.texts.len()];
        for r in rows().filter(|&r| own(r) && data.text[r] != NO_TEXT) {
            wanted[data.text[r] as usize] = true;
        }
        wanted
    };
    let of_family = |family: Family| match family {
        Family::Retweeted => {
            let mut out = Vec::new();
            for r in rows() {
                let a = data.account[r];
                match data.kind(r) {
                    TweetKind::Retweet => {
                        let key = match (data.target_tweet[r], original_of(r)) {
                            (NO_TWEET, Some(o)) => RECOVERED_ITEM | o as u64,
                            (NO_TWEET, None) if data.text[r] != NO_TEXT => {
                                TEXT_ITEM | data.text[r] as u64
                            }
                            (NO_TWEET, None) => continue,
                            (t, _) => tweet_key(data, t),
                        };
                        out.push((a, key));
                    }
                    TweetKind::Reply => {}
                    _ => {
                        // An original is the item its retweets name: by id, or by its row
                        // when they found it by text.
                        if data.tweet_id[r] != NO_TWEET {
                            out.push((a, tweet_key(data, data.tweet_id[r])));
                        }
                        let row = global.map_or(r as u64, |g| g[r] as u64);
                        out.push((a, RECOVERED_ITEM | row));
                    }
                }
            }
            texts_by_hash(data, &mut out, |e| &mut e.1);
            Ok(out)
        }
        Family::Texts => {
            let form = normal_form_hashes(data, opts.min_text_chars, &own_texts());
            Ok(rows()
                .filter(|&r| own(r) && data.text[r] != NO_TEXT)
                .filter_map(|r| match form[data.text[r] as usize] {
                    NO_FORM => None,
                    f => Some((data.account[r], f)),
                })
                .collect())
        }
        Family::Hashtags | Family::Mentions => {
            let want = match family {
                Family::Hashtags => ItemKind::Hashtag,
                _ => ItemKind::Mention,
            };
            let mut out = Vec::new();
            for r in rows() {
                for item in data.items(r).iter().filter(|i| i.kind() == want) {
                    out.push((data.account[r], item.id() as u64));
                }
            }
            Ok(out)
        }
        Family::Words => {
            // Each own text's words (three letters or more, hashtags aside), by their 64-bit
            // hashes (two of 10^7 distinct words share a hash with a chance of about 10^-5),
            // hashed on every core.
            let wanted = own_texts();
            let hashed: Vec<Box<[u64]>> = data.texts.par_map_init(String::new, |w, t, text| {
                let mut out = Vec::new();
                if !wanted[t as usize] {
                    return out.into_boxed_slice();
                }
                for word in words(text).filter(|word| !word.starts_with('#')) {
                    w.clear();
                    w.extend(
                        (word.chars().filter(|c| c.is_alphabetic())).flat_map(char::to_lowercase),
                    );
                    if w.chars().count() >= 3 {
                        out.push(hash_bytes(w.as_bytes()));
                    }
                }
                out.into_boxed_slice()
            });
            let texts = || rows().filter(|&r| own(r) && data.text[r] != NO_TEXT);
            let count: usize = texts().map(|r| hashed[data.text[r] as usize].len()).sum();
            may_gather(count)?;
            let mut out = Vec::with_capacity(count);
            for r in texts() {
                let a = data.account[r];
                out.extend(hashed[data.text[r] as usize].iter().map(|&w| (a, w)));
            }
            Ok(out)
        }
    };
    opts.families.iter().map(|&f| of_family(f)).collect()
}

/// The bytes an action takes while it waits to be weighed ([`FamilyPairs`]).
pub const ACTION_BYTES: u64 = size_of::<(u32, u64)>() as u64;

/// The bytes weighing an action takes beside it, at most: its (item, account) count while
/// the actions are held; the weights that follow take less once the actions are gone.
pub const WEIGHING_BYTES: u64 = size_of::<(u64, u32, u32)>() as u64;

/// One family's TF-IDF entries (account, dense item, weight), each account's block of unit
/// length, and whether each item is used by more than `max_accounts` accounts (too common to
/// pair on in full). Items of one account are left out. Each list is sized before it is
/// filled, so that weighing takes what [`WEIGHING_BYTES`] says.
fn weigh(
    mut pairs: Vec<(u32, u64)>,
    posting: usize,
    max_accounts: usize,
) -> (Vec<(u32, u32, f32)>, Vec<bool>) {
    // (item, account, count) runs.
    pairs.par_sort_unstable_by_key(|&(a, k)| (k, a));
    let distinct = 1 + pairs.windows(2).filter(|w| w[0] != w[1]).count();
    let mut counted: Vec<(u64, u32, u32)> = Vec::with_capacity(distinct.min(pairs.len()));
    for &(a, k) in &pairs {
        match counted.last_mut() {
            Some(last) if last.0 == k && last.1 == a => last.2 += 1,
            _ => counted.push((k, a, 1)),
        }
    }
    drop(pairs);
    let shared = (counted.chunk_by(|x, y| x.0 == y.0))
        .filter(|run| run.len() >= 2)
        .map(<[_]>::len)
        .sum();
    let mut entries: Vec<(u32, u32, f32)> = Vec::with_capacity(shared);
    let mut item = 0u32;
    let mut common = Vec::new();
    for run in counted.chunk_by(|x, y| x.0 == y.0) {
        if run.len() < 2 {
            continue;
        }
        common.push(run.len() > max_accounts);
        let idf = (posting as f64 / run.len() as f64).ln().max(0.0);
        for &(_, a, tf) in run {
            entries.push((a, item, ((1.0 + (tf as f64).ln()) * idf) as f32));
        }
        item += 1;
    }
    drop(counted);
    // Each account's block to length 1.
    entries.par_sort_unstable_by_key(|e| (e.0, e.1));
    let mut out = Vec::with_capacity(entries.len());
    for run in entries.chunk_by(|x, y| x.0 == y.0) {
        let norm = run.iter().map(|e| (e.2 as f64).powi(2)).sum::<f64>().sqrt();
        if norm > 0.0 {
            out.extend(
                run.iter()
                    .map(|&(a, i, w)| (a, i, (w as f64 / norm) as f32)),
            );
        }
    }
    (out, common)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Through a too common item each account meets the window around it, from both ends.
    #[test]
    fn accounts_meet_through_a_too_common_item_in_pairs() {
        for (n, window) in [(50usize, 10usize), (50, 7), (12, 10), (11, 10), (30, 0)] {
            let mut users: Vec<(u32, f32)> = (0..n as u32).map(|a| (a * 3, 1.0)).collect();
            users.sort_unstable_by_key(|p| shuffled(p.0));
            let profiles = Profiles {
                offsets: vec![0],
                items: Vec::new(),
                weights: Vec::new(),
                item_offsets: vec![0],
                postings: Vec::new(),
                families: 1,
                window,
                common: Vec::new(),
                common_items: 0,
            };
            let meets = |a: u32| -> Vec<u32> {
                let mut m: Vec<u32> = (profiles.met(a, &users))
                    .map(|i| users[i % n].0)
                    .filter(|&b| b != a)
                    .collect();
                m.sort_unstable();
                m
            };
            for &(a, _) in &users {
                // The slices `neighbours` walks are the positions `met` gives, in order.
                let by_slices: Vec<u32> = wrapped(&users, profiles.met(a, &users))
                    .into_iter()
                    .flatten()
                    .map(|p| p.0)
                    .collect();
                let by_position: Vec<u32> =
                    (profiles.met(a, &users)).map(|i| users[i % n].0).collect();
                assert_eq!(
                    by_slices, by_position,
                    "n {n}, window {window}, account {a}"
                );
                let met = meets(a);
                let want = match window {
                    0 => 0,
                    w if w.div_ceil(2) >= n / 2 => n - 1,
                    w => 2 * w.div_ceil(2),
                };
                assert_eq!(met.len(), want, "n {n}, window {window}: {a} meets {met:?}");
                for b in met {
                    assert!(
                        meets(b).contains(&a),
                        "n {n}, window {window}: {a} meets {b}"
                    );
                }
            }
        }
    }

    #[test]
    fn blocks_are_unit_length_and_lonely_items_drop_out() {
        // Accounts 0 and 1 share item 7 (twice for 0); item 9 is account 2's alone.
        let pairs = vec![(0, 7), (0, 7), (1, 7), (1, 8), (2, 8), (2, 9)];
        let (e, common) = weigh(pairs, 4, 100);
        for a in 0..3 {
            let norm: f32 = e.iter().filter(|x| x.0 == a).map(|x| x.2 * x.2).sum();
            assert!((norm - 1.0).abs() < 1e-5, "account {a}: {norm}");
        }
        // Item 9 is gone; two items remain, neither too common.
        assert_eq!(e.iter().map(|x| x.1).max(), Some(1));
        assert_eq!(common, vec![false, false]);
        // Too common for a limit of 2 accounts, yet weighed like any other item.
        let (e, common) = weigh(vec![(0, 7), (1, 7), (2, 7)], 4, 2);
        assert_eq!(common, vec![true]);
        assert_eq!(e, vec![(0, 0, 1.0), (1, 0, 1.0), (2, 0, 1.0)]);
    }
}
