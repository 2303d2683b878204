//! Choosing a time window from the data, for any co-action.
//!
//! Coordinated accounts act on the same item close together in time; organic users spread out.
//! So compare the delays between pairs of actions on the same item with the delays they would
//! have if each item's actions were spread at random over the item's own lifetime (first to
//! last action): items keep their lifetimes, and only clustering inside them is lost. For each step between candidate windows (1s, 2s, 5s, ... 1d), the marginal excess is
//! how many more pairs fall in that step than chance puts there. The
//! excess peaks at short delays and decays as organic spread takes over; the chosen window is
//! the longest one reached before the marginal excess falls below half its peak. When no step
//! shows twice the chance rate, CooRnet's rule is used instead: the 10% quantile over items of
//! the time from an item's first action to its median action.

use super::actions::Actions;
use super::{format_duration, parse_duration};
use crate::dataset::TimeResolution;
use crate::error::{Error, Result, Setting};
use rand::{Rng, SeedableRng};
use rayon::prelude::*;

/// How far apart two actions on one item may be and still pair: one idea, one type.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Window {
    /// Estimated for each graph from its own data ([`estimate_window`]), no finer than the
    /// timestamps and no longer than a cap.
    #[default]
    Auto,
    /// The whole period: any two actions on an item pair, however far apart.
    Whole,
    /// At most this many milliseconds apart.
    Fixed(i64),
}

/// A window is estimated as the delay up to which same-item actions come at least this many
/// times as often as with times spread at random over each item's lifetime.
pub const MIN_EXCESS: f64 = 2.0;

impl Window {
    /// The window for `actions` in milliseconds (`None` for the whole period), and why when
    /// it was estimated. An estimate is kept between the timestamps' resolution (at least a
    /// second) and `max_auto_ms`; a fixed window finer than the timestamps is refused.
    pub fn resolve(
        self,
        actions: &Actions,
        max_auto_ms: i64,
    ) -> Result<(Option<i64>, Option<String>)> {
        let coarse = (actions.coarsest, actions.coarse_actions);
        self.resolve_with(coarse, || Delays::of(actions), max_auto_ms)
    }

    /// [`Window::resolve`] from what the estimate reads: the actions' coarsest resolution and
    /// how many are that coarse, and their [`Delays`] (taken only for an estimate).
    pub fn resolve_with(
        self,
        (coarsest, coarse_actions): (TimeResolution, usize),
        delays: impl FnOnce() -> Delays,
        max_auto_ms: i64,
    ) -> Result<(Option<i64>, Option<String>)> {
        match self {
            Window::Whole => Ok((None, None)),
            Window::Fixed(w) => {
                check_window(coarsest, coarse_actions, Some(w)).map(|_| (Some(w), None))
            }
            Window::Auto => {
                let floor = coarsest.millis().max(1000);
                let est = estimate(&delays(), floor, MIN_EXCESS);
                let w = est.window_ms.clamp(floor, max_auto_ms.max(floor));
                let reason = if w == est.window_ms {
                    est.explanation
                } else {
                    format!("{}; capped at {}", est.explanation, format_duration(w))
                };
                Ok((Some(w), Some(reason)))
            }
        }
    }
}

impl std::str::FromStr for Window {
    type Err = Error;
    /// `auto`, `none` (the whole period), or a duration: `10s`, `5m`, `1h30m`.
    fn from_str(s: &str) -> Result<Window> {
        if s.trim().eq_ignore_ascii_case("auto") {
            return Ok(Window::Auto);
        }
        Ok(match parse_duration(s)? {
            None => Window::Whole,
            Some(ms) => Window::Fixed(ms),
        })
    }
}

impl std::fmt::Display for Window {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Window::Auto => f.write_str("auto"),
            Window::Whole => f.write_str("none"),
            Window::Fixed(ms) => f.write_str(&format_duration(*ms)),
        }
    }
}

/// Refuse a window the data's timestamps cannot resolve: the actions' coarsest resolution
/// `res`, and how many actions are minute-resolved or coarser.
pub fn check_window(
    res: TimeResolution,
    coarse_actions: usize,
    window_ms: Option<i64>,
) -> Result<()> {
    let Some(w) = window_ms else { return Ok(()) };
    if w >= res.millis() {
        return Ok(());
    }
    let unit = res.name();
    let which = if coarse_actions > 0 {
        format!("{coarse_actions} actions")
    } else {
        "the actions".to_string()
    };
    Err(Error::config(format!(
        "a window of {} is shorter than the time resolution of the data: {which} only say \
         which {unit} they happened in (no snowflake tweet ids to refine them); use a window of \
         {} or longer",
        format_duration(w),
        format_duration(res.millis()),
    ))
    .with_setting(Setting::Window {
        at_least_ms: res.millis(),
    }))
}

