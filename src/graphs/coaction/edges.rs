//! From aggregated pairs to edges: the filters every pair must pass, the significance test
//! under the shuffled null, and each edge's evidence columns.

use super::*;

/// What every aggregated pair must meet to be an edge: at least `min_pairs` pairs, and a
/// p-value under the shuffled null of at most `alpha`.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct EdgeTest {
    pub(super) null: ShuffledNull,
    pub(super) min_pairs: u32,
    pub(super) alpha: f64,
}

impl EdgeTest {
    /// `(a, b, p-value)` if the account pair `key` with `n` pairs is significant.
    pub(super) fn significant(&self, key: u64, n: u32) -> Option<(u32, u32, f64)> {
        let (a, b) = ((key >> 32) as u32, key as u32);
        let p_value = poisson_upper_tail(n as u64, self.null.expected(a, b));
        (p_value <= self.alpha).then_some((a, b, p_value))
    }

    /// A share of a projection's pairs, aggregated by account pair (each pair in one share
    /// only), tested.
    pub fn test(&self, pairs: impl IntoIterator<Item = (u64, u32)>) -> PairCount {
        let mut c = PairCount::default();
        for (key, n) in pairs {
            c.edges_before_filters += 1;
            c.pairs += n as u64;
            if n < self.min_pairs {
                c.edges_below_min_pairs += 1;
                continue;
            }
            c.kept += 1;
            c.significant.extend(self.significant(key, n));
        }
        c
    }
}

/// Expected pairs of (a, b) when accounts are shuffled over the fixed action slots:
/// 2 * slot_pairs * k_a * k_b / (M (M - 1)).
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub(super) struct ShuffledNull {
    pub(super) scale: f64,
    pub(super) degree: Vec<u32>,
}

impl ShuffledNull {
    /// The null of `m` actions (of the accounts that take part) whose window allows
    /// `slot_pairs` pairs of slots; each account's actions `degree`.
    pub(super) fn new(m: usize, slot_pairs: u64, degree: Vec<u32>) -> ShuffledNull {
        let m = m as f64;
        let scale = if m > 1.0 {
            2.0 * slot_pairs as f64 / (m * (m - 1.0))
        } else {
            0.0
        };
        ShuffledNull { scale, degree }
    }

    pub(super) fn expected(&self, a: u32, b: u32) -> f64 {
        self.scale * self.degree[a as usize] as f64 * self.degree[b as usize] as f64
    }
}

/// What becomes of an aggregated pair: below `min_pairs`, below participation, or kept.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Fate {
    BelowMinPairs = 0,
    BelowParticipation = 1,
    Kept = 2,
}

/// The filters an edge must pass before its significance is tested.
pub(super) struct Filter {
    pub(super) min_pairs: u32,
    /// CooRTweet's participation: an edge needs one qualifying account.
    pub(super) qualifies: Option<Vec<bool>>,
}

impl Filter {
    pub(super) fn fate<T: Tally>(&self, key: u64, e: &T) -> Fate {
        let accounts_qualify = self
            .qualifies
            .as_ref()
            .is_none_or(|q| q[(key >> 32) as usize] || q[key as u32 as usize]);
        match (e.pairs() >= self.min_pairs, accounts_qualify) {
            (false, _) => Fate::BelowMinPairs,
            (true, false) => Fate::BelowParticipation,
            (true, true) => Fate::Kept,
        }
    }
}

/// Per shard, in parallel and in one pass: how many edges meet each fate (into `stats`).
pub(super) fn tally_fates<T: Tally + Sync>(
    maps: &[HashMap<u64, T>],
    filter: &Filter,
    stats: &mut ProjectionStats,
) -> Vec<[usize; 3]> {
    let tallies: Vec<[usize; 3]> = maps
        .par_iter()
        .map(|m| {
            m.iter().fold([0; 3], |mut t, (&k, e)| {
                t[filter.fate(k, e) as usize] += 1;
                t
            })
        })
        .collect();
    stats.edges_below_min_pairs = tallies.iter().map(|t| t[0]).sum();
    stats.edges_below_participation = tallies.iter().map(|t| t[1]).sum();
    tallies
}

