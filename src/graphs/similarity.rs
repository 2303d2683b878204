//! Near-duplicate texts: MinHash signatures over word bigrams, banded into LSH buckets.
//!
//! Texts are first put in the co-tweet normal form, so only the words differ. In each band's
//! bucket, the form with the smallest hash is compared with every other; those whose
//! estimated Jaccard similarity reaches the threshold are joined (union-find) into one
//! near-duplicate item, named by its smallest hash, and co-similar pairs accounts that posted
//! the same item within the window. What is compared and the names depend only on the forms,
//! so processes that hold different rows find the groups one process finds
//! (`crate::distributed`'s rounds). Joining is transitive: a chain of small edits can link two
//! texts that differ more than the threshold, which is what copy-paste campaigns with
//! per-account edits look like.

use super::actions::{co_tweet_keys, from_keyed, Actions, Keyed};
use super::store::UnionFind;
use super::text_norm::{with_normal_forms, words};
use super::{CoactionKind, GraphOptions};
use crate::dataset::{interner::hash_bytes, Dataset};
use crate::error::{Error, Result};
use crate::hash::splitmix;
use hashbrown::hash_map::Entry;
use hashbrown::HashMap;
use rayon::prelude::*;
use std::ops::Range;

/// Hash functions per signature: bands x rows.
const HASHES: usize = 120;

/// Bands and rows per band whose LSH threshold (1/b)^(1/r) sits just under `similarity`, so
/// pairs at the threshold are found with high probability and verified afterwards.
pub fn bands_for(similarity: f64) -> (usize, usize) {
    let mut best = (HASHES, 1);
    let mut best_gap = f64::INFINITY;
    for rows in 1..=HASHES {
        if !HASHES.is_multiple_of(rows) {
            continue;
        }
        let bands = HASHES / rows;
        let t = (1.0 / bands as f64).powf(1.0 / rows as f64);
        let gap = similarity - 0.1 - t;
        if gap >= 0.0 && gap < best_gap {
            best_gap = gap;
            best = (bands, rows);
        }
    }
    best
}

/// The MinHash signature of a text's word bigrams (single words for one-word texts).
pub fn signature(normalized: &str) -> Vec<u32> {
    let w: Vec<&str> = words(normalized).collect();
    let mut shingles: Vec<u64> = if w.len() < 2 {
        w.iter().map(|x| hash_bytes(x.as_bytes())).collect()
    } else {
        w.windows(2)
            .map(|p| hash_bytes(p[0].as_bytes()) ^ hash_bytes(p[1].as_bytes()).rotate_left(17))
            .collect()
    };
    shingles.sort_unstable();
    shingles.dedup();
    (0..HASHES as u64)
        .map(|i| {
            let seed = splitmix(i.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0x00C0_FFEE);
            shingles
                .iter()
                .map(|&s| (splitmix(s ^ seed) >> 32) as u32)
                .min()
                .unwrap_or(u32::MAX)
        })
        .collect()
}

/// Estimated Jaccard similarity of two signatures.
pub fn estimated_jaccard(a: &[u32], b: &[u32]) -> f64 {
    let same = a.iter().zip(b).filter(|(x, y)| x == y).count();
    same as f64 / a.len().max(1) as f64
}

/// Refuse a similarity threshold outside (0, 1].
pub fn check_similarity(similarity: f64) -> Result<()> {
    match similarity > 0.0 && similarity <= 1.0 {
        true => Ok(()),
        false => Err(Error::config(format!(
            "a similarity threshold of {similarity} is outside (0, 1]; try {} (the default)",
            super::GraphOptions::default().similarity
        ))),
    }
}

/// Actions whose items are groups of near-duplicate texts: co-tweet's actions (the rows'
/// own texts, by normal form), each form named by its group ([`near_groups`]).
pub fn near_duplicate_actions(data: &Dataset, opts: &GraphOptions) -> Result<Actions> {
    check_similarity(opts.similarity)?;
    let all = 0..data.len();
    let (mut keyed, forms) = forms_of_rows(data, opts.filter.min_text_chars, &[all]);
    near_groups(joined_here(&forms, opts.similarity)).name(&mut keyed);
    Ok(from_keyed(data, CoactionKind::CoSimilar, keyed))
}