/// A window chosen from the data, and why.
#[derive(Clone, Debug, serde::Serialize)]
pub struct WindowEstimate {
    pub window_ms: i64,
    /// (candidate window, share of same-item action pairs within it, share after
    /// spreading times over each item's lifetime).
    pub curve: Vec<(i64, f64, f64)>,
    pub explanation: String,
}

const CANDIDATES_S: [i64; 17] = [
    1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 21_600, 43_200, 86_400,
];

/// Estimate a window for `actions`; `min_excess` is the observed/chance ratio a window needs.
pub fn estimate_window(actions: &Actions, min_excess: f64) -> WindowEstimate {
    let floor = actions.coarsest.millis().max(1000);
    estimate(&Delays::of(actions), floor, min_excess)
}

/// What the window estimate reads of a kind's actions, item by item, so that the [`Delays`] of
/// the actions cut by item add up to the whole's (where the rows are held apart, each
/// process's items'): same-item pairs' delays, as they are and with times spread over each
/// item's lifetime, and each item's time to its median action.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Delays {
    /// How many actions there are.
    actions: u64,
    observed: DelayCounts,
    spread: DelayCounts,
    /// Per item with 3+ actions, from its first action to its median one (CooRnet's rule).
    halves: Vec<i64>,
}

impl Delays {
    pub fn of(actions: &Actions) -> Delays {
        Delays {
            actions: actions.len() as u64,
            observed: pair_delays(actions, None),
            spread: pair_delays(actions, Some(7)),
            halves: (0..actions.items())
                .filter_map(|g| {
                    let t = &actions.time_ms[actions.item(g)];
                    (t.len() >= 3).then(|| t[(t.len() - 1) / 2] - t[0])
                })
                .collect(),
        }
    }
}

impl std::ops::Add for Delays {
    type Output = Delays;

    fn add(mut self, other: Delays) -> Delays {
        self.actions += other.actions;
        self.observed.add(&other.observed);
        self.spread.add(&other.spread);
        self.halves.extend(other.halves);
        self
    }
}

/// How a reason ends when the window is the default for want of data to estimate it from.
const DEFAULTED: &str = "; using the default window of 1m";

/// Why a kind's window is the default, from its `reason`, when there was nothing to estimate
/// it from ("no actions of this kind"); `None` for a window estimated or given.
pub fn defaulted_why(reason: &str) -> Option<&str> {
    reason.strip_suffix(DEFAULTED)
}

/// A window from `delays`, no finer than `floor`.
fn estimate(delays: &Delays, floor: i64, min_excess: f64) -> WindowEstimate {
    let (observed, null) = (&delays.observed, &delays.spread);
    if observed.total == 0 {
        let none = match delays.actions {
            0 => "no actions of this kind",
            _ => "no two accounts act on one item within a day",
        };
        return WindowEstimate {
            window_ms: 60_000,
            curve: Vec::new(),
            explanation: format!("{none}{DEFAULTED}"),
        };
    }
    let candidates: Vec<usize> = (0..CANDIDATES_S.len())
        .filter(|&i| CANDIDATES_S[i] * 1000 >= floor)
        .collect();
    let curve: Vec<(i64, f64, f64)> = candidates
        .iter()
        .map(|&i| {
            (
                CANDIDATES_S[i] * 1000,
                observed.within[i] as f64 / observed.total as f64,
                null.within[i] as f64 / null.total as f64,
            )
        })
        .collect();
    // Marginal excess per step, smoothed by a pseudo-count of 0.2% of the pairs so that a
    // handful of pairs in an empty null step cannot make a peak.
    let pseudo = (observed.total as f64 * 0.002).max(1.0);
    let mut prev = (0u64, 0u64);
    let marginal: Vec<f64> = candidates
        .iter()
        .map(|&i| {
            let (o, n) = (observed.within[i], null.within[i]);
            let m = ((o - prev.0) as f64 + pseudo) / ((n - prev.1) as f64 + pseudo);
            prev = (o, n);
            m
        })
        .collect();
    let peak_at = (0..marginal.len()).max_by(|&a, &b| marginal[a].total_cmp(&marginal[b]));
    let chosen = peak_at.filter(|&p| marginal[p] >= min_excess).map(|p| {
        let mut last = p;
        while last + 1 < marginal.len() && marginal[last + 1] >= 0.5 * marginal[p] {
            last += 1;
        }
        (p, last)
    });
    match chosen {
        Some((p, last)) => {
            let c = curve[last];
            let after = marginal
                .get(last + 1)
                .map_or(String::new(), |m| format!(", and {m:.1}x just beyond it"));
            let explanation = format!(
                "same-item actions come {:.1}x more often than with times spread over each item's lifetime at {} (the \
                 peak); the excess stays above half of that up to {}{after}; {:.1}% of \
                 same-item action pairs are within {} (spread: {:.2}%); window = {}",
                marginal[p],
                format_duration(curve[p].0),
                format_duration(c.0),
                100.0 * c.1,
                format_duration(c.0),
                100.0 * c.2,
                format_duration(c.0)
            );
            WindowEstimate {
                window_ms: c.0,
                curve,
                explanation,
            }
        }
        None => {
            let (w, why) = coornet_rule(delays.halves.clone(), floor);
            WindowEstimate {
                window_ms: w,
                curve,
                explanation: format!(
                    "no delay shows {min_excess}x more same-item pairs than spread times; \
                     {why}"
                ),
            }
        }
    }
}

