//! Pairs collected into maps by account pair, in rounds that keep inside the memory budget.

use super::*;

/// The window's slots (action pairs the window and cap allow, accounts aside) and what the
/// cap left out, without forming a pair: what the null and the stats read when the pairs
/// are counted elsewhere. The same figures `collect_pairs` adds up as it pairs.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub(super) struct Slots {
    pub(super) slot_pairs: u64,
    pub(super) capped: u64,
    pub(super) items_capped: usize,
}

pub(super) fn window_slots(actions: &Actions, window: i64, cap: usize) -> Slots {
    let t = &actions.time_ms;
    let item = |g: usize| {
        let range = actions.item(g);
        let (end, mut hi, mut capped) = (range.end, 0, false);
        let mut s = Slots::default();
        for i in range {
            hi = window_end(t, i, hi, end, window);
            let limit = hi.min(i + 1 + cap);
            s.capped += (hi - limit) as u64;
            capped |= hi > limit;
            s.slot_pairs += (limit - i - 1) as u64;
        }
        s.items_capped = usize::from(capped);
        s
    };
    (0..actions.items())
        .into_par_iter()
        .with_min_len(1 << 12)
        .map(item)
        .reduce(Slots::default, |a, b| Slots {
            slot_pairs: a.slot_pairs + b.slot_pairs,
            capped: a.capped + b.capped,
            items_capped: a.items_capped + b.items_capped,
        })
}

/// Past the last action of its item within `window` of action `i` (times `t`, the item's
/// actions ending at `end`), searching on from `hi`: the window's end moves forward only.
#[inline]
pub(super) fn window_end(t: &[i64], i: usize, hi: usize, end: usize, window: i64) -> usize {
    let mut hi = hi.max(i + 1);
    while hi < end && t[hi] - t[i] <= window {
        hi += 1;
    }
    hi
}

/// Per unit of [`UNIT`] actions (starting at `units`), the pairs the window and cap allow its
/// actions (accounts aside): what pairing the unit can form at most.
fn unit_slots(
    actions: &Actions,
    item_of: &[u32],
    units: &[usize],
    window: i64,
    cap: usize,
) -> Vec<u64> {
    let t = &actions.time_ms;
    units
        .par_iter()
        .map(|&lo| {
            let (mut n, mut hi) = (0u64, 0usize);
            let unit = &item_of[lo..(lo + UNIT).min(actions.len())];
            for (i, &g) in (lo..).zip(unit) {
                let end = actions.item(g as usize).end;
                hi = window_end(t, i, hi, end, window);
                n += (hi.min(i + 1 + cap) - i - 1) as u64;
            }
            n
        })
        .collect()
}

/// Consecutive units in rounds of at most `most`, and, with `room` (what the budget has
/// left), at most half of it in pairs unless one unit alone is more.
pub(super) fn rounds(
    unit_bytes: &[u64],
    most: usize,
    room: Option<u64>,
) -> Vec<std::ops::Range<usize>> {
    let half = room.map_or(u64::MAX, |r| r / 2);
    let mut out: Vec<std::ops::Range<usize>> = Vec::new();
    let mut bytes = 0u64;
    for (u, &b) in unit_bytes.iter().enumerate() {
        match out.last_mut() {
            Some(r) if r.len() < most && bytes.saturating_add(b) <= half => {
                r.end = u + 1;
                bytes += b;
            }
            _ => {
                out.push(u..u + 1);
                bytes = b;
            }
        }
    }
    out
}

/// Each account's actions, `per_account`, where it takes part (it has at least
/// `min_participation`), else 0; the actions and accounts left, into `stats`.
pub(super) fn take_part(
    mut degree: Vec<u32>,
    min_participation: u32,
    stats: &mut ProjectionStats,
) -> Vec<u32> {
    let active_before = degree.iter().filter(|&&n| n > 0).count();
    degree
        .iter_mut()
        .filter(|n| **n < min_participation)
        .for_each(|n| *n = 0);
    stats.actions = degree.iter().map(|&n| n as usize).sum();
    stats.accounts = degree.iter().filter(|&&n| n > 0).count();
    stats.accounts_below_min_participation = active_before - stats.accounts;
    degree
}

/// Every in-window pair aggregated by account pair, in `SHARDS` maps.
pub(super) struct PairMaps<T> {
    pub(super) maps: Vec<HashMap<u64, T>>,
    pub(super) totals: Emitted,
    /// Actions that were paired, and items where the neighbour cap left pairs out (bit sets).
    pub(super) paired: Vec<AtomicU64>,
    pub(super) capped_items: Vec<AtomicU64>,
}

impl<T> PairMaps<T> {
    pub(super) fn items_capped(&self) -> usize {
        self.capped_items
            .iter()
            .map(|w| w.load(Ordering::Relaxed).count_ones() as usize)
            .sum()
    }
}