/// The pairs of `forms` that compare at `similarity` or above: the [`candidates`] of every
/// band's buckets, a band on each core at a time (not every band's buckets at once).
fn joined_here(forms: &Forms, similarity: f64) -> Vec<(u64, u64)> {
    let (bands, rows) = bands_for(similarity);
    (0..bands)
        .into_par_iter()
        .flat_map_iter(|band| {
            let entries: Vec<_> = (0..forms.len())
                .map(|f| (forms.bucket(f, band, rows), forms.hashes[f], 0))
                .collect();
            let similar = |c: &Candidate| {
                let (a, b) = (forms.find(c.first), forms.find(c.form));
                let (a, b) = (a.expect("a form here"), b.expect("a form here"));
                estimated_jaccard(forms.signature(a), forms.signature(b)) >= similarity
            };
            let found = candidates(&entries).into_iter().filter(similar);
            found.map(|c| (c.first, c.form)).collect::<Vec<_>>()
        })
        .collect()
}

/// The distinct normal forms of some rows' texts, by rising hash, with their signatures.
#[derive(Debug, Default)]
pub struct Forms {
    pub hashes: Vec<u64>,
    /// In the order of `hashes` (each as it was made: copying them into one block held two
    /// of each at once).
    signatures: Vec<Vec<u32>>,
}

impl Forms {
    /// Of `(form's hash, signature)`, each form once.
    pub fn of(mut signed: Vec<(u64, Vec<u32>)>) -> Forms {
        signed.par_sort_unstable_by_key(|s| s.0);
        signed.dedup_by_key(|s| s.0);
        let (hashes, signatures) = signed.into_iter().unzip();
        Forms { hashes, signatures }
    }

    pub fn len(&self) -> usize {
        self.hashes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.hashes.is_empty()
    }

    /// Form `f`'s MinHash signature.
    pub fn signature(&self, f: usize) -> &[u32] {
        &self.signatures[f]
    }

    /// The form with this hash, if here.
    pub fn find(&self, hash: u64) -> Option<usize> {
        self.hashes.binary_search(&hash).ok()
    }

    /// Form `f`'s LSH bucket in `band` (of `rows` hashes): the band is part of the key, so
    /// the buckets of every band can be grouped together.
    pub fn bucket(&self, f: usize, band: usize, rows: usize) -> u64 {
        let sig = &self.signature(f)[band * rows..(band + 1) * rows];
        sig.iter().fold(band as u64, |h, &x| splitmix(h ^ x as u64))
    }

    /// Every form's bucket in each of `bands` (of those `similarity` makes):
    /// `(bucket, form's hash)`.
    pub fn buckets(&self, similarity: f64, bands: Range<usize>) -> Vec<(u64, u64)> {
        let rows = bands_for(similarity).1;
        (0..self.len())
            .flat_map(|f| {
                bands
                    .clone()
                    .map(move |b| (self.bucket(f, b, rows), self.hashes[f]))
            })
            .collect()
    }
}

/// Co-similar's actions of `rows` before their forms are grouped: co-tweet's, `(normal form's
/// hash, row)` for each row that is not a retweet and whose text's normal form has at least
/// `min_chars` characters; and those forms with their signatures.
pub fn forms_of_rows(data: &Dataset, min_chars: usize, rows: &[Range<usize>]) -> (Keyed, Forms) {
    let keyed = co_tweet_keys(data, min_chars, rows);
    // One text of each form is signed: many texts differ only in what the form leaves out.
    let mut first: Vec<(u64, u32)> = (keyed.iter())
        .map(|&(form, r)| (form, data.text[r as usize]))
        .collect();
    first.par_sort_unstable();
    first.dedup_by_key(|f| f.0);
    let mut wanted = vec![false; data.texts.len()];
    for (_, text) in first {
        wanted[text as usize] = true;
    }
    let signed = with_normal_forms(data, min_chars, &wanted, |hash, form| {
        (hash, signature(form))
    });
    (keyed, Forms::of(signed.into_iter().flatten().collect()))
}

