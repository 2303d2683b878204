//! Near-duplicate texts: MinHash signatures over word bigrams, banded into LSH buckets.
//!
//! Texts are first put in the co-tweet normal form, so only the words differ. Texts whose
//! estimated Jaccard similarity reaches the threshold are joined (union-find) into one
//! near-duplicate item, and co-similar pairs accounts that posted the same item within the
//! window. Joining is transitive: a chain of small edits can link two texts that differ more
//! than the threshold, which is what copy-paste campaigns with per-account edits look like.

use super::actions::{from_keyed, Actions};
use super::store::UnionFind;
use super::text_norm::{normal_forms, words};
use super::{CoactionKind, GraphOptions};
use crate::dataset::TweetKind;
use crate::dataset::{interner::hash_bytes, Dataset, NO_TEXT};
use crate::error::{Error, Result};
use crate::hash::splitmix;
use hashbrown::HashMap;
use rayon::prelude::*;

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

/// Actions whose items are near-duplicate text clusters.
pub fn near_duplicate_actions(data: &Dataset, opts: &GraphOptions) -> Result<Actions> {
    if !(0.0..=1.0).contains(&opts.similarity) || opts.similarity == 0.0 {
        return Err(Error::config(format!(
            "a similarity threshold of {} is outside (0, 1]; try 0.7",
            opts.similarity
        )));
    }
    let (forms, form_of) = normal_forms(data, opts.filter.min_text_chars);
    let signatures: Vec<Vec<u32>> = (0..forms.len() as u32)
        .into_par_iter()
        .map(|f| signature(forms.get(f)))
        .collect();
    let cluster = cluster_forms(&signatures, opts.similarity);
    let keyed: Vec<(u64, u32)> = (0..data.len())
        .filter(|&r| data.kind(r) != TweetKind::Retweet && data.text[r] != NO_TEXT)
        .filter_map(|r| match form_of[data.text[r] as usize] {
            NO_TEXT => None,
            f => Some((cluster[f as usize] as u64, r as u32)),
        })
        .collect();
    Ok(from_keyed(data, CoactionKind::CoSimilar, keyed))
}

/// Union-find over forms whose signatures agree in a band and verify above `similarity`.
fn cluster_forms(signatures: &[Vec<u32>], similarity: f64) -> Vec<u32> {
    let mut sets = UnionFind::new(signatures.len());
    let (bands, rows) = bands_for(similarity);
    for band in 0..bands {
        let cols = band * rows..(band + 1) * rows;
        let mut buckets: HashMap<u64, u32> = HashMap::new();
        for (f, sig) in signatures.iter().enumerate() {
            let key = sig[cols.clone()]
                .iter()
                .fold(band as u64, |h, &x| splitmix(h ^ x as u64));
            // Compare with the bucket's first member only: linear per bucket, and
            // union-find joins the rest through it.
            match buckets.get(&key) {
                Some(&first) => {
                    if estimated_jaccard(&signatures[first as usize], sig) >= similarity {
                        sets.union(first, f as u32);
                    }
                }
                None => {
                    buckets.insert(key, f as u32);
                }
            }
        }
    }
    sets.labels()
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
        let c = cluster_forms(&sigs, 0.6);
        assert_eq!(c[0], c[1]);
        assert_eq!(c[0], c[2]);
        assert_ne!(c[0], c[3]);
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