/// Pair every action with the later actions of its item inside the window, aggregated by
/// account pair. Rounds: units of actions emit their in-window pairs into per-shard buffers in
/// parallel, then each shard's map takes its pairs, one task per shard. No map is ever merged
/// into another, and the buffers hold one round, so memory follows the edges.
pub(super) fn collect_pairs<T: Tally>(
    ctx: &Context,
    window_ms: Option<i64>,
    max_neighbors: u32,
) -> PairMaps<T> {
    collect_pairs_stopping(ctx, window_ms, max_neighbors, None, &|_| Ok(()))
        .expect("pairing without a memory limit never stops")
}

/// [`collect_pairs`] for projection `p`, stopping once the process holds more than the
/// options' memory limit: a wide window pairs every action with many, and the pairs' maps
/// grow past any estimate made before pairing.
pub(super) fn collect_pairs_within<T: Tally>(
    ctx: &Context,
    p: &Projection,
    opts: &GraphOptions,
) -> Result<PairMaps<T>> {
    let budget = PairBudget::of(p, opts);
    let held = crate::memory::resident().unwrap_or(0);
    let room = (opts.memory_limit).map(|l| l.saturating_sub(held) / budget.lanes);
    collect_pairs_stopping(ctx, p.window_ms, opts.max_neighbors, room, &|extra| {
        budget.check(extra)
    })
}

/// The memory check of one kind's pairing and of the edges made from its pairs: the stage
/// named, and what to change said.
pub(super) struct PairBudget {
    pub(super) stage: String,
    pub(super) what_helps: String,
    pub(super) limit: Option<u64>,
    /// Kinds pairing at once each take their share of the room, and each counts the others'
    /// growth as its own.
    pub(super) lanes: u64,
}

impl PairBudget {
    pub(super) fn of(p: &Projection, opts: &GraphOptions) -> PairBudget {
        let window = p
            .window_ms
            .map_or("none".to_string(), crate::graphs::format_duration);
        PairBudget {
            stage: format!("building the {} graph", p.kind.name()),
            what_helps: format!(
                "pair fewer actions: a narrower --window (this graph's is {window}) or a lower \
                 --max-neighbors (now {})",
                opts.max_neighbors
            ),
            limit: opts.memory_limit,
            lanes: opts.lanes.max(1) as u64,
        }
    }

    /// Stop if the process holds more than the limit, or would once it takes `extra` more.
    /// The second is said as the next round's figure: the whole graph needs more, and a limit
    /// raised to it stopped again a round later.
    pub(super) fn check(&self, extra: u64) -> Result<()> {
        crate::memory::check_or(
            (&self.stage, " (its next round of pairs alone)"),
            extra * self.lanes,
            self.limit,
            &self.what_helps,
        )
    }
}