/// Two forms to compare: a bucket's first form (its smallest hash) and another of it, each
/// with a process that holds it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Candidate {
    pub first: u64,
    pub first_at: u32,
    pub form: u64,
    pub at: u32,
}

/// Of `(bucket, form's hash, process holding it)`, sorted by form and process, the pairs to
/// compare: in each bucket of two forms or more, its first form with each other one (linear
/// in the bucket: the groups join the rest through the first), each form with the lowest
/// process that holds it. Which forms are compared depends only on the forms.
pub fn candidates(entries: &[(u64, u64, u32)]) -> Vec<Candidate> {
    debug_assert!(entries.is_sorted_by_key(|e| (e.1, e.2)));
    // Forms come smallest first, so a bucket's first comer is its first form.
    let mut first: HashMap<u64, (u64, u32)> = HashMap::with_capacity(entries.len());
    let mut out = Vec::new();
    for &(bucket, form, at) in entries {
        match first.entry(bucket) {
            Entry::Occupied(f) if f.get().0 != form => out.push(Candidate {
                first: f.get().0,
                first_at: f.get().1,
                form,
                at,
            }),
            Entry::Occupied(_) => {}
            Entry::Vacant(v) => {
                v.insert((form, at));
            }
        }
    }
    // A form held by several processes, once, with the lowest.
    out.sort_unstable();
    out.dedup_by_key(|c| (c.first, c.form));
    out
}

/// Forms joined by pairs that compare above the threshold, as groups: each form of a group
/// of two or more named by the group's smallest hash.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NearGroups(HashMap<u64, u64>);

/// The groups that `joined` pairs of forms make (transitively).
pub fn near_groups(joined: Vec<(u64, u64)>) -> NearGroups {
    let mut hashes: Vec<u64> = joined.iter().flat_map(|&(a, b)| [a, b]).collect();
    hashes.par_sort_unstable();
    hashes.dedup();
    let at = |h: u64| hashes.binary_search(&h).expect("a joined form") as u32;
    let mut sets = UnionFind::new(hashes.len());
    for (a, b) in joined {
        sets.union(at(a), at(b));
    }
    // Union-find keeps the smaller index as the root: a group's root is its smallest hash.
    let labels = sets.labels();
    NearGroups(
        (hashes.iter().zip(&labels))
            .map(|(&h, &root)| (h, hashes[root as usize]))
            .collect(),
    )
}

impl NearGroups {
    /// Name each action's form by its group.
    pub fn name(&self, keyed: &mut Keyed) {
        if self.0.is_empty() {
            return;
        }
        keyed.par_iter_mut().for_each(|(form, _)| {
            if let Some(&group) = self.0.get(form) {
                *form = group;
            }
        });
    }

    /// The grouped forms with their groups, to travel.
    pub fn into_pairs(self) -> Vec<(u64, u64)> {
        let mut pairs: Vec<(u64, u64)> = self.0.into_iter().collect();
        pairs.sort_unstable();
        pairs
    }