/// Same-item action pairs (each action with up to 50 later ones within a day): how many, and
/// how many within each candidate window. Counting per candidate, rather than keeping every
/// delay, keeps this linear and parallel (co-hashtag at 1M tweets makes tens of millions).
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
struct DelayCounts {
    total: u64,
    within: [u64; CANDIDATES_S.len()],
}

impl DelayCounts {
    fn add(&mut self, other: &DelayCounts) {
        self.total += other.total;
        for (a, b) in self.within.iter_mut().zip(other.within) {
            *a += b;
        }
    }
}

/// [`DelayCounts`] of the actions' times, or with `spread_seed` of times drawn uniformly over
/// each item's lifetime (first to last action), the null: each item's draws are seeded by its
/// key, so that they do not depend on which other items are counted with it. Only pairs of
/// two accounts count: an account's own actions never make an edge.
fn pair_delays(actions: &Actions, spread_seed: Option<u64>) -> DelayCounts {
    const EMPTY: [u64; CANDIDATES_S.len() + 1] = [0; CANDIDATES_S.len() + 1];
    type Bins = [u64; CANDIDATES_S.len() + 1];
    let bins = (0..actions.items())
        .into_par_iter()
        .fold(
            || (EMPTY, Vec::new()),
            |(mut bins, mut t): (Bins, Vec<(i64, u32)>), g| {
                let r = actions.item(g);
                if r.len() < 2 {
                    return (bins, t);
                }
                t.clear();
                let (times, accounts) = (&actions.time_ms[r.clone()], &actions.account[r]);
                t.extend(times.iter().copied().zip(accounts.iter().copied()));
                if let Some(seed) = spread_seed {
                    let item = crate::hash::splitmix(actions.item_key[g]);
                    let mut rng = rand_pcg::Pcg64::seed_from_u64(seed ^ item);
                    let (lo, hi) = (t[0].0, t[t.len() - 1].0);
                    for x in &mut t {
                        x.0 = rng.random_range(lo..=hi);
                    }
                }
                t.sort_unstable();
                count_pairs(&t, &mut bins);
                (bins, t)
            },
        )
        .map(|(bins, _)| bins)
        .reduce(
            || EMPTY,
            |mut a, b| {
                for (x, y) in a.iter_mut().zip(b) {
                    *x += y;
                }
                a
            },
        );
    let mut within = [0u64; CANDIDATES_S.len()];
    let mut sum = 0;
    for (w, b) in within.iter_mut().zip(bins) {
        sum += b;
        *w = sum;
    }
    DelayCounts {
        total: bins.iter().sum(),
        within,
    }
}

/// Pairs further apart than this are not counted.
const HORIZON_MS: i64 = 86_400_000;

/// Add to `bins` the delays between each action of `t` (time and account, sorted) and the
/// next 50 within the horizon, those of other accounts, each in the bin of the first
/// candidate at least as long (the last bin: longer than every candidate).
fn count_pairs(t: &[(i64, u32)], bins: &mut [u64; CANDIDATES_S.len() + 1]) {
    for i in 0..t.len() {
        // Delays from `t[i]` only grow with `j`, so its bin only moves up: a step or two
        // a pair instead of a search over the candidates.
        let mut bin = 0;
        for j in i + 1..t.len().min(i + 51) {
            let d = t[j].0 - t[i].0;
            if d > HORIZON_MS {
                break;
            }
            while bin < CANDIDATES_S.len() && CANDIDATES_S[bin] * 1000 < d {
                bin += 1;
            }
            if t[j].1 != t[i].1 {
                bins[bin] += 1;
            }
        }
    }
}

/// CooRnet's rule: the 10% quantile over items (3+ actions) of first-to-median time, `half`.
fn coornet_rule(mut half: Vec<i64>, floor: i64) -> (i64, String) {
    if half.is_empty() {
        return (
            60_000,
            "no item has 3 actions; using the default window of 1m".into(),
        );
    }
    half.sort_unstable();
    let at = half[(half.len() - 1) / 10];
    let w = round_up_to_second(at).max(floor);
    (
        w,
        format!(
            "by CooRnet's rule, 10% of the {} items with 3+ actions reach their median action \
             within {} of the first; window = {}",
            half.len(),
            format_duration(round_up_to_second(at)),
            format_duration(w)
        ),
    )
}