/// The pairs of `ctx`'s actions, asking `check` before each round (and after the last)
/// whether to go on, and before a round's pairs are formed and the maps sized for the rest
/// whether that many more bytes can be taken. With `room` (the bytes the budget has left), a round forms at most
/// half of it in pairs.
fn collect_pairs_stopping<T: Tally>(
    ctx: &Context,
    window_ms: Option<i64>,
    max_neighbors: u32,
    room: Option<u64>,
    check: &(dyn Fn(u64) -> Result<()> + Sync),
) -> Result<PairMaps<T>> {
    let (actions, item_of) = (ctx.actions, ctx.item_of);
    let window = window_ms.unwrap_or(i64::MAX);
    let cap = max_neighbors.max(1) as usize;
    let bits =
        |n: usize| -> Vec<AtomicU64> { (0..n.div_ceil(64)).map(|_| AtomicU64::new(0)).collect() };
    let paired = bits(actions.len());
    let capped_items = bits(actions.items());
    let units: Vec<usize> = (0..actions.len()).step_by(UNIT).collect();
    // What each unit's pairs can take at most: a wide window pairs each action with hundreds
    // (a busy hashtag's with the cap's thousand), and a round of units formed them all at
    // once, past any budget.
    const PAIR_BYTES: u64 = std::mem::size_of::<Pair>() as u64;
    let slots = unit_slots(actions, item_of, &units, window, cap);
    let unit_bytes: Vec<u64> = slots.iter().map(|n| n * PAIR_BYTES).collect();
    let rounds = rounds(&unit_bytes, 4 * rayon::current_num_threads().max(1), room);
    // No shard can hold more account pairs than its share of the window's slots: the first
    // round's rate, extrapolated, overshot 8x at 10^8 tweets (co-url's first items pair
    // densely), and the maps' 3 GB set the run's peak.
    let most = slots.iter().sum::<u64>() as f64 / SHARDS as f64 * 1.05;
    let mut maps: Vec<HashMap<u64, T>> = (0..SHARDS).map(|_| HashMap::new()).collect();
    let mut buffers: Vec<Emitted> = Vec::new();
    let mut totals = Emitted::default();
    let table = |entries: f64| table_bytes(entries, std::mem::size_of::<(u64, T)>());
    // The bytes of growths under way on every thread: each thread's check counts the others'.
    let growing = AtomicU64::new(0);
    for (r, within) in rounds.into_iter().enumerate() {
        // The round's pairs; the maps' tables are checked as they grow.
        let new_pairs: u64 = slots[within.clone()].iter().sum();
        check(new_pairs * PAIR_BYTES)?;
        let done = (within.start * UNIT).min(actions.len()) as f64;
        let starts = &units[within];
        buffers.resize_with(starts.len(), Emitted::default);
        // Tasks work on local handles, moved out and back: neighbouring `Emitted` and map
        // headers share cache lines, and updating counts and lengths there on every pair
        // bounced those lines between the cores.
        buffers.par_iter_mut().zip(starts).for_each(|(out, &lo)| {
            let mut local = std::mem::take(out);
            local.clear();
            let hi = (lo + UNIT).min(actions.len());
            let marks = Marks {
                paired: &paired,
                capped_items: &capped_items,
            };
            let slices = (
                &actions.account[..],
                &actions.time_ms[..],
                &actions.start[..],
            );
            emit(
                slices,
                item_of,
                lo..hi,
                window,
                cap,
                Some(marks),
                &mut local,
            );
            *out = local;
        });
        // After the first round, each map is sized for its share of the rest as the first
        // round went, rather than doubled (and rehashed) a dozen times on the way.
        let want = |len: usize| (len as f64 * actions.len() as f64 / done * 1.1).min(most);
        if r == 1 {
            // Each table sized for the rest is a new one beside the present.
            let tables: f64 = (maps.iter())
                .map(|m| want(m.len()))
                .filter(|&w| w > 0.0)
                .map(table)
                .sum();
            check(tables as u64)?;
        }
        maps.par_iter_mut()
            .enumerate()
            .try_for_each(|(s, shared)| -> Result<()> {
                let mut map = std::mem::take(shared);
                if r == 1 {
                    map.reserve((want(map.len()) as usize).saturating_sub(map.len()));
                }
                for out in &buffers {
                    for p in &out.shards[s] {
                        // A full table grows into one of twice its size beside it: with a
                        // wide window the maps outgrow any estimate, so a large growth is
                        // checked before it is made.
                        if map.len() == map.capacity() {
                            let next = table((map.capacity() + 1) as f64) as u64;
                            if next as f64 >= CHECKED_GROWTH {
                                grow_asked(&mut map, next, &growing, check)?;
                            }
                        }
                        map.entry(p.key)
                            .or_insert_with(|| T::new(item_of[p.i as usize]))
                            .take(p, ctx);
                    }
                }
                *shared = map;
                Ok(())
            })?;
        for out in &buffers {
            totals.pairs += out.pairs;
            totals.slot_pairs += out.slot_pairs;
            totals.capped += out.capped;
        }
    }
    // Each round checked what was held before it; this is the last round's.
    check(0)?;
    Ok(PairMaps {
        maps,
        totals,
        paired,
        capped_items,
    })
}

/// Grow `map`'s table (`next` bytes) once `check` allows it beside the growths under way on
/// other threads, which `growing` counts until their new tables are resident. Checked one by
/// one, maps growing at once on several threads each found room for itself alone, and
/// together passed the limit by up to a table per thread.
fn grow_asked<V>(
    map: &mut HashMap<u64, V>,
    next: u64,
    growing: &AtomicU64,
    check: &(dyn Fn(u64) -> Result<()> + Sync),
) -> Result<()> {
    let others = growing.fetch_add(next, Ordering::SeqCst);
    let asked = check(others + next);
    if asked.is_ok() {
        // Grown here, not at the next insert, so that its pages are resident (and counted in
        // what the process holds) before the bytes leave `growing`.
        map.reserve(1);
    }
    growing.fetch_sub(next, Ordering::SeqCst);
    asked
}

/// The bytes of a hash table (hashbrown's) that holds `entries` of `entry` bytes: a power of
/// two of slots, at most 7/8 full, each with its control byte.
fn table_bytes(entries: f64, entry: usize) -> f64 {
    let slots = ((entries * 8.0 / 7.0).ceil() as u64)
        .next_power_of_two()
        .max(4);
    slots as f64 * (entry + 1) as f64
}

/// The smallest growth of a pair map that is checked against the memory budget first: below
/// it, growths are many and cheap (64 maps, doubling from a few entries). 64 maps each growing
/// unchecked up to 8 MB at once went 1.6x past a 300 MB limit; at this size the 64 together
/// stay within 16 MB.
const CHECKED_GROWTH: f64 = (256 << 10) as f64;