    pub fn from_pairs(pairs: Vec<(u64, u64)>) -> NearGroups {
        NearGroups(pairs.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_duplicates_cluster_and_different_texts_do_not() {
        let texts = [
            "the vote was rigged and the media will not tell you the truth about it",
            "the vote was rigged and the media will never tell you the truth about it",
            "the vote was rigged and the media will not tell you the truth about it at all",
            "lovely weather in the park today with the kids and the dog running around",
        ];
        let sigs: Vec<Vec<u32>> = texts.iter().map(|t| signature(t)).collect();
        assert!(estimated_jaccard(&sigs[0], &sigs[1]) > 0.5);
        assert!(estimated_jaccard(&sigs[0], &sigs[3]) < 0.2);
        // Hashes in either order: the groups are the same, named by their smallest hash.
        for hashes in [[40, 30, 20, 10], [10, 20, 30, 40]] {
            let forms = Forms::of(hashes.into_iter().zip(sigs.clone()).collect());
            let mut keyed: Keyed = hashes.iter().map(|&h| (h, h as u32)).collect();
            near_groups(joined_here(&forms, 0.6)).name(&mut keyed);
            let group = hashes[0].min(hashes[1]).min(hashes[2]);
            let named: Vec<u64> = keyed.iter().map(|k| k.0).collect();
            assert_eq!(named, [group, group, group, hashes[3]]);
        }
    }

    /// Forms held apart (some by several processes, in any order) give, through the buckets
    /// of every band at once, the pairs and groups one process finds band by band.
    #[test]
    fn forms_held_apart_group_as_on_one_process() {
        let words = [
            "vote", "now", "the", "media", "lies", "truth", "rigged", "count", "stop",
        ];
        for seed in 0..20u64 {
            let mut x = seed;
            let mut next = |n: u64| {
                x = splitmix(x.wrapping_add(0x9E37_79B9_7F4A_7C15));
                x % n
            };
            // Texts of a few templates with a word or two changed: near-duplicates in groups.
            let templates: Vec<Vec<&str>> = (0..6)
                .map(|_| (0..14).map(|_| words[next(9) as usize]).collect())
                .collect();
            let mut signed = Vec::new();
            for _ in 0..120 {
                let mut t = templates[next(6) as usize].clone();
                for _ in 0..next(3) {
                    t[next(14) as usize] = words[next(9) as usize];
                }
                let text = t.join(" ");
                signed.push((hash_bytes(text.as_bytes()), signature(&text)));
            }
            let whole = Forms::of(signed.clone());
            let joined = joined_here(&whole, 0.7);
            assert!(!joined.is_empty(), "seed {seed}: no near-duplicates");
            let expected = near_groups(joined.clone());
            let processes = 3;
            let mut held: Vec<Vec<(u64, Vec<u32>)>> = vec![Vec::new(); processes];
            for s in &signed {
                held[next(3) as usize].push(s.clone());
                if next(4) == 0 {
                    held[next(3) as usize].push(s.clone());
                }
            }
            let held: Vec<Forms> = held.into_iter().map(Forms::of).collect();
            let bands = bands_for(0.7).0;
            let mut entries: Vec<(u64, u64, u32)> = (held.iter().enumerate())
                .flat_map(|(p, f)| {
                    f.buckets(0.7, 0..bands)
                        .into_iter()
                        .map(move |e| (e.0, e.1, p as u32))
                })
                .collect();
            entries.sort_unstable_by_key(|e| (e.1, e.2));
            let mut apart = Vec::new();
            for c in candidates(&entries) {
                assert!(held[c.first_at as usize].find(c.first).is_some());
                let at = &held[c.at as usize];
                let b = at.signature(at.find(c.form).expect("the form where it is said to be"));
                let a = whole.signature(whole.find(c.first).unwrap());
                if estimated_jaccard(a, b) >= 0.7 {
                    apart.push((c.first, c.form));
                }
            }
            let mut one = joined;
            one.sort_unstable();
            one.dedup();
            apart.sort_unstable();
            assert_eq!(apart, one, "seed {seed}");
            assert_eq!(near_groups(apart), expected, "seed {seed}");
        }
    }

    #[test]
    fn bands_sit_under_the_threshold() {
        for s in [0.5, 0.7, 0.9] {
            let (b, r) = bands_for(s);
            assert_eq!(b * r, HASHES);
            let t = (1.0 / b as f64).powf(1.0 / r as f64);
            assert!(t < s, "threshold {t} for similarity {s}");
        }
    }
}
