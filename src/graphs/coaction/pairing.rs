//! Pairing within the window: each action with the later actions of its item, nearest first,
//! up to the neighbour cap, emitted into shards by account pair.

use super::*;

/// `actions` in units of about [`UNIT`] actions, each with what pairing its actions reads (the
/// rest of the last item, as far as the window and the cap reach): how a projection's pairs
/// go to a [`PairCounter`](crate::graphs::counting::PairCounter).
pub fn units(actions: &Actions, window: i64, cap: u32) -> impl Iterator<Item = PairUnit> + '_ {
    let cap = cap as usize;
    let (acc, t, start) = (&actions.account, &actions.time_ms, &actions.start);
    (0..actions.len()).step_by(UNIT).map(move |lo| {
        let hi = (lo + UNIT).min(actions.len());
        // Items are sorted by their first action: the items of `lo` and `hi - 1`.
        let first = start.partition_point(|&s| s as usize <= lo) - 1;
        let last = start.partition_point(|&s| (s as usize) < hi) - 1;
        let end = start[last + 1] as usize;
        let mut reach = hi;
        while reach < end && reach < hi + cap && t[reach] - t[hi - 1] <= window {
            reach += 1;
        }
        let mut starts: Vec<u32> = (first..=last)
            .map(|g| (start[g] as usize).max(lo) as u32 - lo as u32)
            .collect();
        starts.push((reach - lo) as u32);
        PairUnit {
            account: acc[lo..reach].to_vec(),
            time_ms: t[lo..reach].to_vec(),
            start: starts,
            pair: (hi - lo) as u32,
            window,
            cap: cap as u32,
        }
    })
}

/// Consecutive actions of a projection, grouped by item as in [`Actions`]: the first `pair`
/// of them pair with the later actions of their item; the rest are there to be paired with.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct PairUnit {
    pub account: Vec<u32>,
    pub time_ms: Vec<i64>,
    pub start: Vec<u32>,
    pub pair: u32,
    pub window: i64,
    pub cap: u32,
}

impl PairUnit {
    /// Its in-window pairs, aggregated: `(account pair key, pairs)`, sorted by key.
    pub fn pairs(&self) -> Vec<(u64, u32)> {
        let items = self.start.len() - 1;
        let item_of: Vec<u32> = (0..items)
            .flat_map(|g| {
                std::iter::repeat_n(g as u32, (self.start[g + 1] - self.start[g]) as usize)
            })
            .collect();
        let mut out = Emitted::default();
        out.clear();
        let slices = (&self.account[..], &self.time_ms[..], &self.start[..]);
        let range = 0..self.pair as usize;
        emit(
            slices,
            &item_of,
            range,
            self.window,
            self.cap as usize,
            None, // the marks serve CooRTweet's filter, which counts on one process
            &mut out,
        );
        let mut keys: Vec<u64> = out.shards.into_iter().flatten().map(|p| p.key).collect();
        keys.sort_unstable();
        let mut counted: Vec<(u64, u32)> = Vec::new();
        for key in keys {
            match counted.last_mut() {
                Some((k, n)) if *k == key => *n += 1,
                _ => counted.push((key, 1)),
            }
        }
        counted
    }
}

/// Actions per emitting task (and per [`PairUnit`]); a busy item's actions may span several.
pub const UNIT: usize = 1 << 14;
/// Account-pair maps, each built by one task (a power of two).
pub(super) const SHARDS: usize = 64;

/// One co-action pair: the account pair and the two actions (`i` before `j`, same item).
#[derive(Clone, Copy)]
pub(super) struct Pair {
    pub(super) key: u64,
    pub(super) i: u32,
    pub(super) j: u32,
}

/// What one unit of actions emitted: its pairs by shard, and counts.
#[derive(Default)]
pub(super) struct Emitted {
    pub(super) shards: Vec<Vec<Pair>>,
    pub(super) pairs: u64,
    pub(super) slot_pairs: u64,
    pub(super) capped: u64,
}

impl Emitted {
    pub(super) fn clear(&mut self) {
        self.shards.resize_with(SHARDS, Vec::new);
        self.shards.iter_mut().for_each(Vec::clear);
        (self.pairs, self.slot_pairs, self.capped) = (0, 0, 0);
    }
}

/// Bit sets that emitting tasks mark as they go.
#[derive(Clone, Copy)]
pub(super) struct Marks<'a> {
    pub(super) paired: &'a [AtomicU64],
    pub(super) capped_items: &'a [AtomicU64],
}

