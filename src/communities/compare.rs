//! Agreement between two clusterings of the same nodes: normalised mutual information and the
//! adjusted Rand index, used to check clusters against planted or labelled networks.

use std::collections::HashMap;

type Counts<K> = HashMap<K, f64>;

/// Contingency counts of two labellings, and each labelling's cluster sizes.
fn contingency(a: &[u32], b: &[u32]) -> (Counts<(u32, u32)>, Counts<u32>, Counts<u32>) {
    assert_eq!(
        a.len(),
        b.len(),
        "both clusterings must label the same nodes"
    );
    let mut joint = HashMap::new();
    let mut left = HashMap::new();
    let mut right = HashMap::new();
    for (&x, &y) in a.iter().zip(b) {
        *joint.entry((x, y)).or_insert(0.0) += 1.0;
        *left.entry(x).or_insert(0.0) += 1.0;
        *right.entry(y).or_insert(0.0) += 1.0;
    }
    (joint, left, right)
}

fn entropy(sizes: &HashMap<u32, f64>, n: f64) -> f64 {
    sizes.values().map(|&s| -(s / n) * (s / n).ln()).sum()
}

/// Normalised mutual information, arithmetic-mean normalisation (as scikit-learn's default):
/// 1 for identical clusterings, near 0 for unrelated ones. Two single-cluster labellings
/// count as identical.
pub fn nmi(a: &[u32], b: &[u32]) -> f64 {
    let n = a.len() as f64;
    if a.is_empty() {
        return 1.0;
    }
    let (joint, left, right) = contingency(a, b);
    let (ha, hb) = (entropy(&left, n), entropy(&right, n));
    if ha == 0.0 && hb == 0.0 {
        return 1.0;
    }
    let mi: f64 = joint
        .iter()
        .map(|(&(x, y), &nxy)| nxy / n * (n * nxy / (left[&x] * right[&y])).ln())
        .sum();
    (mi / ((ha + hb) / 2.0)).clamp(0.0, 1.0)
}

/// Adjusted Rand index (Hubert & Arabie): 1 for identical clusterings, about 0 for chance.
pub fn ari(a: &[u32], b: &[u32]) -> f64 {
    let n = a.len() as f64;
    let pairs = |x: f64| x * (x - 1.0) / 2.0;
    let (joint, left, right) = contingency(a, b);
    let index: f64 = joint.values().map(|&x| pairs(x)).sum();
    let sa: f64 = left.values().map(|&x| pairs(x)).sum();
    let sb: f64 = right.values().map(|&x| pairs(x)).sum();
    let expected = sa * sb / pairs(n).max(1.0);
    let max = (sa + sb) / 2.0;
    if (max - expected).abs() < 1e-12 {
        return 1.0;
    }
    (index - expected) / (max - expected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_clusterings_score_one_whatever_the_names() {
        let a = [0, 0, 1, 1, 2, 2];
        let b = [5, 5, 3, 3, 9, 9];
        assert!((nmi(&a, &b) - 1.0).abs() < 1e-12);
        assert!((ari(&a, &b) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn known_values_match_scikit_learn() {
        // sklearn: normalized_mutual_info_score([0,0,0,1,1,1],[0,0,1,1,2,2]) = 0.5158037429793889
        //          adjusted_rand_score(same) = 0.24242424242424246
        let a = [0, 0, 0, 1, 1, 1];
        let b = [0, 0, 1, 1, 2, 2];
        assert!(
            (nmi(&a, &b) - 0.5158037429793889).abs() < 1e-9,
            "{}",
            nmi(&a, &b)
        );
        assert!(
            (ari(&a, &b) - 0.24242424242424246).abs() < 1e-9,
            "{}",
            ari(&a, &b)
        );
    }
}