fn round_up_to_second(ms: i64) -> i64 {
    (ms + 999) / 1000 * 1000
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graphs::actions::{collect, ActionFilter};
    use crate::graphs::held::owner;
    use crate::graphs::CoactionKind;

    /// Where the items are cut among their owners, the [`Delays`] of each owner's items add up
    /// to the whole's, so the same window is chosen for the same reason; CooRnet's rule too,
    /// when no delay shows the excess asked for.
    #[test]
    fn delays_of_items_cut_by_owner_add_up_to_the_wholes() {
        let dir = tempfile::tempdir().unwrap();
        let data = crate::synth::generated_dataset(20_000, dir.path());
        for kind in [CoactionKind::CoHashtag, CoactionKind::CoUrl] {
            let whole = collect(&data, kind, &ActionFilter::default());
            assert!(whole.items() > 50);
            let floor = whole.coarsest.millis().max(1000);
            for n in [2, 3] {
                let summed = (0..n)
                    .map(|p| Delays::of(&whole.of_items(|item| owner(item, n) == p)))
                    .fold(Delays::default(), |a, b| a + b);
                let mut halves = Delays::of(&whole).halves;
                halves.sort_unstable();
                let mut summed_halves = summed.halves.clone();
                summed_halves.sort_unstable();
                assert_eq!(summed_halves, halves, "{kind:?} on {n}");
                for min_excess in [MIN_EXCESS, 1e9] {
                    let (cut, one) = (
                        estimate(&summed, floor, min_excess),
                        estimate_window(&whole, min_excess),
                    );
                    assert_eq!(cut.window_ms, one.window_ms, "{kind:?} on {n}");
                    assert_eq!(cut.explanation, one.explanation, "{kind:?} on {n}");
                    assert_eq!(cut.curve, one.curve, "{kind:?} on {n}");
                }
                let fallback = estimate(&summed, floor, 1e9).explanation;
                assert!(fallback.contains("CooRnet"), "{fallback}");
                assert_eq!(summed.actions, whole.len() as u64);
            }
        }
        // Without pairs the default window, saying whether there were actions at all.
        let why = |actions: &Actions| estimate_window(actions, MIN_EXCESS).explanation;
        let alone = Actions {
            item_key: vec![7],
            start: vec![0, 1],
            account: vec![0],
            time_ms: vec![0],
            row: vec![0],
            ..Default::default()
        };
        assert!(why(&alone).starts_with("no two accounts act on one item"));
        // Nor two actions of one account.
        let own = Actions {
            item_key: vec![7],
            start: vec![0, 2],
            account: vec![0, 0],
            time_ms: vec![0, 1000],
            row: vec![0, 1],
            ..Default::default()
        };
        assert!(why(&own).starts_with("no two accounts act on one item"));
        let hashtags = collect(&data, CoactionKind::CoHashtag, &ActionFilter::default());
        let none = hashtags.of_items(|_| false);
        assert!(why(&none).starts_with("no actions of this kind"));
    }

    /// Pairs of two accounts fall in the bin a search over the candidates gives them, on
    /// times with ties, gaps past the horizon and runs longer than the 50 pairs a time counts;
    /// an account's pairs with itself are not counted.
    #[test]
    fn pairs_are_binned_as_a_search_over_the_candidates_bins_them() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_pcg::Pcg64::seed_from_u64(7);
        for case in 0..300 {
            let n = rng.random_range(0..120);
            let scale = [1_000, 60_000, 3_600_000, 200_000_000][case % 4];
            let accounts = [1, 3, 1000][case % 3];
            let mut t: Vec<(i64, u32)> = (0..n)
                .map(|_| (rng.random_range(0..scale), rng.random_range(0..accounts)))
                .collect();
            t.sort_unstable();
            let mut searched = [0u64; CANDIDATES_S.len() + 1];
            for i in 0..t.len() {
                for j in i + 1..t.len().min(i + 51) {
                    let d = t[j].0 - t[i].0;
                    if d > HORIZON_MS {
                        break;
                    }
                    if t[j].1 != t[i].1 {
                        searched[CANDIDATES_S.partition_point(|&c| c * 1000 < d)] += 1;
                    }
                }
            }
            if accounts == 1 {
                assert_eq!(searched, [0; CANDIDATES_S.len() + 1], "case {case}");
            }
            let mut walked = [0u64; CANDIDATES_S.len() + 1];
            count_pairs(&t, &mut walked);
            assert_eq!(walked, searched, "case {case}");
        }
    }
}