/// Pairs of the actions in `range` with the later actions of their item inside the window
/// (at most `cap` of them, the nearest in time), marking paired actions and capped items in
/// `marks` if given.
pub(super) fn emit(
    (acc, t, start): (&[u32], &[i64], &[u32]),
    item_of: &[u32],
    range: std::ops::Range<usize>,
    window: i64,
    cap: usize,
    marks: Option<Marks>,
    out: &mut Emitted,
) {
    let (mut hi, mut item) = (0, usize::MAX);
    for i in range {
        let g = item_of[i] as usize;
        if g != item {
            (hi, item) = (0, g);
        }
        let end = start[g + 1] as usize;
        hi = window_end(t, i, hi, end, window);
        let limit = hi.min(i + 1 + cap);
        if hi > limit {
            out.capped += (hi - limit) as u64;
            if let Some(m) = marks {
                mark(m.capped_items, g);
            }
        }
        out.slot_pairs += (limit - i - 1) as u64;
        for j in i + 1..limit {
            let (x, y) = (acc[i], acc[j]);
            if x == y {
                continue;
            }
            if let Some(m) = marks {
                mark(m.paired, i);
                mark(m.paired, j);
            }
            out.pairs += 1;
            let key = pair_key(x, y);
            let shard = (key.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 58) as usize % SHARDS;
            out.shards[shard].push(Pair {
                key,
                i: i as u32,
                j: j as u32,
            });
        }
    }
}

/// What pairing reads besides the pairs.
pub(super) struct Context<'a> {
    pub(super) actions: &'a Actions,
    pub(super) item_of: &'a [u32],
    /// TF-IDF weights, where the edges' weights are wanted.
    pub(super) weights: Option<&'a ItemWeights>,
}

/// What an edge keeps of its pairs.
pub(super) trait Tally: Send {
    /// An edge whose first pair is on `item`.
    fn new(item: u32) -> Self;
    fn take(&mut self, p: &Pair, ctx: &Context);
    fn pairs(&self) -> u32;
}

/// Counting only: what the significance test reads.
impl Tally for u32 {
    fn new(_: u32) -> u32 {
        0
    }
    fn take(&mut self, _: &Pair, _: &Context) {
        *self += 1;
    }
    fn pairs(&self) -> u32 {
        *self
    }
}

/// Every column of [`CoEdge`]. Pairs of an edge arrive in item order, so an item is counted
/// once, at its first pair.
impl Tally for Acc {
    fn new(item: u32) -> Acc {
        Acc {
            sums: Sums::ZERO,
            last_item: u32::MAX,
            first_item: item,
        }
    }

    fn take(&mut self, p: &Pair, ctx: &Context) {
        let (i, j) = (p.i as usize, p.j as usize);
        let g = ctx.item_of[i];
        let delay = ctx.actions.time_ms[j] - ctx.actions.time_ms[i];
        let s = &mut self.sums;
        s.pairs += 1;
        s.delay_sum += delay;
        s.min_delay = s.min_delay.min(delay);
        if self.last_item != g {
            let weights = ctx.weights.expect("weights for full edges");
            self.last_item = g;
            s.items += 1;
            s.idf += Fixed::from(weights.idf[g as usize]);
            s.dot += Fixed::from(weights.action[i] * weights.action[j]);
        }
    }

    fn pairs(&self) -> u32 {
        self.sums.pairs
    }
}

fn pair_key(x: u32, y: u32) -> u64 {
    let (a, b) = if x < y { (x, y) } else { (y, x) };
    ((a as u64) << 32) | b as u64
}

fn mark(bits: &[AtomicU64], i: usize) {
    bits[i / 64].fetch_or(1 << (i % 64), Ordering::Relaxed);
}

fn is_marked(bits: &[AtomicU64], i: usize) -> bool {
    bits[i / 64].load(Ordering::Relaxed) & (1 << (i % 64)) != 0
}

/// CooRTweet's refined participation: an account qualifies if at least `min` of its actions
/// are shares whose content id took part in some pair (content ids compared by value, as
/// CooRTweet does, so a reused content id counts wherever it appears).
pub(super) fn paired_participation(
    data: &Dataset,
    actions: &Actions,
    paired: &[AtomicU64],
    min: u32,
) -> Vec<bool> {
    let content = |i: usize| {
        let row = actions.row[i] as usize;
        match data.tweet_id[row] {
            NO_TWEET => u64::MAX - row as u64,
            id => id,
        }
    };
    let paired_content: hashbrown::HashSet<u64> = (0..actions.len())
        .filter(|&i| is_marked(paired, i))
        .map(content)
        .collect();
    let mut n = vec![0u32; data.accounts.len()];
    for i in 0..actions.len() {
        if paired_content.contains(&content(i)) {
            n[actions.account[i] as usize] += 1;
        }
    }
    n.into_iter().map(|c| c >= min.max(1)).collect()
}