/// The kept edges, with their significance, sorted by account pair; the maps are freed as
/// their edges are written.
pub(super) fn finish_edges(
    maps: Vec<HashMap<u64, Acc>>,
    filter: &Filter,
    null: &ShuffledNull,
    weights: &ItemWeights,
    stats: &mut ProjectionStats,
    budget: &PairBudget,
) -> Result<Vec<CoEdge>> {
    let tallies = tally_fates(&maps, filter, stats);
    let kept = Fate::Kept as usize;
    // Each shard writes its edges into its own stretch of one exactly sized vector, and its
    // map is freed as soon as it is done: the edges and the maps are never both held twice.
    // Every thread first-touches its part: faulting in the 60 MB of 10^6 edges on one thread
    // (`vec![..; n]`) left the other core idle for a tenth of a second.
    let total = tallies.iter().map(|t| t[kept]).sum();
    budget.check((total * std::mem::size_of::<CoEdge>()) as u64)?;
    let mut edges = Vec::with_capacity(total);
    edges.par_extend(rayon::iter::repeat_n(CoEdge::default(), total));
    let mut stretches = Vec::with_capacity(SHARDS);
    let mut rest = &mut edges[..];
    for t in &tallies {
        let (head, tail) = rest.split_at_mut(t[kept]);
        stretches.push(head);
        rest = tail;
    }
    maps.into_par_iter().zip(stretches).for_each(|(map, out)| {
        let kept_edges = map
            .into_iter()
            .filter(|&(k, ref e)| filter.fate(k, e) == Fate::Kept);
        for (slot, (key, e)) in out.iter_mut().zip(kept_edges) {
            let norm = |a: u32| weights.norm_sq[a as usize].get().sqrt();
            *slot = co_edge(key, &e.sums, e.first_item, null, &norm);
        }
    });
    edges.par_sort_unstable_by_key(|e| (e.a, e.b));
    Ok(edges)
}

/// An aggregated pair as an edge, with its weights and its significance under the null:
/// `exemplar` numbers its first item, `norm` gives each account's TF-IDF norm.
pub(super) fn co_edge(
    key: u64,
    e: &Sums,
    exemplar: u32,
    null: &ShuffledNull,
    norm: &(dyn Fn(u32) -> f64 + Sync),
) -> CoEdge {
    let (a, b) = ((key >> 32) as u32, key as u32);
    let expected = null.expected(a, b);
    let norm = norm(a) * norm(b);
    let p_value = poisson_upper_tail(e.pairs as u64, expected);
    CoEdge {
        a,
        b,
        pairs: e.pairs,
        items: e.items,
        min_delay_ms: e.min_delay,
        mean_delay_ms: e.delay_sum as f64 / e.pairs as f64,
        idf_weight: e.idf.get(),
        cosine: if norm > 0.0 {
            (e.dot.get() / norm).min(1.0)
        } else {
            0.0
        },
        expected_pairs: expected,
        z: z_from_p(p_value),
        p_value,
        exemplar_item: exemplar,
    }
}

/// Per-item inverse document frequencies, per-action TF-IDF weights and per-account squared
/// norms (in fixed point: owners of different items add theirs up in any order).
pub(super) struct ItemWeights {
    pub(super) idf: Vec<f64>,
    /// The weight of the action's account on the action's item: (1 + ln tf) * idf.
    pub(super) action: Vec<f64>,
    pub(super) norm_sq: Vec<Fixed>,
}

impl ItemWeights {
    /// The weights of `actions`, of `accounts` accounts, `taking_part` of which take part in
    /// the projection (the documents the inverse document frequency counts).
    pub(super) fn new(actions: &Actions, accounts: usize, taking_part: usize) -> ItemWeights {
        let n = taking_part.max(1) as f64;
        let mut norm_sq = vec![Fixed::ZERO; accounts];
        let mut idf = Vec::with_capacity(actions.items());
        let mut action = vec![0.0; actions.len()];
        let mut tf: Vec<(u32, u32)> = Vec::new();
        for g in 0..actions.items() {
            let range = actions.item(g);
            ItemWeights::counts(&actions.account[range.clone()], &mut tf);
            let w = (n / tf.len() as f64).ln();
            idf.push(w);
            for &(a, c) in &tf {
                let x = (1.0 + (c as f64).ln()) * w;
                norm_sq[a as usize] += Fixed::from(x * x);
            }
            for i in range {
                let k = tf.binary_search_by_key(&actions.account[i], |&(a, _)| a);
                let c = k.map_or(1, |k| tf[k].1);
                action[i] = (1.0 + (c as f64).ln()) * w;
            }
        }
        ItemWeights {
            idf,
            action,
            norm_sq,
        }
    }

    /// (account, actions on this item), sorted by account, into `out`.
    pub(super) fn counts(acc: &[u32], out: &mut Vec<(u32, u32)>) {
        out.clear();
        out.extend(acc.iter().map(|&a| (a, 1)));
        out.sort_unstable_by_key(|&(a, _)| a);
        out.dedup_by(|next, kept| {
            let same = next.0 == kept.0;
            if same {
                kept.1 += 1;
            }
            same
        });
    }
}
